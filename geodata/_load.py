"""Load a record folder into validated tables and GeoDataFrames, or fail with every problem listed."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import importlib.resources
import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pandera.errors
import shapely

from geodata._errors import Problem, RecordError
from geodata._index import TimelineIndex, build_index
from geodata._schemas import SCHEMAS

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["WGS84", "Record", "RecordMeta", "bundled_record_path", "load_record"]

WGS84 = "EPSG:4326"
TABLES = tuple(SCHEMAS)
# A hand-made table of one event per row stays far below this; anything larger is a mistake.
MAX_TABLE_BYTES = 20 * 1024 * 1024
# How far (in degrees, about 25 km) a host-country place may lie outside the country's coarse outline.
_HOST_OUTLINE_TOLERANCE = 0.25
_REQUIRED_META = (
    "title",
    "version",
    "host_iso3",
    "period_start",
    "period_end",
    "licence",
    "attribution",
)


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
    boundary_files: dict[str, Path]
    # Serialised once here so that every export reuses the same bytes for the heavy polygons.
    geometry_json: dict[tuple[str, str], str] = field(repr=False)
    index: TimelineIndex = field(repr=False)

    @property
    def host_name(self) -> str:
        """The host country's name, from the countries boundary file."""
        return str(self.countries.loc[self.meta.host_iso3, "name"])

    def table(self, name: str) -> pd.DataFrame:
        """One of the record's tables by name (``events``, ``movements`` …)."""
        return self.tables[name]


def bundled_record_path() -> Path:
    """The folder of the record that ships with the package (January 2022)."""
    return Path(str(importlib.resources.files("geodata") / "data" / "record"))


def load_record(path: str | Path | None = None, *, confined_to: str | Path | None = None) -> Record:
    """Load and validate a record folder.

    Parameters
    ----------
    path : str or Path, optional
        A folder holding ``record.toml`` and the CSV tables. Defaults to the bundled record.
    confined_to : str or Path, optional
        Refuse boundary files outside this folder, other than the bundled ones (for records from
        strangers, such as uploads: their ``record.toml`` must not point at other files on the server).

    Returns
    -------
    Record

    Raises
    ------
    RecordError
        Listing every problem found, each with its file, row and column.
    """
    folder = Path(path) if path is not None else bundled_record_path()
    problems: list[Problem] = []
    confinement = None if confined_to is None else Path(confined_to).resolve()
    meta, boundary_paths = _read_meta(folder, problems, confined_to=confinement)
    tables = {name: _read_table(folder / f"{name}.csv", name, problems) for name in TABLES}
    countries = _read_boundaries(boundary_paths.get("countries"), ("iso3", "name"), problems)
    regions = _read_boundaries(boundary_paths.get("regions"), ("id", "name"), problems)
    gazetteer = _read_gazetteer(boundary_paths.get("places_gazetteer"), problems)
    if meta is None:  # without the period and host nothing else can be checked
        raise RecordError(problems)
    # Cross-table checks still run on every table that passed, so all problems are reported at once.
    typed = {name: _typed(frame) for name, frame in tables.items() if frame is not None}
    places = _places_frame(typed["places"], gazetteer, problems) if "places" in typed else None
    _check_references(meta, typed, places, countries, regions, problems)
    if problems:
        raise RecordError(problems)
    return Record(
        meta=meta,
        tables=typed,
        places=places,
        countries=countries,
        regions=regions,
        source_path=folder,
        boundary_files={key: boundary_paths[key] for key in ("countries", "regions")},
        geometry_json=_serialise_polygons(countries, regions),
        index=build_index(meta.host_iso3, typed, places),
    )


