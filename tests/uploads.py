"""Records to upload in tests: a copy of the bundled record, zipped, and sent through AppTest."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

import geodata

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def record_folder(tmp_path: Path, title: str = "Uploaded test record") -> Path:
    """A copy of the bundled record that uses the bundled boundary files by default."""
    folder = tmp_path / "my-record"
    shutil.copytree(geodata.bundled_record_path(), folder)
    toml = (folder / "record.toml").read_text()
    toml = re.sub(r"^\[boundaries\][^\[]*", "", toml, flags=re.M)
    toml = re.sub(r'^title = ".*"$', f'title = "{title}"', toml, flags=re.M)
    (folder / "record.toml").write_text(toml)
    return folder


def zipped(folder: Path, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder)}")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def uploaded(app: AppTest, name: str, data: bytes) -> AppTest:
    app.get("file_uploader")[0].set_value((name, data, "application/zip"))
    return app.run()
