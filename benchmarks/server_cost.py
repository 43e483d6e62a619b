"""Server cost of one slider step, without Streamlit: snapshot, the day's groups, ``st_folium``'s arguments.

Run with ``python -m benchmarks.server_cost [--data DIR | --scale N]``. For every day of the record (or
about 60 evenly spread days of a long period) this times what the dashboard's map does on each run:

1. ``geodata.snapshot(record, day)``;
2. ``build_day_reference`` (where the browser fetches the day's map) plus ``build_base_map`` (no
   layer control: the page's Layers choice is the only layer switcher);
3. the component's arguments, built as ``streamlit_folium.st_folium`` builds them (render the base map,
   ``_get_map_string``, ``_get_feature_group_string`` per group, ``_get_layer_control_string``, the
   JS/CSS links and the key hash), stopping before the component call itself.

and, apart, what making the day's map file costs (``dashboard/day_data.py``: the layers' data from
``dashboard.map_content``), which the server does once per record, day and layers for every session,
and its size as fetched. It also measures the bytes of those arguments as JSON (``script`` + ``feature_group`` + ``layer_control``,
what changes per step), with ``feature_group`` split per layer. Only the map's share of a run is timed:
the side panels (troops table, chart, story) are not; two options time more instead:

- ``--panels [--steps N]``: the whole slider step, part by part. Runs the body of the dashboard's
  ``day_view`` fragment (``dashboard/app.py``: snapshot, map, downloads, troops table, troop chart, day
  story, unlocated sites) in Streamlit's bare mode, outside ``streamlit run``: every ``st.`` call builds
  its element, nothing is sent. The parts are listed here by hand (:func:`fragment_parts`), so keep
  them in step with ``day_view``. Prints the median milliseconds per part over ``steps`` consecutive
  days in the middle of the period.
- ``--exports``: loading the record (median of 5), then for every day the snapshot and the snapshot
  plus its GeoJSON export (median of 5 each), and the whole timeline's export (median of 3).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import branca
import folium
import folium.elements
from streamlit_folium import (
    _get_feature_group_string,
    _get_header,
    _get_html,
    _get_layer_control_string,
    _get_map_string,
    generate_js_hash,
    get_full_id,
)

import geodata
from benchmarks._cli import add_record_options, chosen_record_folder, middle_days
from dashboard import day_data, map_builders, map_content
from dashboard.assets import MapAssets
from dashboard.map_builders import GROUP_NAMES, build_base_map

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

# Fixed URLs: no Streamlit runtime is needed to declare the components that serve the files.
ASSETS = MapAssets(
    js=(("leaflet", "/component/x/leaflet.js"), ("kz_map", "/component/y/kz_map.js")),
    css=(("leaflet_css", "/component/x/leaflet.css"), ("kz_map_css", "/component/y/kz_map.css")),
    countries_url="/component/z/countries.geojson",
    regions_url="/component/z/regions.geojson",
)
MAP_KEY = "map"  # as dashboard/map_panel.py
# Outside ``streamlit run`` Streamlit warns about its missing script context; nothing here needs one.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
SAMPLE_DAYS = 60
LAYER_OF_GROUP = {name: layer for layer, name in GROUP_NAMES.items()}


@dataclass
class DayCost:
    """One day: milliseconds per stage and bytes of the component's arguments."""

    day: str
    snapshot_ms: float
    groups_ms: float  # build_day_reference + build_base_map
    args_ms: float  # streamlit_folium turning them into the component's arguments
    total_ms: float
    day_file_ms: float  # making the day's map file: once per record, day and layers
    day_file_bytes: int  # that file, as the browser fetches it once per session (uncompressed)
    day_file_gzip_bytes: int  # and as it travels (gzip)
    script_bytes: int
    feature_group_bytes: int
    layer_control_bytes: int
    args_bytes: int  # the three above: what is re-sent on every step
    group_bytes: dict[str, int] = field(default_factory=dict)  # each group's part of the day file
    status_parts_bytes: dict[str, int] = field(default_factory=dict)  # the status group's data
    features: dict[str, int] = field(default_factory=dict)  # features per layer in the snapshot


def day_reference(record: geodata.Record, day: dt.date, layers: Sequence[str]) -> list:
    """The one group a step sends, as ``dashboard/map_panel.py`` builds it: where the day's file is."""
    return [
        map_builders.build_day_reference(
            day_data.day_url(record, day, tuple(layers)),
            date=day.isoformat(),
            period=(record.meta.period_start.isoformat(), record.meta.period_end.isoformat()),
        )
    ]


