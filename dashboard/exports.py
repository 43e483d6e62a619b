"""Downloads as files served by the app's own server: written once per record, shared by all sessions.

Streamlit's in-memory download files are tied to a session's script runs; with many people stepping
through days at once, a file could be dropped before the browser fetched it (a 404). A file on disk,
named by its content, is never dropped, costs no memory per session and is served with
``Content-Type: application/geo+json``.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import geodata
from dashboard.assets import served

if TYPE_CHECKING:
    import datetime as dt

STORE = Path(tempfile.gettempdir()) / "kz-dashboard-exports"
# The component file route names the Content-Type from the file name.
mimetypes.add_type(geodata.MEDIA_TYPE, ".geojson")


@functools.lru_cache(maxsize=8)
def _folder(record: geodata.Record) -> Path:
    """One folder per record version, named by its location, version and files' sizes and times."""
    files = sorted(
        (p.name, p.stat().st_size, p.stat().st_mtime_ns)
        for p in record.source_path.iterdir()
        if p.is_file()
    )
    stamp = repr(
        (str(record.source_path.resolve()), record.meta.version, files, geodata.__version__)
    )
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:20]
    folder = STORE / digest
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _written(folder: Path, name: str, build: functools.partial[bytes]) -> Path:
    path = folder / name
    if not path.exists():
        # Write beside the target and rename, so a half-written file is never served.
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as file:
            file.write(build())
        Path(temporary).replace(path)
    return path


def day_export(record: geodata.Record, day: dt.date, layers: tuple[str, ...]) -> tuple[str, str]:
    """URL and file name of the day's GeoJSON for ``layers``: the same bytes as the CLI's export."""
    name = f"{record.meta.slug}_{day.isoformat()}_{'-'.join(layers)}.geojson"
    folder = _folder(record)
    _written(folder, name, functools.partial(geodata.feature_collection_bytes, record, day, layers))
    return f"{served(folder)}/{name}", name


def timeline_export(record: geodata.Record) -> tuple[str, str]:
    """URL and file name of the whole timeline's GeoJSON (``--all``)."""
    meta = record.meta
    name = f"{meta.slug}_{meta.period_start}_{meta.period_end}_timeline.geojson"
    folder = _folder(record)
    _written(folder, name, functools.partial(geodata.timeline_bytes, record))
    return f"{served(folder)}/{name}", name
