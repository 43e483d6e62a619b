"""A hostile but valid record: every text field that reaches the page carries markup, script or noise.

``write_hostile_record(folder)`` copies the bundled record into ``folder`` and poisons the text of
every table the dashboard shows (names, notes, descriptions, statuses, attributions …), every text
of ``record.toml`` (title, version, attribution, licence, timezone, force, troops_note, slug), and
the names in its own copies of the boundary files.
Ids, dates, numbers and choices stay valid, so the record loads; some rows gain an extra source
that is a valid http(s) URL carrying a payload in its path or query.

Every payload is harmless if it ever ran: it only assigns ``window.__pwned`` (or calls ``alert``),
which the browser tests trap and record.
"""

from __future__ import annotations

import csv
import json
import shutil
import tomllib
from pathlib import Path

import geodata

# Sixteen payloads: the sixteen host cities carry one each, so every payload is on the map every day.
PAYLOADS: dict[str, str] = {
    "script": "<script>window.__pwned=1</script>",
    "img": '<img src=x onerror="window.__pwned=2">',
    "svg": '"><svg onload=window.__pwned=3>',
    "close_script": "</script><script>window.__pwned=4</script>",
    "template": "{{7*7}} {{ unclosed {% if %} {# open ${7*7} #{7*7} {0} {name} %s",
    "js_url": "javascript:window.__pwned=5",
    "md_link": "[click](javascript:window.__pwned=6) ![beacon](https://evil.example/beacon.png)",
    "markup": "**bold** _it_ <b>b</b> `code` # heading",
    "attribute": "' onmouseover='window.__pwned=8' data-x='",
    "entity": "&lt;img src=x onerror=window.__pwned=9&gt; &amp;amp; &#60;b&#62;",
    "iframe": '<iframe srcdoc="<script>parent.__pwned=10</script>"></iframe>',
    "alert": "<svg/onload=alert('pwned')><details open ontoggle=alert(2)>",
    "controls": "\u202eRTL override\u202c zero\u200bwidth\ufeff \x1b[31mESC\x07BEL\x7fDEL \u2028LS\u2029PS\ttab\x0bVT\x0cFF",
    "newline": "first line\nsecond line <br> third",
    "style": "<style>body{display:none}</style><link rel=stylesheet href=//evil.example/x.css>",
    "dollar": "$& $' $` $1 \\u003c \\x3c </ script>",
}
# Jinja syntax, most of it broken: record text must reach the map as text, never as a template.
TEMPLATE_SYNTAX = ("{{ unclosed", "{% if %}", "{# open comment", "{{ 7*7 }}{% endfor %}")
# A file name that Jinja would run as Python: sets an environment variable if it is ever rendered.
EVALUATED_NAME = (
    "{{ cycler.__init__.__globals__.os.environ.setdefault("
    "dict(KZ_HOSTILE_TEMPLATE_RAN=1)|first, dict(yes=1)|first) }}.geojson"
)
# 5,000 characters each: one with spaces (wraps), one without (must not break the layout or the app).
LONG_WORDS = ("hostile long text " * 300)[:4999] + "!"
LONG_WORD = "W" * 5000
LONG_TEXTS = (LONG_WORDS, LONG_WORD)

# Valid http(s) URLs (the schema accepts them) that carry a payload: links must stay plain links.
HOSTILE_SOURCES = (
    "https://example.org/?q=%3Cscript%3Ewindow.__pwned=7%3C/script%3E",
    "https://example.org/?next=javascript:window.__pwned=7",
    "http://example.org/[click](javascript:window.__pwned=6)",
    "https://example.org/{{7*7}}/${7*7}?a=1&b=2;c=%22onmouseover=window.__pwned=7",
    "https://example.org/\u202etxt.exe?x=`backtick`",
)
# Sources the schema must reject: only http(s) links may ever become anchors.
REJECTED_SOURCES = (
    "javascript:window.__pwned=5",
    "JavaScript:window.__pwned=5",
    "https://example.org/?q=<script>window.__pwned=7</script>",
    'https://example.org/"onmouseover="window.__pwned=7',
    "https://example.org/'onmouseover='window.__pwned=7",
    "data:text/html,<script>window.__pwned=7</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "HTTPS://example.org/shouting",
    "ftp://example.org/file",
)

# The text columns of each table that reach the page, the map or an export.
POISONED_COLUMNS: dict[str, tuple[str, ...]] = {
    "places": ("name", "note"),
    "contingents": ("name", "units", "troops_note", "commander", "note"),
    "phases": ("note",),
    "presence": ("note",),
    "movements": ("means", "note"),
    "emergencies": ("note",),
    "unrest": ("status", "note"),
    "events": ("time_local", "description", "note"),
    "figures": ("qualifier", "attributed_to", "note"),
}

