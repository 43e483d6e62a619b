"""Errors that say which file, row and column is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from geodata._limits import MAX_REPORTED_PROBLEMS

__all__ = ["Problem", "ProblemLog", "RecordError"]

# Problems kept in memory while a record loads; past this they are only counted. Record text can be
# quoted in a message, so a line is cut too: a broken 5 MB cell must not become a 5 MB message.
_KEPT_PROBLEMS = 5 * MAX_REPORTED_PROBLEMS
_MAX_LINE = 300


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
        line = f"{where}: {self.message}"
        return line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 1] + "…"


class ProblemLog(list[Problem]):
    """The problems found so far: the first few hundred are kept, the rest only counted.

    A table of a million broken rows must cost a count, not a million messages.
    """

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        super().__init__()
        self.uncounted = 0
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        """Keep ``problem``, or only count it once enough are kept."""
        if len(self) < _KEPT_PROBLEMS:
            super().append(problem)
        else:
            self.uncounted += 1

    def extend(self, problems: Iterable[Problem]) -> None:
        """Append each of ``problems``."""
        for problem in problems:
            self.append(problem)

    @property
    def total(self) -> int:
        """How many problems were found, kept or not."""
        return len(self) + self.uncounted


class RecordError(ValueError):
    """A record failed to load; ``problems`` lists the defects found, the first ones first.

    The message lists at most ``MAX_REPORTED_PROBLEMS`` of them and says how many more there are.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        found = problems if isinstance(problems, ProblemLog) else ProblemLog(problems)
        self.problems = sorted(set(found), key=_sort_key)
        self.total = found.total - (len(found) - len(self.problems))  # duplicates are not counted
        shown = self.problems[:MAX_REPORTED_PROBLEMS]
        count = self.total
        header = f"The record has {count:,} problem{'s' if count != 1 else ''}:"
        lines = [header, *(f"  - {p}" for p in shown)]
        if count > len(shown):
            lines.append(
                f"  … and {count - len(shown):,} more, not listed: fix these and validate again."
            )
        super().__init__("\n".join(lines))


def _sort_key(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.row or 0, problem.column or "", problem.message)
