"""The dashboard in a real browser (system Chromium) with the network closed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import expect

from tests.support.browser import MAP_FRAME, ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Frame, FrameLocator, Locator, Page, WebSocketRoute

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)

# Arrowheads: one per leg under way (trails have none).
ARROWS_ON_MAP = "() => document.querySelectorAll('.kz-arrow').length"
POLYLINES_ON_MAP = """() => {
    let count = 0;
    map_div.eachLayer(layer => {
        if (layer instanceof L.Polyline && !(layer instanceof L.Polygon)) count += 1;
    });
    return count;
}"""
LOADED_ASSETS = """() => [
    ...Array.from(document.querySelectorAll("script[src]"), node => node.src),
    ...Array.from(document.querySelectorAll("link[rel=stylesheet]"), node => node.href),
]"""

# Every day the key is filled for, in order (the key stays; its day changes).
LEGENDS_ADDED = """() => {
    window.__legendDays = [];
    const key = document.querySelector(".kz-legend");
    new MutationObserver(() => { window.__legendDays.push(key.dataset.day); })
        .observe(key, {attributes: true, attributeFilter: ["data-day"]});
}"""

# --- helpers ---------------------------------------------------------------------------------


def open_day(page: Page, app_url: str, query: str, day: str) -> tuple[FrameLocator, Frame]:
    """Open ``/?query`` and wait until the map draws ``day`` and the app has stopped running."""
    page.goto(f"{app_url}/?{query}")
    frame_locator = page.frame_locator(MAP_FRAME)
    expect(legend_of(frame_locator, day)).to_be_visible()
    wait_idle(page)
    handle = page.locator(MAP_FRAME).element_handle()
    frame = handle.content_frame() if handle else None
    assert frame is not None, "the map iframe has no frame"
    return frame_locator, frame


def legend_of(frame_locator: FrameLocator, day: str) -> Locator:
    return frame_locator.locator(f'.kz-legend[data-day="{day}"]')


def wait_idle(page: Page) -> None:
    """Wait for the script run (full or fragment) to finish."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")


def date_slider(page: Page) -> Locator:
    return page.get_by_role("slider", name="Date")


def step(page: Page, frame_locator: FrameLocator, key: str, day: str) -> None:
    """Press ``key`` on the Date slider and wait until the map draws ``day``."""
    date_slider(page).press(key)  # press() focuses the thumb first
    expect(legend_of(frame_locator, day)).to_be_visible()
    wait_idle(page)


def status_chip(frame_locator: FrameLocator, iso3: str) -> Locator:
    """The chip at a contingent's home base, which says its status that day."""
    statuses = "not deployed|deploying|deployed|withdrawing|withdrawn"
    return frame_locator.locator(".kz-label").filter(
        has_text=re.compile(rf"^{iso3} · ({statuses})$")
    )


def zoom_in(frame_locator: FrameLocator, frame: Frame) -> None:
    """Click Leaflet's zoom-in button and wait for the zoom animation to end.

    getZoom() changes when the animation starts, and a click during the animation is ignored,
    so wait for ``zoomend`` instead.
    """
    before = frame.evaluate(
        "() => { window.__zoomEnded = false;"
        " map_div.once('zoomend', () => { window.__zoomEnded = true; }); return map_div.getZoom(); }"
    )
    frame_locator.locator(".leaflet-control-zoom-in").click()
    frame.wait_for_function("() => window.__zoomEnded")
    assert frame.evaluate("() => map_div.getZoom()") > before


# --- tests -----------------------------------------------------------------------------------


def test_map_renders_with_network_closed(page: Page, app_url: str, left_host: list[str]) -> None:
    """The map, its legend and the fetched polygons render from the app's own server alone."""
    frame_locator, frame = open_day(page, app_url, "date=2022-01-10", "2022-01-10")

    expect(frame_locator.locator(".kz-legend .kz-key-date")).to_have_text("10 January 2022")
    frame.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length >= 30"
    )
    assert frame_locator.locator("path.leaflet-interactive").count() >= 30
    assert frame.evaluate("() => KZ.bases.countries.getLayers().length") > 0
    assert frame.evaluate("() => KZ.bases.regions.getLayers().length") > 0

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(app_url))
    assets = frame.evaluate(LOADED_ASSETS)
    assert assets, "the map iframe loaded no scripts or stylesheets"
    foreign = [url for url in assets if "{0.scheme}://{0.netloc}".format(urlsplit(url)) != origin]
    assert foreign == [], f"scripts or stylesheets from another origin: {foreign}"
    assert left_host == [], f"requests tried to leave the host: {left_host}"


