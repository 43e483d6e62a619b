"""Snapshots of the bundled record on key days, with expectations written from facts.md, not from the code."""

from __future__ import annotations

import datetime as dt

import pytest

import geodata
from geodata._index import local_moment
from geodata._timeline import _emergency_on

CONTRIBUTORS = ("RUS", "BLR", "ARM", "KGZ", "TJK")
ALL_REGIONS = {
    "akmola", "aktobe", "almaty-region", "almaty-city", "atyrau", "east-kazakhstan", "karaganda",
    "kostanay", "kyzylorda", "mangystau", "north-kazakhstan", "nur-sultan", "pavlodar", "shymkent",
    "turkestan", "west-kazakhstan", "zhambyl",
}  # fmt: skip
# facts.md §3: lifted early on 13 Jan 07:00, 14 Jan 18:00, 15 Jan 07:00 and 16 Jan 07:00.
LIFTED_13 = {"west-kazakhstan", "north-kazakhstan", "pavlodar"}
LIFTED_14 = {"shymkent", "east-kazakhstan", "karaganda", "turkestan"}
LIFTED_15 = {"akmola", "kostanay"}
LIFTED_16 = {"aktobe"}


def day(number: int) -> dt.date:
    return dt.date(2022, 1, number)


def on(record: geodata.Record, number: int) -> geodata.Snapshot:
    return geodata.snapshot(record, day(number))


def status(snap: geodata.Snapshot) -> dict[str, str]:
    contributors = snap.countries[snap.countries["role"] == "contributor"]
    return dict(zip(contributors["iso3"], contributors["status"], strict=True))


def troops(snap: geodata.Snapshot) -> dict[str, int]:
    contributors = snap.countries[snap.countries["role"] == "contributor"]
    return dict(zip(contributors["iso3"], contributors["troops_in_host"], strict=True))


def emergency_regions(snap: geodata.Snapshot) -> set[str]:
    return set(snap.regions.loc[snap.regions["state_of_emergency"], "id"])


def unrest(snap: geodata.Snapshot) -> dict[str, int]:
    return dict(zip(snap.cities["id"], snap.cities["unrest_level"], strict=True))


def site_guards(snap: geodata.Snapshot) -> dict[str, str]:
    return dict(zip(snap.sites["place_id"], snap.sites["iso3"], strict=True))


def test_roles_come_from_the_record(record):
    roles = on(record, 10).countries.set_index("iso3")["role"]
    assert roles["KAZ"] == "host"
    assert {iso3 for iso3, role in roles.items() if role == "contributor"} == set(CONTRIBUTORS)
    assert (roles.drop(["KAZ", *CONTRIBUTORS]) == "context").all()


def test_1_january_price_rise_and_nothing_else(record):
    snap = on(record, 1)
    assert set(status(snap).values()) == {"not_deployed"}
    assert snap.troops_in_host == 0
    assert emergency_regions(snap) == set()
    assert set(unrest(snap).values()) == {0}
    assert snap.sites.empty
    assert snap.movements.empty
    assert any("LPG" in text for text in snap.events["name"])


def test_2_january_protests_begin_in_zhanaozen_and_aktau(record):
    levels = unrest(on(record, 2))
    assert levels["zhanaozen"] == 1
    assert levels["aktau"] == 1
    assert {city for city, level in levels.items() if level} == {"zhanaozen", "aktau"}
    assert emergency_regions(on(record, 2)) == set()


def test_5_january_riots_and_emergency_everywhere(record):
    snap = on(record, 5)
    levels = unrest(snap)
    # Almaty akimat and residence burned, Aktobe and Taldykorgan akimats stormed (facts.md §2, §4).
    assert levels["almaty"] == 3
    assert levels["aktobe"] == 3
    assert levels["taldykorgan"] == 3
    assert levels["kostanay"] == 2
    # The decrees of 5 January (one published on the 6th "from 5 January") cover all 17 units.
    assert emergency_regions(snap) == ALL_REGIONS
    assert set(status(snap).values()) == {"not_deployed"}
    assert snap.troops_in_host == 0
    assert snap.sites.empty
    assert any("CSTO" in text for text in snap.events["name"])


def test_6_january_csto_decides_and_first_russians_land(record):
    snap = on(record, 6)
    statuses, counts = status(snap), troops(snap)
    assert statuses["RUS"] == "deploying"
    assert counts["RUS"] > 0
    assert statuses["BLR"] == "deploying"  # took off from Machulishchy at about 15:10
    assert counts["BLR"] == 0  # in Kazakhstan and on task by midday 7 Jan
    assert statuses["KGZ"] == "not_deployed"  # parliament approved on 7 Jan
    assert site_guards(snap) == {"almaty-airport": "RUS"}
    assert {"RUS", "BLR"} <= set(snap.movements["iso3"])
    assert any("Article 4" in text for text in snap.events["name"])


