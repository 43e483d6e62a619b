"""Pandera schemas for the record's tables: what each column must hold, in words a person can act on."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pandera.pandas as pa

__all__ = [
    "CONFIDENCE_LEVELS",
    "OPTIONAL_TABLES",
    "SCHEMAS",
    "SOURCE_URL_PATTERN",
    "STATUSES",
    "columns_where",
    "intervals",
    "is_source_url",
]

# Strongest first: a feature that combines facts takes the weakest of their levels.
CONFIDENCE_LEVELS = ("high", "medium", "low")
# A headline fits on a line or two beside the date; a milestone is a label under the slider.
HEADLINE_CHARS = 120
MILESTONE_CHARS = 24
FIGURE_STATUSES = ("reported", "revised", "withdrawn")
STATUSES = ("not_deployed", "deploying", "deployed", "withdrawing", "withdrawn")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# A source must be a plain http(s) link: nothing that could become script, markup or another scheme.
# The map's script keeps its own copy as a second line of defence (tested to be the same).
SOURCE_URL_PATTERN = r"""^https?://[^\s<>"']+$"""
_URL = re.compile(SOURCE_URL_PATTERN)
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def is_source_url(text: str) -> bool:
    """Whether ``text`` may be shown as a source link.

    Examples
    --------
    >>> is_source_url("https://tass.com/world/1387485")
    True
    >>> is_source_url("javascript:alert(1)"), is_source_url("HTTPS://example.org/")
    (False, False)
    """
    return bool(_URL.match(text))


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
CONFIDENCE = _element(
    lambda text: text in CONFIDENCE_LEVELS, "must be one of: " + ", ".join(CONFIDENCE_LEVELS)
)
WHOLE_NUMBER = _element(_is_whole_number, "must be a whole number of 0 or more, e.g. 150")
OPTIONAL_WHOLE_NUMBER = _element(
    _is_whole_number, "must be empty or a whole number of 0 or more, e.g. 150", optional=True
)


def _text(
    *checks: pa.Check, required: bool = True, metadata: dict[str, Any] | None = None
) -> pa.Column:
    return pa.Column(
        str, checks=[REQUIRED, *checks] if required else list(checks), metadata=metadata
    )


# What a column means beyond its text, declared once here and read by the loader (typed values),
# the cross-table checks (references, intervals, the period) and the synthetic-record generator.
def _date(*, required: bool = True, formerly: str | None = None) -> pa.Column:
    return _text(
        DATE if required else OPTIONAL_DATE,
        required=required,
        metadata={"type": "date", **({"formerly": formerly} if formerly else {})},
    )


def _short_text(most: int, example: str, *, added_in: str) -> pa.Column:
    """Optional text of at most ``most`` characters, in a column that older records may leave out."""
    check = _element(
        lambda text: len(text) <= most,
        f"must be at most {most} characters (it is shown on one line), e.g. {example!r}",
        optional=True,
    )
    return _text(check, required=False, metadata={"added_in": added_in})


def _whole_number(*, required: bool = True) -> pa.Column:
    check = WHOLE_NUMBER if required else OPTIONAL_WHOLE_NUMBER
    return _text(check, required=required, metadata={"type": "integer"})


def _reference(target: str, *, required: bool = True) -> pa.Column:
    """A column holding the id of a row of ``target`` (a table, or ``regions``/``countries``)."""
    check = ID if required else OPTIONAL_ID
    return _text(check, required=required, metadata={"refers_to": target, "optional": not required})


def _iso3(example: str, *, reference: bool) -> pa.Column:
    """An ISO 3166 alpha-3 code; a ``reference`` must name a country of the countries file."""
    return _text(
        _element(
            lambda t: bool(re.fullmatch(r"[A-Z]{3}", t)),
            f"must be an ISO 3166 alpha-3 code, e.g. {example}",
        ),
        metadata={"refers_to": "countries"} if reference else None,
    )


def columns_where(schema: pa.DataFrameSchema, key: str, value: Any = None) -> dict[str, Any]:
    """The columns of ``schema`` whose metadata has ``key`` (equal to ``value`` if given), with its value.

    Examples
    --------
    >>> columns_where(SCHEMAS["movements"], "refers_to")["origin_place_id"]
    'places'
    >>> list(columns_where(SCHEMAS["unrest"], "type", "date"))
    ['start', 'end']
    """
    found = {}
    for name, column in schema.columns.items():
        meta = column.metadata or {}
        if key in meta and (value is None or meta[key] == value):
            found[name] = meta[key]
    return found


def intervals(schema: pa.DataFrameSchema) -> tuple[tuple[str, str], ...]:
    """The (start, end) column pairs of ``schema`` that must run forwards and lie in the period."""
    return tuple((schema.metadata or {}).get("intervals", ()))


