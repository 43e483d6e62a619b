"""What was true on day D: one pure function over a loaded record.

Day rules (also in docs/record-schema.md):

- an interval ``start``-``end`` holds on every day from ``start`` to ``end``, both included;
- a contingent counts as in Kazakhstan from its arrival day to its departure day, both included,
  so ``troops_in_kazakhstan`` is 0 before arrival and after departure;
- a state of emergency is *on* for day D when it is in force at 23:59 local time that day:
  one imposed at 16:00 on the 5th is on for the 5th; one lifted at 07:00 on the 13th is off for the 13th.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geodata._features import UNREST_LABELS, Feature, city_feature
from geodata._index import latest_on_or_before
from geodata._load import WGS84

if TYPE_CHECKING:
    from collections.abc import Mapping

    from geodata._index import TimelineIndex
    from geodata._load import Record

__all__ = [
    "UNREST_LABELS",
    "Feature",
    "Snapshot",
    "contingent_status",
    "snapshot",
    "troop_series",
    "weakest",
]

NATURAL_EARTH = (
    "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/10m-admin-0-countries/"
)
_CONFIDENCE_ORDER = {"high": 2, "medium": 1, "low": 0}


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The situation on one day: features per layer, as GeoDataFrames on demand, plus the day's figures."""

    date: dt.date
    layers: Mapping[str, tuple[Feature, ...]]
    latest_figures: Mapping[str, Mapping[str, Any]]

    def frame(self, layer: str) -> gpd.GeoDataFrame:
        """One layer as a GeoDataFrame in WGS84 (empty, with no columns, when nothing is on it)."""
        features = self.layers[layer]
        frame = pd.DataFrame([feature.properties for feature in features])
        return gpd.GeoDataFrame(
            frame, geometry=[feature.geometry for feature in features], crs=WGS84
        )

    @cached_property
    def countries(self) -> gpd.GeoDataFrame:
        """Host, contributor and context countries with role, status and troops in Kazakhstan."""
        return self.frame("country").astype({"troops_in_kazakhstan": "Int64"})

    @cached_property
    def regions(self) -> gpd.GeoDataFrame:
        """The host country's regions with ``state_of_emergency`` on or off."""
        return self.frame("region")

    @cached_property
    def cities(self) -> gpd.GeoDataFrame:
        """The host country's cities with ``unrest_level`` (0-3) and a readable ``status``."""
        return self.frame("city")

    @cached_property
    def sites(self) -> gpd.GeoDataFrame:
        """Sites guarded that day (unlocated sites have no geometry)."""
        return self._with_columns("site", _SITE_COLUMNS)

    @cached_property
    def movements(self) -> gpd.GeoDataFrame:
        """Deployment, withdrawal and return legs under way that day."""
        return self._with_columns("movement", _MOVEMENT_COLUMNS)

    @cached_property
    def events(self) -> gpd.GeoDataFrame:
        """The day's events (events with no place have no geometry)."""
        return self._with_columns("event", _EVENT_COLUMNS)

    @cached_property
    def figures(self) -> pd.DataFrame:
        """The latest reported figure of each measure (deaths, detained …) on or before the day."""
        return pd.DataFrame(list(self.latest_figures.values()), columns=_FIGURE_COLUMNS).set_index(
            "measure", drop=False
        )

    @property
    def troops_in_kazakhstan(self) -> int:
        """All contingents' troops in the host country that day (best figures, estimates included)."""
        return sum(
            feature.properties["troops_in_kazakhstan"]
            for feature in self.layers["country"]
            if feature.properties["role"] == "contributor"
        )

    def _with_columns(self, layer: str, columns: list[str]) -> gpd.GeoDataFrame:
        frame = self.frame(layer)
        return (
            frame
            if len(frame)
            else gpd.GeoDataFrame(columns=[*columns, "geometry"], geometry="geometry", crs=WGS84)
        )


def snapshot(record: Record, day: dt.date) -> Snapshot:
    """The state of every layer on ``day``.

    Parameters
    ----------
    record : Record
        A loaded record.
    day : datetime.date
        Any date; days outside the record's period simply find nothing happening.

    Returns
    -------
    Snapshot
    """
    index = record.index
    return Snapshot(
        date=day,
        layers={
            "country": _countries(record, day),
            "region": _regions(record, day),
            "city": _cities(index, day),
            "site": _sites(index, day),
            "movement": _movements(index, day),
            "event": _events(index, day),
        },
        latest_figures=_figures_as_of(index, day),
    )


def weakest(levels: list[str]) -> str:
    """The lowest confidence among several facts that a feature combines.

    Examples
    --------
    >>> weakest(["high", "low", "medium"])
    'low'
    """
    return min(levels, key=_CONFIDENCE_ORDER.__getitem__)


