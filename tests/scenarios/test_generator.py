"""The generator's difficulty knobs: defaults give the very documents of earlier versions,
and each knob changes what it says it changes, into a valid instance."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from typing import Any

import pytest

from models.io import instance_from_document
from models.validation import document_issues
from scenarios.generator import Shape, generate


def digest(doc: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((17, 45, 1, 1), "e648ffb8a29bee11"),
        ((17, 45, 12, 2), "57f48ddd8a8c696b"),
        ((8, 20, 3, 2), "f90b564be1b04f03"),
    ],
)
def test_defaults_give_the_documents_of_before(size: tuple[int, int, int, int], expected: str) -> None:
    """Digests taken from the generator before the knobs existed: benchmarks stay comparable."""
    communes, delegates, months, seed = size
    assert digest(generate(communes=communes, delegates=delegates, months=months, seed=seed)) == expected
    assert digest(generate(communes=communes, delegates=delegates, months=months, seed=seed, shape=Shape())) == expected


def make(months: int = 2, communes: int = 12, **knobs: Any) -> dict[str, Any]:
    doc = generate(communes=communes, delegates=30, months=months, seed=4, shape=Shape(**knobs))
    assert document_issues(doc) == []
    instance_from_document(doc)
    return doc


def first_day(doc: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(min(m["start"][:10] for m in doc["meetings"])).replace(day=1)


def test_history_months_sets_how_far_back_attendances_go() -> None:
    doc = make(history_months=3)
    first = first_day(doc)
    dates = {dt.date.fromisoformat(a["date"]) for a in doc["history"]["attendances"]}
    assert min(dates) >= dt.date(first.year if first.month > 3 else first.year - 1, (first.month - 4) % 12 + 1, 1)
    assert max(dates) < first
    assert make(history_months=0)["history"]["attendances"] == []
    assert len(make(history_months=24)["history"]["attendances"]) > len(make()["history"]["attendances"])


def test_history_density_leaves_commune_months_without_a_record() -> None:
    full = {(a["date"][:7], a["commune"]) for a in make()["history"]["attendances"]}
    half = {(a["date"][:7], a["commune"]) for a in make(history_density=0.5)["history"]["attendances"]}
    assert 0.3 * len(full) < len(half) < 0.7 * len(full)
    assert make(history_density=0.0)["history"]["attendances"] == []


def test_leave_scales_the_leave_periods() -> None:
    def periods(doc: dict[str, Any]) -> int:
        return sum(len(d.get("unavailable", [])) for d in doc["delegates"])

    assert periods(make(leave=0.0)) == 0
    assert periods(make(leave=3.0)) > 2 * periods(make())


def test_trips_add_work_trips_of_three_to_ten_days() -> None:
    doc = make(months=3, trips=1.0, leave=0.0)
    for person in doc["delegates"]:
        trips = [u for u in person["unavailable"] if u["reason"] == "Đi công tác"]
        assert len(trips) == 3
        for trip in trips:
            days = (dt.date.fromisoformat(trip["to"]) - dt.date.fromisoformat(trip["from"])).days + 1
            assert 3 <= days <= 10
    assert all("unavailable" not in d for d in make(leave=0.0, trips=0.0)["delegates"])


def test_flags_sets_the_share_of_flagged_communes() -> None:
    assert {c["flag"] for c in make(communes=30, flags=0.0)["communes"]} == {0}
    flags = Counter(c["flag"] for c in make(communes=100, flags=1.0)["communes"])
    assert flags[0] == 0
    assert flags[2] > 0
    assert flags[1] > flags[2]


def test_in_charge_sets_the_largest_in_charge_set() -> None:
    assert all("in_charge_of" not in d for d in make(in_charge=0)["delegates"])
    sizes = [len(d.get("in_charge_of", [])) for d in make(communes=30, in_charge=6)["delegates"]]
    assert max(sizes) > 3
    assert max(sizes) <= 6


def test_meetings_per_month_puts_them_on_different_days() -> None:
    doc = make(meetings_per_month=3)
    ids = [m["id"] for m in doc["meetings"]]
    assert len(ids) == len(set(ids)) == 12 * 2 * 3
    days: dict[tuple[str, str], set[str]] = {}
    for m in doc["meetings"]:
        days.setdefault((m["commune"], m["start"][:7]), set()).add(m["start"][:10])
    assert all(len(d) == 3 for d in days.values())


def test_roads_sets_the_neighbours_joined_by_a_road() -> None:
    assert make(roads=0)["roads"] == []
    assert len(make(roads=6)["roads"]) > len(make()["roads"])


def test_a_knob_out_of_range_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="history_density"):
        Shape(history_density=1.5)
    with pytest.raises(ValueError, match="meetings_per_month"):
        Shape(meetings_per_month=0)


def test_the_name_says_which_knobs_were_turned() -> None:
    assert make()["name"] == "gen-c12-d30-m2-s4"
    assert make(flags=0.5, roads=0)["name"] == "gen-c12-d30-m2-s4 (flags=0.5, roads=0)"
