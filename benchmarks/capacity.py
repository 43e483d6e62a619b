"""How many sessions stepping the Date slider once a second one server sustains: dashboard vs floor.

Run with ``python -m benchmarks.capacity [--duration S] [--rate R] [--max-sessions N]
[--apps dashboard,floor] [--quick]``. No browser: each simulated session speaks Streamlit's own
websocket protocol (``/_stcore/stream``, the ``BackMsg`` and ``ForwardMsg`` protobufs shipped with
Streamlit) the way the frontend does:

- it opens the page with a ``rerun_script`` carrying the query string (``?date=`` a random day of the
  period, so the sessions spread over the record) and waits for the run's ``script_finished``;
- it keeps the widget states the frontend keeps (each widget's value on mount, from the element that
  created it; widgets inside a popover or dialog never mount until opened, and buttons hold no
  state) and sends them all with every rerun, with the page's current query string;
- a step moves the slider keyed ``date`` one step forward (wrapping at the end): a ``rerun_script``
  with the slider's new value (a date is microseconds since the epoch, as ``double_array_value``)
  and the ``fragment_id`` of the fragment that drew it, as the frontend sends for a fragment's widget;
- it keeps Streamlit's ForwardMsg cache as the frontend does (cacheable messages by hash, aged per
  run, their hashes sent with each rerun) and resolves ``ref_hash`` messages from it.

A step's latency is the request sent to the ``script_finished`` of the run it started, as this
process saw them; its bytes are the websocket payloads received meanwhile. Each session steps at
``--rate`` (default 1 a second) from a random phase; a step due while the previous one is still
running is sent when that one ends, and slots missed altogether are dropped.

The ramp: a first session opens the page and takes a few unmeasured steps (the server's first runs
compile and cache); then for 1, 2, 4, 8, 12, 16, 24, 32, 48, 64, ... sessions (more are opened
between levels and all stay open; each level starts once the server is idle again) every session
steps for ``--duration`` seconds (default 20; ``--quick``: 10 s, at most 64 sessions), and at least
long enough for 20 steps in all. A level is sustained when the p95 latency is at most 500 ms, at
least 90 % of the scheduled steps completed and no step failed; the ramp stops at the first level
that is not, then bisects between it and the last that held (closing sessions to go down). A level
that fails while other processes kept more than 0.75 of a core busy (the machine is shared) and the
server itself was not saturated is run again, up to twice; the JSON keeps those attempts. Server CPU per step is the ``streamlit``
process's utime + stime over the level (``/proc/<pid>/stat``) divided by the steps completed, and
"per core" the sessions one whole core would carry at that cost; RSS is its VmRSS at the end of the
level. The dashboard (bundled record) and the floor app
(``benchmarks/floor_app.py``) each get a fresh server, one after the other; the table and
``bench-results/capacity.json`` give the most sessions each sustained and the ratio of the two.

``--compare-browser [--rounds N]`` instead measures one session of the dashboard (or of the
``--apps`` given) stepping through 20 days (``benchmarks.step_latency.DAYS``) with this protocol
client and, alternately, in Chromium (``step_latency.measure_round``: key press to the day drawn in
the map), on the same server, and prints both medians and both byte counts.

What the protocol client does not do: run the page's JavaScript, so nothing the page fetches over
HTTP (the component's iframe and scripts, or data the map fetches) loads the server, and no
component ever sends a value back. The load generator shares the machine with the server (two
cores, shared with others): each level records this process's CPU share and what every other
process used; the absolute figures are rough, compare the two apps.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from benchmarks.bench import BUNDLED_ENV, _fingerprint, memory_mb, server_pid
from benchmarks.step_latency import DAYS, FLOOR_APP
from tests.support.browser import APP, ROOT, running_app

if TYPE_CHECKING:
    from collections.abc import Coroutine, Iterable, Sequence

    from streamlit.proto.Delta_pb2 import Delta
    from streamlit.proto.Element_pb2 import Element
    from websockets.asyncio.client import ClientConnection

RESULTS = ROOT / "bench-results" / "capacity.json"
APPS: dict[str, tuple[Path, dict[str, str] | None]] = {
    "dashboard": (APP, BUNDLED_ENV),
    "floor": (FLOOR_APP, None),
}
STREAM_PATH = "/_stcore/stream"
LEVELS = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
P95_BUDGET_MS = 500.0
# A level whose sessions completed fewer of their scheduled steps than this fell behind the rate.
COMPLETED_SHARE = 0.9
SLIDER_KEY = "date"
DATE_PARAMETER = "date"  # both apps open at ?date=<iso day>
OPEN_TIMEOUT_S = 180.0  # a first run of the dashboard, behind many others, on two shared cores
STEP_TIMEOUT_S = 60.0
OPENING_AT_ONCE = 4  # first runs are heavy: open new sessions a few at a time
# Before a level's clock starts, the server must be idle: below this share of a core over IDLE_EVERY_S
# (first runs of new sessions, the dashboard's warm-up thread and their garbage done), or
# IDLE_TIMEOUT_S gone by.
IDLE_SHARE = 0.05
IDLE_EVERY_S = 0.5
IDLE_TIMEOUT_S = 60.0
# A level lasts long enough for this many steps in all, so a p95 is not just the slowest step.
MIN_STEPS_PER_LEVEL = 20
# A level that fails while every other process on the machine used more than this many cores is
# run again, at most DISTURBED_RETRIES times (the machine is shared); not when the server itself
# kept SATURATED_SHARE of a core busy: then it failed of its own load.
DISTURBED_CORES = 0.75
SATURATED_SHARE = 0.85
DISTURBED_RETRIES = 2
WARM_UP_STEPS = 5  # by the first session, unmeasured: the server's first steps compile and cache
RSS_EVERY_S = 0.5
QUICK_DURATION_S = 10.0
QUICK_MAX_SESSIONS = 64
# What Chromium on this machine sends (captured from a real page load); the server keeps it in
# st.context, and an app may read it.
CONTEXT = ContextInfo(
    timezone="UTC", timezone_offset=0, locale="en-US", is_embedded=False, color_scheme="light"
)
# Blocks whose children the frontend mounts only when the user opens them.
UNMOUNTED_BLOCKS = frozenset({"popover", "dialog"})
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
Result = TypeVar("Result")


def _log(message: str) -> None:
    """Progress, on stderr: stdout has only the table."""
    print(f"[capacity {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- what the frontend keeps ---------------------------------------------------------------------


def mounted_state(element: Element) -> WidgetState | None:
    """The state Streamlit's frontend gives a widget when it mounts (``None``: it keeps none).

    The value the server set (``set_value``) or else the widget's default, in the field the frontend
    uses for that widget; checked against what Chromium sends for each of these widgets. Buttons and
    other trigger widgets, components and unknown widgets hold no state until used.
    """
    kind = element.WhichOneof("type")
    state = WidgetState()
    if kind == "slider":
        slider = element.slider
        values = slider.value if slider.set_value else slider.default
        if slider.options:  # st.select_slider: the options themselves
            state.string_array_value.data.extend(slider.options[int(v)] for v in values)
        else:
            state.double_array_value.data.extend(values)
    elif kind in ("selectbox", "radio"):
        choice = element.selectbox if kind == "selectbox" else element.radio
        if choice.set_value and choice.HasField("raw_value"):
            state.string_value = choice.raw_value
        elif choice.HasField("default"):
            state.string_value = choice.options[choice.default]
        else:
            return None
    elif kind == "checkbox":
        checkbox = element.checkbox
        state.bool_value = checkbox.value if checkbox.set_value else checkbox.default
    elif kind == "multiselect":
        chosen = element.multiselect
        picked = (
            chosen.raw_values if chosen.set_value else [chosen.options[i] for i in chosen.default]
        )
        state.string_array_value.data.extend(picked)
    elif kind in ("text_input", "text_area"):
        text = element.text_input if kind == "text_input" else element.text_area
        if text.set_value and text.HasField("value"):
            state.string_value = text.value
        elif not text.set_value and text.HasField("default"):
            state.string_value = text.default
        else:
            return None  # no value yet (``value=None``)
    elif kind == "number_input":
        number = element.number_input
        if number.set_value and number.HasField("value"):
            value = number.value
        elif not number.set_value and number.HasField("default"):
            value = number.default
        else:
            return None
        if number.data_type == NumberInput.INT:
            state.int_value = int(value)
        else:
            state.double_value = value
    elif kind == "date_input":
        dates = element.date_input
        state.string_array_value.data.extend(dates.value if dates.set_value else dates.default)
    elif kind == "color_picker":
        color = element.color_picker
        state.string_value = color.value if color.set_value else color.default
    elif kind == "file_uploader":
        state.file_uploader_state_value.SetInParent()
    else:
        return None
    return state


def widget_id(element: Element) -> str:
    """The element's widget id, or ``""`` if it is no widget."""
    kind = element.WhichOneof("type")
    inner = getattr(element, kind) if kind else None
    return str(getattr(inner, "id", "") or "")


