"""Pure functions that build the folium objects: a base map identical on every run, and the day's groups.

The base map holds only what never changes (the polygons, fetched once by the browser); everything
that depends on the date goes into feature groups that streamlit-folium swaps without re-mounting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import folium
import xyzservices

from dashboard import map_content, palette
from dashboard.leaflet_elements import FetchedGeoJson, HelperCall

if TYPE_CHECKING:
    from collections.abc import Collection

    import geodata
    from dashboard.assets import MapAssets

MAP_CENTRE = (48.0, 62.0)
MAP_ZOOM = 3
GROUP_NAMES = {
    "status": "Status of countries and regions",
    "city": "Cities: unrest",
    "site": "Guarded sites",
    "movement": "Deployment and withdrawal legs",
    "event": "Events of the day",
}
# Resolved once: folium would search the whole xyzservices catalogue for "OpenStreetMap" on every run.
_OSM = xyzservices.providers.OpenStreetMap.Mapnik
_NEUTRAL = {
    "color": palette.BORDER,
    "weight": 1,
    "fillColor": palette.NEUTRAL_FILL,
    "fillOpacity": 0.35,
}


def build_base_map(assets: MapAssets) -> folium.Map:
    """The map without any date: the same on every run, so the component is never re-mounted."""
    base = folium.Map(
        location=MAP_CENTRE,
        zoom_start=MAP_ZOOM,
        tiles=None,
        control_scale=True,
        min_zoom=2,
        prefer_canvas=False,
    )
    # Leaflet and the helpers come from the app's own server; folium's defaults point at CDNs.
    base.default_js = list(assets.js)
    base.default_css = list(assets.css)
    FetchedGeoJson(
        name="Countries",
        spec={"key": "countries", "url": assets.countries_url, "id": "iso3", "label": "name", "style": _NEUTRAL,
              "pane": "kzCountries", "zIndex": 350,
              "attribution": "Boundaries: Natural Earth"},
    ).add_to(base)  # fmt: skip
    FetchedGeoJson(
        name="Regions of the host country",
        spec={"key": "regions", "url": assets.regions_url, "id": "id", "label": "name",
              "pane": "kzRegions", "zIndex": 360,
              "style": {**_NEUTRAL, "fillOpacity": 0.0, "weight": 0.8}, "attribution": "Places: GeoNames"},
    ).add_to(base)  # fmt: skip
    # Optional online tiles: off by default, and nothing breaks when they cannot load.
    folium.TileLayer(_OSM, name="OpenStreetMap tiles (online)", overlay=True, show=False).add_to(
        base
    )
    HelperCall("housekeeping", None).add_to(base)
    return base


def build_day_groups(
    snap: geodata.Snapshot, *, layers: Collection[str], force: str = "Foreign"
) -> list[folium.FeatureGroup]:
    """The feature groups for one day and the chosen layers, in drawing order.

    ``force`` names the deployed force in the legend ("CSTO" gives "CSTO troops in Kazakhstan").
    """
    restyle = []
    if "country" in layers:
        restyle.append(map_content.country_styles(snap))
    if "region" in layers:
        restyle.append(map_content.region_styles(snap))
    drawn = {
        "movement": ("lines", map_content.movement_lines),
        "city": ("points", map_content.city_points),
        "site": ("points", map_content.site_points),
        "event": ("points", map_content.event_points),
    }
    content = {
        layer: (helper, build(snap)) for layer, (helper, build) in drawn.items() if layer in layers
    }
    # Sources repeat across features: send each URL once a day and refer to it by number.
    urls = map_content.share_urls([restyle, *(data for _, data in content.values())])
    status = folium.FeatureGroup(name=GROUP_NAMES["status"])
    legend = map_content.legend(snap, layers, force=force)
    HelperCall("dayStatus", {"urls": urls, "restyle": restyle, "legend": legend}).add_to(status)
    groups = [status]
    for layer, (helper, data) in content.items():
        group = folium.FeatureGroup(name=GROUP_NAMES[layer])
        HelperCall(helper, data).add_to(group)
        groups.append(group)
    return groups


def build_layer_control() -> folium.LayerControl:
    """The layer control (collapsed: it opens on hover or tap, leaving the map and legend visible)."""
    return folium.LayerControl(collapsed=True, position="topright")
