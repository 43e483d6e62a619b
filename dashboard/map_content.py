"""What the map shows on a day, as plain data: styles, markers, lines, cards and the legend.

Pure functions of a :class:`geodata.Snapshot`; the folium side is in ``map_builders``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import TYPE_CHECKING, Any

import shapely

import geodata
from dashboard import aggregate, palette
from dashboard.payload import (
    Arrow,
    Card,
    Legend,
    LegendRow,
    LegendSection,
    MapLine,
    MapPoint,
    PlaceLabel,
    Restyle,
)
from geodata import UNREST_LABELS

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence


def long_date(day: dt.date) -> str:
    """``7 January 2022``.

    Examples
    --------
    >>> import datetime as dt
    >>> long_date(dt.date(2022, 1, 7))
    '7 January 2022'
    """
    return f"{day.day} {day:%B %Y}"


def short_when(iso: str) -> str:
    """An ISO date or date-time as people write it in a card.

    Examples
    --------
    >>> short_when("2022-01-05T01:30"), short_when("2022-01-19")
    ('5 Jan, 01:30', '19 Jan')
    """
    when = dt.datetime.fromisoformat(iso)
    day = f"{when.day} {when:%b}"
    return f"{day}, {when:%H:%M}" if "T" in iso else day


def troops_text(properties: Mapping[str, Any], host: str) -> str:
    """A contingent's troops in the host country with the caveat it needs (estimate, reported range)."""
    count = properties["troops_in_host"]
    text = f"Troops in {host}: {count:,}"
    if count and properties["troops_estimate"]:
        text += " (estimate)"
    low, high = properties.get("troops_low"), properties.get("troops_high")
    if count and low is not None and high is not None and low != high:
        text += f"; reported range {low:,}–{high:,}"
    elif count and high is not None and low is None:
        text += f"; figures up to {high:,} were reported"
    return text


def card(
    properties: Mapping[str, Any],
    *lines: str | None,
    title: str | None = None,
    note: str | None = None,
) -> Card:
    """A tooltip or popup: title, lines, a note, the sources and the confidence of one feature."""
    return {
        "title": title or properties["name"],
        "lines": [line for line in lines if line],
        "note": note,
        "sources": properties["sources"],
        "confidence": properties["confidence"],
    }


def country_styles(snap: geodata.Snapshot) -> Restyle:
    """Fills, tooltips and popups for the host and the contributing countries."""
    styles, popups = {}, {}
    host = snap.host_name
    colours = contingent_colours(snap)
    for feature in snap.layers["country"]:
        props = feature.properties
        if props["role"] == "context":
            continue
        iso3 = props["iso3"]
        if props["role"] == "host":
            styles[iso3] = {"fillColor": palette.HOST_FILL, "fillOpacity": 1, "weight": 2,
                            "color": palette.HOST_BORDER}  # fmt: skip
            popups[iso3] = card(props, "Host country")
            continue
        status = palette.STATUS_LABEL[props["status"]]
        # Outlined, not filled: the status is written at the home base (``base_points``).
        styles[iso3] = {
            "fillColor": palette.CONTRIBUTOR_FILL,
            "fillOpacity": 1,
            "color": colours.get(iso3, palette.BORDER),
            "weight": 2.5,
        }
        lines = [props["contingent"], f"Status: {status}", troops_text(props, host)]
        popups[iso3] = card(
            props, *lines, props["units"], props["phase_note"], note=props["troops_note"]
        )
    # Tooltips are the popups' title and first lines (contingent, status, troops).
    return {"key": "countries", "styles": styles, "popups": popups, "tooltipLines": 3}


def region_styles(snap: geodata.Snapshot) -> Restyle:
    """Fills, tooltips and popups for the host's regions: shaded while under a state of emergency."""
    styles, popups = {}, {}
    for feature in snap.layers["region"]:
        props = feature.properties
        on = props["state_of_emergency"]
        if on:
            styles[props["id"]] = {"fillColor": palette.EMERGENCY_FILL, "fillOpacity": 0.45}
        state = "State of emergency in force" if on else "No state of emergency"
        period = None
        if props["emergency_imposed"]:
            imposed, lifted = (
                short_when(props["emergency_imposed"]),
                short_when(props["emergency_lifted"]),
            )
            period = f"Imposed {imposed}, lifted {lifted} (local time)"
        popups[props["id"]] = card(props, state, period, note=props["emergency_note"])
    return {"key": "regions", "styles": styles, "popups": popups, "tooltipLines": 1}


