"""The Streamlit cache boundary: the record is loaded once per folder and file change."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import geodata


def _stamp(folder: Path) -> tuple[tuple[str, float], ...]:
    """Names and modification times of the record's files: a new stamp reloads the record."""
    return tuple(
        sorted((path.name, path.stat().st_mtime) for path in folder.iterdir() if path.is_file())
    )


@st.cache_resource(show_spinner="Loading the record…", max_entries=8)
def _load(
    folder: str,
    stamp: tuple[tuple[str, float], ...],  # noqa: ARG001 - part of the cache key: changed files reload
    confined_to: str | None,
) -> geodata.Record:
    # cache_resource, not cache_data: a Record is immutable and large; copying it per run would waste time.
    return geodata.load_record(folder, confined_to=confined_to)


def load_record(folder: str | None, *, confined_to: str | None = None) -> geodata.Record:
    """The record in ``folder`` (the bundled one when ``None``), loaded once while its files are unchanged.

    Failures are not cached (Streamlit does not cache exceptions), so a fixed record loads on the next run.
    """
    path = Path(folder) if folder else geodata.bundled_record_path()
    return _load(str(path.resolve()), _stamp(path) if path.is_dir() else (), confined_to)
