"""Publish the story as one self-contained HTML file: ``python -m dashboard.publish -o story.html``.

The file holds Leaflet, the map's own script and styles, the polygons and every day's data, with a
date slider and a Play button of its own. It opens from ``file://`` with no network and can be put
on any static host or attached to an email. The map is drawn by the very helpers the dashboard uses
(``static/kz_map.js``), fed with the very payloads its builders make (``map_builders``): one
implementation, not a second map.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xstatic.pkg.leaflet as xstatic_leaflet
from markupsafe import Markup

import geodata
from dashboard import map_content
from dashboard.assets import STATIC
from dashboard.leaflet_elements import HelperCall, script_json
from dashboard.map_builders import (
    FIT_BOTTOM_RIGHT,
    FIT_TOP_LEFT,
    HOST_VIEW,
    NEUTRAL_STYLE,
    WATER_STYLE,
    build_day_groups,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["publish", "story_html"]

_LEAFLET = Path(xstatic_leaflet.BASE_DIR)


def _calls(element: Any) -> list[tuple[str, Any]]:
    """The helper calls (function, data) under a folium element, in order."""
    return [
        (child.function, child.data)
        for child in element._children.values()
        if isinstance(child, HelperCall) and child.function != "named"
    ]


def _polygons(path: Path, id_property: str) -> dict[str, Any]:
    """A boundary file reduced to what the map draws: id, name and geometry."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    id_property: feature["properties"].get(id_property),
                    "name": feature["properties"].get("name"),
                },
                "geometry": feature["geometry"],
            }
            for feature in data["features"]
        ],
    }


def _base_specs(record: geodata.Record) -> list[dict[str, Any]]:
    """The polygon layers of the dashboard's base map, with their data inline instead of a URL."""
    files = record.boundary_files
    bundled = geodata.bundled_boundary_files()
    specs = [
        {"key": "countries", "id": "iso3", "label": "name", "style": NEUTRAL_STYLE,
         "pane": "kzCountries", "zIndex": 350, "data": _polygons(files["countries"], "iso3"),
         "attribution": _credit(record, "countries", "Boundaries")},
        {"key": "regions", "id": "id", "label": "name", "style": {**NEUTRAL_STYLE, "fillOpacity": 0.0, "weight": 0.8},
         "pane": "kzRegions", "zIndex": 360, "data": _polygons(files["regions"], "id"),
         "attribution": _credit(record, "regions", "Regions")},
    ]  # fmt: skip
    if files["countries"] == bundled["countries"]:
        specs.append(
            {"key": "water", "id": "id", "label": None, "style": WATER_STYLE, "pane": "kzWater",
             "zIndex": 365, "interactive": False, "data": _polygons(bundled["water"], "id"),
             "attribution": "Water: Natural Earth"}
        )  # fmt: skip
    return specs


def _credit(record: geodata.Record, key: str, what: str) -> str:
    provenance = record.provenance.get(key)
    return f"{what}: {provenance.name}" if provenance else ""


def _day(record: geodata.Record, day: Any, layers: Sequence[str]) -> dict[str, Any]:
    snap = geodata.snapshot(record, day)
    groups = build_day_groups(snap, layers=layers, force=record.meta.force)
    event = snap.headline
    return {
        "date": day.isoformat(),
        "groups": [_calls(group) for group in groups],
        "headline": event.properties["headline"] if event else "",
        "sources": [[geodata.credit(url), url] for url in (event.properties["sources"] if event else [])],
        "summary": map_content.map_summary(snap, force=record.meta.force),
        "troops": snap.troops_in_host,
    }  # fmt: skip


def story_html(record: geodata.Record, layers: Sequence[str] = geodata.LAYERS) -> str:
    """The whole story as one HTML page (see the module's docstring)."""
    meta = record.meta
    days = [_day(record, day, layers) for day in meta.days]
    views = [
        {"label": HOST_VIEW, "bounds": _corners(record.host_bounds)},
        {"label": "Where the troops came from", "bounds": _corners(record.story_bounds)},
    ]
    data = {
        "bases": _base_specs(record),
        "views": {"views": views, "first": _corners(record.story_bounds),
                  "padding": {"topLeft": FIT_TOP_LEFT, "bottomRight": FIT_BOTTOM_RIGHT}},
        "days": days,
        "opening": meta.days.index(meta.opening_day),
    }  # fmt: skip
    styles = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (_LEAFLET / "leaflet.css", STATIC / "kz_map.css", STATIC / "publish.css")
    )
    scripts = [_LEAFLET / "leaflet.js", STATIC / "kz_map.js", STATIC / "publish.js"]
    body = Markup(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>{title}</title><style>{styles}</style></head><body>"
        "<header><h1>{title}</h1><div class='kz-pub-bar'>"
        "<button type='button' id='kz-prev'>◀ Previous day</button>"
        "<input type='range' id='kz-date' min='0' max='{last}' step='1' aria-label='Date'>"
        "<button type='button' id='kz-next'>Next day ▶</button>"
        "<button type='button' id='kz-play'>▶ Play</button>"
        "<output id='kz-day' for='kz-date'></output></div>"
        "<p id='kz-headline' aria-live='polite'></p></header>"
        "<main><div id='map_div' role='region' aria-label='Map'></div></main>"
        "<footer><p>{attribution}. Licence: {licence}. Published from version {version} of the record; "
        "every feature on the map cites its sources: click it.</p></footer>"
        "<script type='application/json' id='kz-data'>{data}</script>{scripts}</body></html>"
    ).format(
        title=meta.title,
        styles=Markup(styles),
        last=len(days) - 1,
        attribution=meta.attribution,
        licence=meta.licence,
        version=meta.version,
        data=Markup(script_json(data)),
        scripts=Markup("").join(
            Markup("<script>{}</script>").format(Markup(path.read_text(encoding="utf-8")))
            for path in scripts
        ),
    )
    return str(body)


def _corners(bounds: tuple[float, float, float, float]) -> list[list[float]]:
    west, south, east, north = bounds
    return [[south, west], [north, east]]


def publish(output: Path, record_dir: str | None = None) -> int:
    """Write the story of the record at ``record_dir`` (default: the bundled one) to ``output``."""
    record = geodata.load_record(record_dir)
    html = story_html(record)
    output.write_text(html, encoding="utf-8")
    return len(html.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.publish", description=__doc__)
    parser.add_argument("-o", "--output", type=Path, default=Path("story.html"))
    parser.add_argument("--data", help="a record folder (default: the bundled record)")
    args = parser.parse_args(argv)
    try:
        size = publish(args.output, args.data)
    except geodata.RecordError as error:
        print(str(error), file=sys.stderr)
        return 1
    print(f"Wrote {args.output} ({size / 2**20:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
