"""Many sessions at once: each steps the Date slider through every day, then downloads the GeoJSON.

Run with ``python -m benchmarks.load [--sessions 20] [--no-download]`` against a fresh dashboard on
the bundled record, or call ``run_load(url)`` on a running one. One headless Chromium holds one
context (one Streamlit session) per simulated user; all of them run at once (``asyncio.gather``).

Each session opens ``/?date=<first day>``, waits for the map, then for every later day presses
ArrowRight on the Date slider and waits until the map's iframe has the legend of that day
(``.kz-legend[data-day=...]``) and the script run has ended, before the next press. A step's
latency is key press to legend, both stamped in the browser as ``performance.timeOrigin +
performance.now()`` (the keydown in the page, the legend's insertion by a MutationObserver in the
map's iframe) and corrected by the two clocks' offset as in ``benchmarks.step_latency``; the
wall-clock time around the press and the wait, as the driver saw it, is kept as well. Last, the
session clicks the day's GeoJSON download and checks the file is a FeatureCollection of the last day.

Errors are collected per session, never raised: exceptions and timeouts (which end that session),
Streamlit exception boxes (``[data-testid="stException"]``), uncaught page errors, console errors
and requests that tried to leave the app's server (they are aborted).

The server's memory is its VmRSS: before (a warm-up page opened and closed), during (the largest
of samples every 0.5 s) and after (every page closed, then 5 s). The machine is shared: read the
latencies as rough, and never as a pass/fail budget.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.async_api import async_playwright

import geodata
from benchmarks.bench import BUNDLED_ENV, memory_mb, server_pid
from benchmarks.step_latency import CLOCK_OFFSET, IDLE, SLIDER
from tests.support.browser import (
    APP,
    CHROMIUM_ARGS,
    LOCAL_PREFIXES,
    MAP_FRAME,
    chromium_path,
    running_app,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from playwright.async_api import Browser, Frame, Page, Route

VIEWPORT = {"width": 1400, "height": 1100}  # as tests/e2e/conftest.py
SAMPLE_EVERY_S = 0.5
SETTLE_AFTER_S = 5.0
OPEN_TIMEOUT_MS = 120_000  # twenty first runs at once on two cores take a while
STEP_TIMEOUT_MS = 60_000
DOWNLOAD_TIMEOUT_MS = 60_000
EXCEPTION = '[data-testid="stException"]'
# Installed once the map is up (the map's iframe stays mounted for the whole page load). The page
# stamps ArrowRight keydowns; the map's iframe stamps the first time each day's legend is inserted.
KEY_STAMPS = """() => {
  window.__loadKeys = [];
  window.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") window.__loadKeys.push(performance.timeOrigin + performance.now());
  }, {capture: true});
}"""
LEGEND_STAMPS = """() => {
  window.__loadLegends = {};
  const note = (node) => {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const legends = node.matches(".kz-legend") ? [node] : node.querySelectorAll(".kz-legend");
    for (const legend of legends) {
      const day = legend.getAttribute("data-day");
      if (day && !(day in window.__loadLegends)) {
        window.__loadLegends[day] = performance.timeOrigin + performance.now();
      }
    }
  };
  window.__loadObserver = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes") note(record.target);
      else record.addedNodes.forEach(note);
    }
  });
  window.__loadObserver.observe(document.body, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["data-day"],
  });
}"""


def _log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _bundled_days() -> list[dt.date]:
    return list(geodata.load_record().meta.days)


def _rss(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        return memory_mb(pid)["VmRSS"]
    except OSError:  # the server has gone
        return None


def _cpu_s(pid: int | None) -> float | None:
    """User plus system CPU seconds the process has used, from ``/proc/<pid>/stat``."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stats(values: Sequence[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "max": None}
    p95 = (
        statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]
    )
    return {"n": len(values), "p50": statistics.median(values), "p95": p95, "max": max(values)}


