"""What the map draws for the day a page shows: the day file its ``KZ.showDay`` call points at."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from benchmarks.capacity import day_file_url, show_day_spec
from dashboard import day_data

if TYPE_CHECKING:
    import datetime as dt


def fetched(url: str) -> dict[str, Any]:
    """The day file at ``url``, as the app's server would answer it (the same process's records)."""
    parts = urlsplit(url)
    *_, token, name = parts.path.split("/")
    found = day_data.requested(token, name, parse_qs(parts.query).get("layers", [""])[0])
    assert found is not None, f"the server would answer 404 for {url}"
    day = json.loads(day_data.day_file(*found).json)
    assert isinstance(day, dict)
    return day


def shown_day(feature_group: str, day: dt.date) -> dict[str, Any]:
    """The file the map draws when the slider shows ``day``: ``{"date", "groups": [...]}``."""
    assert feature_group.count("KZ.showDay(") == 1, "the map's script needs one KZ.showDay call"
    spec = show_day_spec(feature_group)
    assert spec is not None
    return fetched(day_file_url(spec, day.isoformat()))
