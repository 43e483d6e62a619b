"""Read one CSV table of a record: encoding, shape and pandera checks, then typed columns."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pandera.errors

from geodata._errors import Problem
from geodata._limits import (
    MAX_CELL_CHARS,
    MAX_TABLE_BYTES,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
    read_at_most,
)
from geodata._schemas import OPTIONAL_TABLES, SCHEMAS, columns_where

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["line_number", "read_table", "typed_table"]


def read_table(
    file: Path, name: str, problems: list[Problem], notices: list[str] | None = None
) -> pd.DataFrame | None:
    """One table checked against its schema, as text; ``None`` (with its problems added) if it fails.

    A column under its former name is read under its new one, with a notice in ``notices``.
    """
    label = file.name
    if not file.is_file() and name in OPTIONAL_TABLES:
        # A table that only an extra layer reads: a record without it has no such features.
        return pd.DataFrame({column: pd.Series(dtype=str) for column in SCHEMAS[name].columns})
    if not file.is_file():
        problems.append(
            Problem(
                label,
                None,
                None,
                "is missing; every record needs this table (it may have only a header row)",
            )
        )
        return None
    size = file.stat().st_size
    if size > MAX_TABLE_BYTES:
        problems.append(
            Problem(
                label,
                None,
                None,
                f"is {size / 2**20:.1f} MB; a table may be at most {MAX_TABLE_BYTES / 2**20:.0f} MB",
            )
        )
        return None
    raw = read_at_most(file, MAX_TABLE_BYTES)
    if raw is None:
        problems.append(Problem(label, None, None, f"is larger than {MAX_TABLE_BYTES // 2**20} MB"))
        return None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        problems.append(
            Problem(
                label,
                None,
                None,
                "is UTF-16 text (Excel's 'Unicode Text'); save the file as UTF-8 (CSV UTF-8 in Excel)",
            )
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(
            Problem(
                label, line, None, "is not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in Excel)"
            )
        )
        return None
    if not text.strip():
        problems.append(Problem(label, None, None, "is empty; it needs at least the header row"))
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(label, line, None, "contains NUL bytes; it is not a text CSV file"))
        return None
    shape = _shape_problem(text, label)
    if shape is not None:
        problems.append(shape)
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skipinitialspace=False,
            skip_blank_lines=False,
            index_col=False,
        )
    except (pd.errors.ParserError, ValueError) as error:
        problems.append(Problem(label, None, None, f"is not a well-formed CSV file ({error})"))
        return None
    frame.columns = [str(column).strip() for column in frame.columns]
    frame = _renamed(frame, name, label, notices)
    for column in columns_where(SCHEMAS[name], "added_in"):
        if column not in frame:
            frame[column] = ""  # a column added later: older records leave it out
    frame = frame.apply(lambda column: column.str.strip())
    # Blank lines were kept above so that the index still counts lines; drop them only now.
    frame = frame[frame.ne("").any(axis=1)]
    try:
        return SCHEMAS[name].validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        problems.extend(_problems_from(errors.failure_cases, label))
        return None


def _shape_problem(text: str, label: str) -> Problem | None:
    """Too many rows, a row with more cells than the header, or a quote never closed, at its row.

    pandas would otherwise report these without a row, or read a longer first row as an index and
    shift every cell one column to the right.
    """
    if _row_count(text) > MAX_TABLE_ROWS + 1:  # the header is not a row
        return Problem(
            label,
            None,
            None,
            f"has more than {MAX_TABLE_ROWS:,} rows; split the record or leave out rows the map "
            "does not need",
        )
    # First as leniently as pandas reads; then strictly, only to find a quote left open at the end.
    for strict in (False, True):
        reader = csv.reader(io.StringIO(text, newline=""), strict=strict)
        rows_read, width = 0, 0
        try:
            for cells in reader:
                rows_read += 1
                if len(cells) > MAX_TABLE_COLUMNS:
                    return Problem(
                        label,
                        rows_read,
                        None,
                        f"has {len(cells):,} cells; a table has at most {MAX_TABLE_COLUMNS} columns",
                    )
                if any(len(cell) > MAX_CELL_CHARS for cell in cells):
                    return Problem(
                        label,
                        rows_read,
                        None,
                        f"has a cell of more than {MAX_CELL_CHARS:,} characters; shorten it",
                    )
                width = width or len(cells)
                if len(cells) > width:
                    return Problem(
                        label,
                        rows_read,
                        None,
                        f"has {len(cells)} cells but the header row has {width}; a cell that "
                        'contains a comma needs quotes around it (or a quote (") is left open)',
                    )
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                return Problem(
                    label,
                    rows_read + 1,
                    None,
                    f"has a cell of more than {MAX_CELL_CHARS:,} characters; shorten it",
                )
            if strict and "unexpected end of data" in str(error):
                return Problem(
                    label,
                    rows_read + 1,
                    None,
                    'opens a quote (") that is never closed; close it, and write a quote inside '
                    'a cell as ""',
                )
            return None  # other irregularities are left to pandas
    return None


def _renamed(frame: pd.DataFrame, name: str, label: str, notices: list[str] | None) -> pd.DataFrame:
    """Columns still under a former name (e.g. ``in_kazakhstan_from``) renamed, with a notice each."""
    for column, former in columns_where(SCHEMAS[name], "formerly").items():
        if former in frame and column not in frame:
            frame = frame.rename(columns={former: column})
            if notices is not None:
                notices.append(
                    f"{label}: column '{former}' is deprecated; rename it to '{column}' "
                    "(the old name is read until the next release)"
                )
    return frame


def _row_count(text: str) -> int:
    """The number of CSV records in ``text``, counted only as far as needed to compare with the budget.

    Lines are an upper bound; only when there are too many lines are quoted line breaks discounted.
    """
    lines = text.count("\n") + 1
    if lines <= MAX_TABLE_ROWS + 1:
        return lines
    rows = 0
    try:
        for _ in csv.reader(io.StringIO(text, newline="")):
            rows += 1
            if rows > MAX_TABLE_ROWS + 1:
                break
    except csv.Error:
        return lines  # unreadable as CSV: the lines are all there is to go by
    return rows


def _problems_from(failures: pd.DataFrame, label: str) -> Iterable[Problem]:
    for case in failures.itertuples(index=False):
        check = str(case.check)
        column = None if pd.isna(case.column) else str(case.column)
        if check == "column_in_dataframe":
            yield Problem(
                label,
                1,
                str(case.failure_case),
                "required column is missing from the header row; add it",
            )
        elif check.startswith("field_uniqueness") or check == "multiple_fields_uniqueness":
            yield Problem(
                label,
                line_number(case.index),
                "id",
                f"duplicate id {case.failure_case!r}; every id must be unique",
            )
        elif check.startswith("dtype") or check == "column_in_schema":
            yield Problem(label, None, column, f"has an unexpected type ({case.failure_case})")
        else:
            shown = str(case.failure_case)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            yield Problem(label, line_number(case.index), column, f"{check} (found {shown!r})")


def line_number(index: Any) -> int | None:
    """A frame index (0-based, header excluded) as the line a spreadsheet shows."""
    return None if index is None or pd.isna(index) else int(index) + 2


def typed_table(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Turn validated text columns into dates, numbers, booleans and lists, as the schema declares."""
    schema = SCHEMAS[name]
    frame = frame.copy()
    frame["line"] = frame.index + 2
    frame["sources"] = frame["sources"].str.split()
    for column in columns_where(schema, "type", "date"):
        frame[column] = frame[column].map(
            lambda text: dt.date.fromisoformat(text) if text else None
        )
    for column in columns_where(schema, "type", "integer"):
        # Built as objects: a column with a blank cell would otherwise turn 1400 into 1400.0.
        numbers = [int(text.replace(",", "")) if text else None for text in frame[column]]
        frame[column] = pd.Series(numbers, index=frame.index, dtype=object)
    for column in columns_where(schema, "type", "boolean"):
        frame[column] = frame[column] == "true"
    return frame.set_index("id", drop=False)
