"""Bring your own record: zipped uploads are checked before unpacking, and a bad one changes nothing."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import geodata
from geodata._limits import MAX_MEMBERS
from tests.uploads import APP, record_folder, uploaded, zipped


def refused(data: bytes, tmp_path: Path) -> str:
    destination = tmp_path / "unpacked"
    with pytest.raises(geodata.RecordError) as caught:
        geodata.unpack_record_archive(data, destination, name="upload.zip")
    assert not destination.exists()
    assert all(problem.file == "upload.zip" for problem in caught.value.problems)
    return str(caught.value)


def test_a_zipped_record_unpacks_and_loads(tmp_path):
    folder = geodata.unpack_record_archive(
        zipped(record_folder(tmp_path)), tmp_path / "u", name="r.zip"
    )
    record = geodata.load_record(folder, confined_to=tmp_path / "u")
    assert record.meta.title == "Uploaded test record"


@pytest.mark.parametrize(
    ("member", "word"),
    [
        ("../escape.csv", "outside"),
        ("my-record/../../escape.csv", "outside"),
        ("/etc/cron.d/evil.csv", "absolute"),
        ("C:/evil.csv", "absolute"),
        ("my-record/run.sh", "not a record file"),
    ],
)
def test_paths_that_escape_or_do_not_belong_are_refused(tmp_path, member, word):
    assert word in refused(zipped(record_folder(tmp_path), {member: b"x"}), tmp_path)
    assert not (tmp_path / "escape.csv").exists()


def test_a_symbolic_link_is_refused(tmp_path):
    buffer = io.BytesIO(zipped(record_folder(tmp_path)))
    with zipfile.ZipFile(buffer, "a") as archive:
        link = zipfile.ZipInfo("my-record/places.geojson")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    assert "symbolic link" in refused(buffer.getvalue(), tmp_path)


def test_too_many_files_are_refused(tmp_path):
    extra = {f"my-record/notes/{i}.txt": b"" for i in range(MAX_MEMBERS)}
    assert "at most" in refused(zipped(record_folder(tmp_path), extra), tmp_path)


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path):
    bomb = {"my-record/padding.txt": b"\0" * (101 * 1024 * 1024)}  # compresses to about 100 KB
    assert "would unpack to" in refused(zipped(record_folder(tmp_path), bomb), tmp_path)


def test_an_oversized_upload_is_refused(tmp_path):
    assert "at most 20 MB" in refused(b"\0" * (geodata.MAX_ARCHIVE_BYTES + 1), tmp_path)


def test_not_a_zip_and_no_record_are_refused(tmp_path):
    assert "not a readable .zip" in refused(b"PK\x03\x04 but not really", tmp_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert "no record.toml" in refused(buffer.getvalue(), tmp_path)


def test_an_upload_cannot_point_at_files_on_the_server(tmp_path):
    folder = record_folder(tmp_path)
    with (folder / "record.toml").open("a") as toml:
        toml.write('\n[boundaries]\ncountries = "/etc/passwd"\n')
    unpacked = geodata.unpack_record_archive(zipped(folder), tmp_path / "u", name="r.zip")
    with pytest.raises(geodata.RecordError) as caught:
        geodata.load_record(unpacked, confined_to=tmp_path / "u")
    assert any(p.column == "boundaries.countries" for p in caught.value.problems)


def test_an_upload_is_shown_in_this_session_without_restarting(tmp_path):
    app = AppTest.from_file(APP, default_timeout=60).run()
    uploaded(app, "mine.zip", zipped(record_folder(tmp_path, "My own deployment")))
    assert not app.exception
    assert "My own deployment" in str(app.get("html")[0].proto)
    other = AppTest.from_file(
        APP, default_timeout=60
    ).run()  # another session still sees the bundled record
    assert "Kazakhstan, January 2022" in str(other.get("html")[0].proto)


def test_a_failed_upload_keeps_the_previous_record(tmp_path):
    folder = record_folder(tmp_path)
    (folder / "events.csv").write_text("id,date\nx,2022-01-32\n")
    app = AppTest.from_file(APP, default_timeout=60).run()
    uploaded(app, "broken.zip", zipped(folder))
    assert not app.exception
    assert "was not loaded" in app.error[0].value
    assert "events.csv" in app.code[0].value
    assert "Kazakhstan, January 2022" in str(app.get("html")[0].proto)
    assert app.get("component_instance")  # the map is still there
