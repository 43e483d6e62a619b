"""The map's day files (``dashboard/day_data.py``): what a URL names, what it holds, and what is refused."""

from __future__ import annotations

import datetime as dt
import gc
import gzip
import json
from urllib.parse import parse_qs, urlsplit

import pytest

import geodata
from dashboard import day_data, exports
from dashboard.map_builders import day_calls
from tests.support.day_map import fetched

DAY = dt.date(2022, 1, 10)
LAYERS = ("country", "site", "troops")


@pytest.fixture(scope="module")
def record() -> geodata.Record:
    return geodata.load_record()


def test_a_day_url_serves_that_days_map(record: geodata.Record):
    url = day_data.day_url(record, DAY, LAYERS)
    day = fetched(url)
    expected = day_calls(geodata.snapshot(record, DAY), layers=LAYERS, force=record.meta.force)
    assert day["date"] == DAY.isoformat()
    assert day["groups"] == json.loads(
        json.dumps([{"name": name, "calls": calls} for name, calls in expected])
    )
    names = [group["name"] for group in day["groups"]]
    assert names[0] == "Status of countries and regions" and "Guarded sites" in names
    assert "Cities: unrest" not in names


def test_no_layers_is_a_day_with_only_its_status(record: geodata.Record):
    day = fetched(day_data.day_url(record, DAY, ()))
    assert [group["name"] for group in day["groups"]] == ["Status of countries and regions"]


def test_each_day_is_made_once_and_its_compressed_copy_says_the_same(record: geodata.Record):
    first = day_data.day_file(record, DAY, LAYERS)
    assert day_data.day_file(record, DAY, LAYERS) is first
    assert first.gzipped is not None and gzip.decompress(first.gzipped) == first.json
    assert len(first.gzipped) < len(first.json) / 2


def test_days_of_a_record_let_go_are_forgotten():
    record = geodata.load_record()  # a record of its own, as an upload would be
    token = exports.record_token(record)
    day_data.day_file(record, record.meta.period_start, LAYERS)
    assert any(key[0] == token for key in day_data._KEPT)
    del record
    gc.collect()
    assert not any(key[0] == token for key in day_data._KEPT)
    # The budget's running total still adds up what is kept.
    assert day_data._KEPT_BYTES["total"] == sum(map(day_data._size, day_data._KEPT.values()))
    assert exports.loaded_record(token) is None


@pytest.mark.parametrize(
    ("token", "name", "layers"),
    [
        ("not-a-token", "2022-01-10.json", "country"),
        (None, "2022-01-10.json", "country,nonsense"),  # an unknown layer
        (None, "2021-12-31.json", "country"),  # before the record's period
        (None, "2022-01-21.json", "country"),  # after it
        (None, "2022-02-30.json", "country"),  # no such date
        (None, "2022-01-10.geojson", "country"),
        (None, "../2022-01-10.json", "country"),
        (None, "2022-01-10.json/..", "country"),
        (None, "20220110.json", "country"),
    ],
)
def test_a_url_this_app_did_not_give_is_refused(record: geodata.Record, token, name, layers):
    token = token or exports.record_token(record)
    assert day_data.requested(token, name, layers) is None


def test_the_url_carries_the_layers_in_the_pages_order(record: geodata.Record):
    url = urlsplit(day_data.day_url(record, DAY, ("site", "country")))
    assert parse_qs(url.query)["layers"] == ["site,country"]
    assert url.path.endswith(f"/{DAY.isoformat()}.json")
