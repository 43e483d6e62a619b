"""A corpus of broken records: each case breaks one thing and must be reported at its file, row and column.

``tests/corpus/base/`` is a tiny valid record. Each ``tests/corpus/cases/<NN-name>/`` holds only the
files that differ from it, plus ``expect.toml``:

- ``file``, ``row`` (omitted: the whole file), ``column`` (omitted: no column) — where the problem is;
- ``word`` — a word the message must contain, saying what to fix;
- ``delete`` (optional) — base files the case removes;
- ``generate = "oversize"`` (optional) — a table too big to commit, written by the test instead;
- ``defect`` — what the case breaks, in words.
"""

from __future__ import annotations

import csv
import shutil
import tomllib
from pathlib import Path

import pytest

import geodata
from geodata.__main__ import main
from geodata._limits import MAX_TABLE_BYTES
from geodata._schemas import OPTIONAL_TABLES, SCHEMAS

CORPUS = Path(__file__).parent / "corpus"
BASE = CORPUS / "base"
CASES = sorted(path for path in (CORPUS / "cases").iterdir() if path.is_dir())
TEMPLATE = Path(__file__).parent.parent / "record-template"
# A day inside the base record's period.
DAY = "2022-01-08"


def expectation(case: Path) -> dict:
    with (case / "expect.toml").open("rb") as handle:
        return tomllib.load(handle)


def case_named(name: str) -> Path:
    """The case folder whose name, after its number, is ``name``."""
    (found,) = [case for case in CASES if case.name.split("-", 1)[1] == name]
    return found


def build(into: Path, *cases: Path) -> Path:
    """A copy of the base record with each case's files laid over it."""
    folder = into / "record"
    shutil.copytree(BASE, folder)
    for case in cases:
        expect = expectation(case)
        for source in case.iterdir():
            if source.name != "expect.toml":
                shutil.copy(source, folder / source.name)
        for name in expect.get("delete", []):
            (folder / name).unlink()
        if expect.get("generate") == "oversize":
            # Sparse: the header, then a hole up to just over the limit, so nothing big is written.
            target = folder / expect["file"]
            with target.open("r+b") as handle:
                handle.truncate(MAX_TABLE_BYTES + 2**20)
    return folder


def load_error(folder: Path) -> geodata.RecordError:
    with pytest.raises(geodata.RecordError) as caught:
        geodata.load_record(folder)
    return caught.value


def assert_reported(error: geodata.RecordError, expect: dict) -> geodata.Problem:
    """The problem at exactly the expected (file, row, column) whose message has the expected word."""
    where = (expect["file"], expect.get("row"), expect.get("column"))
    here = [p for p in error.problems if (p.file, p.row, p.column) == where]
    assert here, f"nothing reported at {where}; got:\n{error}"
    matching = [p for p in here if expect["word"].lower() in p.message.lower()]
    assert matching, f"no message at {where} mentions {expect['word']!r}; got:\n{error}"
    return matching[0]


# ---------------------------------------------------------------------------
# The starting points are sound.
# ---------------------------------------------------------------------------


def test_base_loads() -> None:
    """The base record loads, so every failure below comes from its case's one defect."""
    record = geodata.load_record(BASE)
    assert all(len(record.table(name)) > 0 for name in SCHEMAS if name not in OPTIONAL_TABLES)
    assert record.places.loc["almaty", "geonames_id"]
    assert record.places.geometry.isna().sum() == 1  # the one unlocated place


def test_base_exports(tmp_path: Path) -> None:
    """`export` on the base writes its file (the control for the refusals below)."""
    out = tmp_path / "day.geojson"
    assert main(["--data", str(build(tmp_path)), "export", "--date", DAY, "-o", str(out)]) == 0
    assert out.stat().st_size > 0


def test_record_template_loads() -> None:
    """The empty template loads, and its tables have exactly the schema's columns, in order."""
    record = geodata.load_record(TEMPLATE)
    for name, schema in SCHEMAS.items():
        with (TEMPLATE / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            assert list(csv.reader(handle)) == [list(schema.columns)], name
        assert len(record.table(name)) == 0


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({case.name.split("-", 1)[1] for case in CASES}) == len(CASES)


# ---------------------------------------------------------------------------
# Every case is rejected at the right place, with a message that says what to fix.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_is_reported(case: Path, tmp_path: Path) -> None:
    expect = expectation(case)
    error = load_error(build(tmp_path, case))
    assert_reported(error, expect)
    # One defect: nothing is reported in any other file.
    assert {p.file for p in error.problems} == {expect["file"]}, str(error)
    assert str(error).startswith("The record has ")


def test_three_cases_at_once_are_all_reported(tmp_path: Path) -> None:
    """Defects in three files are listed together, none hiding another."""
    cases = [case_named(name) for name in ("malformed-date", "unknown-place", "negative-troops")]
    expects = [expectation(case) for case in cases]
    assert len({expect["file"] for expect in expects}) == 3
    error = load_error(build(tmp_path, *cases))
    for expect in expects:
        assert str(assert_reported(error, expect)) in str(error)
    assert len(error.problems) == 3


@pytest.mark.parametrize(
    "name",
    [
        "malformed-date",
        "unknown-place",
        "swapped-coordinates",
        "broken-toml",
        "invalid-geometry",
        "cp1251-encoding",
        "unclosed-quote",
        "huge-file",
    ],
)
def test_export_refuses_a_broken_record(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`export` exits non-zero, names the problem on stderr, and leaves no file behind."""
    case = case_named(name)
    expect = expectation(case)
    folder = build(tmp_path, case)
    out = tmp_path / "out" / "day.geojson"
    out.parent.mkdir()
    assert main(["--data", str(folder), "export", "--date", DAY, "-o", str(out)]) != 0
    assert not out.exists()
    assert not list(out.parent.iterdir())
    assert expect["file"] in capsys.readouterr().err
