"""Serve Leaflet, the map helpers and the basemap polygons from the app's own server: no CDN."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import xstatic.pkg.leaflet as xstatic_leaflet
from streamlit.components.v1 import declare_component

if TYPE_CHECKING:
    import geodata

STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class MapAssets:
    """Local URLs of everything the map loads."""

    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]
    countries_url: str
    regions_url: str


def served(folder: Path) -> str:
    """The URL prefix under which Streamlit serves ``folder``.

    A custom component that is never called still has its folder served at
    ``/component/<module>.<name>/``, on the same origin as the map's iframe; that is the one way to
    serve files from an installed package without copying them or enabling static serving.
    """
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    component = declare_component(f"files_{digest}", path=str(folder))
    return f"/component/{component.name}"


def map_assets(record: geodata.Record) -> MapAssets:
    """The URLs of Leaflet, the helpers and ``record``'s boundary files."""
    leaflet, helpers = served(Path(xstatic_leaflet.BASE_DIR)), served(STATIC)
    countries, regions = record.boundary_files["countries"], record.boundary_files["regions"]
    return MapAssets(
        js=(("leaflet", f"{leaflet}/leaflet.js"), ("kz_map", f"{helpers}/kz_map.js")),
        css=(("leaflet_css", f"{leaflet}/leaflet.css"), ("kz_map_css", f"{helpers}/kz_map.css")),
        countries_url=f"{served(countries.parent)}/{countries.name}",
        regions_url=f"{served(regions.parent)}/{regions.name}",
    )
