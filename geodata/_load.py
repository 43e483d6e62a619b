"""Load a record folder into validated tables and GeoDataFrames, or fail with every problem listed."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import re
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geodata._boundaries import (
    VertexBudget,
    read_boundaries,
    read_gazetteer,
    serialise_polygons,
)
from geodata._checks import check_references
from geodata._errors import Problem, ProblemLog, RecordError
from geodata._index import build_index
from geodata._limits import MAX_PERIOD_DAYS, MAX_TOML_BYTES, MAX_TOTAL_ROWS, read_at_most
from geodata._record import WGS84, Provenance, Record, RecordMeta
from geodata._schemas import CONFIDENCE_LEVELS, SCHEMAS, is_source_url
from geodata._tables import read_table, typed_table

__all__ = ["bundled_boundary_files", "bundled_record_path", "load_record"]

_REQUIRED_META = (
    "title",
    "version",
    "host_iso3",
    "period_start",
    "period_end",
    "licence",
    "attribution",
)


def bundled_record_path() -> Path:
    """The folder of the record that ships with the package (January 2022)."""
    return Path(str(importlib.resources.files("geodata") / "data" / "record"))


_BUNDLED_FILES = {
    "countries": "../boundaries/countries.geojson",
    "regions": "../boundaries/kz_regions_2022-01.geojson",
    "places_gazetteer": "../geonames_places.csv",
}


def bundled_boundary_files() -> dict[str, Path]:
    """The files that ship with the package: countries, regions, places and the map's water."""
    record = bundled_record_path()
    files = {key: (record / path).resolve() for key, path in _BUNDLED_FILES.items()}
    files["water"] = (record / "../boundaries/water.geojson").resolve()
    return files


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
    problems = ProblemLog()
    confinement = None if confined_to is None else Path(confined_to).resolve()
    raw = _read_toml(folder, problems)
    if raw is None:
        raise RecordError(problems)
    meta, boundary_paths = _read_meta(raw, folder, problems, confined_to=confinement)
    if meta is None:  # without the period, host and boundary files nothing else can be checked
        raise RecordError(problems)
    notices: list[str] = []
    provenance = _provenance(raw.get("provenance", {}), boundary_paths, problems, notices)
    tables = {
        name: read_table(folder / f"{name}.csv", name, problems, notices) for name in tuple(SCHEMAS)
    }
    rows = sum(len(frame) for frame in tables.values() if frame is not None)
    if rows > MAX_TOTAL_ROWS:
        problems.append(
            Problem(
                "record",
                None,
                None,
                f"has {rows:,} rows in all; a record may have at most {MAX_TOTAL_ROWS:,}",
            )
        )
        raise RecordError(problems)
    vertices = VertexBudget()
    countries = read_boundaries(
        boundary_paths["countries"], ("iso3", "name"), problems, budget=vertices
    )
    regions = read_boundaries(boundary_paths["regions"], ("id", "name"), problems, budget=vertices)
    gazetteer = read_gazetteer(boundary_paths["places_gazetteer"], problems)
    if countries is None or regions is None:
        # Every place, contingent and region would be "unknown": report the cause, not its echoes.
        raise RecordError(problems)
    # Cross-table checks still run on every table that passed, so all problems are reported at once.
    typed = {name: typed_table(frame, name) for name, frame in tables.items() if frame is not None}
    places = _places_frame(typed["places"], gazetteer, problems) if "places" in typed else None
    check_references(meta, typed, places, countries, regions, problems)
    if problems:
        raise RecordError(problems)
    return Record(
        meta=meta,
        tables=typed,
        places=places,
        countries=countries,
        regions=regions,
        source_path=folder,
        boundary_files=dict(boundary_paths),
        geometry_json=serialise_polygons(countries, regions),
        index=build_index(meta.host_iso3, typed, places),
        provenance=provenance,
        notices=tuple(notices),
    )


def _read_toml(folder: Path, problems: list[Problem]) -> dict[str, Any] | None:
    """``record.toml`` parsed, or ``None`` (with the reason in ``problems``)."""
    file = folder / "record.toml"
    name = "record.toml"
    if not folder.is_dir():
        problems.append(
            Problem(
                str(folder), None, None, "is not a folder; give the folder that holds record.toml"
            )
        )
        return None
    if not file.is_file():
        problems.append(
            Problem(name, None, None, "is missing; copy record-template/record.toml and fill it in")
        )
        return None
    text = read_at_most(file, MAX_TOML_BYTES)
    if text is None:
        problems.append(Problem(name, None, None, f"is larger than {MAX_TOML_BYTES // 1024} KB"))
        return None
    try:
        raw = tomllib.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        problems.append(Problem(name, None, None, f"is not valid UTF-8 TOML ({error})"))
        return None
    except RecursionError:
        problems.append(Problem(name, None, None, "is not valid TOML: it nests too deeply"))
        return None
    return raw


