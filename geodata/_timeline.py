"""What was true on day D: one pure function over a loaded record.

Day rules (also in docs/record-schema.md):

- an interval ``start``–``end`` holds on every day from ``start`` to ``end``, both included;
- a contingent counts as in Kazakhstan from its arrival day to its departure day, both included,
  so ``troops_in_kazakhstan`` is 0 before arrival and after departure;
- a state of emergency is *on* for day D when it is in force at 23:59 local time that day:
  one imposed at 16:00 on the 5th is on for the 5th; one lifted at 07:00 on the 13th is off for the 13th.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import shapely

from geodata._load import WGS84

if TYPE_CHECKING:
    from geodata._load import Record

__all__ = ["UNREST_LABELS", "Snapshot", "snapshot"]

UNREST_LABELS = {
    0: "No unrest reported",
    1: "Protest",
    2: "Riots or clashes",
    3: "Buildings stormed or deaths",
}
_CONFIDENCE_ORDER = {"high": 2, "medium": 1, "low": 0}


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The situation on one day: one GeoDataFrame per map layer, plus the day's figures."""

    date: dt.date
    countries: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    cities: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    movements: gpd.GeoDataFrame
    events: gpd.GeoDataFrame
    figures: pd.DataFrame

    @property
    def troops_in_kazakhstan(self) -> int:
        """All contingents' troops in the host country that day (best figures, estimates included)."""
        contributors = self.countries[self.countries["role"] == "contributor"]
        return int(contributors["troops_in_kazakhstan"].sum())


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
    tables = record.tables
    return Snapshot(
        date=day,
        countries=_countries(record, day),
        regions=_regions(record, day),
        cities=_cities(record, day),
        sites=_sites(record, day),
        movements=_movements(record, day),
        events=_events(record, day),
        figures=_figures_as_of(tables["figures"], day),
    )


def _covers(frame: pd.DataFrame, day: dt.date, start: str = "start", end: str = "end") -> pd.Series:
    return (frame[start] <= day) & (frame[end] >= day)


def weakest(levels: list[str]) -> str:
    """The lowest confidence among several facts that a feature combines.

    Examples
    --------
    >>> weakest(["high", "low", "medium"])
    'low'
    """
    return min(levels, key=_CONFIDENCE_ORDER.__getitem__)


def contingent_status(
    record: Record, contingent_id: str, day: dt.date
) -> tuple[str, pd.Series | None]:
    """A contingent's status on ``day`` and the phase row it comes from (``None`` outside all phases)."""
    phases = record.tables["phases"]
    own = phases[phases["contingent_id"] == contingent_id]
    current = own[_covers(own, day)]
    if not current.empty:
        return str(current["status"].iloc[0]), current.iloc[0]
    if own.empty or day < own["start"].min():
        return "not_deployed", None
    return "withdrawn", None


def _countries(record: Record, day: dt.date) -> gpd.GeoDataFrame:
    countries = record.countries
    contingents = record.tables["contingents"].set_index("country_iso3", drop=False)
    rows = []
    for iso3, name in zip(countries["iso3"], countries["name"], strict=True):
        row = {
            "id": iso3,
            "iso3": iso3,
            "name": name,
            "role": "context",
            "status": None,
            "troops_in_kazakhstan": None,
            "troops_estimate": None,
            "troops_note": None,
            "contingent": None,
            "units": None,
            "phase_note": None,
            "sources": [_NATURAL_EARTH],
            "confidence": "high",
        }
        if iso3 == record.meta.host_iso3:
            row["role"] = "host"
        elif iso3 in contingents.index:
            contingent = contingents.loc[iso3]
            status, phase = contingent_status(record, contingent["id"], day)
            present = contingent["in_kazakhstan_from"] <= day <= contingent["in_kazakhstan_to"]
            row.update(
                role="contributor",
                status=status,
                troops_in_kazakhstan=int(contingent["troops_best"]) if present else 0,
                troops_estimate=bool(contingent["troops_estimate"]),
                troops_note=contingent["troops_note"],
                contingent=contingent["name"],
                units=contingent["units"],
                phase_note=None if phase is None else phase["note"],
                sources=list(contingent["sources"])
                + ([] if phase is None else list(phase["sources"])),
                confidence=weakest(
                    [contingent["confidence"]] + ([] if phase is None else [phase["confidence"]])
                ),
            )
        rows.append(row)
    frame = pd.DataFrame(rows, index=countries.index).astype({"troops_in_kazakhstan": "Int64"})
    return gpd.GeoDataFrame(frame, geometry=countries.geometry.values, crs=WGS84)


