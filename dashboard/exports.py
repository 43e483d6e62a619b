"""Downloads: links to the app's own export route, made when fetched and streamed, never stored.

Nothing is written to disk and nothing is held per session: ``dashboard/server.py`` answers
``/kz/export/<token>/<file name>?date=…&layers=…`` (or ``?all=1``) by streaming the same bytes as
the CLI's export. The token names a loaded record and is unguessable, so an upload's exports reach
only the session that holds it. (Streamlit's own download files live in a per-session memory store;
under many sessions at once some were gone before the browser fetched them.)
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import geodata
from dashboard import cache

__all__ = [
    "EXPORT_ROUTE",
    "ExportFile",
    "day_file",
    "loaded_record",
    "page_file",
    "record_token",
    "requested",
    "story_file",
    "timeline_file",
]

EXPORT_ROUTE = "/kz/export"

_LOCK = threading.Lock()
# Tokens of the records pages have shown; a record dropped from the cache takes its token with it.
_BY_TOKEN: weakref.WeakValueDictionary[str, geodata.Record] = weakref.WeakValueDictionary()
_TOKEN_OF: weakref.WeakKeyDictionary[geodata.Record, str] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class ExportFile:
    """A download: its file name, the URL the app serves it at, and its size in bytes."""

    name: str
    url: str
    size: int


# Sizes of the files a record's pages have offered, so that a button can say how big its file is.
_SIZES: weakref.WeakKeyDictionary[geodata.Record, dict[tuple[object, ...], int]] = (
    weakref.WeakKeyDictionary()
)


# Sizes being measured now, each by one thread.
_MEASURING = cache.OneMakerPerKey()


def _size(record: geodata.Record, key: tuple[object, ...], make: Callable[[], bytes]) -> int:
    with _LOCK:
        known = _SIZES.setdefault(record, {})
        if key in known:
            return known[key]
    # Outside the shared lock (the published page takes most of a second), but once per file: a
    # page asking while the server's warm-up makes it waits for that size.
    with _MEASURING.making((id(record), key)):
        with _LOCK:
            size = known.get(key)
        if size is None:
            size = len(make())
            with _LOCK:
                known[key] = size
    return size


def record_token(record: geodata.Record) -> str:
    """The unguessable name of ``record`` in the app's URLs, for as long as it stays loaded."""
    with _LOCK:
        token = _TOKEN_OF.get(record)
        if token is None:
            token = secrets.token_urlsafe(18)
            _TOKEN_OF[record] = token
            _BY_TOKEN[token] = record
        return token


def loaded_record(token: str) -> geodata.Record | None:
    """The record a page was given ``token`` for, if it is still loaded."""
    with _LOCK:
        return _BY_TOKEN.get(token)


def _day_name(record: geodata.Record, day: dt.date, layers: tuple[str, ...]) -> str:
    chosen = "all-layers" if set(layers) == set(geodata.LAYERS) else "-".join(layers)
    return f"{record.meta.slug}_{day.isoformat()}_{chosen}.geojson"


def _story_name(record: geodata.Record, day: dt.date) -> str:
    return f"{record.meta.slug}_{day.isoformat()}_events-and-figures.csv"


def _page_name(record: geodata.Record) -> str:
    return f"{record.meta.slug}_story.html"


def _page_bytes(record: geodata.Record) -> bytes:
    from dashboard.publish import story_html  # it draws with the map's builders

    return story_html(record).encode("utf-8")


def _timeline_name(record: geodata.Record) -> str:
    meta = record.meta
    return f"{meta.slug}_{meta.period_start}_{meta.period_end}_timeline.geojson"


def day_file(record: geodata.Record, day: dt.date, layers: tuple[str, ...]) -> ExportFile:
    """The day's GeoJSON for ``layers``: ``python -m geodata export --date D --layers …``."""
    name = _day_name(record, day, layers)
    query = urlencode({"date": day.isoformat(), "layers": ",".join(layers)}, safe=",")
    size = _size(
        record, (day, layers), lambda: geodata.feature_collection_bytes(record, day, layers)
    )
    return ExportFile(name, f"{EXPORT_ROUTE}/{record_token(record)}/{name}?{query}", size)


def timeline_file(record: geodata.Record) -> ExportFile:
    """The whole timeline's GeoJSON: ``python -m geodata export --all``."""
    name = _timeline_name(record)
    size = _size(record, ("all",), lambda: geodata.timeline_bytes(record))
    return ExportFile(name, f"{EXPORT_ROUTE}/{record_token(record)}/{name}?all=1", size)


def page_file(record: geodata.Record) -> ExportFile:
    """The whole story as one HTML file that works offline: ``python -m dashboard.publish``."""
    name = _page_name(record)
    size = _size(record, ("page",), lambda: _page_bytes(record))
    return ExportFile(name, f"{EXPORT_ROUTE}/{record_token(record)}/{name}?page=1", size)


def story_file(record: geodata.Record, day: dt.date) -> ExportFile:
    """The day's events and the figures reported so far, as CSV for spreadsheet apps."""
    name = _story_name(record, day)
    query = urlencode({"date": day.isoformat(), "story": "1"})
    size = _size(
        record, (day, "story"), lambda: geodata.story_csv_bytes(cache.snapshot(record, day))
    )
    return ExportFile(name, f"{EXPORT_ROUTE}/{record_token(record)}/{name}?{query}", size)


def _page_chunks(record: geodata.Record) -> Iterator[bytes]:
    """Made when the server reads it, in its worker thread like the other exports."""
    yield _page_bytes(record)


def _story_chunks(record: geodata.Record, day: dt.date) -> Iterator[bytes]:
    """Made when the server reads it, in its worker thread like the GeoJSON exports."""
    yield geodata.story_csv_bytes(cache.snapshot(record, day))


def requested(token: str, name: str, query: Mapping[str, str]) -> Iterator[bytes] | None:
    """The bytes of the export a URL asks for, in pieces; ``None`` unless it is one this app made.

    Everything in the URL is checked: the token must name a record still loaded, the date must lie
    in its period, the layers must be known, and the file name must be the one the page gave.
    """
    record = loaded_record(token)
    if record is None or len(name) > 200:
        return None
    if query.get("all") == "1":
        return geodata.timeline_chunks(record) if name == _timeline_name(record) else None
    if query.get("page") == "1":
        return _page_chunks(record) if name == _page_name(record) else None
    try:
        day = dt.date.fromisoformat(query.get("date", "")[:10])
    except ValueError:
        return None
    if not record.meta.period_start <= day <= record.meta.period_end:
        return None
    if query.get("story") == "1":
        return _story_chunks(record, day) if name == _story_name(record, day) else None
    try:
        layers = geodata.checked_layers(query.get("layers", "")[:200].split(","))
    except ValueError:
        return None
    if name != _day_name(record, day, layers):
        return None
    return geodata.feature_collection_chunks(record, day, layers)
