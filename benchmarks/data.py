"""Time loading the record and building one day's snapshot plus its GeoJSON export.

Run with ``python -m benchmarks.data``. Prints medians over repeated runs; the machine is shared, so
read the figures as rough, and compare ratios measured in the same run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import geodata


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    """Print load, snapshot and export timings for the bundled record."""
    load_ms = _median_ms(geodata.load_record, 5)
    record = geodata.load_record()
    days = record.meta.days
    snapshot_ms = [_median_ms(lambda d=d: geodata.snapshot(record, d), 5) for d in days]
    export_ms = [
        _median_ms(lambda d=d: geodata.feature_collection_bytes(record, d), 5) for d in days
    ]
    timeline_ms = _median_ms(lambda: geodata.timeline_bytes(record), 3)
    print(f"load record (after imports)       median {load_ms:7.1f} ms")
    print(
        f"snapshot, per day                 median {statistics.median(snapshot_ms):7.1f} ms  max {max(snapshot_ms):6.1f} ms"
    )
    print(
        f"snapshot + export, per day        median {statistics.median(export_ms):7.1f} ms  max {max(export_ms):6.1f} ms"
    )
    print(f"whole timeline export (--all)     median {timeline_ms:7.1f} ms")


if __name__ == "__main__":
    main()
