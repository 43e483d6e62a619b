"""The one place that calls ``st_folium``: a stable base map, and where the days' maps are.

The map's arguments are the same whatever the day: the browser follows the Date slider itself and
fetches the slider's day (``dashboard/day_data.py``), or has it already, and draws it with
``KZ.showDay``. So the page draws the map on a full run only (``dashboard/app.py``); a step of the
slider leaves it alone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import streamlit as st
from streamlit_folium import st_folium

from dashboard.assets import map_assets
from dashboard.controls import DATE_LABEL
from dashboard.day_data import day_url
from dashboard.exports import record_token
from dashboard.leaflet_elements import compile_templates_once
from dashboard.map_builders import build_base_map, build_day_reference, story_views

if TYPE_CHECKING:
    import geodata

compile_templates_once()  # branca recompiles the same templates on every step otherwise

MAP_KEY = "map"
# Session state: (record token, day) of the day the map first showed this record.
OPENING_DAY = "kz-map-opening-day"
MAP_HEIGHT = 680
# Days fetched ahead of the reader, relative to the one shown: a step either way, and Play's next two.
PREFETCH = (1, -1, 2)


def show_map(record: geodata.Record, day: dt.date, layers: tuple[str, ...]) -> None:
    """Draw the map of ``day``; moving to another day never re-mounts it, so zoom and pan survive.

    ``day`` only names the first day the map shows in this session; from then on the browser follows
    the Date slider itself (``KZ.showDay``), and the map's arguments stay the same.
    """
    meta = record.meta
    opening = _opening_day(record, day)
    st_folium(
        build_base_map(
            map_assets(record),
            bounds=record.story_bounds,
            views=story_views(record),
        ),
        feature_group_to_add=build_day_reference(
            day_url(record, opening, layers),
            date=opening.isoformat(),
            period=(meta.period_start.isoformat(), meta.period_end.isoformat()),
            prefetch=PREFETCH,
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


def _opening_day(record: geodata.Record, day: dt.date) -> dt.date:
    """The day this session's map first showed for ``record``: until the map finds the slider."""
    token = record_token(record)
    kept = st.session_state.get(OPENING_DAY)
    if not kept or kept[0] != token:
        kept = st.session_state[OPENING_DAY] = (token, day)
    return kept[1]
