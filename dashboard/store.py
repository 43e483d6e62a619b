"""Private, bounded folders on disk for uploaded records: nothing shared, nothing kept for ever."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import secrets
import shutil
import stat
import tempfile
import time
from pathlib import Path

__all__ = ["MAP_FILES", "BoundedStore", "UnsafeFolderError", "private_root", "upload_store"]

_LOG = logging.getLogger(__name__)
# Where the private folder is made (the system temporary folder by default).
STORE_ENV = "KZ_STORE_DIR"


class UnsafeFolderError(RuntimeError):
    """A folder the dashboard would write to could have been planted or read by someone else."""


def private_root(base: Path | None = None) -> Path:
    """The current user's folder for the dashboard's files: made with mode 0700, and checked if it exists.

    The system temporary folder is shared by every user of the machine: a folder there with a
    predictable name could be a symbolic link or a folder planted by another user. It is refused
    unless it is a real folder, owned by this user, that no one else may read or write.
    """
    parent = base or Path(os.environ.get(STORE_ENV) or tempfile.gettempdir())
    root = parent / f"kz-dashboard-{os.getuid()}"
    # A folder named in KZ_STORE_DIR may not exist yet; the system's temporary folder always does.
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        root.mkdir(mode=0o700)
    _check_private(root)
    return root


def _check_private(folder: Path) -> None:
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafeFolderError(f"{folder} is not a folder (a link or a file is in its place)")
    if info.st_uid != os.getuid():
        raise UnsafeFolderError(f"{folder} belongs to another user")
    if info.st_mode & 0o077:
        raise UnsafeFolderError(
            f"{folder} may be read or written by other users (mode 0700 needed)"
        )


class BoundedStore:
    """Folders under ``root`` with a total size and an age: the least recently used go first.

    Parameters
    ----------
    root : Path
        A private folder (see ``private_root``); made if missing.
    max_bytes : int
        What all folders together may hold; past it the least recently used are deleted.
    max_age : float
        Seconds since a folder was last used after which it is deleted.
    """

    def __init__(self, root: Path, *, max_bytes: int, max_age: float) -> None:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        _check_private(root)
        self.root = root
        self.max_bytes = max_bytes
        self.max_age = max_age

    def new_folder(self) -> Path:
        """A new, empty folder with an unguessable name (the name is the token that reaches it)."""
        folder = self.root / secrets.token_urlsafe(24)
        folder.mkdir(mode=0o700)
        return folder

    def folder(self, token: str) -> Path | None:
        """The folder named ``token``, if it is still kept (a bad or unknown token gives ``None``)."""
        if not token or "/" in token or token.startswith("."):
            return None
        folder = self.root / token
        try:
            info = os.lstat(folder)
        except (OSError, ValueError):
            return None
        return folder if stat.S_ISDIR(info.st_mode) else None

    def token_of(self, path: Path) -> str | None:
        """The name of this store's folder that holds ``path``, or ``None`` if none does."""
        root, resolved = self.root.resolve(), path.resolve()
        if resolved == root or not resolved.is_relative_to(root):
            return None
        return resolved.relative_to(root).parts[0]

    def touch(self, folder: Path) -> None:
        """Mark ``folder`` as just used, so it is evicted last."""
        now = time.time()
        os.utime(folder, (now, now))

    def remove(self, folder: Path) -> None:
        """Delete ``folder`` and everything in it."""
        shutil.rmtree(folder, ignore_errors=True)

    def sweep(self, *, now: float | None = None) -> list[Path]:
        """Delete what is too old, then the least recently used until the store fits its budget.

        Returns the folders deleted. Anything that is not a folder of this store (a stray file, a
        link) is deleted too.
        """
        now = time.time() if now is None else now
        entries = []
        removed = []
        for entry in os.scandir(self.root):
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # removed by another session meanwhile
            path = Path(entry.path)
            if not stat.S_ISDIR(info.st_mode) or now - info.st_mtime > self.max_age:
                _delete(path)
                removed.append(path)
            else:
                entries.append((info.st_mtime, path, _size(path)))
        total = sum(size for _, _, size in entries)
        for _, path, size in sorted(entries, key=lambda entry: entry[0]):
            if total <= self.max_bytes:
                break
            _delete(path)
            removed.append(path)
            total -= size
        return removed

    def size(self) -> int:
        """Bytes held by all folders of the store."""
        return sum(_size(Path(entry.path)) for entry in os.scandir(self.root))


def _size(path: Path) -> int:
    """Bytes under ``path``; files that vanish meanwhile (another upload unpacking) count 0."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return 0
    if not stat.S_ISDIR(info.st_mode):
        return info.st_size
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(FileNotFoundError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


def _delete(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


# Uploaded records: each a folder named by an unguessable token, private to the session that
# uploaded it. 1 GB holds at least twenty records at the upload budget; a record unused for 12 hours
# is gone (its session falls back to the bundled record and says so).
UPLOAD_STORE_BYTES = 1024 * 1024 * 1024
UPLOAD_MAX_AGE = 12 * 3600
# Inside an upload's folder: the polygons the map fetches, re-serialised from the validated record.
MAP_FILES = "map"


@functools.cache
def upload_store() -> BoundedStore:
    """The store of uploaded records, in this user's private folder (or a new one if it is unsafe)."""
    try:
        root = private_root()
    except UnsafeFolderError as error:
        # Someone else's folder (or a link) is in the way: a fresh folder cannot have been planted.
        _LOG.warning("%s; using a new private folder instead", error)
        root = Path(tempfile.mkdtemp(prefix="kz-dashboard-"))
    return BoundedStore(root / "uploads", max_bytes=UPLOAD_STORE_BYTES, max_age=UPLOAD_MAX_AGE)
