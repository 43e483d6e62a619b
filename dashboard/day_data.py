"""The map's days as JSON files the browser fetches and keeps: the map follows the slider with them.

``/kz/day/<token>/<date>.json?layers=…`` holds what ``map_builders.day_calls`` makes for that day
and those layers. The token names a loaded record (``exports.record_token``), so the URL names one
unchanging file for as long as the server runs: it is served as immutable, the browser fetches each
day once per session, and ``KZ.showDay`` (``static/kz_map.js``) also fetches the days either side
before they are asked for. The server makes each file once for every session that shows the
record, and keeps the most recently used ones within a memory budget.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
import weakref
from collections import OrderedDict
from typing import NamedTuple
from urllib.parse import urlencode

import geodata
from dashboard import cache
from dashboard.exports import loaded_record, record_token
from dashboard.map_builders import day_calls

__all__ = ["DAY_ROUTE", "DayFile", "clear", "day_file", "day_url", "requested"]

DAY_ROUTE = "/kz/day"
# Days kept made, across records and layer choices: the bundled record's 20 days take about 0.7 MB.
MAX_KEPT_BYTES = 64 * 2**20
# Below this a file is sent as it is: compressing it would save less than its headers.
_COMPRESS_FROM = 1024


class DayFile(NamedTuple):
    """One day's map as JSON, and the same bytes gzip-compressed when that is worth it."""

    json: bytes
    gzipped: bytes | None


_Key = tuple[str, dt.date, tuple[str, ...]]
_LOCK = threading.Lock()
_KEPT: OrderedDict[_Key, DayFile] = OrderedDict()
_KEPT_BYTES = {"total": 0}  # of everything in _KEPT
_MAKING = cache.OneMakerPerKey()  # sessions asking for a day being made wait for it
_WATCHED: weakref.WeakSet[geodata.Record] = weakref.WeakSet()


def day_url(record: geodata.Record, day: dt.date, layers: tuple[str, ...]) -> str:
    """Where the browser fetches ``record``'s map of ``day`` for ``layers``."""
    query = urlencode({"layers": ",".join(layers)})
    return f"{DAY_ROUTE}/{record_token(record)}/{day.isoformat()}.json?{query}"


def day_file(record: geodata.Record, day: dt.date, layers: tuple[str, ...]) -> DayFile:
    """The day's map (``{"date", "groups": [{"name", "calls"}]}``), made once and kept."""
    key = (record_token(record), day, layers)
    with _MAKING.making(key):
        with _LOCK:
            kept = _KEPT.get(key)
            if kept is not None:
                _KEPT.move_to_end(key)
                return kept
        made = _made(record, day, layers)
        with _LOCK:
            if record not in _WATCHED:
                # An upload's days go with it: nothing of a record stays once it is let go.
                _WATCHED.add(record)
                weakref.finalize(record, _forget, key[0])
            _KEPT[key] = made
            _KEPT_BYTES["total"] += _size(made)
            while _KEPT_BYTES["total"] > MAX_KEPT_BYTES and len(_KEPT) > 1:
                _KEPT_BYTES["total"] -= _size(_KEPT.popitem(last=False)[1])
    return made


def _made(record: geodata.Record, day: dt.date, layers: tuple[str, ...]) -> DayFile:
    groups = day_calls(cache.snapshot(record, day), layers=layers, force=record.meta.force)
    body = json.dumps(
        {
            "date": day.isoformat(),
            "groups": [{"name": name, "calls": calls} for name, calls in groups],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    return DayFile(body, gzip.compress(body, 6) if len(body) >= _COMPRESS_FROM else None)


def _forget(token: str) -> None:
    with _LOCK:
        for key in [key for key in _KEPT if key[0] == token]:
            _KEPT_BYTES["total"] -= _size(_KEPT.pop(key))


def clear() -> None:
    """Drop every day kept: for benchmarks that time making one."""
    with _LOCK:
        _KEPT.clear()
        _KEPT_BYTES["total"] = 0


def _size(made: DayFile) -> int:
    return len(made.json) + len(made.gzipped or b"")


def requested(
    token: str, name: str, layers: str
) -> tuple[geodata.Record, dt.date, tuple[str, ...]] | None:
    """The record, day and layers a day URL names; ``None`` unless it names one this app serves.

    The token must name a record still loaded, the date lie in its period and the layers be known.
    """
    record = loaded_record(token)
    if record is None or not name.endswith(".json") or len(name) != len("YYYY-MM-DD.json"):
        return None
    try:
        day = dt.date.fromisoformat(name.removesuffix(".json"))
        chosen = geodata.checked_layers(part for part in layers[:200].split(",") if part)
    except ValueError:
        return None
    if not record.meta.period_start <= day <= record.meta.period_end:
        return None
    return record, day, chosen
