"""The protocol-level load generator (``benchmarks/capacity.py``) against a tiny app that counts its runs."""

from __future__ import annotations

import collections
import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider

from benchmarks import capacity
from benchmarks.bench import server_pid
from tests.support.browser import running_app

if TYPE_CHECKING:
    from pathlib import Path

# Every run appends "<session id> <full|fragment> <day>" to the file $CAPACITY_TEST_LOG names. The
# text input and the popover's checkbox are there for the widget states the client must send.
COUNTING_APP = """
import datetime as dt
import os

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

FIRST, LAST = dt.date(2022, 1, 1), dt.date(2022, 1, 5)


def note(kind, day):
    with open(os.environ["CAPACITY_TEST_LOG"], "a") as log:
        log.write(f"{get_script_run_ctx().session_id} {kind} {day.isoformat()}\\n")


st.session_state.setdefault("date", dt.date.fromisoformat(st.query_params.get("date", "2022-01-01")))
st.text_input("Name", value="kept", key="name")
with st.popover("More"):
    st.checkbox("Hidden until opened", key="hidden")


@st.fragment
def day_view():
    day = st.slider("Date", min_value=FIRST, max_value=LAST, step=dt.timedelta(days=1), key="date")
    note("fragment", day)


day_view()
note("full", st.session_state["date"])
"""
START_DAYS = ("2022-01-04", "2022-01-02")
PERIOD = [dt.date(2022, 1, day) for day in range(1, 6)]


def _following(day: str, steps: int) -> list[str]:
    """The days a slider starting at ``day`` shows over ``steps`` steps forward, wrapping."""
    at = PERIOD.index(dt.date.fromisoformat(day))
    return [PERIOD[(at + i) % len(PERIOD)].isoformat() for i in range(1, steps + 1)]


async def _load(url: str, pid: int) -> tuple[dict[str, Any], list[capacity.Session], list[Any]]:
    """Open a session at each start day, step them all for 2 s at 4 steps/s; the level and more."""
    sessions = await capacity.open_sessions(url, [f"date={day}" for day in START_DAYS])
    try:
        states = [session.widget_states() for session in sessions]
        level = await capacity.run_level(
            sessions, duration_s=2.0, rate=4.0, pid=pid, rng=random.Random(7)
        )
    finally:
        await capacity.close_sessions(sessions)
    return level, sessions, states


def test_load_generator_counts_the_fragment_reruns_the_app_ran(tmp_path: Path) -> None:
    app = tmp_path / "counting_app.py"
    app.write_text(COUNTING_APP)
    log = tmp_path / "runs.log"
    with running_app(app, env={"CAPACITY_TEST_LOG": str(log)}, timeout=30) as url:
        # In a thread of its own: after the browser tests, Playwright holds this thread's loop.
        level, sessions, states = capacity.in_own_thread(_load(url, server_pid(url)))

    runs = collections.defaultdict(list)
    for line in log.read_text().splitlines():
        session_id, kind, day = line.split()
        runs[session_id, kind].append(day)
    fragment_runs = sum(len(days) for (_, kind), days in runs.items() if kind == "fragment")
    first_runs = len(sessions)  # the page's first run ran the fragment too
    assert level["errors"] == 0 and level["page_exceptions"] == 0
    assert level["steps_completed"] >= 12  # two sessions, four steps a second, two seconds
    assert level["steps_sent"] == level["steps_completed"] == fragment_runs - first_runs
    assert len(level["latencies_ms"]) == level["steps_completed"]
    assert all(latency > 0 for latency in level["latencies_ms"])
    assert level["rss_mb"] > 0 and level["server_cpu_ms_per_step"] >= 0

    for session, start in zip(sessions, START_DAYS, strict=True):
        # One full run (the page's opening); every step reran the fragment alone, one day further.
        assert runs[session.session_id, "full"] == [start]
        shown = runs[session.session_id, "fragment"]
        assert shown == [start, *_following(start, len(shown) - 1)]

    for sent in states:
        keys = sorted(widget.id.rsplit("-", 1)[-1] for widget in sent.widgets)
        assert keys == ["date", "name"]  # the popover's checkbox is not mounted until opened
        by_key = {widget.id.rsplit("-", 1)[-1]: widget for widget in sent.widgets}
        assert by_key["name"].string_value == "kept"
        assert len(by_key["date"].double_array_value.data) == 1


def test_a_date_slider_steps_one_day_and_wraps_at_the_end() -> None:
    day_us = 86_400_000_000.0
    first_us = dt.datetime(2022, 1, 1, tzinfo=dt.UTC).timestamp() * 1_000_000
    slider = capacity.SliderSpec(
        "id", "fragment", first_us, first_us + 4 * day_us, day_us, Slider.DATE
    )
    assert slider.after(first_us) == first_us + day_us
    assert slider.after(first_us + 4 * day_us) == first_us
    assert slider.days() == [day.isoformat() for day in PERIOD]
    assert capacity.micros_to_day(first_us + day_us) == "2022-01-02"


def test_message_cache_resolves_references_and_forgets_unused_entries() -> None:
    message = ForwardMsg(hash="abc")
    message.metadata.cacheable = True
    message.delta.fragment_id = "frag"
    message.delta.new_element.markdown.body = "large"
    cache = capacity.MessageCache()
    cache.remember(message, message.SerializeToString())
    assert cache.hashes() == ["abc"]

    reference = ForwardMsg(ref_hash="abc")
    reference.metadata.delta_path.extend([0, 3])
    resolved = cache.resolve(reference)
    assert resolved.delta.new_element.markdown.body == "large"
    assert list(resolved.metadata.delta_path) == [0, 3]

    # Ages count every run; another fragment's runs just never drop it; being used renews it.
    cache.run_finished(max_age=2, fragment_ids=[])
    cache.run_finished(max_age=2, fragment_ids=["other"])
    cache.run_finished(max_age=2, fragment_ids=["other"])
    assert cache.hashes() == ["abc"]
    cache.resolve(reference)
    cache.run_finished(max_age=2, fragment_ids=[])
    cache.run_finished(max_age=2, fragment_ids=["frag"])
    assert cache.hashes() == ["abc"]
    cache.run_finished(max_age=2, fragment_ids=[])
    assert cache.hashes() == []


def test_the_client_finds_the_day_files_the_dashboards_map_would_fetch():
    """The map is told where the days' files are; the client fetches the slider's day as a browser."""
    import json

    from streamlit_folium import _get_feature_group_string

    from dashboard.assets import MapAssets
    from dashboard.map_builders import build_base_map, build_day_reference

    group = build_day_reference(
        "/kz/day/t/2022-01-07.json?layers=country", date="2022-01-07",
        period=("2022-01-01", "2022-01-20"), prefetch=[1, -1, 2],
    )  # fmt: skip
    assets = MapAssets(js=(), css=(), countries_url="/c.geojson", regions_url="/r.geojson")
    script = _get_feature_group_string(group, map=build_base_map(assets), idx=0)
    args = json.dumps({"feature_group": script})
    assert capacity.map_file_urls(args, "2022-01-19") == [
        "/kz/day/t/2022-01-19.json?layers=country",
        "/kz/day/t/2022-01-20.json?layers=country",
        "/kz/day/t/2022-01-18.json?layers=country",
    ]  # none past the period's last day
    assert capacity.map_file_urls(json.dumps({"feature_group": ""}), "2022-01-19") == []
