"""What the map draws for the day a page shows: the day file its ``KZ.showDay`` call points at."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dashboard import day_data

_SHOW_DAY = re.compile(r"KZ\.showDay\(\w+, ")


def show_day_spec(feature_group: str) -> dict[str, Any]:
    """The data of the one ``KZ.showDay(group, data)`` call in a step's ``feature_group`` script."""
    (match,) = _SHOW_DAY.finditer(feature_group)
    spec, _ = json.JSONDecoder().raw_decode(feature_group, match.end())
    assert isinstance(spec, dict)
    return spec


def day_file_url(spec: dict[str, Any], day: dt.date) -> str:
    """Where the browser fetches ``day``'s map, as ``KZ.showDay`` works it out from ``spec``."""
    return spec["url"].replace(f"/{spec['date']}.json", f"/{day.isoformat()}.json")


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
    return fetched(day_file_url(show_day_spec(feature_group), day))