def _located(feature: geodata.Feature) -> bool:
    return feature.geometry is not None


def _position(feature: geodata.Feature) -> tuple[float, float]:
    """A located point's latitude and longitude."""
    if feature.geometry is None:
        raise ValueError(f"{feature.properties['id']!r} has no location")
    return float(feature.geometry.y), float(feature.geometry.x)


def _lat_lons(feature: geodata.Feature) -> list[list[float]]:
    """A line's vertices as Leaflet's [lat, lon] pairs."""
    if feature.geometry is None:
        raise ValueError(f"{feature.properties['id']!r} has no location")
    return [[float(lat), float(lon)] for lon, lat in feature.geometry.coords]


# How far an arc bows out from its chord, as a share of the chord's length; and its vertices.
_BOW = 0.18
_ARC_POINTS = 14  # enough for a smooth curve at the map's scales; each point is sent every step
_ARROW_AT = 0.8


def _mercator_y(lat: float) -> float:
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _latitude(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


def arc(start: Sequence[float], end: Sequence[float]) -> tuple[list[list[float]], Arrow]:
    """A curved leg from ``start`` to ``end`` ([lat, lon]) and an arrowhead four fifths along it.

    The curve is a quadratic Bézier on the web map's (Mercator) plane that bows to the left of the
    direction of travel, so that a leg out and the leg back along the same route stay apart. The
    arrow's heading is in degrees clockwise from east on screen, the same at every zoom (Mercator
    keeps angles); it sits short of the end, clear of the symbols at the destination.

    Examples
    --------
    >>> points, arrow = arc([43.35, 77.04], [56.94, 40.94])  # Almaty to Ivanovo
    >>> points[0], points[-1], len(points)
    ([43.35, 77.04], [56.94, 40.94], 14)
    >>> round(arrow["heading"])  # north-west: up and to the left on screen
    -137
    """
    (lat0, x0), (lat1, x1) = start, end
    y0, y1 = _mercator_y(lat0), _mercator_y(lat1)
    # The control point: off the chord's middle, square to it, to the left of travel.
    cx, cy = (x0 + x1) / 2 - (y1 - y0) * _BOW, (y0 + y1) / 2 + (x1 - x0) * _BOW

    def at(t: float) -> tuple[float, float]:
        x = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
        y = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
        return x, y

    points = []
    for i in range(_ARC_POINTS):
        x, y = at(i / (_ARC_POINTS - 1))
        points.append([round(_latitude(y), 3), round(x, 3)])
    points[0], points[-1] = [lat0, x0], [lat1, x1]
    t = _ARROW_AT
    x, y = at(t)
    # The tangent there; screen y grows downwards.
    dx = 2 * (1 - t) * (cx - x0) + 2 * t * (x1 - cx)
    dy = 2 * (1 - t) * (cy - y0) + 2 * t * (y1 - cy)
    arrow: Arrow = {
        "lat": round(_latitude(y), 4),
        "lon": round(x, 4),
        "heading": math.degrees(math.atan2(-dy, dx)),
    }
    return points, arrow


def _arc_of(feature: geodata.Feature) -> tuple[list[list[float]], Arrow]:
    vertices = _lat_lons(feature)
    return arc(vertices[0], vertices[-1])


GROUPED_NOTE = (
    "Grouped: too many to read one by one. The GeoJSON download lists each with its sources."
)


def _centre(features: Sequence[geodata.Feature]) -> tuple[float, float]:
    lon, lat = shapely.get_coordinates([f.geometry for f in features]).mean(axis=0)
    return float(lat), float(lon)


def _grouped(features: Sequence[geodata.Feature]) -> list[list[geodata.Feature]] | None:
    """Grid groups of located features when there are too many to draw one by one, else ``None``."""
    if len(features) <= aggregate.MAX_MARKERS:
        return None
    lon, lat = shapely.get_coordinates([f.geometry for f in features]).T
    groups = aggregate.grid_groups(lat, lon)
    return [[features[i] for i in group] for group in groups]


def city_points(snap: geodata.Snapshot) -> list[MapPoint]:
    """Cities sized and coloured by unrest level (grouped on a grid when there are too many)."""
    cities = list(filter(_located, snap.layers["city"]))
    groups = _grouped(cities)
    if groups is not None:
        return [_city_group(group) for group in groups]
    points: list[MapPoint] = []
    for feature in cities:
        props, level = feature.properties, feature.properties["unrest_level"]
        lat, lon = _position(feature)
        points.append({
            "lat": lat, "lon": lon,
            "style": {"radius": palette.UNREST_RADIUS[level], "color": "#222222", "weight": 1.5,
                      "fillColor": palette.UNREST_FILL[level], "fillOpacity": 0.9},
            "tooltip": {"title": props["name"], "lines": [f"Unrest level {level}: {props['unrest_label']}"]},
            # A calm city has nothing to cite but its location: its tooltip says all there is.
            "popup": card(props, props["status"], f"Unrest level {level} of 3", note=props["note"]) if level else None,
        })  # fmt: skip
    return points


def _city_group(group: list[geodata.Feature]) -> MapPoint:
    group = sorted(group, key=lambda f: -f.properties["unrest_level"])
    worst = group[0].properties["unrest_level"]
    lat, lon = _centre(group)
    title = f"{len(group):,} cities"
    summary = f"Worst unrest: level {worst} ({UNREST_LABELS[worst]})"
    return {
        "lat": lat, "lon": lon,
        "style": {"radius": palette.UNREST_RADIUS[worst] + 3, "color": "#000000", "weight": 2,
                  "fillColor": palette.UNREST_FILL[worst], "fillOpacity": 0.9},
        "tooltip": {"title": title, "lines": [summary]},
        "popup": {"title": title, "lines": [summary, aggregate.names_line([f.properties["name"] for f in group])],
                  "note": GROUPED_NOTE},
    }  # fmt: skip


def site_points(snap: geodata.Snapshot) -> list[MapPoint]:
    """Located guarded sites: a badge with the guarding contingent's code, in its colour."""
    colours = contingent_colours(snap)
    sites = list(filter(_located, snap.layers["site"]))
    groups = _grouped(sites)
    if groups is not None:
        return [_site_group(group) for group in groups]
    points: list[MapPoint] = []
    for feature in sites:
        props = feature.properties
        role = "Headquarters" if props["role"] == "headquarters" else "Guarded"
        until = props["end"] if props["end_reported"] else f"{props['end']} (end not reported)"
        lines = [f"{role} by the {props['contingent']}", f"From {props['start']} to {until}"]
        if props["location_precision"] == "approximate":
            lines.append("Location approximate")
        lat, lon = _position(feature)
        points.append({
            "lat": lat, "lon": lon, "label": props["iso3"], "side": "right",
            "gather": {"kind": "site", "code": props["iso3"]},
            "style": {"color": "#000000", "fillColor": _colour(colours, props["iso3"]),
                      "textColor": palette.CONTINGENT_TEXT[_colour(colours, props["iso3"])]},
            "tooltip": {"title": props["name"], "lines": lines[:1]},
            "popup": card(props, *lines, props["place_note"], note=props["note"]),
        })  # fmt: skip
    return points


def _site_group(group: list[geodata.Feature]) -> MapPoint:
    lat, lon = _centre(group)
    guards = sorted({f.properties["iso3"] for f in group})
    title = f"{len(group):,} guarded sites"
    return {
        "lat": lat, "lon": lon, "label": f"{len(group):,}",
        "style": {"color": "#000000", "fillColor": palette.SITE_FILL},
        "tooltip": {"title": title, "lines": [f"Guarded by {', '.join(guards)}"]},
        "popup": {"title": title, "lines": [aggregate.names_line([f.properties["name"] for f in group])],
                  "note": GROUPED_NOTE},
    }  # fmt: skip


# The first cities of the record (places.csv) are named on the map even under a badge or chip.
MAJOR_CITIES = 8


def city_labels(snap: geodata.Snapshot) -> list[PlaceLabel]:
    """The host's cities as map labels, in the record's order (places.csv).

    Where labels collide, the browser keeps the earlier one; a badge or chip hides a label, except
    the first ``MAJOR_CITIES`` (for the bundled record: where it began, the capitals, the big cities).
    """
    labels: list[PlaceLabel] = []
    for feature in snap.layers["city"]:
        if feature.geometry is not None:
            lat, lon = _position(feature)
            labels.append({"lat": lat, "lon": lon, "text": feature.properties["name"],
                           "major": len(labels) < MAJOR_CITIES})  # fmt: skip
    return labels


def contingent_colours(snap: geodata.Snapshot) -> dict[str, str]:
    """Each contingent's colour by ISO3: the troop chart's colours."""
    return palette.contingent_colours(f.properties["iso3"] for f in snap.contributors)


def _colour(colours: Mapping[str, str], iso3: str) -> str:
    """A contingent's colour; a country with no contingent that day gets the last one."""
    return colours.get(iso3, palette.CONTINGENT_COLOURS[-1])


def troop_points(snap: geodata.Snapshot) -> list[MapPoint]:
    """Troops on the ground: a circle per contingent where it was, and a badge with the day's total.

    A circle's area is in proportion to its contingent's troops; the badge sits at their middle.
    """
    features = [f for f in snap.layers["troops"] if f.geometry is not None]
    if not features:
        return []
    colours = contingent_colours(snap)
    points: list[MapPoint] = []
    # Largest first, so that a small contingent at the same place is drawn on top and stays visible.
    for feature in sorted(features, key=lambda f: -f.properties["troops"]):
        props = feature.properties
        lat, lon = _position(feature)
        where = (
            "At the sites it guarded"
            if props["placement"] == "guarded sites"
            else "Where it landed"
        )
        figure = f"{props['troops']:,} troops" + (" (estimate)" if props["troops_estimate"] else "")
        points.append({
            "lat": lat, "lon": lon,
            "style": {"radius": troop_radius(props["troops"]), "color": "#222222", "weight": 1,
                      "fillColor": _colour(colours, props["iso3"]), "fillOpacity": 0.6},
            "tooltip": {"title": props["contingent"], "lines": [figure]},
            "popup": card(props, figure, f"{where}: {props['placed_at']}"),
        })  # fmt: skip
    lats, lons = zip(*(_position(f) for f in features), strict=True)
    total = sum(f.properties["troops"] for f in features)
    estimated = any(f.properties["troops_estimate"] for f in features)
    label = f"about {total:,} troops" if estimated else f"{total:,} troops"
    points.append({
        "lat": sum(lats) / len(lats), "lon": sum(lons) / len(lons), "label": label,
        "style": {"color": "#000000", "fillColor": "#333333"},
        "tooltip": {"title": f"{total:,} troops on the ground",
                    "lines": [f"{len(features)} contingents" + (", including estimates" if estimated else "")]},
        "popup": None, "above": True, "interactive": False,
        "zIndexOffset": 1000,  # the day's total stays readable above site labels
    })  # fmt: skip
    return points


def troop_radius(troops: int) -> float:
    """A circle's radius in pixels whose area is in proportion to ``troops`` (1,500 troops: 24 px).

    Examples
    --------
    >>> round(troop_radius(1500)), round(troop_radius(150))
    (24, 8)
    """
    return 0.62 * math.sqrt(troops)


def troops_legend(snap: geodata.Snapshot) -> LegendSection | None:
    """How to read the troop circles (the contingents' colours are under Contingents)."""
    if not snap.layers["troops"]:
        return None
    row: LegendRow = {
        "fill": "#bbbbbb",
        "shape": "circle",
        "label": "A circle per contingent, its area in proportion to its troops",
    }
    return {"heading": "Troops on the ground", "rows": [row]}


def movement_lines(snap: geodata.Snapshot) -> list[MapLine]:
    """Legs under way that day; with too many, one line per route, the busiest routes first."""
    legs = snap.layers["movement"]
    if len(legs) > aggregate.MAX_LINES:
        routes = aggregate.group_by(
            legs,
            lambda f: (f.properties["origin"], f.properties["destination"], f.properties["phase"]),
        )
        routes.sort(key=len, reverse=True)
        return [_route(route) for route in routes[: aggregate.MAX_LINES]]
    lines: list[MapLine] = []
    for feature in legs:
        props = feature.properties
        phase = props["phase"]
        span = (
            props["start"]
            if props["start"] == props["end"]
            else f"{props['start']} to {props['end']}"
        )
        text = [
            f"{props['contingent']}: {phase}",
            f"{props['means'] or 'Means not reported'}, {span}",
        ]
        coordinates, heading = _arc_of(feature)
        lines.append({
            "coordinates": coordinates, "arrow": heading,
            "style": {"color": palette.MOVEMENT_COLOUR[phase], "weight": 3, "opacity": 1,
                      "dashArray": palette.MOVEMENT_DASH[phase], "className": "kz-leg-moving"},
            "tooltip": {"title": props["name"], "lines": text[:1]},
            "popup": card(props, *text, note=props["note"]),
        })  # fmt: skip
    return lines


def route_lines(snap: geodata.Snapshot) -> list[MapLine]:
    """Faint trails: the way each contingent in the host that day came, in its colour."""
    colours = contingent_colours(snap)
    lines: list[MapLine] = []
    for feature in snap.layers["route"][: aggregate.MAX_LINES]:
        props = feature.properties
        coordinates, _ = _arc_of(feature)
        text = [f"The way the {props['contingent']} came", props["means"] or "Means not reported"]
        lines.append({
            "coordinates": coordinates,
            "style": {"color": colours.get(props["iso3"], palette.BORDER), "weight": 2, "opacity": 0.55,
                      "dashArray": None, "className": "kz-trail"},
            "tooltip": {"title": props["name"], "lines": text[:1]},
            "popup": card(props, *text, f"{props['start']} to {props['end']}", note=props["note"]),
        })  # fmt: skip
    return lines


def route_legend(snap: geodata.Snapshot) -> LegendSection | None:
    """One row: the faint lines are the ways the contingents in the country came."""
    if not snap.layers["route"]:
        return None
    row: LegendRow = {
        "stroke": "#999999",
        "shape": "line",
        "label": "The way each contingent in the country came",
    }
    return {"heading": "Trails", "rows": [row]}


def _route(route: list[geodata.Feature]) -> MapLine:
    first = route[0]
    phase = first.properties["phase"]
    contingents = sorted({f.properties["iso3"] for f in route})
    text = [f"{len(route):,} {phase} legs", f"By {', '.join(contingents)}"]
    coordinates, heading = _arc_of(first)
    return {
        "coordinates": coordinates, "arrow": heading,
        "style": {"color": palette.MOVEMENT_COLOUR[phase], "weight": 3 + min(len(route), 6), "opacity": 1,
                  "dashArray": palette.MOVEMENT_DASH[phase]},
        "tooltip": {"title": first.properties["name"], "lines": text[:1]},
        "popup": {"title": first.properties["name"], "lines": text, "note": GROUPED_NOTE},
    }  # fmt: skip


def event_points(snap: geodata.Snapshot) -> list[MapPoint]:
    """One marker per place with events that day (or per grid cell when there are too many places)."""
    located = list(filter(_located, snap.layers["event"]))
    by_place = aggregate.group_by(located, lambda f: f.properties["place_id"])
    places = [events[0] for events in by_place]
    groups = _grouped(places)
    if groups is not None:
        count_at = {id(events[0]): len(events) for events in by_place}
        return [_event_group(group, sum(count_at[id(f)] for f in group)) for group in groups]
    points: list[MapPoint] = []
    for events in by_place:
        props = [f.properties for f in events]
        lines = [f"{p['time_local'] + ': ' if p['time_local'] else ''}{p['name']}" for p in props]
        sources = list(dict.fromkeys(url for p in props for url in p["sources"]))
        confidence = geodata.weakest(p["confidence"] for p in props)
        count = f"{len(events)} event{'s' if len(events) > 1 else ''}"
        lat, lon = _position(events[0])
        # A small badge up and to the left of the place (its count of events), so that a city's own
        # circle stays free to click; it gathers with sites at the same spot.
        points.append({
            "lat": lat, "lon": lon, "label": str(len(events)), "side": "left",
            "gather": {"kind": "event", "code": ""},
            "style": {"color": palette.EVENT_FILL, "fillColor": "#ffffff", "textColor": "#000000"},
            "tooltip": {"title": props[0]["place"], "lines": [count]},
            "popup": {"title": f"{props[0]['place']}: {count}", "lines": lines, "sources": sources,
                      "confidence": confidence},
        })  # fmt: skip
    return points


def _event_group(group: list[geodata.Feature], count: int) -> MapPoint:
    lat, lon = _centre(group)
    title = f"{count:,} events in {len(group):,} places"
    return {
        "lat": lat, "lon": lon,
        "style": {"radius": 8, "color": palette.EVENT_FILL, "weight": 3, "fillColor": "#ffffff", "fillOpacity": 1},
        "tooltip": {"title": title, "lines": []},
        "popup": {"title": title, "lines": [aggregate.names_line([f.properties["place"] for f in group])],
                  "note": GROUPED_NOTE},
    }  # fmt: skip


def map_summary(snap: geodata.Snapshot, *, force: str) -> str:
    """The map's name for screen readers, with the day and its headline figures.

    Examples
    --------
    >>> import datetime as dt, geodata
    >>> snap = geodata.snapshot(geodata.load_record(), dt.date(2022, 1, 7))
    >>> map_summary(snap, force="CSTO")
    'Map: Kazakhstan on 7 January 2022 — about 1,730 CSTO troops, unrest in 14 cities'
    """
    cities = sum(1 for f in snap.layers["city"] if f.properties["unrest_level"])
    plural = "city" if cities == 1 else "cities"
    about = "about " if snap.troops_estimated else ""
    return (
        f"Map: {snap.host_name} on {long_date(snap.date)} — {about}{snap.troops_in_host:,} {force} "
        f"troops, unrest in {cities} {plural}"
    )


def legend(snap: geodata.Snapshot, layers: Collection[str], *, force: str) -> Legend:
    """The legend: the date, then one section per layer shown (with that day's counts), then notes."""
    from dashboard.layers import map_layers  # the registry imports this module's builders

    shown = [drawn for drawn in map_layers() if drawn.key in layers]
    sections = [section for drawn in shown if (section := drawn.legend(snap)) is not None]
    notes = [
        f"{force} troops in {snap.host_name}: {snap.troops_in_host:,}"
        + (" (includes estimates)" if snap.troops_estimated else ""),
        *(note for drawn in shown for note in drawn.notes(snap)),
    ]
    return {
        "date": snap.date.isoformat(),
        "title": long_date(snap.date),
        "sections": sections,
        "notes": notes,
    }


def country_legend(snap: geodata.Snapshot) -> LegendSection:
    """Each contingent in its colour, with its status and troops in the host that day.

    The colour is that of its country's outline, its trail, its troops and its site badges.
    """
    colours = contingent_colours(snap)
    rows: list[LegendRow] = []
    for feature in sorted(snap.contributors, key=lambda f: f.properties["iso3"]):
        props = feature.properties
        troops = props["troops_in_host"] or 0
        figure = f" · {troops:,}" + (" (est.)" if troops and props["troops_estimate"] else "")
        rows.append({
            "fill": colours[props["iso3"]],
            "label": f"{props['iso3']} · {palette.STATUS_LABEL[props['status']].lower()}"
            + (figure if troops else ""),
        })  # fmt: skip
    return {"heading": "Contingents", "rows": rows}


def base_points(snap: geodata.Snapshot) -> list[MapPoint]:
    """A chip at each contingent's home base giving its status that day ("RUS · deployed")."""
    colours = contingent_colours(snap)
    points: list[MapPoint] = []
    for feature in snap.layers["base"]:
        props = feature.properties
        status = props["status"]
        label = f"{props['iso3']} · {palette.STATUS_LABEL[status].lower()}"
        lat, lon = _position(feature)
        troops = troops_text({**props, "troops_low": None, "troops_high": None}, snap.host_name)
        # White with a border in the contingent's colour; the status is in the words.
        points.append({
            "lat": lat, "lon": lon, "label": label,
            "style": {"color": _colour(colours, props["iso3"]), "fillColor": "#ffffff",
                      "textColor": palette.STATUS_TEXT[status]},
            "tooltip": {"title": f"{props['contingent']}: {palette.STATUS_LABEL[status].lower()}",
                        "lines": [f"Home base: {props['name']}", troops]},
            "popup": card(props, f"Status: {palette.STATUS_LABEL[status]}", f"Home base: {props['name']}",
                          troops, title=props["contingent"]),
        })  # fmt: skip
    return points


def base_legend(snap: geodata.Snapshot) -> LegendSection | None:
    """None: the chips at the home bases say their status in words ("RUS · deployed")."""
    del snap
    return None


def region_legend(snap: geodata.Snapshot) -> LegendSection:
    """How many regions are under a state of emergency that day."""
    count = sum(f.properties["state_of_emergency"] for f in snap.layers["region"])
    total = len(snap.layers["region"])
    rows: list[LegendRow] = []
    if count:
        rows.append(
            {"fill": palette.EMERGENCY_FILL, "label": f"State of emergency ({count} of {total})"}
        )
    if count < total:
        rows.append(
            {"fill": palette.HOST_FILL, "label": f"No state of emergency ({total - count})"}
        )
    return {"heading": "Regions", "rows": rows}


def city_legend(snap: geodata.Snapshot) -> LegendSection:
    """Cities by unrest level that day."""
    levels = Counter(f.properties["unrest_level"] for f in snap.layers["city"])
    rows: list[LegendRow] = [
        {
            "fill": palette.UNREST_FILL[level],
            "shape": "circle",
            "label": f"{label} ({levels[level]})",
        }
        for level, label in UNREST_LABELS.items()
        if levels[level]
    ]
    return {"heading": "Cities", "rows": rows}


def site_legend(snap: geodata.Snapshot) -> LegendSection:
    """Guarded sites that day, on the map and not located."""
    sites = snap.layers["site"]
    located = sum(map(_located, sites))
    label = f"Guarded sites ({located} on the map, {len(sites) - located} not located)"
    return {"heading": "Sites", "rows": [{"fill": palette.SITE_FILL, "label": label}]}


def movement_legend(snap: geodata.Snapshot) -> LegendSection | None:
    """Legs under way that day, by phase (no section on a day without any)."""
    phases = Counter(f.properties["phase"] for f in snap.layers["movement"])
    rows: list[LegendRow] = [
        {
            "stroke": palette.MOVEMENT_COLOUR[phase],
            "shape": "line",
            "label": f"{phase.capitalize()} ({phases[phase]})",
        }
        for phase in palette.MOVEMENT_COLOUR
        if phases[phase]
    ]
    return {"heading": "Legs under way", "rows": rows} if rows else None


def event_legend(snap: geodata.Snapshot) -> LegendSection:
    """Places with events that day."""
    located = sum(map(_located, snap.layers["event"]))
    row: LegendRow = {
        "fill": "#ffffff",
        "stroke": palette.EVENT_FILL,
        "symbol": "2",
        "label": f"Events at a place, counted ({located} event{'' if located == 1 else 's'})",
    }
    chip: LegendRow = {
        "fill": "#ffffff",
        "stroke": "#111111",
        "symbol": "3",
        "label": "Sites and events at one spot: click to spread them",
    }
    return {"heading": "Events", "rows": [row, chip]}


def grouped_points_note(key: str, noun: str) -> Callable[[geodata.Snapshot], list[str]]:
    """A layer's note when its located features are drawn in groups rather than one by one."""

    def note(snap: geodata.Snapshot) -> list[str]:
        count = sum(map(_located, snap.layers[key]))
        if count > aggregate.MAX_MARKERS:
            return [f"{count:,} {noun} are drawn in groups: too many to read one by one."]
        return []

    return note


def event_notes(snap: geodata.Snapshot) -> list[str]:
    """Say on the map when events are drawn in groups."""
    places = {f.properties["place_id"] for f in snap.layers["event"] if _located(f)}
    if len(places) > aggregate.MAX_MARKERS:
        return [f"Events at {len(places):,} places are drawn in groups."]
    return []


def movement_notes(snap: geodata.Snapshot) -> list[str]:
    """Say on the map when legs are drawn as routes."""
    legs = len(snap.layers["movement"])
    if legs > aggregate.MAX_LINES:
        return [
            f"{legs:,} legs are drawn as routes (at most {aggregate.MAX_LINES}, busiest first)."
        ]
    return []


def share_urls(payloads: Any) -> list[str]:
    """Replace every card's ``sources`` URLs in ``payloads`` by numbers into the returned list.

    Examples
    --------
    >>> cards = [{"sources": ["https://a.example", "https://b.example"]}, {"sources": ["https://a.example"]}]
    >>> share_urls(cards), cards
    (['https://a.example', 'https://b.example'], [{'sources': [0, 1]}, {'sources': [0]}])
    """
    numbers: dict[str, int] = {}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "sources" and isinstance(value, list):
                    node[key] = [numbers.setdefault(url, len(numbers)) for url in value]
                else:
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(payloads)
    return list(numbers)
