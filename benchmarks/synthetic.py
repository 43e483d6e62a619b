"""Synthetic records ``scale`` times the bundled one, for benchmarks at 10×, 100× and 1000×.

Run with ``python -m benchmarks.synthetic --scale 100 -o DIR``; from Python,
``write_synthetic_record(folder, scale)``. The result is a valid record (``geodata.load_record`` passes)
and is the same for the same ``scale`` and ``seed``.

How it grows. The bundled record is tiled: replicate 0 is the bundled record itself (same ids, same
dates); replicate ``k`` (1 ≤ k < scale) is a copy whose ids end in ``-r<k>``, whose rows are shifted
by a random number of days inside a longer period, and whose places are new points:

- the period is ``20 × ceil(sqrt(scale))`` days from 2022-01-01 (1000× covers 640 days), so rows per
  day grow by about ``sqrt(scale)`` while rows in all grow by ``scale``;
- places, events, presence, movements, unrest spells and figures are ``scale`` times the bundled
  rows. Clones of host-country places are uniform random points inside a random region of the
  bundled regions file (their ``region_id`` says which); clones of places abroad are points near the
  original, inside its country's polygon. Cities are drawn on every day, so the city layer grows by
  the full ``scale``;
- contingents stay the 5 bundled ones (the boundary file has no other contributors); their phases are
  regenerated as back-to-back deploying / deployed / withdrawing cycles over the whole period. Phases
  may not overlap, so a contingent has at most one phase a day: ``min(3 × scale, period)`` each;
- emergencies stay one per region (17 rows, fixed by the regions file), each shifted at random;
- every text field (descriptions, notes, statuses, sources) is copied from the row the clone comes
  from, so rows, popups and bytes keep the bundled record's sizes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geodata

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["period_days", "write_synthetic_record"]

BUNDLED_DAYS = 20
PERIOD_START = dt.date(2022, 1, 1)
TABLES = (
    "places",
    "contingents",
    "phases",
    "presence",
    "movements",
    "emergencies",
    "unrest",
    "events",
    "figures",
)
# Columns holding a place id, per table (cloned rows point at the replicate's own places).
PLACE_COLUMNS = {
    "presence": ("place_id",),
    "movements": ("origin_place_id", "destination_place_id"),
    "unrest": ("place_id",),
    "events": ("place_id",),
}
DATE_COLUMNS = {
    "presence": ("start", "end"),
    "movements": ("start", "end"),
    "unrest": ("start", "end"),
    "events": ("date",),
    "figures": ("date",),
    "emergencies": ("imposed_date", "lifted_date"),
}
# Columns a day may hold only once (the day's headline, a key day's label).
ONE_A_DAY = {"events": ("headline", "milestone")}
# Tables simply tiled: ``scale`` copies of the bundled rows.
TILED = ("presence", "movements", "unrest", "events", "figures")
# Points abroad: this far (degrees, one standard deviation) around the original place.
ABROAD_SPREAD = 1.5


def period_days(scale: int) -> int:
    """Days in the period of a record ``scale`` times the bundled one: ``20 × ceil(sqrt(scale))``."""
    return BUNDLED_DAYS * math.ceil(math.sqrt(scale))


def write_synthetic_record(folder: str | Path, scale: int, *, seed: int = 0) -> Path:
    """Write a valid record ``scale`` times the bundled one into ``folder``; return the folder.

    Parameters
    ----------
    folder : str or Path
        Created if missing; its record files are overwritten.
    scale : int
        1 reproduces the bundled tables (over the same 20 days); N tiles them N times over a period of
        ``20 × ceil(sqrt(N))`` days.
    seed : int
        The same seed and scale give byte-identical files.
    """
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    bundled = _bundled_tables()
    days = period_days(scale)
    period_end = PERIOD_START + dt.timedelta(days=days - 1)
    # Replicate 0 is the bundled record in place; the others start anywhere that fits the period.
    offsets = np.concatenate(([0], rng.integers(0, days - BUNDLED_DAYS + 1, size=scale - 1)))
    tables: dict[str, pd.DataFrame] = {"places": _places(bundled["places"], scale, rng)}
    for name in TILED:
        tables[name] = _tile(bundled[name], name, offsets)
    tables["presence"] = _close_presence(tables["presence"], bundled, offsets)
    tables["phases"] = _phases(bundled["phases"], scale, days)
    tables["emergencies"] = _emergencies(bundled["emergencies"], days, rng)
    tables["contingents"] = (
        bundled["contingents"] if scale == 1 else _contingents(bundled["contingents"], tables)
    )
    for name in TABLES:
        tables[name].to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    (folder / "record.toml").write_text(_record_toml(scale, seed, period_end), encoding="utf-8")
    return folder


def _bundled_tables() -> dict[str, pd.DataFrame]:
    source = geodata.bundled_record_path()
    return {
        name: pd.read_csv(source / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in TABLES
    }


def _record_toml(scale: int, seed: int, period_end: dt.date) -> str:
    # No [boundaries]: the loader falls back to the bundled countries, regions and GeoNames files.
    return (
        "# A synthetic record for benchmarks (benchmarks/synthetic.py); its facts are not real.\n"
        f'title = "Synthetic record, {scale}x the bundled one (benchmark data, seed {seed})"\n'
        f'version = "synthetic-{scale}x-{seed}"\n'
        'host_iso3 = "KAZ"\n'
        f"period_start = {PERIOD_START.isoformat()}\n"
        f"period_end = {period_end.isoformat()}\n"
        'timezone = "Local time (UTC+6 in Almaty and Nur-Sultan, UTC+5 in the west)"\n'
        'licence = "CC BY 4.0 (synthetic rows copied from the bundled record)"\n'
        'attribution = "Synthetic benchmark data derived from the bundled record"\n'
    )


def _replicates(frame: pd.DataFrame, count: int) -> tuple[pd.DataFrame, np.ndarray]:
    """``count`` copies of ``frame`` one after another, and each row's replicate number."""
    tiled = pd.concat([frame] * count, ignore_index=True)
    return tiled, np.repeat(np.arange(count), len(frame))


