"""Bad input is rejected with every problem listed, each naming its file, row and column."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

import geodata
from geodata.__main__ import main

# ---------------------------------------------------------------------------
# Helpers: copy the bundled record, edit one cell, and find the problem reported for it.
# ---------------------------------------------------------------------------


@pytest.fixture
def record_dir(tmp_path: Path) -> Path:
    """A private copy of the bundled record that a test may break."""
    bundled = geodata.bundled_record_path()
    copy = tmp_path / "record"
    shutil.copytree(bundled, copy)  # a plain copy works anywhere: it uses the bundled boundaries
    return copy


def read_rows(folder: Path, table: str) -> list[list[str]]:
    with (folder / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_rows(folder: Path, table: str, rows: list[list[str]], encoding: str = "utf-8") -> None:
    # errors="replace": a legacy encoding may lack a typographic character or two.
    path = folder / f"{table}.csv"
    with path.open("w", newline="", encoding=encoding, errors="replace") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def edit_cell(folder: Path, table: str, row_id: str, column: str, value: str) -> int:
    """Set one cell of ``table`` and return the edited row's line (header = line 1)."""
    rows = read_rows(folder, table)
    header = rows[0]
    for index, row in enumerate(rows):
        if index and row[header.index("id")] == row_id:
            row[header.index(column)] = value
            write_rows(folder, table, rows)
            return index + 1
    raise AssertionError(f"{table}.csv has no row with id {row_id!r}")


def load_error(folder: Path) -> geodata.RecordError:
    with pytest.raises(geodata.RecordError) as caught:
        geodata.load_record(folder)
    return caught.value


def assert_problem(
    error: geodata.RecordError, file: str, row: int | None, column: str | None, word: str
) -> geodata.Problem:
    """The problem at exactly (file, row, column) whose message contains ``word``."""
    here = [p for p in error.problems if (p.file, p.row, p.column) == (file, row, column)]
    assert here, f"nothing reported at {file}, row {row}, column {column!r}; got:\n{error}"
    matching = [p for p in here if word.lower() in p.message.lower()]
    assert matching, f"no message at {file}, row {row} mentions {word!r}; got:\n{error}"
    return matching[0]


# ---------------------------------------------------------------------------
# The starting point is sound.
# ---------------------------------------------------------------------------


def test_untouched_copy_loads(record_dir: Path) -> None:
    """The copied record loads without problems, so every failure below comes from its one edit."""
    loaded = geodata.load_record(record_dir)
    assert len(loaded.table("events")) > 0


def test_edit_cell_returns_the_spreadsheet_line(record_dir: Path) -> None:
    """edit_cell reports the line a spreadsheet shows: the header is 1, the first row is 2."""
    assert edit_cell(record_dir, "events", "lpg-price", "note", "edited") == 2
    line = edit_cell(record_dir, "events", "zhanaozen-begins", "note", "edited")
    text_lines = (record_dir / "events.csv").read_text(encoding="utf-8").splitlines()
    assert line == 3
    assert text_lines[line - 1].startswith("zhanaozen-begins,")


# ---------------------------------------------------------------------------
# One bad cell: file, row and column are named, and the message says what to write.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2022-01-32", "07/01/2022", "2022-02-30"])
@pytest.mark.parametrize(
    ("table", "row_id", "column"),
    [("events", "aktau-begins", "date"), ("phases", "rus-deployed", "start")],
)
def test_bad_date(record_dir: Path, table: str, row_id: str, column: str, value: str) -> None:
    """A date that is not a real YYYY-MM-DD day is rejected and the format is shown."""
    line = edit_cell(record_dir, table, row_id, column, value)
    problem = assert_problem(load_error(record_dir), f"{table}.csv", line, column, "YYYY-MM-DD")
    assert value in problem.message


@pytest.mark.parametrize(
    ("table", "row_id", "column", "what"),
    [
        ("events", "zhanaozen-begins", "place_id", "place"),
        ("presence", "rus-airport", "place_id", "place"),
        ("movements", "rus-in-ivanovo", "origin_place_id", "place"),
        ("phases", "rus-deployed", "contingent_id", "contingent"),
    ],
)
def test_unknown_reference(
    record_dir: Path, table: str, row_id: str, column: str, what: str
) -> None:
    """An id that names no place or contingent is rejected, saying which list to add it to."""
    line = edit_cell(record_dir, table, row_id, column, "atlantis")
    problem = assert_problem(load_error(record_dir), f"{table}.csv", line, column, "atlantis")
    assert f"not a known {what}" in problem.message
    assert f"add it to {what}s" in problem.message


