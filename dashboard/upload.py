"""Bring your own record: a zipped record uploaded in the sidebar, shown to this browser session only."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import streamlit as st

import geodata
from dashboard import cache

UPLOADED_DIR = "uploaded_record_dir"
UPLOADED_ROOT = "uploaded_record_root"
UPLOAD_DONE = "upload_done"
UPLOAD_PROBLEMS = "upload_problems"
# Unpacked records are kept per content hash, so the same upload is unpacked once per server.
STORE = Path(tempfile.gettempdir()) / "kz-dashboard-records"


def current_record(default: str | None) -> geodata.Record:
    """The record this session shows: its upload if it has one, else the one in ``default``."""
    if folder := st.session_state.get(UPLOADED_DIR):
        return cache.load_record(folder, confined_to=st.session_state[UPLOADED_ROOT])
    return cache.load_record(default)


def upload_controls() -> None:
    """The sidebar's upload box; a failed upload leaves the current record on screen and working."""
    with st.sidebar.expander(
        "Bring your own record", expanded=bool(st.session_state.get(UPLOAD_PROBLEMS))
    ):
        st.caption(
            f"A .zip of a record folder (record.toml and its CSV tables), at most "
            f"{geodata.MAX_ARCHIVE_BYTES // 2**20} MB. It is shown to you only, until you close the page."
        )
        upload = st.file_uploader("Upload a record (.zip)", type=["zip"], key="record_upload")
        if upload is not None and st.session_state.get(UPLOAD_DONE) != upload.file_id:
            st.session_state[UPLOAD_DONE] = upload.file_id
            _accept(upload.getvalue(), upload.name)
        if problems := st.session_state.get(UPLOAD_PROBLEMS):
            st.error(
                "That record was not loaded; the map still shows the previous one. Fix these problems:"
            )
            st.code(problems, language=None)
        if st.session_state.get(UPLOADED_DIR):
            st.button("Show the bundled record again", key="forget_upload", on_click=_forget)


def _accept(data: bytes, name: str) -> None:
    digest = hashlib.sha256(data).hexdigest()[:24]
    destination = STORE / digest
    try:
        STORE.mkdir(parents=True, exist_ok=True)
        folder = (
            _record_folder(destination)
            if destination.exists()
            else geodata.unpack_record_archive(data, destination, name=name)
        )
        cache.load_record(str(folder), confined_to=str(destination))
    except geodata.RecordError as error:
        st.session_state[UPLOAD_PROBLEMS] = str(error)
        return
    st.session_state[UPLOAD_PROBLEMS] = None
    st.session_state[UPLOADED_DIR] = str(folder)
    st.session_state[UPLOADED_ROOT] = str(destination)


def _record_folder(unpacked: Path) -> Path:
    return next(unpacked.rglob("record.toml")).parent


def _forget() -> None:
    st.session_state[UPLOADED_DIR] = None
    st.session_state[UPLOAD_PROBLEMS] = None
