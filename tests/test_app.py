"""AppTest: the page's wiring (slider, URL, layers, downloads) and that the map is never re-mounted."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import urllib.parse
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import geodata
from dashboard import exports
from dashboard.publish import story_html
from tests.support.day_map import shown_day

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
DAYS = [dt.date(2022, 1, n) for n in range(1, 21)]
OPENING_DAY = dt.date(2022, 1, 7)  # record.toml's default_date


def start(**params: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        app.query_params[name] = value
    return app.run()


def micros(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp() * 1e6


def map_component(app: AppTest):
    (component,) = app.get("component_instance")
    return component.proto


def feature_group(app: AppTest) -> str:
    return json.loads(map_component(app).json_args)["feature_group"]


@pytest.fixture(scope="module")
def app() -> AppTest:
    return start()


def test_every_day_runs_without_exception_and_keeps_the_same_map(app):
    """The map's arguments never change with the day: the browser follows the slider itself."""
    first = map_component(app)
    for day in DAYS:
        app.slider(key="date").set_value(day).run()
        assert not app.exception, day
        assert not app.error, day
        assert map_component(app).id == first.id, f"map re-mounted on {day}"
        assert map_component(app).json_args == first.json_args, day
        assert shown_day(feature_group(app), day)["date"] == day.isoformat()
        assert app.query_params["date"] == day.isoformat()


def test_the_slider_spans_the_record_one_day_a_step(app):
    slider = app.slider(key="date")
    assert slider.label == "Date"
    assert (slider.min, slider.max) == (
        micros(DAYS[0]),
        micros(DAYS[-1]),
    )  # the proto keeps epoch microseconds
    assert slider.step == dt.timedelta(days=1).total_seconds() * 1e6


def test_a_link_opens_its_date_and_layers():
    app = start(date="2022-01-08", layers="country,site")
    assert app.slider(key="date").value == dt.date(2022, 1, 8)
    assert app.multiselect(key="layers").value == ["country", "site"]
    day = shown_day(feature_group(app), dt.date(2022, 1, 8))
    assert '"KGZ"' in json.dumps(day)  # the Kyrgyz guard at TETs-2
    drawn = [group["name"] for group in day["groups"]]
    assert "Cities: unrest" not in drawn  # layer not chosen, not drawn
    assert "Guarded sites" in drawn
    assert not app.warning


@pytest.mark.parametrize(
    "bad", ["2022-13-45", "2023-01-07", "<script>alert(1)</script>", "x" * 5000, ""]
)
def test_a_bad_date_in_the_link_warns_and_shows_the_default(bad):
    app = start(date=bad)
    assert not app.exception
    assert app.slider(key="date").value == OPENING_DAY
    assert len(app.warning) == 1
    assert "<script>" not in app.warning[0].value


def test_unknown_layers_in_the_link_warn_and_fall_back():
    app = start(layers="tanks,<b>")
    assert not app.exception
    assert app.multiselect(key="layers").value == list(geodata.LAYERS)
    assert "not known" in app.warning[0].value


def test_step_buttons_move_one_day_and_stop_at_the_ends():
    app = start(date="2022-01-19")
    app.button(key="step_forward").click().run()
    assert app.slider(key="date").value == DAYS[-1]
    app.button(key="step_forward").click().run()
    assert app.slider(key="date").value == DAYS[-1]
    app.button(key="step_back").click().run()
    assert app.slider(key="date").value == dt.date(2022, 1, 19)


def test_play_advances_a_day_per_tick_and_stops_at_the_end():
    app = start(date="2022-01-18")
    app.button(key="play_button").click().run()
    assert app.session_state["playing"]
    assert app.slider(key="date").value == dt.date(2022, 1, 18)  # the click itself does not step
    for expected in (dt.date(2022, 1, 19), DAYS[-1]):
        app.session_state["last_tick"] = 0.0  # as if a tick's time had passed
        app.run()
        assert app.slider(key="date").value == expected
    app.run()
    assert app.slider(key="date").value == DAYS[-1]  # a run sooner than a tick does not step
    app.session_state["last_tick"] = 0.0
    app.run()
    assert not app.session_state["playing"]
    assert app.button(key="play_button").label == "▶ Play"


