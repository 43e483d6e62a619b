"""Unpack a record uploaded as a .zip, after checking it cannot escape its folder or fill the disk."""

from __future__ import annotations

import io
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import NoReturn

from geodata._errors import Problem, RecordError
from geodata._limits import MAX_ARCHIVE_BYTES, MAX_MEMBER_DEPTH, MAX_MEMBERS, MAX_UNPACKED_BYTES

__all__ = ["unpack_record_archive"]

ALLOWED_SUFFIXES = frozenset({".csv", ".toml", ".geojson", ".json", ".md", ".txt"})
# Folders and files that archiving tools add on their own; they are skipped, not refused.
_TOOL_LITTER = ("__MACOSX/", ".DS_Store", "Thumbs.db")
_CHUNK = 1024 * 1024


def unpack_record_archive(data: bytes, destination: Path, *, name: str = "upload.zip") -> Path:
    """Check a zipped record, unpack it into ``destination`` (which must not exist) and return its folder.

    Everything is checked before anything is written: the archive's size, the number of files, their
    total unpacked size, that every path stays inside the archive's folder (no absolute paths, no
    ``..``, no links), and that there is one ``record.toml``. Unpacking then counts the bytes really
    written, so an archive that lies about its sizes is stopped too.

    Raises
    ------
    RecordError
        Naming the archive and what to fix; nothing is left in ``destination``.
    """
    members = _checked_members(data, name)
    roots = {
        PurePosixPath(member.filename).parent
        for member in members
        if _clean(member).name == "record.toml"
    }
    if len(roots) != 1:
        found = "no record.toml" if not roots else f"{len(roots)} files named record.toml"
        _refuse(name, f"has {found}; zip one record folder (record.toml and its CSV tables)")
    (root,) = roots
    staging = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=destination.parent))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in members:
                try:
                    _extract(archive, member, staging, name)
                except (zipfile.BadZipFile, OSError, EOFError) as error:
                    # The error's own text would show the server's folders: name the member only.
                    shown = member.filename[:80]
                    _refuse(name, f"{shown!r} could not be unpacked ({type(error).__name__})")
        staging.replace(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return destination / root


def _checked_members(data: bytes, name: str) -> list[zipfile.ZipInfo]:
    if len(data) > MAX_ARCHIVE_BYTES:
        _refuse(
            name,
            f"is {len(data) / 2**20:.1f} MB; an uploaded record may be at most {MAX_ARCHIVE_BYTES // 2**20} MB",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as error:
        _refuse(name, f"is not a readable .zip archive ({error})")
    members = [info for info in infos if not info.is_dir() and not _is_litter(info.filename)]
    if len(members) > MAX_MEMBERS:
        _refuse(name, f"holds {len(members)} files; a record has at most {MAX_MEMBERS}")
    problems = []
    for member in members:
        reason = _unsafe(member)
        if reason:
            shown = member.filename if len(member.filename) <= 80 else member.filename[:60] + "…"
            problems.append(Problem(name, None, None, f"{shown!r} {reason}"))
    files = {str(_clean(member)) for member in members}
    for member in members:
        if any(str(parent) in files for parent in _clean(member).parents):
            problems.append(
                Problem(
                    name, None, None, f"{member.filename[:80]!r} is inside a file of the same name"
                )
            )
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED_BYTES:
        problems.append(
            Problem(
                name,
                None,
                None,
                f"would unpack to {total / 2**20:.0f} MB; at most {MAX_UNPACKED_BYTES // 2**20} MB",
            )
        )
    if problems:
        raise RecordError(problems)
    return members


def _unsafe(member: zipfile.ZipInfo) -> str | None:
    """Why a member may not be unpacked, or ``None`` when it is fine."""
    raw = member.filename
    path = PurePosixPath(raw.replace("\\", "/"))
    if raw.startswith(("/", "\\")) or (len(raw) > 1 and raw[1] == ":"):
        return "is an absolute path; zip the record folder's contents with relative paths"
    if ".." in path.parts:
        return "points outside the archive's folder ('..'); remove it"
    if len(path.parts) > MAX_MEMBER_DEPTH or any(len(part.encode()) > 255 for part in path.parts):
        return f"is nested too deeply or named too long (at most {MAX_MEMBER_DEPTH} folders, 255 bytes a name)"
    if stat.S_ISLNK(member.external_attr >> 16):
        return "is a symbolic link; put the file itself in the archive"
    if member.flag_bits & 0x1:
        return "is encrypted; upload an archive without a password"
    if path.suffix.lower() not in ALLOWED_SUFFIXES:
        return f"is not a record file (allowed: {', '.join(sorted(ALLOWED_SUFFIXES))})"
    return None


def _clean(member: zipfile.ZipInfo) -> PurePosixPath:
    return PurePosixPath(member.filename.replace("\\", "/"))


def _is_litter(filename: str) -> bool:
    return filename.startswith(_TOOL_LITTER[0]) or PurePosixPath(filename).name in _TOOL_LITTER[1:]


def _extract(archive: zipfile.ZipFile, member: zipfile.ZipInfo, folder: Path, name: str) -> None:
    target = folder.joinpath(*_clean(member).parts)
    if not target.resolve().is_relative_to(folder.resolve()):
        _refuse(name, f"{member.filename!r} points outside the archive's folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(member) as source, target.open("wb") as sink:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > member.file_size:
                _refuse(
                    name,
                    f"{member.filename!r} unpacks to more bytes than it declares; the archive is corrupt",
                )
            sink.write(chunk)


def _refuse(name: str, message: str) -> NoReturn:
    raise RecordError([Problem(name, None, None, message)])
