"""What was true on day D: one pure function over a loaded record.

Day rules (also in docs/record-schema.md):

- an interval ``start``-``end`` holds on every day from ``start`` to ``end``, both included;
- a contingent counts as in the host country from its arrival day to its departure day, both
  included (``in_host_from`` to ``in_host_to``), so ``troops_in_host`` is 0 before arrival and after
  departure;
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
import shapely

from geodata._features import UNREST_LABELS, Feature, city_feature
from geodata._index import latest_on_or_before, point_json
from geodata._layers import LAYERS, Layer, layer, register_layer
from geodata._properties import (
    BaseProperties,
    CityProperties,
    CountryProperties,
    EventProperties,
    FigureProperties,
    MovementProperties,
    RegionProperties,
    SiteProperties,
    TroopsProperties,
    columns_of,
)
from geodata._record import WGS84
from geodata._schemas import CONFIDENCE_LEVELS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from geodata._index import TimelineIndex
    from geodata._record import Record

__all__ = [
    "UNREST_LABELS",
    "Feature",
    "Snapshot",
    "contingent_status",
    "snapshot",
    "troop_series",
    "troops_on",
    "weakest",
]


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The situation on one day: features per layer, as GeoDataFrames on demand, plus the day's figures."""

    date: dt.date
    layers: Mapping[str, tuple[Feature, ...]]
    latest_figures: Mapping[str, Mapping[str, Any]]
    host_name: str
    # Figures published that day and withdrawn by their publisher (never among ``latest_figures``).
    withdrawn_figures: tuple[Mapping[str, Any], ...] = ()

    def frame(self, key: str) -> gpd.GeoDataFrame:
        """One layer as a GeoDataFrame in WGS84 (an empty day keeps the layer's columns)."""
        features = self.layers[key]
        if not features:
            columns = ["id", *layer(key).columns, "geometry"]
            return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=WGS84)
        frame = pd.DataFrame([feature.properties for feature in features])
        return gpd.GeoDataFrame(
            frame, geometry=[feature.geometry for feature in features], crs=WGS84
        )

    @cached_property
    def countries(self) -> gpd.GeoDataFrame:
        """Host, contributor and context countries with role, status and troops in Kazakhstan."""
        return self.frame("country").astype({"troops_in_host": "Int64"})

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
        return self.frame("site")

    @cached_property
    def movements(self) -> gpd.GeoDataFrame:
        """Deployment, withdrawal and return legs under way that day."""
        return self.frame("movement")

    @cached_property
    def events(self) -> gpd.GeoDataFrame:
        """The day's events (events with no place have no geometry)."""
        return self.frame("event")

    @cached_property
    def figures(self) -> pd.DataFrame:
        """The latest reported figure of each measure (deaths, detained …) on or before the day."""
        return pd.DataFrame(list(self.latest_figures.values()), columns=_FIGURE_COLUMNS).set_index(
            "measure", drop=False
        )

    @property
    def contributors(self) -> tuple[Feature, ...]:
        """The contributing countries' features (each carries its contingent's figures that day)."""
        return tuple(f for f in self.layers["country"] if f.properties["role"] == "contributor")

    @property
    def troops_in_host(self) -> int:
        """All contingents' troops in the host country that day (best figures, estimates included)."""
        return sum(feature.properties["troops_in_host"] for feature in self.contributors)

    @property
    def headline(self) -> Feature | None:
        """The event that carries the day's headline (its ``headline`` text and sources), if any."""
        return next((f for f in self.layers["event"] if f.properties["headline"]), None)

    @property
    def troops_estimated(self) -> bool:
        """Whether the day's total includes an estimated (not published) figure."""
        return any(
            f.properties["troops_estimate"] and f.properties["troops_in_host"]
            for f in self.contributors
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
    return Snapshot(
        date=day,
        layers={key: layer(key).build(record, day) for key in LAYERS},
        latest_figures=_figures_as_of(record.index, day),
        host_name=record.host_name,
        withdrawn_figures=tuple(
            {column: row[column] for column in _FIGURE_COLUMNS}
            for row in record.index.withdrawn_by_day.get(day, ())
        ),
    )


def weakest(levels: Iterable[str]) -> str:
    """The lowest confidence among several facts that a feature combines.

    Examples
    --------
    >>> weakest(["high", "low", "medium"])
    'low'
    """
    return max(levels, key=CONFIDENCE_LEVELS.index)


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


def strength_on(contingent: Mapping[str, Any], day: dt.date) -> Mapping[str, Any]:
    """The contingent's figures on ``day``: its latest dated strength, else the contingent's own row.

    Either way the mapping has ``troops_best``, ``troops_low``, ``troops_high``, ``troops_estimate``,
    ``sources``, ``confidence`` and ``note`` (``troops_note`` on the contingent's row).
    """
    latest = None
    for row in contingent.get("strengths", ()):
        if row["date"] <= day:
            latest = row
    return latest if latest is not None else contingent


def troops_on(contingent: Mapping[str, Any], day: dt.date) -> int:
    """A contingent's troops in the host country on ``day``: its best figure while there, else 0."""
    present = contingent["in_host_from"] <= day <= contingent["in_host_to"]
    return int(strength_on(contingent, day)["troops_best"]) if present else 0


def _countries(record: Record, day: dt.date) -> tuple[Feature, ...]:
    index, features = record.index, []
    boundary = record.provenance["countries"]
    for iso3, name, geom in zip(
        record.countries["iso3"],
        record.countries["name"],
        record.countries.geometry.values,
        strict=True,
    ):
        properties: CountryProperties = {"id": iso3, "name": name, "iso3": iso3, "role": "context", "status": None,
                      "troops_in_host": None, "troops_estimate": None, "troops_low": None,
                      "troops_high": None, "troops_note": None, "contingent": None, "units": None,
                      "phase_note": None, "sources": boundary.sources, "confidence": boundary.confidence}  # fmt: skip
        if iso3 == record.meta.host_iso3:
            properties["role"] = "host"
        elif iso3 in index.contingent_by_iso3:
            contingent = index.contingent_by_iso3[iso3]
            status, phase = contingent_status(index, contingent["id"], day)
            strength = strength_on(contingent, day)
            phase_facts: list[Mapping[str, Any]] = [] if phase is None else [phase]
            if strength is not contingent:
                phase_facts.append(strength)
            properties.update(
                {
                    "role": "contributor",
                    "status": status,
                    "troops_in_host": troops_on(contingent, day),
                    "troops_estimate": strength["troops_estimate"],
                    "troops_low": strength["troops_low"],
                    "troops_high": strength["troops_high"],
                    "troops_note": strength.get("troops_note", strength.get("note")),
                    "contingent": contingent["name"],
                    "units": contingent["units"],
                    "phase_note": None if phase is None else phase["note"],
                    "sources": list(
                        dict.fromkeys(
                            [
                                *contingent["sources"],
                                *(url for row in phase_facts for url in row["sources"]),
                            ]
                        )
                    ),
                    "confidence": weakest(
                        [contingent["confidence"], *(row["confidence"] for row in phase_facts)]
                    ),
                }
            )
        features.append(Feature(properties, geom, record.geometry_json[("country", iso3)]))
    return tuple(features)


def _emergency_on(row: Mapping[str, Any], day: dt.date) -> bool:
    last_minute = dt.datetime.combine(day, dt.time(23, 59))
    return bool(row["imposed_at"] <= last_minute < row["lifted_at"])


def _regions(record: Record, day: dt.date) -> tuple[Feature, ...]:
    emergencies, features = record.index.emergency_by_region, []
    boundary = record.provenance["regions"]
    for region_id, name, geom in zip(
        record.regions["id"], record.regions["name"], record.regions.geometry.values, strict=True
    ):
        properties: RegionProperties = {"id": region_id, "name": name, "state_of_emergency": False, "emergency_imposed": None,
                      "emergency_lifted": None, "emergency_note": None, "sources": boundary.sources,
                      "confidence": boundary.confidence}  # fmt: skip
        emergency = emergencies.get(region_id)
        if emergency is not None:
            properties.update(
                {
                    "state_of_emergency": _emergency_on(emergency, day),
                    "emergency_imposed": emergency["imposed_at"].isoformat(timespec="minutes")
                    if emergency["imposed_time"]
                    else emergency["imposed_date"].isoformat(),
                    "emergency_lifted": emergency["lifted_at"].isoformat(timespec="minutes")
                    if emergency["lifted_time"]
                    else emergency["lifted_date"].isoformat(),
                    "emergency_note": emergency["note"] or None,
                    "sources": list(emergency["sources"]),
                    "confidence": emergency["confidence"],
                }
            )
        features.append(Feature(properties, geom, record.geometry_json[("region", region_id)]))
    return tuple(features)


def _cities(record: Record, day: dt.date) -> tuple[Feature, ...]:
    index = record.index
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


def _sites(record: Record, day: dt.date) -> tuple[Feature, ...]:
    index = record.index
    features = []
    for guard in index.presence.covering(day):
        place = index.places[guard["place_id"]]
        contingent = _contingent(index, guard["contingent_id"])
        properties: SiteProperties = {
            "id": guard["id"], "name": place["name"], "place_id": place["id"], "role": guard["role"],
            "contingent_id": contingent["id"], "contingent": contingent["name"], "iso3": contingent["country_iso3"],
            "start": guard["start"].isoformat(), "end": guard["last_day"].isoformat(), "end_reported": guard["end_reported"],
            "location_precision": place["location_precision"], "place_note": place["note"] or None,
            "note": guard["note"] or None, "sources": list(guard["sources"]),
            "confidence": weakest([guard["confidence"], place["confidence"]]),
        }  # fmt: skip
        features.append(Feature(properties, place["geometry"], place["geometry_json"]))
    return tuple(features)


def _troops(record: Record, day: dt.date) -> tuple[Feature, ...]:
    """Each contingent in the host that day, placed at the middle of the sites it guarded.

    Before it guarded any (or after), it is placed where its deployment legs landed in the host; a
    contingent with neither is left out.
    """
    index, features = record.index, []
    guards: dict[str, list[dict[str, Any]]] = {}
    for guard in index.presence.covering(day):
        guards.setdefault(guard["contingent_id"], []).append(guard)
    for iso3, contingent in sorted(index.contingent_by_iso3.items()):
        troops = troops_on(contingent, day)
        if not troops:
            continue
        facts = guards.get(contingent["id"], [])
        places = [index.places[row["place_id"]] for row in facts]
        placement = "guarded sites"
        if not any(place["geometry"] is not None for place in places):
            facts = [
                leg
                for leg in index.landings.get(contingent["id"], [])
                if leg["end"] <= day
                and index.places[leg["destination_place_id"]]["country_iso3"]
                == record.meta.host_iso3
            ]
            places = [index.places[row["destination_place_id"]] for row in facts]
            placement = "arrival"
        located = [place for place in places if place["geometry"] is not None]
        if not located:
            continue
        centre = shapely.MultiPoint([place["geometry"] for place in located]).centroid
        strength = strength_on(contingent, day)
        properties: TroopsProperties = {
            "id": contingent["id"], "name": contingent["name"], "iso3": iso3,
            "contingent": contingent["name"], "troops": troops,
            "troops_estimate": bool(strength["troops_estimate"]),
            "troops_low": strength["troops_low"], "troops_high": strength["troops_high"],
            "placed_at": "; ".join(dict.fromkeys(place["name"] for place in located)),
            "placement": placement,
            "sources": list(dict.fromkeys([*contingent["sources"], *(u for r in facts for u in r["sources"])])),
            "confidence": weakest([contingent["confidence"], *(row["confidence"] for row in facts)]),
        }  # fmt: skip
        features.append(Feature(properties, centre, point_json(centre)))
    return tuple(features)


def _bases(record: Record, day: dt.date) -> tuple[Feature, ...]:
    """Each contingent's home base, with the contingent's status and troops in the host that day."""
    index, features = record.index, []
    for iso3, contingent in sorted(index.contingent_by_iso3.items()):
        home = index.places[contingent["home_place_id"]]
        if home["geometry"] is None:
            continue
        status, phase = contingent_status(index, contingent["id"], day)
        facts = [contingent] if phase is None else [contingent, phase]
        properties: BaseProperties = {
            "id": contingent["id"], "name": home["name"], "iso3": iso3,
            "contingent": contingent["name"], "status": status,
            "troops_in_host": troops_on(contingent, day),
            "troops_estimate": bool(strength_on(contingent, day)["troops_estimate"]),
            "sources": list(dict.fromkeys(u for row in facts for u in row["sources"])),
            "confidence": weakest(row["confidence"] for row in facts),
        }  # fmt: skip
        features.append(Feature(properties, home["geometry"], home["geometry_json"]))
    return tuple(features)


def _routes(record: Record, day: dt.date) -> tuple[Feature, ...]:
    """The deployment legs of every contingent in the host that day: the way each one came."""
    index = record.index
    legs = [
        leg
        for _, contingent in sorted(index.contingent_by_iso3.items())
        if troops_on(contingent, day)
        for leg in index.landings.get(contingent["id"], ())
        if leg["start"] <= day
    ]
    return tuple(_leg_feature(index, leg) for leg in legs)


def _movements(record: Record, day: dt.date) -> tuple[Feature, ...]:
    index = record.index
    return tuple(_leg_feature(index, leg) for leg in index.movements.covering(day))


def _leg_feature(index: TimelineIndex, leg: dict[str, Any]) -> Feature:
    """A leg as a feature: a line from its origin to its destination, with its contingent."""
    origin = index.places[leg["origin_place_id"]]
    destination = index.places[leg["destination_place_id"]]
    contingent = _contingent(index, leg["contingent_id"])
    properties: MovementProperties = {
        "id": leg["id"], "name": f"{origin['name']} → {destination['name']}", "phase": leg["phase"],
        "contingent_id": contingent["id"], "contingent": contingent["name"], "iso3": contingent["country_iso3"],
        "origin": origin["name"], "destination": destination["name"], "means": leg["means"] or None,
        "start": leg["start"].isoformat(), "end": leg["end"].isoformat(), "note": leg["note"] or None,
        "sources": list(leg["sources"]), "confidence": leg["confidence"],
    }  # fmt: skip
    return Feature(properties, leg["geometry"], leg["geometry_json"])


def _events(record: Record, day: dt.date) -> tuple[Feature, ...]:
    index = record.index
    features = []
    for event in index.events_by_day.get(day, ()):
        place = index.places.get(event["place_id"]) if event["place_id"] else None
        properties: EventProperties = {
            "id": event["id"], "name": event["description"], "kind": event["kind"],
            "time_local": event["time_local"] or None, "place_id": event["place_id"] or None,
            "place": None if place is None else place["name"], "note": event["note"] or None,
            "headline": event["headline"] or None, "milestone": event["milestone"] or None,
            "sources": list(event["sources"]), "confidence": event["confidence"],
        }  # fmt: skip
        geometry = None if place is None else place["geometry"]
        features.append(
            Feature(properties, geometry, "null" if place is None else place["geometry_json"])
        )
    return tuple(features)


# How each measure of figures.csv is named (the story, the CSV and the figure layer).
MEASURE_LABELS = {
    "deaths": "Deaths",
    "security_deaths": "Deaths among security forces",
    "injured": "Injured",
    "detained": "Detained",
}


def _figures(record: Record, day: dt.date) -> tuple[Feature, ...]:
    """The figures the day's story shows: the latest of each measure, and any withdrawn that day.

    They are national totals, so their features have no geometry (RFC 7946 allows ``null``).
    """
    index = record.index
    shown = [*_figures_as_of(index, day).values(), *index.withdrawn_by_day.get(day, ())]
    features = []
    for row in shown:
        value, qualifier = int(row["value"]), row["qualifier"] or None
        figure = " ".join(part for part in (qualifier, f"{value:,}") if part)
        measure = MEASURE_LABELS.get(row["measure"], row["measure"])
        name = f"{measure}: {figure} ({row['attributed_to']})"
        if row["status"] == "withdrawn":
            name += ", withdrawn by its publisher"
        properties: FigureProperties = {
            "id": row["id"], "name": name,
            "measure": row["measure"], "value": value, "qualifier": qualifier,
            "attributed_to": row["attributed_to"], "reported_on": row["date"].isoformat(),
            "status": row["status"], "note": row["note"] or None,
            "sources": list(row["sources"]), "confidence": row["confidence"],
        }  # fmt: skip
        features.append(Feature(properties, None, "null"))
    return tuple(features)


_FIGURE_COLUMNS = [
    "id",
    "date",
    "measure",
    "value",
    "qualifier",
    "attributed_to",
    "status",
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


def milestones(record: Record) -> dict[dt.date, str]:
    """The key days of the record and their labels (events with a ``milestone``), in date order."""
    found: dict[dt.date, str] = {}
    for day, events in sorted(record.index.events_by_day.items()):
        labels = [event["milestone"] for event in events if event["milestone"]]
        if labels:
            found[day] = " · ".join(dict.fromkeys(labels))
    return found


def troop_series(record: Record) -> pd.DataFrame:
    """Troops in the host country per contingent and day over the whole period.

    Columns: ``date``, ``iso3``, ``contingent``, ``troops_in_host``, ``status``, ``troops_estimate``,
    ``troops_low`` and ``troops_high`` (the published range, else the best figure; 0 while away).
    """
    index, rows = record.index, []
    for day in record.meta.days:
        for iso3, contingent in index.contingent_by_iso3.items():
            status, _ = contingent_status(index, contingent["id"], day)
            strength, troops = strength_on(contingent, day), troops_on(contingent, day)
            rows.append({
                "date": day, "iso3": iso3, "contingent": contingent["name"],
                "troops_in_host": troops, "status": status,
                "troops_estimate": strength["troops_estimate"],
                "troops_low": _bound(strength["troops_low"], troops),
                "troops_high": _bound(strength["troops_high"], troops),
            })  # fmt: skip
    return pd.DataFrame(rows, columns=_SERIES_COLUMNS)


def _bound(value: Any, troops: int) -> int:
    """One end of a contingent's range on a day: 0 while it is away, its best figure if none given."""
    return 0 if troops == 0 else troops if value is None or pd.isna(value) else int(value)


_SERIES_COLUMNS = [
    "date",
    "iso3",
    "contingent",
    "troops_in_host",
    "status",
    "troops_estimate",
    "troops_low",
    "troops_high",
]


# The built-in layers, in drawing order (polygons first). Labels are what people read in the layer
# choice; columns are each feature's properties after its id.
for _layer in (
    Layer("country", "Contributing countries", _countries, columns_of(CountryProperties)),
    Layer("base", "Home bases (contingent status)", _bases, columns_of(BaseProperties)),
    Layer("region", "Regions (state of emergency)", _regions, columns_of(RegionProperties)),
    Layer("city", "Cities (unrest)", _cities, columns_of(CityProperties)),
    Layer("site", "Guarded sites", _sites, columns_of(SiteProperties)),
    Layer("route", "Routes of contingents in the country", _routes, columns_of(MovementProperties)),
    Layer("movement", "Deployment and withdrawal legs", _movements, columns_of(MovementProperties)),
    Layer("troops", "Troops on the ground", _troops, columns_of(TroopsProperties)),
    Layer("event", "Events", _events, columns_of(EventProperties)),
    Layer("figure", "Casualty and detention figures", _figures, columns_of(FigureProperties)),
):  # fmt: skip
    register_layer(_layer)
