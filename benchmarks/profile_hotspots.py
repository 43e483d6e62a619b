"""Profile the server cost of a step, or loading a record, with pyinstrument.

``python -m benchmarks.profile_hotspots --scale 1000 --what server`` profiles
``benchmarks.server_cost.step`` (the timed part of ``measure``) over the sampled days (``--repeat`` times); ``--what load`` profiles
``geodata.load_record``. Prints pyinstrument's text report and writes it, with an HTML one, to
``bench-results/profile-<what>-<scale>x.{txt,html}``.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pyinstrument import Profiler

import geodata
from benchmarks import server_cost
from benchmarks.synthetic import write_synthetic_record
from tests.support.browser import ROOT

if TYPE_CHECKING:
    from collections.abc import Sequence

OUT = ROOT / "bench-results"


def main(argv: Sequence[str] | None = None) -> None:
    """Profile one thing at one scale; print and save the report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_hotspots")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--what", choices=("server", "load"), default="server")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the sampled days")
    parser.add_argument("--interval", type=float, default=0.0005, help="sampling interval (s)")
    parser.add_argument("--no-gc", action="store_true", help="disable the garbage collector")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kz-bench-") as scratch:
        folder = None
        if options.scale > 1:
            folder = write_synthetic_record(Path(scratch) / "record", options.scale)
        profiler = Profiler(interval=options.interval)
        if options.what == "load":
            geodata.load_record(folder)  # warm: imports and first-use caches
            gc.collect()
            with profiler:
                geodata.load_record(folder)
        else:
            record = geodata.load_record(folder)
            days = server_cost.sample_days(record)
            server_cost.measure_day(record, days[0])  # warm-up
            if options.no_gc:
                gc.disable()
            with profiler:
                for _ in range(options.repeat):
                    for day in days:
                        server_cost.step(record, day)
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    print(text)
    OUT.mkdir(exist_ok=True)
    stem = OUT / f"profile-{options.what}-{options.scale}x"
    stem.with_suffix(".txt").write_text(text)
    stem.with_suffix(".html").write_text(profiler.output_html())
    print(f"wrote {stem.relative_to(ROOT)}.txt and .html")


if __name__ == "__main__":
    main()
