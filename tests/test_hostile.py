"""Hostile record text stays text, without a browser: exports, the map's script, the page's HTML, the CLI.

The record comes from ``tests/hostile.py``: every text field carries markup, script, template
syntax, Markdown, control characters or 5,000 characters, and the record still loads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit_folium import _get_feature_group_string

import geodata
from dashboard.assets import MapAssets
from dashboard.leaflet_elements import HelperCall
from dashboard.map_builders import build_base_map, build_day_groups
from geodata.__main__ import main
from tests.hostile import (
    ATTRIBUTION,
    EVALUATED_NAME,
    HOST_NAME,
    HOSTILE_SOURCES,
    LICENCE,
    LONG_TEXTS,
    PAYLOADS,
    POISONED_COLUMNS,
    REJECTED_SOURCES,
    TEMPLATE_SYNTAX,
    TITLE,
    write_hostile_record,
)
from tests.support.day_map import shown_day

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
DAYS = [dt.date(2022, 1, n) for n in (5, 7, 10, 14)]
ASSETS = MapAssets(
    js=(("leaflet", "/component/x/leaflet.js"), ("kz_map", "/component/y/kz_map.js")),
    css=(("leaflet_css", "/component/x/leaflet.css"),),
    countries_url="/component/z/countries.geojson",
    regions_url="/component/z/regions.geojson",
)
# Fragments that may only ever appear inside a JSON string, never as markup or code.
ACTIVE = ("__pwned", "javascript:", "onerror", "onload", "<script", "</script", "<img", "<svg")
# Fragments of the payloads alone (the map's page has script tags of its own).
FROM_RECORD = ("__pwned", "javascript:", "onerror", "evil.example", "{{7*7}}", "**bold**")
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
# What the page's own HTML may contain: record text must never add a tag or an attribute.
PAGE_TAGS = {
    "div",
    "span",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "section",
    "ul",
    "li",
    "strong",
    "small",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
PAGE_ATTRIBUTES = {
    "aria-live",
    "aria-label",
    "aria-hidden",
    "class",
    "id",
    "style",
    "scope",
    "colspan",
}
# The only inline styles the page writes: positions and sizes on the timeline under the slider.
PAGE_STYLE = re.compile(r"left:[\d.]+%(;height:\d+px|;width:[\d.]+%)?")
# A source link opens a record's http(s) URL; a download link saves a file from the app's server.
SOURCE_LINK = {"href", "target", "rel", "class"}
DOWNLOAD_LINK = {"href", "download", "title", "class"}
IN_PAGE_LINK = {"href", "class"}
SAFE_URL = re.compile(geodata.SOURCE_URL_PATTERN)


def strings_in(value: Any) -> list[str]:
    """Every string anywhere in a parsed JSON value (keys and values)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (key, *strings_in(item))]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def assert_only_in_strings(text: str) -> None:
    """Nothing active is left once every JSON string literal is blanked out."""
    outside = JSON_STRING.sub('""', text)
    found = [fragment for fragment in ACTIVE if fragment in outside.lower()]
    assert found == [], f"payload fragments outside JSON strings: {found}"


def city_names(record: geodata.Record) -> list[str]:
    places = record.table("places")
    return list(places.loc[places["kind"].eq("city") & places["country_iso3"].eq("KAZ"), "name"])


# --- the record ------------------------------------------------------------------------------


