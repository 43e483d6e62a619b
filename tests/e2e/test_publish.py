"""The story published as one HTML file (issue 13, part 3): it works from file:// with no network."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

import geodata
from dashboard.publish import publish

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Route

pytestmark = pytest.mark.browser

# URLs that Leaflet's own code holds (its attribution link, an SVG namespace, a comment): text, not
# something the page loads.
LEAFLET_TEXT = (
    "https://leafletjs.com",
    "http://www.w3.org/2000/svg",
    "https://bugzilla.mozilla.org/",
)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("published") / "story.html"
    size = publish(path)
    assert size <= 2.5 * 2**20, f"{size / 2**20:.2f} MB"
    return path


def test_the_file_references_nothing_but_its_sources(story: Path):
    record = geodata.load_record()
    sources = {url for frame in record.tables.values() for urls in frame["sources"] for url in urls}
    sources |= {p.source for p in record.provenance.values()}
    html = story.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=['\"]?https?:", html, re.I)
    for url in set(re.findall(r"https?://[^\s\"'<>\\)]+", html)):
        assert url.startswith(LEAFLET_TEXT) or any(s.startswith(url) for s in sources), url


def test_every_day_shows_the_exports_troops_and_legs_with_the_network_closed(
    browser: Browser, story: Path
):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    left: list[str] = []

    def closed(route: Route) -> None:
        if route.request.url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context.route("**/*", closed)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(story.as_uri())
    record = geodata.load_record()
    days = record.meta.days
    page.locator("#kz-date").fill("0")
    for n, day in enumerate(days):
        if n:
            page.locator("#kz-next").click()
        expect(page.locator(".kz-legend")).to_have_attribute("data-day", day.isoformat())
        shown = page.evaluate("() => window.__kzStory")
        snap = geodata.snapshot(record, day)
        assert shown == {"date": day.isoformat(), "troops": snap.troops_in_host}
        exported = json.loads(geodata.feature_collection_bytes(record, day))["features"]
        legs = [f for f in exported if f["properties"]["layer"] == "movement"]
        assert page.locator(".kz-arrow").count() == len(legs), day
        if snap.troops_in_host:
            expect(
                page.locator(".kz-label", has_text=f"{snap.troops_in_host:,} troops")
            ).to_have_count(1)
    assert left == [] and errors == []
    context.close()
