"""What sits beside the map: troops that day, the troop chart, the day's story, downloads, sources."""

from __future__ import annotations

import copy
import datetime as dt
import weakref
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd
import streamlit as st
from markupsafe import Markup, escape

import geodata
from dashboard import exports
from dashboard.map_content import long_date
from dashboard.palette import STATUS_LABEL, contingent_colours

if TYPE_CHECKING:
    from collections.abc import Mapping

# A day's story longer than this is not read, only scrolled; the download has every event.
MAX_STORY_EVENTS = 40
_MEASURES = {
    "deaths": "Deaths",
    "security_deaths": "Deaths among security forces",
    "injured": "Injured",
    "detained": "Detained",
}


def page_title(record: geodata.Record) -> None:
    """The record's title (record text, so escaped) and what the page is for."""
    meta = record.meta
    st.html(
        Markup(
            "<h2>{}</h2><p>Day by day, {} to {}: move the Date slider or press Play. Every feature on the map "
            "cites its sources; click it for details.</p>"
        ).format(meta.title, long_date(meta.period_start), long_date(meta.period_end))
    )


def troops_today(record: geodata.Record, snap: geodata.Snapshot) -> None:
    """Troops in the host country that day, in total and by country, with the change from the day before."""
    yesterday = geodata.snapshot(record, snap.date - dt.timedelta(days=1))
    before = {f.properties["iso3"]: f.properties["troops_in_host"] for f in yesterday.contributors}
    rows = []
    for feature in snap.contributors:
        props = feature.properties
        count = props["troops_in_host"]
        rows.append({
            # The table's own CSV download opens in spreadsheets: record text must not be a formula.
            "Country": geodata.spreadsheet_safe(props["name"]),
            "Status": STATUS_LABEL[props["status"]],
            "Troops": count,
            "Change": count - before.get(props["iso3"], 0),
            "Figure": "estimate" if props["troops_estimate"] else "reported",
        })  # fmt: skip
    change = snap.troops_in_host - yesterday.troops_in_host
    # st.metric reads its label and help as Markdown: record text goes through escaped HTML instead.
    st.html(Markup("<strong>{} troops in {}</strong>").format(record.meta.force, record.host_name))
    st.metric(
        "Troops in the host country",
        f"{snap.troops_in_host:,}",
        delta=f"{change:+,} from the day before" if change else None,
        label_visibility="collapsed",
    )
    if record.meta.troops_note:
        st.html(Markup("<small>{}</small>").format(record.meta.troops_note))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def troop_chart(record: geodata.Record, day: dt.date) -> None:
    """Troops by contingent over the whole period, with the selected day marked."""
    spec = copy.deepcopy(_troop_chart_spec(record))
    spec["layer"][1]["data"] = {"values": [{"date": day.isoformat()}]}
    st.vega_lite_chart(spec, width="stretch", key="troop_chart")


# Specs live as long as their record does: a cache of its own would keep dropped records alive.
_CHART_SPECS: weakref.WeakKeyDictionary[geodata.Record, dict[str, Any]] = (
    weakref.WeakKeyDictionary()
)


def _troop_chart_spec(record: geodata.Record) -> dict[str, Any]:
    """The chart as a Vega-Lite spec, built once per record: only the day's rule changes per step."""
    spec = _CHART_SPECS.get(record)
    if spec is None:
        spec = _CHART_SPECS[record] = _build_troop_chart_spec(record)
    return spec


def _build_troop_chart_spec(record: geodata.Record) -> dict[str, Any]:
    series = geodata.troop_series(record)
    # One row a day, one column per contingent: the chart's data is re-sent on every step, so keep it small.
    wide = series.pivot(index="date", columns="iso3", values="troops_in_host").reset_index()
    wide["date"] = wide["date"].map(dt.date.isoformat)
    contingents = [column for column in wide.columns if column != "date"]
    colours = contingent_colours(contingents)  # the same colours as on the map
    area = (
        alt.Chart(wide)
        .transform_fold(contingents, as_=["contingent", "troops"])
        .mark_area()
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%d %b")),
            y=alt.Y("troops:Q", stack=True, title=f"Troops in {record.host_name}"),
            color=alt.Color(
                "contingent:N",
                title="Contingent",
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
            ),
            tooltip=["contingent:N", alt.Tooltip("date:T", format="%d %b %Y"), "troops:Q"],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"date": [record.meta.period_start.isoformat()]}))
        .mark_rule(color="black")
        .encode(x="date:T")
    )
    spec: dict[str, Any] = (area + rule).to_dict()
    # Inline the data sets so that each layer carries its own (the rule's is replaced per step).
    datasets = spec.pop("datasets", {})
    for layer in spec["layer"]:
        if "data" in layer and "name" in layer["data"]:
            layer["data"] = {"values": datasets[layer["data"]["name"]]}
    spec.pop("data", None)
    return spec


