"""The GeoJSON export contract: valid RFC 7946, the promised properties, and the same bytes everywhere."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import geopandas as gpd
import pytest
import shapely
from geojson_pydantic import FeatureCollection

import geodata
from geodata.__main__ import main

DAYS = [dt.date(2022, 1, n) for n in (1, 2, 5, 6, 10, 14, 15, 19, 20)]
STATUSES = {"not_deployed", "deploying", "deployed", "withdrawing", "withdrawn"}


def parse(payload: bytes) -> dict:
    def reject(constant: str) -> None:
        raise AssertionError(f"{constant} is not valid JSON")

    return json.loads(payload, parse_constant=reject)


@pytest.fixture(scope="module")
def collections(record) -> dict[dt.date, dict]:
    return {day: parse(geodata.feature_collection_bytes(record, day)) for day in DAYS}


def exteriors_and_holes(geometry: dict):
    shape = shapely.geometry.shape(geometry)
    for polygon in shapely.get_parts(shape):
        yield polygon.exterior, polygon.interiors


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_export_is_a_valid_rfc7946_feature_collection(collections, day):
    collection = collections[day]
    FeatureCollection.model_validate(collection)  # an independent GeoJSON validator
    for feature in collection["features"]:
        geometry = feature["geometry"]
        if geometry is None:
            continue
        shape = shapely.geometry.shape(geometry)
        assert shapely.is_valid(shape), feature["properties"]["id"]
        minx, miny, maxx, maxy = shape.bounds
        assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
        if geometry["type"] in ("Polygon", "MultiPolygon"):
            for exterior, holes in exteriors_and_holes(geometry):
                assert exterior.is_ccw, (
                    f"{feature['properties']['id']}: exterior must be counter-clockwise"
                )
                assert not any(hole.is_ccw for hole in holes)


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_feature_carries_the_promised_properties(collections, day):
    for feature in collections[day]["features"]:
        props = feature["properties"]
        assert props["layer"] in geodata.LAYERS
        assert props["id"] and props["name"]
        assert props["date"] == day.isoformat()
        assert props["sources"] and all(
            url.startswith(("http://", "https://")) for url in props["sources"]
        )
        assert props["confidence"] in {"high", "medium", "low"}
        if props["layer"] == "country":
            assert props["role"] in {"host", "contributor", "context"}
            assert len(props["iso3"]) == 3
            if props["role"] == "contributor":
                assert isinstance(props["troops_in_kazakhstan"], int)
                assert props["status"] in STATUSES
        elif props["layer"] == "region":
            assert isinstance(props["state_of_emergency"], bool)
        elif props["layer"] == "city":
            assert props["unrest_level"] in {0, 1, 2, 3}
            assert props["status"]


def test_metadata_names_date_layers_version_and_licence(record):
    collection = parse(geodata.feature_collection_bytes(record, DAYS[4], ["city", "site"]))
    metadata = collection["metadata"]
    assert metadata["date"] == "2022-01-10"
    assert metadata["layers"] == ["city", "site"]
    assert metadata["dataset"]["version"] == record.meta.version
    assert metadata["licence"] and metadata["attribution"]
    assert {f["properties"]["layer"] for f in collection["features"]} == {"city", "site"}


def test_troops_are_zero_before_arrival_and_after_departure(collections):
    def contributors(day):
        return {
            f["properties"]["iso3"]: f["properties"]
            for f in collections[day]["features"]
            if f["properties"]["layer"] == "country" and f["properties"]["role"] == "contributor"
        }

    assert {p["troops_in_kazakhstan"] for p in contributors(DAYS[0]).values()} == {0}
    assert contributors(dt.date(2022, 1, 20))["RUS"]["troops_in_kazakhstan"] == 0
    assert contributors(dt.date(2022, 1, 10))["RUS"]["troops_in_kazakhstan"] > 0


def test_export_round_trips_through_pyogrio(record, tmp_path):
    path = tmp_path / "day.geojson"
    path.write_bytes(geodata.feature_collection_bytes(record, dt.date(2022, 1, 12)))
    frame = gpd.read_file(path, engine="pyogrio")
    original = parse(path.read_bytes())["features"]
    assert len(frame) == len(original)
    assert list(frame["id"]) == [f["properties"]["id"] for f in original]
    assert frame.crs.to_epsg() == 4326
    countries = frame[frame["layer"] == "country"].set_index("iso3")
    assert countries.loc["KGZ", "troops_in_kazakhstan"] == 150
    assert frame.loc[frame["layer"] == "region", "state_of_emergency"].all()


def test_timeline_replays_every_day_exactly(record):
    """Filtering the --all export to day D gives the same features as the export for day D."""
    timeline = parse(geodata.timeline_bytes(record))
    FeatureCollection.model_validate(timeline)
    for day in record.meta.days:
        iso = day.isoformat()
        alive = [
            f
            for f in timeline["features"]
            if f["properties"]["valid_from"] <= iso < f["properties"]["valid_to"]
        ]
        expected = parse(geodata.feature_collection_bytes(record, day))["features"]

        def comparable(feature):
            props = {
                k: v
                for k, v in feature["properties"].items()
                if k not in {"date", "valid_from", "valid_to"}
            }
            return json.dumps([props, feature["geometry"]], sort_keys=True)

        assert sorted(map(comparable, alive)) == sorted(map(comparable, expected)), iso


def test_cli_writes_the_same_bytes_as_the_library(record, tmp_path, capsysbinary):
    out = tmp_path / "d.geojson"
    assert main(["export", "--date", "2022-01-07", "--layers", "country,city", "-o", str(out)]) == 0
    expected = geodata.feature_collection_bytes(record, dt.date(2022, 1, 7), ["country", "city"])
    assert out.read_bytes() == expected
    assert main(["export", "--date", "2022-01-07", "--layers", "country,city"]) == 0
    assert capsysbinary.readouterr().out == expected


def test_cli_rejects_a_date_outside_the_period(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--date", "2023-01-01"])
    assert exit_info.value.code != 0
    assert "outside the record's period" in capsys.readouterr().err


def test_cli_rejects_unknown_layers(capsys):
    with pytest.raises(SystemExit):
        main(["export", "--date", "2022-01-07", "--layers", "country,tanks"])
    assert "choose layers" in capsys.readouterr().err


def test_python_dash_m_geodata_validate_runs():
    result = subprocess.run(
        [sys.executable, "-m", "geodata", "validate"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK:")
