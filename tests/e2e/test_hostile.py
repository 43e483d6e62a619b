"""A hostile record in a real browser: its text stays text and no script of it runs, page or map iframe.

A second dashboard server shows the record written by ``tests/hostile.py``. An init script in every
frame traps ``window.__pwned`` (every payload assigns it), wraps ``alert``/``confirm``/``prompt``, and
watches the DOM for event-handler attributes, script-bearing URLs and scripts that mention
``__pwned``; all of it lands in ``window.__pwnedLog``, which must stay empty.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

import geodata
from dashboard.leaflet_elements import HelperCall
from dashboard.map_builders import GROUP_NAMES, build_day_groups
from tests.e2e.test_map import open_day, step, wait_idle
from tests.hostile import (
    ATTRIBUTION,
    FORCE,
    HOST_NAME,
    LICENCE,
    PAYLOADS,
    TIMEZONE,
    TITLE,
    TROOPS_NOTE,
    VERSION,
)
from tests.support.browser import MAP_FRAME, running_app

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Frame, FrameLocator, Page

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)

DAYS = ("2022-01-05", "2022-01-07", "2022-01-10", "2022-01-14")
# Each day is reached by one slider step: the day's markers are then drawn above the polygons
# (on a fresh page the polygons arrive last and cover the circle markers).
HTTP = re.compile(r"^https?://")

TRAP = r"""(() => {
  // An iframe's first document (about:blank) hands its window on to the page loaded into it: the
  // window's trap carries over, but the new document needs its own watch. The init script did not
  // run again for streamlit-folium's document, so the tests also run this script in the map frame.
  if (!Array.isArray(window.__pwnedLog)) {
    const log = [];
    Object.defineProperty(window, "__pwnedLog", { value: log });
    let last;
    Object.defineProperty(window, "__pwned", {
      get() { return last; },
      set(value) { last = value; log.push("__pwned=" + String(value)); },
    });
    for (const name of ["alert", "confirm", "prompt"]) {
      const original = window[name];
      window[name] = function (...args) {
        log.push(name + ": " + args.join(" "));
        return original.apply(this, args);
      };
    }
  }
  if (document.__pwnedWatched) return;
  Object.defineProperty(document, "__pwnedWatched", { value: true });
  const log = window.__pwnedLog;
  const URL_ATTRIBUTES = ["src", "href", "srcdoc", "action", "formaction", "data", "xlink:href", "poster"];
  const inspect = (element) => {
    for (const name of element.getAttributeNames()) {
      const value = element.getAttribute(name) || "";
      if (name.startsWith("on")) log.push(`handler <${element.localName} ${name}="${value.slice(0, 80)}">`);
      if (URL_ATTRIBUTES.includes(name) && !/^https?:\/\//i.test(value) &&
          /__pwned|evil\.example|^\s*(javascript|vbscript|data:text)/i.test(value))
        log.push(`url <${element.localName} ${name}="${value.slice(0, 80)}">`);
      if (name === "src" && /evil\.example/i.test(value)) log.push(`fetch <${element.localName} src="${value}">`);
    }
    if (element.localName === "script" && element.textContent.includes("__pwned"))
      log.push("script mentioning __pwned");
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes") inspect(record.target);
      for (const node of record.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        inspect(node);
        node.querySelectorAll("*").forEach(inspect);
      }
    }
  }).observe(document, { childList: true, subtree: true, attributes: true });
  document.querySelectorAll("*").forEach(inspect);  // what is there already
})();"""

TRAP_STATE = "() => ({installed: Array.isArray(window.__pwnedLog), log: window.__pwnedLog || [], pwned: typeof window.__pwned})"

# Every tooltip and popup bound to the map (opened or not), and the legend.
SWEEP = r"""() => {
  const cards = [], problems = [];
  const take = (kind, content) => {
    if (content === undefined || content === null) return;
    if (!(content instanceof Element)) {
      problems.push(`${kind} content is a ${typeof content}: ${String(content).slice(0, 80)}`);
      return;
    }
    const nodes = [content, ...content.querySelectorAll("*")];
    cards.push({
      kind,
      text: content.textContent,
      tags: [...new Set(nodes.map((n) => n.localName))],
      attributes: [...new Set(nodes.flatMap((n) => n.getAttributeNames()))],
      hrefs: Array.from(content.querySelectorAll("a"), (a) => a.getAttribute("href")),
    });
  };
  map_div.eachLayer((layer) => {
    if (layer.getTooltip && layer.getTooltip()) take("tooltip", layer.getTooltip().getContent());
    if (layer.getPopup && layer.getPopup()) take("popup", layer.getPopup().getContent());
  });
  const legend = document.querySelector(".kz-legend");
  return {cards, problems, legend: legend && legend.textContent};
}"""

# A point (in the frame's viewport) well inside a layer of ``which`` that has a popup: the layer is
# topmost there and all around it, so hovering it does not move the pointer onto a neighbour.
FIND_TARGET = r"""(which) => {
  let layers = [];
  if (which === "countries" || which === "regions") layers = KZ.bases[which].getLayers();
  else {
    const group = KZ.groups[which];
    if (group && map_div.hasLayer(group)) layers = group.getLayers();
  }
  const on = (element, x, y) => {
    if (x < 1 || y < 1 || x >= innerWidth - 1 || y >= innerHeight - 1) return false;
    const hit = document.elementFromPoint(x, y);
    return !!hit && (hit === element || element.contains(hit));
  };
  const container = map_div.getContainer().getBoundingClientRect();
  for (const layer of layers) {
    if (!(layer.getPopup && layer.getPopup() && layer.getElement && layer.getElement())) continue;
    const element = layer.getElement();
    const popup = layer.getPopup().getContent().textContent;
    if (layer instanceof L.Polyline && !(layer instanceof L.Polygon)) {
      // A leg is a thin curved line (in pixels): walk along its segments, through its middle part.
      const points = layer.getLatLngs().map((p) => map_div.latLngToContainerPoint(p));
      for (let i = Math.floor(points.length * 0.2); i < Math.ceil(points.length * 0.8) - 1; i++) {
        const [a, b] = [points[i], points[i + 1]];
        const x = container.left + (a.x + b.x) / 2, y = container.top + (a.y + b.y) / 2;
        const dx = (b.x - a.x) * 0.1, dy = (b.y - a.y) * 0.1;
        if (on(element, x, y) && on(element, x + dx, y + dy) && on(element, x - dx, y - dy)) return {x, y, popup};
      }
      continue;
    }
    const box = element.getBoundingClientRect();
    const margin = Math.max(1, Math.min(6, Math.min(box.width, box.height) / 4));
    const step = Math.max(1, Math.min(box.width, box.height) / 8);
    for (let y = box.top + margin; y <= box.bottom - margin; y += step) {
      for (let x = box.left + margin; x <= box.right - margin; x += step) {
        const around = [[0, 0], [margin, 0], [-margin, 0], [0, margin], [0, -margin]];
        if (around.every(([dx, dy]) => on(element, x + dx, y + dy))) {
          return {x, y, popup};
        }
      }
    }
  }
  return null;
}"""


AT_POINT = """([x, y]) => {
  const hit = document.elementFromPoint(x, y);
  return {hit: hit && `${hit.localName}.${hit.getAttribute("class")}`,
          open: !!(map_div._popup && map_div.hasLayer(map_div._popup)),
          popups: document.querySelectorAll(".leaflet-popup").length};
}"""


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_url(hostile_dir: Path) -> Iterator[str]:
    """A second dashboard server, showing the hostile record."""
    with running_app(env={"KZ_RECORD_DIR": str(hostile_dir)}) as url:
        yield url


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    """Dialogs opened by the page (dismissed); the trap installed in every frame of the context."""
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    page.context.add_init_script(script=TRAP)
    return opened


# --- helpers ---------------------------------------------------------------------------------


def watch(frame: Frame) -> None:
    """Make sure the trap watches the frame's current document (a no-op when it does already)."""
    frame.evaluate(TRAP)
    assert frame.evaluate("() => document.__pwnedWatched === true")