def test_play_on_the_last_day_starts_again_from_the_first():
    app = start(date="2022-01-20")
    app.button(key="play_button").click().run()
    assert app.slider(key="date").value == DAYS[0]


def troop_total(app: AppTest) -> str:
    (total,) = (html_ for html_ in app.get("html") if 'class="kz-total"' in html_.proto.body)
    return re.search(r'class="kz-total">([^<]+)<', total.proto.body).group(1)


def test_on_a_day_of_withdrawal_the_total_says_contingents_are_leaving():
    app = start(date="2022-01-14")
    (change,) = (h.proto.body for h in app.get("html") if 'class="kz-total-change"' in h.proto.body)
    assert "5 contingents leaving, still counted" in change
    app.slider(key="date").set_value(dt.date(2022, 1, 10)).run()
    (change,) = (h.proto.body for h in app.get("html") if 'class="kz-total-change"' in h.proto.body)
    assert "leaving" not in change


def test_the_troops_table_gives_no_figure_for_a_contingent_not_yet_there():
    app = start(date="2022-01-05")
    (table,) = (
        h.proto.body for h in app.get("html") if '<section class="kz-troop-table"' in h.proto.body
    )
    rows = re.findall(r"<tr><th scope=\"row\">([^<]+)</th>(.*?)</tr>", table)
    assert rows and all(cells.count("<td>—</td>") == 3 for _, cells in rows), rows
    app.slider(key="date").set_value(dt.date(2022, 1, 10)).run()
    (table,) = (
        h.proto.body for h in app.get("html") if '<section class="kz-troop-table"' in h.proto.body
    )
    assert "<td>1,500</td>" in table  # Russia's best figure, once it is there


def test_troop_total_follows_the_day():
    app = start(date="2022-01-10")
    assert troop_total(app) == "about 2,030"  # Russia's and Belarus's figures are estimates
    app.slider(key="date").set_value(dt.date(2022, 1, 15)).run()
    assert troop_total(app) == "about 1,000"  # Russia alone, stepping down as its flights landed


def test_a_plain_link_opens_on_the_records_default_date_with_its_headline():
    app = start()
    assert app.slider(key="date").value == OPENING_DAY
    assert not app.warning
    bodies = " ".join(element.proto.body for element in app.get("html"))
    assert "7 Jan 2022:" in bodies
    assert "shoot to kill" in bodies


def test_play_pause_and_speed_change_the_timer_with_one_full_run():
    app = start(date="2022-01-08")
    app.button(key="play_button").click().run()
    assert app.session_state["playing"]
    app.selectbox(key="speed").set_value("Fast").run()
    assert app.session_state["speed"] == "Fast"
    assert app.slider(key="date").value == dt.date(2022, 1, 8)  # a new speed is not a step
    app.button(key="play_button").click().run()
    assert not app.session_state["playing"]
    assert app.button(key="play_button").label == "▶ Play"


def test_downloads_link_to_exports_made_when_fetched():
    app = start(date="2022-01-07", layers="country,city")
    links = re.findall(
        r'href="([^"]+)" download="([^"]+)"',
        " ".join(str(element.proto.body) for element in app.get("html")),
    )
    (day_url, day_name), (csv_url, csv_name), (all_url, all_name), (page_url, page_name) = [
        (html.unescape(u), n) for u, n in links
    ]
    assert page_name == "kz-jan2022_story.html"
    assert day_name == "kz-jan2022_2022-01-07_country-city.geojson"
    assert all_name == "kz-jan2022_2022-01-01_2022-01-20_timeline.geojson"
    assert csv_name == "kz-jan2022_2022-01-07_events-and-figures.csv"
    record = geodata.load_record()
    seventh = dt.date(2022, 1, 7)
    for url, name, expected in (
        (day_url, day_name, geodata.feature_collection_bytes(record, seventh, ("country", "city"))),
        (all_url, all_name, geodata.timeline_bytes(record)),
        (csv_url, csv_name, geodata.story_csv_bytes(geodata.snapshot(record, seventh))),
        (page_url, page_name, story_html(record).encode("utf-8")),
    ):
        path, _, query = url.partition("?")
        route, token, file_name = path.rsplit("/", 2)
        assert route == exports.EXPORT_ROUTE and file_name == name
        chunks = exports.requested(token, name, dict(urllib.parse.parse_qsl(query)))
        assert chunks is not None and b"".join(chunks) == expected


