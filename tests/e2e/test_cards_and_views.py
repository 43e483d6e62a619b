"""Cards people can read, a legend that waits to be asked for, and view buttons (issue 10, in part).

Measured in Chromium at 1440×900 and 1280×720: widths of popups and tooltips in pixels, what lies
under a popup's sources line, and the map's view before and after the buttons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.e2e.test_map import legend_of, open_day, step

if TYPE_CHECKING:
    from playwright.sync_api import Frame, FrameLocator, Page

pytestmark = pytest.mark.browser

OPEN_POPUP = """iso3 => {
    let opened = false;
    KZ.bases.countries.eachLayer(shape => {
        if (!opened && shape.feature.properties.iso3 === iso3 && shape.getPopup()) {
            shape.openPopup(); opened = true;
        }
    });
    return opened;
}"""
OPEN_CITY_TOOLTIP = """() => {
    let opened = false;
    map_div.eachLayer(layer => {
        if (!opened && layer instanceof L.CircleMarker && layer.getTooltip()) {
            layer.openTooltip(); opened = true;
        }
    });
    return opened;
}"""
# The host's bounding box on screen: how much of the map's width and height it spans, and the share
# of the map's area it covers (clipped to the map).
HOST_BOX = """iso3 => {
    let bounds = null;
    KZ.bases.countries.eachLayer(shape => {
        if (shape.feature.properties.iso3 === iso3) bounds = shape.getBounds();
    });
    const size = map_div.getSize();
    const a = map_div.latLngToContainerPoint(bounds.getNorthWest());
    const b = map_div.latLngToContainerPoint(bounds.getSouthEast());
    const w = Math.max(0, Math.min(b.x, size.x) - Math.max(a.x, 0));
    const h = Math.max(0, Math.min(b.y, size.y) - Math.max(a.y, 0));
    return {span: [(b.x - a.x) / size.x, (b.y - a.y) / size.y], share: (w * h) / (size.x * size.y)};
}"""


def open_map(page: Page, app_url: str, day: str) -> tuple[FrameLocator, Frame]:
    """``open_day`` of the map tests, then wait for the polygons (cards and views need them).

    ``sized_page`` (tests/e2e/conftest.py) gives a page at 1440×900 and at 1280×720.
    """
    frame_locator, frame = open_day(page, app_url, f"date={day}", day)
    frame.wait_for_function("() => KZ.bases.countries.getLayers().length > 0")
    return frame_locator, frame


@pytest.mark.parametrize("day", ["2022-01-07", "2022-01-10"])
def test_popups_and_tooltips_are_wide_enough_to_read(sized_page: Page, app_url: str, day: str):
    frame_locator, frame = open_map(sized_page, app_url, day)
    assert frame.evaluate(OPEN_POPUP, "RUS")
    popup = frame_locator.locator(".leaflet-popup-content-wrapper")
    expect(popup).to_be_visible()
    # Leaflet pans the map to show the card: measure once the pan has ended.
    frame.evaluate(
        "() => new Promise(done => { let last = null; const check = () => {"
        " const box = JSON.stringify(document.querySelector('.leaflet-popup').getBoundingClientRect());"
        " if (box === last) done(); else { last = box; setTimeout(check, 150); } }; check(); })"
    )
    assert popup.bounding_box()["width"] >= 240
    # No word is split: every line of the card is at least as wide as its longest word.
    sources = frame_locator.locator(".leaflet-popup .kz-sources")
    # What a click on the sources line reaches is the popup itself, not a control or the legend.
    assert frame.evaluate(
        """() => {
            const line = document.querySelector('.leaflet-popup .kz-sources').getBoundingClientRect();
            const hit = document.elementFromPoint(line.left + 4, line.top + line.height / 2);
            return !!(hit && hit.closest('.leaflet-popup'));
        }"""
    )
    # Each site is named once, however many of its links back the card.
    sites = [text for text in sources.locator("a").all_inner_texts() if not text.startswith("[")]
    assert len(sites) == len(set(sites))
    frame.evaluate("() => map_div.closePopup()")
    assert frame.evaluate(OPEN_CITY_TOOLTIP)
    tooltip = frame_locator.locator(".leaflet-tooltip").last
    expect(tooltip).to_be_visible()
    assert tooltip.bounding_box()["width"] >= 160


def test_the_legend_waits_closed_on_a_map_narrower_than_1000px(sized_page: Page, app_url: str):
    frame_locator, frame = open_map(sized_page, app_url, "2022-01-07")
    width = frame.evaluate("() => map_div.getSize().x")
    legend = legend_of(frame_locator, "2022-01-07")
    assert legend.evaluate("node => node.open") is (width >= 1000)
    # Rows for nothing are not listed.
    assert not [
        text for text in legend.locator(".kz-legend-row").all_inner_texts() if "(0)" in text
    ]
    # The reader's choice holds for the next day.
    legend.locator("summary").click()
    step(sized_page, frame_locator, "ArrowRight", "2022-01-08")
    assert legend_of(frame_locator, "2022-01-08").evaluate("node => node.open") is not (
        width >= 1000
    )


def test_view_buttons_frame_the_host_and_never_move_the_map_on_their_own(
    sized_page: Page, app_url: str
):
    frame_locator, frame = open_map(sized_page, app_url, "2022-01-07")
    first_share = frame.evaluate(HOST_BOX, "KAZ")["share"]
    buttons = frame_locator.locator(".kz-views button")
    expect(buttons).to_have_text(["Kazakhstan", "Where the troops came from"])
    frame.evaluate(
        "() => { window.__moved = false; map_div.once('moveend', () => { window.__moved = true; }); }"
    )
    buttons.first.click()
    frame.wait_for_function("() => window.__moved")
    # Fitted to the host: its box spans most of the map in the limiting direction. Leaflet zooms in
    # whole steps (each halves the scale) after an 8 % margin, so a fit spans at least 1 / (2 x 1.16).
    box = frame.evaluate(HOST_BOX, "KAZ")
    assert max(box["span"]) >= 0.42
    assert max(box["span"]) <= 1  # the whole host is in view
    print(
        f"host box share of the map: first view {first_share:.1%}, after the button "
        f"{box['share']:.1%}"
    )
    view = frame.evaluate(
        "() => [map_div.getCenter().lat, map_div.getCenter().lng, map_div.getZoom()]"
    )
    step(sized_page, frame_locator, "ArrowRight", "2022-01-08")
    step(sized_page, frame_locator, "ArrowRight", "2022-01-09")
    after = frame.evaluate(
        "() => [map_div.getCenter().lat, map_div.getCenter().lng, map_div.getZoom()]"
    )
    assert after == pytest.approx(view)


VISIBLE_LABELS = """() => Array.from(document.querySelectorAll('.kz-place-label'))
    .filter(node => node.style.visibility !== 'hidden')
    .map(node => { const r = node.getBoundingClientRect();
                   return {text: node.textContent, box: [r.left, r.top, r.right, r.bottom]}; })"""


def test_place_names_are_written_on_the_map_without_overlapping(sized_page: Page, app_url: str):
    frame_locator, frame = open_map(sized_page, app_url, "2022-01-07")
    frame.evaluate(
        "() => { window.__moved = false; map_div.once('moveend', () => { window.__moved = true; }); }"
    )
    frame_locator.locator(".kz-views button").first.click()
    frame.wait_for_function("() => window.__moved")
    # The labels are sorted out on the frame after the move ends.
    frame.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    labels = frame.evaluate(VISIBLE_LABELS)
    names = {label["text"] for label in labels}
    assert {"Almaty", "Nur-Sultan", "Zhanaozen"} <= names, names
    boxes = [label["box"] for label in labels]
    for i, (left, top, right, bottom) in enumerate(boxes):
        for other_left, other_top, other_right, other_bottom in boxes[i + 1 :]:
            assert not (
                left < other_right
                and other_left < right
                and top < other_bottom
                and other_top < bottom
            )
    # Names come from the day's data as text: a name is the very string of the record.
    step(sized_page, frame_locator, "ArrowRight", "2022-01-08")
    assert {label["text"] for label in frame.evaluate(VISIBLE_LABELS)} == names
