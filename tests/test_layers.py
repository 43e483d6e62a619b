"""The layer registry: a layer is added by declaring it once, and another host works unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pandera.pandas as pa
import pytest
from streamlit.testing.v1 import AppTest

import geodata
from dashboard import map_content
from dashboard.layers import MapLayer, register_map_layer, unregister_map_layer
from dashboard.map_builders import build_day_groups
from geodata.__main__ import main

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
ELSEWHERE = Path(__file__).parent / "fixtures" / "elsewhere"
CLOSURE_DAY = dt.date(2022, 1, 6)


# --- a throwaway layer, declared only here ------------------------------------------------------


def closures(record: geodata.Record, day: dt.date) -> tuple[geodata.Feature, ...]:
    """Road closures on ``day``: one feature per row of the record's closures table."""
    features = []
    for row in record.tables["closures"].itertuples(index=False):
        if row.date == day:
            place = record.index.places[row.place_id]
            properties = {"id": row.id, "name": f"Road closed near {place['name']}",
                          "place_id": row.place_id, "sources": list(row.sources),
                          "confidence": row.confidence}  # fmt: skip
            features.append(geodata.Feature(properties, place["geometry"], place["geometry_json"]))
    return tuple(features)


def closure_points(snap: geodata.Snapshot) -> list[dict]:
    return [
        {"lat": f.geometry.y, "lon": f.geometry.x, "style": {"radius": 6, "color": "#000000"},
         "tooltip": {"title": f.properties["name"], "lines": []},
         "popup": map_content.card(f.properties, "Road closure")}
        for f in snap.layers["closure"]
    ]  # fmt: skip


CLOSURES = geodata.Layer(
    key="closure",
    label="Road closures",
    build=closures,
    columns=("name", "place_id", "sources", "confidence"),
    table="closures",
    schema=pa.DataFrameSchema(
        {
            "id": pa.Column(str),
            "date": pa.Column(str, metadata={"type": "date"}),
            "place_id": pa.Column(str, metadata={"refers_to": "places"}),
            "sources": pa.Column(str),
            "confidence": pa.Column(str),
            "note": pa.Column(str),
        },
        metadata={"intervals": []},
    ),
)
CLOSURE_MAP = MapLayer(
    key="closure",
    group="Road closures",
    draw="points",
    payload=closure_points,
    legend=lambda snap: {
        "heading": "Road closures",
        "rows": [{"fill": "#000000", "label": f"Closed roads ({len(snap.layers['closure'])})"}],
    },
)


@pytest.fixture
def closure_layer() -> Iterator[None]:
    geodata.register_layer(CLOSURES)
    register_map_layer(CLOSURE_MAP)
    try:
        yield
    finally:
        unregister_map_layer("closure")
        geodata.unregister_layer("closure")


@pytest.fixture
def with_closures(tmp_path: Path) -> Path:
    folder = Path(shutil.copytree(geodata.bundled_record_path(), tmp_path / "record"))
    with (folder / "closures.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "date", "place_id", "sources", "confidence", "note"])
        writer.writerow(
            ["closure-1", CLOSURE_DAY.isoformat(), "almaty", "https://example.org/c", "low", ""]
        )
    return folder


def test_a_layer_added_through_the_registry_reaches_every_part(
    closure_layer, with_closures, capsys
):
    record = geodata.load_record(with_closures)
    snap = geodata.snapshot(record, CLOSURE_DAY)
    assert [f.properties["name"] for f in snap.layers["closure"]] == ["Road closed near Almaty"]
    assert "closure" in geodata.LAYERS
    # The export and the CLI.
    collection = json.loads(geodata.feature_collection_bytes(record, CLOSURE_DAY, ["closure"]))
    assert [f["properties"]["layer"] for f in collection["features"]] == ["closure"]
    out = with_closures / "day.geojson"
    assert (
        main(
            [
                "--data",
                str(with_closures),
                "export",
                "--date",
                "2022-01-06",
                "--layers",
                "closure",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert json.loads(out.read_bytes())["features"][0]["properties"]["id"] == "closure-1"
    # The map and its legend.
    groups = build_day_groups(snap, layers=["country", "closure"])
    assert [g.layer_name for g in groups][-1] == "Road closures"
    legend = map_content.legend(snap, ["closure"], force="CSTO")
    assert {
        "heading": "Road closures",
        "rows": [{"fill": "#000000", "label": "Closed roads (1)"}],
    } in legend["sections"]
    # An empty day still has the layer's columns.
    empty = geodata.snapshot(record, dt.date(2022, 1, 7)).frame("closure")
    assert list(empty.columns) == ["id", "name", "place_id", "sources", "confidence", "geometry"]


def test_a_record_without_the_new_layers_table_still_loads(closure_layer):
    record = geodata.load_record()
    assert geodata.snapshot(record, CLOSURE_DAY).layers["closure"] == ()


def test_the_new_layers_table_is_checked_like_the_others(closure_layer, with_closures):
    with (with_closures / "closures.csv").open("a") as handle:
        handle.write("closure-2,2022-01-06,nowhere,https://example.org/c,low,\n")
    with pytest.raises(
        geodata.RecordError, match=re.escape("closures.csv, row 3, column 'place_id'")
    ):
        geodata.load_record(with_closures)


def test_the_page_offers_the_new_layer(closure_layer, with_closures, monkeypatch):
    monkeypatch.setenv("KZ_RECORD_DIR", str(with_closures))
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["date"] = CLOSURE_DAY.isoformat()
    app.run()
    assert not app.exception
    choice = app.multiselect(key="layers")
    assert "closure" in choice.options or "Road closures" in choice.options


def test_unregistering_leaves_the_built_in_layers():
    assert tuple(geodata.LAYERS) == (
        "country",
        "base",
        "region",
        "city",
        "site",
        "route",
        "movement",
        "troops",
        "event",
        "figure",
    )


# --- another host -------------------------------------------------------------------------------


def page_text(app: AppTest) -> str:
    parts = [
        str(element.proto)
        for kind in ("html", "markdown", "caption", "metric", "warning", "error")
        for element in app.get(kind)
    ]
    return "\n".join(parts)


def test_another_host_works_with_no_kazakhstan_on_screen(monkeypatch):
    record = geodata.load_record(ELSEWHERE)
    assert record.host_name == "Northland"
    west, south, east, north = record.story_bounds
    assert (west, south, east, north) == (-7.0, 0.0, 17.0, 10.0)
    snap = geodata.snapshot(record, dt.date(2030, 3, 5))
    assert snap.troops_in_host == 420 and snap.troops_estimated
    collection = json.loads(geodata.feature_collection_bytes(record, snap.date))
    hosts = [f for f in collection["features"] if f["properties"].get("role") == "host"]
    assert [f["properties"]["name"] for f in hosts] == ["Northland"]
    assert hosts[0]["properties"]["sources"] == ["https://example.org/fixture/countries"]
    assert "troops_in_kazakhstan" not in json.dumps(collection)
    monkeypatch.setenv("KZ_RECORD_DIR", str(ELSEWHERE))
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["date"] = "2030-03-05"
    app.run()
    assert not app.exception
    text = page_text(app)
    assert "Test fixture: an invented deployment" in text and "Northland" in text
    assert 'class="kz-total">about 420<' in " ".join(html.proto.body for html in app.get("html"))
    for word in ("Kazakh", "Almaty", "CSTO", "2022"):
        assert word not in text, word
    assert app.get("component_instance")