def open_watched(page: Page, url: str, day: str) -> tuple[FrameLocator, Frame]:
    frame_locator, frame = open_day(page, url, f"date={day}", day)
    watch(frame)
    return frame_locator, frame


def assert_nothing_ran(page: Page, frame: Frame, dialogs: list[str], where: str) -> None:
    assert dialogs == [], f"{where}: dialogs opened: {dialogs}"
    for name, target in (("page", page.main_frame), ("map iframe", frame)):
        state = target.evaluate(TRAP_STATE)
        assert state["installed"], f"{where}: the trap is missing in the {name}"
        assert state["log"] == [], f"{where}: in the {name}: {state['log']}"
        assert state["pwned"] == "undefined", f"{where}: window.__pwned is set in the {name}"
    for other in page.frames:
        state = other.evaluate(TRAP_STATE)
        assert state["log"] == [], f"{where}: in frame {other.url}: {state['log']}"


def shown_strings(value: Any, key: str | None = None) -> Iterator[str]:
    """The strings of helper data that the map shows as text (titles, lines, notes, headings)."""
    if isinstance(value, str):
        if key in {"title", "lines", "note", "notes", "heading"}:
            yield value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from shown_strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from shown_strings(item, key)


def expected_map_text(record: geodata.Record, day: str) -> set[str]:
    """Every string the day's map must show verbatim: helper data, and every country and region name."""
    snap = geodata.snapshot(record, dt.date.fromisoformat(day))
    strings = set()
    for group in build_day_groups(snap, layers=geodata.LAYERS, force=record.meta.force):
        for child in group._children.values():
            if isinstance(child, HelperCall):
                strings.update(shown_strings(child.data))
    strings.update(record.countries["name"])
    strings.update(record.regions["name"])
    return {text for text in strings if text}


