"""Group what would not be readable one by one: thousands of points become grid cells, legs become routes."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Sequence

# More markers than this on one layer are unreadable at any zoom the map opens at, and slow to send.
MAX_MARKERS = 300
MAX_LINES = 200


def grid_groups(
    lats: Sequence[float], lons: Sequence[float], *, limit: int = MAX_MARKERS
) -> list[np.ndarray]:
    """Indices of points grouped on the finest square grid with at most ``limit`` occupied cells.

    Examples
    --------
    >>> [g.tolist() for g in grid_groups([43.20, 43.21, 51.1], [76.90, 76.91, 71.4], limit=2)]
    [[0, 1], [2]]
    """
    lat, lon = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    # Start near the answer (cells of the area over the limit) rather than from a fine grid.
    span = max(float(np.ptp(lat)) * float(np.ptp(lon)), 1e-6) if len(lat) else 1e-6
    size = max(np.sqrt(span / limit) / 2, 0.01)
    while True:
        rows, columns = np.floor(lat / size).astype(np.int64), np.floor(lon / size).astype(np.int64)
        cells = rows * 1_000_003 + columns  # one integer per cell: np.unique on 1-D is fast
        _, inverse = np.unique(cells, return_inverse=True)
        if inverse.max(initial=-1) + 1 <= limit:
            break
        size *= 1.5
    order = np.argsort(inverse, kind="stable")
    splits = np.flatnonzero(np.diff(inverse[order])) + 1
    return [group for group in np.split(order, splits) if len(group)]


def group_by(items: Sequence[Any], key: Callable[[Any], Hashable]) -> list[list[Any]]:
    """Items grouped by ``key``, groups in order of first appearance."""
    groups: dict[Hashable, list[Any]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return list(groups.values())


def names_line(names: Sequence[str], *, shown: int = 8) -> str:
    """A readable list of the first names and how many more.

    Examples
    --------
    >>> names_line(["Almaty", "Taraz", "Semey"], shown=2)
    'Almaty, Taraz and 1 more'
    """
    head = ", ".join(names[:shown])
    return head if len(names) <= shown else f"{head} and {len(names) - shown:,} more"
