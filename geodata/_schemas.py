"""Pandera schemas for the record's tables: what each column must hold, in words a person can act on."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pandera.pandas as pa

__all__ = ["CONFIDENCE_LEVELS", "SCHEMAS", "STATUSES", "parse_sources"]

CONFIDENCE_LEVELS = ("high", "medium", "low")
STATUSES = ("not_deployed", "deploying", "deployed", "withdrawing", "withdrawn")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_URL = re.compile(r"^https?://[^\s<>\"']+$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def parse_sources(cell: str) -> list[str]:
    """Split a ``sources`` cell into its URLs (they are separated by whitespace).

    Examples
    --------
    >>> parse_sources("https://a.example/x  https://b.example/y")
    ['https://a.example/x', 'https://b.example/y']
    >>> parse_sources("")
    []
    """
    return cell.split()


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def _is_number_between(low: float, high: float) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        try:
            value = float(text)
        except ValueError:
            return False
        return low <= value <= high

    return check


def _is_whole_number(text: str) -> bool:
    return bool(re.fullmatch(r"\d+", text.replace(",", "")))


def _element(predicate: Callable[[str], bool], error: str, *, optional: bool = False) -> pa.Check:
    """An element-wise check on a text cell; ``optional`` lets an empty cell pass."""
    if optional:
        return pa.Check(lambda text: text == "" or predicate(text), element_wise=True, error=error)
    return pa.Check(predicate, element_wise=True, error=error)


REQUIRED = _element(lambda text: text.strip() != "", "is empty, but this column is required")
ID = _element(
    lambda text: bool(_SLUG.match(text)),
    "must be an id of lower-case letters, digits and hyphens, e.g. 'almaty-airport'",
)
OPTIONAL_ID = _element(
    lambda text: bool(_SLUG.match(text)),
    "must be empty or an id of lower-case letters, digits and hyphens",
    optional=True,
)
DATE = _element(_is_date, "must be a real date written YYYY-MM-DD, e.g. 2022-01-07")
OPTIONAL_DATE = _element(
    _is_date, "must be empty or a real date written YYYY-MM-DD, e.g. 2022-01-07", optional=True
)
OPTIONAL_TIME = _element(
    lambda text: bool(_TIME.match(text)),
    "must be empty or a 24-hour local time written HH:MM, e.g. 07:00",
    optional=True,
)
SOURCES = _element(
    lambda text: bool(text.split()) and all(_URL.match(url) for url in text.split()),
    "must list at least one source as http(s):// URLs separated by spaces",
)
CONFIDENCE = _element(lambda text: text in CONFIDENCE_LEVELS, "must be one of: high, medium, low")
WHOLE_NUMBER = _element(_is_whole_number, "must be a whole number of 0 or more, e.g. 150")
OPTIONAL_WHOLE_NUMBER = _element(
    _is_whole_number, "must be empty or a whole number of 0 or more, e.g. 150", optional=True
)


def _text(*checks: pa.Check, required: bool = True) -> pa.Column:
    return pa.Column(str, checks=[REQUIRED, *checks] if required else list(checks))


def _choice(values: tuple[str, ...]) -> pa.Check:
    return _element(lambda text: text in values, "must be one of: " + ", ".join(values))


def _table(name: str, columns: dict[str, pa.Column]) -> pa.DataFrameSchema:
    citation = {"sources": _text(SOURCES), "confidence": _text(CONFIDENCE)}
    return pa.DataFrameSchema(
        {"id": _text(ID), **columns, **citation, "note": _text(required=False)},
        name=name,
        unique=["id"],
    )


SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "places": _table(
        "places",
        {
            "name": _text(),
            "kind": _text(
                _choice(
                    ("city", "town", "airfield", "garrison", "facility", "checkpoint", "square")
                )
            ),
            "country_iso3": _text(
                _element(
                    lambda t: bool(re.fullmatch(r"[A-Z]{3}", t)),
                    "must be an ISO 3166 alpha-3 code, e.g. KAZ",
                )
            ),
            "region_id": _text(OPTIONAL_ID, required=False),
            "geonames_id": _text(OPTIONAL_WHOLE_NUMBER, required=False),
            "lat": _text(
                _element(
                    _is_number_between(-90, 90),
                    "must be empty or a latitude between -90 and 90",
                    optional=True,
                ),
                required=False,
            ),
            "lon": _text(
                _element(
                    _is_number_between(-180, 180),
                    "must be empty or a longitude between -180 and 180",
                    optional=True,
                ),
                required=False,
            ),
            "location_precision": _text(_choice(("located", "approximate", "unlocated"))),
        },
    ),
    "contingents": _table(
        "contingents",
        {
            "country_iso3": _text(
                _element(
                    lambda t: bool(re.fullmatch(r"[A-Z]{3}", t)),
                    "must be an ISO 3166 alpha-3 code, e.g. RUS",
                )
            ),
            "name": _text(),
            "units": _text(required=False),
            "home_place_id": _text(ID),
            "troops_best": _text(WHOLE_NUMBER),
            "troops_low": _text(OPTIONAL_WHOLE_NUMBER, required=False),
            "troops_high": _text(OPTIONAL_WHOLE_NUMBER, required=False),
            "troops_estimate": _text(_choice(("true", "false"))),
            "troops_note": _text(required=False),
            "in_kazakhstan_from": _text(DATE),
            "in_kazakhstan_to": _text(DATE),
            "commander": _text(required=False),
        },
    ),
    "phases": _table(
        "phases",
        {
            "contingent_id": _text(ID),
            "status": _text(_choice(("deploying", "deployed", "withdrawing"))),
            "start": _text(DATE),
            "end": _text(DATE),
        },
    ),
    "presence": _table(
        "presence",
        {
            "contingent_id": _text(ID),
            "place_id": _text(ID),
            "role": _text(_choice(("guard", "headquarters"))),
            "start": _text(DATE),
            "end": _text(OPTIONAL_DATE, required=False),
        },
    ),
    "movements": _table(
        "movements",
        {
            "contingent_id": _text(ID),
            "phase": _text(_choice(("deployment", "withdrawal", "return"))),
            "start": _text(DATE),
            "end": _text(DATE),
            "origin_place_id": _text(ID),
            "destination_place_id": _text(ID),
            "means": _text(required=False),
        },
    ),
    "emergencies": _table(
        "emergencies",
        {
            "region_id": _text(ID),
            "imposed_date": _text(DATE),
            "imposed_time": _text(OPTIONAL_TIME, required=False),
            "lifted_date": _text(DATE),
            "lifted_time": _text(OPTIONAL_TIME, required=False),
        },
    ),
    "unrest": _table(
        "unrest",
        {
            "place_id": _text(ID),
            "start": _text(DATE),
            "end": _text(DATE),
            "level": _text(_choice(("1", "2", "3"))),
            "status": _text(),
        },
    ),
    "events": _table(
        "events",
        {
            "date": _text(DATE),
            "time_local": _text(required=False),
            "place_id": _text(OPTIONAL_ID, required=False),
            "kind": _text(
                _choice(
                    (
                        "policy",
                        "protest",
                        "riot",
                        "stormed",
                        "security",
                        "government",
                        "decision",
                        "statement",
                        "emergency",
                        "arrival",
                        "departure",
                        "return",
                        "ceremony",
                        "casualties",
                    )
                )
            ),
            "description": _text(),
        },
    ),
    "figures": _table(
        "figures",
        {
            "date": _text(DATE),
            "measure": _text(_choice(("deaths", "security_deaths", "injured", "detained"))),
            "value": _text(WHOLE_NUMBER),
            "qualifier": _text(required=False),
            "attributed_to": _text(),
        },
    ),
}
