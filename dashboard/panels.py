"""What sits beside the map: troops that day, the troop chart, the day's story, downloads, sources."""

from __future__ import annotations

import datetime as dt
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

import altair as alt
import streamlit as st
from markupsafe import Markup, escape

import geodata
from dashboard import exports
from dashboard.map_content import long_date
from dashboard.palette import STATUS_LABEL, contingent_colours

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# A day's story longer than this is not read, only scrolled; the download has every event.
MAX_STORY_EVENTS = 40
_PAGE_CSS = (Path(__file__).parent / "static" / "page.css").read_text(encoding="utf-8")
# Events listed beside the map; the full story is below it.
FEED_EVENTS = 3


def page_style() -> None:
    """The page's own styles: a map-first layout (see static/page.css)."""
    st.html(Markup("<style>{}</style>").format(Markup(_PAGE_CSS)))


def page_title(record: geodata.Record) -> None:
    """The record's title (record text, so escaped), what the page is for, and a way past the map."""
    meta = record.meta
    st.html(
        Markup(
            '<a class="kz-skip" href="#story">Skip the map: read the day\'s story</a>'
            '<h1>{}</h1><p class="kz-subtitle">Day by day, {} to {}. Every feature on the map cites '
            "its sources: click it for details.</p>"
        ).format(meta.title, long_date(meta.period_start), long_date(meta.period_end))
    )


def headline(snap: geodata.Snapshot) -> None:
    """The day's date and headline with its outlets: what screen readers hear on every step."""
    event = snap.headline
    text = event.properties["headline"] if event else "No headline recorded for this day."
    outlets = _outlet_chips(event.properties["sources"]) if event else Markup("")
    st.html(
        Markup(
            '<p class="kz-headline" aria-live="polite"><span class="kz-headline-date">{}</span>{}</p>'
            '<div class="kz-outlets">{}</div>'
        ).format(f"{snap.date.day} {snap.date:%b %Y}:", text, outlets)
    )


# One strip per record: it does not change with the day (the slider's thumb shows the day).
_TRACKS: weakref.WeakKeyDictionary[geodata.Record, Markup] = weakref.WeakKeyDictionary()
_TRACK_BAR_PX = 16


def timeline_track(record: geodata.Record) -> Markup:
    """The record's days under the Date slider, aligned with it.

    A bar per day for its events, a band while troops were in the country, and the key days (events
    with a ``milestone``) named.
    """
    track = _TRACKS.get(record)
    if track is None:
        track = _TRACKS[record] = _build_track(record)
    return track


def _build_track(record: geodata.Record) -> Markup:
    days = record.meta.days
    last = max(len(days) - 1, 1)
    per_day = record.table("events")["date"].value_counts()
    counts = [int(per_day.get(day, 0)) for day in days]
    troops = geodata.troop_series(record).groupby("date")["troops_in_host"].sum()
    most = max(counts) or 1
    marks = geodata.milestones(record)
    parts = []
    step = f"{100 / last:.3f}%"
    for i, (day, count) in enumerate(zip(days, counts, strict=True)):
        at = f"{100 * i / last:.3f}%"
        if int(troops.get(day, 0)):
            parts.append(
                Markup('<span class="kz-track-troops" style="left:{};width:{}"></span>').format(
                    at, step
                )
            )
        if count:
            height = max(2, round(_TRACK_BAR_PX * count / most))
            parts.append(
                Markup('<span class="kz-track-bar" style="left:{};height:{}px"></span>').format(
                    at, height
                )
            )
    labels = Markup("").join(
        Markup('<span class="kz-track-mark" style="left:{}">{}</span>').format(
            f"{100 * days.index(day) / last:.3f}%", label
        )
        for day, label in marks.items()
    )
    return Markup(
        '<div class="kz-track" aria-hidden="true"><div class="kz-track-days">{}</div>'
        '<div class="kz-track-marks">{}</div></div>'
    ).format(Markup("").join(parts), labels)


