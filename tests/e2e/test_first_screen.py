"""The first screen, measured in Chromium: the map's framing, what covers what, the day's symbols,
keyboard reach, the map-first layout at three sizes, and an accessibility scan (issues 10 and 11).

Areas are measured on the host's polygon as the map draws it (projected to screen pixels and clipped
to the map or to a control's box), not on its bounding box.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

import geodata
from tests.e2e.test_cards_and_views import open_map as open_polygons
from tests.e2e.test_map import legend_of, open_day, step, wait_idle
from tests.support.browser import MAP_FRAME

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, FrameLocator, Page

pytestmark = pytest.mark.browser

# Screen geometry of the host, in the map's own pixels. ``rect`` = [left, top, right, bottom].
GEOMETRY = """
window.__kzGeometry = (() => {
    const host = () => {
        let found = null;
        KZ.bases.countries.eachLayer(s => { if (s.feature.properties.iso3 === "KAZ") found = s; });
        return found;
    };
    const clip = (points, [x0, y0, x1, y1]) => {
        const edges = [
            [p => p.x >= x0, (a, b) => ({x: x0, y: a.y + (b.y - a.y) * (x0 - a.x) / (b.x - a.x)})],
            [p => p.x <= x1, (a, b) => ({x: x1, y: a.y + (b.y - a.y) * (x1 - a.x) / (b.x - a.x)})],
            [p => p.y >= y0, (a, b) => ({x: a.x + (b.x - a.x) * (y0 - a.y) / (b.y - a.y), y: y0})],
            [p => p.y <= y1, (a, b) => ({x: a.x + (b.x - a.x) * (y1 - a.y) / (b.y - a.y), y: y1})],
        ];
        let out = points;
        for (const [inside, cross] of edges) {
            const input = out; out = [];
            input.forEach((p, i) => {
                const prev = input[(i + input.length - 1) % input.length];
                if (inside(p)) { if (!inside(prev)) out.push(cross(prev, p)); out.push(p); }
                else if (inside(prev)) out.push(cross(prev, p));
            });
            if (!out.length) break;
        }
        return out;
    };
    const area = pts => {
        let sum = 0;
        pts.forEach((p, i) => { const q = pts[(i + 1) % pts.length]; sum += p.x * q.y - q.x * p.y; });
        return Math.abs(sum) / 2;
    };
    const rings = () => {
        const latlngs = host().getLatLngs();
        const polygons = Array.isArray(latlngs[0][0]) ? latlngs : [latlngs];
        return polygons.map(poly => poly.map(ring => ring.map(ll => map_div.latLngToContainerPoint(ll))));
    };
    const areaIn = rect => {
        let total = 0;
        for (const poly of rings()) poly.forEach((ring, i) => {
            const a = area(clip(ring, rect));
            total += i ? -a : a;
        });
        return total;
    };
    const inside = p => {
        let hit = false;
        for (const poly of rings()) for (const ring of poly) {
            for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                const a = ring[i], b = ring[j];
                if ((a.y > p.y) !== (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) hit = !hit;
            }
        }
        return hit;
    };
    const mapRect = () => { const s = map_div.getSize(); return [0, 0, s.x, s.y]; };
    const inMap = el => {
        const m = map_div.getContainer().getBoundingClientRect(), r = el.getBoundingClientRect();
        return [r.left - m.left, r.top - m.top, r.right - m.left, r.bottom - m.top];
    };
    return {
        share: () => areaIn(mapRect()) / (map_div.getSize().x * map_div.getSize().y),
        // What share of the host is in view (1: all of it), in the map or in a part of it.
        shown: () => areaIn(mapRect()) / areaIn([-1e6, -1e6, 1e6, 1e6]),
        shownIn: rect => areaIn(rect) / areaIn([-1e6, -1e6, 1e6, 1e6]),
        // Host pixels under each control (the open key included), by the control's text.
        covered: () => Array.from(document.querySelectorAll(".leaflet-control"))
            .filter(el => el.getBoundingClientRect().width > 0)
            .map(el => ({what: (el.className + " " + el.textContent).slice(0, 60), px: areaIn(inMap(el)), rect: inMap(el)})),
        point: ([lat, lon]) => { const p = map_div.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; },
        inHost: ([x, y]) => inside({x, y}),
    };
})();
"""


@pytest.fixture(scope="module")
def record() -> geodata.Record:
    return geodata.load_record()


@pytest.fixture(scope="module")
def departure_airfields(record: geodata.Record) -> dict[str, tuple[float, float]]:
    """Where the deployment legs took off from an airfield: [lat, lon] by place id."""
    legs = record.table("movements")
    origins = set(legs.loc[legs["phase"].eq("deployment"), "origin_place_id"])
    places = record.places.set_index("id")
    fields = places.loc[sorted(origins)]
    fields = fields[fields["kind"].eq("airfield") & fields.geometry.notna()]
    assert len(fields) >= 5
    return {name: (point.y, point.x) for name, point in fields.geometry.items()}


def open_map(page: Page, app_url: str, day: str) -> tuple[FrameLocator, Frame]:
    """The map of ``day`` with its polygons drawn, and the geometry helpers above installed."""
    frame_locator, frame = open_polygons(page, app_url, day)
    frame.evaluate(GEOMETRY)
    return frame_locator, frame


def click_view(frame_locator: FrameLocator, frame: Frame, index: int) -> None:
    frame.evaluate(
        "() => { window.__moved = false; map_div.once('moveend', () => { window.__moved = true; }); }"
    )
    frame_locator.locator(".kz-views button").nth(index).click()
    frame.wait_for_function("() => window.__moved")


# --- issue 10: the map -----------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2022-01-07", "2022-01-10"])
def test_the_first_view_frames_the_story_and_nothing_covers_it(
    sized_page: Page, app_url: str, day: str, departure_airfields: dict
):
    frame_locator, frame = open_map(sized_page, app_url, day)
    size = frame.evaluate("() => map_div.getSize()")
    first = frame.evaluate("() => __kzGeometry.share()")
    assert first >= 0.20, f"Kazakhstan is {first:.1%} of the map on first load"
    assert frame.evaluate("() => __kzGeometry.shown()") > 0.999
    # Every departure airfield is in view, and under no control.
    legend = legend_of(frame_locator, day)
    if not legend.evaluate("node => node.open"):
        legend.locator("summary").click()
    controls = frame.evaluate("() => __kzGeometry.covered()")
    assert [c for c in controls if c["px"] > 0] == [], "controls over Kazakhstan"
    for name, position in departure_airfields.items():
        x, y = frame.evaluate("p => __kzGeometry.point(p)", list(position))
        assert 0 <= x <= size["x"] and 0 <= y <= size["y"], f"{name} is out of view"
        for control in controls:
            left, top, right, bottom = control["rect"]
            assert not (left <= x <= right and top <= y <= bottom), (
                f"{name} under {control['what']}"
            )
    click_view(frame_locator, frame, 0)
    after = frame.evaluate("() => __kzGeometry.share()")
    assert after >= 0.40, f"Kazakhstan is {after:.1%} of the map after its button"
    print(f"{size['x']}x{size['y']} {day}: Kazakhstan {first:.1%} of the map, {after:.1%} after")


def test_on_10_january_the_days_total_stands_inside_kazakhstan_with_the_trails(
    page: Page, app_url: str
):
    frame_locator, frame = open_map(page, app_url, "2022-01-10")
    total = frame_locator.locator(".kz-label", has_text=re.compile(r"^about 2,030 troops"))
    expect(total).to_have_count(1)
    centre = total.evaluate(
        """node => { const m = map_div.getContainer().getBoundingClientRect();
                      const r = node.getBoundingClientRect();
                      return [r.left + r.width / 2 - m.left, r.top + r.height / 2 - m.top]; }"""
    )
    # The badge and the troops' own circles are in Kazakhstan.
    circles = frame.evaluate(
        """() => { const out = [];
            map_div.eachLayer(l => { if (l instanceof L.CircleMarker && l.options.fillOpacity === 0.6) {
                const p = map_div.latLngToContainerPoint(l.getLatLng()); out.push([p.x, p.y]); } });
            return out; }"""
    )
    assert circles and all(frame.evaluate("p => __kzGeometry.inHost(p)", c) for c in circles)
    assert frame.evaluate("p => __kzGeometry.inHost(p)", centre)
    for day in ("2022-01-11", "2022-01-12"):
        assert frame_locator.locator("path.kz-trail").count() >= 5
        step(page, frame_locator, "ArrowRight", day)
    assert frame_locator.locator("path.kz-trail").count() >= 5


def _luminance(rgb: tuple[int, int, int]) -> float:
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_on_14_january_every_withdrawal_leg_stands_out_from_what_lies_beneath(
    page: Page, app_url: str
):
    _, frame = open_map(page, app_url, "2022-01-14")
    legs = frame.evaluate(
        """() => Array.from(document.querySelectorAll('path.kz-leg-moving')).map(path => {
            const mid = path.getPointAtLength(path.getTotalLength() / 2);
            const m = path.getScreenCTM();
            return {stroke: getComputedStyle(path).stroke, dash: path.getAttribute('stroke-dasharray'),
                    x: m.a * mid.x + m.c * mid.y + m.e, y: m.b * mid.x + m.d * mid.y + m.f};
        }).filter(leg => leg.dash)"""
    )
    assert len(legs) >= 4, legs
    # What lies beneath: the polygons alone (lines, symbols and labels hidden for the shot).
    frame.evaluate(
        """() => document.querySelectorAll('.leaflet-overlay-pane, .leaflet-marker-pane, .leaflet-tooltip-pane,'
            + ' .leaflet-control-container').forEach(p => { p.style.visibility = 'hidden'; })"""
    )
    # The fill, not the borders drawn round it: a leg to the Kyrgyz border ends on one.
    frame.evaluate(
        """() => document.querySelectorAll('.leaflet-kzCountries-pane path, .leaflet-kzRegions-pane path')
            .forEach(p => { p.style.strokeOpacity = '0'; })"""
    )
    offset = page.locator(MAP_FRAME).bounding_box()
    for leg in legs:
        stroke = tuple(int(v) for v in re.findall(r"\d+", leg["stroke"])[:3])
        x, y = offset["x"] + leg["x"], offset["y"] + leg["y"]
        shot = page.screenshot(clip={"x": x - 1, "y": y - 1, "width": 3, "height": 3})
        beneath = _centre_pixel(shot)
        ratio = contrast(stroke, beneath)
        assert ratio >= 3, f"withdrawal leg {stroke} over {beneath}: {ratio:.2f}:1"


def _centre_pixel(png: bytes) -> tuple[int, int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
        return rgb.getpixel((rgb.width // 2, rgb.height // 2))


def test_the_keyboard_reaches_the_downloads_in_25_tabs_and_shapes_are_no_stops(
    page: Page, app_url: str
):
    open_map(page, app_url, "2022-01-10")
    page.get_by_role("slider", name="Date").focus()
    focused = []
    for _ in range(25):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate(
                """() => { let a = document.activeElement;
                    if (a && a.tagName === 'IFRAME') a = a.contentDocument.activeElement;
                    return {tag: a.tagName.toLowerCase(), cls: String(a.className && a.className.baseVal !== undefined ? a.className.baseVal : a.className),
                            name: (a.getAttribute('aria-label') || a.getAttribute('title') || a.textContent || '').trim().slice(0, 60)}; }"""
            )
        )
        if "kz-download" in focused[-1]["cls"]:
            break
    assert "kz-download" in focused[-1]["cls"], focused
    assert not [stop for stop in focused if stop["tag"] == "path"]
    symbols = [stop for stop in focused if "leaflet-marker-icon" in stop["cls"]]
    assert 1 <= len(symbols) <= 20 and all(stop["name"] for stop in symbols)


def test_enter_on_a_symbol_opens_its_card_and_the_frame_names_the_day(page: Page, app_url: str):
    frame_locator, _ = open_map(page, app_url, "2022-01-10")
    title = page.locator(MAP_FRAME).get_attribute("title")
    assert title.startswith(
        "Map: Kazakhstan on 10 January 2022 — about 2,030 CSTO troops, unrest in "
    )
    chip = frame_locator.locator(".leaflet-marker-icon", has_text="RUS · deployed")
    chip.focus()
    chip.press("Enter")
    expect(frame_locator.locator(".leaflet-popup-content")).to_contain_text("Russian contingent")
    step(page, frame_locator, "ArrowRight", "2022-01-11")
    assert "11 January 2022" in page.locator(MAP_FRAME).get_attribute("title")


def test_symbols_at_one_spot_gather_into_a_chip_that_spreads_them_and_almaty_opens_almaty(
    page: Page, app_url: str
):
    frame_locator, frame = open_map(page, app_url, "2022-01-10")
    chip = frame_locator.locator(".kz-chip").filter(has_text=re.compile(r"RUS.* · \d+ sites"))
    expect(chip).to_have_count(1)
    text = chip.inner_text()
    for code in ("RUS", "KGZ", "TJK"):
        assert code in text
    # Clicking Almaty's own circle opens Almaty's card, not a site's or an event's (on 7 January,
    # when Almaty has a card: a calm city has only its tooltip).
    frame_locator, frame = open_map(page, app_url, "2022-01-07")
    point = frame.evaluate(
        """() => { let found = null;
            map_div.eachLayer(l => { if (l instanceof L.CircleMarker && l.getTooltip()
                && l.getTooltip().getContent().textContent.startsWith('Almaty')) found = l; });
            const p = map_div.latLngToContainerPoint(found.getLatLng());
            const box = map_div.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y]; }"""
    )
    offset = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(offset["x"] + point[0], offset["y"] + point[1])
    expect(frame_locator.locator(".leaflet-popup-content .kz-title").first).to_have_text("Almaty")
    frame.evaluate("() => map_div.closePopup()")
    # The chip spreads its members: after its click, each site shows its own badge.
    chip = frame_locator.locator(".kz-chip").filter(has_text=re.compile(r"\d+ sites"))
    frame.evaluate(
        "() => { window.__moved = false; map_div.once('moveend', () => { window.__moved = true; }); }"
    )
    chip.click()
    frame.wait_for_function("() => window.__moved")
    frame.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    # Zoomed in: no chip holds more than one site now (a site and the day's events at the very same
    # place still share one, which lists them).
    texts = frame_locator.locator(".kz-chip").all_inner_texts()
    assert texts and not [t for t in texts if re.search(r"\d+ sites", t)], texts
    frame_locator.locator(".kz-chip").first.click()
    chooser = frame_locator.locator(".leaflet-popup .kz-chooser button")
    expect(chooser.first).to_be_visible()
    chooser.first.click()
    expect(frame_locator.locator(".leaflet-popup-content .kz-sources")).to_be_visible()


# --- issue 11: the page ----------------------------------------------------------------------


def _first_viewport_checks(page: Page, height: int) -> dict[str, float]:
    box = page.locator(MAP_FRAME).bounding_box()
    viewport = page.viewport_size
    headline = page.locator(".kz-headline").bounding_box()
    events = page.locator(".kz-feed li")
    count = min(events.count(), 3)
    bottoms = [
        events.nth(i).bounding_box()["y"] + events.nth(i).bounding_box()["height"]
        for i in range(count)
    ]
    return {
        "map_top": box["y"],
        "map_share": box["width"]
        * min(box["height"], height - box["y"])
        / (viewport["width"] * viewport["height"]),
        "headline_bottom": headline["y"] + headline["height"],
        "events_bottom": max(bottoms, default=0),
        "events": count,
    }


def test_every_day_at_1440_puts_map_headline_and_events_on_the_first_screen(
    browser: Browser, app_url: str
):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    frame_locator, _ = open_day(page, app_url, "date=2022-01-01", "2022-01-01")
    for n in range(1, 21):
        day = f"2022-01-{n:02d}"
        if n > 1:
            step(page, frame_locator, "ArrowRight", day)
        expect(page.locator(".kz-headline")).to_contain_text(f"{n} Jan 2022:")
        figures = _first_viewport_checks(page, 900)
        assert figures["map_top"] <= 230, (day, figures)
        assert figures["map_share"] >= 0.55, (day, figures)
        assert figures["headline_bottom"] <= 900, (day, figures)
        assert figures["events_bottom"] <= 900, (day, figures)
        if figures["events"] == 0:
            expect(page.locator(".kz-feed")).to_contain_text("No events recorded")
    context.close()


def test_at_1280_the_map_and_all_of_kazakhstan_are_on_the_first_screen(
    browser: Browser, app_url: str
):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    _, frame = open_map(page, app_url, "2022-01-07")
    figures = _first_viewport_checks(page, 720)
    assert figures["map_share"] >= 0.45, figures
    box = page.locator(MAP_FRAME).bounding_box()
    assert box["y"] + box["height"] <= 720
    assert frame.evaluate("() => __kzGeometry.shown()") > 0.999
    context.close()


def test_a_plain_first_load_shows_a_leg_under_way_and_unrest(page: Page, app_url: str):
    page.goto(app_url)
    frame_locator = page.frame_locator(MAP_FRAME)
    expect(legend_of(frame_locator, "2022-01-07")).to_be_attached()
    wait_idle(page)
    assert frame_locator.locator(".kz-arrow").count() >= 1
    expect(frame_locator.locator(".kz-legend")).to_contain_text(re.compile(r"Protest \(\d+\)"))


def test_on_a_phone_the_date_and_kazakhstan_show_together_and_one_finger_scrolls_the_page(
    browser: Browser, app_url: str
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    _, frame = open_map(page, app_url, "2022-01-07")
    box = page.locator(MAP_FRAME).bounding_box()
    assert box["y"] <= 220
    expect(page.locator('.st-key-kz-day-bar [data-testid="stSlider"]')).to_be_in_viewport(ratio=1)
    bar = page.locator(".st-key-kz-day-bar").bounding_box()
    # The part of the map that is on screen and not under the bar, in the map's own pixels.
    visible = [0, 0, box["width"], min(box["height"], bar["y"] - box["y"])]
    seen = frame.evaluate("rect => __kzGeometry.shownIn(rect)", visible)
    assert seen >= 0.6, f"{seen:.0%} of Kazakhstan is on screen beside the date control"
    centre = frame.evaluate("() => map_div.getCenter()")
    scroller = page.locator('[data-testid="stMain"]')
    before = scroller.evaluate("node => node.scrollTop")
    # One finger, drawn up the map as a touch screen reports it (Playwright has no swipe of its own).
    session = context.new_cdp_session(page)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8
    session.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
    )
    for i in range(1, 11):
        session.send(
            "Input.dispatchTouchEvent",
            {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 30 * i}]},
        )
        page.wait_for_timeout(20)
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(500)
    after = scroller.evaluate("node => node.scrollTop")
    assert after - before >= 200, (before, after)
    assert frame.evaluate("() => map_div.getCenter()") == centre
    context.close()


def test_downloads_say_what_they_hold_and_follow_the_layer_choice(page: Page, app_url: str):
    open_map(page, app_url, "2022-01-07")
    count = len(geodata.LAYERS)
    day_link = page.locator("a.kz-download").first
    expect(day_link).to_contain_text(f"7 Jan 2022 · {count} layers · GeoJSON")
    name = day_link.get_attribute("download")
    page.get_by_role("button", name=re.compile(r"^Layers")).click()
    page.get_by_role("button", name=re.compile(r"^Remove Guarded sites")).click()
    wait_idle(page)
    expect(page.locator("a.kz-download").first).to_contain_text(f"{count - 1} layers")
    assert page.locator("a.kz-download").first.get_attribute("download") != name
    with page.expect_download() as download_info:
        page.locator("a.kz-download").nth(1).click()
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(table.columns) == list(geodata.STORY_COLUMNS)
    assert set(table["row"]) == {"event", "figure"}
    assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) == len(table) + 1


def test_axe_finds_no_serious_or_critical_violations(page: Page, app_url: str):
    open_map(page, app_url, "2022-01-07")
    results = Axe().run(page)
    serious = [
        (violation["id"], violation["impact"], len(violation["nodes"]))
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == [], results.generate_report()
