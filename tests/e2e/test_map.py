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
    from playwright.sync_api import Frame, FrameLocator, Locator, Page

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)

MOVEMENT_GROUP = "Deployment and withdrawal legs"
FILL_OF = """iso3 => {
    let fill = null;
    KZ.bases.countries.eachLayer(shape => {
        if (shape.feature.properties.iso3 === iso3) fill = shape.options.fillColor;
    });
    return fill;
}"""
GROUP_SIZE = """name => {
    const entry = window.layer_control._layers.find(item => item.name === name);
    return entry && map_div.hasLayer(entry.layer) ? entry.layer.getLayers().length : null;
}"""
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

LEGENDS_ADDED = """() => {
    window.__legendDays = [];
    new MutationObserver(records => {
        for (const record of records) {
            for (const node of record.addedNodes) {
                if (node.nodeType !== Node.ELEMENT_NODE) continue;
                const legend = node.matches(".kz-legend") ? node : node.querySelector(".kz-legend");
                if (legend) window.__legendDays.push(legend.dataset.day);
            }
        }
    }).observe(document.body, {childList: true, subtree: true});
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


def fill_of(frame: Frame, iso3: str) -> str:
    frame.wait_for_function(f"() => ({FILL_OF})({json.dumps(iso3)}) !== null")
    return frame.evaluate(FILL_OF, iso3)


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
    assert frame.evaluate("() => map_div.getZoom()") == before + 1


# --- tests -----------------------------------------------------------------------------------


def test_map_renders_with_network_closed(page: Page, app_url: str, left_host: list[str]) -> None:
    """The map, its legend and the fetched polygons render from the app's own server alone."""
    frame_locator, frame = open_day(page, app_url, "date=2022-01-10", "2022-01-10")

    expect(frame_locator.locator(".kz-legend .kz-title").first).to_have_text("10 January 2022")
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
    """Stepping the Date slider restyles Russia, draws deployment legs and guarded sites, and updates the URL."""
    frame_locator, frame = open_day(page, app_url, "date=2022-01-05", "2022-01-05")
    assert fill_of(frame, "RUS") == "#f2f2f2"  # not deployed
    assert frame.evaluate(GROUP_SIZE, MOVEMENT_GROUP) == 0
    assert frame.evaluate(POLYLINES_ON_MAP) == 0
    paths_before = frame_locator.locator("path.leaflet-interactive").count()

    step(page, frame_locator, "ArrowRight", "2022-01-06")
    expect(page).to_have_url(re.compile(r"[?&]date=2022-01-06(&|$)"))
    assert fill_of(frame, "RUS") == "#56b4e9"  # deploying
    assert frame.evaluate(GROUP_SIZE, MOVEMENT_GROUP) > 0
    assert frame.evaluate(POLYLINES_ON_MAP) > 0
    assert frame_locator.locator("path.leaflet-interactive").count() != paths_before

    step(page, frame_locator, "ArrowRight", "2022-01-07")
    step(page, frame_locator, "ArrowRight", "2022-01-08")
    expect(page).to_have_url(re.compile(r"[?&]date=2022-01-08(&|$)"))
    expect(
        frame_locator.locator(".kz-label").filter(has_text=re.compile(r"^KGZ$")).first
    ).to_be_visible()

    step(page, frame_locator, "End", "2022-01-20")
    expect(page).to_have_url(re.compile(r"[?&]date=2022-01-20(&|$)"))
    expect(frame_locator.locator(".kz-label")).to_have_count(0)


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
    expect(frame_locator.locator(".leaflet-control-layers")).to_have_count(1)
    assert frame.evaluate("() => window.__probe") == 42
    assert frame.evaluate("() => map_div.getZoom()") == zoom


def test_download_geojson_equals_the_cli_export(page: Page, app_url: str) -> None:
    """Download GeoJSON gives the same bytes as ``python -m geodata export``, served as GeoJSON."""
    open_day(page, app_url, "date=2022-01-07&layers=country,city,site", "2022-01-07")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download GeoJSON").click()
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
def test_bad_date_in_url_warns_and_shows_the_first_day(
    page: Page, app_url: str, bad_date: str
) -> None:
    """A bad date in the link shows a warning and the first day, never a traceback or a script."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    frame_locator, _ = open_day(page, app_url, f"date={quote(bad_date)}", "2022-01-01")

    warning = page.get_by_test_id("stAlertContentWarning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("not a date")
    expect(frame_locator.locator(".kz-legend .kz-title").first).to_have_text("1 January 2022")
    expect(page).to_have_url(re.compile(r"[?&]date=2022-01-01(&|$)"))  # the link is repaired
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    assert dialogs == []


def test_readme_screenshot(page: Page, app_url: str) -> None:
    """The README's screenshot: 7 January 2022 at the default view (UPDATE_SCREENSHOT=1 writes docs/)."""
    # Streamlit scrolls inside the page, so "full page" is the viewport: make it tall enough for
    # the controls, the whole map and the download buttons.
    page.set_viewport_size({"width": 1440, "height": 1240})
    _, frame = open_day(page, app_url, "date=2022-01-07", "2022-01-07")
    frame.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length >= 30"
    )
    assert frame.evaluate("() => map_div.getZoom()") == 3  # the default view, untouched
    expect(page.get_by_role("button", name="Download GeoJSON")).to_be_in_viewport()
    expect(page.get_by_test_id("stVegaLiteChart").locator("canvas, svg").first).to_be_visible()

    image = page.screenshot(full_page=True, animations="disabled")
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "dashboard.png").write_bytes(image)
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        docs = ROOT / "docs"
        docs.mkdir(exist_ok=True)
        (docs / "screenshot.png").write_bytes(image)