def troop_total(record: geodata.Record, snap: geodata.Snapshot, before: geodata.Snapshot) -> Markup:
    """The day's troops in the host country, and the change from ``before``, the day before."""
    change = snap.troops_in_host - before.troops_in_host
    # A contingent counts until the day after it has left: on a day of withdrawal with no change
    # yet, say so, or "no change" reads as if nothing happened.
    leaving = sum(1 for f in snap.contributors if f.properties["status"] == "withdrawing")
    if change:
        notes = [f"{change:+,} from the day before"]
    elif leaving:
        notes = [f"{leaving} contingent{'s' if leaving != 1 else ''} leaving, still counted"]
    else:
        notes = ["no change from the day before"]
    # A total that adds up estimates is itself one: it says "about".
    total = (
        f"about {snap.troops_in_host:,}" if snap.troops_estimated else f"{snap.troops_in_host:,}"
    )
    if snap.troops_estimated:
        notes.append("includes estimates")
    return Markup(
        '<p class="kz-rail-heading">{} troops in {}</p><div class="kz-total">{}</div>'
        '<div class="kz-total-change">{}</div>'
    ).format(record.meta.force, record.host_name, total, " · ".join(notes))


def troop_table(record: geodata.Record, snap: geodata.Snapshot, before: geodata.Snapshot) -> None:
    """Troops in the host country that day by country, with the change from ``before``.

    A plain table: five rows read better, and aloud, as text than in a data grid. No date in it
    (the story beside it has the day's): on a day with no change it is the day before's, and the
    browser is sent only its hash.
    """
    previous = {f.properties["iso3"]: f.properties["troops_in_host"] for f in before.contributors}
    rows = []
    for feature in snap.contributors:
        props = feature.properties
        count = props["troops_in_host"]
        change = count - previous.get(props["iso3"], 0)
        figures = (
            ("—", "—", "—")  # not there yet: no troops to count, no figure
            if props["status"] == "not_deployed"
            else (
                f"{count:,}",
                f"{change:+,}" if change else "0",
                "estimate" if props["troops_estimate"] else "reported",
            )
        )
        rows.append(
            Markup(
                '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
            ).format(props["name"], STATUS_LABEL[props["status"]], *figures)
        )
    st.html(
        Markup(
            '<section class="kz-troop-table"><h3>{} troops in {} by country that day</h3>'
            '<table><thead><tr><th scope="col">Country</th><th scope="col">Status</th>'
            '<th scope="col">Troops</th>'
            '<th scope="col">Change</th><th scope="col">Figure</th></tr></thead>'
            "<tbody>{}</tbody></table></section>"
        ).format(
            record.meta.force,
            record.host_name,
            Markup("").join(rows)
            or Markup('<tr><td colspan="5">No contingents recorded.</td></tr>'),
        )
    )
    if record.meta.troops_note:  # the same every day: an element of its own, sent once
        st.html(Markup("<small>{}</small>").format(record.meta.troops_note))