class WidgetValues:
    """The widget states a browser tab holds and sends, all of them, with every rerun.

    As the frontend does: a widget gets its state when it mounts, keeps it across reruns unless the
    server sets a new one, and loses it when a run (of its fragment, or of the whole page) ends
    without drawing it again.
    """

    def __init__(self) -> None:
        self._states: dict[str, WidgetState] = {}
        self._fragment_of: dict[str, str] = {}
        self._not_drawn: set[str] = set()

    def run_started(self, fragment_ids: Sequence[str]) -> None:
        """A run began: the widgets it reruns are stale until drawn again."""
        self._not_drawn = {
            wid for wid, fragment in self._fragment_of.items()
            if not fragment_ids or fragment in fragment_ids
        }  # fmt: skip

    def drawn(self, element: Element, fragment_id: str, *, mounted: bool) -> None:
        """A widget element arrived; ``mounted`` is false inside a block the user has not opened."""
        wid = widget_id(element)
        self._not_drawn.discard(wid)
        if not mounted:
            return
        state = mounted_state(element)
        if state is None:
            return
        self._fragment_of[wid] = fragment_id
        kind = element.WhichOneof("type")
        set_by_server = bool(kind and getattr(getattr(element, kind), "set_value", False))
        if wid not in self._states or set_by_server:
            state.id = wid
            self._states[wid] = state

    def run_finished(self) -> None:
        """A run ended: widgets it should have drawn and did not are gone."""
        for wid in self._not_drawn:
            self._states.pop(wid, None)
            self._fragment_of.pop(wid, None)
        self._not_drawn = set()

    def set_doubles(self, wid: str, values: Iterable[float]) -> None:
        """Give a widget a new ``double_array_value`` (a slider moved)."""
        state = WidgetState(id=wid)
        state.double_array_value.data.extend(values)
        self._states[wid] = state

    def doubles(self, wid: str) -> list[float]:
        """A widget's ``double_array_value`` (``[]`` if it holds no state)."""
        state = self._states.get(wid)
        return list(state.double_array_value.data) if state is not None else []

    def proto(self) -> WidgetStates:
        """All the states, as a rerun sends them."""
        return WidgetStates(widgets=self._states.values())


@dataclass
class _Cached:
    """One cached message: its bytes, the run it was last used in, and its fragment."""

    raw: bytes
    run_count: int
    fragment_id: str


