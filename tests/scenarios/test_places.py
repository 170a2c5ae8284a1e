"""The sample data: base months exactly as their generator makes them, valid published
schedules, and every sample scenario running."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.io import load_instance, load_solution
from scenarios import places
from scenarios.changes import DelegateAway
from scenarios.runner import BaseCache, run_scenario
from scenarios.scenario import load_scenario
from solver import score

DATA = places.DATA
SCENARIOS = sorted(DATA.glob("*.yaml"))


@pytest.mark.parametrize("place", places.PLACES, ids=lambda p: p.key)
def test_each_base_month_is_what_its_generator_makes(place: places.Place) -> None:
    """The committed instance file equals, key for key, what scenarios.places makes now."""
    assert json.loads(place.path.read_text(encoding="utf-8")) == places.make(place)


@pytest.mark.parametrize("place", places.PLACES, ids=lambda p: p.key)
def test_sizes_and_names_follow_the_documents(place: places.Place) -> None:
    """Unit counts match DOMAIN.md, names are the real ones, Bảo Thắng has its 188 teams."""
    month = load_instance(place.path)
    assert [c.name for c in month.communes] == [name for _, name, *_ in place.units]
    sizes = {"sapa": 16, "baothang": 14, "phongtho": 17}
    assert len(month.communes) == sizes[place.key]
    if place.key == "baothang":
        assert sum(len(c.teams) for c in month.communes) == 188


PUBLISHED = [
    ("laocai-2024-03.instance.json", "laocai-2024-03.solution.json"),
    *[(p.path.name, p.published.name) for p in places.PLACES],
]


@pytest.mark.parametrize(("instance", "solution"), PUBLISHED, ids=[p[0].split("-")[0] for p in PUBLISHED])
def test_published_schedules_are_valid(instance: str, solution: str) -> None:
    """Each published schedule breaks no hard rule, fills every seat, and states its true score."""
    month = load_instance(DATA / instance)
    schedule = load_solution(DATA / solution)
    report = score(month, schedule.pairs())
    assert not report.violations
    assert not report.gaps
    assert schedule.score is not None
    assert schedule.score.total == report.total


def test_every_sample_scenario_runs() -> None:
    """Each sample scenario in scenarios/data loads, applies to its base and is solved."""
    assert len(SCENARIOS) >= 8
    cache = BaseCache()
    for path in SCENARIOS:
        outcome = run_scenario(load_scenario(path), time_limit=10, workers=1, cache=cache)
        assert outcome.result.status in ("optimal", "feasible"), path.name
        assert outcome.base.source == "published", path.name


def test_samples_use_every_kind_of_change() -> None:
    """Between them the sample scenarios show every kind of change a planner can write."""
    from scenarios.changes import KIND_LABELS

    used = {c.kind for path in SCENARIOS for c in load_scenario(path).changes}
    assert used == set(KIND_LABELS)


def test_the_illness_sample_names_the_replacement() -> None:
    """The Lào Cai illness re-plan changes one meeting, explained as a planner would write it."""
    outcome = run_scenario(load_scenario(DATA / "laocai-nghi-om.yaml"), time_limit=10, workers=1)
    (change,) = outcome.changes
    assert change.reason.startswith("Đ/c Nông Công Cường nghỉ ốm 12/03–14/03 → thay bằng Đ/c ")
    assert outcome.result.status == "optimal"


def test_data_files_are_nfc() -> None:
    """Every sample file is stored in Unicode NFC."""
    import unicodedata

    for path in [*SCENARIOS, *DATA.glob("*.json")]:
        text = Path(path).read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path.name


def test_the_deputy_secretary_sample_replaces_him_in_week_two() -> None:
    """The Deputy Secretary has a week-2 meeting in the notice, so his absence that week changes it."""
    scenario = load_scenario(DATA / "laocai-pho-bi-thu-vang.yaml")
    (away,) = scenario.changes
    assert isinstance(away, DelegateAway)
    outcome = run_scenario(scenario, time_limit=10, workers=1)
    month = outcome.base.instance
    assert month.delegate(away.delegate).title == "Phó Bí thư Thường trực"
    (change,) = outcome.changes
    assert change.before == (away.delegate,)
    assert away.delegate not in change.after
    assert away.from_ <= month.meeting(change.meeting).day <= away.to
    assert [n for n in outcome.notes if n.startswith("Bỏ ghim Đ/c Đinh Hữu Phương")]
