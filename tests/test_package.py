"""Package boundaries and the committed boundary files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import shapely

import geodata

DATA = Path(geodata.__file__).parent / "data"


def test_geodata_does_not_import_streamlit():
    code = "import geodata, geodata.__main__, sys; assert 'streamlit' not in sys.modules, 'streamlit imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_boundary_files_are_small_valid_and_rfc7946_wound():
    files = sorted((DATA / "boundaries").glob("*.geojson"))
    borders = [f for f in files if f.name != "water.geojson"]
    assert sum(f.stat().st_size for f in borders) < 600 * 1024
    assert (DATA / "boundaries" / "water.geojson").stat().st_size <= 150_000
    for file in files:
        for feature in json.loads(file.read_text())["features"]:
            shape = shapely.geometry.shape(feature["geometry"])
            assert shape.geom_type in ("Polygon", "MultiPolygon")
            assert shapely.is_valid(shape)
            for polygon in shapely.get_parts(shape):
                assert polygon.exterior.is_ccw


def test_kazakhstan_has_its_17_january_2022_units(record):
    assert len(record.regions) == 17
    assert "nur-sultan" in record.regions.index


def test_every_row_of_every_table_is_cited(record):
    for name, table in record.tables.items():
        assert table["sources"].map(len).gt(0).all(), name
        assert table["confidence"].isin(["high", "medium", "low"]).all(), name
