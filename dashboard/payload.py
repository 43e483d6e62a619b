"""The shapes of the JSON the map's script receives each day (``dashboard/static/kz_map.js``).

Python builds these in ``map_content``; the script reads them with ``textContent`` only. A change
here is a change of the script's contract: keep the two in step.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

__all__ = [
    "Card",
    "LatLon",
    "Legend",
    "LegendRow",
    "LegendSection",
    "MapLine",
    "MapPoint",
    "PlaceLabel",
    "Restyle",
    "Tooltip",
]


class Tooltip(TypedDict):
    """What hovering a feature shows: a title and a few lines."""

    title: str
    lines: list[str]


class Card(TypedDict):
    """A popup: title, lines, a note, and the feature's sources (URLs, or numbers into the day's list)."""

    title: str
    lines: list[str]
    note: NotRequired[str | None]
    sources: NotRequired[list[Any]]
    confidence: NotRequired[str]


class LatLon(TypedDict):
    """A position as Leaflet takes it."""

    lat: float
    lon: float


class Gather(TypedDict):
    """What a symbol counts as when it is gathered with others into one chip."""

    kind: str  # "site" or "event"
    code: str  # the guarding contingent's code, for a site


class MapPoint(LatLon):
    """A circle or labelled badge (``KZ.points``)."""

    style: dict[str, Any]
    tooltip: Tooltip
    popup: Card | None
    label: NotRequired[str]
    interactive: NotRequired[bool]  # False: a badge to read, which clicks and hovers pass through
    above: NotRequired[bool]  # a labelled point drawn above its position, not on it
    side: NotRequired[str]  # "left" or "right": a badge beside its point, leaving the point free
    gather: NotRequired[Gather]  # symbols at one spot on screen are shown as one chip
    zIndexOffset: NotRequired[int]


class PlaceLabel(LatLon):
    """A place's name written on the map (``KZ.dayStatus`` labels; colliding ones are hidden)."""

    text: str
    major: NotRequired[bool]  # kept even where a badge or chip covers it


class Arrow(LatLon):
    """An arrowhead on a leg: where it sits and its heading (degrees clockwise from east)."""

    heading: float


class MapLine(TypedDict):
    """A leg or route (``KZ.lines``): [lat, lon] vertices."""

    coordinates: list[list[float]]
    arrow: NotRequired[Arrow]
    style: dict[str, Any]
    tooltip: Tooltip
    popup: Card


class Restyle(TypedDict):
    """Fills and cards for the fetched polygons of one layer, by feature id (``KZ.dayStatus``)."""

    key: str
    styles: dict[str, dict[str, Any]]
    popups: dict[str, Card]
    tooltipLines: int


class LegendRow(TypedDict, total=False):
    """One legend row: a swatch (fill, stroke, shape) and its label."""

    fill: str
    stroke: str
    shape: str
    symbol: str  # a character drawn in the swatch (a count)
    label: str


class LegendSection(TypedDict):
    """A layer's part of the legend."""

    heading: str
    rows: list[LegendRow]


class Legend(TypedDict):
    """The legend of a day: its date, one section per layer shown, and notes."""

    date: str
    title: str
    sections: list[LegendSection]
    notes: list[str]
