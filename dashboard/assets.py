"""Serve Leaflet, the map helpers and the basemap polygons from the app's own server: no CDN."""

from __future__ import annotations

import hashlib
import json
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import xstatic.pkg.leaflet as xstatic_leaflet
from streamlit.components.v1 import declare_component

from dashboard.store import MAP_FILES, upload_store
from geodata import bundled_boundary_files

if TYPE_CHECKING:
    import geodata

STATIC = Path(__file__).parent / "static"
# dashboard/server.py serves an upload's polygons here, to the session holding the token only.
UPLOAD_ROUTE = "/kz/upload"
# Each boundary layer: the record's frame, its id property, and its key in ``geometry_json``.
_POLYGON_LAYERS = {"countries": ("iso3", "country"), "regions": ("id", "region")}


@dataclass(frozen=True)
class MapAssets:
    """Local URLs of everything the map loads."""

    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]
    countries_url: str
    regions_url: str
    # Seas and lakes: drawn with the bundled countries only (they cover the same box of the world).
    water_url: str | None = None
    # Credits shown on the map, from each boundary file's declared provenance.
    countries_attribution: str = ""
    regions_attribution: str = ""
    water_attribution: str = ""


def served(folder: Path) -> str:
    """The URL prefix under which Streamlit serves ``folder`` (only for files anyone may read).

    A custom component that is never called still has its folder served at
    ``/component/<module>.<name>/``, on the same origin as the map's iframe; that is the one way to
    serve files from an installed package without copying them or enabling static serving.
    """
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    component = declare_component(f"files_{digest}", path=str(folder))
    return f"/component/{component.name}"


def map_assets(record: geodata.Record) -> MapAssets:
    """The URLs of Leaflet, the helpers and ``record``'s boundary files, worked out once per record.

    The bundled boundary files are public and served as files; an upload's polygons are served
    only under its session's token (``dashboard/server.py``), never from a public folder.
    """
    assets = _ASSETS.get(record)
    if assets is None:  # resolving and declaring the folders took 3 ms of every step
        assets = _ASSETS[record] = _map_assets(record)
    return assets


# Kept as long as their record is: an upload's token goes with it.
_ASSETS: weakref.WeakKeyDictionary[geodata.Record, MapAssets] = weakref.WeakKeyDictionary()


def _map_assets(record: geodata.Record) -> MapAssets:
    leaflet, helpers = served(Path(xstatic_leaflet.BASE_DIR)), served(STATIC)
    return MapAssets(
        js=(("leaflet", f"{leaflet}/leaflet.js"), ("kz_map", f"{helpers}/kz_map.js")),
        css=(("leaflet_css", f"{leaflet}/leaflet.css"), ("kz_map_css", f"{helpers}/kz_map.css")),
        countries_url=_polygons_url(record, "countries"),
        regions_url=_polygons_url(record, "regions"),
        water_url=_water_url(record),
        water_attribution="Water: Natural Earth",
        countries_attribution=credit_line("Boundaries", record, "countries"),
        regions_attribution=credit_line("Regions", record, "regions"),
    )


def water_file(record: geodata.Record) -> Path | None:
    """The bundled seas and lakes, drawn only with the bundled countries (they cover one box)."""
    bundled = bundled_boundary_files()
    return bundled["water"] if record.boundary_files["countries"] == bundled["countries"] else None


def _water_url(record: geodata.Record) -> str | None:
    path = water_file(record)
    return None if path is None else f"{served(path.parent)}/{path.name}"


def credit_line(what: str, record: geodata.Record, key: str) -> str:
    """The map's credit for a boundary file, from its declared provenance ("Boundaries: …")."""
    provenance = record.provenance.get(key)
    return f"{what}: {provenance.name}" if provenance else ""


def _polygons_url(record: geodata.Record, layer: str) -> str:
    path = record.boundary_files[layer]
    token = upload_store().token_of(path)
    if token is not None:
        return f"{UPLOAD_ROUTE}/{token}/{layer}.geojson"
    return f"{served(path.parent)}/{path.name}"


def write_map_files(record: geodata.Record, folder: Path) -> None:
    """Write the polygons of ``record``'s boundary files inside ``folder`` for the map to fetch.

    Only the id, the name and the validated geometry are written: the uploaded files themselves are
    never served, so nothing but what the map needs leaves the server.
    """
    target = folder / MAP_FILES
    target.mkdir(mode=0o700, exist_ok=True)
    for layer in _POLYGON_LAYERS:
        if upload_store().token_of(record.boundary_files[layer]) is None:
            continue  # the bundled file, served as it is
        (target / f"{layer}.geojson").write_text(polygons_geojson(record, layer), encoding="utf-8")


def polygons_geojson(record: geodata.Record, layer: str) -> str:
    """``record``'s countries or regions as the map draws them: id, name and validated geometry."""
    id_property, key = _POLYGON_LAYERS[layer]
    frame = record.countries if layer == "countries" else record.regions
    features = [
        '{"type":"Feature","properties":'
        + json.dumps(
            {id_property: str(ident), "name": str(name)}, ensure_ascii=False, separators=(",", ":")
        )
        + ',"geometry":'
        + record.geometry_json[(key, str(ident))]
        + "}"
        for ident, name in zip(frame.index, frame["name"], strict=True)
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