class _Session:
    """One simulated user: a context, a page and what went wrong in it."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.errors: list[str] = []
        self.latencies_ms: list[float] = []  # in the browser: keydown -> legend in the iframe
        self.wall_ms: list[float] = []  # in the driver: around press() and the wait
        self.download_ok = False
        self.stage = "start"

    def error(self, message: str) -> None:
        self.errors.append(f"session {self.index} [{self.stage}]: {message}")

    def watch(self, page: Page) -> None:
        def console(message: Any) -> None:
            if message.type == "error":
                where = (message.location or {}).get("url") or ""
                self.error(f"console error: {message.text}" + (f" ({where})" if where else ""))

        page.on("console", console)
        page.on("pageerror", lambda exc: self.error(f"page error: {exc}"))

    async def closed_network(self, route: Route) -> None:
        if route.request.url.startswith(LOCAL_PREFIXES):
            await route.continue_()
        else:
            self.error(f"request left the host: {route.request.resource_type} {route.request.url}")
            await route.abort()


async def _idle(page: Page, timeout: float) -> None:
    await page.wait_for_function(IDLE, timeout=timeout, polling=100)


async def _open(page: Page, url: str, day: str) -> Frame:
    """Open the dashboard on ``day``; the map's frame once it shows that day and the run has ended."""
    await page.goto(f"{url}/?date={day}", timeout=OPEN_TIMEOUT_MS)
    legend = page.frame_locator(MAP_FRAME).locator(f'.kz-legend[data-day="{day}"]')
    await legend.wait_for(state="attached", timeout=OPEN_TIMEOUT_MS)
    await _idle(page, OPEN_TIMEOUT_MS)
    handle = await page.locator(MAP_FRAME).element_handle()
    frame = await handle.content_frame() if handle else None
    if frame is None:
        raise RuntimeError("the map iframe has no frame")
    await page.evaluate(KEY_STAMPS)
    await frame.evaluate(LEGEND_STAMPS)
    return frame


async def _exceptions(page: Page) -> list[str]:
    boxes = page.locator(EXCEPTION)
    return [text.strip()[:300] for text in await boxes.all_inner_texts()]


async def _run_session(
    browser: Browser, url: str, days: Sequence[str], session: _Session, *, download: bool
) -> None:
    context = await browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    try:
        await context.route("**/*", session.closed_network)
        page = await context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        session.watch(page)
        session.stage = f"open {days[0]}"
        frame = await _open(page, url, days[0])
        offset = await page.evaluate(CLOCK_OFFSET, MAP_FRAME)  # iframe clock minus page clock
        slider = page.locator(SLIDER)
        seen: set[str] = set()
        for number, day in enumerate(days[1:], start=1):
            session.stage = f"step to {day}"
            legend = page.frame_locator(MAP_FRAME).locator(f'.kz-legend[data-day="{day}"]')
            start = time.perf_counter()
            await slider.press("ArrowRight")  # focuses the thumb first
            await legend.wait_for(state="attached", timeout=STEP_TIMEOUT_MS)
            session.wall_ms.append((time.perf_counter() - start) * 1000)
            keys = await page.evaluate("() => window.__loadKeys")
            drawn = await frame.evaluate("day => window.__loadLegends[day] ?? null", day)
            if len(keys) != number or drawn is None:
                session.error(f"no browser timestamps (keydowns {len(keys)}, legend {drawn})")
            else:
                session.latencies_ms.append(drawn - offset - keys[-1])
            await _idle(page, STEP_TIMEOUT_MS)
            for text in await _exceptions(page):
                if text not in seen:
                    seen.add(text)
                    session.error(f"Streamlit exception: {text}")
        if download:
            session.stage = "download"
            async with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as info:
                await page.locator("a.kz-download").first.click()
            file = await info.value
            failure = await file.failure()
            if failure:
                session.error(f"download failed: {failure}")
            else:
                body = Path(await file.path()).read_bytes()
                collection = json.loads(body)
                date = (collection.get("metadata") or {}).get("date")
                if collection.get("type") != "FeatureCollection":
                    session.error(
                        f"download is a {collection.get('type')!r}, not a FeatureCollection"
                    )
                elif date != days[-1]:
                    session.error(f"download is of {date}, not of the last day {days[-1]}")
                elif not isinstance(collection.get("features"), list):
                    session.error("download has no features list")
                else:
                    session.download_ok = True
        session.stage = "end"
        for text in await _exceptions(page):
            if text not in seen:
                session.error(f"Streamlit exception: {text}")
    except Exception as exc:  # a load test reports what broke, and carries on
        session.error(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    finally:
        try:
            await context.close()
        except Exception as exc:
            session.error(f"closing the context: {exc}")


async def _sample(pid: int | None, samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        value = _rss(pid)
        if value is not None:
            samples.append(value)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY_S)


async def _run_load(
    url: str, *, sessions: int, download: bool, days: Sequence[dt.date] | None
) -> dict[str, Any]:
    started = time.perf_counter()
    iso_days = [day.isoformat() for day in (days or _bundled_days())]
    try:
        pid: int | None = server_pid(url)
    except RuntimeError:
        pid = None  # not a server on this machine: no memory figures
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=chromium_path(), args=list(CHROMIUM_ARGS)
        )
        try:
            warm = _Session(-1)
            warm.stage = "warm-up"
            await _run_session(browser, url, iso_days[:1], warm, download=False)
            rss_before = _rss(pid)
            _log(f"warm-up done, server RSS {_fmt(rss_before)} MB; {sessions} sessions start")
            samples: list[float] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(_sample(pid, samples, stop))
            users = [_Session(index) for index in range(sessions)]
            load_started, cpu_started = time.perf_counter(), _cpu_s(pid)
            try:
                await asyncio.gather(
                    *(
                        _run_session(browser, url, iso_days, user, download=download)
                        for user in users
                    )
                )
            finally:
                stop.set()
                await sampler
            load_s = time.perf_counter() - load_started
            cpu_ended = _cpu_s(pid)
        finally:
            await browser.close()
    _log(f"sessions done in {load_s:.1f} s; waiting {SETTLE_AFTER_S:.0f} s for the after figure")
    await asyncio.sleep(SETTLE_AFTER_S)
    rss_after = _rss(pid)
    try:
        peak = memory_mb(pid).get("VmHWM") if pid is not None else None
    except OSError:
        peak = None
    latencies = [value for user in users for value in user.latencies_ms]
    wall = [value for user in users for value in user.wall_ms]
    return {
        "url": url,
        "sessions": sessions,
        "days": [iso_days[0], iso_days[-1]],
        "steps_per_session": len(iso_days) - 1,
        "steps_expected": sessions * (len(iso_days) - 1),
        "steps_measured": len(latencies),
        "latency_ms": _stats(latencies),
        "wall_latency_ms": _stats(wall),
        "downloads_expected": sessions if download else 0,
        "downloads_ok": sum(user.download_ok for user in users),
        "errors": warm.errors + [error for user in users for error in user.errors],
        "rss_mb": {
            "before": rss_before,
            "during_max": max(samples) if samples else None,
            "after": rss_after,
            "peak_hwm": peak,
            "samples": len(samples),
        },
        "load_s": load_s,
        "server_cpu_s": None if None in (cpu_started, cpu_ended) else cpu_ended - cpu_started,
        "duration_s": time.perf_counter() - started,
        "per_session": [
            {
                "session": user.index,
                "steps": len(user.latencies_ms),
                "p50_ms": statistics.median(user.latencies_ms) if user.latencies_ms else None,
                "download_ok": user.download_ok,
                "errors": len(user.errors),
            }
            for user in users
        ],
    }