def _read_meta(
    folder: Path, problems: list[Problem], *, confined_to: Path | None
) -> tuple[RecordMeta | None, dict[str, Path]]:
    file = folder / "record.toml"
    name = "record.toml"
    if not folder.is_dir():
        problems.append(
            Problem(
                str(folder), None, None, "is not a folder; give the folder that holds record.toml"
            )
        )
        return None, {}
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(
            Problem(name, None, None, "is missing; copy record-template/record.toml and fill it in")
        )
        return None, {}
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        problems.append(Problem(name, None, None, f"is not valid UTF-8 TOML ({error})"))
        return None, {}
    missing = [key for key in _REQUIRED_META if key not in raw]
    for key in missing:
        problems.append(Problem(name, None, key, "is missing; add it (see docs/record-schema.md)"))
    for key in ("period_start", "period_end"):
        if key in raw and not isinstance(raw[key], dt.date):
            problems.append(
                Problem(name, None, key, "must be a bare TOML date such as 2022-01-01 (no quotes)")
            )
    if missing or problems:
        return None, {}
    if raw["period_end"] < raw["period_start"]:
        problems.append(Problem(name, None, "period_end", "is before period_start; swap them"))
        return None, {}
    meta = RecordMeta(
        title=str(raw["title"]),
        version=str(raw["version"]),
        host_iso3=str(raw["host_iso3"]),
        period_start=raw["period_start"],
        period_end=raw["period_end"],
        licence=str(raw["licence"]),
        attribution=str(raw["attribution"]),
        timezone=str(raw.get("timezone", "")),
        force=str(raw.get("force", "Foreign")),
        troops_note=str(raw.get("troops_note", "")),
        slug=_file_slug(str(raw.get("slug", "record"))),
    )
    defaults = {
        "countries": "../boundaries/countries.geojson",
        "regions": "../boundaries/kz_regions_2022-01.geojson",
        "places_gazetteer": "../geonames_places.csv",
    }
    given = raw.get("boundaries", {})
    paths = {}
    for key, default in defaults.items():
        # A record outside the package falls back to the bundled boundary files.
        relative = str(given.get(key, default))
        candidate = (folder / relative).resolve()
        inside = confined_to is None or candidate.is_relative_to(confined_to)
        if key not in given and not (inside and candidate.exists()):
            candidate = (bundled_record_path() / default).resolve()
        elif not inside:
            problems.append(
                Problem(
                    name,
                    None,
                    f"boundaries.{key}",
                    "must name a file inside the uploaded record; leave it out to use the bundled file",
                )
            )
        paths[key] = candidate
    return meta, paths


def _file_slug(text: str) -> str:
    """A safe file-name prefix: letters, digits, hyphens and underscores only.

    Examples
    --------
    >>> _file_slug("kz-jan2022")
    'kz-jan2022'
    >>> _file_slug("../../etc/passwd <x>")
    'etc-passwd-x'
    """
    return re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-")[:40] or "record"


def _read_table(file: Path, name: str, problems: list[Problem]) -> pd.DataFrame | None:
    label = file.name
    if not file.exists():
        problems.append(
            Problem(
                label,
                None,
                None,
                "is missing; every record needs this table (it may have only a header row)",
            )
        )
        return None
    size = file.stat().st_size
    if size > MAX_TABLE_BYTES:
        problems.append(
            Problem(
                label,
                None,
                None,
                f"is {size / 2**20:.1f} MB; a table may be at most {MAX_TABLE_BYTES / 2**20:.0f} MB",
            )
        )
        return None
    raw = file.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        problems.append(
            Problem(
                label,
                None,
                None,
                "is UTF-16 text (Excel's 'Unicode Text'); save the file as UTF-8 (CSV UTF-8 in Excel)",
            )
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(
            Problem(
                label, line, None, "is not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in Excel)"
            )
        )
        return None
    if not text.strip():
        problems.append(Problem(label, None, None, "is empty; it needs at least the header row"))
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(label, line, None, "contains NUL bytes; it is not a text CSV file"))
        return None
    shape = _shape_problem(text, label)
    if shape is not None:
        problems.append(shape)
        return None
    try:
        frame = pd.read_csv(
            file,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            skipinitialspace=False,
            skip_blank_lines=False,
            index_col=False,
        )
    except (pd.errors.ParserError, ValueError) as error:
        problems.append(Problem(label, None, None, f"is not a well-formed CSV file ({error})"))
        return None
    frame.columns = [str(column).strip() for column in frame.columns]
    frame = frame.apply(lambda column: column.str.strip())
    # Blank lines were kept above so that the index still counts lines; drop them only now.
    frame = frame[frame.ne("").any(axis=1)]
    try:
        return SCHEMAS[name].validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        problems.extend(_problems_from(errors.failure_cases, label))
        return None


def _shape_problem(text: str, label: str) -> Problem | None:
    """A row with more cells than the header, or a quote never closed, at its row.

    pandas would otherwise report these without a row, or read a longer first row as an index and
    shift every cell one column to the right.
    """
    # First as leniently as pandas reads; then strictly, only to find a quote left open at the end.
    for strict in (False, True):
        reader = csv.reader(io.StringIO(text, newline=""), strict=strict)
        rows_read, width = 0, 0
        try:
            for cells in reader:
                rows_read += 1
                width = width or len(cells)
                if len(cells) > width:
                    return Problem(
                        label,
                        rows_read,
                        None,
                        f"has {len(cells)} cells but the header row has {width}; a cell that "
                        'contains a comma needs quotes around it (or a quote (") is left open)',
                    )
        except csv.Error as error:
            if strict and "unexpected end of data" in str(error):
                return Problem(
                    label,
                    rows_read + 1,
                    None,
                    'opens a quote (") that is never closed; close it, and write a quote inside '
                    'a cell as ""',
                )
            return None  # other irregularities are left to pandas
    return None


