"""The record's types: what a loaded record holds, with no I/O (``_load`` reads files into them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import shapely

if TYPE_CHECKING:
    from pathlib import Path

    import geopandas as gpd
    import pandas as pd

    from geodata._index import TimelineIndex

__all__ = ["WGS84", "Provenance", "Record", "RecordMeta"]

WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class Provenance:
    """Where a boundary file (or the gazetteer) comes from: cited by every feature drawn from it."""

    name: str
    source: str | None
    licence: str
    confidence: str

    @property
    def sources(self) -> list[str]:
        """The source as a feature's ``sources`` list (empty when none was declared)."""
        return [self.source] if self.source else []


@dataclass(frozen=True)
class RecordMeta:
    """What a record covers and how it may be reused (from ``record.toml``)."""

    title: str
    version: str
    host_iso3: str
    period_start: dt.date
    period_end: dt.date
    licence: str
    attribution: str
    timezone: str = ""
    force: str = "Foreign"
    troops_note: str = ""
    slug: str = "record"
    # Export properties also written under a former name, e.g. troops_in_kazakhstan = troops_in_host.
    property_aliases: tuple[tuple[str, str], ...] = ()
    # The day a link without a date opens on (``None``: the first day).
    default_date: dt.date | None = None

    @property
    def opening_day(self) -> dt.date:
        """The day shown when a link names none: ``default_date``, else the period's first day."""
        return self.default_date or self.period_start

    @property
    def days(self) -> list[dt.date]:
        """Every day of the record's period, first to last."""
        count = (self.period_end - self.period_start).days + 1
        return [self.period_start + dt.timedelta(days=i) for i in range(count)]


@dataclass(frozen=True, eq=False)
class Record:
    """A validated record: plain tables, GeoDataFrames of places and boundaries, and their metadata."""

    meta: RecordMeta
    tables: dict[str, pd.DataFrame]
    places: gpd.GeoDataFrame
    countries: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    source_path: Path
    # The files behind ``countries``, ``regions`` and ``places_gazetteer`` (by [boundaries] key).
    boundary_files: dict[str, Path]
    # Serialised once here so that every export reuses the same bytes for the heavy polygons.
    geometry_json: dict[tuple[str, str], str] = field(repr=False)
    index: TimelineIndex = field(repr=False)
    # Where each boundary file and the gazetteer come from, by [boundaries] key.
    provenance: dict[str, Provenance] = field(default_factory=dict)
    # Things to fix that do not stop the record loading, such as deprecated column names.
    notices: tuple[str, ...] = ()

    @cached_property
    def host_name(self) -> str:
        """The host country's name, from the countries boundary file (looked up once)."""
        return str(self.countries.loc[self.meta.host_iso3, "name"])

    def table(self, name: str) -> pd.DataFrame:
        """One of the record's tables by name (``events``, ``movements`` …)."""
        return self.tables[name]

    @cached_property
    def host_bounds(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` of the host country."""
        shapes = self.countries.geometry[self.countries.index == self.meta.host_iso3]
        west, south, east, north = shapely.GeometryCollection(list(shapes)).bounds
        return float(west), float(south), float(east), float(north)

    @cached_property
    def story_bounds(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` of the host, every home base and every deployment's start.

        The first view of a map of this record: where it happened and where the troops came from
        (home bases, and the airfields they flew from).
        """
        shapes = list(self.countries.geometry[self.countries.index == self.meta.host_iso3])
        legs = self.tables["movements"]
        origins = set(legs.loc[legs["phase"] == "deployment", "origin_place_id"])
        homes = set(self.tables["contingents"]["home_place_id"]) | origins
        shapes += [g for g in self.places.geometry[self.places["id"].isin(homes)] if g is not None]
        west, south, east, north = shapely.GeometryCollection(shapes).bounds
        return float(west), float(south), float(east), float(north)

    def estimated_bytes(self) -> int:
        """About how much memory the record holds, for caches that keep records within a budget.

        Table rows are counted three times (the frames, the index's row dicts and prebuilt features),
        each vertex as its coordinates in shapely plus their serialised text.
        """
        tables = sum(int(frame.memory_usage(deep=True).sum()) for frame in self.tables.values())
        vertices = sum(
            int(shapely.get_num_coordinates(frame.geometry.values).sum())
            for frame in (self.countries, self.regions, self.places)
        )
        text = sum(len(serialised) for serialised in self.geometry_json.values())
        return 3 * tables + 32 * vertices + text