def test_slider_step_changes_the_map_on_the_right_days(page: Page, app_url: str) -> None:
    """Stepping the Date slider changes Russia's status, draws deployment legs and guarded sites, and updates the URL."""
    frame_locator, frame = open_day(page, app_url, "date=2022-01-05", "2022-01-05")
    expect(status_chip(frame_locator, "RUS")).to_have_text("RUS · not deployed")
    assert frame.evaluate(ARROWS_ON_MAP) == 0
    assert frame.evaluate(POLYLINES_ON_MAP) == 0
    paths_before = frame_locator.locator("path.leaflet-interactive").count()

    step(page, frame_locator, "ArrowRight", "2022-01-06")
    expect(page).to_have_url(re.compile(r"[?&]date=2022-01-06(&|$)"))
    expect(status_chip(frame_locator, "RUS")).to_have_text("RUS · deploying")
    assert frame.evaluate(ARROWS_ON_MAP) > 0
    assert frame.evaluate(POLYLINES_ON_MAP) > 0
    assert frame_locator.locator("path.leaflet-interactive").count() != paths_before

    step(page, frame_locator, "ArrowRight", "2022-01-07")
    step(page, frame_locator, "ArrowRight", "2022-01-08")
    expect(page).to_have_url(re.compile(r"[?&]date=2022-01-08(&|$)"))
    # The Kyrgyz guard: its own badge, or named in the chip that gathers the sites around Almaty.
    expect(
        frame_locator.locator(".kz-label")
        .filter(has_text=re.compile(r"^KGZ$|^[A-Z ]*KGZ[A-Z ]* · "))
        .filter(visible=True)
        .first
    ).to_be_visible()

    step(page, frame_locator, "End", "2022-01-20")
    expect(page).to_have_url(re.compile(r"[?&]date=2022-01-20(&|$)"))
    expect(
        frame_locator.locator(".kz-label").filter(has_text=re.compile(r"^[A-Z]{3}$"))
    ).to_have_count(0)
    expect(status_chip(frame_locator, "RUS")).to_have_text("RUS · withdrawn")