def _choice(values: tuple[str, ...]) -> pa.Check:
    return _element(lambda text: text in values, "must be one of: " + ", ".join(values))


def _table(
    name: str, columns: dict[str, pa.Column], *, interval: tuple[str, str] | None = None
) -> pa.DataFrameSchema:
    citation = {"sources": _text(SOURCES), "confidence": _text(CONFIDENCE)}
    return pa.DataFrameSchema(
        {"id": _text(ID), **columns, **citation, "note": _text(required=False)},
        name=name,
        unique=["id"],
        metadata={"intervals": [interval] if interval else []},
    )


# Tables a record may leave out: dated troop strengths, and those added by registered layers (see
# geodata/_layers.py).
OPTIONAL_TABLES: set[str] = {"strengths"}

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
            "country_iso3": _iso3("KAZ", reference=False),
            "region_id": _reference("regions", required=False),
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
            "country_iso3": _iso3("RUS", reference=True),
            "name": _text(),
            "units": _text(required=False),
            "home_place_id": _reference("places"),
            "troops_best": _whole_number(),
            "troops_low": _whole_number(required=False),
            "troops_high": _whole_number(required=False),
            "troops_estimate": _text(_choice(("true", "false")), metadata={"type": "boolean"}),
            "troops_note": _text(required=False),
            "in_host_from": _date(formerly="in_kazakhstan_from"),
            "in_host_to": _date(formerly="in_kazakhstan_to"),
            "commander": _text(required=False),
        },
        interval=("in_host_from", "in_host_to"),
    ),
    # A contingent's strength from ``date`` on (until its next row), replacing its ``troops_best``:
    # departures and arrivals as flight reports give them, with a range where no one published one.
    "strengths": _table(
        "strengths",
        {
            "contingent_id": _reference("contingents"),
            "date": _date(),
            "troops_best": _whole_number(),
            "troops_low": _whole_number(required=False),
            "troops_high": _whole_number(required=False),
            "troops_estimate": _text(_choice(("true", "false")), metadata={"type": "boolean"}),
        },
    ),
    "phases": _table(
        "phases",
        {
            "contingent_id": _reference("contingents"),
            "status": _text(_choice(("deploying", "deployed", "withdrawing"))),
            "start": _date(),
            "end": _date(),
        },
        interval=("start", "end"),
    ),
    "presence": _table(
        "presence",
        {
            "contingent_id": _reference("contingents"),
            "place_id": _reference("places"),
            "role": _text(_choice(("guard", "headquarters"))),
            "start": _date(),
            "end": _date(required=False),
        },
        interval=("start", "end"),
    ),
    "movements": _table(
        "movements",
        {
            "contingent_id": _reference("contingents"),
            "phase": _text(_choice(("deployment", "withdrawal", "return"))),
            "start": _date(),
            "end": _date(),
            "origin_place_id": _reference("places"),
            "destination_place_id": _reference("places"),
            "means": _text(required=False),
        },
        interval=("start", "end"),
    ),
    "emergencies": _table(
        "emergencies",
        {
            "region_id": _reference("regions"),
            "imposed_date": _date(),
            "imposed_time": _text(OPTIONAL_TIME, required=False),
            "lifted_date": _date(),
            "lifted_time": _text(OPTIONAL_TIME, required=False),
        },
        interval=("imposed_date", "lifted_date"),
    ),
    "unrest": _table(
        "unrest",
        {
            "place_id": _reference("places"),
            "start": _date(),
            "end": _date(),
            "level": _text(_choice(("1", "2", "3")), metadata={"type": "integer"}),
            "status": _text(),
        },
        interval=("start", "end"),
    ),
    "events": _table(
        "events",
        {
            "date": _date(),
            "time_local": _text(required=False),
            "place_id": _reference("places", required=False),
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
            # The day's headline (one event a day at most), shown beside the date, and the slider's
            # label for a key day.
            "headline": _short_text(
                HEADLINE_CHARS, "CSTO troops land in Almaty", added_in="2026.12"
            ),
            "milestone": _short_text(MILESTONE_CHARS, "CSTO arrives", added_in="2026.12"),
        },
    ),
    "figures": _table(
        "figures",
        {
            "date": _date(),
            "measure": _text(_choice(("deaths", "security_deaths", "injured", "detained"))),
            "value": _whole_number(),
            "qualifier": _text(required=False),
            "attributed_to": _text(),
            # reported (the default), revised (replaced a figure of the same source), or withdrawn
            # (disowned by whoever published it): a withdrawn figure is never shown as the latest.
            "status": _text(
                _element(
                    lambda text: text in FIGURE_STATUSES,
                    "must be empty or one of: " + ", ".join(FIGURE_STATUSES),
                    optional=True,
                ),
                required=False,
                metadata={"added_in": "2026.12"},
            ),
        },
    ),
}
