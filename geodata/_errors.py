"""Errors that say which file, row and column is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "RecordError"]


@dataclass(frozen=True, order=True)
class Problem:
    """One defect in one cell (or one file) of a record.

    ``row`` is the line number in the file as a spreadsheet shows it (the header is
    line 1), or ``None`` when the problem concerns the whole file or column.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class RecordError(ValueError):
    """A record failed to load; ``problems`` lists every defect found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=_sort_key)
        count = len(self.problems)
        header = f"The record has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *(f"  - {p}" for p in self.problems)]))


def _sort_key(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.row or 0, problem.column or "", problem.message)
