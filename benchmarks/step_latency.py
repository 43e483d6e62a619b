"""Time one step of the Date slider: key press to the new day drawn in the map, dashboard vs floor.

Run with ``python -m benchmarks.step_latency [--rounds N]``. Both apps run at once and are measured in
the same Chromium, alternating per round, so the machine's load hits both alike. The floor app
(``benchmarks/floor_app.py``) keeps the slider, the fragment and an empty map; what the dashboard
takes beyond it is the cost of its content. The machine is shared: compare the ratios, and read the
absolute figures as rough.

Clocks: the key press is stamped in the page and the drawing in the map's iframe, both as
``performance.timeOrigin + performance.now()`` (epoch ms), corrected by the two clocks' offset, which
is measured once per page load from one script that reads both.

"Drawn" is the end of the first frame after the day's script ran: a setter on ``window.__kzDay`` (set
by the dashboard's status layer and by the floor app's empty group) notes the time, waits for the
next animation frame, then for the task after it, which runs once that frame's layout and paint are
done. By then the whole ``feature_group`` script of the step has run, the groups after the status
layer included.

Websocket bytes: every frame the page receives, from the DevTools protocol, between the key press and
100 ms after the run ended. ``--by-kind [--data DIR | --scale N] [--steps N]`` shows where they go
instead: it opens the dashboard alone on that record at a day in the middle of the period, presses
ArrowRight ``steps`` times (default 5), decodes every frame (Streamlit's ``ForwardMsg`` protobuf) and
prints the median bytes per step by message kind: ``element:component_instance`` is the map
(``st_folium``'s arguments), ``element:vega_lite_chart`` the troop chart, ``element:html`` the day's
story, ``element:dataframe`` the troops table, and so on.
"""

from __future__ import annotations

import argparse
import base64
import collections
import datetime as dt
import json
import statistics
import tempfile
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from playwright.sync_api import sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

import geodata
from benchmarks._cli import add_record_options, chosen_record_folder, middle_days
from tests.support.browser import APP, MAP_FRAME, ROOT, launch_chromium, running_app

if TYPE_CHECKING:
    from collections.abc import Sequence

    from playwright.sync_api import Browser, CDPSession, Frame, Page

FLOOR_APP = ROOT / "benchmarks" / "floor_app.py"
RESULTS = ROOT / "bench-results" / "step_latency.json"
# The record's period, which benchmarks/floor_app.py repeats.
DAYS = tuple(dt.date(2022, 1, 1) + dt.timedelta(days=i) for i in range(20))
SLIDER = 'input[type="range"][aria-label="Date"]'
# ``data-test-script-state`` follows every run at once; the status widget's running icon only shows
# after 500 ms of running, so it alone would not tell that a short fragment run is still going.
IDLE = """() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === "notRunning"
    && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')"""
# Wait for the basemap polygons the dashboard fetches after mounting (the floor app has none), so a
# late fetch does not land in a measured step.
SETTLED = "() => !window.KZ || Object.values(window.KZ.bases).every(b => b.getLayers().length > 0)"
# The key press, and the end of the run it started: the whole page (rail, story, chart) updated.
KEY_LISTENER = """() => {
  window.__keyAt = null;
  window.__runEndedAt = null;
  window.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") {
      window.__keyAt = performance.timeOrigin + performance.now();
      window.__runEndedAt = null;
      window.__runStarted = false;
    }
  }, {capture: true});
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    const state = app.dataset.testScriptState;
    if (window.__keyAt === null) return;
    if (state === "running") window.__runStarted = true;
    else if (state === "notRunning" && window.__runStarted && window.__runEndedAt === null) {
      window.__runEndedAt = performance.timeOrigin + performance.now();
    }
  }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""
# In the map's iframe, which stays mounted for the whole page load, so the hook lasts all the steps.
DRAWN_HOOK = """() => {
  if (window.__kzHook) return;
  const now = () => performance.timeOrigin + performance.now();
  const layerCount = () => (window.map_div ? Object.keys(window.map_div._layers).length : null);
  let value = window.__kzDay;
  window.__kzDrawn = {};
  Object.defineProperty(window, "__kzDay", {
    configurable: true,
    get: () => value,
    set: (day) => {
      value = day;
      const mark = {set: now(), frame: null, drawn: null, layersAtSet: layerCount()};
      window.__kzDrawn[day] = mark;
      requestAnimationFrame(() => {
        mark.frame = now();
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          mark.drawn = now();
          mark.layersDrawn = layerCount();
          mark.legendDay = document.querySelector(".kz-legend")?.dataset.day ?? null;
        };
        channel.port2.postMessage(null);
      });
    },
  });
  window.__kzHook = true;
}"""
CLOCK_OFFSET = """(selector) => {
  const inner = document.querySelector(selector).contentWindow.performance;
  const before = performance.timeOrigin + performance.now();
  const frame = inner.timeOrigin + inner.now();
  const after = performance.timeOrigin + performance.now();
  return frame - (before + after) / 2;
}"""


@dataclass
class Step:
    """One slider step: latencies (ms from the key press) and websocket bytes received."""

    day: str
    latency_ms: float  # to the end of the first frame after the day's script ran
    script_ms: float  # to the day's script running (``window.__kzDay`` set)
    frame_ms: float  # to the start of the next animation frame
    run_ms: float | None  # to the end of the step's run: the whole page updated, not only the map
    layers_at_script: int | None
    layers_drawn: int | None
    legend_day: str | None
    ws_bytes_to_map: int | None  # frames up to the one carrying the map's update
    ws_bytes_step: int  # every frame until the run finished


class Received(NamedTuple):
    """One websocket frame: its size, whether it carries the map's update, its bytes if binary."""

    size: int
    carries_map: bool
    data: bytes | None  # None for a text frame


