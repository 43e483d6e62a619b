"""The one place that calls ``st_folium``: a stable base map, and the day's groups swapped in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamlit_folium import st_folium

from dashboard.assets import map_assets
from dashboard.leaflet_elements import compile_templates_once
from dashboard.map_builders import build_base_map, build_day_groups, story_views

if TYPE_CHECKING:
    import geodata

compile_templates_once()  # branca recompiles the same templates on every step otherwise

MAP_KEY = "map"
MAP_HEIGHT = 680


def show_map(record: geodata.Record, snap: geodata.Snapshot, layers: tuple[str, ...]) -> None:
    """Draw the map for ``snap``; moving to another day never re-mounts it, so zoom and pan survive."""
    st_folium(
        build_base_map(
            map_assets(record),
            bounds=record.story_bounds,
            views=story_views(record),
        ),
        feature_group_to_add=build_day_groups(snap, layers=layers, force=record.meta.force),
        # No layer switcher on the map: the page's Layers choice is the only one, and it also
        # decides what the day's download holds.
        layer_control=None,
        key=MAP_KEY,
        # Nothing returned: panning or zooming never reruns the app.
        returned_objects=[],
        height=MAP_HEIGHT,
        use_container_width=True,
    )
