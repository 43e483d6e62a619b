"""Pure functions that build the folium objects: a base map identical on every run, and the day's groups.

The base map holds only what never changes (the polygons, fetched once by the browser); everything
that depends on the date goes into feature groups that streamlit-folium swaps without re-mounting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import folium

import geodata
from dashboard import map_content, palette
from dashboard.layers import GROUP_NAMES, map_layers
from dashboard.leaflet_elements import FetchedGeoJson, HelperCall, stable_ids

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from dashboard.assets import MapAssets

# The view button labelled with the host's name (filled in by the day's data in the browser).
HOST_VIEW = "host"
# Without a record's bounds (tests, benchmarks): the whole inhabited world.
WORLD_BOUNDS = (-170.0, -50.0, 170.0, 75.0)
# Pixels kept clear around a view: room for a symbol's label, the view buttons (top right) and the
# attribution line (bottom).
FIT_TOP_LEFT = (14, 16)
FIT_BOTTOM_RIGHT = (14, 26)
NEUTRAL_STYLE = {
    "color": palette.BORDER,
    "weight": 1,
    "fillColor": palette.NEUTRAL_FILL,
    "fillOpacity": 1,
}
WATER_STYLE = {"stroke": False, "fillColor": palette.WATER, "fillOpacity": 1}


Bounds = tuple[float, float, float, float]
# The one group a step adds to the map; the day's own groups are drawn inside it once fetched.
DAY_GROUP = "The day"


def build_base_map(
    assets: MapAssets, *, bounds: Bounds = WORLD_BOUNDS, views: Sequence[tuple[str, Bounds]] = ()
) -> folium.Map:
    """The map without any date: the same on every run, so the component is never re-mounted.

    ``bounds`` (west, south, east, north) is the first view, e.g. ``Record.story_bounds``;
    ``views`` are named views with a button each on the map (they move it only when pressed). A
    view named ``HOST_VIEW`` is labelled in the browser with the host's name from the day's data, so
    that no record text is written into the base map's script.
    """
    west, south, east, north = bounds
    base = folium.Map(
        location=((south + north) / 2, (west + east) / 2),
        zoom_start=3,
        tiles=None,
        control_scale=True,
        min_zoom=2,
        prefer_canvas=False,
        # Any zoom, not whole or half steps: a view is fitted as tightly as the map's box allows.
        zoom_snap=0,
        zoom_delta=0.5,
        zoom_control="bottomright",
    )
    if not views:
        base.fit_bounds(
            leaflet_bounds(bounds),
            padding_top_left=FIT_TOP_LEFT,
            padding_bottom_right=FIT_BOTTOM_RIGHT,
        )
    # With views, the browser fits the first view itself, without animation (KZ.views): an
    # animated fit here would finish after it and undo a phone's first view.
    # Leaflet and the helpers come from the app's own server; folium's defaults point at CDNs.
    base.default_js = list(assets.js)
    base.default_css = list(assets.css)
    FetchedGeoJson(
        name="Countries",
        spec={"key": "countries", "url": assets.countries_url, "id": "iso3", "label": "name", "style": NEUTRAL_STYLE,
              "pane": "kzCountries", "zIndex": 350,
              "attribution": assets.countries_attribution},
    ).add_to(base)  # fmt: skip
    FetchedGeoJson(
        name="Regions of the host country",
        spec={"key": "regions", "url": assets.regions_url, "id": "id", "label": "name",
              "pane": "kzRegions", "zIndex": 360,
              "style": {**NEUTRAL_STYLE, "fillOpacity": 0.0, "weight": 0.8}, "attribution": assets.regions_attribution},
    ).add_to(base)  # fmt: skip
    if assets.water_url:
        # Over the regions: their fills would otherwise cover lakes such as Balkhash.
        FetchedGeoJson(
            name="Water",
            spec={"key": "water", "url": assets.water_url, "id": "id", "label": None, "style": WATER_STYLE,
                  "pane": "kzWater", "zIndex": 365, "interactive": False,
                  "attribution": assets.water_attribution},
        ).add_to(base)  # fmt: skip
    HelperCall("housekeeping", None).add_to(base)
    if views:
        HelperCall(
            "views",
            {
                "views": [
                    {"label": label, "bounds": leaflet_bounds(view)} for label, view in views
                ],
                "first": leaflet_bounds(bounds),
                "padding": {"topLeft": FIT_TOP_LEFT, "bottomRight": FIT_BOTTOM_RIGHT},
            },
        ).add_to(base)
    stable_ids(base)
    return base


def story_views(record: geodata.Record) -> tuple[tuple[str, Bounds], ...]:
    """The map's view buttons for ``record``: the host, and every place the troops came from."""
    return (
        (HOST_VIEW, record.host_bounds),
        ("Where the troops came from", record.story_bounds),
    )


