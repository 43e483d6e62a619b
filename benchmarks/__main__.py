"""Every benchmark in one table: ``python -m benchmarks [--scales 1,10,60] [--rounds N]`` (``make bench``).

See ``benchmarks/bench.py``: server cost, websocket bytes and step latency (against the floor app) at
1x, 10x, 100x and 1000x the bundled record, then cold start and memory per session; the table is also
written to ``bench-results/bench.json``. The parts run on their own too:
``python -m benchmarks.server_cost [--panels | --exports]``,
``python -m benchmarks.step_latency [--by-kind]``, ``python -m benchmarks.load``.
"""

from __future__ import annotations

from benchmarks import bench

bench.main()