def troop_chart(record: geodata.Record) -> None:
    """Troops by contingent over the whole period (the table above gives the day's figures).

    A grey band shows the range the total's reports span where it is uncertain (estimates, ranges).
    The chart is the same on every day, so after the first run the browser is sent only its hash.
    """
    st.vega_lite_chart(_troop_chart_spec(record), width="stretch", key="troop_chart")


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
    # The total's published range (estimates, reported ranges): a grey band behind the stack, seen
    # where the highest report passes the best figures, and a dashed line at the lowest report.
    totals = series.groupby("date")[["troops_low", "troops_high"]].sum().reset_index()
    totals["date"] = totals["date"].map(dt.date.isoformat)
    ranged = alt.Chart(totals).encode(
        x="date:T",
        tooltip=[
            alt.Tooltip("date:T", format="%d %b %Y"),
            alt.Tooltip("troops_low:Q", title="Total, lowest report"),
            alt.Tooltip("troops_high:Q", title="Total, highest report"),
        ],
    )
    band = ranged.mark_area(color="#c8c8c8").encode(y="troops_low:Q", y2="troops_high:Q")
    lowest = ranged.mark_line(color="#333333", strokeDash=[4, 3], strokeWidth=1.2).encode(
        y="troops_low:Q"
    )
    layers = [area]
    spec_title = None
    if (totals["troops_low"] != totals["troops_high"]).any():
        layers = [band, area, lowest]
        spec_title = {
            "text": ["Grey band: the range of the reported totals", "Dashed line: the lowest report"],
            "fontSize": 12, "fontWeight": "normal", "color": "#444444", "anchor": "start",
        }  # fmt: skip
    spec: dict[str, Any] = alt.layer(*layers).to_dict()
    if spec_title:
        spec["title"] = spec_title
    # Inline the data sets so that each layer carries its own.
    datasets = spec.pop("datasets", {})
    for layer in spec["layer"]:
        if "data" in layer and "name" in layer["data"]:
            layer["data"] = {"values": datasets[layer["data"]["name"]]}
    spec.pop("data", None)
    return spec


def day_feed(snap: geodata.Snapshot) -> Markup:
    """The day's first events beside the map: time, place, what happened and the outlets."""
    events = snap.layers["event"]
    items = Markup("").join(
        Markup('<li><small>{}</small><p>{}</p>'
               '<span class="kz-outlets">{}</span></li>').format(
            " · ".join(part for part in (f.properties["time_local"], f.properties["place"]) if part)
            or "During the day",
            f.properties["name"], _outlet_chips(f.properties["sources"]),
        )
        for f in events[:FEED_EVENTS]
    ) or Markup("<li>No events recorded for this day.</li>")  # fmt: skip
    more = (
        Markup('<li><a href="#story">All {} events of the day</a></li>').format(len(events))
        if len(events) > FEED_EVENTS
        else ""
    )
    return Markup('<section class="kz-feed-box"><h3 class="kz-rail-heading">On {}</h3>'
                  '<ul class="kz-feed">{}{}</ul></section>').format(f"{snap.date.day} {snap.date:%B}", items, more)  # fmt: skip


def day_story(snap: geodata.Snapshot, *, playing: bool) -> None:
    """The day's events in plain text with sources: also how a screen reader follows the map.

    While the days are playing, only the headline is announced; the story is read again on a pause.
    """
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
    st.html(
        Markup(
            '<section id="story" aria-live="{}" aria-label="What happened this day">'
            "<h3>What happened on {}</h3><ul>{}</ul></section>"
        ).format("off" if playing else "polite", long_date(snap.date), story)
    )


def reported_figures(snap: geodata.Snapshot) -> None:
    """The latest figure of each measure so far, and the ones withdrawn that day, with sources.

    Apart from the day's story: the figures change on few days, and an unchanged element is sent
    to the browser as its hash only.
    """
    figures = Markup("").join(
        Markup("<li>{}: {}{:,} ({}, {}) {}</li>").format(
            geodata.MEASURE_LABELS[row["measure"]], f"{row['qualifier']} " if row["qualifier"] else "", row["value"],
            row["attributed_to"], long_date(row["date"]), _citation(row),
        )
        for row in sorted(snap.latest_figures.values(), key=_measure_order)
    )  # fmt: skip
    # A withdrawn figure is shown on the day it appeared, as withdrawn: never as the toll.
    withdrawn = Markup("").join(
        Markup("<li><s>{}: {:,}</s> published by {} on {}, then withdrawn. {} {}</li>").format(
            geodata.MEASURE_LABELS[row["measure"]], row["value"], row["attributed_to"],
            long_date(row["date"]), row["note"] or "", _citation(row),
        )
        for row in snap.withdrawn_figures
    )  # fmt: skip
    if figures or withdrawn:
        st.html(
            Markup('<section class="kz-figures">{}{}</section>').format(
                Markup("<h4>Figures reported so far</h4><ul>{}</ul>").format(figures)
                if figures
                else "",
                Markup("<h4>Figures withdrawn</h4><ul>{}</ul>").format(withdrawn)
                if withdrawn
                else "",
            )
        )


