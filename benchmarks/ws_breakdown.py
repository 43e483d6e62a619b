"""Where a slider step's websocket bytes go, per Streamlit element: ``python -m benchmarks.ws_breakdown``.

Options: ``--data DIR`` or ``--scale N`` (a synthetic record), ``--steps N``. Opens the dashboard at a
day in the middle of the period, presses ArrowRight ``steps`` times, decodes every websocket frame the
page receives (Streamlit's ``ForwardMsg`` protobuf) and prints the bytes per step by message kind:
``component_instance`` is the map (``st_folium``'s arguments), ``vega_lite_chart`` the troop chart,
``html`` the day's story, ``dataframe`` the troops table, and so on.
"""

from __future__ import annotations

import argparse
import base64
import collections
import statistics
import tempfile
from typing import TYPE_CHECKING, Any

from playwright.sync_api import sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

import geodata
from benchmarks import step_latency
from benchmarks.browser import APP, launch_chromium, running_app
from benchmarks.synthetic import add_record_options, chosen_record_folder

if TYPE_CHECKING:
    from collections.abc import Sequence

    from playwright.sync_api import CDPSession


def message_kind(data: bytes) -> str:
    """``delta:<element type>`` for new elements, else the ForwardMsg's own kind."""
    message = ForwardMsg()
    try:
        message.ParseFromString(data)
    except Exception:  # a text frame or something newer than this protobuf
        return "undecoded"
    kind = message.WhichOneof("type") or "empty"
    if kind == "delta":
        delta = message.delta
        which = delta.WhichOneof("type")
        if which == "new_element":
            return f"element:{delta.new_element.WhichOneof('type')}"
        return f"delta:{which}"
    return kind


class Capture:
    """Websocket frames received, by kind."""

    def __init__(self, session: CDPSession) -> None:
        self.session = session
        self.frames: list[tuple[str, int]] = []
        session.on("Network.webSocketFrameReceived", self._received)
        session.send("Network.enable")

    def _received(self, event: dict[str, Any]) -> None:
        response = event["response"]
        if response["opcode"] != 2:
            self.frames.append(("text", len(response["payloadData"].encode())))
            return
        data = base64.b64decode(response["payloadData"])
        self.frames.append((message_kind(data), len(data)))

    def take(self) -> dict[str, int]:
        """Bytes per kind since the last call."""
        self.session.send("Runtime.evaluate", {"expression": "0"})
        frames, self.frames = self.frames, []
        totals: dict[str, int] = collections.Counter()
        for kind, size in frames:
            totals[kind] += size
        return dict(totals)


def measure(url: str, days: Sequence[Any]) -> list[dict[str, int]]:
    """Bytes per kind for each step from ``days[0]`` through ``days[-1]``."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            capture = Capture(context.new_cdp_session(page))
            frame = step_latency._open(page, url, days[0])
            steps = []
            for day in days[1:]:
                capture.take()
                page.locator(step_latency.SLIDER).focus()
                page.keyboard.press("ArrowRight")
                frame.wait_for_function(
                    "day => window.__kzDay === day", arg=day.isoformat(), timeout=120_000
                )
                page.wait_for_function(step_latency.IDLE, timeout=120_000)
                page.wait_for_timeout(100)
                steps.append(capture.take())
            context.close()
        finally:
            browser.close()
    return steps


def main(argv: Sequence[str] | None = None) -> None:
    """Print the median bytes per step by message kind."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ws_breakdown")
    add_record_options(parser)
    parser.add_argument("--steps", type=int, default=5)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kz-bench-") as scratch:
        folder = chosen_record_folder(options, scratch)
        meta = geodata.load_record(folder).meta
        days = meta.days
        first = max(0, (len(days) - options.steps - 1) // 2)
        days = days[first : first + options.steps + 1]
        args = ("--data", folder) if folder else ()
        with running_app(APP, args=args, env={"KZ_RECORD_DIR": ""}, timeout=120) as url:
            steps = measure(url, days)
    kinds = sorted({kind for step in steps for kind in step})
    medians = {kind: statistics.median(step.get(kind, 0) for step in steps) for kind in kinds}
    total = statistics.median(sum(step.values()) for step in steps)
    print(f"{folder or 'bundled record'}: {len(steps)} steps from {days[0]}; median bytes per step")
    for kind, size in sorted(medians.items(), key=lambda item: -item[1]):
        print(f"  {kind:<34} {size:>12,.0f}  ({size / total:.0%})")
    print(f"  {'total':<34} {total:>12,.0f}")


if __name__ == "__main__":
    main()
