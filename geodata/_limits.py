"""Budgets for a record from a stranger: every size a load may reach is bounded here, and only here.

Each limit is far above what a hand-made record needs (the bundled record uses about 1 % of each)
and far below what would let one upload take the server's memory, CPU or disk. ``docs/security.md``
gives the reason for each number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "MAX_ARCHIVE_BYTES",
    "MAX_BOUNDARY_BYTES",
    "MAX_BOUNDARY_FEATURES",
    "MAX_BOUNDARY_VERTICES",
    "MAX_CELL_CHARS",
    "MAX_GAZETTEER_BYTES",
    "MAX_MEMBERS",
    "MAX_MEMBER_DEPTH",
    "MAX_PERIOD_DAYS",
    "MAX_REPORTED_PROBLEMS",
    "MAX_TABLE_BYTES",
    "MAX_TABLE_COLUMNS",
    "MAX_TABLE_ROWS",
    "MAX_TOML_BYTES",
    "MAX_TOTAL_ROWS",
    "MAX_UNPACKED_BYTES",
    "read_at_most",
]

# An uploaded .zip, and what it may unpack to (tables, record.toml, two boundary files, notes).
MAX_ARCHIVE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 48 * 1024 * 1024
MAX_MEMBERS = 64
# record/boundaries/file.geojson is three deep; a deeper path is a mistake or an attack.
MAX_MEMBER_DEPTH = 8

# record.toml holds a few keys; the bundled one is about 1 KB.
MAX_TOML_BYTES = 64 * 1024
# One CSV table: the bundled tables have at most 90 rows and 20 KB.
MAX_TABLE_BYTES = 4 * 1024 * 1024
MAX_TABLE_ROWS = 5_000
# All tables together: every row becomes map features on each of the period's days.
MAX_TOTAL_ROWS = 20_000
# The date slider has one step a day; 1,000 days is almost three years.
MAX_PERIOD_DAYS = 1_000

# One boundary GeoJSON file (the bundled countries file is 0.33 MB), and the vertices of all of
# them together (the bundled files have 28,000): each vertex costs memory in every loaded record.
MAX_BOUNDARY_BYTES = 10 * 1024 * 1024
MAX_BOUNDARY_VERTICES = 500_000
# Features per boundary file: the world has about 250 countries; a country a few hundred regions.
MAX_BOUNDARY_FEATURES = 1_000
# Columns per table (the widest has 16) and characters per cell (a long note is about 1,000).
MAX_TABLE_COLUMNS = 64
MAX_CELL_CHARS = 10_000
# The GeoNames extract (lat/lon per id): the bundled one is 1.5 KB.
MAX_GAZETTEER_BYTES = 4 * 1024 * 1024

# A list of problems longer than this is not read; the first ones are what to fix first.
MAX_REPORTED_PROBLEMS = 200


def read_at_most(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``, or ``None`` when it holds more than ``limit``.

    Reads at most ``limit + 1`` bytes whatever ``stat()`` said, so a file that grows (or is not a
    regular file) cannot make a read unbounded.
    """
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data