def _suffixed(values: pd.Series, replicate: np.ndarray) -> pd.Series:
    """Ids of replicate k > 0 end in ``-r<k>``; empty cells (optional ids) stay empty."""
    suffix = pd.Series(np.where(replicate > 0, np.char.add("-r", replicate.astype(str)), ""))
    return values.where(values == "", values + suffix.to_numpy())


def _shifted(values: pd.Series, days: np.ndarray) -> pd.Series:
    """ISO dates moved on by ``days``; empty cells stay empty."""
    blank = values == ""
    moved = pd.to_datetime(values.where(~blank, None), format="%Y-%m-%d") + pd.to_timedelta(
        days, unit="D"
    )
    return pd.Series(np.where(blank, "", moved.dt.strftime("%Y-%m-%d")), index=values.index)


def _tile(frame: pd.DataFrame, name: str, offsets: np.ndarray) -> pd.DataFrame:
    tiled, replicate = _replicates(frame, len(offsets))
    tiled["id"] = _suffixed(tiled["id"], replicate)
    for column in PLACE_COLUMNS.get(name, ()):
        tiled[column] = _suffixed(tiled[column], replicate)
    for column in DATE_COLUMNS.get(name, ()):
        tiled[column] = _shifted(tiled[column], offsets[replicate])
    for column in ONE_A_DAY.get(name, ()):
        # Shifted copies land on days that have one already: only the bundled rows keep theirs.
        tiled[column] = np.where(replicate == 0, tiled[column].to_numpy(), "")
    return tiled


def _close_presence(
    presence: pd.DataFrame, bundled: dict[str, pd.DataFrame], offsets: np.ndarray
) -> pd.DataFrame:
    """Give cloned guards with no reported end their replicate's departure day.

    An empty ``end`` lasts until the contingent left, which in a synthetic record is near the end of
    the whole period; only replicate 0 (the bundled rows) keeps its empty ends, or such guards would
    pile up day after day.
    """
    replicate = np.repeat(np.arange(len(offsets)), len(bundled["presence"]))
    left = bundled["contingents"].set_index("id")["in_host_to"]
    template_end = bundled["presence"]["contingent_id"].map(left).to_numpy()
    fill = _shifted(pd.Series(np.tile(template_end, len(offsets))), offsets[replicate])
    open_clone = (presence["end"] == "").to_numpy() & (replicate > 0)
    presence["end"] = np.where(open_clone, fill.to_numpy(), presence["end"].to_numpy())
    return presence


