"""The page's controls: layers, play/pause and speed, step buttons and the Date slider, kept in the URL."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

import streamlit as st

from dashboard import url_state
from dashboard.layers import GROUP_NAMES
from geodata import LAYERS, layer

if TYPE_CHECKING:
    from markupsafe import Markup

    from geodata import RecordMeta

DATE = "date"
LAYERS_CHOICE = "layers"
PLAYING = "playing"
SPEED = "speed"
URL_WARNINGS = "url_warnings"
LAST_TICK = "last_tick"
ONE_DAY = dt.timedelta(days=1)
# The Date slider's label: the map finds the slider by it, to follow it in the browser.
DATE_LABEL = "Date"
# Seconds each day stays on screen while playing.
SPEEDS = {"Slow": 2.0, "Normal": 1.0, "Fast": 0.55}
NORMAL = "Normal"


def restore_from_url(meta: RecordMeta) -> None:
    """On a session's first run, take the date and layers from the link, warning about bad values."""
    if DATE in st.session_state:
        # Another record (an upload) may cover other days.
        if not meta.period_start <= st.session_state[DATE] <= meta.period_end:
            st.session_state[DATE] = meta.opening_day
        return
    day, date_warning = url_state.parse_date(st.query_params.get("date"), meta)
    layers, layers_warning = url_state.parse_layers(st.query_params.get("layers"))
    st.session_state[DATE] = day
    st.session_state[LAYERS_CHOICE] = list(layers)
    st.session_state[PLAYING] = False
    st.session_state[SPEED] = NORMAL
    for warning in (date_warning, layers_warning):
        if warning:
            st.session_state.setdefault(URL_WARNINGS, []).append(warning)


def show_url_warnings() -> None:
    """Warnings about the link, shown above the map for the rest of the session's first view."""
    for warning in st.session_state.pop(URL_WARNINGS, []):
        st.warning(warning)


def layer_choice() -> tuple[str, ...]:
    """The layers to draw and download: the page's only layer switcher, folded into a small button."""
    chosen = st.session_state.get(LAYERS_CHOICE, list(LAYERS))
    with st.popover(f"Layers · {len(chosen)} of {len(LAYERS)}", key="layers_button"):
        chosen = st.multiselect(
            "Layers on the map and in the day's download",
            options=list(LAYERS), format_func=_layer_label, key=LAYERS_CHOICE,
        )  # fmt: skip
    return tuple(layer for layer in LAYERS if layer in chosen)


def _layer_label(key: str) -> str:
    """A layer's name in the choice; one with nothing to draw (the figures) says where it goes."""
    drawn = key in GROUP_NAMES
    return layer(key).label if drawn else f"{layer(key).label} (download only)"


def play_interval() -> float | None:
    """The seconds between days while playing, else ``None`` (the day view's timer)."""
    if not st.session_state.get(PLAYING, False):
        return None
    return SPEEDS[st.session_state.get(SPEED, NORMAL)]


def _toggle_play(meta: RecordMeta) -> None:
    playing = not st.session_state.get(PLAYING, False)
    st.session_state[PLAYING] = playing
    # The day on screen stays for a full tick before the first step.
    st.session_state[LAST_TICK] = time.monotonic()
    if playing and st.session_state[DATE] >= meta.period_end:
        st.session_state[DATE] = meta.period_start  # play again from the start


def _step(days: int, meta: RecordMeta) -> None:
    day = st.session_state[DATE] + days * ONE_DAY
    st.session_state[DATE] = min(max(day, meta.period_start), meta.period_end)


def day_chosen() -> dt.date:
    """The slider's day as this run starts (:func:`day_shown` moves it on while playing)."""
    day: dt.date = st.session_state[DATE]
    return day


def day_shown(meta: RecordMeta, tick: float | None) -> dt.date:
    """The day this run shows: the slider's, or the next one on a tick of Play.

    Play, Pause or a new speed changes the timer itself, which only a run of the whole page can do.
    """
    if play_interval() != tick:
        st.rerun()
    if tick is not None and _tick_due(tick):
        if st.session_state[DATE] >= meta.period_end:
            st.session_state[PLAYING] = False
            st.rerun()  # a full run turns the timer off
        else:
            st.session_state[DATE] += ONE_DAY
            st.session_state[LAST_TICK] = time.monotonic()
    day: dt.date = st.session_state[DATE]
    return day


def day_controls(meta: RecordMeta, tick: float | None, track: Markup | None = None) -> dt.date:
    """Previous day, next day, Play/Pause and speed in a row, then the Date slider over ``track``.

    ``track`` is HTML drawn under the slider, aligned with it: the record's days at a glance (see
    ``panels.timeline_track``). Call :func:`day_shown` first: it moves the day on while playing.
    """
    playing = tick is not None
    with st.container(key="kz-day-bar", gap=None):
        with st.container(
            key="kz-day-buttons", horizontal=True, vertical_alignment="center", gap="small"
        ):
            st.button("◀ Previous day", key="step_back", on_click=_step, args=(-1, meta))
            st.button("Next day ▶", key="step_forward", on_click=_step, args=(1, meta))
            st.button(
                "⏸ Pause" if playing else "▶ Play", key="play_button", on_click=_toggle_play,
                args=(meta,), help="Play the days one after another", type="primary",
            )  # fmt: skip
            st.selectbox(
                "Speed", options=list(SPEEDS), key=SPEED, width=120, label_visibility="collapsed"
            )
        day = st.slider(
            DATE_LABEL, min_value=meta.period_start, max_value=meta.period_end, step=ONE_DAY,
            key=DATE, format="ddd D MMM YYYY", width="stretch", label_visibility="collapsed",
        )  # fmt: skip
        if track is not None:
            st.html(track)
    _keep_in_url(day, tuple(st.session_state.get(LAYERS_CHOICE, LAYERS)))
    return day


def _tick_due(tick: float) -> bool:
    """Whether this run is the timer's: other runs while playing (a click, a new speed) do not step."""
    last: float = st.session_state.get(LAST_TICK, 0.0)
    return time.monotonic() - last >= 0.8 * tick


def _keep_in_url(day: dt.date, layers: tuple[str, ...]) -> None:
    wanted = {"date": day.isoformat()}
    if (value := url_state.layers_parameter(layers)) is not None:
        wanted["layers"] = value
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
