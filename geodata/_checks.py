"""Checks that span a record's tables: references, intervals, the period and places in the host."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely

from geodata._errors import Problem
from geodata._outlets import credit, rests_only_on_weak_sources
from geodata._schemas import SCHEMAS, columns_where, intervals

if TYPE_CHECKING:
    from collections.abc import Iterable

    from geodata._record import RecordMeta

__all__ = ["check_references"]

# How far (in degrees, about 25 km) a host-country place may lie outside the country's coarse outline.
_HOST_OUTLINE_TOLERANCE = 0.25


def check_references(
    meta: RecordMeta,
    tables: dict[str, pd.DataFrame],
    places: gpd.GeoDataFrame | None,
    countries: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    problems: list[Problem],
) -> None:
    """Checks that span tables: ids that must exist, intervals that must run forwards, dates in the period.

    A table that failed its own checks is missing from ``tables``; checks that need it are skipped.
    """

    def refer(
        table: str,
        column: str,
        known: Iterable[str] | None,
        what: str,
        where: str = "",
        *,
        optional: bool = False,
    ) -> None:
        if table not in tables or known is None:
            return
        known, where = set(known), where or f"{what}s.csv"
        for row in _rows_of(tables, table):
            value = getattr(row, column)
            if (value or not optional) and value not in known:
                problems.append(
                    Problem(
                        f"{table}.csv",
                        row.line,
                        column,
                        f"{value!r} is not a known {what}; add it to {where} or fix the id",
                    )
                )

    place_ids = None if places is None else set(places["id"])
    # What each kind of reference may point at, and how a message names it.
    targets: dict[str, tuple[Iterable[str] | None, str, str]] = {
        "places": (place_ids, "place", "places.csv"),
        "contingents": (
            set(tables["contingents"]["id"]) if "contingents" in tables else None,
            "contingent",
            "contingents.csv",
        ),
        "countries": (
            countries.index if "iso3" in countries else None,
            "country iso3",
            "the countries boundary file",
        ),
        "regions": (
            regions.index if "id" in regions else None,
            "region id",
            "the regions boundary file",
        ),
    }
    for table, schema in SCHEMAS.items():
        for column, target in columns_where(schema, "refers_to").items():
            known, what, where = targets[target]
            optional = bool(schema.columns[column].metadata.get("optional"))
            refer(table, column, known, what, where, optional=optional)
    country_ids = targets["countries"][0]
    if country_ids is not None and meta.host_iso3 not in set(country_ids):
        problems.append(
            Problem(
                "record.toml",
                None,
                "host_iso3",
                f"{meta.host_iso3!r} is not in the countries boundary file",
            )
        )
    for table, schema in SCHEMAS.items():
        for start, end in intervals(schema):
            for row in _rows_of(tables, table):
                first, last = getattr(row, start), getattr(row, end)
                if last is not None and last < first:
                    problems.append(
                        Problem(
                            f"{table}.csv",
                            row.line,
                            end,
                            f"{last} is before {start} {first}; an interval cannot end before it starts",
                        )
                    )
                for column, value in ((start, first), (end, last)):
                    if value is not None and not meta.period_start <= value <= meta.period_end:
                        problems.append(
                            Problem(
                                f"{table}.csv",
                                row.line,
                                column,
                                f"{value} is outside the record's period {meta.period_start} to {meta.period_end} (record.toml)",
                            )
                        )
    for row in _rows_of(tables, "events"):
        if not meta.period_start <= row.date <= meta.period_end:
            problems.append(
                Problem(
                    "events.csv",
                    row.line,
                    "date",
                    f"{row.date} is outside the record's period {meta.period_start} to {meta.period_end} (record.toml)",
                )
            )
    headline_row: dict[object, int] = {}
    for row in _rows_of(tables, "events"):
        if not row.headline:
            continue
        if row.date in headline_row:
            problems.append(
                Problem(
                    "events.csv",
                    row.line,
                    "headline",
                    f"{row.date} already has a headline on row {headline_row[row.date]}; "
                    "a day has one: clear one of the two",
                )
            )
        headline_row.setdefault(row.date, row.line)
    for row in _rows_of(tables, "figures"):
        if row.date < meta.period_start:
            problems.append(
                Problem(
                    "figures.csv",
                    row.line,
                    "date",
                    f"{row.date} is before the record's period starts",
                )
            )
    for row in _rows_of(tables, "contingents"):
        low, high = row.troops_low, row.troops_high
        if (low is not None and low > row.troops_best) or (
            high is not None and high < row.troops_best
        ):
            problems.append(
                Problem(
                    "contingents.csv",
                    row.line,
                    "troops_best",
                    "must lie between troops_low and troops_high",
                )
            )
    located = set() if places is None else set(places.loc[places.geometry.notna(), "id"])
    for row in _rows_of(tables, "movements"):
        for column in ("origin_place_id", "destination_place_id"):
            place = getattr(row, column)
            if place_ids is not None and place in place_ids and place not in located:
                problems.append(
                    Problem(
                        "movements.csv",
                        row.line,
                        column,
                        f"place {place!r} has no coordinates; a movement needs both ends located",
                    )
                )
    if "phases" in tables:
        _check_phase_overlaps(tables["phases"], problems)
    first_row: dict[str, int] = {}
    for row in _rows_of(tables, "emergencies"):
        if row.region_id in first_row:
            problems.append(
                Problem(
                    "emergencies.csv",
                    row.line,
                    "region_id",
                    f"{row.region_id!r} already has a state of emergency on row {first_row[row.region_id]}; "
                    "a region may have one: merge the two rows",
                )
            )
        first_row.setdefault(row.region_id, row.line)
    if places is not None:
        _check_host_places(meta.host_iso3, tables["places"], places, countries, problems)
    for name in tables:
        for row in _rows_of(tables, name):
            if row.confidence == "high" and rests_only_on_weak_sources(row.sources):
                weak = ", ".join(sorted({credit(url) for url in row.sources}))
                problems.append(
                    Problem(
                        f"{name}.csv",
                        row.line,
                        "confidence",
                        f"is high, but every source is a mirror or an aggregator ({weak}); cite "
                        "the original outlet or set confidence to medium",
                    )
                )


def _check_host_places(
    host: str,
    table: pd.DataFrame,
    places: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    problems: list[Problem],
) -> None:
    """A place of the host country must lie in (or just beside) its outline; if not, lat/lon are swapped or wrong."""
    if "iso3" not in countries or host not in countries.index:
        return
    shapes = [geom for geom in countries.geometry[countries.index == host] if geom is not None]
    if not shapes or not all(
        geom.geom_type in ("Polygon", "MultiPolygon") and geom.is_valid and not geom.is_empty
        for geom in shapes
    ):
        return  # the boundary file's own problems are reported elsewhere
    outline = shapely.union_all(shapes)
    name = (
        str(countries.loc[countries.index == host, "name"].iloc[0]) if "name" in countries else host
    )
    for row in places.itertuples(index=False):
        if row.country_iso3 != host or row.geometry is None:
            continue
        if shapely.dwithin(outline, row.geometry, _HOST_OUTLINE_TOLERANCE):
            continue
        if table.at[row.id, "lat"]:
            problems.append(
                Problem(
                    "places.csv",
                    row.line,
                    "lat",
                    f"{row.lat}, {row.lon} lies outside {name}; are lat and lon swapped?",
                )
            )
        else:
            problems.append(
                Problem(
                    "places.csv",
                    row.line,
                    "geonames_id",
                    f"GeoNames {row.geonames_id} lies outside {name}; check the id or give lat and lon",
                )
            )


def _rows_of(tables: dict[str, pd.DataFrame], name: str) -> Iterable[Any]:
    """The rows of a table that passed its own checks (none when it failed)."""
    return tables[name].itertuples(index=False) if name in tables else ()


def _check_phase_overlaps(phases: pd.DataFrame, problems: list[Problem]) -> None:
    for _, group in phases.sort_values(["contingent_id", "start"]).groupby("contingent_id"):
        previous = None
        for row in group.itertuples(index=False):
            if previous is not None and row.start <= previous.end:
                problems.append(
                    Problem(
                        "phases.csv",
                        row.line,
                        "start",
                        f"overlaps phase {previous.id!r}; a contingent has one status a day",
                    )
                )
            previous = row
