"""The dashboard page: the day's controls and headline, the map, and what happened that day.

Start it with ``make run`` or ``python -m dashboard [--data DIR]``, which serve it through
``dashboard/server.py``; started any other way, the page refuses to run.
"""

from __future__ import annotations

import streamlit as st

import geodata
from dashboard import cache, controls, hardening, panels, settings, upload
from dashboard.map_panel import show_map

st.set_page_config(
    page_title="Map dashboard", page_icon="🗺️", layout="wide", initial_sidebar_state="collapsed"
)
hardening.enforce()
panels.page_style()

try:
    record = upload.current_record(settings.record_dir())
except geodata.RecordError as error:
    st.error("The record could not be loaded. Fix these problems and reload the page:")
    st.code(str(error), language=None)
    upload.upload_controls()
    st.stop()

st.set_page_config(page_title=record.meta.title)
controls.restore_from_url(record.meta)
with st.container(key="kz-band"):
    title, layer_button = st.columns([6, 1], vertical_alignment="center")
    with title:
        panels.page_title(record)
    with layer_button:
        layers = controls.layer_choice()
controls.show_url_warnings()
tick = controls.play_interval()


# The layout, drawn on a run of the whole page. The map in it is the same on every day (the browser
# follows the Date slider itself), so a step never touches it; the fragment fills the rest.
bar, headline = st.columns([11, 9], vertical_alignment="center")
map_column, rail = st.columns([7, 2], gap="small")
with map_column:
    show_map(record, controls.day_chosen(), layers)
story, troops = st.columns([3, 2], gap="large")


@st.fragment(run_every=tick)
def day_view() -> None:
    """Everything that changes with the date: only this part reruns on a slider step or while playing."""
    day = controls.day_shown(record.meta, tick)
    with bar:
        controls.day_controls(record.meta, tick, panels.timeline_track(record))
    snap = cache.snapshot(record, day)
    day_before = cache.snapshot(record, day - controls.ONE_DAY)
    with headline:
        panels.headline(snap)
    with rail:
        panels.day_rail(record, snap, day_before, layers)
    with story:
        panels.day_story(snap, playing=tick is not None)
        panels.reported_figures(snap)
        panels.unlocated_sites(snap)
    with troops:
        panels.troop_table(record, snap, day_before)
        panels.troop_chart(record)


day_view()
panels.about(record)
upload.upload_controls()
