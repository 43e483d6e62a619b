"""How each layer of ``geodata``'s registry is drawn: its map group, day payload, legend and notes.

One entry per layer key, read by the map builder, the legend and the layer choice. A layer that
``geodata`` knows but this registry does not is exported but not drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dashboard import map_content

if TYPE_CHECKING:
    import geodata
    from dashboard.payload import LegendSection

__all__ = ["GROUP_NAMES", "MapLayer", "map_layers", "register_map_layer", "unregister_map_layer"]

# The group holding the day's polygon styles and the legend: drawn first, under everything else.
STATUS_GROUP = "Status of countries and regions"


def _no_notes(_snap: geodata.Snapshot) -> list[str]:
    return []


@dataclass(frozen=True)
class MapLayer:
    """How one layer is drawn.

    Parameters
    ----------
    key : str
        The ``geodata`` layer it draws.
    group : str
        Its name in the map's layer switcher.
    draw : str
        The map script's helper for the payload: ``"restyle"`` (fills of the fetched polygons),
        ``"points"`` or ``"lines"`` (see ``dashboard/static/kz_map.js``).
    payload : callable
        ``payload(snap)``: the day's data for that helper, as plain JSON-ready data.
    legend : callable
        ``legend(snap)``: the layer's legend section (heading and rows), or ``None``.
    notes : callable
        ``notes(snap)``: sentences for the legend's foot (e.g. "drawn in groups").
    order : int
        Drawing order of point and line groups: lower is drawn first (underneath).
    """

    key: str
    group: str
    draw: str
    payload: Callable[[geodata.Snapshot], Any]
    legend: Callable[[geodata.Snapshot], LegendSection | None]
    notes: Callable[[geodata.Snapshot], list[str]] = _no_notes
    order: int = 50


_REGISTRY: dict[str, MapLayer] = {}


def register_map_layer(layer: MapLayer) -> None:
    """Draw the ``geodata`` layer ``layer.key`` as ``layer`` says."""
    if layer.key in _REGISTRY:
        raise ValueError(f"map layer {layer.key!r} is already registered")
    if layer.draw not in ("restyle", "points", "lines"):
        raise ValueError(f"draw must be restyle, points or lines, not {layer.draw!r}")
    _REGISTRY[layer.key] = layer


def unregister_map_layer(key: str) -> None:
    """Stop drawing layer ``key``; for plug-ins and tests."""
    del _REGISTRY[key]


def map_layers() -> list[MapLayer]:
    """The drawn layers in ``geodata.LAYERS`` order (the legend's order)."""
    import geodata

    return [_REGISTRY[key] for key in geodata.LAYERS if key in _REGISTRY]


class _GroupNames(Mapping[str, str]):
    """Each drawn layer's group name by key, plus ``"status"``: always the registry as it is now."""

    def __getitem__(self, key: str) -> str:
        return STATUS_GROUP if key == "status" else _REGISTRY[key].group

    def __iter__(self) -> Iterator[str]:
        return iter(("status", *_REGISTRY))

    def __len__(self) -> int:
        return len(_REGISTRY) + 1


GROUP_NAMES: Mapping[str, str] = _GroupNames()

for _layer in (
    MapLayer("country", "Contributing countries", "restyle", map_content.country_styles,
             map_content.country_legend),
    MapLayer("base", "Home bases", "points", map_content.base_points, map_content.base_legend,
             order=35),
    MapLayer("region", "Regions of the host country", "restyle", map_content.region_styles,
             map_content.region_legend),
    MapLayer("route", "Trails", "lines", map_content.route_lines, map_content.route_legend,
             order=5),
    MapLayer("city", "Cities: unrest", "points", map_content.city_points, map_content.city_legend,
             map_content.grouped_points_note("city", "cities"), order=20),
    MapLayer("site", "Guarded sites", "points", map_content.site_points, map_content.site_legend,
             map_content.grouped_points_note("site", "guarded sites"), order=30),
    MapLayer("movement", "Deployment and withdrawal legs", "lines", map_content.movement_lines,
             map_content.movement_legend, map_content.movement_notes, order=10),
    MapLayer("troops", "Troops on the ground", "points", map_content.troop_points,
             map_content.troops_legend, order=15),
    MapLayer("event", "Events of the day", "points", map_content.event_points,
             map_content.event_legend, map_content.event_notes, order=40),
):  # fmt: skip
    register_map_layer(_layer)
