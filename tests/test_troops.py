"""Troops on the ground: a symbol per contingent in the host, sized by its troops, and the day's total.

Figures from facts.md: 2,030 personnel on 10 January (Tokayev); the first Russian units on 6 January;
the last contingent left on 19 January.
"""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

import geodata
from dashboard import map_content


def day(n: int) -> dt.date:
    return dt.date(2022, 1, n)


def host_outline(record: geodata.Record) -> shapely.Geometry:
    return record.countries.loc[record.meta.host_iso3, "geometry"]


def test_no_one_is_on_the_ground_before_the_6th_or_after_the_19th(record):
    for n in (1, 5, 20):
        assert geodata.snapshot(record, day(n)).layers["troops"] == ()


def test_on_10_january_every_contingent_is_placed_inside_the_host(record):
    snap = geodata.snapshot(record, day(10))
    troops = snap.layers["troops"]
    assert sorted(f.properties["iso3"] for f in troops) == ["ARM", "BLR", "KGZ", "RUS", "TJK"]
    assert sum(f.properties["troops"] for f in troops) == snap.troops_in_host == 2030
    outline = host_outline(record)
    assert all(outline.contains(f.geometry) for f in troops)
    kgz = next(f.properties for f in troops if f.properties["iso3"] == "KGZ")
    assert kgz["placement"] == "guarded sites" and "TETs-2" in kgz["placed_at"]


def test_the_symbols_area_follows_the_troops_and_the_badge_gives_the_total(record):
    snap = geodata.snapshot(record, day(10))
    points = map_content.troop_points(snap)
    circles, (badge,) = points[:-1], points[-1:]
    radii = {p["tooltip"]["title"]: p["style"]["radius"] for p in circles}
    russia, kyrgyz = radii["Russian contingent"], radii["Kyrgyz contingent"]
    assert (russia / kyrgyz) ** 2 == pytest.approx(1500 / 150)
    assert badge["label"] == "about 2,030 troops"  # Russia's and Belarus's figures are estimates
    assert host_outline(record).contains(shapely.Point(badge["lon"], badge["lat"]))
    # Drawn largest first, so the small contingents at the airport stay on top.
    assert [p["style"]["radius"] for p in circles] == sorted(radii.values(), reverse=True)


def test_the_key_lists_each_contingent_in_the_charts_colours_with_its_troops(record):
    snap = geodata.snapshot(record, day(7))
    section = map_content.country_legend(snap)
    labels = [row["label"] for row in section["rows"]]
    assert labels == [
        "ARM · deploying",
        "BLR · deployed · 80 (est.)",
        "KGZ · deploying · 150",
        "RUS · deploying · 1,500 (est.)",
        "TJK · deploying",
    ]
    colours = map_content.contingent_colours(snap)
    assert [row["fill"] for row in section["rows"]] == [colours[c] for c in sorted(colours)]
    assert map_content.troops_legend(snap) is not None
    assert map_content.troops_legend(geodata.snapshot(record, day(2))) is None