def run_load(
    url: str, *, sessions: int = 20, download: bool = True, days: Sequence[dt.date] | None = None
) -> dict[str, Any]:
    """Run ``sessions`` users at once against the dashboard at ``url``; the figures and the errors.

    ``days`` is the record's period (the bundled record's when ``None``). The asyncio loop runs in a
    thread of its own, so this works beside Playwright's sync API (pytest's browser fixtures) too.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        job = pool.submit(
            asyncio.run, _run_load(url, sessions=sessions, download=download, days=days)
        )
        return job.result()


def _fmt(value: float | None, pattern: str = ".0f") -> str:
    return "—" if value is None else format(value, pattern)


def format_table(result: dict[str, Any]) -> str:
    """The figures as a small table, then the errors (at most 20 listed)."""
    lat, wall, rss = result["latency_ms"], result["wall_latency_ms"], result["rss_mb"]
    rows = [
        ("sessions x steps (measured/expected)",
         f"{result['sessions']} x {result['steps_per_session']} ({result['steps_measured']}/{result['steps_expected']})"),
        ("step latency p50 / p95 / max (ms)",
         f"{_fmt(lat['p50'])} / {_fmt(lat['p95'])} / {_fmt(lat['max'])}"),
        ("  driver wall clock p50 / p95 / max (ms)",
         f"{_fmt(wall['p50'])} / {_fmt(wall['p95'])} / {_fmt(wall['max'])}"),
        ("downloads ok", f"{result['downloads_ok']}/{result['downloads_expected']}"),
        ("server RSS before / during (max) / after (MB)",
         f"{_fmt(rss['before'])} / {_fmt(rss['during_max'])} / {_fmt(rss['after'])}"),
        ("server peak RSS, VmHWM (MB)", _fmt(rss["peak_hwm"])),
        ("server CPU while the sessions ran (s)", _fmt(result["server_cpu_s"], ".1f")),
        ("sessions running / total duration (s)",
         f"{result['load_s']:.1f} / {result['duration_s']:.1f}"),
        ("errors", str(len(result["errors"]))),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    lines += [f"  {error}" for error in result["errors"][:20]]
    if len(result["errors"]) > 20:
        lines.append(f"  ... and {len(result['errors']) - 20} more")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the dashboard on the bundled record, run the load, print the table; 1 if anything broke."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--sessions", type=int, default=20, help="users at once (default 20)")
    parser.add_argument("--no-download", action="store_true", help="skip Download GeoJSON")
    options = parser.parse_args(argv)
    with running_app(APP, env=BUNDLED_ENV) as url:
        result = run_load(url, sessions=options.sessions, download=not options.no_download)
    print(format_table(result))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