@pytest.mark.parametrize(
    ("table", "row_id", "column"),
    [("emergencies", "soe-mangystau", "region_id"), ("places", "aktau", "region_id")],
)
def test_unknown_region(record_dir: Path, table: str, row_id: str, column: str) -> None:
    """A region id missing from the boundary file says that file is where to add it."""
    line = edit_cell(record_dir, table, row_id, column, "atlantis")
    problem = assert_problem(load_error(record_dir), f"{table}.csv", line, column, "atlantis")
    assert "add it to the regions boundary file or fix the id" in problem.message


@pytest.mark.parametrize(
    ("column", "value", "word"),
    [
        ("lat", "91", "latitude between -90 and 90"),
        ("lon", "-181", "longitude between -180 and 180"),
        ("lat", "north", "latitude"),
    ],
)
def test_coordinate_out_of_range(record_dir: Path, column: str, value: str, word: str) -> None:
    """A latitude or longitude that is not a number in range is rejected with the range."""
    line = edit_cell(record_dir, "places", "almaty-airport", column, value)
    assert_problem(load_error(record_dir), "places.csv", line, column, word)


@pytest.mark.parametrize("value", ["-5", "many"])
def test_bad_troop_count(record_dir: Path, value: str) -> None:
    """A troop count must be a whole number of 0 or more."""
    line = edit_cell(record_dir, "contingents", "blr", "troops_best", value)
    assert_problem(load_error(record_dir), "contingents.csv", line, "troops_best", "whole number")


@pytest.mark.parametrize(
    ("table", "row_id", "column", "value"),
    [
        ("presence", "rus-airport", "end", "2022-01-05"),
        ("emergencies", "soe-mangystau", "lifted_date", "2022-01-04"),
    ],
)
def test_interval_ending_before_it_starts(
    record_dir: Path, table: str, row_id: str, column: str, value: str
) -> None:
    """An interval whose end comes before its start is rejected at its end column."""
    line = edit_cell(record_dir, table, row_id, column, value)
    assert_problem(
        load_error(record_dir), f"{table}.csv", line, column, "cannot end before it starts"
    )


@pytest.mark.parametrize(
    "value", ["", "javascript:alert(1)", "ftp://x", "https://ok.example/a javascript:alert(1)"]
)
def test_bad_sources(record_dir: Path, value: str) -> None:
    """Every row must cite at least one source, and every source must be an http(s) URL."""
    line = edit_cell(record_dir, "events", "aktau-begins", "sources", value)
    assert_problem(load_error(record_dir), "events.csv", line, "sources", "http(s)://")


def test_bad_confidence(record_dir: Path) -> None:
    """Confidence must be one of the three levels, which the message lists."""
    line = edit_cell(record_dir, "unrest", "aktau-protest", "confidence", "certain")
    assert_problem(load_error(record_dir), "unrest.csv", line, "confidence", "high, medium, low")


def test_event_outside_the_period(record_dir: Path) -> None:
    """An event dated before the record's period is rejected, naming the period to use."""
    line = edit_cell(record_dir, "events", "lpg-price", "date", "2021-12-31")
    problem = assert_problem(load_error(record_dir), "events.csv", line, "date", "outside")
    assert "2022-01-01 to 2022-01-20" in problem.message


# ---------------------------------------------------------------------------
# Places: where a place is must agree with how precisely it is located.
# ---------------------------------------------------------------------------


def test_unlocated_place_with_coordinates(record_dir: Path) -> None:
    """A place marked 'unlocated' may not carry coordinates."""
    edit_cell(record_dir, "places", "druzhba-water-intake", "lat", "43.25")
    line = edit_cell(record_dir, "places", "druzhba-water-intake", "lon", "76.95")
    assert_problem(load_error(record_dir), "places.csv", line, "location_precision", "approximate")