class Frames:
    """Websocket frames the page receives, from the DevTools protocol."""

    def __init__(self, session: CDPSession) -> None:
        self.session = session
        self.frames: list[Received] = []
        session.on("Network.webSocketFrameReceived", self._received)
        session.send("Network.enable")

    def _received(self, event: dict[str, Any]) -> None:
        response = event["response"]
        payload = response["payloadData"]
        # Streamlit sends binary protobuf, which the protocol hands over base64-encoded.
        binary = response["opcode"] == 2
        data = base64.b64decode(payload) if binary else payload.encode()
        self.frames.append(
            Received(len(data), b"streamlit_folium" in data, data if binary else None)
        )

    def take(self) -> list[Received]:
        """The frames received since the last call."""
        self.session.send("Runtime.evaluate", {"expression": "0"})  # deliver pending events
        frames, self.frames = self.frames, []
        return frames


def bytes_to_map(frames: Sequence[Received]) -> tuple[int | None, int]:
    """Bytes up to the frame carrying the map's update (``None`` if none did), and in all."""
    to_map, total = None, 0
    for frame in frames:
        total += frame.size
        if frame.carries_map and to_map is None:
            to_map = total
    return to_map, total


def message_kind(data: bytes) -> str:
    """``element:<element type>`` for new elements, ``delta:<kind>`` for other deltas, else the ForwardMsg's own kind."""
    message = ForwardMsg()
    try:
        message.ParseFromString(data)
    except Exception:  # something newer than this protobuf
        return "undecoded"
    kind = message.WhichOneof("type") or "empty"
    if kind == "delta":
        delta = message.delta
        which = delta.WhichOneof("type")
        if which == "new_element":
            return f"element:{delta.new_element.WhichOneof('type')}"
        return f"delta:{which}"
    return kind


def bytes_by_kind(frames: Sequence[Received]) -> dict[str, int]:
    """Bytes per message kind (:func:`message_kind`; ``text`` for text frames)."""
    totals: dict[str, int] = collections.Counter()
    for frame in frames:
        totals["text" if frame.data is None else message_kind(frame.data)] += frame.size
    return dict(totals)


@dataclass
class Round:
    """One page load stepped through its days."""

    steps: list[Step]
    clock_offset_ms: float
    bytes_by_kind: list[dict[str, int]] = field(default_factory=list)  # per step, if asked


def _open(page: Page, url: str, day: dt.date) -> Frame:
    page.goto(f"{url}/?date={day.isoformat()}")
    frame = page.wait_for_selector(MAP_FRAME, timeout=60_000).content_frame()
    if frame is None:
        raise RuntimeError("the map iframe has no frame")
    frame.wait_for_function("day => window.__kzDay === day", arg=day.isoformat(), timeout=60_000)
    frame.wait_for_function(SETTLED, timeout=30_000)
    page.wait_for_function(IDLE, timeout=30_000)
    page.evaluate(KEY_LISTENER)
    frame.evaluate(DRAWN_HOOK)
    return frame


