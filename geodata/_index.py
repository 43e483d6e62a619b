"""Look-up structures built once per record, so that a day's snapshot costs microseconds per layer."""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from geodata._features import Feature, city_feature

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["Intervals", "TimelineIndex", "build_index", "point_json"]

# About 1 m: more digits would only add bytes.
DIGITS = 5


@dataclass(frozen=True)
class Intervals:
    """Rows of an interval table with their first and last days as ordinals."""

    rows: list[dict[str, Any]]
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def of(cls, rows: list[dict[str, Any]], start: str = "start", end: str = "end") -> Intervals:
        """Index ``rows`` by their ``start`` and ``end`` dates (both included)."""
        starts = np.array([row[start].toordinal() for row in rows], dtype=np.int64)
        ends = np.array([row[end].toordinal() for row in rows], dtype=np.int64)
        return cls(rows, starts, ends)

    def covering(self, day: dt.date) -> list[dict[str, Any]]:
        """The rows whose interval includes ``day``, in table order."""
        ordinal = day.toordinal()
        hits = np.flatnonzero((self.starts <= ordinal) & (self.ends >= ordinal))
        return [self.rows[i] for i in hits]


@dataclass(frozen=True)
class TimelineIndex:
    """Everything a snapshot needs, keyed for direct look-up."""

    contingents: dict[str, dict[str, Any]]
    contingent_by_iso3: dict[str, dict[str, Any]]
    phases_by_contingent: dict[str, list[dict[str, Any]]]
    emergency_by_region: dict[str, dict[str, Any]]
    cities: list[dict[str, Any]]
    calm_cities: tuple[Feature, ...]
    city_position: dict[str, int]
    unrest: Intervals
    presence: Intervals
    movements: Intervals
    # Each contingent's deployment legs, earliest landing first: where it was before it guarded anything.
    landings: dict[str, list[dict[str, Any]]]
    events_by_day: dict[dt.date, list[dict[str, Any]]]
    figure_days: dict[str, list[dt.date]]
    figure_rows: dict[str, list[dict[str, Any]]]
    # Figures their publisher disowned, by the day they were published: shown as withdrawn only.
    withdrawn_by_day: dict[dt.date, list[dict[str, Any]]]
    places: dict[str, dict[str, Any]]


def point_json(geom: shapely.Geometry | None) -> str:
    """Compact GeoJSON for a point or line, rounded to about a metre (``"null"`` for no geometry)."""
    if geom is None:
        return "null"
    rounded = shapely.set_precision(geom, 10**-DIGITS)
    return json.dumps(shapely.geometry.mapping(rounded), separators=(",", ":"))


def _landings(movements: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    landings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for leg in sorted(movements, key=lambda row: row["end"]):
        if leg["phase"] == "deployment":
            landings[leg["contingent_id"]].append(leg)
    return dict(landings)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = frame.to_dict("records")
    return rows


def build_index(
    host_iso3: str, tables: dict[str, pd.DataFrame], places: gpd.GeoDataFrame
) -> TimelineIndex:
    """Turn validated tables into the look-up structures a snapshot reads."""
    place_rows = {}
    for row, geom in zip(
        _rows(places.drop(columns="geometry")), places.geometry.values, strict=True
    ):
        row["geometry"] = geom
        row["geometry_json"] = point_json(geom)
        place_rows[row["id"]] = row
    contingents = {row["id"]: row for row in _rows(tables["contingents"])}
    for row in contingents.values():
        row["strengths"] = []
    for row in sorted(_rows(tables["strengths"]), key=lambda r: r["date"]):
        contingents[row["contingent_id"]]["strengths"].append(row)
    phases: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(_rows(tables["phases"]), key=lambda r: r["start"]):
        phases[row["contingent_id"]].append(row)
    emergencies = {}
    for row in _rows(tables["emergencies"]):
        row["imposed_at"] = local_moment(row["imposed_date"], row["imposed_time"])
        row["lifted_at"] = local_moment(row["lifted_date"], row["lifted_time"])
        emergencies[row["region_id"]] = row
    presence = _rows(tables["presence"])
    for row in presence:
        # An unreported end means "until the contingent left".
        row["end_reported"] = row["end"] is not None
        row["last_day"] = row["end"] or contingents[row["contingent_id"]]["in_host_to"]
    movements = _rows(tables["movements"])
    for row in movements:
        origin, destination = (
            place_rows[row["origin_place_id"]],
            place_rows[row["destination_place_id"]],
        )
        row["geometry"] = shapely.LineString([origin["geometry"], destination["geometry"]])
        row["geometry_json"] = point_json(row["geometry"])
    events: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(tables["events"]):
        events[row["date"]].append(row)
    figure_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    withdrawn: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(_rows(tables["figures"]), key=lambda r: (r["date"], r["line"])):
        row["status"] = row["status"] or "reported"
        if row["status"] == "withdrawn":
            withdrawn[row["date"]].append(row)
        else:
            figure_rows[row["measure"]].append(row)
    cities = [
        row
        for row in place_rows.values()
        if row["kind"] == "city" and row["country_iso3"] == host_iso3
    ]
    return TimelineIndex(
        contingents=contingents,
        contingent_by_iso3={row["country_iso3"]: row for row in contingents.values()},
        phases_by_contingent=dict(phases),
        emergency_by_region=emergencies,
        cities=cities,
        calm_cities=tuple(city_feature(place, None) for place in cities),
        city_position={place["id"]: position for position, place in enumerate(cities)},
        unrest=Intervals.of(_rows(tables["unrest"])),
        presence=Intervals.of(presence, end="last_day"),
        movements=Intervals.of(movements),
        landings=_landings(movements),
        events_by_day=dict(events),
        figure_days={m: [r["date"] for r in rows] for m, rows in figure_rows.items()},
        figure_rows=dict(figure_rows),
        withdrawn_by_day=dict(withdrawn),
        places=place_rows,
    )


def latest_on_or_before(days: list[dt.date], day: dt.date) -> int | None:
    """Position of the last entry of the sorted ``days`` that is on or before ``day``.

    Examples
    --------
    >>> import datetime as dt
    >>> days = [dt.date(2022, 1, 5), dt.date(2022, 1, 9)]
    >>> latest_on_or_before(days, dt.date(2022, 1, 8))
    0
    >>> latest_on_or_before(days, dt.date(2022, 1, 1)) is None
    True
    """
    position = bisect.bisect_right(days, day) - 1
    return None if position < 0 else position


def local_moment(day: dt.date, clock: str) -> dt.datetime:
    """A local date and optional ``HH:MM`` time as a moment; a bare date counts from its first minute."""
    return dt.datetime.combine(day, dt.time.fromisoformat(clock) if clock else dt.time(0, 0))