def test_10_january_all_deployed_and_official_total(record):
    snap = on(record, 10)
    assert set(status(snap).values()) == {"deployed"}
    assert snap.troops_in_host == 2030  # Tokayev at the CSTO summit, 10 Jan
    counts = troops(snap)
    assert counts["ARM"] == 100
    assert counts["KGZ"] == 150
    guards = site_guards(snap)
    assert guards["almaty-tets-1"] == "TJK"
    assert guards["almaty-tets-2"] == "KGZ"
    assert guards["zhetygen-airfield"] == "BLR"
    assert guards["almaty-airport"] == "RUS"
    assert guards["druzhba-water-intake"] == guards["aksai-bread-factory"] == "ARM"
    assert snap.movements.empty
    assert emergency_regions(snap) == ALL_REGIONS
    assert int(snap.figures.loc["detained", "value"]) == 7939


def test_14_january_four_contingents_leave(record):
    snap = on(record, 14)
    statuses = status(snap)
    assert {statuses[c] for c in ("ARM", "KGZ", "TJK", "BLR")} == {"withdrawing"}
    assert statuses["RUS"] == "withdrawing"
    assert {"ARM", "KGZ", "TJK", "BLR"} <= set(snap.movements["iso3"])
    kyrgyz = snap.movements[snap.movements["iso3"] == "KGZ"]
    assert "Tokmok" in " ".join(kyrgyz["destination"])
    # Lifted at 07:00 on the 13th and at 18:00 on the 14th: both off by the end of the 14th.
    assert emergency_regions(snap) == ALL_REGIONS - LIFTED_13 - LIFTED_14


def test_15_january_only_russians_remain(record):
    snap = on(record, 15)
    statuses, counts = status(snap), troops(snap)
    assert {statuses[c] for c in ("ARM", "KGZ", "TJK")} == {"withdrawn"}
    assert {counts[c] for c in ("ARM", "KGZ", "TJK", "BLR")} == {0}
    assert statuses["RUS"] == "withdrawing"
    assert counts["RUS"] > 0
    assert emergency_regions(snap) == ALL_REGIONS - LIFTED_13 - LIFTED_14 - LIFTED_15
    assert int(snap.figures.loc["deaths", "value"]) == 225  # Prosecutor General, 15 Jan
    assert snap.figures.loc["deaths", "attributed_to"].startswith("Prosecutor General")


def test_19_january_last_aircraft_and_emergency_ends(record):
    snap = on(record, 19)
    assert emergency_regions(snap) == set()  # ended at 00:00 on 19 Jan
    statuses = status(snap)
    assert statuses["RUS"] == "withdrawing"
    assert {statuses[c] for c in ("ARM", "KGZ", "TJK", "BLR")} == {"withdrawn"}
    origins = set(snap.movements["origin"])
    assert {"Nur-Sultan", "Almaty International Airport"} <= origins
    assert set(snap.movements["destination"]) == {"Moscow"}


def test_20_january_everyone_gone(record):
    snap = on(record, 20)
    assert set(status(snap).values()) == {"withdrawn"}
    assert snap.troops_in_host == 0
    assert snap.sites.empty
    assert snap.movements.empty
    assert emergency_regions(snap) == set()


def test_aktobe_emergency_lifted_on_the_16th(record):
    assert "aktobe" in emergency_regions(on(record, 15))
    assert "aktobe" not in emergency_regions(on(record, 16))


def test_unlocated_sites_are_listed_without_a_point(record):
    sites = on(record, 12).sites.set_index("place_id")
    assert sites.loc["druzhba-water-intake", "location_precision"] == "unlocated"
    assert sites.loc["druzhba-water-intake"].geometry is None
    assert sites.loc["almaty-tets-1"].geometry is not None


def test_a_guard_without_a_reported_end_lasts_until_its_contingent_leaves(record):
    assert "russian-consulate-almaty" in site_guards(on(record, 19))
    assert "russian-consulate-almaty" not in site_guards(on(record, 20))


@pytest.mark.parametrize(
    ("imposed", "lifted", "number", "expected"),
    [
        (
            ("2022-01-05", "16:00"),
            ("2022-01-19", "00:00"),
            5,
            True,
        ),  # imposed in the afternoon: on that day
        (("2022-01-05", ""), ("2022-01-13", "07:00"), 12, True),
        (("2022-01-05", ""), ("2022-01-13", "07:00"), 13, False),  # lifted at 07:00: off that day
        (("2022-01-05", ""), ("2022-01-19", "00:00"), 18, True),
        (("2022-01-05", ""), ("2022-01-19", "00:00"), 19, False),
        (("2022-01-05", ""), ("2022-01-19", "00:00"), 4, False),
    ],
)
def test_emergency_is_judged_at_the_end_of_the_day(imposed, lifted, number, expected):
    row = {
        "imposed_at": local_moment(dt.date.fromisoformat(imposed[0]), imposed[1]),
        "lifted_at": local_moment(dt.date.fromisoformat(lifted[0]), lifted[1]),
    }
    assert _emergency_on(row, day(number)) is expected


def test_a_day_outside_the_period_finds_nothing_happening(record):
    snap = geodata.snapshot(record, dt.date(2021, 12, 1))
    assert set(status(snap).values()) == {"not_deployed"}
    assert snap.events.empty


def test_troop_series_matches_the_daily_snapshots(record):
    series = geodata.troop_series(record)
    assert len(series) == 5 * len(record.meta.days)
    totals = series.groupby("date")["troops_in_host"].sum()
    for day_ in record.meta.days:
        assert totals[day_] == geodata.snapshot(record, day_).troops_in_host
    assert totals[day(10)] == 2030