class MessageCache:
    """The frontend's ForwardMsg cache: cacheable messages by hash, so the server may send a reference.

    Every rerun lists the hashes held; the server then sends ``ref_hash`` instead of those messages.
    An entry is dropped once more than ``max_cached_message_age`` runs (that reran its fragment, for
    a fragment's message) went by without it being used, as the frontend does.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Cached] = {}
        self._run_count = 0

    def remember(self, message: ForwardMsg, raw: bytes) -> None:
        """Keep ``message`` (its bytes ``raw``) if the server marked it cacheable."""
        if message.metadata.cacheable and message.hash and message.hash not in self._entries:
            self._entries[message.hash] = _Cached(raw, self._run_count, message.delta.fragment_id)

    def resolve(self, reference: ForwardMsg) -> ForwardMsg:
        """The cached message a ``ref_hash`` message stands for, with the reference's metadata."""
        entry = self._entries.get(reference.ref_hash)
        if entry is None:
            raise ProtocolError(f"ref_hash {reference.ref_hash} is not in the cache")
        entry.run_count = self._run_count
        message = ForwardMsg()
        message.ParseFromString(entry.raw)
        message.metadata.CopyFrom(reference.metadata)
        return message

    def run_finished(self, max_age: int, fragment_ids: Sequence[str]) -> None:
        """Age the entries after a run; a fragment run ages only that fragment's entries."""
        self._run_count += 1
        for key, entry in list(self._entries.items()):
            if fragment_ids and entry.fragment_id not in fragment_ids:
                continue
            if self._run_count - entry.run_count > max_age:
                del self._entries[key]

    def hashes(self) -> list[str]:
        """The hashes held, for the next rerun."""
        return list(self._entries)


# --- one session ---------------------------------------------------------------------------------


class ProtocolError(RuntimeError):
    """The server said something this client did not expect."""


@dataclass(frozen=True)
class SliderSpec:
    """The slider a session steps: its widget id, its fragment and its range (the proto's units)."""

    widget_id: str
    fragment_id: str
    minimum: float
    maximum: float
    step: float
    data_type: int

    def after(self, value: float) -> float:
        """One step forward from ``value``, back to the start after the end."""
        following = value + self.step
        return self.minimum if following > self.maximum + self.step / 2 else following

    def days(self) -> list[str]:
        """Every value of a date slider as an ISO date (``[]`` for other sliders)."""
        if self.data_type != Slider.DATE or self.step <= 0:
            return []
        count = round((self.maximum - self.minimum) / self.step) + 1
        return [micros_to_day(self.minimum + i * self.step) for i in range(count)]


_SHOW_DAY = re.compile(r"KZ\.showDay\(\w+, ")


def show_day_spec(feature_group: str) -> dict[str, Any] | None:
    """The data of the ``KZ.showDay(group, data)`` call in ``st_folium``'s ``feature_group`` script."""
    found = _SHOW_DAY.search(feature_group)
    if found is None:
        return None
    spec, _ = json.JSONDecoder().raw_decode(feature_group, found.end())
    return spec if isinstance(spec, dict) else None


def day_file_url(spec: dict[str, Any], day: str) -> str:
    """Where the map fetches ``day``'s (ISO) file: ``spec``'s own day's URL with the date changed."""
    return str(spec["url"]).replace(f"/{spec['date']}.json", f"/{day}.json")


def map_file_urls(json_args: str, day: str) -> list[str]:
    """The files the dashboard's map fetches when the slider shows ``day`` (ISO); [] if none.

    That day's, then the days it fetches ahead, from ``st_folium``'s arguments, as ``KZ.showDay``.
    """
    spec = show_day_spec(json.loads(json_args).get("feature_group") or "")
    if spec is None:
        return []
    nearby = (
        (dt.date.fromisoformat(day) + dt.timedelta(days=offset)).isoformat()
        for offset in (0, *spec.get("prefetch", []))
    )
    return [day_file_url(spec, near) for near in nearby if spec["first"] <= near <= spec["last"]]


def _get(base: str, path: str) -> int:
    """GET ``path`` on ``base``'s server as the browser does (gzip accepted); the bytes received."""
    request = urllib.request.Request(
        urllib.parse.urljoin(base, path), headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=STEP_TIMEOUT_S) as response:
        return len(response.read())


def micros_to_day(micros: float) -> str:
    """A date slider's value (microseconds since the epoch, UTC) as an ISO date."""
    return (EPOCH + dt.timedelta(microseconds=micros)).date().isoformat()


@dataclass(frozen=True)
class StepResult:
    """One slider step: request sent to its run's ``script_finished``."""

    latency_ms: float
    bytes_received: int
    day: str  # the slider's new value, as an ISO date for a date slider, else the number
    http_bytes: int = 0  # map files received over HTTP meanwhile (the day's, and the ones ahead)