def _problems_from(failures: pd.DataFrame, label: str) -> Iterable[Problem]:
    for case in failures.itertuples(index=False):
        check = str(case.check)
        column = None if pd.isna(case.column) else str(case.column)
        if check == "column_in_dataframe":
            yield Problem(
                label,
                1,
                str(case.failure_case),
                "required column is missing from the header row; add it",
            )
        elif check.startswith("field_uniqueness") or check == "multiple_fields_uniqueness":
            yield Problem(
                label,
                _line(case.index),
                "id",
                f"duplicate id {case.failure_case!r}; every id must be unique",
            )
        elif check.startswith("dtype") or check == "column_in_schema":
            yield Problem(label, None, column, f"has an unexpected type ({case.failure_case})")
        else:
            shown = str(case.failure_case)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            yield Problem(label, _line(case.index), column, f"{check} (found {shown!r})")


def _line(index: Any) -> int | None:
    """A frame index (0-based, header excluded) as the line a spreadsheet shows."""
    return None if index is None or pd.isna(index) else int(index) + 2


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn validated text columns into dates, numbers and lists."""
    frame = frame.copy()
    frame["line"] = frame.index + 2
    frame["sources"] = frame["sources"].str.split()
    for column in (
        "start",
        "end",
        "date",
        "imposed_date",
        "lifted_date",
        "in_kazakhstan_from",
        "in_kazakhstan_to",
    ):
        if column in frame:
            frame[column] = frame[column].map(
                lambda text: dt.date.fromisoformat(text) if text else None
            )
    for column in ("troops_best", "troops_low", "troops_high", "value", "level"):
        if column in frame:
            frame[column] = frame[column].map(
                lambda text: int(text.replace(",", "")) if text else None
            )
    if "troops_estimate" in frame:
        frame["troops_estimate"] = frame["troops_estimate"] == "true"
    return frame.set_index("id", drop=False)


def _read_boundaries(
    path: Path | None, required: tuple[str, ...], problems: list[Problem]
) -> gpd.GeoDataFrame:
    if path is None:
        return gpd.GeoDataFrame(columns=[*required, "geometry"], geometry="geometry", crs=WGS84)
    label = path.name
    try:
        frame = gpd.read_file(path)
    except Exception as error:  # pyogrio raises several types for unreadable files
        problems.append(Problem(label, None, None, f"could not be read as GeoJSON ({error})"))
        return gpd.GeoDataFrame(columns=[*required, "geometry"], geometry="geometry", crs=WGS84)
    for column in required:
        if column not in frame:
            problems.append(
                Problem(label, None, column, "property is missing from the features; add it")
            )
    if frame.crs is None:
        problems.append(
            Problem(
                label, None, None, "has no CRS. Please set a CRS (WGS84 lon/lat) on the file first."
            )
        )
        return frame
    frame = frame.to_crs(WGS84)
    geometry = frame.geometry.values
    key = required[0]
    for index in range(len(frame)):
        geom = geometry[index]
        # A GeoJSON file has no header row: its "row" is the feature's number, counted from 1.
        where = index + 1
        feature = f"feature {frame[key].iloc[index]!r}" if key in frame else "the feature"
        if geom is None or shapely.is_empty(geom):
            problems.append(
                Problem(label, where, "geometry", f"{feature} is empty; give it a polygon")
            )
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(
                Problem(
                    label,
                    where,
                    "geometry",
                    f"{feature} is a {geom.geom_type}; boundaries must be polygons",
                )
            )
        elif not shapely.is_valid(geom):
            reason = shapely.is_valid_reason(geom)
            problems.append(
                Problem(
                    label,
                    where,
                    "geometry",
                    f"{feature} is invalid ({reason}); repair it, e.g. with shapely.make_valid",
                )
            )
    if key in frame and frame[key].duplicated().any():
        for index in frame.index[frame[key].duplicated()]:
            problems.append(
                Problem(label, int(index) + 1, key, f"duplicate {key} {frame.at[index, key]!r}")
            )
    return frame.set_index(key, drop=False) if key in frame else frame


def _read_gazetteer(path: Path | None, problems: list[Problem]) -> pd.DataFrame:
    if path is None or not path.exists():
        return pd.DataFrame(columns=["lat", "lon"])
    try:
        frame = pd.read_csv(path, dtype={"geonames_id": str})
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as error:
        problems.append(
            Problem(path.name, None, None, f"is not a readable CSV gazetteer ({error})")
        )
        return pd.DataFrame(columns=["lat", "lon"])
    return frame.set_index("geonames_id")


def _places_frame(
    places: pd.DataFrame, gazetteer: pd.DataFrame, problems: list[Problem]
) -> gpd.GeoDataFrame:
    """Points for every located place: its own lat/lon, or the GeoNames extract's for its id."""
    lats, lons = [], []
    for row in places.itertuples(index=False):
        lat, lon = row.lat, row.lon
        if bool(lat) != bool(lon):
            problems.append(
                Problem(
                    "places.csv",
                    row.line,
                    "lon" if lat else "lat",
                    "give both lat and lon, or neither",
                )
            )
            lat = lon = ""  # reported; no point can be made from one coordinate
        elif not lat and row.location_precision != "unlocated":
            if row.geonames_id and row.geonames_id in gazetteer.index:
                lat, lon = (
                    gazetteer.at[row.geonames_id, "lat"],
                    gazetteer.at[row.geonames_id, "lon"],
                )
            elif row.geonames_id:
                problems.append(
                    Problem(
                        "places.csv",
                        row.line,
                        "geonames_id",
                        f"{row.geonames_id} is not in the GeoNames extract; give lat and lon instead",
                    )
                )
            else:
                problems.append(
                    Problem(
                        "places.csv",
                        row.line,
                        "lat",
                        "is empty; give lat/lon, a geonames_id, or set location_precision to 'unlocated'",
                    )
                )
        elif lat and row.location_precision == "unlocated":
            problems.append(
                Problem(
                    "places.csv",
                    row.line,
                    "location_precision",
                    "is 'unlocated' but lat/lon are given; use 'located' or 'approximate'",
                )
            )
        lats.append(float(lat) if lat else None)
        lons.append(float(lon) if lon else None)
    frame = places.drop(columns=["lat", "lon"]).assign(lat=lats, lon=lons)
    points = [
        shapely.Point(lon, lat) if lat is not None else None
        for lat, lon in zip(lats, lons, strict=True)
    ]
    return gpd.GeoDataFrame(frame, geometry=points, crs=WGS84)