def _places(places: pd.DataFrame, scale: int, rng: np.random.Generator) -> pd.DataFrame:
    tiled, replicate = _replicates(places, scale)
    clone = replicate > 0
    tiled["id"] = _suffixed(tiled["id"], replicate)
    tiled["name"] = np.where(
        clone, tiled["name"] + " " + replicate.astype(str), tiled["name"].to_numpy()
    )
    located = clone & (tiled["location_precision"] != "unlocated").to_numpy()
    host = located & (tiled["country_iso3"] == "KAZ").to_numpy()
    abroad = located & ~host
    lat = tiled["lat"].to_numpy(dtype=object)
    lon = tiled["lon"].to_numpy(dtype=object)
    region = tiled["region_id"].to_numpy(dtype=object)
    # Host-country clones: uniform points inside a random region, which becomes their region_id.
    regions = gpd.read_file(
        geodata.bundled_record_path() / "../boundaries/kz_regions_2022-01.geojson"
    )
    chosen = rng.integers(0, len(regions), size=int(host.sum()))
    host_rows = np.flatnonzero(host)
    for index, (region_id, geom) in enumerate(
        zip(regions["id"], regions.geometry.values, strict=True)
    ):
        rows = host_rows[chosen == index]
        xs, ys = _inside(geom, len(rows), rng)
        lat[rows], lon[rows], region[rows] = _fmt(ys), _fmt(xs), region_id
    # Clones abroad: near the original place, inside its country.
    countries = gpd.read_file(geodata.bundled_record_path() / "../boundaries/countries.geojson")
    by_iso3 = dict(zip(countries["iso3"], countries.geometry.values, strict=True))
    origin = _origin_points(places)
    for template in np.unique(np.flatnonzero(abroad) % len(places)):
        rows = np.flatnonzero(abroad & (np.arange(len(tiled)) % len(places) == template))
        x0, y0 = origin[template]
        xs, ys = _near(by_iso3[places.at[template, "country_iso3"]], x0, y0, len(rows), rng)
        lat[rows], lon[rows] = _fmt(ys), _fmt(xs)
    tiled["lat"], tiled["lon"], tiled["region_id"] = lat, lon, region
    # Clones have coordinates of their own: the GeoNames id would point back at the original.
    tiled["geonames_id"] = np.where(clone, "", tiled["geonames_id"].to_numpy())
    return tiled


def _fmt(values: np.ndarray) -> np.ndarray:
    return np.array([f"{value:.5f}" for value in values], dtype=object)


def _origin_points(places: pd.DataFrame) -> dict[int, tuple[float, float]]:
    """(lon, lat) of every bundled place, from its own columns or from the GeoNames extract."""
    gazetteer = pd.read_csv(
        geodata.bundled_record_path() / "../geonames_places.csv", dtype={"geonames_id": str}
    ).set_index("geonames_id")
    points = {}
    for index, row in places.iterrows():
        if row["lat"]:
            points[index] = (float(row["lon"]), float(row["lat"]))
        elif row["geonames_id"] in gazetteer.index:
            found = gazetteer.loc[row["geonames_id"]]
            points[index] = (float(found["lon"]), float(found["lat"]))
    return points