def frame_origin(page: Page) -> tuple[float, float]:
    box = page.locator(MAP_FRAME).bounding_box()
    assert box is not None
    return box["x"], box["y"]


def hover_and_click(
    page: Page, frame_locator: FrameLocator, frame: Frame, which: str
) -> str | None:
    """Hover a feature of ``which`` with the mouse (tooltip), click it (popup); the popup's text."""
    # Leaflet focuses the map on the first mousedown, which scrolls the page: focus it beforehand.
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    frame.evaluate("() => map_div.getContainer().focus({preventScroll: true})")
    # A popup would pan the map to fit (slow, and features would move): keep the view still.
    frame.evaluate("() => { L.Popup.prototype.options.autoPan = false; }")
    if which == "regions":
        # Whichever polygon file arrives last is drawn on top: the countries may cover the regions.
        frame.evaluate("() => { KZ.bases.regions.bringToFront(); }")
    popups = frame_locator.locator(".leaflet-popup")
    popup = frame_locator.locator(".leaflet-popup-content")
    missed = []
    for _attempt in range(3):  # a click that lands while the page still settles is tried again
        target = frame.evaluate(FIND_TARGET, which)
        if target is None:
            return None
        left, top = frame_origin(page)
        x, y = left + target["x"], top + target["y"]
        page.mouse.move(x, y)
        tooltip = frame_locator.locator(".leaflet-tooltip").last
        expect(tooltip).to_be_visible()
        assert any(payload in (tooltip.text_content() or "") for payload in PAYLOADS.values())
        expect(popups).to_have_count(0)  # a closed popup fades out for a moment first
        page.mouse.click(x, y)
        try:
            expect(popup).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            missed.append(frame.evaluate(AT_POINT, [target["x"], target["y"]]))
            frame.evaluate("() => { map_div.closePopup(); }")
            page.mouse.move(left + 5, top + 5)
    else:
        pytest.fail(f"clicking {which} opened no popup: {missed}")
    text = popup.text_content() or ""
    assert text == target["popup"]
    frame.evaluate("() => { map_div.closePopup(); }")
    page.mouse.move(left + 5, top + 5)
    expect(popups).to_have_count(0)
    return text


def check_map_cards(frame: Frame, expected: set[str], day: str) -> list[dict]:
    sweep = frame.evaluate(SWEEP)
    assert sweep["problems"] == [], sweep["problems"]
    cards = sweep["cards"]
    assert len(cards) > 40, f"{day}: only {len(cards)} tooltips and popups"
    for card in cards:
        assert set(card["tags"]) <= {"div", "span", "a"}, card["tags"]
        assert set(card["attributes"]) <= {"class", "href", "target", "rel"}, card["attributes"]
        assert all(HTTP.match(href or "") for href in card["hrefs"]), card["hrefs"]
    shown = "\n".join([card["text"] for card in cards] + [sweep["legend"] or ""])
    missing = sorted(text[:60] for text in expected if text not in shown)
    assert missing == [], f"{day}: record text not shown verbatim on the map: {missing}"
    assert f"{FORCE} troops in {HOST_NAME}" in sweep["legend"]
    return cards