@pytest.mark.parametrize(
    "query",
    [
        {"date": "2022-01-07", "layers": "country,tanks"},
        {"date": "2023-01-07", "layers": "country"},
        {"date": "not-a-date", "layers": "country"},
        {"date": "2022-01-08", "layers": "country,city"},  # not the date the name says
        {"date": "2022-01-07", "story": "1"},  # not the name the page gave for the CSV
    ],
)
def test_an_export_url_asks_only_for_what_the_page_gave(query):
    app = start(date="2022-01-07", layers="country,city")
    body = " ".join(str(element.proto.body) for element in app.get("html"))
    url = html.unescape(re.findall(r'href="(/kz/export/[^"]+)"', body)[0])
    token, name = url.split("?")[0].rsplit("/", 2)[1:]
    assert exports.requested(token, name, query) is None
    assert (
        exports.requested("not-a-token", name, {"date": "2022-01-07", "layers": "country,city"})
        is None
    )


def test_download_labels_give_the_day_the_layers_and_the_size():
    app = start(date="2022-01-07", layers="country,city,site")
    body = html.unescape(" ".join(str(element.proto.body) for element in app.get("html")))
    record = geodata.load_record()
    size = len(
        geodata.feature_collection_bytes(record, dt.date(2022, 1, 7), ("country", "city", "site"))
    )
    assert f"7 Jan 2022 · 3 layers · GeoJSON, {round(size / 1024):,} KB" in body
    timeline = len(geodata.timeline_bytes(record))
    assert f"All 20 days · all layers · GeoJSON, {timeline / 2**20:.1f} MB" in body
    assert "7 Jan 2022 · events and figures · CSV" in body


def test_hiding_a_layer_changes_the_days_download():
    app = start(date="2022-01-07")
    app.multiselect(key="layers").unselect("site").run()
    body = " ".join(str(element.proto.body) for element in app.get("html"))
    names = re.findall(r'download="([^"]+\.geojson)"', body)
    kept = "-".join(key for key in geodata.LAYERS if key != "site")
    assert f"kz-jan2022_2022-01-07_{kept}.geojson" in names
    (button,) = app.get("popover")
    assert (
        button.proto.popover.label == f"Layers · {len(geodata.LAYERS) - 1} of {len(geodata.LAYERS)}"
    )


def test_the_days_story_lists_its_events_with_sources():
    app = start(date="2022-01-13")
    text = " ".join(str(element.proto) for element in app.get("html"))
    assert "Send-off ceremony" in text
    assert "https://en.inform.kz/" in text


def test_a_broken_record_shows_a_message_not_a_traceback(tmp_path, monkeypatch):
    (tmp_path / "record.toml").write_text("title = 'broken'\n")
    monkeypatch.setenv("KZ_RECORD_DIR", str(tmp_path))
    app = start()
    assert not app.exception
    assert "could not be loaded" in app.error[0].value
    assert "record.toml" in app.code[0].value


def test_the_troop_chart_shows_the_totals_range_as_a_band():
    app = start(date="2022-01-16")
    (chart,) = app.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    band = next(layer for layer in spec["layer"] if "y2" in layer.get("encoding", {}))
    values = {row["date"]: row for row in band["data"]["values"]}
    # Russia's strength on 16 January is reported as a range well below its peak (strengths.csv).
    assert values["2022-01-16"]["troops_low"] < values["2022-01-16"]["troops_high"]
    assert values["2022-01-10"]["troops_high"] >= 2030 >= values["2022-01-10"]["troops_low"]
    # The same chart on every day: after the first run the browser is sent only its hash.
    app.slider(key="date").set_value(dt.date(2022, 1, 17)).run()
    (after,) = app.get("vega_lite_chart")
    assert after.proto == chart.proto