def _inside(
    geom: shapely.Geometry, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` uniform random points inside ``geom`` (rejection sampling in its bounds)."""
    shapely.prepare(geom)
    west, south, east, north = geom.bounds
    xs, ys = np.empty(0), np.empty(0)
    while len(xs) < count:
        x = rng.uniform(west, east, size=max(64, 4 * count))
        y = rng.uniform(south, north, size=max(64, 4 * count))
        keep = shapely.contains_xy(geom, x, y)
        xs, ys = np.concatenate((xs, x[keep])), np.concatenate((ys, y[keep]))
    return xs[:count], ys[:count]


def _near(
    geom: shapely.Geometry, x0: float, y0: float, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` points scattered around (x0, y0) inside ``geom``; the original where none fall in."""
    shapely.prepare(geom)
    xs, ys = np.empty(0), np.empty(0)
    for _ in range(50):
        if len(xs) >= count:
            break
        x = x0 + rng.normal(0, ABROAD_SPREAD, size=max(64, 4 * count))
        y = y0 + rng.normal(0, ABROAD_SPREAD, size=max(64, 4 * count))
        keep = shapely.contains_xy(geom, x, y)
        xs, ys = np.concatenate((xs, x[keep])), np.concatenate((ys, y[keep]))
    missing = max(0, count - len(xs))
    xs = np.concatenate((xs, np.full(missing, x0)))
    ys = np.concatenate((ys, np.full(missing, y0)))
    return xs[:count], ys[:count]


def _phases(phases: pd.DataFrame, scale: int, days: int) -> pd.DataFrame:
    """Back-to-back deploying / deployed / withdrawing cycles per contingent over the whole period.

    Over the bundled 20 days (scale 1) the bundled phases are kept as they are. Otherwise each
    contingent gets ``min(scale, days // 3)`` equal windows; a window of ``w`` days holds the three
    phases (and a one-day gap when ``w`` is 6 or more). Sources, confidence and notes are copied from
    the bundled phase of the same contingent and status.
    """
    if scale == 1:
        return phases.copy()
    cycles = max(1, min(scale, days // 3))
    width = days // cycles
    rows = []
    for contingent, group in phases.groupby("contingent_id", sort=False):
        template = {row["status"]: row for _, row in group.iterrows()}
        for cycle in range(cycles):
            first = PERIOD_START + dt.timedelta(days=cycle * width)
            lengths = _cycle_lengths(width)
            for status, length in zip(
                ("deploying", "deployed", "withdrawing"), lengths, strict=True
            ):
                last = first + dt.timedelta(days=length - 1)
                rows.append({
                    **template[status],
                    "id": f"{contingent}-{status}-c{cycle}",
                    "start": first.isoformat(),
                    "end": last.isoformat(),
                })  # fmt: skip
                first = last + dt.timedelta(days=1)
    return pd.DataFrame(rows, columns=phases.columns)


def _cycle_lengths(width: int) -> tuple[int, int, int]:
    deploying = max(1, width // 7)
    withdrawing = max(1, width // 5)
    gap = 1 if width >= 6 else 0
    return deploying, width - deploying - withdrawing - gap, withdrawing


def _emergencies(emergencies: pd.DataFrame, days: int, rng: np.random.Generator) -> pd.DataFrame:
    """One emergency per region, as bundled, each moved by a random number of days."""
    frame = emergencies.copy()
    shift = rng.integers(0, days - BUNDLED_DAYS + 1, size=len(frame)) if days > BUNDLED_DAYS else 0
    for column in DATE_COLUMNS["emergencies"]:
        frame[column] = _shifted(frame[column], np.zeros(len(frame), dtype=int) + shift)
    return frame


def _contingents(contingents: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The 5 bundled contingents, in the host country from their first to their last dated row."""
    frame = contingents.copy()
    dated = [
        tables[name][["contingent_id", "start", "end"]] for name in ("phases", "movements")
    ] + [tables["presence"].loc[tables["presence"]["end"] != "", ["contingent_id", "start", "end"]]]
    spans = pd.concat(dated).groupby("contingent_id")
    first, last = spans["start"].min(), spans["end"].max()
    frame["in_host_from"] = frame["id"].map(first)
    frame["in_host_to"] = frame["id"].map(last)
    return frame


def main(argv: Sequence[str] | None = None) -> None:
    """Write a synthetic record: ``python -m benchmarks.synthetic --scale 100 -o DIR``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synthetic", description=__doc__)
    parser.add_argument("--scale", type=int, required=True, help="times the bundled record")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder to write")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(argv)
    folder = write_synthetic_record(options.output, options.scale, seed=options.seed)
    rows = {name: _row_count(folder / f"{name}.csv") for name in TABLES}
    print(f"wrote {folder} ({period_days(options.scale)} days), rows: {rows}")


def _row_count(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as file:
        return sum(1 for _ in csv.reader(file)) - 1


if __name__ == "__main__":
    main()