def contingent_status(
    index: TimelineIndex, contingent_id: str, day: dt.date
) -> tuple[str, dict[str, Any] | None]:
    """A contingent's status on ``day`` and the phase row it comes from (``None`` outside all phases)."""
    phases = index.phases_by_contingent.get(contingent_id, [])
    for phase in phases:
        if phase["start"] <= day <= phase["end"]:
            return phase["status"], phase
    if not phases or day < phases[0]["start"]:
        return "not_deployed", None
    return "withdrawn", None


def _countries(record: Record, day: dt.date) -> tuple[Feature, ...]:
    index, features = record.index, []
    for iso3, name, geom in zip(
        record.countries["iso3"],
        record.countries["name"],
        record.countries.geometry.values,
        strict=True,
    ):
        properties = {"id": iso3, "name": name, "iso3": iso3, "role": "context", "status": None,
                      "troops_in_kazakhstan": None, "troops_estimate": None, "troops_low": None,
                      "troops_high": None, "troops_note": None, "contingent": None, "units": None,
                      "phase_note": None, "sources": [NATURAL_EARTH], "confidence": "high"}  # fmt: skip
        if iso3 == record.meta.host_iso3:
            properties["role"] = "host"
        elif iso3 in index.contingent_by_iso3:
            contingent = index.contingent_by_iso3[iso3]
            status, phase = contingent_status(index, contingent["id"], day)
            present = contingent["in_kazakhstan_from"] <= day <= contingent["in_kazakhstan_to"]
            phase_facts = [] if phase is None else [phase]
            properties.update(
                role="contributor",
                status=status,
                troops_in_kazakhstan=contingent["troops_best"] if present else 0,
                troops_estimate=contingent["troops_estimate"],
                troops_low=contingent["troops_low"],
                troops_high=contingent["troops_high"],
                troops_note=contingent["troops_note"],
                contingent=contingent["name"],
                units=contingent["units"],
                phase_note=None if phase is None else phase["note"],
                sources=[
                    *contingent["sources"],
                    *(url for row in phase_facts for url in row["sources"]),
                ],
                confidence=weakest(
                    [contingent["confidence"], *(row["confidence"] for row in phase_facts)]
                ),
            )
        features.append(Feature(properties, geom, record.geometry_json[("country", iso3)]))
    return tuple(features)


def _emergency_on(row: Mapping[str, Any], day: dt.date) -> bool:
    last_minute = dt.datetime.combine(day, dt.time(23, 59))
    return row["imposed_at"] <= last_minute < row["lifted_at"]


def _regions(record: Record, day: dt.date) -> tuple[Feature, ...]:
    emergencies, features = record.index.emergency_by_region, []
    for region_id, name, geom in zip(
        record.regions["id"], record.regions["name"], record.regions.geometry.values, strict=True
    ):
        properties = {"id": region_id, "name": name, "state_of_emergency": False, "emergency_imposed": None,
                      "emergency_lifted": None, "emergency_note": None, "sources": [NATURAL_EARTH],
                      "confidence": "high"}  # fmt: skip
        emergency = emergencies.get(region_id)
        if emergency is not None:
            properties.update(
                state_of_emergency=_emergency_on(emergency, day),
                emergency_imposed=emergency["imposed_at"].isoformat(timespec="minutes")
                if emergency["imposed_time"]
                else emergency["imposed_date"].isoformat(),
                emergency_lifted=emergency["lifted_at"].isoformat(timespec="minutes")
                if emergency["lifted_time"]
                else emergency["lifted_date"].isoformat(),
                emergency_note=emergency["note"] or None,
                sources=list(emergency["sources"]),
                confidence=emergency["confidence"],
            )
        features.append(Feature(properties, geom, record.geometry_json[("region", region_id)]))
    return tuple(features)


def _cities(index: TimelineIndex, day: dt.date) -> tuple[Feature, ...]:
    worst: dict[str, dict[str, Any]] = {}
    for spell in index.unrest.covering(day):
        held = worst.get(spell["place_id"])
        if held is None or spell["level"] > held["level"]:
            worst[spell["place_id"]] = spell
    # Most cities are calm on most days: start from their prebuilt features and replace the others.
    features = list(index.calm_cities)
    for place_id, spell in worst.items():
        position = index.city_position.get(place_id)
        if position is not None:
            features[position] = city_feature(index.cities[position], spell)
    return tuple(features)


_SITE_COLUMNS = ["id", "name", "place_id", "role", "contingent_id", "contingent", "iso3", "start", "end",
                 "end_reported", "location_precision", "place_note", "note", "sources", "confidence"]  # fmt: skip