def check_anchors(page: Page, frame: Frame) -> None:
    """Every link in the map iframe and in the page's HTML blocks is http(s), resolved and as written."""
    in_frame = frame.evaluate(
        "() => Array.from(document.querySelectorAll('a'), a => [a.getAttribute('href'), a.protocol])"
    )
    assert in_frame, "no links in the map iframe"
    for raw, protocol in in_frame:
        assert protocol in ("http:", "https:"), (raw, protocol)
    written = page.locator('[data-testid="stHtml"] a').evaluate_all(
        "nodes => nodes.map(a => [a.getAttribute('href'), a.protocol, a.getAttribute('download')])"
    )
    assert written, "no links in the page's HTML"
    for raw, protocol, download in written:
        assert protocol in ("http:", "https:"), (raw, protocol)
        if raw in ("#story",):  # the page's own "skip the map" links
            continue
        if download is None:  # a source: the record's own http(s) URL
            assert HTTP.match(raw or ""), raw
        else:  # a download: a plainly named file on the app's own server
            assert re.fullmatch(r"[A-Za-z0-9_.-]+\.(geojson|csv|html)", download), download
            assert (raw or "").startswith("/kz/export/"), raw
    every = page.locator("a").evaluate_all("nodes => nodes.map(a => a.href ? a.protocol : 'none:')")
    assert set(every) <= {"http:", "https:", "none:"}, every


def check_story(page: Page, record: geodata.Record, day: str) -> None:
    section = page.locator('section[aria-label="What happened this day"]')
    expect(section).to_be_visible()
    text = section.text_content() or ""
    snap = geodata.snapshot(record, dt.date.fromisoformat(day))
    assert snap.layers["event"], day
    for feature in snap.layers["event"]:
        props = feature.properties
        for value in (props["name"], props["time_local"], props["place"]):
            if value:
                assert value in text, (day, value[:60])
    figures = page.locator("section.kz-figures")
    figures_text = figures.text_content() or ""
    for row in snap.latest_figures.values():
        assert row["attributed_to"] in figures_text
        if row["qualifier"]:
            assert row["qualifier"] in figures_text
    anchors = [
        *section.locator("a").evaluate_all("nodes => nodes.map(a => a.getAttribute('href'))"),
        *figures.locator("a").evaluate_all("nodes => nodes.map(a => a.getAttribute('href'))"),
    ]
    assert anchors and all(HTTP.match(href) for href in anchors), anchors


# --- tests -----------------------------------------------------------------------------------


def test_hostile_text_stays_text_and_never_runs(
    page: Page,
    hostile_url: str,
    hostile: geodata.Record,
    dialogs: list[str],
    left_host: list[str],
) -> None:
    """Several days: every tooltip, popup, the legend, the story and the title show the payloads as text."""
    popups_opened, clicked = 0, set()
    for day in DAYS:
        before = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
        frame_locator, frame = open_watched(page, hostile_url, before)
        frame.wait_for_function(
            "() => KZ.bases.countries.getLayers().length > 0 && KZ.bases.regions.getLayers().length > 0"
        )
        assert_nothing_ran(page, frame, dialogs, f"{before}, loaded")
        step(page, frame_locator, "ArrowRight", day)
        assert_nothing_ran(page, frame, dialogs, f"{day}, one step later")

        title = page.locator('[data-testid="stHtml"] h1').first
        assert title.text_content() == TITLE
        assert PAYLOADS["script"] in page.title()
        check_story(page, hostile, day)

        legend = frame_locator.locator(".kz-legend")
        if legend.get_attribute("open") is None:
            legend.locator("summary").click()
        expect(legend).to_have_attribute("open", "")
        expect(frame_locator.locator(".leaflet-control-layers")).to_have_count(0)

        # Spread the symbols that share a spot (chips are tested in test_first_screen.py), so that
        # every site's own card can be clicked.
        frame.evaluate("() => { KZ.GATHER_PX = -1; map_div.fire('zoomend'); }")
        frame.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
        for which in (
            GROUP_NAMES["city"],
            GROUP_NAMES["site"],
            GROUP_NAMES["event"],
            GROUP_NAMES["movement"],
            "countries",
            "regions",
        ):
            if which == GROUP_NAMES["site"]:
                # Almaty's sites lie a few kilometres apart: close up, each badge stands alone.
                frame.evaluate(
                    "() => new Promise(done => { map_div.once('moveend', () =>"
                    " requestAnimationFrame(() => requestAnimationFrame(done)));"
                    " map_div.setView([43.4, 77.0], 9, {animate: false}); })"
                )
            text = hover_and_click(page, frame_locator, frame, which)
            if which == GROUP_NAMES["site"]:
                frame.evaluate(
                    "() => new Promise(done => { map_div.once('moveend', () =>"
                    " requestAnimationFrame(() => requestAnimationFrame(done)));"
                    " map_div.setView([48, 60], 4, {animate: false}); })"
                )
            if text is not None:
                popups_opened += 1
                clicked.add(which)
                assert any(payload in text for payload in PAYLOADS.values()), (day, which)

        check_map_cards(frame, expected_map_text(hostile, day), day)
        check_anchors(page, frame)
        assert_nothing_ran(page, frame, dialogs, f"{day}, after hovering and clicking")

    assert popups_opened >= 3 * len(DAYS), f"only {popups_opened} popups opened by clicking"
    assert len(clicked) == 6, f"no popup opened for some kinds of feature: only {clicked}"
    assert left_host == [], f"requests tried to leave the host: {left_host}"


