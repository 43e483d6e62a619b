"""Every export of every day and every layer choice: valid RFC 7946, and readable by GDAL (pyogrio).

Validating and round-tripping all 20 days x every layer subset (127 with 7 layers) would parse the country polygons
hundreds of times, so the sweep is split in two that together cover every combination exactly:

1. every day x every single layer is validated by an independent validator (geojson-pydantic plus
   shapely checks) and round-trips through ``geopandas.read_file(engine="pyogrio")``;
2. every day x every one of the non-empty subsets (in ``geodata.LAYERS`` order) is shown to be
   exactly the concatenation of its single layers' features, with ``metadata.layers`` the subset.

The subset check compares the ``features`` array's text with the single layers' arrays joined by the
export's separator, which proves equal JSON values without parsing 300 MB; if the text differs it
falls back to comparing the parsed features, so a formatting change alone cannot fail it.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import TYPE_CHECKING

import geopandas as gpd
import pytest
import shapely
from geojson_pydantic import FeatureCollection

import geodata

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

SUBSETS = [
    subset
    for size in range(1, len(geodata.LAYERS) + 1)
    for subset in itertools.combinations(geodata.LAYERS, size)
]
FEATURES_KEY = b',"features":['
FEATURES_END = b"]}\n"
SEPARATOR = b",\n"  # between two features in the export (fast path only; see module docstring)


def parse(payload: bytes) -> dict:
    """Strict JSON: NaN, Infinity and -Infinity are not JSON."""

    def reject(constant: str) -> None:
        raise AssertionError(f"{constant} is not valid JSON")

    return json.loads(payload, parse_constant=reject)


def check_rfc7946(collection: dict, label: str) -> None:
    """An independent validator plus what it does not check: ring orientation and coordinate range."""
    FeatureCollection.model_validate(collection)
    for feature in collection["features"]:
        geometry = feature["geometry"]
        if geometry is None:
            continue
        where = f"{label}: {feature['properties']['id']}"
        shape = shapely.geometry.shape(geometry)
        assert shapely.is_valid(shape), f"{where}: {shapely.is_valid_reason(shape)}"
        coordinates = shapely.get_coordinates(shape)
        assert len(coordinates), f"{where}: no coordinates"
        for lon, lat in coordinates:
            assert math.isfinite(lon) and math.isfinite(lat), where
            assert -180 <= lon <= 180 and -90 <= lat <= 90, f"{where}: ({lon}, {lat})"
        if geometry["type"] in ("Polygon", "MultiPolygon"):
            for polygon in shapely.get_parts(shape):
                assert polygon.exterior.is_ccw, f"{where}: exterior ring must be counter-clockwise"
                assert not any(hole.is_ccw for hole in polygon.interiors), (
                    f"{where}: holes must be clockwise"
                )


def check_round_trip(payload: bytes, collection: dict, path: Path, label: str) -> None:
    """GDAL reads the same features, ids, null geometries and CRS as the file says."""
    path.write_bytes(payload)
    frame = gpd.read_file(path, engine="pyogrio")
    features = collection["features"]
    assert len(frame) == len(features), label
    assert frame.crs is not None and frame.crs.to_epsg() == 4326, f"{label}: {frame.crs}"
    if not features:
        return
    assert list(frame["id"]) == [f["properties"]["id"] for f in features], label
    assert list(frame["layer"]) == [f["properties"]["layer"] for f in features], label
    unlocated = [f["geometry"] is None for f in features]
    assert list(frame.geometry.isna()) == unlocated, f"{label}: null geometries lost or invented"
    located = frame.geometry[~frame.geometry.isna()]
    types = [f["geometry"]["type"] for f in features if f["geometry"] is not None]
    assert list(located.geom_type) == types, label


@pytest.fixture(scope="module")
def singles(record) -> dict[tuple[dt.date, str], bytes]:
    """The export of every day and every single layer."""
    return {
        (day, layer): geodata.feature_collection_bytes(record, day, [layer])
        for day in record.meta.days
        for layer in geodata.LAYERS
    }


def test_the_subsets_are_every_layer_choice_exactly_once():
    assert len(SUBSETS) == len(set(SUBSETS)) == 2 ** len(geodata.LAYERS) - 1
    for subset in SUBSETS:
        assert list(subset) == [layer for layer in geodata.LAYERS if layer in subset]


@pytest.mark.parametrize("layer", geodata.LAYERS)
def test_every_day_of_a_single_layer_is_valid_and_round_trips(record, singles, layer, tmp_path):
    unlocated = 0
    for day in record.meta.days:
        label = f"{day} {layer}"
        payload = singles[day, layer]
        collection = parse(payload)
        assert collection["type"] == "FeatureCollection", label
        assert collection["metadata"]["date"] == day.isoformat(), label
        assert collection["metadata"]["layers"] == [layer], label
        assert {f["properties"]["layer"] for f in collection["features"]} <= {layer}, label
        check_rfc7946(collection, label)
        check_round_trip(payload, collection, tmp_path / f"{day}_{layer}.geojson", label)
        unlocated += sum(f["geometry"] is None for f in collection["features"])
    if layer in ("site", "event"):
        # Unlocated sites and nationwide events exist in the bundled record: the sweep covers them.
        assert unlocated > 0, f"no {layer} without a location on any day"


def split(payload: bytes) -> tuple[dict, bytes] | None:
    """The collection without its features, and the text inside ``"features":[...]``.

    ``None`` when the export is not laid out as ``{..., "features":[...]}\\n`` with the features last.
    Quotes inside JSON strings are escaped, so the key's text cannot occur inside a string.
    """
    at = payload.find(FEATURES_KEY)
    if at < 0 or not payload.endswith(FEATURES_END):
        return None
    try:
        head = parse(payload[:at] + b"}")
    except (ValueError, AssertionError):
        return None
    if not isinstance(head, dict) or "features" in head:
        return None
    return head, payload[at + len(FEATURES_KEY) : -len(FEATURES_END)]


def concatenation_head(payload: bytes, single_payloads: list[bytes], label: str) -> dict:
    """Assert ``payload``'s features are the single exports' features in order; its other members."""
    whole, parts = split(payload), [split(single) for single in single_payloads]
    if whole is not None and None not in parts:
        head, text = whole
        if text == SEPARATOR.join(part[1] for part in parts if part and part[1]):
            return head
    # Not the layout the fast path knows (or a real difference): compare the parsed features.
    collection = parse(payload)
    wanted = [feature for single in single_payloads for feature in parse(single)["features"]]
    assert collection["features"] == wanted, label
    return {key: value for key, value in collection.items() if key != "features"}


@pytest.mark.parametrize("subset", SUBSETS, ids="+".join)
def test_every_day_of_a_layer_subset_is_its_single_layers_concatenated(record, singles, subset):
    for day in record.meta.days:
        label = f"{day} {'+'.join(subset)}"
        payload = geodata.feature_collection_bytes(record, day, subset)
        head = concatenation_head(payload, [singles[day, layer] for layer in subset], label)
        assert head["type"] == "FeatureCollection", label
        assert head["metadata"]["layers"] == list(subset), label
        assert head["metadata"]["date"] == day.isoformat(), label


def test_the_whole_timeline_is_valid_and_round_trips(record, tmp_path):
    payload = geodata.timeline_bytes(record)
    collection = parse(payload)
    check_rfc7946(collection, "timeline")
    assert collection["metadata"]["layers"] == list(geodata.LAYERS)
    assert any(f["geometry"] is None for f in collection["features"])
    for feature in collection["features"]:
        props = feature["properties"]
        assert props["valid_from"] < props["valid_to"], props["id"]
    check_round_trip(payload, collection, tmp_path / "timeline.geojson", "timeline")