def _measure_order(row: Mapping[str, Any]) -> int:
    """Deaths, then deaths among security forces, injured, detained (``MEASURE_LABELS``' order)."""
    return list(geodata.MEASURE_LABELS).index(row["measure"])


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


def day_rail(
    record: geodata.Record,
    snap: geodata.Snapshot,
    before: geodata.Snapshot,
    layers: tuple[str, ...],
) -> None:
    """Beside the map: the day's troops, the downloads (the day's, then the record's), its first events.

    The record's downloads are the same every day: an element of their own, so that after the first
    run the browser is sent only its hash.
    """
    st.html(troop_total(record, snap, before) + day_downloads(record, snap.date, layers))
    st.html(record_downloads(record))
    st.html(day_feed(snap))


def day_downloads(record: geodata.Record, day: dt.date, layers: tuple[str, ...]) -> Markup:
    """The day's map as GeoJSON (the layers chosen) and the day's story as CSV.

    Plain links to the app's export route: the file is made when the browser asks for it.
    """
    when = f"{day.day} {day:%b %Y}"
    shown = f"{len(layers)} layer{'s' if len(layers) != 1 else ''}"
    files = (
        (exports.day_file(record, day, layers), f"{when} · {shown} · GeoJSON",
         "The map as shown (the layers chosen), for GIS or web maps."),
        (exports.story_file(record, day), f"{when} · events and figures · CSV",
         "The day's events and figures with sources, for spreadsheets."),
    )  # fmt: skip
    return Markup('<h3 class="kz-rail-heading">Download</h3>{}').format(_download_links(files))


def record_downloads(record: geodata.Record) -> Markup:
    """The whole timeline as GeoJSON and the whole story as one HTML page."""
    files = (
        (exports.timeline_file(record), f"All {len(record.meta.days)} days · all layers · GeoJSON",
         "Each feature with the days it holds, for QGIS or kepler.gl."),
        (exports.page_file(record), "The whole story · one HTML page",
         "Map, slider and every day in one file that works offline."),
    )  # fmt: skip
    return _download_links(files)


def _download_links(files: Sequence[tuple[exports.ExportFile, str, str]]) -> Markup:
    return Markup("").join(
        Markup(
            '<a class="kz-download" href="{}" download="{}">⤓ {}, {}'
            '<span class="kz-download-what">{}</span></a>'
        ).format(file.url, file.name, label, _file_size(file.size), what)
        for file, label, what in files
    )


def _file_size(size: int) -> str:
    """``348 KB``, ``1.4 MB``.

    Examples
    --------
    >>> _file_size(356_000), _file_size(1_474_540), _file_size(900)
    ('348 KB', '1.4 MB', '1 KB')
    """
    if size >= 1_000_000:
        return f"{size / 2**20:.1f} MB"
    return f"{max(1, round(size / 1024)):,} KB"


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


def _by_outlet(sources: Sequence[str]) -> dict[str, str]:
    """Each outlet credited ("TASS", "Sputnik (via UrduPoint)") and its first source link."""
    by_outlet: dict[str, str] = {}
    for url in sources:
        if geodata.is_source_url(url):
            by_outlet.setdefault(geodata.credit(url), url)
    return by_outlet


def _outlet_chips(sources: Sequence[str]) -> Markup:
    """A small link per outlet, each outlet once."""
    return Markup("").join(
        Markup('<a href="{}" target="_blank">{}</a>').format(url, outlet)
        for outlet, url in _by_outlet(sources).items()
    )


def _citation(props: Mapping[str, Any]) -> Markup:
    links = Markup(", ").join(
        Markup('<a href="{}" target="_blank">{}</a>').format(url, outlet)
        for outlet, url in _by_outlet(props["sources"]).items()
    )
    return Markup("<small>[{}; confidence {}]</small>").format(links, escape(props["confidence"]))