def day_story(snap: geodata.Snapshot) -> None:
    """The day's events and figures in plain text with sources: also how a screen reader follows the map."""
    items = []
    events = snap.layers["event"]
    for feature in events[:MAX_STORY_EVENTS]:
        props = feature.properties
        when = f"{props['time_local']}, " if props["time_local"] else ""
        where = f"{props['place']}: " if props["place"] else ""
        items.append(
            Markup("<li><strong>{}{}</strong>{} {}</li>").format(
                when, where, props["name"], _citation(props)
            )
        )
    if len(events) > MAX_STORY_EVENTS:
        rest = len(events) - MAX_STORY_EVENTS
        items.append(
            Markup("<li>… and {:,} more events: Download GeoJSON lists them all.</li>").format(rest)
        )
    story = Markup("").join(items) or Markup("<li>No events recorded for this day.</li>")
    figures = Markup("").join(
        Markup("<li>{}: {}{:,} ({}, {}) {}</li>").format(
            _MEASURES[row["measure"]], f"{row['qualifier']} " if row["qualifier"] else "", row["value"],
            row["attributed_to"], long_date(row["date"]), _citation(row),
        )
        for row in snap.latest_figures.values()
    )  # fmt: skip
    figures_block = (
        Markup("<h4>Figures reported so far</h4><ul>{}</ul>").format(figures) if figures else ""
    )
    st.html(
        Markup(
            '<section aria-live="polite" aria-label="What happened this day">'
            "<h3>What happened on {}</h3><ul>{}</ul>{}</section>"
        ).format(long_date(snap.date), story, figures_block)
    )


def unlocated_sites(snap: geodata.Snapshot) -> None:
    """Guarded sites that no source locates: listed here, never drawn at a made-up point."""
    rows = [f.properties for f in snap.layers["site"] if f.geometry is None][:MAX_STORY_EVENTS]
    if rows:
        items = Markup("").join(
            Markup("<li>{} ({}) {}</li>").format(
                props["name"], props["contingent"], _citation(props)
            )
            for props in rows
        )
        st.html(Markup("<h4>Guarded that day, location unknown</h4><ul>{}</ul>").format(items))


def downloads(record: geodata.Record, day: dt.date, layers: tuple[str, ...]) -> None:
    """Download the day's GeoJSON (exactly what the map shows) and the whole timeline.

    Plain links to the app's export route: the file is made when the browser asks for it.
    """
    link = Markup(
        '<a href="{}" download="{}" role="button" title="{}" style="display:block;text-align:center;'
        "padding:0.45rem 0.75rem;border:1px solid rgba(49,51,63,0.2);border-radius:0.5rem;"
        'color:inherit;text-decoration:none">{}</a>'
    )
    day_file, all_file = exports.day_file(record, day, layers), exports.timeline_file(record)
    left, right = st.columns(2)
    with left:
        st.html(link.format(day_file.url, day_file.name, _DAY_HELP, "Download GeoJSON"))
    with right:
        st.html(link.format(all_file.url, all_file.name, _ALL_HELP, "Download whole timeline"))


_DAY_HELP = "The chosen layers on this day: the same bytes as python -m geodata export --date …"
_ALL_HELP = (
    "Every day as features with valid_from/valid_to, for QGIS's temporal controller or kepler.gl"
)


def about(record: geodata.Record) -> None:
    """Where the data comes from, its licence, and how to read the figures."""
    meta = record.meta
    with st.expander("About the data"):
        st.html(
            Markup(
                "<p>{} (version {}). {}.</p><p>Licence: {}.</p><p>Times are {}. Every map feature lists its "
                "sources and a confidence level (high: official and reported by several outlets; medium: a "
                "single credible report; low: unverified or an estimate). Claims are attributed to whoever "
                "made them.</p>"
            ).format(
                meta.title, meta.version, meta.attribution, meta.licence, meta.timezone or "local"
            )
        )


def _citation(props: Mapping[str, Any]) -> Markup:
    links = Markup(", ").join(
        Markup('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>').format(
            url, _host(url)
        )
        for url in props["sources"]
        if geodata.is_source_url(url)
    )
    return Markup("<small>[{}; confidence {}]</small>").format(links, escape(props["confidence"]))


def _host(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return host.removeprefix("www.")
