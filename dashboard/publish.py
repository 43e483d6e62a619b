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
from dashboard.assets import STATIC, MapAssets, credit_line, polygons_geojson, water_file
from dashboard.leaflet_elements import FetchedGeoJson, HelperCall, script_json
from dashboard.map_builders import build_base_map, day_calls, story_views

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


def _base(record: geodata.Record) -> tuple[list[dict[str, Any]], Any]:
    """The dashboard's base map for ``record``: its polygon layers (data inline) and view buttons."""
    water = water_file(record)
    # URLs stand in for the polygons: each is replaced by its data below.
    assets = MapAssets(
        js=(), css=(), countries_url="countries", regions_url="regions",
        water_url="water" if water else None,
        countries_attribution=credit_line("Boundaries", record, "countries"),
        regions_attribution=credit_line("Regions", record, "regions"),
        water_attribution="Water: Natural Earth",
    )  # fmt: skip
    base = build_base_map(assets, bounds=record.story_bounds, views=story_views(record))
    data = {
        "countries": json.loads(polygons_geojson(record, "countries")),
        "regions": json.loads(polygons_geojson(record, "regions")),
        "water": json.loads(water.read_text(encoding="utf-8")) if water else None,
    }
    specs = [
        {**{k: v for k, v in child.spec.items() if k != "url"}, "data": data[child.spec["url"]]}
        for child in base._children.values()
        if isinstance(child, FetchedGeoJson)
    ]
    (views,) = (data for function, data in _calls(base) if function == "views")
    return specs, views


def _day(record: geodata.Record, day: Any, layers: Sequence[str]) -> dict[str, Any]:
    snap = geodata.snapshot(record, day)
    groups = day_calls(snap, layers=layers, force=record.meta.force)
    event = snap.headline
    return {
        "date": day.isoformat(),
        "groups": [{"name": name, "calls": calls} for name, calls in groups],
        "headline": event.properties["headline"] if event else "",
        "sources": [[geodata.credit(url), url] for url in (event.properties["sources"] if event else [])],
        "summary": map_content.map_summary(snap, force=record.meta.force),
        "troops": snap.troops_in_host,
    }  # fmt: skip


def story_html(record: geodata.Record, layers: Sequence[str] = geodata.LAYERS) -> str:
    """The whole story as one HTML page (see the module's docstring)."""
    meta = record.meta
    days = [_day(record, day, layers) for day in meta.days]
    bases, views = _base(record)
    data = {
        "bases": bases,
        "views": views,
        "days": days,
        "opening": meta.days.index(meta.opening_day),
    }
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
