"""The synthetic records the benchmarks use: valid, deterministic, and as large as asked."""

from __future__ import annotations

import filecmp

import pytest

import geodata
from benchmarks.synthetic import TABLES, period_days, write_synthetic_record

TILED = ("places", "presence", "movements", "unrest", "events", "figures")


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    return {
        scale: geodata.load_record(write_synthetic_record(folder / f"x{scale}", scale))
        for scale in (1, 10)
    }


def test_scale_1_is_the_bundled_record(records, record):
    one = records[1]
    assert one.meta.period_start == record.meta.period_start
    assert one.meta.period_end == record.meta.period_end
    for name in TABLES:
        assert filecmp.cmp(
            geodata.bundled_record_path() / f"{name}.csv",
            one.source_path / f"{name}.csv",
            shallow=False,
        ), name


def test_rows_scale_with_the_scale(records, record):
    ten = records[10]
    for name in TILED:
        assert len(ten.table(name)) == 10 * len(record.table(name)), name
    assert len(ten.index.cities) == 10 * len(record.index.cities)
    assert len(ten.table("contingents")) == len(record.table("contingents"))
    assert len(ten.table("emergencies")) == len(record.table("emergencies"))
    assert len(ten.table("phases")) > 5 * len(record.table("phases"))
    assert len(ten.meta.days) == period_days(10) == 80


def test_cloned_cities_lie_in_their_region(records):
    ten = records[10]
    places = ten.places[ten.places["id"].str.contains("-r")]
    cities = places[(places["kind"] == "city") & (places["country_iso3"] == "KAZ")]
    regions = ten.regions.geometry
    assert len(cities) == 9 * 16
    for region_id, point in zip(cities["region_id"], cities.geometry, strict=True):
        assert regions[region_id].covers(point)


def test_same_seed_same_files(tmp_path):
    first = write_synthetic_record(tmp_path / "a", 3, seed=7)
    second = write_synthetic_record(tmp_path / "b", 3, seed=7)
    other = write_synthetic_record(tmp_path / "c", 3, seed=8)
    assert all(filecmp.cmp(first / f"{n}.csv", second / f"{n}.csv", shallow=False) for n in TABLES)
    assert not filecmp.cmp(first / "places.csv", other / "places.csv", shallow=False)