def test_hostile_record_loads_with_its_text_unchanged(hostile: geodata.Record, hostile_dir: Path):
    """Every poisoned cell reaches the loaded tables verbatim: the loader neither rejects nor cleans it."""
    assert hostile.meta.title == TITLE
    assert hostile.meta.attribution == ATTRIBUTION
    assert hostile.meta.licence == LICENCE
    assert hostile.host_name == HOST_NAME
    for table, columns in POISONED_COLUMNS.items():
        with (hostile_dir / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
            written = list(csv.DictReader(handle))
        loaded = hostile.table(table)
        for column in columns:
            assert list(loaded[column]) == [row[column] for row in written], (table, column)
    names = city_names(hostile)
    assert all(any(payload in name for name in names) for payload in PAYLOADS.values())
    sources = {url for urls in hostile.table("events")["sources"] for url in urls}
    assert set(HOSTILE_SOURCES) <= sources


def test_cli_accepts_the_hostile_record(hostile_dir: Path):
    result = subprocess.run(
        [sys.executable, "-m", "geodata", "--data", str(hostile_dir), "validate"],
        cwd=ROOT, capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()


def test_cli_rejects_a_javascript_source(tmp_path: Path):
    folder = write_hostile_record(tmp_path / "record")
    set_first_source(folder, "events", "javascript:window.__pwned=5")
    result = subprocess.run(
        [sys.executable, "-m", "geodata", "--data", str(folder), "validate"],
        cwd=ROOT, capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    message = result.stderr.decode()
    assert "events.csv, row 2, column 'sources'" in message
    assert "http(s)://" in message


@pytest.mark.parametrize("bad", REJECTED_SOURCES)
@pytest.mark.parametrize("table", ["places", "events", "figures"])
def test_only_http_sources_are_accepted(tmp_path: Path, capsys, table: str, bad: str):
    """A source that is not a plain http(s) URL is rejected, even beside a good one."""
    folder = write_hostile_record(tmp_path / "record")
    set_first_source(folder, table, f"https://example.org/fine {bad}")
    assert main(["--data", str(folder), "validate"]) == 1
    assert f"{table}.csv, row 2, column 'sources'" in capsys.readouterr().err


def set_first_source(folder: Path, table: str, value: str) -> None:
    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["sources"] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_cli_output_carries_no_terminal_control_characters(hostile_dir: Path, capsys):
    """The title and version are record text: ESC, BEL or DEL must not reach the terminal raw."""
    assert main(["--data", str(hostile_dir), "validate"]) == 0
    out = capsys.readouterr().out
    controls = sorted({c for c in out if (ord(c) < 0x20 and c not in "\n\t") or ord(c) == 0x7F})
    assert controls == [], f"raw control characters on the terminal: {controls}"


# --- GeoJSON exports -------------------------------------------------------------------------


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_day_export_keeps_payloads_as_json_string_data(hostile: geodata.Record, day: dt.date):
    body = geodata.feature_collection_bytes(hostile, day)
    text = body.decode("utf-8")
    collection = json.loads(text)
    assert_only_in_strings(text)
    strings = strings_in(collection)
    for payload in PAYLOADS.values():
        assert any(payload in s for s in strings), payload
    for name in city_names(hostile):
        assert name in strings
    metadata = collection["metadata"]
    assert (metadata["dataset"]["title"], metadata["attribution"], metadata["licence"]) == (
        TITLE,
        ATTRIBUTION,
        LICENCE,
    )
    for feature in collection["features"]:
        assert all(re.match(r"^https?://", url) for url in feature["properties"]["sources"])


def test_timeline_export_keeps_every_text_and_source(hostile: geodata.Record):
    text = geodata.timeline_bytes(hostile).decode("utf-8")
    assert_only_in_strings(text)
    strings = set(strings_in(json.loads(text)))
    for long_text in LONG_TEXTS:
        assert long_text in strings
    assert set(HOSTILE_SOURCES) <= strings
    descriptions = set(hostile.table("events")["description"])
    assert descriptions <= strings  # every event, every day: none lost, none altered


# --- the map's script ------------------------------------------------------------------------

HELPER_CALL = re.compile(r"KZ\.(\w+)\((\w+), ")
DAY_HELPERS = {"dayStatus", "points", "lines"}


def helper_calls(html: str) -> tuple[list[tuple[str, Any]], str]:
    """The data of every ``KZ.helper(parent, data);`` call, and the HTML with that data cut out."""
    decoder = json.JSONDecoder()
    calls, pieces, position = [], [], 0
    for match in HELPER_CALL.finditer(html):
        if match.start() < position:
            continue
        data, end = decoder.raw_decode(html, match.end())
        assert html[end : end + 2] == ");", html[match.start() : end + 10]
        calls.append((match.group(1), data))
        pieces.append(html[position : match.end()])
        position = end
    pieces.append(html[position:])
    return calls, "".join(pieces)


def sent_groups(record: geodata.Record, day: dt.date) -> tuple[list[str], list[Any]]:
    """The day's groups as streamlit-folium sends them to the map, and the data given to each helper."""
    snap = geodata.snapshot(record, day)
    base = build_base_map(ASSETS)
    groups = build_day_groups(snap, layers=geodata.LAYERS, force=record.meta.force)
    given = [
        c.data
        for g in groups
        for c in g._children.values()
        if isinstance(c, HelperCall) and c.function in DAY_HELPERS
    ]
    return [_get_feature_group_string(g, map=base, idx=i) for i, g in enumerate(groups)], given


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_map_script_carries_record_text_only_as_json_data(hostile: geodata.Record, day: dt.date):
    """What the map iframe evaluates: no '<' or '>' at all, and every payload inside the helpers' JSON."""
    scripts, given = sent_groups(hostile, day)
    data = []
    for script in scripts:
        assert "<" not in script and ">" not in script
        calls, rest = helper_calls(script)
        assert calls, "no helper call found"
        found = [fragment for fragment in FROM_RECORD if fragment in rest]
        assert found == [], f"payload fragments outside the helpers' JSON data: {found}"
        data.extend(call_data for name, call_data in calls if name in DAY_HELPERS)
    assert "\\u003cscript\\u003ewindow.__pwned=1\\u003c/script\\u003e" in "".join(scripts)
    assert data == json.loads(json.dumps(given))  # nothing lost or altered on the way
    strings = strings_in(data)
    for payload in PAYLOADS.values():
        assert any(payload in s for s in strings), payload
    assert any(HOST_NAME in s for s in strings)  # the legend's note names the host


def test_full_folium_render_keeps_template_syntax_as_text(hostile: geodata.Record):
    """Map.save or _repr_html_ render the figure twice over: "{{7*7}}" must still not become "49"."""
    snap = geodata.snapshot(hostile, dt.date(2022, 1, 10))
    cities = build_day_groups(snap, layers=("city",), force=hostile.meta.force)[1]
    cities.add_to(build_base_map(ASSETS))
    calls, _ = helper_calls(cities.get_root().render())
    assert any(PAYLOADS["template"] in s for s in strings_in([data for _, data in calls]))


# --- the page (AppTest) ----------------------------------------------------------------------


class Page(HTMLParser):
    """Tags, attributes, links and text of an HTML fragment, as a browser would parse it."""

    def __init__(self, body: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.links: list[dict[str, str]] = []
        self.styles: list[str] = []
        self.chunks: list[str] = []
        self.feed(body)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "a":
            self.links.append({name: value or "" for name, value in attrs})
        else:
            self.attributes.update(name for name, _ in attrs)
            self.styles.extend(value or "" for name, value in attrs if name == "style")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def check_link(link: dict[str, str]) -> None:
    """A source link to an http(s) URL, or a download link to a plainly named file on the app's server."""
    if link.get("href", "").startswith("#"):
        assert set(link) <= IN_PAGE_LINK, link
        assert re.fullmatch(r"#[a-z-]+", link["href"]), link
    elif "download" in link:
        assert set(link) <= DOWNLOAD_LINK, link
        assert re.fullmatch(r"[A-Za-z0-9_.-]+\.(geojson|csv|html)", link["download"]), link
        served_file = r"/kz/export/[\w-]+/" + re.escape(link["download"]) + r"\?[\w=&%.,-]+"
        assert re.fullmatch(served_file, link["href"]), link
    else:
        assert set(link) <= SOURCE_LINK, link
        assert SAFE_URL.match(link["href"]), link


@pytest.fixture(scope="module")
def app(hostile_dir: Path) -> AppTest:
    """The page on the hostile record; each test sets ``KZ_RECORD_DIR`` again for its own runs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KZ_RECORD_DIR", str(hostile_dir))
        app = AppTest.from_file(APP, default_timeout=60)
        app.query_params["date"] = DAYS[0].isoformat()
        app.run()
    return app


def feature_group(app: AppTest) -> str:
    return json.loads(app.get("component_instance")[0].proto.json_args)["feature_group"]


def html_blocks(app: AppTest) -> list[Page]:
    """The page's HTML blocks that carry text (not its own style sheet, which holds no record text)."""
    return [
        Page(element.proto.body)
        for element in app.get("html")
        if not element.proto.body.startswith("<style>")
    ]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_page_shows_record_text_as_text(
    app: AppTest, hostile: geodata.Record, hostile_dir: Path, day: dt.date, monkeypatch
):
    """Title, story, figures and About are escaped HTML that reads back as the record's very text."""
    monkeypatch.setenv("KZ_RECORD_DIR", str(hostile_dir))
    app.slider(key="date").set_value(day).run()
    assert not app.exception, app.exception
    assert not app.error
    blocks = html_blocks(app)
    for block in blocks:
        assert block.tags <= PAGE_TAGS, block.tags - PAGE_TAGS
        assert block.attributes <= PAGE_ATTRIBUTES, block.attributes - PAGE_ATTRIBUTES
        assert all(PAGE_STYLE.fullmatch(style) for style in block.styles), block.styles
        for link in block.links:
            check_link(link)
    assert any("download" in link for block in blocks for link in block.links)
    text = "\n".join(block.text for block in blocks)
    for meta_text in (TITLE, ATTRIBUTION, LICENCE):
        assert meta_text in text  # decoded from escaped HTML back to the very same text
    snap = geodata.snapshot(hostile, day)
    for feature in snap.layers["event"]:
        props = feature.properties
        for value in (props["name"], props["time_local"], props["place"]):
            if value:
                assert value in text
    for row in snap.latest_figures.values():
        assert row["attributed_to"] in text
    for feature in snap.contributors:
        assert feature.properties["name"] in text  # the troops table, as text
    script = feature_group(app)
    assert not re.search(r"<\s*/?\s*(script|img|svg|iframe|style)", script, re.IGNORECASE)
    assert shown_day(script, day)["date"] == day.isoformat()


def test_file_names_carry_no_record_text(hostile: geodata.Record):
    """The record's slug names the downloads: only letters, digits, hyphens and underscores survive."""
    assert re.fullmatch(r"[A-Za-z0-9_-]+", hostile.meta.slug), hostile.meta.slug


def test_a_broken_hostile_record_is_reported_as_text(tmp_path: Path, monkeypatch):
    """An invalid cell full of markup is shown in the error list (st.code), not rendered."""
    folder = write_hostile_record(tmp_path / "record")
    path = folder / "events.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[1][rows[0].index("date")] = PAYLOADS["script"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    monkeypatch.setenv("KZ_RECORD_DIR", str(folder))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert "could not be loaded" in app.error[0].value
    assert repr(PAYLOADS["script"]) in app.code[0].value
    # Only the page's own style sheet: no record text was rendered as HTML.
    assert all(element.proto.body.startswith("<style>") for element in app.get("html"))


# --- record text is never a Jinja template ------------------------------------------------------
# Branca compiles (and, for the base map, renders) every element's script output again as a Jinja
# template; dashboard/leaflet_elements.py:script_json escapes the braces that would open a tag.


def start_on(folder: Path, monkeypatch: pytest.MonkeyPatch, day: str = "2022-01-10") -> AppTest:
    monkeypatch.setenv("KZ_RECORD_DIR", str(folder))
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["date"] = day
    return app.run()


@pytest.mark.parametrize("syntax", TEMPLATE_SYNTAX)
def test_template_syntax_in_record_text_is_only_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syntax: str
):
    """A city named with broken Jinja syntax is drawn like any other, not a TemplateSyntaxError."""
    folder = write_hostile_record(tmp_path / "record")
    path = folder / "places.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[1][rows[0].index("name")] = f"{syntax} Zhanaozen"  # a city: on the map every day
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    app = start_on(folder, monkeypatch)
    assert not app.exception
    assert f"{syntax} Zhanaozen" in strings_in(
        shown_day(feature_group(app), dt.date(2022, 1, 10))
    )  # arrives verbatim


def test_boundary_file_names_are_never_run_as_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A boundary file named like a Jinja expression (as an uploaded zip may) never runs on the server."""
    folder = write_hostile_record(tmp_path / "record")
    boundaries = folder / "boundaries"
    (boundaries / "countries.geojson").rename(boundaries / EVALUATED_NAME)
    toml = (folder / "record.toml").read_text(encoding="utf-8")
    toml = toml.replace("boundaries/countries.geojson", f"boundaries/{EVALUATED_NAME}")
    (folder / "record.toml").write_text(toml, encoding="utf-8")
    assert geodata.load_record(folder).boundary_files["countries"].name == EVALUATED_NAME
    os.environ.pop("KZ_HOSTILE_TEMPLATE_RAN", None)
    try:
        app = start_on(folder, monkeypatch)
        ran = os.environ.get("KZ_HOSTILE_TEMPLATE_RAN")
    finally:
        os.environ.pop("KZ_HOSTILE_TEMPLATE_RAN", None)
    assert not app.exception
    assert ran is None, "a record's file name was run as Python on the server"
