"""The record cache: each record loaded once while its files are unchanged, all within a memory budget."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from pathlib import Path

import streamlit as st

import geodata

__all__ = [
    "MAX_CACHED_BYTES",
    "OneMakerPerKey",
    "RecordCache",
    "keep",
    "load_record",
    "loaded",
    "snapshot",
]

# All cached records together (estimated); the bundled one takes about 2 MB, a record at every
# upload budget about 150 MB. Past it the least recently used record is dropped (and reloaded from
# its files when asked for again).
MAX_CACHED_BYTES = 768 * 1024 * 1024

_Key = tuple[str, tuple[tuple[str, float, int], ...], str | None]


class RecordCache:
    """Loaded records by folder, file stamp and confinement, least recently used dropped first.

    A size-aware replacement for ``st.cache_resource(max_entries=…)``, which counts entries, not
    bytes: eight records of a few hundred megabytes each would all stay in memory.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[_Key, tuple[geodata.Record, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: _Key) -> geodata.Record | None:
        """The record cached under ``key``, now the most recently used; ``None`` if not cached."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: _Key, record: geodata.Record) -> None:
        """Keep ``record``, dropping the least recently used records until all fit the budget."""
        size = record.estimated_bytes()
        with self._lock:
            self._entries[key] = (record, size)
            self._entries.move_to_end(key)
            while self.used() > self.max_bytes and len(self._entries) > 1:
                self._entries.popitem(last=False)

    def used(self) -> int:
        """Estimated bytes of every cached record."""
        return sum(size for _, size in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)


class OneMakerPerKey:
    """While one thread makes what a key names, others asking for the same key wait for it.

    Used as ``with makers.making(key):`` around "look in the cache, else make and keep": the second
    thread then finds what the first made instead of making it again (the record, a download's size).
    """

    def __init__(self) -> None:
        self._locks: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def making(self, key: Hashable) -> Iterator[None]:
        """Hold ``key``'s lock for the block; the lock is dropped once no one makes that key."""
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        try:
            with lock:
                yield
        finally:
            with self._lock:
                self._locks.pop(key, None)


_RECORDS = RecordCache(MAX_CACHED_BYTES)
# Concurrent first pages (or the warm-up) load a record once.
_LOADING = OneMakerPerKey()


def load_record(folder: str | None, *, confined_to: str | None = None) -> geodata.Record:
    """The record in ``folder`` (the bundled one when ``None``), loaded once while its files are unchanged.

    Failures are not cached, so a fixed record loads on the next run.

    Raises
    ------
    geodata.RecordError
        Listing the record's problems.
    """
    with st.spinner("Loading the record…"):
        return loaded(folder, confined_to=confined_to)


def loaded(folder: str | None, *, confined_to: str | None = None) -> geodata.Record:
    """:func:`load_record` without the page's spinner: for the server's warm-up, before any page.

    Pages asking for a record another thread is loading wait for it rather than load it again.
    """
    path = Path(folder) if folder else geodata.bundled_record_path()
    key = (str(path.resolve()), _stamp(path), confined_to)
    with _LOADING.making(key):
        record = _RECORDS.get(key)
        if record is None:
            record = geodata.load_record(path, confined_to=confined_to)
            _RECORDS.put(key, record)
    return record


def keep(folder: str, record: geodata.Record, *, confined_to: str | None = None) -> None:
    """Cache ``record``, just loaded from ``folder`` by the caller, as ``load_record`` would."""
    path = Path(folder)
    _RECORDS.put((str(path.resolve()), _stamp(path), confined_to), record)


def _stamp(folder: Path) -> tuple[tuple[str, float, int], ...]:
    """Names, times and sizes of the record's files: a new stamp reloads the record."""
    if not folder.is_dir():
        return ()
    files = ((path.name, path.stat()) for path in folder.iterdir() if path.is_file())
    return tuple(sorted((name, info.st_mtime, info.st_size) for name, info in files))


# Snapshots are pure functions of (record, day), read-only, and every session of a record asks for
# the same few: each step needs its day's and the day before's. A small record keeps them all.
SNAPSHOTS_KEPT = 64
# Past this (estimated) size a record keeps only the last few: a snapshot grows with the record.
LARGE_RECORD_BYTES = 64 * 1024 * 1024
_SNAPSHOTS: weakref.WeakKeyDictionary[geodata.Record, OrderedDict[dt.date, geodata.Snapshot]] = (
    weakref.WeakKeyDictionary()
)
_SNAPSHOT_LIMITS: weakref.WeakKeyDictionary[geodata.Record, int] = weakref.WeakKeyDictionary()
_SNAPSHOTS_LOCK = threading.Lock()


def snapshot(record: geodata.Record, day: dt.date) -> geodata.Snapshot:
    """``geodata.snapshot(record, day)``, made once for every session while the record is loaded."""
    with _SNAPSHOTS_LOCK:
        kept = _SNAPSHOTS.setdefault(record, OrderedDict())
        found = kept.get(day)
        if found is not None:
            kept.move_to_end(day)
            return found
    made = geodata.snapshot(record, day)
    with _SNAPSHOTS_LOCK:
        if record not in _SNAPSHOT_LIMITS:  # estimating the size takes 20 ms: once per record
            large = record.estimated_bytes() >= LARGE_RECORD_BYTES
            _SNAPSHOT_LIMITS[record] = 4 if large else SNAPSHOTS_KEPT
        limit = _SNAPSHOT_LIMITS[record]
        kept[day] = made
        while len(kept) > limit:
            kept.popitem(last=False)
    return made