def test_located_place_without_coordinates_or_geonames_id(record_dir: Path) -> None:
    """A located place needs lat/lon or a GeoNames id; the message offers all three fixes."""
    edit_cell(record_dir, "places", "republic-square", "lat", "")
    line = edit_cell(record_dir, "places", "republic-square", "lon", "")
    problem = assert_problem(load_error(record_dir), "places.csv", line, "lat", "geonames_id")
    assert "unlocated" in problem.message


def test_place_with_only_one_coordinate(record_dir: Path) -> None:
    """A latitude without a longitude is rejected at the empty one."""
    line = edit_cell(record_dir, "places", "republic-square", "lon", "")
    assert_problem(load_error(record_dir), "places.csv", line, "lon", "both lat and lon")


def test_blank_line_keeps_later_row_numbers(record_dir: Path) -> None:
    """A blank line is skipped, but rows after it keep the line numbers a spreadsheet shows."""
    line = edit_cell(record_dir, "events", "zhanaozen-begins", "date", "2022-13-02")
    csv_file = record_dir / "events.csv"
    lines = csv_file.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(line - 1, "\n")
    csv_file.write_text("".join(lines), encoding="utf-8")
    error = load_error(record_dir)
    assert_problem(error, "events.csv", line + 1, "date", "YYYY-MM-DD")
    assert len(error.problems) == 1


def test_duplicate_id(record_dir: Path) -> None:
    """A row repeating another row's id is rejected at the repeated row."""
    rows = read_rows(record_dir, "places")
    rows.append(list(rows[3]))
    write_rows(record_dir, "places", rows)
    problem = assert_problem(load_error(record_dir), "places.csv", len(rows), "id", "unique")
    assert rows[3][0] in problem.message


# ---------------------------------------------------------------------------
# Whole files and columns.
# ---------------------------------------------------------------------------


def test_missing_required_column(record_dir: Path) -> None:
    """A table without a required column names the column and the header row."""
    rows = read_rows(record_dir, "unrest")
    drop = rows[0].index("confidence")
    write_rows(record_dir, "unrest", [row[:drop] + row[drop + 1 :] for row in rows])
    assert_problem(load_error(record_dir), "unrest.csv", 1, "confidence", "header row; add it")


def test_missing_table_file(record_dir: Path) -> None:
    """A missing table file is named, with the hint that a header row alone is enough."""
    (record_dir / "figures.csv").unlink()
    assert_problem(load_error(record_dir), "figures.csv", None, None, "is missing")


def test_empty_table_file(record_dir: Path) -> None:
    """A zero-byte table is rejected as empty, asking for at least the header row."""
    (record_dir / "events.csv").write_bytes(b"")
    assert_problem(load_error(record_dir), "events.csv", None, None, "header row")


def test_table_not_in_utf8(record_dir: Path) -> None:
    """A table saved in a legacy encoding is rejected at the first undecodable row."""
    rows = read_rows(record_dir, "places")
    line = next(i for i, row in enumerate(rows) if row[0] == "almaty") + 1
    rows[line - 1][rows[0].index("name")] = "Алматы"
    write_rows(record_dir, "places", rows, encoding="cp1251")
    assert_problem(load_error(record_dir), "places.csv", line, None, "save the file as UTF-8")


def test_broken_record_toml(record_dir: Path) -> None:
    """A record.toml that is not TOML is rejected, and the message points at the bad line."""
    toml = record_dir / "record.toml"
    lines = toml.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "title is not = toml")
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problem = assert_problem(load_error(record_dir), "record.toml", None, None, "TOML")
    assert "line 3" in problem.message


# ---------------------------------------------------------------------------
# Every problem at once.
# ---------------------------------------------------------------------------


def test_cell_defects_in_several_files_are_all_reported(record_dir: Path) -> None:
    """Bad cells and a missing file are all listed in problems and in str(error), not only the first."""
    edits = [
        ("events", "aktau-begins", "date", "2022-01-32"),
        ("events", "lpg-price", "sources", "ftp://x"),
        ("places", "almaty-airport", "lat", "91"),
        ("contingents", "blr", "troops_best", "many"),
        ("unrest", "aktau-protest", "confidence", "certain"),
    ]
    expected = {
        (f"{table}.csv", edit_cell(record_dir, table, row_id, column, value), column)
        for table, row_id, column, value in edits
    }
    (record_dir / "figures.csv").unlink()
    expected.add(("figures.csv", None, None))
    error = load_error(record_dir)
    assert len(error.problems) == len(expected)
    assert {(p.file, p.row, p.column) for p in error.problems} == expected
    for problem in error.problems:
        assert str(problem) in str(error)
    assert str(error).startswith(f"The record has {len(expected)} problems:")