_NATURAL_EARTH = (
    "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/10m-admin-0-countries/"
)


def _emergency_on(row: pd.Series, day: dt.date) -> bool:
    last_minute = dt.datetime.combine(day, dt.time(23, 59))
    imposed = dt.datetime.combine(row["imposed_date"], _clock(row["imposed_time"]))
    lifted = dt.datetime.combine(row["lifted_date"], _clock(row["lifted_time"]))
    return imposed <= last_minute < lifted


def _clock(text: str) -> dt.time:
    # A date without a time means "during that day": counted from its first minute.
    return dt.time.fromisoformat(text) if text else dt.time(0, 0)


def _regions(record: Record, day: dt.date) -> gpd.GeoDataFrame:
    regions = record.regions
    emergencies = record.tables["emergencies"].set_index("region_id", drop=False)
    rows = []
    for region_id, name in zip(regions["id"], regions["name"], strict=True):
        row = {
            "id": region_id,
            "name": name,
            "state_of_emergency": False,
            "emergency_imposed": None,
            "emergency_lifted": None,
            "emergency_note": None,
            "sources": [],
            "confidence": "high",
        }
        if region_id in emergencies.index:
            emergency = emergencies.loc[region_id]
            row.update(
                state_of_emergency=_emergency_on(emergency, day),
                emergency_imposed=_local_time(emergency["imposed_date"], emergency["imposed_time"]),
                emergency_lifted=_local_time(emergency["lifted_date"], emergency["lifted_time"]),
                emergency_note=emergency["note"],
                sources=list(emergency["sources"]),
                confidence=emergency["confidence"],
            )
        rows.append(row)
    frame = pd.DataFrame(rows, index=regions.index)
    return gpd.GeoDataFrame(frame, geometry=regions.geometry.values, crs=WGS84)


def _local_time(day: dt.date, clock: str) -> str:
    return f"{day.isoformat()}T{clock}" if clock else day.isoformat()


def _cities(record: Record, day: dt.date) -> gpd.GeoDataFrame:
    places = record.places
    cities = places[(places["kind"] == "city") & (places["country_iso3"] == record.meta.host_iso3)]
    unrest = record.tables["unrest"]
    today = unrest[_covers(unrest, day)].sort_values("level", ascending=False)
    worst = today.drop_duplicates("place_id").set_index("place_id")
    rows = []
    for place in cities.itertuples(index=False):
        if place.id in worst.index:
            spell = worst.loc[place.id]
            level, status = int(spell["level"]), str(spell["status"])
            sources, confidence, note = list(spell["sources"]), spell["confidence"], spell["note"]
        else:
            level, status = 0, UNREST_LABELS[0]
            sources, confidence, note = list(place.sources), place.confidence, ""
        rows.append(
            {
                "id": place.id,
                "name": place.name,
                "unrest_level": level,
                "unrest_label": UNREST_LABELS[level],
                "status": status,
                "region_id": place.region_id or None,
                "geonames_id": place.geonames_id or None,
                "note": note,
                "sources": sources,
                "confidence": confidence,
            }
        )
    return gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=_CITY_COLUMNS), geometry=list(cities.geometry.values), crs=WGS84
    )


_CITY_COLUMNS = [
    "id",
    "name",
    "unrest_level",
    "unrest_label",
    "status",
    "region_id",
    "geonames_id",
    "note",
    "sources",
    "confidence",
]


