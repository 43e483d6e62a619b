"""Pure functions that build the folium objects: a base map identical on every run, and the day's groups.

The base map holds only what never changes (the polygons, fetched once by the browser); everything
that depends on the date goes into feature groups that streamlit-folium swaps without re-mounting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import folium
import xyzservices

from dashboard import map_content, palette
from dashboard.layers import GROUP_NAMES, map_layers
from dashboard.leaflet_elements import FetchedGeoJson, HelperCall

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    import geodata
    from dashboard.assets import MapAssets

# The view button labelled with the host's name (filled in by the day's data in the browser).
HOST_VIEW = "host"
# Without a record's bounds (tests, benchmarks): the whole inhabited world.
WORLD_BOUNDS = (-170.0, -50.0, 170.0, 75.0)
# Space around the record's bounds, as a share of their size, so nothing sits on the map's edge.
_MARGIN = 0.08
# Resolved once: folium would search the whole xyzservices catalogue for "OpenStreetMap" on every run.
_OSM = xyzservices.providers.OpenStreetMap.Mapnik
_NEUTRAL = {
    "color": palette.BORDER,
    "weight": 1,
    "fillColor": palette.NEUTRAL_FILL,
    "fillOpacity": 0.35,
}


Bounds = tuple[float, float, float, float]


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
    )
    base.fit_bounds(_padded(bounds))
    # Leaflet and the helpers come from the app's own server; folium's defaults point at CDNs.
    base.default_js = list(assets.js)
    base.default_css = list(assets.css)
    FetchedGeoJson(
        name="Countries",
        spec={"key": "countries", "url": assets.countries_url, "id": "iso3", "label": "name", "style": _NEUTRAL,
              "pane": "kzCountries", "zIndex": 350,
              "attribution": assets.countries_attribution},
    ).add_to(base)  # fmt: skip
    FetchedGeoJson(
        name="Regions of the host country",
        spec={"key": "regions", "url": assets.regions_url, "id": "id", "label": "name",
              "pane": "kzRegions", "zIndex": 360,
              "style": {**_NEUTRAL, "fillOpacity": 0.0, "weight": 0.8}, "attribution": assets.regions_attribution},
    ).add_to(base)  # fmt: skip
    # Optional online tiles: off by default, and nothing breaks when they cannot load.
    folium.TileLayer(_OSM, name="OpenStreetMap tiles (online)", overlay=True, show=False).add_to(
        base
    )
    HelperCall("housekeeping", None).add_to(base)
    if views:
        HelperCall(
            "views", [{"label": label, "bounds": _padded(view)} for label, view in views]
        ).add_to(base)
    return base


def _padded(bounds: Bounds) -> list[list[float]]:
    """Leaflet bounds ([[south, west], [north, east]]) with a margin, so nothing sits on the edge."""
    west, south, east, north = bounds
    pad_x, pad_y = (east - west) * _MARGIN, (north - south) * _MARGIN
    return [[south - pad_y, west - pad_x], [north + pad_y, east + pad_x]]


def build_day_groups(
    snap: geodata.Snapshot, *, layers: Collection[str], force: str = "Foreign"
) -> list[folium.FeatureGroup]:
    """The feature groups for one day and the chosen layers, in drawing order.

    ``force`` names the deployed force in the legend ("CSTO" gives "CSTO troops in Kazakhstan").
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
    status = folium.FeatureGroup(name=GROUP_NAMES["status"])
    legend = map_content.legend(snap, layers, force=force)
    HelperCall(
        "dayStatus",
        {
            "urls": urls,
            "restyle": restyle,
            "legend": legend,
            "host": snap.host_name,
            "labels": map_content.city_labels(snap),
        },
    ).add_to(status)
    groups = [status]
    for layer, data in content:
        group = folium.FeatureGroup(name=layer.group)
        HelperCall(layer.draw, data).add_to(group)
        groups.append(group)
    return groups


def build_layer_control() -> folium.LayerControl:
    """The layer control (collapsed: it opens on hover or tap, leaving the map and legend visible)."""
    return folium.LayerControl(collapsed=True, position="topright")