TITLE = f"{PAYLOADS['script']} Kazakhstan {PAYLOADS['img']} {PAYLOADS['template']} {PAYLOADS['controls']}"
ATTRIBUTION = f"{PAYLOADS['close_script']} {PAYLOADS['md_link']} {PAYLOADS['markup']}"
LICENCE = f"{PAYLOADS['svg']} {PAYLOADS['js_url']} {PAYLOADS['entity']}"
TIMEZONE = f"{PAYLOADS['attribute']} {PAYLOADS['dollar']}"
VERSION = "2026.11.30 <i>v</i>"
# Text that the page puts into a metric's label and help, where Streamlit reads Markdown. The image
# is only in the help (shown on hover), so that loading the page alone fetches nothing from outside.
FORCE = f"[click](javascript:window.__pwned=6) **bold** :red[red] $x^2$ {PAYLOADS['script']}"
TROOPS_NOTE = (
    f"{PAYLOADS['markup']} ![beacon](https://evil.example/troops-note.png) {PAYLOADS['img']}"
)
SLUG = "../../etc/passwd <script>x</script>"
HOST_NAME = f"{PAYLOADS['markup']} {PAYLOADS['img']} Kazakhstan"

_ORDER = tuple(PAYLOADS.values())


def payload_for(row: int, column: int) -> str:
    """The payload of a cell: row by row through all payloads, each column shifted by three."""
    return _ORDER[(row + 3 * column) % len(_ORDER)]


def poisoned(original: str, row: int, column: int, name: str) -> str:
    """The hostile text of one cell; every fifth note is one of the 5,000-character texts."""
    if name == "note" and row % 5 == 4:
        return LONG_TEXTS[(row // 5) % 2]
    payload = payload_for(row, column)
    return f"{payload} {original}".strip()


def write_hostile_record(folder: Path) -> Path:
    """Write a hostile copy of the bundled record into ``folder`` (created) and return ``folder``.

    The record points at its own poisoned copies of the boundary files (``folder/boundaries``), so
    country and region names are hostile too.
    """
    bundled = geodata.bundled_record_path()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for table, columns in POISONED_COLUMNS.items():
        _poison_table(bundled / f"{table}.csv", folder / f"{table}.csv", columns)
    boundaries = folder / "boundaries"
    boundaries.mkdir(exist_ok=True)
    _poison_boundaries(
        bundled.parent / "boundaries" / "countries.geojson", boundaries / "countries.geojson"
    )
    _poison_boundaries(
        bundled.parent / "boundaries" / "kz_regions_2022-01.geojson",
        boundaries / "regions.geojson",
    )
    shutil.copy(bundled.parent / "geonames_places.csv", boundaries / "geonames_places.csv")
    _write_meta(bundled / "record.toml", folder / "record.toml")
    return folder


def _poison_table(source: Path, target: Path, columns: tuple[str, ...]) -> None:
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    for index, row in enumerate(rows):
        for position, column in enumerate(columns):
            row[column] = poisoned(row[column], index, position, column)
        if index % 3 == 0:
            extra = HOSTILE_SOURCES[(index // 3) % len(HOSTILE_SOURCES)]
            row["sources"] = f"{row['sources']} {extra}"
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _poison_boundaries(source: Path, target: Path, host_iso3: str = "KAZ") -> None:
    collection = json.loads(source.read_text(encoding="utf-8"))
    for index, feature in enumerate(collection["features"]):
        properties = feature["properties"]
        if properties.get("iso3") == host_iso3:
            properties["name"] = HOST_NAME
        else:
            properties["name"] = f"{_ORDER[index % len(_ORDER)]} {properties['name']}"
    target.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, the rest verbatim."""
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04X}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _write_meta(source: Path, target: Path) -> None:
    meta = tomllib.loads(source.read_text(encoding="utf-8"))
    text = {
        "title": TITLE,
        "version": VERSION,
        "host_iso3": meta["host_iso3"],
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "timezone": TIMEZONE,
        "force": FORCE,
        "troops_note": TROOPS_NOTE,
        "slug": SLUG,
    }
    lines = [f"{key} = {_toml_string(value)}" for key, value in text.items()]
    lines += [
        f"period_start = {meta['period_start'].isoformat()}",
        f"period_end = {meta['period_end'].isoformat()}",
        "",
        "[boundaries]",
        'countries = "boundaries/countries.geojson"',
        'regions = "boundaries/regions.geojson"',
        'places_gazetteer = "boundaries/geonames_places.csv"',
    ]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written = tomllib.loads(target.read_text(encoding="utf-8"))
    assert written["title"] == TITLE and written["licence"] == LICENCE, "TOML escaping is wrong"