class Session:
    """One simulated browser tab on ``url``: a websocket speaking Streamlit's protocol."""

    def __init__(self, url: str, *, slider_key: str = SLIDER_KEY) -> None:
        parts = urllib.parse.urlsplit(url)
        self.url = url
        self.stream_url = f"ws://{parts.netloc}{parts.path.rstrip('/')}{STREAM_PATH}"
        self.slider_key = slider_key
        self.slider: SliderSpec | None = None
        self.session_id = ""
        self.runs_finished = 0
        self.exceptions = 0  # st.exception elements received: the page failed
        self._socket: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._widgets = WidgetValues()
        self._cache = MessageCache()
        self._query_string = ""
        self._page_script_hash = ""
        self._max_cached_message_age = 0
        self._run_fragments: list[str] = []
        self._hidden_paths: set[tuple[int, ...]] = set()
        self._finished: asyncio.Future[float] | None = None
        self._awaited_run: str | None = None  # the script_run_id of the run a rerun started
        self._received = 0
        # The dashboard's map is told once where the days' files are (KZ.showDay); the browser
        # fetches the slider's day, and the days either side, once per session. So does this one.
        self._map_args: str | None = None
        self._fetched: dict[str, asyncio.Task[int]] = {}
        self._http_received = 0

    async def open(self, query_string: str = "") -> None:
        """Connect, ask for the page's first run with ``query_string``, and wait for it to end."""
        self._socket = await connect(
            self.stream_url,
            subprotocols=[Subprotocol("streamlit")],
            max_size=None,  # a large record's map arguments run to megabytes
            open_timeout=OPEN_TIMEOUT_S,
        )
        self._reader = asyncio.create_task(self._read(), name=f"read {self.stream_url}")
        self._query_string = query_string
        await self._rerun(fragment_id="", timeout_s=OPEN_TIMEOUT_S)
        if self.slider is None:
            raise ProtocolError(f"the page drew no slider keyed {self.slider_key!r}")

    async def step(self, timeout_s: float = STEP_TIMEOUT_S) -> StepResult:
        """Move the slider one step forward and rerun its fragment; wait for that run to end."""
        slider = self._slider()
        values = self._widgets.doubles(slider.widget_id)
        following = slider.after(values[0]) if values else slider.minimum
        self._widgets.set_doubles(slider.widget_id, [following])
        started, http_before = time.perf_counter(), self._http_received
        _, received = await self._rerun(slider.fragment_id, timeout_s=timeout_s)
        day = micros_to_day(following) if slider.data_type == Slider.DATE else str(following)
        await self._fetch_map_files(day)  # the map is drawn once its day is here
        latency_ms = (time.perf_counter() - started) * 1000
        return StepResult(latency_ms, received, day, self._http_received - http_before)

    async def _fetch_map_files(self, day: str) -> None:
        """Fetch ``day``'s map unless this session has it; the days either side meanwhile."""
        urls = map_file_urls(self._map_args, day) if self._map_args else []
        if not urls:
            return
        shown, *nearby = urls
        task = self._fetch(shown)
        for url in nearby:
            self._fetch(url)  # in the background, as the browser's prefetch
        await task

    def _fetch(self, path: str) -> asyncio.Task[int]:
        if path not in self._fetched:
            task = asyncio.create_task(asyncio.to_thread(_get, self.url, path))
            task.add_done_callback(self._count_http)
            self._fetched[path] = task
        return self._fetched[path]

    def _count_http(self, task: asyncio.Task[int]) -> None:
        if not task.cancelled() and task.exception() is None:
            self._http_received += task.result()

    def widget_states(self) -> WidgetStates:
        """The widget states the next rerun will send."""
        return self._widgets.proto()

    async def close(self) -> None:
        """Close the websocket; the server ends the session."""
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        await asyncio.gather(*self._fetched.values(), return_exceptions=True)

    def _waiting(self) -> bool:
        """Whether a rerun waits for its run to end."""
        return self._finished is not None and not self._finished.done()

    def _slider(self) -> SliderSpec:
        """The slider this session steps; only once the page drew it."""
        if self.slider is None:
            raise ProtocolError("the session is not open")
        return self.slider

    async def _rerun(self, fragment_id: str, *, timeout_s: float) -> tuple[float, int]:
        """Send a ``rerun_script`` as the frontend does; ms to its ``script_finished``, and bytes."""
        if self._socket is None:
            raise ProtocolError("the session is not open")
        if self._finished is not None and not self._finished.done():
            raise ProtocolError("a rerun is already under way")
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = self._query_string
        rerun.widget_states.CopyFrom(self._widgets.proto())
        rerun.page_script_hash = self._page_script_hash
        rerun.fragment_id = fragment_id
        rerun.cached_message_hashes.extend(self._cache.hashes())
        rerun.context_info.CopyFrom(CONTEXT)
        rerun.context_info.url = self.url.rstrip("/") + "/"
        finished = asyncio.get_running_loop().create_future()
        self._finished, self._awaited_run, self._received = finished, None, 0
        sent_at = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        finished_at = await asyncio.wait_for(finished, timeout_s)
        return (finished_at - sent_at) * 1000, self._received

    async def _read(self) -> None:
        """Take every message the server sends; fail a waiting rerun if the connection ends."""
        assert self._socket is not None
        error: BaseException = ConnectionError("the server closed the websocket")
        try:
            async for frame in self._socket:
                raw = frame if isinstance(frame, bytes) else frame.encode()
                self._received += len(raw)
                message = ForwardMsg()
                message.ParseFromString(raw)
                if message.WhichOneof("type") == "ref_hash":
                    message = self._cache.resolve(message)
                else:
                    self._cache.remember(message, raw)
                self._take(message)
        except Exception as failure:  # whatever it is, the waiting rerun must hear of it
            error = failure
        finally:
            if self._finished is not None and not self._finished.done():
                self._finished.set_exception(error)

    def _take(self, message: ForwardMsg) -> None:
        """Update what the tab holds from one message; note the end of a run."""
        kind = message.WhichOneof("type")
        if kind == "new_session":
            new = message.new_session
            self.session_id = new.initialize.session_id or self.session_id
            self._page_script_hash = new.page_script_hash
            self._max_cached_message_age = new.config.max_cached_message_age
            self._run_fragments = list(message.metadata.run.fragment_ids)
            self._widgets.run_started(self._run_fragments)
            if self._awaited_run is None and self._waiting():
                self._awaited_run = message.metadata.run.script_run_id
        elif kind == "page_info_changed":
            self._query_string = message.page_info_changed.query_string
        elif kind == "delta":
            self._take_delta(message.delta, tuple(message.metadata.delta_path))
        elif kind == "script_finished":
            status = message.script_finished
            if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return  # another run follows; its own script_finished ends the wait
            self._cache.run_finished(self._max_cached_message_age, self._run_fragments)
            self._widgets.run_finished()
            self.runs_finished += 1
            run_id = message.metadata.run.script_run_id
            finished = self._finished
            if (
                finished is not None
                and not finished.done()
                and self._awaited_run is not None
                and run_id in ("", self._awaited_run)  # "": the server did not say which run
            ):
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    finished.set_exception(ProtocolError("the script failed to compile"))
                else:
                    finished.set_result(time.perf_counter())

    def _take_delta(self, delta: Delta, path: tuple[int, ...]) -> None:
        """Note unopened blocks, page exceptions, widgets' states and the slider to step."""
        kind = delta.WhichOneof("type")
        if kind == "add_block":
            if delta.add_block.WhichOneof("type") in UNMOUNTED_BLOCKS:
                self._hidden_paths.add(path)
            else:
                self._hidden_paths.discard(path)
            return
        if kind != "new_element":
            return
        element = delta.new_element
        element_type = element.WhichOneof("type")
        if element_type == "exception":
            self.exceptions += 1
        if element_type == "component_instance":
            self._map_args = element.component_instance.json_args
        if not widget_id(element):
            return
        mounted = not any(path[:depth] in self._hidden_paths for depth in range(1, len(path)))
        self._widgets.drawn(element, delta.fragment_id, mounted=mounted)
        if element_type == "slider" and element.slider.id.endswith(f"-{self.slider_key}"):
            slider = element.slider
            self.slider = SliderSpec(
                slider.id, delta.fragment_id, slider.min, slider.max, slider.step, slider.data_type
            )


