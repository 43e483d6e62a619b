"""The record's sources and figures against what the outlets reported (issue 12; facts-audit.md).

Expected values come from the sources cited in the audit, not from the code's output.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil

import pytest

import geodata
from geodata._outlets import TRUSTED_KINDS, outlet_of, rests_only_on_weak_sources


@pytest.fixture(scope="module")
def record() -> geodata.Record:
    return geodata.load_record()


def day(n: int) -> dt.date:
    return dt.date(2022, 1, n)


def all_rows(record: geodata.Record):
    for name, frame in record.tables.items():
        for row in frame.to_dict("records"):
            yield name, row


def test_the_164_toll_appears_only_as_withdrawn(record):
    # TASS and Belsat, 9 Jan: the Information and Health ministries called it a "technical error".
    for n in range(9, 21):
        snap = geodata.snapshot(record, day(n))
        assert snap.latest_figures["deaths"]["value"] != 164, n
    (withdrawn,) = geodata.snapshot(record, day(9)).withdrawn_figures
    assert (withdrawn["value"], withdrawn["status"]) == (164, "withdrawn")
    assert withdrawn["confidence"] == "low"
    table = list(csv.DictReader(io.StringIO(geodata.story_csv_bytes(
        geodata.snapshot(record, day(9))).decode("utf-8-sig"))))  # fmt: skip
    assert [row["status"] for row in table if row["value"] == "164"] == ["withdrawn"]


def test_detentions_reach_about_10000_on_12_january(record):
    # Interior Ministry 9,900 (11 Jan); "almost 10,000" (RFE/RL, AFP, 12 Jan); 4,404 on 8 Jan.
    assert geodata.snapshot(record, day(8)).latest_figures["detained"]["value"] == 4404
    assert geodata.snapshot(record, day(11)).latest_figures["detained"]["value"] == 9900
    assert 9_500 <= geodata.snapshot(record, day(12)).latest_figures["detained"]["value"] <= 10_500


def test_russias_strength_steps_down_as_its_flights_land(record):
    # Russian MoD: 16 aircraft landed 15 Jan, 19 more reported 16 Jan, 40 "over the past day" 17 Jan.
    def russia(n: int):
        countries = geodata.snapshot(record, day(n)).countries
        return countries.set_index("iso3").loc["RUS"]

    peak = max(russia(n)["troops_in_host"] for n in range(6, 21))
    for n in (16, 17, 18):
        russia_then = russia(n)
        assert russia_then["troops_in_host"] < peak
        assert russia_then["troops_low"] <= peak / 2  # the range reaches well below the peak
        assert bool(russia_then["troops_estimate"])


def test_every_high_row_has_a_source_that_is_not_a_mirror_or_an_aggregator(record):
    for name, row in all_rows(record):
        if row["confidence"] == "high":
            assert not rests_only_on_weak_sources(row["sources"]), (name, row["id"])
            assert any(outlet_of(url).kind in TRUSTED_KINDS for url in row["sources"]), (
                name,
                row["id"],
            )


def test_every_cited_outlet_is_in_the_register(record):
    unknown = {
        outlet_of(url).domain
        for _, row in all_rows(record)
        for url in row["sources"]
        if outlet_of(url).kind == "unknown"
    }
    assert unknown == set()


def test_a_mirror_with_no_known_original_never_backs_a_high_row(record):
    uncredited = [
        (name, row["id"], row["confidence"])
        for name, row in all_rows(record)
        for url in row["sources"]
        if outlet_of(url).kind == "mirror" and not outlet_of(url).original
    ]
    assert all(confidence != "high" for *_, confidence in uncredited), uncredited
    # What is left is listed in the record's README: the originals were not found.
    assert len({(name, row_id) for name, row_id, _ in uncredited}) <= 10


def test_credits_name_the_outlet_and_the_original_of_a_copy():
    assert geodata.credit("https://tass.com/world/1384189") == "TASS"
    assert geodata.credit("https://www.urdupoint.com/en/x.html") == "Sputnik (via UrduPoint)"
    assert geodata.credit("https://pledgetimes.com/x/") == "pledgetimes.com (mirror)"


def test_validate_prints_a_source_quality_summary(capsys):
    from geodata.__main__ import main

    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "Sources: " in out and " agency" in out and "mirrors still cited" in out


# --- a record people can copy -------------------------------------------------------------------


def test_a_plain_copy_of_the_bundled_record_validates(tmp_path):
    """`cp -r geodata/data/record my-record` is the natural start of one's own record."""
    copy = tmp_path / "my-record"
    shutil.copytree(geodata.bundled_record_path(), copy)
    assert geodata.load_record(copy).meta.days == geodata.load_record().meta.days


@pytest.mark.parametrize(
    ("setting", "write"),
    [
        ('countries = "mine/countries.geojson"', None),  # named but not there
        ('regions = "regions.geojson"', b"garbage{"),  # there but not GeoJSON
    ],
)
def test_a_missing_or_unreadable_boundary_file_is_one_root_error(tmp_path, setting, write):
    """The one real error, not the dozens of rows that could not be placed without it."""
    copy = tmp_path / "my-record"
    shutil.copytree(geodata.bundled_record_path(), copy)
    if write is not None:
        (copy / setting.split('"')[1]).write_bytes(write)
    with (copy / "record.toml").open("a", encoding="utf-8") as handle:
        handle.write(f"\n[boundaries]\n{setting}\n")
    with pytest.raises(geodata.RecordError) as raised:
        geodata.load_record(copy)
    problems = raised.value.problems
    assert len(problems) == 1, [str(problem) for problem in problems]
    assert setting.split('"')[1].split("/")[-1] in str(problems[0])


@pytest.mark.parametrize("table", ["places", "contingents", "events"])
def test_a_missing_table_is_one_root_error(tmp_path, table):
    copy = tmp_path / "my-record"
    shutil.copytree(geodata.bundled_record_path(), copy)
    (copy / f"{table}.csv").unlink()
    with pytest.raises(geodata.RecordError) as raised:
        geodata.load_record(copy)
    assert [problem.file for problem in raised.value.problems] == [f"{table}.csv"]


# --- what you see is what you download -----------------------------------------------------------


def exported_figures(record: geodata.Record, on: dt.date) -> list[dict]:
    collection = json.loads(geodata.feature_collection_bytes(record, on, ("figure",)))
    return [feature["properties"] for feature in collection["features"]]


def test_the_days_export_holds_the_figures_the_story_shows(record):
    figures = exported_figures(record, day(9))
    tolls = [figure for figure in figures if figure["measure"] == "deaths"]
    # 164 dead was published on 9 January and disowned as a "technical error" the same day.
    assert [(f["value"], f["status"]) for f in tolls if f["value"] == 164] == [(164, "withdrawn")]
    assert all(f["status"] != "withdrawn" for f in tolls if f["value"] != 164)
    assert "withdrawn" in next(f["name"] for f in tolls if f["value"] == 164)
    detained = [f for f in exported_figures(record, day(12)) if f["measure"] == "detained"]
    assert len(detained) == 1 and 9_500 <= detained[0]["value"] <= 10_000
    assert all(f["sources"] and f["attributed_to"] for f in figures)


def test_the_withdrawn_toll_is_in_the_export_only_on_its_day(record):
    for n in range(10, 21):
        assert all(f["value"] != 164 for f in exported_figures(record, day(n)))