def _sites(record: Record, day: dt.date) -> gpd.GeoDataFrame:
    presence = record.tables["presence"]
    contingents = record.tables["contingents"]
    # An unreported end means "until the contingent left".
    ends = presence["end"].where(
        presence["end"].notna(), presence["contingent_id"].map(contingents["in_kazakhstan_to"])
    )
    active = presence[(presence["start"] <= day) & (ends >= day)]
    places = record.places
    rows, geometries = [], []
    for guard in active.itertuples(index=False):
        place = places.loc[guard.place_id]
        contingent = contingents.loc[guard.contingent_id]
        rows.append(
            {
                "id": guard.id,
                "name": place["name"],
                "place_id": guard.place_id,
                "role": guard.role,
                "contingent_id": guard.contingent_id,
                "contingent": contingent["name"],
                "iso3": contingent["country_iso3"],
                "start": guard.start.isoformat(),
                "end": guard.end.isoformat() if guard.end else None,
                "end_reported": guard.end is not None,
                "location_precision": place["location_precision"],
                "place_note": place["note"],
                "note": guard.note,
                "sources": list(guard.sources),
                "confidence": weakest([guard.confidence, place["confidence"]]),
            }
        )
        geometries.append(place.geometry)
    return gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=_SITE_COLUMNS), geometry=geometries, crs=WGS84
    )


_SITE_COLUMNS = [
    "id",
    "name",
    "place_id",
    "role",
    "contingent_id",
    "contingent",
    "iso3",
    "start",
    "end",
    "end_reported",
    "location_precision",
    "place_note",
    "note",
    "sources",
    "confidence",
]


def _movements(record: Record, day: dt.date) -> gpd.GeoDataFrame:
    movements = record.tables["movements"]
    today = movements[_covers(movements, day)]
    places, contingents = record.places, record.tables["contingents"]
    rows, geometries = [], []
    for leg in today.itertuples(index=False):
        origin, destination = places.loc[leg.origin_place_id], places.loc[leg.destination_place_id]
        contingent = contingents.loc[leg.contingent_id]
        rows.append(
            {
                "id": leg.id,
                "name": f"{origin['name']} → {destination['name']}",
                "phase": leg.phase,
                "contingent_id": leg.contingent_id,
                "contingent": contingent["name"],
                "iso3": contingent["country_iso3"],
                "origin": origin["name"],
                "destination": destination["name"],
                "means": leg.means,
                "start": leg.start.isoformat(),
                "end": leg.end.isoformat(),
                "note": leg.note,
                "sources": list(leg.sources),
                "confidence": leg.confidence,
            }
        )
        geometries.append(_line(origin.geometry, destination.geometry))
    return gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=_MOVEMENT_COLUMNS), geometry=geometries, crs=WGS84
    )


_MOVEMENT_COLUMNS = [
    "id",
    "name",
    "phase",
    "contingent_id",
    "contingent",
    "iso3",
    "origin",
    "destination",
    "means",
    "start",
    "end",
    "note",
    "sources",
    "confidence",
]


def _line(origin: shapely.Point, destination: shapely.Point) -> shapely.LineString:
    return shapely.LineString([origin, destination])


def _events(record: Record, day: dt.date) -> gpd.GeoDataFrame:
    events = record.tables["events"]
    today = events[events["date"] == day]
    places = record.places
    rows, geometries = [], []
    for event in today.itertuples(index=False):
        place = places.loc[event.place_id] if event.place_id else None
        rows.append(
            {
                "id": event.id,
                "name": event.description,
                "kind": event.kind,
                "time_local": event.time_local or None,
                "place_id": event.place_id or None,
                "place": None if place is None else place["name"],
                "note": event.note,
                "sources": list(event.sources),
                "confidence": event.confidence,
            }
        )
        geometries.append(None if place is None else place.geometry)
    return gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=_EVENT_COLUMNS), geometry=geometries, crs=WGS84
    )


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


def _figures_as_of(figures: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The latest reported value of each measure on or before ``day``."""
    known = figures[figures["date"] <= day].sort_values(["date", "line"])
    return known.drop_duplicates("measure", keep="last").set_index("measure", drop=False)