def make_day_file(record: geodata.Record, day: dt.date, layers: Sequence[str]) -> day_data.DayFile:
    """The day's map file made afresh, as the server makes it the first time any session asks."""
    day_data.clear()
    return day_data.day_file(record, day, tuple(layers))


def component_args(
    fig: folium.Map,
    feature_groups: Sequence[folium.FeatureGroup],
    layer_control: folium.LayerControl | None,
    *,
    key: str = MAP_KEY,
) -> dict[str, Any]:
    """The arguments ``st_folium`` hands to its component (streamlit-folium 0.27), without Streamlit.

    Mirrors ``st_folium(fig, key=key, feature_group_to_add=..., layer_control=..., returned_objects=[],
    use_container_width=True)`` up to the ``_component_func`` call.
    """
    fig.get_root().render()
    fig.render()
    html = _get_html(fig)
    header = _get_header(fig)
    leaflet = _get_map_string(fig)
    m_id = get_full_id(fig)
    try:
        bounds = fig.get_bounds()
    except AttributeError:
        bounds = [[None, None], [None, None]]
    feature_group = "".join(
        _get_feature_group_string(group, map=fig, idx=idx)
        for idx, group in enumerate(feature_groups)
    )
    layer_control_string = (
        None if layer_control is None else _get_layer_control_string(layer_control, fig)
    )
    css_links: list[str] = []
    js_links: list[str] = []
    for elem in _walk(fig):
        css_links.extend(href for _, href in getattr(elem, "default_css", []))
        js_links.extend(src for _, src in getattr(elem, "default_js", []))
    return {
        "script": leaflet,
        "header": header,
        "html": html,
        "id": m_id,
        "key": generate_js_hash(leaflet, key, False),
        "bounds": bounds,
        "feature_group": feature_group,
        "layer_control": layer_control_string,
        "css_links": list(dict.fromkeys(css_links)),
        "js_links": list(dict.fromkeys(js_links)),
    }


def _walk(fig: Any) -> Any:
    if isinstance(fig, branca.colormap.ColorMap | folium.elements.JSCSSMixin):
        yield fig
    for child in getattr(fig, "_children", {}).values():
        yield from _walk(child)


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value).encode())


def step(
    record: geodata.Record, day: dt.date, layers: Sequence[str] = geodata.LAYERS
) -> tuple[geodata.Snapshot, dict[str, Any], tuple[float, float, float, float]]:
    """What the map costs the server on one run: the snapshot, the folium objects, the arguments.

    Returns the snapshot, the arguments, and ``perf_counter`` stamps before and after each stage.
    """
    start = time.perf_counter()
    snap = geodata.snapshot(record, day)
    snapped = time.perf_counter()
    groups = day_reference(record, day, layers)
    base, control = build_base_map(ASSETS), None  # the page passes no layer control
    built = time.perf_counter()
    args = component_args(base, groups, control)
    done = time.perf_counter()
    return snap, args, (start, snapped, built, done)


def measure_day(
    record: geodata.Record, day: dt.date, layers: Sequence[str] = geodata.LAYERS
) -> DayCost:
    """Time one day's snapshot, groups and component arguments, and size the arguments."""
    snap, args, (start, snapped, built, done) = step(record, day, layers)
    made_at = time.perf_counter()
    made = make_day_file(record, day, layers)
    day_file_ms = (time.perf_counter() - made_at) * 1000
    # Sizes, after the clocks stopped: each group's part of the day file.
    group_bytes = {
        LAYER_OF_GROUP.get(group["name"], group["name"]): _json_bytes(group["calls"])
        for group in json.loads(made.json)["groups"]
    }
    status_parts = {}
    if "country" in layers:
        status_parts["country"] = _json_bytes(map_content.country_styles(snap))
    if "region" in layers:
        status_parts["region"] = _json_bytes(map_content.region_styles(snap))
    sizes = {name: _json_bytes(args[name]) for name in ("script", "feature_group", "layer_control")}
    return DayCost(
        day=day.isoformat(),
        snapshot_ms=(snapped - start) * 1000,
        groups_ms=(built - snapped) * 1000,
        args_ms=(done - built) * 1000,
        total_ms=(done - start) * 1000,
        day_file_ms=day_file_ms,
        day_file_bytes=len(made.json),
        day_file_gzip_bytes=len(made.gzipped or made.json),
        script_bytes=sizes["script"],
        feature_group_bytes=sizes["feature_group"],
        layer_control_bytes=sizes["layer_control"],
        args_bytes=sum(sizes.values()),
        group_bytes=group_bytes,
        status_parts_bytes=status_parts,
        features={layer: len(features) for layer, features in snap.layers.items()},
    )


