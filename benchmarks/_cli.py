"""Command-line pieces the benchmarks share: which record to measure, and which days of it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from benchmarks.synthetic import write_synthetic_record

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

Day = TypeVar("Day")


def add_record_options(parser: argparse.ArgumentParser) -> None:
    """``--data DIR`` or ``--scale N`` (a synthetic record), for the benchmarks' command lines."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data", help="a record folder (default: the bundled record)")
    where.add_argument("--scale", type=int, help="a synthetic record this many times the bundled")


def chosen_record_folder(options: argparse.Namespace, scratch: str) -> str | None:
    """The record the options name: ``--data``, a synthetic record written into ``scratch``, or the bundled one (``None``)."""
    if options.scale and options.scale > 1:
        return str(write_synthetic_record(Path(scratch) / "record", options.scale))
    return options.data


def middle_days(days: Sequence[Day], steps: int) -> list[Day]:
    """``steps + 1`` consecutive days in the middle of ``days`` (all of them if there are fewer).

    >>> middle_days(range(10), 3)
    [3, 4, 5, 6]
    """
    first = max(0, (len(days) - (steps + 1)) // 2)
    return list(days[first : first + steps + 1])
