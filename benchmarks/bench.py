"""The whole benchmark in one table: ``python -m benchmarks [--scales 1,10,60] [--rounds N]``.

For each scale (1 is the bundled record; larger scales are synthetic records from
``benchmarks.synthetic``, written to a temporary folder) it measures:

1. the server cost of a step (``benchmarks.server_cost``: snapshot, the day's groups and
   ``st_folium``'s arguments) and the bytes of those arguments;
2. the websocket bytes the page receives per step and
3. the step latency in Chromium (key press to the new day drawn), both from
   ``benchmarks.step_latency``, with the dashboard on that scale's record and the floor app measured
   alternately, round by round, in the same browser;

and, for the bundled record only,

4. the cold start: process start to the map's legend (``.kz-legend``) in the map's iframe, median of 3;
5. the server's memory (VmRSS of the streamlit process) with 1 and with 20 sessions open;
6. the capacity (``benchmarks.capacity``): the most sessions, each stepping the slider once a second,
   one server sustains with p95 <= 500 ms, for the dashboard and the floor app, and their ratio.

Prints one table, with each budget of issue 13 and its verdict (progress goes to stderr), and writes
everything to ``bench-results/bench.json`` (the capacity ramp's levels also to ``capacity.json``). The
machine is shared: compare ratios measured in the same run, and read absolute figures as rough.
``python -m benchmarks.server_cost --exports`` prints the load, snapshot and GeoJSON export timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import traceback
import urllib.parse
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import sync_playwright

import geodata
from benchmarks import server_cost, step_latency
from benchmarks._cli import middle_days
from benchmarks.synthetic import write_synthetic_record
from tests.support.browser import APP, MAP_FRAME, ROOT, launch_chromium, running_app

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from playwright.sync_api import Browser

RESULTS = ROOT / "bench-results" / "bench.json"
CAPACITY_RESULTS = ROOT / "bench-results" / "capacity.json"
CAPACITY_LEVEL_S = 20.0  # seconds per level of the capacity ramp
# 60x is about the largest record the budgets let load (geodata/_limits.py: 5,000 rows a table);
# the 100x and 1000x of earlier tables are refused since those budgets exist.
DEFAULT_SCALES = (1, 10, 60)
# The largest records take seconds per step: fewer rounds and steps there (the table says so).
BIG_SCALE = 60
BIG_ROUNDS, BIG_STEPS = 1, 10
STEPS = len(step_latency.DAYS) - 1  # 19, as the floor app's period allows
COLD_STARTS = 3
SESSIONS = 20
WARM_UP_MS = 300_000  # the first page at 1000x loads the record; on a busy machine that takes long
LEGEND = ".kz-legend"
# The bundled record wherever KZ_RECORD_DIR points in the caller's environment.
BUNDLED_ENV = {"KZ_RECORD_DIR": ""}
PRODUCT = ("geodata", "dashboard")


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the server process ---------------------------------------------------------------------------


def server_pid(url: str) -> int:
    """The pid of the ``streamlit run`` process serving ``url`` (found by its ``--server.port``)."""
    port = str(urllib.parse.urlsplit(url).port).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(argv) and b"--server.port" in argv:
            at = argv.index(b"--server.port")
            if at + 1 < len(argv) and argv[at + 1] == port:
                return int(entry.name)
    raise RuntimeError(f"no streamlit process listens on port {port.decode()}")


def memory_mb(pid: int) -> dict[str, float]:
    """``VmRSS`` (now) and ``VmHWM`` (peak) of ``pid`` in MB, from ``/proc/<pid>/status``."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024  # kB
    return values


def established(pid: int, url: str) -> int:
    """Established TCP connections to ``url``'s port (websockets and kept-alive HTTP), from ``/proc``."""
    port = f"{urllib.parse.urlsplit(url).port:04X}"
    count = 0
    for name in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{name}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(f":{port}") and fields[3] == "01":
                count += 1
    return count