def leaflet_bounds(bounds: Bounds) -> list[list[float]]:
    """Leaflet bounds: [[south, west], [north, east]]."""
    west, south, east, north = bounds
    return [[south, west], [north, east]]


DayCalls = list[tuple[str, list[tuple[str, Any]]]]


def day_calls(
    snap: geodata.Snapshot, *, layers: Collection[str], force: str = "Foreign"
) -> DayCalls:
    """The day's map for the chosen layers as plain data: ``[(group name, [(helper, data), …]), …]``.

    Groups come in drawing order, the status group (polygon fills, legend, place labels) first;
    each helper is a function of ``static/kz_map.js`` and its data JSON-ready. ``force`` names the
    deployed force in the legend ("CSTO" gives "CSTO troops in Kazakhstan").
    """
    drawn = [layer for layer in map_layers() if layer.key in layers]
    restyle = [layer.payload(snap) for layer in drawn if layer.draw == "restyle"]
    content = [
        (layer, layer.payload(snap))
        for layer in sorted(drawn, key=lambda layer: layer.order)
        if layer.draw != "restyle"
    ]
    # Sources repeat across features: send each URL once a day and refer to it by number.
    urls = map_content.share_urls([restyle, *(data for _, data in content)])
    status = {
        "urls": urls,
        "outlets": [geodata.credit(url) for url in urls],
        "restyle": restyle,
        "legend": map_content.legend(snap, layers, force=force),
        "host": snap.host_name,
        "labels": map_content.city_labels(snap),
        "summary": map_content.map_summary(snap, force=force),
    }
    return [
        (GROUP_NAMES["status"], [("dayStatus", status)]),
        *((layer.group, [(layer.draw, data)]) for layer, data in content),
    ]


def build_day_groups(
    snap: geodata.Snapshot, *, layers: Collection[str], force: str = "Foreign"
) -> list[folium.FeatureGroup]:
    """:func:`day_calls` as folium feature groups, each also registered by name (``KZ.groups``)."""
    groups = []
    for name, calls in day_calls(snap, layers=layers, force=force):
        group = folium.FeatureGroup(name=name)
        for function, data in calls:
            HelperCall(function, data).add_to(group)
        HelperCall("named", name).add_to(group)
        groups.append(group)
    return groups


def build_day_reference(
    day_url: str,
    *,
    date: str,
    period: tuple[str, str],
    prefetch: Sequence[int] = (),
    slider: str | None = None,
) -> folium.FeatureGroup:
    """Where the browser finds the days' maps (``KZ.showDay``): the same from one step to the next.

    ``day_url`` is the file of ``date`` (:func:`day_calls`, served by ``dashboard/day_data.py``); the
    file of any other day of ``period`` (first, last) differs only by its date. The map shows the
    day of the page's slider labelled ``slider`` and follows it in the browser (``date`` until it
    finds it); ``prefetch`` are the days, relative to the one shown, fetched ahead.
    """
    group = folium.FeatureGroup(name=DAY_GROUP)
    first, last = period
    spec = {"url": day_url, "date": date, "first": first, "last": last,
            "prefetch": list(prefetch), "slider": slider}  # fmt: skip
    HelperCall("showDay", spec).add_to(group)
    return group
