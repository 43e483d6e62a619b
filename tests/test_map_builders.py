"""The map builders without a browser: what the base map and each day's groups hold."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest

import geodata
from dashboard import map_content, palette
from dashboard.assets import MapAssets
from dashboard.map_builders import GROUP_NAMES, build_base_map, build_day_groups

ASSETS = MapAssets(
    js=(("leaflet", "/component/x/leaflet.js"), ("kz_map", "/component/y/kz_map.js")),
    css=(("leaflet_css", "/component/x/leaflet.css"),),
    countries_url="/component/z/countries.geojson",
    regions_url="/component/z/regions.geojson",
)


def snap(record, number: int) -> geodata.Snapshot:
    return geodata.snapshot(record, dt.date(2022, 1, number))


def rendered(group) -> str:
    group.add_to(build_base_map(ASSETS))
    return group.get_root().render()


def test_base_map_loads_nothing_from_a_cdn():
    base = build_base_map(ASSETS)
    assert [url for _, url in base.default_js] == [
        "/component/x/leaflet.js",
        "/component/y/kz_map.js",
    ]
    html = base.get_root().render()
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html and "bootstrap" not in html


def test_base_map_is_the_same_on_every_run():
    """Identical base-map JS means streamlit-folium never re-mounts the map (its key hashes this JS)."""
    from streamlit_folium import _get_map_string, generate_js_hash

    first, second = _get_map_string(build_base_map(ASSETS)), _get_map_string(build_base_map(ASSETS))
    assert generate_js_hash(first, "map", False) == generate_js_hash(second, "map", False)
    assert "2022-" not in first  # nothing date-dependent in the base map


def test_polygons_are_fetched_not_embedded():
    html = build_base_map(ASSETS).get_root().render()
    assert "/component/z/countries.geojson" in html
    assert '"coordinates"' not in html


def test_each_chosen_layer_gets_a_group_and_nothing_else(record):
    groups = build_day_groups(snap(record, 10), layers=("country", "city"))
    assert [g.layer_name for g in groups] == [GROUP_NAMES["status"], GROUP_NAMES["city"]]
    everything = build_day_groups(snap(record, 10), layers=geodata.LAYERS)
    assert [g.layer_name for g in everything] == [
        GROUP_NAMES[k]
        for k in ("status", "route", "movement", "troops", "city", "site", "base", "event")
    ]


def test_contributors_are_outlined_and_their_status_is_written_at_home(record):
    during = map_content.country_styles(snap(record, 10))["styles"]
    colours = palette.contingent_colours(["ARM", "BLR", "KGZ", "RUS", "TJK"])
    assert during["RUS"]["color"] == colours["RUS"]
    assert during["RUS"]["fillColor"] == palette.CONTRIBUTOR_FILL  # a light tint, not a status fill
    assert during["KAZ"]["fillColor"] == palette.HOST_FILL
    assert "UZB" not in during  # context countries keep the neutral basemap style
    chips = {
        n: {p["label"]: p["style"] for p in map_content.base_points(snap(record, n))}
        for n in (5, 10, 20)
    }
    # White chips edged in the contingent's colour; the status is in the words, greyed when away.
    assert chips[5]["RUS · not deployed"]["textColor"] == palette.STATUS_TEXT["not_deployed"]
    assert chips[10]["RUS · deployed"]["color"] == colours["RUS"]
    assert chips[20]["ARM · withdrawn"]["textColor"] == palette.STATUS_TEXT["withdrawn"]
    popup = map_content.country_styles(snap(record, 10))["popups"]["RUS"]
    assert any("estimate" in line for line in popup["lines"])
    # Medium: Russia's "deployed" phase rests only on aggregator reports (see validate's summary).
    assert popup["sources"] and popup["confidence"] == "medium"


def test_regions_are_shaded_only_under_a_state_of_emergency(record):
    on_13th = map_content.region_styles(snap(record, 13))["styles"]
    assert "west-kazakhstan" not in on_13th  # lifted at 07:00 on the 13th
    assert on_13th["almaty-city"]["fillColor"] == palette.EMERGENCY_FILL
    assert map_content.region_styles(snap(record, 19))["styles"] == {}


def test_cities_are_sized_and_coloured_by_unrest(record):
    points = {p["tooltip"]["title"]: p for p in map_content.city_points(snap(record, 5))}
    assert points["Almaty"]["style"]["fillColor"] == palette.UNREST_FILL[3]
    assert points["Almaty"]["style"]["radius"] > points["Semey"]["style"]["radius"]
    assert points["Almaty"]["popup"]["sources"]


def test_guarded_sites_carry_the_guards_country_and_skip_unlocated_ones(record):
    labels = {p["tooltip"]["title"]: p["label"] for p in map_content.site_points(snap(record, 10))}
    assert labels["Almaty TETs-2 (combined heat and power plant 2, 'Aitkali Zhakutov')"] == "KGZ"
    assert (
        "'Druzhba' water intake, Almaty" not in labels
    )  # unlocated: listed beside the map instead
    assert map_content.site_points(snap(record, 20)) == []


def test_movement_lines_run_from_origin_to_destination_on_their_days(record):
    lines = map_content.movement_lines(snap(record, 14))
    titles = {line["tooltip"]["title"] for line in lines}
    assert "Zhetygen military airfield (600th Guards Air Base) → Machulishchy air base" in titles
    kyrgyz = next(
        line
        for line in lines
        if line["tooltip"]["title"].endswith("→ Tokmok ('Scorpion' special forces garrison)")
    )
    assert kyrgyz["coordinates"][-1] == pytest.approx([42.84194, 75.30149])
    assert map_content.movement_lines(snap(record, 10)) == []


def test_legend_states_the_date_and_the_counts(record):
    legend = map_content.legend(snap(record, 14), geodata.LAYERS, force="CSTO")
    assert legend["title"] == "14 January 2022"
    text = json.dumps(legend, ensure_ascii=False)
    assert "RUS · withdrawing · 1,500 (est.)" in text
    assert "State of emergency (10 of 17)" in text
    assert "No state of emergency (7)" in text
    assert "CSTO troops in Kazakhstan: 2,030 (includes estimates)" in legend["notes"]


def test_record_text_is_escaped_in_the_map_script(record):
    """Hostile names reach the map as JSON string data, never as markup or script."""
    hostile = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    day = snap(record, 10)
    feature = day.layers["city"][0]
    poisoned = feature._replace(properties={**feature.properties, "name": hostile})
    layers = {**day.layers, "city": (poisoned, *day.layers["city"][1:])}
    day = dataclasses.replace(day, layers=layers)
    html = rendered(build_day_groups(day, layers=("city",))[1])
    assert hostile not in html
    assert "<img" not in html and "</script><script>alert" not in html
    assert re.search(r"\\u003c/script\\u003e", html)


def crowded(record, layer: str, copies: int) -> geodata.Snapshot:
    """A day whose ``layer`` holds ``copies`` jittered copies of its features."""
    import shapely

    day = snap(record, 5)
    originals = [f for f in day.layers[layer] if f.geometry is not None]
    many = []
    for i in range(copies):
        feature = originals[i % len(originals)]
        point = shapely.Point(
            feature.geometry.x + (i % 97) * 0.05, feature.geometry.y + (i % 89) * 0.03
        )
        many.append(
            feature._replace(geometry=point, properties={**feature.properties, "id": f"c{i}"})
        )
    return dataclasses.replace(day, layers={**day.layers, layer: tuple(many)})


def test_thousands_of_cities_are_grouped_and_the_legend_says_so(record):
    from dashboard.aggregate import MAX_MARKERS

    day = crowded(record, "city", 5000)
    points = map_content.city_points(day)
    assert 1 < len(points) <= MAX_MARKERS
    assert sum(int(p["tooltip"]["title"].split()[0].replace(",", "")) for p in points) == 5000
    worst = max(f.properties["unrest_level"] for f in day.layers["city"])
    assert any(p["style"]["fillColor"] == palette.UNREST_FILL[worst] for p in points)
    assert any(
        "drawn in groups" in note
        for note in map_content.legend(day, geodata.LAYERS, force="X")["notes"]
    )


def test_a_few_cities_are_drawn_one_by_one(record):
    assert len(map_content.city_points(snap(record, 5))) == len(snap(record, 5).layers["city"])
    assert not any(
        "groups" in note
        for note in map_content.legend(snap(record, 5), geodata.LAYERS, force="X")["notes"]
    )


def test_templates_are_compiled_once_and_the_map_renders_the_same():
    import jinja2

    from dashboard.leaflet_elements import compile_templates_once

    base = build_base_map(ASSETS).get_root().render()
    compile_templates_once()
    compile_templates_once()  # idempotent
    assert jinja2.Template("{{ 1 + 1 }}") is jinja2.Template("{{ 1 + 1 }}")
    assert jinja2.Template("{{ 1 + 1 }}").render() == "2"
    again = build_base_map(ASSETS).get_root().render()
    # Element names carry a counter; the rest of the page is the same.
    assert re.sub(r"_[0-9a-f]{32}", "", again) == re.sub(r"_[0-9a-f]{32}", "", base)
