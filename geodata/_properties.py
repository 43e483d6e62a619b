"""The properties of each built-in layer's features: what an export, a card or a test can rely on.

Each ``TypedDict`` is the one home of its layer's property names and their order (the layer
registry's ``columns`` come from it); ``id`` is first, ``sources`` and ``confidence`` last.
"""

from __future__ import annotations

from typing import TypedDict

__all__ = [
    "BaseProperties",
    "CityProperties",
    "CountryProperties",
    "EventProperties",
    "MovementProperties",
    "RegionProperties",
    "SiteProperties",
    "TroopsProperties",
    "columns_of",
]


class CountryProperties(TypedDict):
    """A country: the host, a contributor (with its contingent's figures that day) or context."""

    id: str
    name: str
    iso3: str
    role: str
    status: str | None
    troops_in_host: int | None
    troops_estimate: bool | None
    troops_low: int | None
    troops_high: int | None
    troops_note: str | None
    contingent: str | None
    units: str | None
    phase_note: str | None
    sources: list[str]
    confidence: str


class RegionProperties(TypedDict):
    """A region of the host country and its state of emergency that day."""

    id: str
    name: str
    state_of_emergency: bool
    emergency_imposed: str | None
    emergency_lifted: str | None
    emergency_note: str | None
    sources: list[str]
    confidence: str


class CityProperties(TypedDict):
    """A city of the host country and its unrest that day (level 0 when none was reported)."""

    id: str
    name: str
    unrest_level: int
    unrest_label: str
    status: str
    region_id: str | None
    geonames_id: str | None
    note: str | None
    sources: list[str]
    confidence: str


class SiteProperties(TypedDict):
    """A site guarded that day, and by whom."""

    id: str
    name: str
    place_id: str
    role: str
    contingent_id: str
    contingent: str
    iso3: str
    start: str
    end: str
    end_reported: bool
    location_precision: str
    place_note: str | None
    note: str | None
    sources: list[str]
    confidence: str


class MovementProperties(TypedDict):
    """A deployment, withdrawal or return leg under way that day."""

    id: str
    name: str
    phase: str
    contingent_id: str
    contingent: str
    iso3: str
    origin: str
    destination: str
    means: str | None
    start: str
    end: str
    note: str | None
    sources: list[str]
    confidence: str


class BaseProperties(TypedDict):
    """A contingent's home base and the contingent's status that day."""

    id: str
    name: str
    iso3: str
    contingent: str
    status: str
    troops_in_host: int
    troops_estimate: bool
    sources: list[str]
    confidence: str


class EventProperties(TypedDict):
    """An event of the day."""

    id: str
    name: str
    kind: str
    time_local: str | None
    place_id: str | None
    place: str | None
    note: str | None
    # The day's headline when this event carries it, and its label on the timeline if a key day.
    headline: str | None
    milestone: str | None
    sources: list[str]
    confidence: str


class FigureProperties(TypedDict):
    """A casualty or detention figure as the day's story shows it (national: no geometry)."""

    id: str
    name: str
    measure: str
    value: int
    qualifier: str | None
    attributed_to: str
    reported_on: str
    # reported, revised or withdrawn: a withdrawn figure is exported only on its day, as withdrawn.
    status: str
    note: str | None
    sources: list[str]
    confidence: str


class TroopsProperties(TypedDict):
    """A contingent's troops in the host country that day, placed where it was (derived)."""

    id: str
    name: str
    iso3: str
    contingent: str
    troops: int
    troops_estimate: bool
    troops_low: int | None
    troops_high: int | None
    placed_at: str
    placement: str
    sources: list[str]
    confidence: str


def columns_of(properties: type) -> tuple[str, ...]:
    """A layer's property names after ``id``, in order, from its ``TypedDict``.

    Examples
    --------
    >>> columns_of(EventProperties)[:3]
    ('name', 'kind', 'time_local')
    """
    return tuple(name for name in properties.__annotations__ if name != "id")
