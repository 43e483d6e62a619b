"""What the download buttons give: each file's name, and a function that makes its bytes when asked.

Nothing is written to disk: a file is made only when its button is pressed, so a slider step costs
no bytes anywhere, and an upload's exports are seen by its session only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geodata

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable


@dataclass(frozen=True)
class ExportFile:
    """A download: its file name and what makes its bytes (the same bytes as the CLI's export)."""

    name: str
    make: Callable[[], bytes]


def day_file(record: geodata.Record, day: dt.date, layers: tuple[str, ...]) -> ExportFile:
    """The day's GeoJSON for ``layers``: ``python -m geodata export --date D --layers …``."""
    return ExportFile(
        f"{record.meta.slug}_{day.isoformat()}_{'-'.join(layers)}.geojson",
        functools.partial(geodata.feature_collection_bytes, record, day, layers),
    )


def timeline_file(record: geodata.Record) -> ExportFile:
    """The whole timeline's GeoJSON: ``python -m geodata export --all``."""
    meta = record.meta
    return ExportFile(
        f"{meta.slug}_{meta.period_start}_{meta.period_end}_timeline.geojson",
        functools.partial(geodata.timeline_bytes, record),
    )