def test_about_and_download_keep_the_text(
    page: Page, hostile_url: str, dialogs: list[str], left_host: list[str]
) -> None:
    """About the data shows the record's metadata as text; Download GeoJSON keeps every payload intact."""
    _, frame = open_watched(page, hostile_url, "2022-01-10")
    about = page.get_by_test_id("stExpander").filter(has_text="About the data")
    about.get_by_text("About the data").click()
    expect(about.get_by_test_id("stHtml")).to_be_visible()
    shown = about.get_by_test_id("stHtml").text_content() or ""
    for text in (TITLE, VERSION, ATTRIBUTION, LICENCE, TIMEZONE):
        assert text in shown, text[:60]

    with page.expect_download() as download_info:
        page.locator("a.kz-download").first.click()
    download = download_info.value
    assert download.failure() is None
    name = download.suggested_filename
    assert "2022-01-10" in name
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", name) and ".." not in name, name
    # A link download emits no page response: ask the server for the same URL to read its headers.
    response = page.request.get(download.url)
    assert response.ok
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = json.loads(Path(download.path()).read_bytes())
    strings: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(collection)
    for payload in PAYLOADS.values():
        assert any(payload in s for s in strings), payload
    assert collection["metadata"]["dataset"]["title"] == TITLE
    wait_idle(page)
    assert_nothing_ran(page, frame, dialogs, "after About and the download")
    assert left_host == [], f"requests tried to leave the host: {left_host}"


def test_the_trap_catches_an_injection(page: Page, hostile_url: str, dialogs: list[str]) -> None:
    """Control experiment: markup injected on purpose is caught, so an empty log means something."""
    _, frame = open_watched(page, hostile_url, "2022-01-10")
    for target in (page.main_frame, frame):
        target.evaluate(
            """() => document.body.insertAdjacentHTML("beforeend",
                '<img src="x" onerror="window.__pwned=2; alert(2)">')"""
        )
        target.wait_for_function("() => window.__pwnedLog.includes('__pwned=2')")
        log = target.evaluate("() => window.__pwnedLog")
        assert any(entry.startswith("handler <img onerror=") for entry in log), log
        assert "alert: 2" in log
        assert target.evaluate("() => window.__pwned") == 2
    assert dialogs == ["2", "2"]


def test_troops_heading_and_note_show_record_text_as_text(
    page: Page, hostile_url: str, dialogs: list[str], left_host: list[str]
) -> None:
    """The troops heading and note are record text: no bold, links, images or maths of theirs."""
    _, frame = open_watched(page, hostile_url, "2022-01-10")
    texts = " ".join(
        " ".join((t or "").split()) for t in page.get_by_test_id("stHtml").all_text_contents()
    )
    assert " ".join(f"{FORCE} troops in {HOST_NAME}".split()) in texts
    assert " ".join(TROOPS_NOTE.split()) in texts
    metric = page.get_by_test_id("stMetric")
    assert metric.locator("img, a, em, strong, code, .katex").count() == 0
    assert_nothing_ran(page, frame, dialogs, "troops heading")
    assert left_host == [], f"record text made the page fetch: {left_host}"