def measure_round(
    browser: Browser,
    url: str,
    days: Sequence[dt.date],
    *,
    by_kind: bool = False,
    step_timeout_ms: float = 30_000,
) -> Round:
    """Open ``url`` at ``days[0]`` and step through the rest; the steps and the clocks' offset.

    With ``by_kind``, also the websocket bytes of each step by message kind (decoded after the step).
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        frames = Frames(context.new_cdp_session(page))
        frame = _open(page, url, days[0])
        offset = page.evaluate(CLOCK_OFFSET, MAP_FRAME)
        slider = page.locator(SLIDER)
        steps, kinds = [], []
        for day in days[1:]:
            slider.focus()
            page.evaluate("() => { window.__keyAt = null; }")
            frame.evaluate(
                "() => { if (!window.__kzHook) throw 'remounted'; window.__kzDrawn = {}; }"
            )
            frames.take()
            page.keyboard.press("ArrowRight")
            mark = frame.wait_for_function(
                "day => { const m = window.__kzDrawn[day]; return m && m.drawn !== null && m; }",
                arg=day.isoformat(), timeout=step_timeout_ms,
            ).json_value()  # fmt: skip
            key_at = page.evaluate("() => window.__keyAt")
            if key_at is None:
                raise RuntimeError(f"the page saw no ArrowRight keydown before {day}")
            key_at += offset
            page.wait_for_function(IDLE, timeout=step_timeout_ms)
            page.wait_for_timeout(100)  # let the iframe's own messages (resize) settle
            run_ended_at = page.evaluate("() => window.__runEndedAt")
            received = frames.take()
            to_map, total = bytes_to_map(received)
            if by_kind:
                kinds.append(bytes_by_kind(received))
            steps.append(
                Step(
                    day=day.isoformat(),
                    latency_ms=mark["drawn"] - key_at,
                    script_ms=mark["set"] - key_at,
                    frame_ms=mark["frame"] - key_at,
                    run_ms=None if run_ended_at is None else run_ended_at - (key_at - offset),
                    layers_at_script=mark["layersAtSet"],
                    layers_drawn=mark["layersDrawn"],
                    legend_day=mark["legendDay"],
                    ws_bytes_to_map=to_map,
                    ws_bytes_step=total,
                )
            )
        return Round(steps, offset, kinds)
    finally:
        context.close()


def measure(
    url: str, days: Sequence[dt.date], *, rounds: int, browser: Browser | None = None
) -> list[float]:
    """Per-step latencies (ms) of the app at ``url``, over ``rounds`` fresh page loads.

    Each round opens ``/?date=<days[0]>`` and presses ArrowRight on the Date slider once for each
    later day, waiting for the map to draw it and for the run to end before the next press.
    """
    if browser is None:
        with sync_playwright() as playwright:
            own = launch_chromium(playwright)
            try:
                return measure(url, days, rounds=rounds, browser=own)
            finally:
                own.close()
    return [
        step.latency_ms for _ in range(rounds) for step in measure_round(browser, url, days).steps
    ]


def _p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def summary(steps: Sequence[Step]) -> dict[str, Any]:
    """Latency median, p95 and max, and the websocket bytes per step, of one app's steps."""
    latencies = [s.latency_ms for s in steps]
    to_map = [s.ws_bytes_to_map for s in steps if s.ws_bytes_to_map is not None]
    runs = [s.run_ms for s in steps if s.run_ms is not None]
    return {
        "n": len(latencies),
        "median_ms": statistics.median(latencies),
        "p95_ms": _p95(latencies),
        "max_ms": max(latencies),
        "script_median_ms": statistics.median(s.script_ms for s in steps),
        "script_to_drawn_median_ms": statistics.median(s.latency_ms - s.script_ms for s in steps),
        "run_median_ms": statistics.median(runs) if runs else None,
        "ws_bytes_to_map_median": statistics.median(to_map) if to_map else None,
        "ws_bytes_to_map_max": max(to_map) if to_map else None,
        "ws_bytes_step_median": statistics.median(s.ws_bytes_step for s in steps),
        "ws_bytes_step_max": max(s.ws_bytes_step for s in steps),
    }