async def open_sessions(
    url: str, query_strings: Sequence[str], *, at_once: int = OPENING_AT_ONCE
) -> list[Session]:
    """One open session per query string, ``at_once`` first runs at a time."""
    gate = asyncio.Semaphore(at_once)

    async def opened(query_string: str) -> Session:
        """One session, opened once the gate lets it."""
        async with gate:
            session = Session(url)
            await session.open(query_string)
            return session

    return list(await asyncio.gather(*(opened(query) for query in query_strings)))


async def close_sessions(sessions: Iterable[Session]) -> None:
    """Close every session."""
    await asyncio.gather(*(session.close() for session in sessions), return_exceptions=True)


# --- one level of load ---------------------------------------------------------------------------


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system, all threads) ``pid`` has used, from ``/proc/<pid>/stat``."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name, in parentheses, may hold spaces: count fields after it.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> float:
    """CPU seconds all of this machine's cores have been busy (not idle or waiting), from ``/proc/stat``."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    # user nice system idle iowait irq softirq steal: guest time is counted in user already.
    return (sum(fields[:8]) - idle - iowait) / os.sysconf("SC_CLK_TCK")


async def wait_until_idle(pid: int) -> float:
    """Wait until ``pid`` uses under ``IDLE_SHARE`` of a core; the seconds waited."""
    began = time.perf_counter()
    while time.perf_counter() - began < IDLE_TIMEOUT_S:
        before = server_cpu_s(pid)
        await asyncio.sleep(IDLE_EVERY_S)
        if server_cpu_s(pid) - before < IDLE_SHARE * IDLE_EVERY_S:
            break
    return time.perf_counter() - began


@dataclass
class SessionSteps:
    """What one session did during a level."""

    scheduled: int = 0
    steps: list[StepResult] = field(default_factory=list)
    late_ms: list[float] = field(default_factory=list)  # send time after the step's slot
    error: str | None = None


async def pace(session: Session, first_at: float, until: float, period: float) -> SessionSteps:
    """Step ``session`` every ``period`` s from ``first_at`` until ``until`` (``perf_counter``).

    A step due while the previous one runs goes out when that ends; slots missed altogether are
    dropped, so a session that cannot keep up completes fewer steps than were scheduled.
    """
    done = SessionSteps(scheduled=max(0, math.ceil((until - first_at) / period)))
    slot = first_at
    while slot < until:
        now = time.perf_counter()
        if now < slot:
            await asyncio.sleep(slot - now)
        else:
            slot += (now - slot) // period * period  # to the latest slot already due
            if slot >= until:
                break
        done.late_ms.append(max(0.0, time.perf_counter() - slot) * 1000)
        try:
            done.steps.append(await session.step())
        except Exception as error:  # the session is lost; the level goes on without it
            done.error = f"{type(error).__name__}: {error}"
            break
        slot += period
    return done


def _p95(values: Sequence[float]) -> float:
    """The 95th percentile, as ``benchmarks.step_latency`` computes it (the value itself if one)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


async def _peak_rss(pid: int, stop: asyncio.Event) -> float:
    """The largest VmRSS (MB) of ``pid`` seen every ``RSS_EVERY_S`` until ``stop`` is set."""
    peak = 0.0
    while not stop.is_set():
        peak = max(peak, memory_mb(pid)["VmRSS"])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RSS_EVERY_S)
    return max(peak, memory_mb(pid)["VmRSS"])


