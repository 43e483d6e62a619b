"""The feature type of a snapshot, and the one feature built ahead of time: a city with no unrest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping

    import shapely

    from geodata._properties import CityProperties

__all__ = ["UNREST_LABELS", "Feature", "city_feature"]

UNREST_LABELS = {
    0: "No unrest reported",
    1: "Protest",
    2: "Riots or clashes",
    3: "Buildings stormed or deaths",
}


class Feature(NamedTuple):
    """One map feature of a snapshot: its properties and its geometry (shapely and GeoJSON text).

    Features may be shared between snapshots: treat their properties as read-only.
    """

    properties: Mapping[str, Any]
    geometry: shapely.Geometry | None
    geometry_json: str


def city_feature(place: dict[str, Any], spell: dict[str, Any] | None) -> Feature:
    """A city on a day: calm when no unrest spell covers it, else the spell's level and status."""
    level = 0 if spell is None else spell["level"]
    cited = place if spell is None else spell
    properties: CityProperties = {
        "id": place["id"], "name": place["name"], "unrest_level": level, "unrest_label": UNREST_LABELS[level],
        "status": UNREST_LABELS[0] if spell is None else spell["status"],
        "region_id": place["region_id"] or None, "geonames_id": place["geonames_id"] or None,
        "note": (spell and spell["note"]) or None, "sources": list(cited["sources"]), "confidence": cited["confidence"],
    }  # fmt: skip
    return Feature(properties, place["geometry"], place["geometry_json"])
