"""Read a record's boundary files and GeoNames extract, strictly, and serialise the polygons once.

A boundary file is parsed as RFC 7946 GeoJSON and nothing else: by ``json`` and shapely, never
through GDAL, whose driver guessing would open a VRT, a CSV or a ``/vsicurl/`` URL named inside an
uploaded file. Every read is bounded in bytes, and the polygons in vertices.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry

from geodata._errors import Problem
from geodata._limits import (
    MAX_BOUNDARY_BYTES,
    MAX_BOUNDARY_FEATURES,
    MAX_BOUNDARY_VERTICES,
    MAX_GAZETTEER_BYTES,
    read_at_most,
)
from geodata._record import WGS84

__all__ = ["VertexBudget", "read_boundaries", "read_gazetteer", "serialise_polygons"]
# Names of WGS84 lon/lat in the old GeoJSON "crs" member; any other CRS means projected coordinates.
_LON_LAT_CRS = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326")


class VertexBudget:
    """The vertices all of a record's boundary files may still use."""

    def __init__(self, limit: int = MAX_BOUNDARY_VERTICES) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, count: int) -> bool:
        """Count ``count`` more vertices; ``False`` once the budget is exceeded."""
        self.used += count
        return self.used <= self.limit


def read_boundaries(
    path: Path | None,
    required: tuple[str, ...],
    problems: list[Problem],
    *,
    budget: VertexBudget | None = None,
) -> gpd.GeoDataFrame | None:
    """The polygons of one boundary file, indexed by ``required[0]``; ``None`` if it cannot be used.

    ``None`` is returned only after adding the file's problem to ``problems``.
    """
    empty = gpd.GeoDataFrame(columns=[*required, "geometry"], geometry="geometry", crs=WGS84)
    if path is None:
        return empty
    label = path.name
    document = _read_json(path, label, problems)
    if document is None:
        return None
    features = _features_of(document, label, problems)
    if features is None:
        return None
    if len(features) > MAX_BOUNDARY_FEATURES:
        problems.append(
            Problem(
                label,
                None,
                None,
                f"has {len(features):,} features; a boundary file may have at most "
                f"{MAX_BOUNDARY_FEATURES:,} (one per country or region)",
            )
        )
        return None
    budget = budget or VertexBudget()
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []  # each kept feature's number in the file, for problems
    geometries: list[Any] = []
    for number, feature in enumerate(features, start=1):
        geometry = _geometry_of(feature, number, required[0], label, problems)
        if geometry is not None and not budget.spend(shapely.get_num_coordinates(geometry)):
            problems.append(
                Problem(
                    label,
                    None,
                    "geometry",
                    f"the boundary files have more than {budget.limit:,} vertices in all; "
                    "simplify the polygons (e.g. shapely.simplify with a tolerance of 0.01°)",
                )
            )
            return None
        if not isinstance(feature, dict):
            continue  # reported: not a Feature at all
        # A feature whose polygon is broken keeps its id, so that what refers to it is not also
        # reported: the broken polygon is the one problem to fix.
        properties = feature.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        # Only the properties the record uses, as short text: anything else an upload carries is
        # dropped here rather than multiplied into a table of every key of every feature.
        rows.append({key: _short(properties.get(key)) for key in required})
        numbers.append(number)
        geometries.append(geometry)
    frame = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=list(required)), geometry=geometries, crs=WGS84
    )
    for column in required:
        for position in (frame.index[frame[column].isna()] if len(frame) else [])[:1]:
            problems.append(
                Problem(
                    label,
                    numbers[position],
                    column,
                    "property is missing from the features; add it to every feature",
                )
            )
    key = required[0]
    if frame[key].isna().any():
        return None
    for position in frame.index[frame[key].duplicated()]:
        problems.append(
            Problem(label, numbers[position], key, f"duplicate {key} {frame.at[position, key]!r}")
        )
    return frame.set_index(key, drop=False)


def _read_json(path: Path, label: str, problems: list[Problem]) -> Any:
    if not path.is_file():
        problems.append(Problem(label, None, None, "is missing or not a regular file"))
        return None
    raw = read_at_most(path, MAX_BOUNDARY_BYTES)
    if raw is None:
        problems.append(
            Problem(
                label,
                None,
                None,
                f"is larger than {MAX_BOUNDARY_BYTES // 2**20} MB; simplify the polygons "
                "(e.g. shapely.simplify with a tolerance of 0.01°) or keep fewer features",
            )
        )
        return None
    try:
        return json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as error:
        problems.append(
            Problem(label, None, None, f"is not GeoJSON (JSON text in UTF-8): {_brief(error)}")
        )
    except RecursionError:
        problems.append(Problem(label, None, None, "is not GeoJSON: its JSON nests too deeply"))
    return None


def _features_of(document: Any, label: str, problems: list[Problem]) -> list[Any] | None:
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        problems.append(
            Problem(label, None, None, "is not a GeoJSON FeatureCollection; export it as one")
        )
        return None
    crs = document.get("crs")
    if crs is not None and str(_crs_name(crs)) not in _LON_LAT_CRS:
        problems.append(
            Problem(
                label,
                None,
                None,
                "names a projected CRS; GeoJSON (RFC 7946) is WGS84 lon/lat: reproject the file to "
                "EPSG:4326 first",
            )
        )
        return None
    features = document.get("features")
    if not isinstance(features, list):
        problems.append(Problem(label, None, None, "has no 'features' list"))
        return None
    return features