def sample_days(record: geodata.Record, count: int = SAMPLE_DAYS) -> list[dt.date]:
    """Every day of the period, or ``count`` evenly spread days (first and last included)."""
    days = record.meta.days
    if len(days) <= count:
        return days
    return [days[round(i * (len(days) - 1) / (count - 1))] for i in range(count)]


def measure(
    record: geodata.Record,
    days: Sequence[dt.date] | None = None,
    layers: Sequence[str] = geodata.LAYERS,
) -> list[DayCost]:
    """The cost of each of ``days`` (default: :func:`sample_days`), after one warm-up day."""
    days = sample_days(record) if days is None else days
    measure_day(record, days[len(days) // 2], layers)  # warm-up: imports, Jinja template compiles
    return [measure_day(record, day, layers) for day in days]


def summary(costs: Sequence[DayCost]) -> dict[str, Any]:
    """Median and max of every stage, bytes per group at the median and the largest day."""

    def stats(values: list[float]) -> dict[str, float]:
        return {"median": statistics.median(values), "max": max(values)}

    biggest = max(costs, key=lambda cost: cost.args_bytes)
    groups = sorted({name for cost in costs for name in cost.group_bytes})
    return {
        "days": len(costs),
        "total_ms": stats([c.total_ms for c in costs]),
        "snapshot_ms": stats([c.snapshot_ms for c in costs]),
        "groups_ms": stats([c.groups_ms for c in costs]),
        "args_ms": stats([c.args_ms for c in costs]),
        "day_file_ms": stats([c.day_file_ms for c in costs]),
        "day_file_bytes": stats([c.day_file_bytes for c in costs]),
        "day_file_gzip_bytes": stats([c.day_file_gzip_bytes for c in costs]),
        "args_bytes": stats([c.args_bytes for c in costs]),
        "feature_group_bytes": stats([c.feature_group_bytes for c in costs]),
        "script_bytes": stats([c.script_bytes for c in costs]),
        "layer_control_bytes": stats([c.layer_control_bytes for c in costs]),
        "group_bytes_median": {
            name: statistics.median(c.group_bytes.get(name, 0) for c in costs) for name in groups
        },
        "status_parts_bytes_median": {
            name: statistics.median(c.status_parts_bytes.get(name, 0) for c in costs)
            for name in sorted({n for c in costs for n in c.status_parts_bytes})
        },
        "largest_day": {
            "day": biggest.day,
            "args_bytes": biggest.args_bytes,
            "group_bytes": biggest.group_bytes,
            "features": biggest.features,
        },
        "features_median": {
            layer: statistics.median(c.features.get(layer, 0) for c in costs)
            for layer in geodata.LAYERS
        },
    }


def print_summary(label: str, result: dict[str, Any]) -> None:
    """A few lines per record: stages in ms, argument bytes, and where the feature-group bytes go."""
    print(f"{label}: {result['days']} days")
    for stage in ("total_ms", "snapshot_ms", "groups_ms", "args_ms", "day_file_ms"):
        s = result[stage]
        print(f"  {stage:<22} median {s['median']:9.1f}  max {s['max']:9.1f}")
    print("  (day_file_ms: once per record, day and layers, for every session; not per step)")
    sizes = ("args_bytes", "feature_group_bytes", "script_bytes", "layer_control_bytes")
    for size in (*sizes, "day_file_bytes", "day_file_gzip_bytes"):
        s = result[size]
        print(f"  {size:<22} median {s['median']:>11,.0f}  max {s['max']:>11,.0f}")
    groups = result["group_bytes_median"]
    total = sum(groups.values()) or 1
    shares = ", ".join(
        f"{name} {size:,.0f} ({size / total:.0%})"
        for name, size in sorted(groups.items(), key=lambda item: -item[1])
    )
    print(f"  day file per group, median day: {shares}")
    if result["status_parts_bytes_median"]:
        parts = ", ".join(f"{k} {v:,.0f}" for k, v in result["status_parts_bytes_median"].items())
        print(f"  of the status group (raw JSON): {parts}")


# --- --panels: the whole fragment, part by part ----------------------------------------------------


def fragment_parts(
    record: geodata.Record, layers: Sequence[str]
) -> dict[str, Callable[[Any], Any]]:
    """The calls of ``day_view`` (``dashboard/app.py``), in its order, each taking the day's snapshot."""
    from dashboard import map_panel, panels

    # Bare mode warns on every st. call; Streamlit sets its loggers' levels on import, so after it.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR
    )

    def before(snap: geodata.Snapshot) -> geodata.Snapshot:
        return geodata.snapshot(record, snap.date - dt.timedelta(days=1))

    return {
        "snapshot": lambda snap: geodata.snapshot(record, snap.date),
        "headline": lambda snap: panels.headline(snap),
        "show_map": lambda snap: map_panel.show_map(record, snap.date, tuple(layers)),
        "day_rail": lambda snap: panels.day_rail(record, snap, before(snap), tuple(layers)),
        "day_story": lambda snap: panels.day_story(snap, playing=False),
        "unlocated_sites": lambda snap: panels.unlocated_sites(snap),
        "troop_table": lambda snap: panels.troop_table(record, snap, before(snap)),
        "troop_chart": lambda _snap: panels.troop_chart(record),
    }


def measure_panels(record: geodata.Record, steps: int = 10) -> dict[str, dict[str, float]]:
    """Median and max ms per part of the fragment over ``steps`` days (after one warm-up day)."""
    calls = fragment_parts(record, geodata.LAYERS)
    samples: dict[str, list[float]] = {name: [] for name in [*calls, "total"]}
    for index, day in enumerate(middle_days(record.meta.days, steps)):
        snap = geodata.snapshot(record, day)
        total = 0.0
        for name, call in calls.items():
            start = time.perf_counter()
            call(snap)
            elapsed = (time.perf_counter() - start) * 1000
            total += elapsed
            if index:  # the first day warms up
                samples[name].append(elapsed)
        if index:
            samples["total"].append(total)
    return {
        name: {"median": statistics.median(values), "max": max(values)}
        for name, values in samples.items()
    }


# --- --exports: load, snapshot and GeoJSON export ----------------------------------------------------


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure_exports(folder: str | None) -> dict[str, Any]:
    """Load (median of 5); per day snapshot and snapshot + export (median of 5); timeline (of 3)."""
    load_ms = _median_ms(lambda: geodata.load_record(folder), 5)
    record = geodata.load_record(folder)
    days = record.meta.days
    return {
        "load_ms": load_ms,
        "snapshot_ms": [_median_ms(lambda d=d: geodata.snapshot(record, d), 5) for d in days],
        "export_ms": [
            _median_ms(lambda d=d: geodata.feature_collection_bytes(record, d), 5) for d in days
        ],
        "timeline_ms": _median_ms(lambda: geodata.timeline_bytes(record), 3),
    }


def print_exports(result: dict[str, Any]) -> None:
    """The four timings, one line each."""
    snapshot_ms, export_ms = result["snapshot_ms"], result["export_ms"]
    print(f"load record (after imports)       median {result['load_ms']:7.1f} ms")
    print(
        f"snapshot, per day                 median {statistics.median(snapshot_ms):7.1f} ms  max {max(snapshot_ms):6.1f} ms"
    )
    print(
        f"snapshot + export, per day        median {statistics.median(export_ms):7.1f} ms  max {max(export_ms):6.1f} ms"
    )
    print(f"whole timeline export (--all)     median {result['timeline_ms']:7.1f} ms")


def main(argv: Sequence[str] | None = None) -> None:
    """Print the server cost per step for the bundled record, a record folder, or a synthetic scale."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.server_cost", description=__doc__.split("\n")[0]
    )
    add_record_options(parser)
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--panels",
        action="store_true",
        help="time each part of the dashboard's day_view fragment (map and side panels) instead",
    )
    what.add_argument(
        "--exports",
        action="store_true",
        help="time loading the record, the snapshots and their GeoJSON exports instead",
    )
    parser.add_argument(
        "--steps", type=int, default=10, help="with --panels: days measured (default 10)"
    )
    parser.add_argument("--json", action="store_true", help="print every day's figures as JSON")
    options = parser.parse_args(argv)
    if options.json and (options.panels or options.exports):
        parser.error("--json prints the map's figures only: not with --panels or --exports")
    with tempfile.TemporaryDirectory(prefix="kz-bench-") as scratch:
        folder = chosen_record_folder(options, scratch)
        label = str(folder or "bundled record")
        if options.exports:
            print(f"{label}: load, snapshot and GeoJSON export")
            print_exports(measure_exports(folder))
            return
        record = geodata.load_record(folder)
        if options.panels:
            panels = measure_panels(record, options.steps)
        else:
            costs = measure(record)
    if options.panels:
        print(f"{label}: day_view's parts, ms per step ({options.steps} steps)")
        for name, stats in panels.items():
            print(f"  {name:<16} median {stats['median']:8.1f}  max {stats['max']:8.1f}")
        return
    if options.json:
        print(json.dumps([asdict(cost) for cost in costs], indent=1))
    print_summary(label, summary(costs))


if __name__ == "__main__":
    main()
