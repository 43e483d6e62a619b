"""Read a record's boundary files and GeoNames extract, and serialise the polygons once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import shapely

from geodata._errors import Problem

if TYPE_CHECKING:
    pass

__all__ = ["WGS84", "read_boundaries", "read_gazetteer", "serialise_polygons"]

WGS84 = "EPSG:4326"


def read_boundaries(
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


def read_gazetteer(path: Path | None, problems: list[Problem]) -> pd.DataFrame:
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


def serialise_polygons(
    countries: gpd.GeoDataFrame, regions: gpd.GeoDataFrame
) -> dict[tuple[str, str], str]:
    serialised = {}
    for layer, frame in (("country", countries), ("region", regions)):
        for key, geom in zip(frame.index, frame.geometry.values, strict=True):
            serialised[(layer, str(key))] = json.dumps(
                shapely.geometry.mapping(geom), separators=(",", ":")
            )
    return serialised