def by_kind(folder: str | None, steps: int) -> tuple[list[dt.date], list[dict[str, int]]]:
    """The days stepped through and, per step, the websocket bytes by message kind (dashboard only)."""
    days = middle_days(geodata.load_record(folder).meta.days, steps)
    args = ("--data", folder) if folder else ()
    with (
        running_app(APP, args=args, env={"KZ_RECORD_DIR": ""}, timeout=120) as url,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        try:
            result = measure_round(browser, url, days, by_kind=True, step_timeout_ms=120_000)
        finally:
            browser.close()
    return days, result.bytes_by_kind


def print_by_kind(label: str, days: Sequence[dt.date], steps: Sequence[dict[str, int]]) -> None:
    """The median bytes per step of each message kind, largest first, and their share."""
    kinds = sorted({kind for step in steps for kind in step})
    medians = {kind: statistics.median(step.get(kind, 0) for step in steps) for kind in kinds}
    total = statistics.median(sum(step.values()) for step in steps)
    print(f"{label}: {len(steps)} steps from {days[0]}; median bytes per step")
    for kind, size in sorted(medians.items(), key=lambda item: -item[1]):
        print(f"  {kind:<34} {size:>12,.0f}  ({size / total:.0%})")
    print(f"  {'total':<34} {total:>12,.0f}")


def main(argv: Sequence[str] | None = None) -> None:
    """Measure the dashboard and the floor app alternately; print the table and write the JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.step_latency", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=3, help="page loads per app (default 3)")
    parser.add_argument(
        "--by-kind",
        action="store_true",
        help="instead: the websocket bytes per step by Streamlit message kind (dashboard only)",
    )
    add_record_options(parser)
    parser.add_argument("--steps", type=int, help="with --by-kind: steps to take (default 5)")
    options = parser.parse_args(argv)
    if not options.by_kind and (options.data or options.scale or options.steps is not None):
        parser.error("--data, --scale and --steps go with --by-kind")
    if options.by_kind:
        with tempfile.TemporaryDirectory(prefix="kz-bench-") as scratch:
            folder = chosen_record_folder(options, scratch)
            days, kinds = by_kind(folder, 5 if options.steps is None else options.steps)
        print_by_kind(str(folder or "bundled record"), days, kinds)
        return
    rounds = options.rounds
    steps: dict[str, list[tuple[int, Step]]] = {"dashboard": [], "floor": []}
    offsets: dict[str, list[float]] = {"dashboard": [], "floor": []}
    with (
        running_app(APP) as dashboard_url,
        running_app(FLOOR_APP) as floor_url,
        sync_playwright() as playwright,
    ):
        urls = {"dashboard": dashboard_url, "floor": floor_url}
        browser = launch_chromium(playwright)
        try:
            chromium = browser.version
            for index in range(rounds):
                # Alternate, and swap who goes first every round, so neither app always follows the other.
                for name in ("dashboard", "floor") if index % 2 == 0 else ("floor", "dashboard"):
                    result = measure_round(browser, urls[name], DAYS)
                    steps[name].extend((index, step) for step in result.steps)
                    offsets[name].append(result.clock_offset_ms)
        finally:
            browser.close()
    summaries = {name: summary([step for _, step in app]) for name, app in steps.items()}
    dash, floor = summaries["dashboard"], summaries["floor"]
    ratios = {
        "median": dash["median_ms"] / floor["median_ms"],
        "p95": dash["p95_ms"] / floor["p95_ms"],
    }
    print(
        f"Date slider step, key press -> new day drawn in the map (ms); "
        f"{rounds} rounds x {len(DAYS) - 1} steps, apps alternating"
    )
    print(f"{'app':<10} {'n':>4} {'median':>8} {'p95':>8} {'max':>8}")
    for name, s in summaries.items():
        print(f"{name:<10} {s['n']:>4} {s['median_ms']:8.1f} {s['p95_ms']:8.1f} {s['max_ms']:8.1f}")
    print(f"dashboard/floor: median x{ratios['median']:.2f}, p95 x{ratios['p95']:.2f}")
    print(
        f"of which day's script ran -> frame drawn, median: dashboard "
        f"{dash['script_to_drawn_median_ms']:.1f} ms, floor {floor['script_to_drawn_median_ms']:.1f} ms"
    )
    if dash["run_median_ms"] and floor["run_median_ms"]:
        print(
            f"key press -> the step's run ended (the whole page updated), median: dashboard "
            f"{dash['run_median_ms']:.1f} ms, floor {floor['run_median_ms']:.1f} ms "
            f"(x{dash['run_median_ms'] / floor['run_median_ms']:.2f})"
        )
    print("websocket bytes received per step (until the map's update / whole run):")
    for name, s in summaries.items():
        print(
            f"{name:<10} to map median {s['ws_bytes_to_map_median'] or 0:>9,.0f} "
            f"max {s['ws_bytes_to_map_max'] or 0:>9,}   "
            f"whole run median {s['ws_bytes_step_median']:>9,.0f} max {s['ws_bytes_step_max']:>9,}"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    results = {
        "rounds": rounds,
        "days": [day.isoformat() for day in DAYS],
        "chromium": chromium,
        "ratios": ratios,
        "apps": {
            name: {
                "summary": summaries[name],
                "clock_offsets_ms": offsets[name],
                "steps": [asdict(step) | {"round": index} for index, step in app],
            }
            for name, app in steps.items()
        },
    }
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