async def run_level(
    sessions: Sequence[Session],
    *,
    duration_s: float,
    rate: float,
    pid: int | None,
    rng: random.Random,
) -> dict[str, Any]:
    """Every session steps at ``rate`` a second for ``duration_s``; the level's summary.

    ``pid`` is the server's, for its CPU and memory (``None`` to skip them).
    """
    period = 1 / rate
    exceptions_before = sum(session.exceptions for session in sessions)
    stop = asyncio.Event()
    rss = asyncio.create_task(_peak_rss(pid, stop)) if pid is not None else None
    cpu_before = server_cpu_s(pid) if pid is not None else 0.0
    client_before = time.process_time()
    machine_before = machine_busy_s()
    began = time.perf_counter()
    start = began + 0.1  # every session's first slot is in the future
    until = start + duration_s
    results = await asyncio.gather(
        *(pace(session, start + rng.uniform(0, period), until, period) for session in sessions)
    )
    elapsed = time.perf_counter() - began
    cpu_s = server_cpu_s(pid) - cpu_before if pid is not None else None
    client_s = time.process_time() - client_before
    machine_s = machine_busy_s() - machine_before
    stop.set()
    peak_mb = await rss if rss is not None else None
    steps = [step for result in results for step in result.steps]
    latencies = [step.latency_ms for step in steps]
    late_ms = [ms for result in results for ms in result.late_ms]
    scheduled = sum(result.scheduled for result in results)
    errors = [result.error for result in results if result.error]
    exceptions = sum(session.exceptions for session in sessions) - exceptions_before
    completed_share = len(steps) / scheduled if scheduled else 0.0
    summary: dict[str, Any] = {
        "sessions": len(sessions),
        "duration_s": elapsed,
        "steps_scheduled": scheduled,
        "steps_sent": len(late_ms),  # one lateness per step sent
        "steps_completed": len(steps),
        "completed_share": completed_share,
        "errors": len(errors),
        "first_errors": errors[:3],
        "page_exceptions": exceptions,
        "p50_ms": statistics.median(latencies) if latencies else None,
        "p95_ms": _p95(latencies) if latencies else None,
        "max_ms": max(latencies) if latencies else None,
        "late_p95_ms": _p95(late_ms) if late_ms else None,
        "bytes_per_step_median": statistics.median(s.bytes_received for s in steps)
        if steps
        else None,
        "http_bytes_per_step_mean": statistics.fmean(s.http_bytes for s in steps)
        if steps
        else None,
        "server_cpu_ms_per_step": cpu_s * 1000 / len(steps)
        if cpu_s is not None and steps
        else None,
        "server_cpu_share": cpu_s / elapsed if cpu_s is not None else None,  # of one core
        "client_cpu_share": client_s / elapsed,
        # Cores' worth of CPU everything else on the (shared) machine used meanwhile.
        "others_cpu_cores": max(0.0, machine_s - client_s - (cpu_s or 0.0)) / elapsed,
        "load_average_1min": os.getloadavg()[0],
        "rss_mb": memory_mb(pid)["VmRSS"] if pid is not None else None,
        "rss_peak_mb": peak_mb,
        "latencies_ms": latencies,
    }
    summary["sustained"] = (
        not errors
        and not exceptions
        and bool(latencies)
        and summary["p95_ms"] <= P95_BUDGET_MS
        and completed_share >= COMPLETED_SHARE
    )
    return summary


# --- the ramp ------------------------------------------------------------------------------------


def levels_up_to(max_sessions: int) -> list[int]:
    """The session counts of the ramp, up to ``max_sessions`` (which ends it if not in the series).

    >>> levels_up_to(10)
    [1, 2, 4, 8, 10]
    """
    levels = [n for n in LEVELS if n < max_sessions]
    return [*levels, max_sessions]


def _start_queries(slider: SliderSpec, count: int, rng: random.Random) -> list[str]:
    """``date=<day>`` at a random day of the slider's range for each of ``count`` sessions."""
    days = slider.days()
    if not days:
        return [""] * count
    return [urllib.parse.urlencode({DATE_PARAMETER: rng.choice(days)}) for _ in range(count)]


class Ramp:
    """Sessions on one server, opened and closed to run levels of load."""

    def __init__(self, url: str, pid: int, *, duration_s: float, rate: float, seed: int) -> None:
        self.url, self.pid = url, pid
        self.duration_s, self.rate = duration_s, rate
        self.rng = random.Random(seed)
        self.sessions: list[Session] = []
        self.levels: list[dict[str, Any]] = []
        self.slider: SliderSpec | None = None

    async def start(self) -> None:
        """Open the first session and step it a few times, unmeasured.

        The server's first runs load and compile what later ones reuse; the first session learns
        the slider's range, for the start days of the others.
        """
        first = Session(self.url)
        await first.open()
        self.sessions.append(first)
        self.slider = first.slider
        for _ in range(WARM_UP_STEPS):
            await first.step()

    async def level(self, count: int) -> bool:
        """Run a level of ``count`` sessions (opening or closing some first); whether it held.

        At least ``MIN_STEPS_PER_LEVEL`` steps in all: a p95 of five steps is their slowest. A level
        that fails while other processes kept more than ``DISTURBED_CORES`` busy, and the server
        less than ``SATURATED_SHARE`` of a core, is run again.
        """
        await self._resize(count)
        seconds = max(self.duration_s, MIN_STEPS_PER_LEVEL / (count * self.rate))
        disturbed: list[dict[str, Any]] = []
        while True:
            await wait_until_idle(self.pid)
            level = await run_level(
                self.sessions, duration_s=seconds, rate=self.rate, pid=self.pid, rng=self.rng
            )
            _log(_level_line(level))
            if (
                level["sustained"]
                or level["others_cpu_cores"] <= DISTURBED_CORES
                or level["server_cpu_share"] >= SATURATED_SHARE
                or len(disturbed) == DISTURBED_RETRIES
            ):
                break
            _log(f"other processes used {level['others_cpu_cores']:.1f} cores: again")
            disturbed.append({k: v for k, v in level.items() if k != "latencies_ms"})
        level["disturbed_attempts"] = disturbed
        self.levels.append(level)
        return bool(level["sustained"])

    async def _resize(self, count: int) -> None:
        """Open sessions (at random days) or close the newest, until ``count`` are open."""
        missing = count - len(self.sessions)
        if missing > 0:
            assert self.slider is not None, "start() first"
            opening = time.perf_counter()
            queries = _start_queries(self.slider, missing, self.rng)
            self.sessions += await open_sessions(self.url, queries)
            _log(f"opened {missing} sessions in {time.perf_counter() - opening:.1f} s")
        elif missing < 0:
            await close_sessions(self.sessions[count:])
            del self.sessions[count:]

    async def close(self) -> None:
        """Close every session."""
        await close_sessions(self.sessions)
        self.sessions = []


async def ramp(
    url: str, pid: int, *, levels: Sequence[int], duration_s: float, rate: float, seed: int
) -> list[dict[str, Any]]:
    """Run ``levels`` in turn until one fails, then bisect between it and the last that held.

    Every level's summary, in the order run. Sessions stay open from level to level.
    """
    load = Ramp(url, pid, duration_s=duration_s, rate=rate, seed=seed)
    try:
        await load.start()
        held, failed = 0, None
        for count in levels:
            if not await load.level(count):
                failed = count
                break
            held = count
        while failed is not None and failed - held > 1:
            middle = (held + failed) // 2
            if await load.level(middle):
                held = middle
            else:
                failed = middle
    finally:
        await load.close()
    return load.levels


