"""Every benchmark: ``python -m benchmarks`` (what ``make bench`` runs).

Data timings first (``benchmarks.data``), then the slider step in the browser, dashboard against the
floor app (``benchmarks.step_latency``, about a minute and a half).
"""

from __future__ import annotations

from benchmarks import data, step_latency

data.main()
print()
step_latency.main()
