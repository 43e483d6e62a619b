"""The real server's hardening: headers on every response, upload bodies capped, uploads private.

The unit and AppTest side of the security review is ``tests/test_security.py``; these checks need
the server that ``make run`` starts (``dashboard/server.py``) and, for uploads, a browser.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

import geodata
from tests.support.browser import MAP_FRAME, ROOT, free_port, running_app
from tests.uploads import record_folder, zipped

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of one request, whatever the status."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, _headers(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _headers(error.headers), error.read()


def _headers(headers: http.client.HTTPMessage) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def own_boundaries_zip(tmp_path: Path) -> Path:
    """A zipped record that brings its own boundary files (so its polygons come from the upload)."""
    folder = record_folder(tmp_path, "Uploaded with its own boundaries")
    bundled = geodata.bundled_record_path().parent / "boundaries"
    (folder / "own").mkdir()
    (folder / "own" / "countries.geojson").write_bytes((bundled / "countries.geojson").read_bytes())
    (folder / "own" / "regions.geojson").write_bytes(
        (bundled / "kz_regions_2022-01.geojson").read_bytes()
    )
    with (folder / "record.toml").open("a") as toml:
        toml.write(
            '\n[boundaries]\ncountries = "own/countries.geojson"\nregions = "own/regions.geojson"\n'
        )
    path = tmp_path / "own.zip"
    path.write_bytes(zipped(folder))
    return path


def upload_in_page(page: Page, archive: Path) -> None:
    box = page.get_by_test_id("stExpander").filter(has_text="Bring your own record")
    box.get_by_text("Bring your own record").click()
    box.locator("input[type=file]").set_input_files(str(archive))


def test_every_response_says_nosniff_and_no_referrer(app_url: str, page: Page) -> None:
    polygon_requests: list[str] = []
    page.on("request", lambda request: polygon_requests.append(request.url))
    page.goto(app_url)
    page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for()
    served = sorted({url for url in polygon_requests if url.startswith(app_url)})
    assert any("/component/" in url for url in served)
    urls = [*served, f"{app_url}/kz/upload/unknown/countries.geojson", f"{app_url}/no/such/page"]
    for url in urls:
        _, headers, _ = fetch(url)
        assert headers.get("x-content-type-options") == "nosniff", url
        assert headers.get("referrer-policy") == "no-referrer", url


def test_an_upload_body_past_its_budget_is_refused(app_url: str) -> None:
    connection = http.client.HTTPConnection(app_url.removeprefix("http://"), timeout=10)
    connection.putrequest("PUT", "/_stcore/upload_file/session/file")
    connection.putheader("Content-Length", str(200 * 2**20))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert b"at most 20 MB" in response.read()
    connection.close()


def test_an_uploads_polygons_reach_its_session_only(
    browser: Browser, app_url: str, tmp_path: Path
) -> None:
    archive = own_boundaries_zip(tmp_path)
    owner = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = owner.new_page()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.goto(app_url)
    upload_in_page(page, archive)
    expect(page.get_by_role("heading", name="Uploaded with its own boundaries")).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
    expect(page.locator(MAP_FRAME)).to_have_count(1)
    page.frame_locator(MAP_FRAME).locator(".leaflet-interactive").first.wait_for()
    (countries_url,) = {url for url in seen if re.search(r"/kz/upload/[^/]+/countries", url)}
    token = countries_url.split("/kz/upload/")[1].split("/")[0]
    assert len(token) >= 32

    status, headers, body = fetch(countries_url)
    assert status == 200 and headers["content-type"].startswith(geodata.MEDIA_TYPE)
    assert headers["cache-control"] == "private, no-store"
    assert b'"iso3":"KAZ"' in body

    # Another visitor's page never carries the token, and nothing else of the upload is served.
    other = browser.new_context().new_page()
    other.goto(app_url)
    other.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for()
    assert token not in other.content()
    # (Unknown paths get Streamlit's page, as for any link into the app: never the upload's file.)
    for name, content in (
        ("record.toml", b"host_iso3"),
        ("events.csv", b"time_local"),
        ("record/events.csv", b"time_local"),
        ("../record/events.csv", b"time_local"),
        ("record/record.toml", b"host_iso3"),
    ):
        status, _, body = fetch(f"{app_url}/kz/upload/{token}/{name}")
        assert status in (200, 400, 404) and content not in body, name
    assert fetch(f"{app_url}/kz/upload/{token[:-1]}x/countries.geojson")[0] == 404

    # Letting the upload go deletes it: the token leads nowhere any more.
    page.get_by_role("button", name="Show the bundled record again").click()
    expect(page.get_by_text("Kazakhstan, January 2022").first).to_be_visible()
    assert fetch(countries_url)[0] == 404
    owner.close()
    other.context.close()


@pytest.fixture(scope="module")
def plain_streamlit_url() -> Iterator[str]:
    """The page started the unprotected way: ``streamlit run dashboard/app.py``."""
    with running_app(ROOT / "dashboard" / "app.py") as url:
        yield url


def test_the_page_refuses_to_run_without_the_hardened_server(
    page: Page, plain_streamlit_url: str
) -> None:
    page.goto(plain_streamlit_url)
    expect(page.get_by_role("alert")).to_contain_text(
        "This dashboard must be started with make run"
    )
    expect(page.locator(MAP_FRAME)).to_have_count(0)


def test_the_launcher_hardens_the_server_from_any_folder(tmp_path: Path) -> None:
    """``python -m dashboard`` from another folder: no config file there, still hardened."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dashboard",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KZ_STORE_DIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if fetch(f"{url}/_stcore/health")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                pytest.fail(process.stdout.read().decode() if process.stdout else "exited")
            subprocess.run(["sleep", "0.2"], check=True)
        status, headers, _ = fetch(f"{url}/_stcore/host-config")
        assert status == 200 and headers["x-content-type-options"] == "nosniff"
        config = fetch(f"{url}/_stcore/host-config")[2].decode()
        assert '"maxUploadSize"' not in config or '"maxUploadSize":20' in config.replace(" ", "")
        connection = http.client.HTTPConnection(f"127.0.0.1:{port}", timeout=10)
        connection.request("PUT", "/_stcore/upload_file/s/f", body=b"x" * (21 * 2**20))
        assert connection.getresponse().status == 413
    finally:
        process.terminate()
        process.wait(timeout=15)
