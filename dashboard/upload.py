"""Bring your own record: a zipped record uploaded at the foot of the page, shown to this browser session only.

An upload is unpacked into a new private folder named by an unguessable token and checked there;
a refused upload leaves nothing behind. An accepted one stays while it is used, within the upload
store's size and age budget (``dashboard/store.py``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

import geodata
from dashboard import cache
from dashboard.assets import write_map_files
from dashboard.store import UPLOAD_MAX_AGE, UnsafeFolderError, upload_store

UPLOAD_TOKEN = "upload_token"
UPLOADED_DIR = "uploaded_record_dir"
UPLOAD_PROBLEMS = "upload_problems"
# The uploader's key changes after each upload, which drops the file Streamlit holds in memory.
UPLOADER_ROUND = "uploader_round"
_LOG = logging.getLogger(__name__)


def current_record(default: str | None) -> geodata.Record:
    """The record this session shows: its upload if it still has one, else the one in ``default``."""
    token = st.session_state.get(UPLOAD_TOKEN)
    folder = upload_store().folder(token) if token else None
    if token and folder is None:
        _forget()
        st.warning(
            "Your uploaded record was removed from the server after a long time unused; the "
            "bundled record is shown. Upload it again to see it."
        )
    if folder is not None:
        upload_store().touch(folder)
        return cache.load_record(st.session_state[UPLOADED_DIR], confined_to=str(folder))
    return cache.load_record(default)


def upload_controls() -> None:
    """The upload box (folded, at the foot of the page); a failed upload leaves the current record on screen."""
    problems = st.session_state.get(UPLOAD_PROBLEMS)
    with st.expander("Bring your own record", expanded=bool(problems)):
        st.caption(
            f"A .zip of a record folder (record.toml and its CSV tables), at most "
            f"{geodata.MAX_ARCHIVE_BYTES // 2**20} MB. It is shown to you only, until you close "
            f"the page, and deleted from the server after {UPLOAD_MAX_AGE // 3600} hours unused."
        )
        round_ = st.session_state.setdefault(UPLOADER_ROUND, 0)
        upload = st.file_uploader(
            "Upload a record (.zip)",
            type=["zip"],
            key=f"record_upload_{round_}",
            max_upload_size=geodata.MAX_ARCHIVE_BYTES // 2**20,
        )
        if upload is not None:
            st.session_state[UPLOADER_ROUND] = round_ + 1
            _accept(upload.getvalue(), upload.name[:100])
            st.rerun()
        if problems:
            st.error(
                "That record was not loaded; the map still shows the previous one. Fix these problems:"
            )
            st.code(problems, language=None)
        if st.session_state.get(UPLOAD_TOKEN):
            st.button("Show the bundled record again", key="forget_upload", on_click=_forget)


def _accept(data: bytes, name: str) -> None:
    """Keep an upload that loads; otherwise show its problems and keep nothing of it."""
    try:
        folder, record_dir = checked_upload(data, name)
    except geodata.RecordError as error:
        st.session_state[UPLOAD_PROBLEMS] = str(error)
        return
    except (OSError, UnsafeFolderError) as error:
        _LOG.error("Upload %r not stored: %r", name, error)
        st.session_state[UPLOAD_PROBLEMS] = "Uploads are not available on this server right now."
        return
    _forget()  # the previous upload of this session, if any, is no longer needed
    st.session_state[UPLOAD_TOKEN] = folder.name
    st.session_state[UPLOADED_DIR] = str(record_dir)


def checked_upload(data: bytes, name: str) -> tuple[Path, Path]:
    """Unpack ``data`` into a new private folder and load it; return the folder and the record's.

    Raises
    ------
    geodata.RecordError
        If the archive or the record has problems (or cannot be read at all); the folder and
        everything unpacked into it are removed first.
    """
    store = upload_store()
    store.sweep()
    folder = store.new_folder()
    try:
        record_dir = geodata.unpack_record_archive(data, folder / "record", name=name)
        with st.spinner("Checking the record…"):
            record = geodata.load_record(record_dir, confined_to=folder)
        _prune(folder, record)
        write_map_files(record, folder)
        cache.keep(str(record_dir), record, confined_to=str(folder))
    except geodata.RecordError:
        store.remove(folder)
        raise
    except (OSError, RecursionError, MemoryError, ValueError) as error:
        store.remove(folder)
        _LOG.warning("Upload %r refused: %r", name, error)
        raise geodata.RecordError(
            [
                geodata.Problem(
                    name,
                    None,
                    None,
                    f"could not be read ({type(error).__name__}); check that it is a zipped record "
                    "folder made as docs/record-schema.md describes",
                )
            ]
        ) from error
    except BaseException:
        store.remove(folder)
        raise
    return folder, record_dir


def _prune(folder: Path, record: geodata.Record) -> None:
    """Delete what the record does not read (notes, padding): the store keeps only what it needs."""
    used = {record.source_path / "record.toml", *record.boundary_files.values()}
    used |= {record.source_path / f"{name}.csv" for name in record.tables}
    used |= {path.parent / "provenance.toml" for path in record.boundary_files.values()}
    keep = {path.resolve() for path in used}
    for path in sorted(folder.rglob("*"), reverse=True):  # files before their folders
        if path.is_file() and path.resolve() not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _forget() -> None:
    token = st.session_state.get(UPLOAD_TOKEN)
    folder = upload_store().folder(token) if token else None
    if folder is not None:
        upload_store().remove(folder)
    st.session_state[UPLOAD_TOKEN] = None
    st.session_state[UPLOADED_DIR] = None
    st.session_state[UPLOAD_PROBLEMS] = None