def _check_references(
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
    contingent_ids = set(tables["contingents"]["id"]) if "contingents" in tables else None
    country_ids = countries.index if "iso3" in countries else None
    region_ids = regions.index if "id" in regions else None
    refer(
        "places",
        "region_id",
        region_ids,
        "region id",
        "the regions boundary file",
        optional=True,
    )
    refer("contingents", "home_place_id", place_ids, "place")
    refer(
        "contingents",
        "country_iso3",
        country_ids,
        "country iso3",
        "the countries boundary file",
    )
    for table in ("phases", "presence", "movements"):
        refer(table, "contingent_id", contingent_ids, "contingent")
    refer("presence", "place_id", place_ids, "place")
    refer("movements", "origin_place_id", place_ids, "place")
    refer("movements", "destination_place_id", place_ids, "place")
    refer("emergencies", "region_id", region_ids, "region id", "the regions boundary file")
    refer("unrest", "place_id", place_ids, "place")
    refer("events", "place_id", place_ids, "place", optional=True)
    if country_ids is not None and meta.host_iso3 not in set(country_ids):
        problems.append(
            Problem(
                "record.toml",
                None,
                "host_iso3",
                f"{meta.host_iso3!r} is not in the countries boundary file",
            )
        )

    intervals = {
        "contingents": ("in_kazakhstan_from", "in_kazakhstan_to"),
        "phases": ("start", "end"),
        "presence": ("start", "end"),
        "movements": ("start", "end"),
        "unrest": ("start", "end"),
        "emergencies": ("imposed_date", "lifted_date"),
    }
    for table, (start, end) in intervals.items():
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


def _serialise_polygons(
    countries: gpd.GeoDataFrame, regions: gpd.GeoDataFrame
) -> dict[tuple[str, str], str]:
    serialised = {}
    for layer, frame in (("country", countries), ("region", regions)):
        for key, geom in zip(frame.index, frame.geometry.values, strict=True):
            serialised[(layer, str(key))] = json.dumps(
                shapely.geometry.mapping(geom), separators=(",", ":")
            )
    return serialised
