"""The one place that calls ``st_folium``: a stable base map, and the address of the day's map.

A step sends the browser only where the day is (``dashboard/day_data.py``); the browser fetches it,
or has it already, and draws it with ``KZ.showDay``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from streamlit_folium import st_folium

from dashboard.assets import map_assets
from dashboard.controls import DATE_LABEL
from dashboard.day_data import day_url
from dashboard.leaflet_elements import compile_templates_once
from dashboard.map_builders import build_base_map, build_day_reference, story_views

if TYPE_CHECKING:
    import geodata

compile_templates_once()  # branca recompiles the same templates on every step otherwise

MAP_KEY = "map"
MAP_HEIGHT = 680
# Days fetched ahead of the reader, relative to the one shown: a step either way, and Play's next two.
PREFETCH = (1, -1, 2)


def show_map(record: geodata.Record, day: dt.date, layers: tuple[str, ...]) -> None:
    """Draw the map of ``day``; moving to another day never re-mounts it, so zoom and pan survive."""
    meta = record.meta
    nearby = (day + dt.timedelta(days=offset) for offset in PREFETCH)
    st_folium(
        build_base_map(
            map_assets(record),
            bounds=record.story_bounds,
            views=story_views(record),
        ),
        feature_group_to_add=build_day_reference(
            day_url(record, day, layers),
            date=day.isoformat(),
            prefetch=[
                day_url(record, near, layers)
                for near in nearby
                if meta.period_start <= near <= meta.period_end
            ],
            slider=DATE_LABEL,
        ),
        # No layer switcher on the map: the page's Layers choice is the only one, and it also
        # decides what the day's download holds.
        layer_control=None,
        key=MAP_KEY,
        # Nothing returned: panning or zooming never reruns the app.
        returned_objects=[],
        height=MAP_HEIGHT,
        use_container_width=True,
    )