def test_map_follows_the_slider_before_the_server_answers(page: Page, app_url: str) -> None:
    """A step draws the slider's day from its file at once; the server's step then agrees with it.

    The page's messages to the server are held back for one step: the map still shows the new
    day, while the rest of the page (drawn by the server) stays on the old one.
    """
    held = {"on": False}

    def relay(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        socket.on_message(lambda message: None if held["on"] else server.send(message))
        server.on_message(socket.send)

    page.route_web_socket(re.compile(r"/_stcore/stream$"), relay)
    frame_locator, frame = open_day(page, app_url, "date=2022-01-09", "2022-01-09")

    held["on"] = True
    date_slider(page).press("ArrowRight")
    expect(legend_of(frame_locator, "2022-01-10")).to_be_visible()
    expect(page.locator(".kz-headline-date")).to_have_text("9 Jan 2022:")
    assert "date=2022-01-09" in page.url

    held["on"] = False
    step(page, frame_locator, "ArrowRight", "2022-01-11")
    expect(page.locator(".kz-headline-date")).to_have_text("11 Jan 2022:")
    expect(page).to_have_url(re.compile(r"[?&]date=2022-01-11(&|$)"))
    expect(frame_locator.locator(".kz-legend")).to_have_count(1)
    assert frame.evaluate("() => window.__kzDay") == "2022-01-11"


def test_slider_step_keeps_the_map_mounted_and_the_zoom(page: Page, app_url: str) -> None:
    """A slider step neither re-mounts the map nor resets the user's zoom, and never duplicates controls."""
    frame_locator, frame = open_day(page, app_url, "date=2022-01-05", "2022-01-05")
    frame.evaluate("() => { window.__probe = 42; }")
    zoom_in(frame_locator, frame)
    zoom_in(frame_locator, frame)
    zoom = frame.evaluate("() => map_div.getZoom()")
    centre = frame.evaluate("() => map_div.getCenter()")

    step(page, frame_locator, "ArrowRight", "2022-01-06")
    assert frame.evaluate("() => window.__probe") == 42
    assert frame.evaluate("() => map_div.getZoom()") == zoom
    assert frame.evaluate("() => map_div.getCenter()") == centre

    for day in ("2022-01-07", "2022-01-08", "2022-01-09"):
        step(page, frame_locator, "ArrowRight", day)
    step(page, frame_locator, "ArrowLeft", "2022-01-08")
    expect(frame_locator.locator(".kz-legend")).to_have_count(1)
    expect(frame_locator.locator(".kz-views")).to_have_count(1)
    expect(frame_locator.locator(".leaflet-control-layers")).to_have_count(0)
    # The component's list of groups keeps only the day's (it would grow with every step).
    on_map = frame.evaluate("() => window.feature_group.filter(g => map_div.hasLayer(g)).length")
    assert frame.evaluate("() => window.feature_group.length") == on_map
    assert frame.evaluate("() => window.__probe") == 42
    assert frame.evaluate("() => map_div.getZoom()") == zoom


def test_download_geojson_equals_the_cli_export(page: Page, app_url: str) -> None:
    """Download GeoJSON gives the same bytes as ``python -m geodata export``, served as GeoJSON."""
    open_day(page, app_url, "date=2022-01-07&layers=country,city,site", "2022-01-07")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^⤓ 7 Jan 2022 · 3 layers · GeoJSON")).click()
    download = download_info.value
    assert download.failure() is None
    body = Path(download.path()).read_bytes()
    assert "2022-01-07" in download.suggested_filename
    # A link download emits no page response: ask the server for the same URL to read its headers.
    response = page.request.get(download.url)

    cli = subprocess.run(
        [sys.executable, "-m", "geodata", "export", "--date", "2022-01-07", "--layers", "country,city,site"],
        cwd=ROOT, capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    assert body == cli.stdout
    collection = json.loads(body)
    assert collection["type"] == "FeatureCollection"
    assert collection["features"]
    assert {feature["type"] for feature in collection["features"]} == {"Feature"}

    assert response.ok
    assert response.body() == body
    assert response.headers["content-type"].startswith("application/geo+json")


def test_play_advances_days_without_remounting(page: Page, app_url: str) -> None:
    """Play advances the map day by day without re-mounting it; Pause leaves map and URL on one day."""
    frame_locator, frame = open_day(page, app_url, "date=2022-01-01", "2022-01-01")
    frame.evaluate("() => { window.__probe = 42; }")

    page.get_by_role("button", name="▶ Play").click()
    frame.wait_for_function(
        "() => (document.querySelector('.kz-legend')?.dataset.day ?? '') >= '2022-01-03'",
        timeout=15_000,
    )
    page.get_by_role("button", name="⏸ Pause").click()
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible()
    wait_idle(page)
    assert frame.evaluate("() => window.__probe") == 42
    paused_on = parse_qs(urlsplit(page.url).query)["date"][0]
    assert paused_on >= "2022-01-03"
    expect(legend_of(frame_locator, paused_on)).to_be_visible()
    expect(frame_locator.locator(".kz-legend")).to_have_count(1)


def test_play_from_the_last_day_starts_on_the_first_day(page: Page, app_url: str) -> None:
    """Play on the last day starts again from the first day, which the map shows first."""
    _, frame = open_day(page, app_url, "date=2022-01-20", "2022-01-20")
    frame.evaluate(LEGENDS_ADDED)

    page.get_by_role("button", name="▶ Play").click()
    frame.wait_for_function("() => window.__legendDays.length >= 1")
    page.get_by_role("button", name="⏸ Pause").click()
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible()
    assert frame.evaluate("() => window.__legendDays[0]") == "2022-01-01"


@pytest.mark.parametrize("bad_date", ["2022-13-45", "<script>alert(1)</script>"])
def test_bad_date_in_url_warns_and_shows_the_opening_day(
    page: Page, app_url: str, bad_date: str
) -> None:
    """A bad date in the link shows a warning and the record's opening day, never a traceback or a script."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    frame_locator, _ = open_day(page, app_url, f"date={quote(bad_date)}", "2022-01-07")

    warning = page.get_by_test_id("stAlertContentWarning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("not a date")
    expect(frame_locator.locator(".kz-legend .kz-key-date")).to_have_text("7 January 2022")
    expect(page).to_have_url(re.compile(r"[?&]date=2022-01-07(&|$)"))  # the link is repaired
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    assert dialogs == []


def test_readme_screenshot(page: Page, app_url: str) -> None:
    """The README's screenshot: 7 January 2022 at the default view (UPDATE_SCREENSHOT=1 writes docs/)."""
    # The first screen as a reader on a laptop sees it: band, map, the day's events and downloads.
    page.set_viewport_size({"width": 1440, "height": 900})
    _, frame = open_day(page, app_url, "date=2022-01-07", "2022-01-07")
    frame.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length >= 30"
    )
    frame.wait_for_function("() => KZ.bases.water && KZ.bases.water.getLayers().length > 0")

    image = page.screenshot(full_page=True, animations="disabled")
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "dashboard.png").write_bytes(image)
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        docs = ROOT / "docs"
        docs.mkdir(exist_ok=True)
        (docs / "screenshot.png").write_bytes(image)
