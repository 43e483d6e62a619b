"""The server time of a whole slider step, part by part: ``python -m benchmarks.fragment_cost``.

Options: ``--data DIR`` or ``--scale N`` (a synthetic record), ``--steps N``. Runs the body of the
dashboard's ``day_view`` fragment (``dashboard/app.py``: snapshot, map, downloads, troops table, troop
chart, day story, unlocated sites) in Streamlit's bare mode, outside ``streamlit run``: every ``st.``
call builds its element, nothing is sent. The parts are listed here by hand, so keep them in step with
``day_view``. Prints the median milliseconds per part over ``steps`` consecutive days in the middle of
the period. ``benchmarks.server_cost`` covers only the map's share; this shows what the side panels add.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from typing import TYPE_CHECKING, Any

import geodata
from benchmarks.synthetic import add_record_options, chosen_record_folder

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def parts(record: geodata.Record, layers: Sequence[str]) -> dict[str, Callable[[Any], Any]]:
    """The fragment's calls, in its order, each taking the day's snapshot."""
    from dashboard import map_panel, panels

    # Bare mode warns on every st. call; Streamlit sets its loggers' levels on import, so after it.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR
    )
    return {
        "snapshot": lambda snap: geodata.snapshot(record, snap.date),
        "show_map": lambda snap: map_panel.show_map(record, snap, tuple(layers)),
        "downloads": lambda snap: panels.downloads(record, snap.date, tuple(layers)),
        "troops_today": lambda snap: panels.troops_today(record, snap),
        "troop_chart": lambda snap: panels.troop_chart(record, snap.date),
        "day_story": lambda snap: panels.day_story(snap),
        "unlocated_sites": lambda snap: panels.unlocated_sites(snap),
    }


def measure(record: geodata.Record, steps: int = 10) -> dict[str, dict[str, float]]:
    """Median and max ms per part over ``steps`` days (after one warm-up day)."""
    days = record.meta.days
    first = max(0, (len(days) - steps - 1) // 2)
    chosen = days[first : first + steps + 1]
    calls = parts(record, geodata.LAYERS)
    samples: dict[str, list[float]] = {name: [] for name in [*calls, "total"]}
    for index, day in enumerate(chosen):
        snap = geodata.snapshot(record, day)
        total = 0.0
        for name, call in calls.items():
            start = time.perf_counter()
            call(snap)
            elapsed = (time.perf_counter() - start) * 1000
            total += elapsed
            if index:  # the first day warms up
                samples[name].append(elapsed)
        if index:
            samples["total"].append(total)
    return {
        name: {"median": statistics.median(values), "max": max(values)}
        for name, values in samples.items()
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Print the fragment's parts in ms for one record."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fragment_cost")
    add_record_options(parser)
    parser.add_argument("--steps", type=int, default=10)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kz-bench-") as scratch:
        folder = chosen_record_folder(options, scratch)
        result = measure(geodata.load_record(folder), options.steps)
    print(f"{folder or 'bundled record'}: day_view's parts, ms per step ({options.steps} steps)")
    for name, stats in result.items():
        print(f"  {name:<16} median {stats['median']:8.1f}  max {stats['max']:8.1f}")


if __name__ == "__main__":
    main()