def test_cross_table_defects_in_several_files_are_all_reported(record_dir: Path) -> None:
    """Broken references, backwards intervals and out-of-period dates are all listed together."""
    expected = {
        (
            "presence.csv",
            edit_cell(record_dir, "presence", "rus-airport", "place_id", "atlantis"),
            "place_id",
        ),
        (
            "emergencies.csv",
            edit_cell(record_dir, "emergencies", "soe-mangystau", "lifted_date", "2022-01-04"),
            "lifted_date",
        ),
        ("events.csv", edit_cell(record_dir, "events", "lpg-price", "date", "2021-12-31"), "date"),
    }
    error = load_error(record_dir)
    assert {(p.file, p.row, p.column) for p in error.problems} == expected
    for problem in error.problems:
        assert str(problem) in str(error)


def test_cell_and_cross_table_defects_are_reported_together(record_dir: Path) -> None:
    """A bad cell in one table does not hide a broken reference in another."""
    bad_date = edit_cell(record_dir, "events", "lpg-price", "date", "2022-01-32")
    unknown = edit_cell(record_dir, "presence", "rus-airport", "place_id", "atlantis")
    error = load_error(record_dir)
    assert_problem(error, "events.csv", bad_date, "date", "YYYY-MM-DD")
    assert_problem(error, "presence.csv", unknown, "place_id", "not a known place")


# ---------------------------------------------------------------------------
# Command line.
# ---------------------------------------------------------------------------


def test_cli_validate_fails_and_lists_problems(
    record_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate` on a broken record exits 1 and prints every problem to stderr."""
    date_line = edit_cell(record_dir, "events", "aktau-begins", "date", "07/01/2022")
    lat_line = edit_cell(record_dir, "places", "almaty-airport", "lat", "91")
    assert main(["--data", str(record_dir), "validate"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"events.csv, row {date_line}, column 'date'" in captured.err
    assert f"places.csv, row {lat_line}, column 'lat'" in captured.err


def test_cli_validate_passes_the_bundled_record(capsys: pytest.CaptureFixture[str]) -> None:
    """`validate` on the bundled record exits 0 and prints a summary."""
    assert main(["--data", str(geodata.bundled_record_path()), "validate"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("OK: ")
    assert captured.err == ""


def test_cli_export_writes_a_sound_record(record_dir: Path, tmp_path: Path) -> None:
    """`export` on a sound copy writes the GeoJSON file (the control for the next test)."""
    out = tmp_path / "day.geojson"
    assert main(["--data", str(record_dir), "export", "--date", "2022-01-10", "-o", str(out)]) == 0
    assert json.loads(out.read_bytes())["type"] == "FeatureCollection"


def test_cli_export_refuses_a_broken_record(
    record_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`export` on a broken record exits non-zero and writes no file, not even a partial one."""
    line = edit_cell(record_dir, "contingents", "blr", "troops_best", "-5")
    out = tmp_path / "day.geojson"
    assert main(["--data", str(record_dir), "export", "--date", "2022-01-10", "-o", str(out)]) != 0
    assert not out.exists()
    assert not list(tmp_path.glob("*.part"))
    assert f"contingents.csv, row {line}, column 'troops_best'" in capsys.readouterr().err


def test_a_second_emergency_for_one_region_is_refused(record_dir: Path) -> None:
    """Two state-of-emergency rows for one region would silently hide one: they are refused."""
    rows = read_rows(record_dir, "emergencies")
    copy = list(rows[1])
    copy[0] = "soe-mangystau-again"
    rows.append(copy)
    write_rows(record_dir, "emergencies", rows)
    assert_problem(load_error(record_dir), "emergencies.csv", len(rows), "region_id", "merge")