def _dashboard(folder: Path | None) -> Any:
    """``running_app`` for the dashboard on ``folder`` (the bundled record when ``None``)."""
    if folder is None:
        return running_app(APP, env=BUNDLED_ENV)
    return running_app(APP, args=("--data", str(folder)), timeout=120)


# --- 1. server cost --------------------------------------------------------------------------------


def measure_server(folder: Path | None) -> dict[str, Any]:
    """Load the record (timed) and measure its server cost per step."""
    start = time.perf_counter()
    record = geodata.load_record(folder)
    load_ms = (time.perf_counter() - start) * 1000
    costs = server_cost.measure(record)
    result = {
        "load_ms": load_ms,
        "period_days": len(record.meta.days),
        "period": [record.meta.period_start.isoformat(), record.meta.period_end.isoformat()],
        "rows": {name: len(table) for name, table in record.tables.items()},
        "cities": len(record.index.cities),
        "summary": server_cost.summary(costs),
        "per_day": [asdict(cost) for cost in costs],
    }
    del record, costs
    gc.collect()
    return result


# --- 2 and 3. step latency and websocket bytes ------------------------------------------------------


def _steps_days(period: Sequence[str], steps: int) -> list[dt.date]:
    """``steps + 1`` consecutive days in the middle of the period (first and last day, ISO)."""
    first_day, last_day = (dt.date.fromisoformat(day) for day in period)
    days = [first_day + dt.timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    return middle_days(days, steps)


def measure_latency(
    browser: Browser,
    floor_url: str,
    folder: Path | None,
    period: Sequence[str],
    *,
    rounds: int,
    steps: int,
) -> dict[str, Any]:
    """The dashboard on ``folder`` against the floor app, alternating per round (who goes first too)."""
    dash_days = _steps_days(period, steps)
    floor_days = list(step_latency.DAYS[: steps + 1])
    collected: dict[str, list[step_latency.Step]] = {"dashboard": [], "floor": []}
    with _dashboard(folder) as dash_url:
        pid = server_pid(dash_url)
        # The first page after the server started loads the record: not a step, and slow at 1000x.
        first_page_s = warm_up(browser, dash_url, dash_days[0])
        plan = {"dashboard": (dash_url, dash_days), "floor": (floor_url, floor_days)}
        for index in range(rounds):
            for name in ("dashboard", "floor") if index % 2 == 0 else ("floor", "dashboard"):
                url, days = plan[name]
                collected[name].extend(step_latency.measure_round(browser, url, days).steps)
        memory = memory_mb(pid)
    summary = {name: step_latency.summary(steps_) for name, steps_ in collected.items()}
    dash, floor = summary["dashboard"], summary["floor"]
    return {
        "rounds": rounds,
        "steps_per_round": steps,
        "dashboard_days": [dash_days[0].isoformat(), dash_days[-1].isoformat()],
        "summary": summary,
        "ratio_median": dash["median_ms"] / floor["median_ms"],
        "ratio_p95": dash["p95_ms"] / floor["p95_ms"],
        "server_memory_mb": memory,
        "first_page_s": first_page_s,
        "steps": {name: [asdict(step) for step in s] for name, s in collected.items()},
    }


def warm_up(browser: Browser, url: str, day: dt.date, timeout_ms: float = WARM_UP_MS) -> float:
    """Open ``url`` at ``day`` once and wait for its map and the end of its run; the seconds taken."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(f"{url}/?date={day.isoformat()}")
        frame = page.wait_for_selector(MAP_FRAME, timeout=timeout_ms).content_frame()
        if frame is None:
            raise RuntimeError("the map iframe has no frame")
        frame.wait_for_function(
            "day => document.querySelector('.kz-legend')?.dataset.day === day",
            arg=day.isoformat(),
            timeout=timeout_ms,
        )
        shown = time.perf_counter() - start
        page.wait_for_function(step_latency.IDLE, timeout=timeout_ms)
        return shown
    finally:
        context.close()


# --- 4. cold start ---------------------------------------------------------------------------------


def measure_cold_start(browser: Browser, runs: int = COLD_STARTS) -> dict[str, Any]:
    """Process start to the legend in the map's iframe, bundled record, ``runs`` times."""
    samples = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            start = time.perf_counter()
            with _dashboard(None) as url:
                healthy = time.perf_counter()
                page.goto(url)
                loaded = time.perf_counter()
                frame = page.wait_for_selector(MAP_FRAME, timeout=60_000).content_frame()
                framed = time.perf_counter()
                if frame is None:
                    raise RuntimeError("the map iframe has no frame")
                frame.wait_for_selector(LEGEND, state="attached", timeout=60_000)
                shown = time.perf_counter()
            samples.append({
                "healthy_s": healthy - start,  # the server answers /_stcore/health
                "page_loaded_s": loaded - start,  # the page's load event
                "map_iframe_s": framed - start,  # the script ran as far as st_folium
                "map_s": shown - start,  # the legend is in the map's iframe
            })  # fmt: skip
        finally:
            context.close()
    return {
        "runs": samples,
        "median_s": statistics.median(s["map_s"] for s in samples),
        **{
            f"{mark}_median": statistics.median(s[mark] for s in samples)
            for mark in ("healthy_s", "page_loaded_s", "map_iframe_s")
        },
    }


# --- 5. memory per session -------------------------------------------------------------------------


def measure_sessions(browser: Browser, sessions: int = SESSIONS) -> dict[str, Any]:
    """Server RSS with no session, 1 session and ``sessions`` sessions (pages at different dates)."""
    days = step_latency.DAYS
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        with _dashboard(None) as url:
            pid = server_pid(url)
            before = memory_mb(pid)["VmRSS"]
            pages = []
            readings, connections = {}, {}
            for index in range(sessions):
                page = context.new_page()
                day = days[index % len(days)].isoformat()
                page.goto(f"{url}/?date={day}")
                frame = page.wait_for_selector(MAP_FRAME, timeout=60_000).content_frame()
                frame.wait_for_function(
                    "day => document.querySelector('.kz-legend')?.dataset.day === day",
                    arg=day,
                    timeout=60_000,
                )
                page.wait_for_function(step_latency.IDLE, timeout=60_000)
                pages.append(page)
                if index + 1 in (1, sessions):
                    time.sleep(2)  # let the session's run and its garbage settle
                    readings[index + 1] = memory_mb(pid)["VmRSS"]
                    connections[index + 1] = established(pid, url)
            peak = memory_mb(pid)["VmHWM"]
    finally:
        context.close()
    one, many = readings[1], readings[sessions]
    return {
        "sessions": sessions,
        "rss_no_session_mb": before,
        "rss_1_session_mb": one,
        f"rss_{sessions}_sessions_mb": many,
        "per_extra_session_mb": (many - one) / (sessions - 1),
        "peak_mb": peak,
        # Sanity check that every page kept its session: established connections to the server.
        "connections": connections,
    }


# --- the table -------------------------------------------------------------------------------------


def _fmt(value: float | None, pattern: str) -> str:
    return "—" if value is None else format(value, pattern)


def _verdict(checks: Sequence[tuple[str, float | None, float]]) -> str:
    """``"1x ok; 1000x FAIL x1.3"`` for (label, value, limit) where the value was measured."""
    parts = []
    for label, value, limit in checks:
        if value is None:
            continue
        parts.append(f"{label} ok" if value <= limit else f"{label} FAIL x{value / limit:.2f}")
    return "; ".join(parts) or "not measured"


def build_table(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of (metric, one cell per scale, budget, verdict)."""
    scales = [int(s) for s in results["scales"]]
    by_scale = {int(s): r for s, r in results["scales"].items()}

    def get(scale: int, *path: str) -> Any:
        value: Any = by_scale.get(scale)
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    def row(
        metric: str,
        pick: Callable[[int], Any],
        pattern: str,
        budget: str = "",
        checks: Sequence[tuple[int, float]] = (),
    ) -> dict[str, Any]:
        values = {scale: pick(scale) for scale in scales}
        verdict = (
            _verdict([(f"{s}x", values.get(s), limit) for s, limit in checks]) if checks else ""
        )
        return {
            "metric": metric,
            "values": {str(s): v for s, v in values.items()},
            "cells": [
                _fmt(values[s], pattern) if not isinstance(values[s], str) else values[s]
                for s in scales
            ],
            "budget": budget,
            "verdict": verdict,
        }

    def kb(value: float | None) -> float | None:
        return None if value is None else value / 1000

    ws = ("latency", "summary", "dashboard")
    fl = ("latency", "summary", "floor")
    rows = [
        row("period (days) / host cities", lambda s: f"{get(s, 'server', 'period_days')} / {get(s, 'server', 'cities')}", ""),
        row("load record (ms, in process)", lambda s: get(s, "server", "load_ms"), ".0f"),
        row("server cost per step, median (ms)", lambda s: get(s, "server", "summary", "total_ms", "median"), ".1f",
            "<=15 ms at 1x, <=30 ms at 60x (the largest allowed)", ((1, 15), (60, 30))),
        row("server cost per step, max (ms)", lambda s: get(s, "server", "summary", "total_ms", "max"), ".1f"),
        row("  of which snapshot, median (ms)", lambda s: get(s, "server", "summary", "snapshot_ms", "median"), ".1f"),
        row("  of which groups+base map, median (ms)", lambda s: get(s, "server", "summary", "groups_ms", "median"), ".1f"),
        row("  of which st_folium args, median (ms)", lambda s: get(s, "server", "summary", "args_ms", "median"), ".1f"),
        row("component args per step, median (KB)", lambda s: kb(get(s, "server", "summary", "args_bytes", "median")), ".1f"),
        row("component args per step, max (KB)", lambda s: kb(get(s, "server", "summary", "args_bytes", "max")), ".1f"),
        *(
            row(f"  feature group '{group}', median day (KB)",
                lambda s, g=group: kb(get(s, "server", "summary", "group_bytes_median", g)), ".1f")
            for group in ("status", "city", "site", "movement", "event")
        ),
        row("websocket bytes per step, median (KB)", lambda s: kb(get(s, *ws, "ws_bytes_step_median")), ".1f",
            "<=10 KB at 1x; bounded at 60x", ((1, 10),)),
        row("websocket bytes per step, max (KB)", lambda s: kb(get(s, *ws, "ws_bytes_step_max")), ".1f"),
        row("floor app websocket per step, median (KB)", lambda s: kb(get(s, *fl, "ws_bytes_step_median")), ".1f"),
        row("step latency dashboard, median (ms)", lambda s: get(s, *ws, "median_ms"), ".0f"),
        row("step latency dashboard, p95 (ms)", lambda s: get(s, *ws, "p95_ms"), ".0f"),
        row("step latency floor, median (ms)", lambda s: get(s, *fl, "median_ms"), ".0f"),
        row("step latency floor, p95 (ms)", lambda s: get(s, *fl, "p95_ms"), ".0f"),
        row("latency ratio dashboard/floor, median", lambda s: get(s, "latency", "ratio_median"), ".2f",
            "<=1.2 at 1x, <=2 at 60x", ((1, 1.2), (60, 2.0))),
        row("latency ratio dashboard/floor, p95", lambda s: get(s, "latency", "ratio_p95"), ".2f"),
        # The map follows the slider in the browser; the rest of the page waits for the server.
        row("whole page updated (run ended) dashboard, median (ms)", lambda s: get(s, *ws, "run_median_ms"), ".0f"),
        row("whole page updated (run ended) floor, median (ms)", lambda s: get(s, *fl, "run_median_ms"), ".0f"),
        row("latency sample (rounds x steps, per app)",
            lambda s: None if get(s, "latency") is None else f"{get(s, 'latency', 'rounds')}x{get(s, 'latency', 'steps_per_round')}", ""),
        row("first page after server start (s)", lambda s: get(s, "latency", "first_page_s"), ".1f"),
        row("dashboard server peak RSS (MB)", lambda s: get(s, "latency", "server_memory_mb", "VmHWM"), ".0f"),
    ]  # fmt: skip
    growth = [get(s, *ws, "ws_bytes_step_median") for s in (10, 60)]
    if None not in growth:
        (bytes_row,) = (
            r for r in rows if r["metric"].startswith("websocket bytes per step, median")
        )
        bytes_row["verdict"] += f"; 10x->60x grows x{growth[1] / growth[0]:.2f}"
    cold, memory = results.get("cold_start"), results.get("memory")

    def bundled_only(value: float | None) -> Callable[[int], float | None]:
        return lambda s: value if s == 1 else None

    if cold:
        rows += [
            row("cold start to map, median of 3 (s)", bundled_only(cold["median_s"]), ".2f",
                "<=2.5 s", ((1, 2.5),)),
            row("  server healthy (s)", bundled_only(cold["healthy_s_median"]), ".2f"),
            row("  page loaded (s)", bundled_only(cold["page_loaded_s_median"]), ".2f"),
            row("  map iframe attached (s)", bundled_only(cold["map_iframe_s_median"]), ".2f"),
        ]  # fmt: skip
    if memory:
        n = memory["sessions"]
        rows += [
            row("server RSS, no session (MB)", bundled_only(memory["rss_no_session_mb"]), ".0f"),
            row("server RSS, 1 session (MB)", bundled_only(memory["rss_1_session_mb"]), ".0f"),
            row(f"server RSS, {n} sessions (MB)", bundled_only(memory[f"rss_{n}_sessions_mb"]), ".0f"),
            row("RSS per extra session (MB)", bundled_only(memory["per_extra_session_mb"]), ".1f",
                "<=30 MB", ((1, 30.0),)),
        ]  # fmt: skip
    capacity = results.get("capacity")
    if capacity:
        rows += _capacity_rows(capacity, scales)
    return rows


def _capacity_rows(capacity: dict[str, Any], scales: Sequence[int]) -> list[dict[str, Any]]:
    """The protocol load generator's figures (bundled record): one row each, in the 1x column."""
    apps = capacity["apps"]

    def at(app: str, key: str) -> Any:
        found = apps.get(app, {}).get("at_sustained") or {}
        return found.get(key)

    def line(
        metric: str, value: Any, pattern: str, budget: str = "", verdict: str = ""
    ) -> dict[str, Any]:
        cells = [
            (value if isinstance(value, str) else _fmt(value, pattern))
            if s == 1
            else _fmt(None, "")
            for s in scales
        ]
        return {"metric": metric, "values": {"1": value}, "cells": cells, "budget": budget,
                "verdict": verdict}  # fmt: skip

    ratio = capacity.get("ratio_sessions")
    verdict = (
        "not measured"
        if ratio is None
        else ("1x ok" if ratio >= 0.7 else f"1x FAIL x{ratio / 0.7:.2f}")
    )
    rows = [
        line("capacity at 1 step/s, p95<=500 ms: sessions, dashboard",
             f"{'>=' if apps.get('dashboard', {}).get('capped') else ''}{apps.get('dashboard', {}).get('sessions_sustained')}", ""),
        line("  sessions, floor app",
             f"{'>=' if apps.get('floor', {}).get('capped') else ''}{apps.get('floor', {}).get('sessions_sustained')}", ""),
        line("  ratio dashboard/floor", ratio, ".2f", ">=0.7", verdict),
        line("  ratio per core (from CPU per step)", capacity.get("ratio_sessions_per_core"), ".2f"),
    ]  # fmt: skip
    for app in ("dashboard", "floor"):
        rows += [
            line(f"  {app}: p50 / p95 at that level (ms)",
                 None if at(app, "p50_ms") is None else f"{at(app, 'p50_ms'):.0f} / {at(app, 'p95_ms'):.0f}", ""),
            line(f"  {app}: server CPU per step (ms)", at(app, "server_cpu_ms_per_step"), ".1f"),
            line(f"  {app}: sessions per core", apps.get(app, {}).get("sessions_per_core"), ".1f"),
            line(f"  {app}: server RSS (MB)", at(app, "rss_mb"), ".0f"),
        ]  # fmt: skip
    return rows


def print_table(results: dict[str, Any], rows: Sequence[dict[str, Any]]) -> None:
    """The one table: a row per metric, a column per scale, then the budget and the verdict."""
    scales = list(results["scales"])
    width = max(len(r["metric"]) for r in rows)
    header = f"{'metric':<{width}} " + " ".join(f"{s + 'x':>12}" for s in scales)
    print(header + "  budget / verdict")
    print("-" * (len(header) + 18))
    for r in rows:
        cells = " ".join(f"{c:>12}" for c in r["cells"])
        tail = f"  {r['budget']}" + (f"  [{r['verdict']}]" if r["verdict"] else "")
        print(f"{r['metric']:<{width}} {cells}{tail}")
    for note in results["notes"]:
        print(f"note: {note}")
    for error in results.get("errors", []):
        print(f"FAILED: {error}")


# --- running it ------------------------------------------------------------------------------------


def _fingerprint() -> dict[str, Any]:
    """Which product code was measured: a hash of its sources (other people edit them meanwhile)."""
    digest, newest = hashlib.sha256(), 0.0
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*")):
            if (
                path.is_file()
                and path.suffix in (".py", ".js", ".css")
                and "__pycache__" not in path.parts
            ):
                digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
                newest = max(newest, path.stat().st_mtime)
    return {
        "sources_sha256": digest.hexdigest()[:16],
        "newest_source_mtime": dt.datetime.fromtimestamp(newest, dt.UTC).isoformat(
            timespec="seconds"
        ),
    }


def _records(scales: Sequence[int], scratch: Path) -> Iterator[tuple[int, Path | None]]:
    for scale in scales:
        if scale == 1:
            yield scale, None
        else:
            _log(f"writing the {scale}x synthetic record")
            yield scale, write_synthetic_record(scratch / f"x{scale}", scale)


def run(
    scales: Sequence[int],
    *,
    rounds: int,
    browser_runs: bool = True,
    cold_and_memory: bool = True,
    capacity_s: float | None = CAPACITY_LEVEL_S,
) -> dict[str, Any]:
    """Everything, as one JSON-able dict."""
    results: dict[str, Any] = {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "product": _fingerprint(),
        "options": {"scales": list(scales), "rounds": rounds},
        "scales": {str(scale): {} for scale in scales},
        "notes": [],
        "errors": [],
    }
    with tempfile.TemporaryDirectory(prefix="kz-bench-") as scratch_name:
        folders = dict(_records(scales, Path(scratch_name)))
        for scale, folder in folders.items():
            _log(f"server cost at {scale}x")
            server = _guarded(results, f"server cost at {scale}x", measure_server, folder)
            if server is not None:
                results["scales"][str(scale)]["server"] = server
        if browser_runs or cold_and_memory:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                results["machine"]["chromium"] = browser.version
                try:
                    if cold_and_memory:
                        _log("cold start (bundled record, 3 runs)")
                        results["cold_start"] = _guarded(
                            results, "cold start", measure_cold_start, browser
                        )
                        _log(f"memory with 1 and {SESSIONS} sessions")
                        results["memory"] = _guarded(results, "memory", measure_sessions, browser)
                    if browser_runs:
                        _browser_scales(browser, folders, rounds, results)
                finally:
                    browser.close()
    if capacity_s is not None and 1 in scales:
        from benchmarks import capacity  # it reuses this module's helpers

        _log(f"capacity, dashboard and floor ({capacity_s:g} s per level)")
        measured = _guarded(
            results, "capacity", capacity.run_capacity, ["dashboard", "floor"],
            duration_s=capacity_s, rate=1.0, max_sessions=capacity.LEVELS[-1], seed=1,
        )  # fmt: skip
        if measured is not None:
            results["capacity"] = measured
            CAPACITY_RESULTS.write_text(json.dumps(measured, indent=1, default=str) + "\n")
    big = [s for s in scales if s >= BIG_SCALE]
    if big and browser_runs:
        results["notes"].append(
            f"at {', '.join(f'{s}x' for s in big)} the browser latency is {BIG_ROUNDS} round x "
            f"{BIG_STEPS} steps per app (elsewhere {rounds} rounds x {STEPS} steps)"
        )
    results["notes"].append(
        "server cost = snapshot + the day's address + base map + st_folium's arguments, over every "
        "day (or 60 evenly spread days of a longer period); the day's map file is made once per "
        "record, day and layers for all sessions (day_file_ms in bench.json); websocket bytes are "
        "everything the page received per step (CDP), latency is key press to the day drawn"
    )
    if capacity_s is not None:
        results["notes"].append(
            "capacity: python -m benchmarks.capacity's ramp, simulated sessions speaking "
            "Streamlit's protocol (no browser) each stepping once a second and fetching the map's "
            "day files as the browser does; bench-results/capacity.json has every level"
        )
    results["notes"].append(
        "dashboard steps run over consecutive days in the middle of each record's period; the "
        "floor app over its own 20 days (Jan 1-20)"
    )
    return results


def _guarded(
    results: dict[str, Any], label: str, action: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """``action(*args, **kwargs)``; on failure log it, note it in the results and return ``None``."""
    try:
        return action(*args, **kwargs)
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        results["errors"].append(f"{label}: {type(error).__name__}: {first_line}")
        _log(f"FAILED {label}: {type(error).__name__}")
        return None


def _browser_scales(
    browser: Browser, folders: dict[int, Path | None], rounds: int, results: dict[str, Any]
) -> None:
    with running_app(step_latency.FLOOR_APP) as floor_url:
        for scale, folder in folders.items():
            big = scale >= BIG_SCALE
            period = results["scales"][str(scale)].get("server", {}).get("period")
            if period is None:
                continue
            _log(f"step latency at {scale}x")
            latency = _guarded(
                results, f"step latency at {scale}x", measure_latency,
                browser, floor_url, folder, period,
                rounds=BIG_ROUNDS if big else rounds, steps=BIG_STEPS if big else STEPS,
            )  # fmt: skip
            if latency is not None:
                results["scales"][str(scale)]["latency"] = latency


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark, print the table and write ``bench-results/bench.json``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--scales",
        default=",".join(map(str, DEFAULT_SCALES)),
        help="comma-separated record scales (default 1,10,60; 1 is the bundled record)",
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="page loads per app and scale (default 2; 1 at 60x)"
    )
    parser.add_argument("--no-browser", action="store_true", help="server cost only")
    parser.add_argument(
        "--no-cold-start", action="store_true", help="skip the cold start and memory runs"
    )
    parser.add_argument(
        "--no-capacity", action="store_true", help="skip the capacity ramp (benchmarks.capacity)"
    )
    options = parser.parse_args(argv)
    scales = sorted({int(s) for s in options.scales.split(",") if s.strip()})
    if not scales or scales[0] < 1:
        parser.error("--scales takes whole numbers of 1 or more, e.g. 1,10")
    started = time.perf_counter()
    results = run(
        scales,
        rounds=options.rounds,
        browser_runs=not options.no_browser,
        cold_and_memory=not options.no_browser and not options.no_cold_start and 1 in scales,
        capacity_s=None if options.no_capacity else CAPACITY_LEVEL_S,
    )
    results["elapsed_s"] = time.perf_counter() - started
    rows = build_table(results)
    results["table"] = [{k: v for k, v in r.items() if k != "cells"} for r in rows]
    print_table(results, rows)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)} ({results['elapsed_s']:.0f} s)")