def _geometry_of(
    feature: Any, number: int, key: str, label: str, problems: list[Problem]
) -> shapely.Geometry | None:
    # A GeoJSON file has no header row: its "row" is the feature's number, counted from 1.
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(Problem(label, number, None, "is not a GeoJSON Feature"))
        return None
    properties = feature.get("properties")
    name = properties.get(key) if isinstance(properties, dict) else None
    which = f"feature {name!r}" if name is not None else "the feature"
    raw = feature.get("geometry")
    if raw is None:
        problems.append(Problem(label, number, "geometry", f"{which} is empty; give it a polygon"))
        return None
    try:
        geometry = shapely.geometry.shape(raw)
    except (TypeError, ValueError, KeyError, AttributeError, shapely.errors.ShapelyError) as error:
        problems.append(
            Problem(
                label, number, "geometry", f"{which} is not a GeoJSON geometry ({_brief(error)})"
            )
        )
        return None
    if geometry.is_empty:
        problems.append(Problem(label, number, "geometry", f"{which} is empty; give it a polygon"))
    elif geometry.geom_type not in ("Polygon", "MultiPolygon"):
        problems.append(
            Problem(
                label,
                number,
                "geometry",
                f"{which} is a {geometry.geom_type}; boundaries must be polygons",
            )
        )
    elif not _lon_lat(geometry):
        problems.append(
            Problem(
                label,
                number,
                "geometry",
                f"{which} has coordinates outside longitude -180..180 / latitude -90..90; "
                "reproject the file to WGS84 lon/lat (EPSG:4326)",
            )
        )
    elif not shapely.is_valid(geometry):
        reason = shapely.is_valid_reason(geometry)
        problems.append(
            Problem(
                label,
                number,
                "geometry",
                f"{which} is invalid ({reason}); repair it, e.g. with shapely.make_valid",
            )
        )
    else:
        return geometry
    return None


def _short(value: Any) -> str | None:
    """A property as text of at most 200 characters (``None`` stays ``None``)."""
    return None if value is None else str(value)[:200]


def _lon_lat(geometry: shapely.Geometry) -> bool:
    west, south, east, north = geometry.bounds
    return all(map(math.isfinite, (west, south, east, north))) and (
        -180 <= west <= east <= 180 and -90 <= south <= north <= 90
    )


def _crs_name(crs: Any) -> Any:
    return crs.get("properties", {}).get("name") if isinstance(crs, dict) else crs


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number GeoJSON allows")


def _brief(error: BaseException) -> str:
    text = str(error)
    return text if len(text) <= 120 else text[:119] + "…"


def read_gazetteer(path: Path | None, problems: list[Problem]) -> pd.DataFrame:
    """The GeoNames extract (``geonames_id``, ``lat``, ``lon``), indexed by id."""
    empty = pd.DataFrame(columns=["lat", "lon"])
    if path is None:
        return empty
    label = path.name
    if not path.is_file():
        problems.append(Problem(label, None, None, "is missing or not a regular file"))
        return empty
    raw = read_at_most(path, MAX_GAZETTEER_BYTES)
    if raw is None:
        problems.append(
            Problem(label, None, None, f"is larger than {MAX_GAZETTEER_BYTES // 2**20} MB")
        )
        return empty
    try:
        frame = pd.read_csv(io.StringIO(raw.decode("utf-8-sig")), dtype={"geonames_id": str})
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as error:
        problems.append(
            Problem(label, None, None, f"is not a readable CSV gazetteer ({_brief(error)})")
        )
        return empty
    missing = [column for column in ("geonames_id", "lat", "lon") if column not in frame]
    if missing:
        for column in missing:
            problems.append(Problem(label, 1, column, "column is missing from the header; add it"))
        return empty
    frame["lat"] = pd.to_numeric(frame["lat"], errors="coerce")
    frame["lon"] = pd.to_numeric(frame["lon"], errors="coerce")
    bad = ~(frame["lat"].between(-90, 90) & frame["lon"].between(-180, 180))  # NaN and inf too
    for position in frame.index[bad][:20]:
        problems.append(
            Problem(
                label, int(position) + 2, "lat", "needs a latitude -90..90 and longitude -180..180"
            )
        )
    for position in frame.index[frame["geonames_id"].duplicated()][:20]:
        problems.append(
            Problem(label, int(position) + 2, "geonames_id", "is listed twice; keep one row per id")
        )
    if bad.any() or frame["geonames_id"].duplicated().any():
        return empty
    return frame.set_index("geonames_id")


def serialise_polygons(
    countries: gpd.GeoDataFrame, regions: gpd.GeoDataFrame
) -> dict[tuple[str, str], str]:
    """Each polygon as compact GeoJSON geometry text, keyed by (layer, id)."""
    serialised = {}
    for layer, frame in (("country", countries), ("region", regions)):
        for key, geom in zip(frame.index, frame.geometry.values, strict=True):
            serialised[(layer, str(key))] = json.dumps(
                shapely.geometry.mapping(geom), separators=(",", ":")
            )
    return serialised
