"""The dashboard page: controls, the day's map, and what happened that day.

Start it with ``make run`` or ``python -m dashboard [--data DIR]``, which serve it through
``dashboard/server.py``; started any other way, the page refuses to run.
"""

from __future__ import annotations

import streamlit as st

import geodata
from dashboard import controls, hardening, panels, settings, upload
from dashboard.map_panel import show_map

st.set_page_config(page_title="Map dashboard", page_icon="🗺️", layout="wide")
hardening.enforce()

upload.upload_controls()
try:
    record = upload.current_record(settings.record_dir())
except geodata.RecordError as error:
    st.error("The record could not be loaded. Fix these problems and reload the page:")
    st.code(str(error), language=None)
    st.stop()

st.set_page_config(page_title=record.meta.title)
panels.page_title(record)
controls.restore_from_url(record.meta)
controls.show_url_warnings()
layers = controls.layer_choice()
tick = controls.playback(record.meta)


@st.fragment(run_every=tick)
def day_view() -> None:
    """Everything that changes with the date: only this part reruns on a slider step or while playing."""
    day = controls.day_slider(record.meta, tick)
    snap = geodata.snapshot(record, day)
    map_column, side_column = st.columns([2, 1], gap="medium")
    with map_column:
        show_map(record, snap, layers)
        panels.downloads(record, day, layers)
    with side_column:
        panels.troops_today(record, snap)
        panels.troop_chart(record, day)
        panels.day_story(snap)
        panels.unlocated_sites(snap)


day_view()
panels.about(record)