def _sites(index: TimelineIndex, day: dt.date) -> tuple[Feature, ...]:
    features = []
    for guard in index.presence.covering(day):
        place = index.places[guard["place_id"]]
        contingent = _contingent(index, guard["contingent_id"])
        properties = {
            "id": guard["id"], "name": place["name"], "place_id": place["id"], "role": guard["role"],
            "contingent_id": contingent["id"], "contingent": contingent["name"], "iso3": contingent["country_iso3"],
            "start": guard["start"].isoformat(), "end": guard["last_day"].isoformat(), "end_reported": guard["end_reported"],
            "location_precision": place["location_precision"], "place_note": place["note"] or None,
            "note": guard["note"] or None, "sources": list(guard["sources"]),
            "confidence": weakest([guard["confidence"], place["confidence"]]),
        }  # fmt: skip
        features.append(Feature(properties, place["geometry"], place["geometry_json"]))
    return tuple(features)


_MOVEMENT_COLUMNS = ["id", "name", "phase", "contingent_id", "contingent", "iso3", "origin", "destination",
                     "means", "start", "end", "note", "sources", "confidence"]  # fmt: skip


def _movements(index: TimelineIndex, day: dt.date) -> tuple[Feature, ...]:
    features = []
    for leg in index.movements.covering(day):
        origin, destination = (
            index.places[leg["origin_place_id"]],
            index.places[leg["destination_place_id"]],
        )
        contingent = _contingent(index, leg["contingent_id"])
        properties = {
            "id": leg["id"], "name": f"{origin['name']} → {destination['name']}", "phase": leg["phase"],
            "contingent_id": contingent["id"], "contingent": contingent["name"], "iso3": contingent["country_iso3"],
            "origin": origin["name"], "destination": destination["name"], "means": leg["means"] or None,
            "start": leg["start"].isoformat(), "end": leg["end"].isoformat(), "note": leg["note"] or None,
            "sources": list(leg["sources"]), "confidence": leg["confidence"],
        }  # fmt: skip
        features.append(Feature(properties, leg["geometry"], leg["geometry_json"]))
    return tuple(features)


_EVENT_COLUMNS = [
    "id",
    "name",
    "kind",
    "time_local",
    "place_id",
    "place",
    "note",
    "sources",
    "confidence",
]


def _events(index: TimelineIndex, day: dt.date) -> tuple[Feature, ...]:
    features = []
    for event in index.events_by_day.get(day, ()):
        place = index.places.get(event["place_id"]) if event["place_id"] else None
        properties = {
            "id": event["id"], "name": event["description"], "kind": event["kind"],
            "time_local": event["time_local"] or None, "place_id": event["place_id"] or None,
            "place": None if place is None else place["name"], "note": event["note"] or None,
            "sources": list(event["sources"]), "confidence": event["confidence"],
        }  # fmt: skip
        geometry = None if place is None else place["geometry"]
        features.append(
            Feature(properties, geometry, "null" if place is None else place["geometry_json"])
        )
    return tuple(features)


_FIGURE_COLUMNS = [
    "id",
    "date",
    "measure",
    "value",
    "qualifier",
    "attributed_to",
    "sources",
    "confidence",
    "note",
]


def _figures_as_of(index: TimelineIndex, day: dt.date) -> dict[str, dict[str, Any]]:
    latest = {}
    for measure, days in index.figure_days.items():
        position = latest_on_or_before(days, day)
        if position is not None:
            latest[measure] = {
                column: index.figure_rows[measure][position][column] for column in _FIGURE_COLUMNS
            }
    return latest


def _contingent(index: TimelineIndex, contingent_id: str) -> dict[str, Any]:
    return index.contingents[contingent_id]


def troop_series(record: Record) -> pd.DataFrame:
    """Troops in the host country per contingent and day over the whole period.

    Columns: ``date``, ``iso3``, ``contingent``, ``troops_in_kazakhstan``, ``status``, ``troops_estimate``.
    """
    index, rows = record.index, []
    for day in record.meta.days:
        for iso3, contingent in index.contingent_by_iso3.items():
            status, _ = contingent_status(index, contingent["id"], day)
            present = contingent["in_kazakhstan_from"] <= day <= contingent["in_kazakhstan_to"]
            rows.append({
                "date": day, "iso3": iso3, "contingent": contingent["name"],
                "troops_in_kazakhstan": contingent["troops_best"] if present else 0,
                "status": status, "troops_estimate": contingent["troops_estimate"],
            })  # fmt: skip
    return pd.DataFrame(rows, columns=_SERIES_COLUMNS)


_SERIES_COLUMNS = [
    "date",
    "iso3",
    "contingent",
    "troops_in_kazakhstan",
    "status",
    "troops_estimate",
]
