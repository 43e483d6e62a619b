"""The floor for a slider step: the dashboard's Date slider and map component with nothing on the map.

``benchmarks.step_latency`` runs this next to the dashboard. It keeps what every step must pay (the
fragment rerun, one ``st_folium`` update, Leaflet served locally, a wide page and a map of the same
height) and drops everything the dashboard adds: the record, the day's content and the layer
control. The one feature group is empty but for a script that sets ``window.__kzDay``, the signal the
dashboard's status layer gives when it has drawn a day, so both apps are measured the same way.

Run on its own with ``streamlit run benchmarks/floor_app.py`` (``?date=2022-01-07`` picks the day).
"""

from __future__ import annotations

import datetime as dt
import gc

import folium
import streamlit as st
import xstatic.pkg.leaflet as xstatic_leaflet
from branca.element import MacroElement
from jinja2 import Template
from streamlit.components.v1 import declare_component
from streamlit_folium import st_folium

FIRST_DAY = dt.date(2022, 1, 1)
LAST_DAY = dt.date(2022, 1, 20)
ONE_DAY = dt.timedelta(days=1)
MAP_HEIGHT = 680  # as dashboard/map_panel.py

# Leaflet from the app's own server, as dashboard/assets.py does it: works offline.
_LEAFLET = f"/component/{declare_component('floor_leaflet', path=xstatic_leaflet.BASE_DIR).name}"


class DayShown(MacroElement):
    """``window.__kzDay = "<iso date>"``: the map has received and run this day's group."""

    _template = Template(
        "{% macro script(this, kwargs) %}window.__kzDay = {{ this.day|tojson }};{% endmacro %}"
    )

    def __init__(self, day: dt.date) -> None:
        super().__init__()
        self._name = "DayShown"
        self.day = day.isoformat()


def _first_day() -> dt.date:
    try:
        day = dt.date.fromisoformat(st.query_params.get("date", ""))
    except ValueError:
        return FIRST_DAY
    return min(max(day, FIRST_DAY), LAST_DAY)


def _base_map() -> folium.Map:
    base = folium.Map(location=(49.0, 58.0), zoom_start=3, tiles=None)
    base.default_js = [("leaflet", f"{_LEAFLET}/leaflet.js")]
    base.default_css = [("leaflet_css", f"{_LEAFLET}/leaflet.css")]
    return base


# As the dashboard's server does after its warm-up (dashboard/server.py): what is loaded stays, so
# the collector's full passes need not look at it. Both apps get the same treatment (and the same
# .streamlit/config.toml, read from the working folder: no full collection after every run).
gc.freeze()
st.set_page_config(page_title="Step latency floor", layout="wide")
st.session_state.setdefault("date", _first_day())


@st.fragment
def day_view() -> None:
    """The slider and the map; only this reruns on a step, as in the dashboard."""
    day = st.slider(
        "Date", min_value=FIRST_DAY, max_value=LAST_DAY, step=ONE_DAY, key="date",
        format="D MMM YYYY",
    )  # fmt: skip
    group = folium.FeatureGroup(name="Day")
    DayShown(day).add_to(group)
    st_folium(
        _base_map(), feature_group_to_add=group, key="map", returned_objects=[],
        height=MAP_HEIGHT, use_container_width=True,
    )  # fmt: skip


day_view()
