"""Read the shareable state (``?date=2022-01-07&layers=country,city``) from untrusted URL parameters."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from geodata import LAYERS

if TYPE_CHECKING:
    from geodata import RecordMeta

# Far longer than any valid value: anything bigger is not worth parsing.
_MAX_PARAMETER = 200


def parse_date(raw: str | None, meta: RecordMeta) -> tuple[dt.date, str | None]:
    """The date a link asks for, or the record's opening day and a warning that says why.

    Examples
    --------
    >>> import datetime as dt
    >>> from geodata import RecordMeta
    >>> meta = RecordMeta("t", "1", "KAZ", dt.date(2022, 1, 1), dt.date(2022, 1, 20), "l", "a")
    >>> parse_date("2022-01-07", meta)
    (datetime.date(2022, 1, 7), None)
    >>> parse_date("2023-01-07", meta)[0]
    datetime.date(2022, 1, 1)
    """
    opening = meta.opening_day
    if raw is None:
        return opening, None
    span = f"{meta.period_start:%d %b %Y} to {meta.period_end:%d %b %Y}"
    shown = f"{opening.day} {opening:%b %Y}"
    try:
        day = dt.date.fromisoformat(raw.strip()) if len(raw) <= _MAX_PARAMETER else None
    except ValueError:
        day = None
    if day is None:
        return (
            opening,
            f"The date in the link is not a date written YYYY-MM-DD; showing {shown} "
            f"(the record covers {span}).",
        )
    if not meta.period_start <= day <= meta.period_end:
        return (
            opening,
            f"The date in the link is outside the record ({span}); showing {shown}.",
        )
    return day, None


def parse_layers(raw: str | None) -> tuple[tuple[str, ...], str | None]:
    """The layers a link asks for (comma-separated), or all layers and a warning.

    Examples
    --------
    >>> parse_layers("city,country")
    (('country', 'city'), None)
    >>> parse_layers("tanks")[0] == LAYERS
    True
    """
    if raw is None:
        return tuple(LAYERS), None
    asked = {part.strip() for part in raw[:_MAX_PARAMETER].split(",") if part.strip()}
    chosen = tuple(layer for layer in LAYERS if layer in asked)
    if not chosen or asked - set(LAYERS):
        valid = ", ".join(LAYERS)
        if not chosen:
            return tuple(
                LAYERS
            ), f"The layers in the link are not known; showing all layers ({valid})."
        return chosen, f"Some layers in the link are not known and were left out (known: {valid})."
    return chosen, None


def layers_parameter(layers: tuple[str, ...]) -> str | None:
    """The ``layers`` URL value for a choice, or ``None`` when it is the default (all layers)."""
    return None if set(layers) == set(LAYERS) else ",".join(layers)