def _level_line(level: dict[str, Any]) -> str:
    """One level in a line, for the progress log."""

    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f}"

    return (
        f"{level['sessions']:>4} sessions: p50 {ms(level['p50_ms'])} ms, p95 {ms(level['p95_ms'])} ms, "
        f"{level['steps_completed']}/{level['steps_scheduled']} steps, "
        f"server CPU {ms(level['server_cpu_ms_per_step'])} ms/step "
        f"({level['server_cpu_share']:.0%} of a core), client {level['client_cpu_share']:.0%}, "
        f"others {level['others_cpu_cores']:.1f} cores, RSS {ms(level['rss_mb'])} MB, "
        f"errors {level['errors']}" + ("" if level["sustained"] else "  -> not sustained")
    )


def sustained(levels: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The largest level that held below the smallest that did not (``None`` if none held)."""
    failed = min((level["sessions"] for level in levels if not level["sustained"]), default=None)
    held = [
        level
        for level in levels
        if level["sustained"] and (failed is None or level["sessions"] < failed)
    ]
    return max(held, key=lambda level: level["sessions"], default=None)


def measure_app(
    name: str, *, levels: Sequence[int], duration_s: float, rate: float, seed: int
) -> dict[str, Any]:
    """Start a fresh server for ``name`` and ramp it; the levels and the one sustained."""
    script, env = APPS[name]
    _log(f"{name}: starting the server")
    with running_app(script, env=env, timeout=120) as url:
        pid = server_pid(url)
        ran = in_own_thread(
            ramp(url, pid, levels=levels, duration_s=duration_s, rate=rate, seed=seed)
        )
    best = sustained(ran)
    cpu_ms = best["server_cpu_ms_per_step"] if best else None
    return {
        "sessions_sustained": best["sessions"] if best else 0,
        # Every level held: the capacity may be higher than the largest one run.
        "capped": all(level["sustained"] for level in ran),
        # Sessions one core would carry at this CPU per step with nothing else to do: an upper
        # bound that the machine's other load disturbs less than the latency.
        "sessions_per_core": 1000 / (cpu_ms * rate) if cpu_ms else None,
        "at_sustained": {k: v for k, v in best.items() if k != "latencies_ms"} if best else None,
        "levels": ran,
    }


def print_table(results: dict[str, Any]) -> None:
    """The capacity of each app, and the ratio of sessions."""
    options = results["options"]
    print(
        f"Sessions sustained at {options['rate']:g} step/s each, p95 <= {P95_BUDGET_MS:.0f} ms "
        f"({options['duration_s']:g} s per level; protocol client, no browser)"
    )
    print(
        f"{'app':<10} {'sessions':>9} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/step':>12} "
        f"{'per core':>9} {'RSS MB':>7} {'WS KB/step':>10} {'HTTP KB/step':>12} "
        f"{'client CPU':>11} {'others, cores':>14}"
    )
    for name, app in results["apps"].items():
        at = app["at_sustained"]
        count = f"{'>=' if app['capped'] else ''}{app['sessions_sustained']}"
        if at is None:
            print(f"{name:<10} {count:>9}   (even one session missed the budget)")
            continue
        print(
            f"{name:<10} {count:>9} {at['p50_ms']:8.1f} {at['p95_ms']:8.1f} "
            f"{at['server_cpu_ms_per_step']:12.1f} {app['sessions_per_core']:9.1f} {at['rss_mb']:7.0f} "
            f"{at['bytes_per_step_median'] / 1000:10.1f} "
            f"{(at.get('http_bytes_per_step_mean') or 0) / 1000:12.1f} {at['client_cpu_share']:11.0%} "
            f"{at['others_cpu_cores']:14.2f}"
        )
    ratio = results.get("ratio_sessions")
    if ratio is not None:
        per_core = results.get("ratio_sessions_per_core")
        print(
            f"dashboard/floor sessions: {ratio:.2f}"
            + (f" (per core, from CPU per step: {per_core:.2f})" if per_core else "")
        )
    print(
        "per core = sessions one whole core would carry at that CPU per step; others = cores the "
        "machine's other processes kept busy meanwhile"
    )


def run_capacity(
    apps: Sequence[str], *, duration_s: float, rate: float, max_sessions: int, seed: int
) -> dict[str, Any]:
    """Ramp each app in turn; everything as one JSON-able dict."""
    levels = levels_up_to(max_sessions)
    results: dict[str, Any] = {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "product": _fingerprint(),  # others edit the dashboard meanwhile: which sources ran
        "options": {
            "apps": list(apps),
            "duration_s": duration_s,
            "rate": rate,
            "max_sessions": max_sessions,
            "levels": levels,
            "seed": seed,
            "p95_budget_ms": P95_BUDGET_MS,
            "completed_share": COMPLETED_SHARE,
        },
        "apps": {},
    }
    for name in apps:
        results["apps"][name] = measure_app(
            name, levels=levels, duration_s=duration_s, rate=rate, seed=seed
        )
    counts = {name: app["sessions_sustained"] for name, app in results["apps"].items()}
    if counts.get("floor") and "dashboard" in counts:
        results["ratio_sessions"] = counts["dashboard"] / counts["floor"]
        per_core = {name: app["sessions_per_core"] for name, app in results["apps"].items()}
        if per_core["floor"] and per_core["dashboard"]:
            results["ratio_sessions_per_core"] = per_core["dashboard"] / per_core["floor"]
    return results


# --- one session against the browser -------------------------------------------------------------


async def protocol_round(url: str, days: Sequence[dt.date]) -> list[StepResult]:
    """Open ``url`` at ``days[0]`` and step once per later day, one at a time, as the browser round does."""
    session = Session(url)
    try:
        await session.open(urllib.parse.urlencode({DATE_PARAMETER: days[0].isoformat()}))
        steps = []
        for day in days[1:]:
            step = await session.step()
            if step.day != day.isoformat():
                raise ProtocolError(f"the slider went to {step.day}, not {day}")
            steps.append(step)
            await asyncio.sleep(0.1)  # as the browser round lets the page settle
        return steps
    finally:
        await session.close()


def in_own_thread(coroutine: Coroutine[Any, Any, Result]) -> Result:
    """Run ``coroutine`` in a thread of its own: Playwright's sync API may hold this thread's loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def compare_browser(apps: Sequence[str], rounds: int) -> dict[str, Any]:
    """One session stepping through ``DAYS``: this client vs Chromium, alternating, per app."""
    from playwright.sync_api import sync_playwright

    from benchmarks import step_latency
    from tests.support.browser import launch_chromium

    results: dict[str, Any] = {}
    for name in apps:
        script, env = APPS[name]
        protocol: list[StepResult] = []
        browser_steps: list[step_latency.Step] = []
        with running_app(script, env=env, timeout=120) as url, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                in_own_thread(
                    protocol_round(url, DAYS[:2])
                )  # the server's first run loads the record
                for index in range(rounds):
                    # Alternate, and swap who goes first, as step_latency does for its two apps.
                    for client in (
                        ("protocol", "browser") if index % 2 == 0 else ("browser", "protocol")
                    ):
                        _log(f"{name}: round {index + 1}, {client}")
                        if client == "protocol":
                            protocol += in_own_thread(protocol_round(url, DAYS))
                        else:
                            browser_steps += step_latency.measure_round(browser, url, DAYS).steps
            finally:
                browser.close()
        results[name] = {
            "steps": len(protocol),
            "protocol_median_ms": statistics.median(s.latency_ms for s in protocol),
            "protocol_p95_ms": _p95([s.latency_ms for s in protocol]),
            "browser_median_ms": statistics.median(s.latency_ms for s in browser_steps),
            "browser_p95_ms": _p95([s.latency_ms for s in browser_steps]),
            "browser_script_median_ms": statistics.median(s.script_ms for s in browser_steps),
            # The map follows the slider in the browser before the server answers: the run's end
            # is what compares with this client's request -> script_finished.
            "browser_run_median_ms": statistics.median(
                s.run_ms for s in browser_steps if s.run_ms is not None
            ),
            "protocol_bytes_median": statistics.median(s.bytes_received for s in protocol),
            "browser_bytes_median": statistics.median(s.ws_bytes_step for s in browser_steps),
        }
    return results


def print_comparison(results: dict[str, Any], rounds: int) -> None:
    """Both clients' medians for each app."""
    print(
        f"One session, {rounds} rounds x {len(DAYS) - 1} steps per client: protocol = request -> "
        "script_finished; browser = key press -> day drawn in the map (and -> its script ran, "
        "-> the run ended)"
    )
    print(
        f"{'app':<10} {'protocol p50':>13} {'p95':>7} {'browser p50':>12} {'p95':>7} "
        f"{'browser script p50':>19} {'browser run p50':>16} {'bytes proto/browser':>21}"
    )
    for name, r in results.items():
        print(
            f"{name:<10} {r['protocol_median_ms']:13.1f} {r['protocol_p95_ms']:7.1f} "
            f"{r['browser_median_ms']:12.1f} {r['browser_p95_ms']:7.1f} "
            f"{r['browser_script_median_ms']:19.1f} {r['browser_run_median_ms']:16.1f} "
            f"{r['protocol_bytes_median']:>10,.0f}/{r['browser_bytes_median']:<10,.0f}"
        )


# --- the command line ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """Ramp the apps (or compare with the browser); print the table and write the JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.capacity", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--duration", type=float, help="seconds per level (default 20; quick 10)")
    parser.add_argument("--rate", type=float, default=1.0, help="steps a second per session")
    parser.add_argument(
        "--max-sessions", type=int, help=f"the largest level (default {LEVELS[-1]}; quick 64)"
    )
    parser.add_argument(
        "--apps",
        help="comma-separated, of dashboard,floor (default both; with --compare-browser, dashboard)",
    )
    parser.add_argument("--quick", action="store_true", help="short levels, at most 64 sessions")
    parser.add_argument("--seed", type=int, default=1, help="for the start days and phases")
    parser.add_argument(
        "--compare-browser",
        action="store_true",
        help="instead: one session, this client vs Chromium (benchmarks.step_latency)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="with --compare-browser (default 2)")
    options = parser.parse_args(argv)
    default_apps = "dashboard" if options.compare_browser else "dashboard,floor"
    apps = [name.strip() for name in (options.apps or default_apps).split(",") if name.strip()]
    unknown = sorted(set(apps) - set(APPS))
    if unknown or not apps:
        parser.error(f"--apps takes {', '.join(APPS)}; not {', '.join(unknown) or 'nothing'}")
    if options.rate <= 0:
        parser.error("--rate must be positive")
    if options.compare_browser:
        compared = compare_browser(apps, options.rounds)
        print_comparison(compared, options.rounds)
        return
    duration = options.duration or (QUICK_DURATION_S if options.quick else 20.0)
    max_sessions = options.max_sessions or (QUICK_MAX_SESSIONS if options.quick else LEVELS[-1])
    if max_sessions < 1 or duration <= 0:
        parser.error("--max-sessions and --duration must be positive")
    started = time.perf_counter()
    results = run_capacity(
        apps, duration_s=duration, rate=options.rate, max_sessions=max_sessions, seed=options.seed
    )
    results["elapsed_s"] = time.perf_counter() - started
    print_table(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)} ({results['elapsed_s']:.0f} s)")


if __name__ == "__main__":
    main()