def _read_meta(
    raw: dict[str, Any], folder: Path, problems: list[Problem], *, confined_to: Path | None
) -> tuple[RecordMeta | None, dict[str, Path]]:
    name = "record.toml"
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
    days = (raw["period_end"] - raw["period_start"]).days + 1
    if days > MAX_PERIOD_DAYS:
        problems.append(
            Problem(
                name,
                None,
                "period_end",
                f"makes a period of {days:,} days; a record may cover at most {MAX_PERIOD_DAYS:,}",
            )
        )
        return None, {}
    default_date = raw.get("default_date")
    if default_date is not None and not (
        isinstance(default_date, dt.date)
        and not isinstance(default_date, dt.datetime)
        and raw["period_start"] <= default_date <= raw["period_end"]
    ):
        problems.append(
            Problem(
                name,
                None,
                "default_date",
                "must be a bare TOML date within period_start and period_end, e.g. 2022-01-07",
            )
        )
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
        property_aliases=_aliases(raw.get("export", {}), problems),
        default_date=default_date,
    )
    defaults = _BUNDLED_FILES
    given = raw.get("boundaries", {})
    if not isinstance(given, dict):
        problems.append(Problem(name, None, "boundaries", "must be a table: [boundaries]"))
        return None, {}
    paths: dict[str, Path] = {}
    for key, default in defaults.items():
        bundled = (bundled_record_path() / default).resolve()
        if key not in given:
            # A record outside the package (or a copy of the bundled one) uses the bundled files.
            candidate = (folder / default).resolve()
            inside = confined_to is None or candidate.is_relative_to(confined_to)
            paths[key] = candidate if inside and candidate.is_file() else bundled
            continue
        candidate = (folder / str(given[key])).resolve()
        if confined_to is not None and not candidate.is_relative_to(confined_to):
            # Refused before anything is opened, with the same words whether the file exists or not.
            problems.append(
                Problem(
                    name,
                    None,
                    f"boundaries.{key}",
                    "must name a file inside the uploaded record; leave it out to use the bundled file",
                )
            )
            return None, {}
        if not candidate.is_file():
            problems.append(
                Problem(
                    name,
                    None,
                    f"boundaries.{key}",
                    f"{given[key]!r} is missing or not a regular file; name a GeoJSON file in the "
                    "record's folder, or leave it out to use the bundled file",
                )
            )
            return None, {}
        paths[key] = candidate
    return meta, paths


def _aliases(export: Any, problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    """``[export] property_aliases``: former property names kept in exports, each naming its property."""
    given = export.get("property_aliases", {}) if isinstance(export, dict) else None
    if not isinstance(given, dict) or not all(
        isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]{0,40}", key + value)
        for key, value in given.items()
    ):
        problems.append(
            Problem(
                "record.toml",
                None,
                "export.property_aliases",
                'must map former names to property names, e.g. troops_in_kazakhstan = "troops_in_host"',
            )
        )
        return ()
    return tuple(sorted(given.items()))


def _provenance(
    declared: Any, paths: dict[str, Path], problems: list[Problem], notices: list[str]
) -> dict[str, Provenance]:
    """Each boundary file's provenance, from record.toml or the ``provenance.toml`` beside the file.

    ``[provenance.KEY]`` in record.toml wins; the bundled files declare theirs beside them. A file
    with neither is cited as "not stated", with low confidence, and a notice says so.
    """
    found = {}
    for key, path in paths.items():
        entry = declared.get(key) if isinstance(declared, dict) else None
        where = f"provenance.{key}"
        if entry is None:
            entry = _toml_table(path.parent / "provenance.toml").get(path.name)
            where = f"{path.parent.name}/provenance.toml"
        if entry is None:
            notices.append(
                f"record.toml: no provenance for {path.name}; say where it comes from in "
                f"[provenance.{key}] (name, source, licence, confidence)"
            )
            found[key] = Provenance(path.name, None, "not stated", "low")
            continue
        provenance = _checked_provenance(entry, where, problems)
        if provenance is not None:
            found[key] = provenance
    return found


def _checked_provenance(entry: Any, where: str, problems: list[Problem]) -> Provenance | None:
    source = entry.get("source") if isinstance(entry, dict) else None
    confidence = entry.get("confidence") if isinstance(entry, dict) else None
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("name"), str)
        or (source is not None and not (isinstance(source, str) and is_source_url(source)))
        or confidence not in CONFIDENCE_LEVELS
    ):
        problems.append(
            Problem(
                "record.toml" if where.startswith("provenance.") else where,
                None,
                where if where.startswith("provenance.") else None,
                "needs name, an http(s) source, licence and confidence (high, medium or low)",
            )
        )
        return None
    return Provenance(
        name=entry["name"],
        source=source,
        licence=str(entry.get("licence", "")),
        confidence=confidence,
    )


def _toml_table(path: Path) -> dict[str, Any]:
    """A small TOML file's content; nothing when it is missing, too big or not TOML."""
    if not path.is_file():
        return {}
    text = read_at_most(path, MAX_TOML_BYTES)
    try:
        return tomllib.loads(text.decode("utf-8")) if text is not None else {}
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return {}


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
