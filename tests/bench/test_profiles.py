"""The benchmark profiles make valid instances that have a schedule, and a run reports
every outcome (infeasible included) as a row instead of failing."""

from __future__ import annotations

import time

import pytest

from bench import runner
from bench.case import run
from bench.profiles import PROFILES
from models.io import instance_from_document
from models.validation import document_issues
from solver import diagnose
from solver.encode import encode


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_profile_makes_a_valid_instance_whose_pins_hold(name: str) -> None:
    """Each profile's instance passes validation and no pin contradicts leave or another pin."""
    doc = PROFILES[name].document(1)
    assert document_issues(doc) == []
    assert diagnose.pin_conflicts(encode(instance_from_document(doc))) == []


def test_tight_profile_keeps_its_leave_off_pinned_days() -> None:
    """The tight profile puts seniors on leave, never on a day they are pinned to a meeting."""
    doc = PROFILES["tight168"].document(2)
    day = {m["id"]: m["start"][:10] for m in doc["meetings"]}
    leave = {d["id"]: d.get("unavailable", []) for d in doc["delegates"]}
    assert doc["pinned"], "the generator pins seniors to flagged meetings"
    for pin in doc["pinned"]:
        for period in leave[pin["delegate"]]:
            assert not period["from"] <= day[pin["meeting"]] <= period["to"]
    assert sum(len(periods) for periods in leave.values()) > 100


def test_a_case_reports_an_infeasible_month_as_a_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """A month with no schedule at all gives status infeasible and no score, not a crash."""
    profile = PROFILES["city17"]
    original = profile.document

    def pinned_on_leave(seed: int) -> dict:
        doc = original(seed)
        meeting = doc["meetings"][0]
        person = doc["delegates"][0]
        day = meeting["start"][:10]
        person["unavailable"] = [{"from": day, "to": day}]
        doc["pinned"] = [{"meeting": meeting["id"], "delegate": person["id"]}]
        doc["forbidden"] = [f for f in doc.get("forbidden", []) if f["delegate"] != person["id"]]
        person["in_charge_of"] = []
        return doc

    monkeypatch.setattr(type(profile), "document", lambda self, seed: pinned_on_leave(seed))
    row = run("city17", 1, "auto", 5)
    assert row["status"] == "infeasible"
    assert row["score"] is None
    assert row["terms"] == {}


def test_a_case_far_past_its_limit_is_ended_and_recorded_as_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A case still running at its hard limit is killed with its children and shows as
    ``timeout`` instead of hanging the benchmark (CBC once ran 13 minutes on a 1 s limit)."""
    monkeypatch.setattr(runner, "hard_limit", lambda time_limit: 0.3)
    started = time.perf_counter()
    outcome = runner.run_case("city17", 1, "auto", 5)
    assert outcome.status == "timeout"
    assert outcome.score is None
    assert time.perf_counter() - started < 10


def test_every_backend_of_a_benchmark_replans_the_same_published_schedule(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """A month has many optimal schedules: the published one is solved once per matrix and
    read back by every later case, so backends are compared on the same re-plan."""
    from pathlib import Path

    import bench.case as case
    from bench.profiles import Profile

    monkeypatch.setitem(PROFILES, "replan17", Profile("replan17", 17, 45, 1, "test", replan=True))
    solves: list[int] = []
    real = case.solve

    def counted(*args: object, **kwargs: object) -> object:
        solves.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(case, "solve", counted)
    cache = Path(str(tmp_path))
    first = run("replan17", 1, "auto", 10, cache)
    assert len(solves) == 2  # the published schedule, then the re-plan
    assert (cache / "replan17-1.published.json").exists()
    second = run("replan17", 1, "greedy", 10, cache)
    assert len(solves) == 3  # only the re-plan
    assert first["status"] == "optimal"
    # The greedy baseline keeps the published schedule where it can: never better than the optimum.
    assert second["score"] >= first["score"]  # type: ignore[operator]


def test_the_delegate_count_profiles_sit_either_side_of_the_small_horizon() -> None:
    """`year17few` and `year17many` differ from `year17` in delegates only, and fall on
    either side of ``SOLO_PAIRS`` (the small horizon's path and the search beside HiGHS)."""
    from solver.search.horizon import SOLO_PAIRS

    sizes = {}
    for name in ("year17", "year17few", "year17many"):
        doc = PROFILES[name].document(1)
        sizes[name] = (len(doc["communes"]), len(doc["delegates"]), len(doc["meetings"]))
    assert sizes == {"year17": (17, 45, 204), "year17few": (17, 30, 204), "year17many": (17, 60, 204)}
    assert 204 * 30 <= SOLO_PAIRS < 204 * 60


def test_a_first_year_profile_has_no_history_and_is_otherwise_a_city_year() -> None:
    """`year17fresh` is `year17` with nothing on record before it: the rotation and the
    balance start from zero, which makes the LP more degenerate (measured in
    docs/performance.md)."""
    fresh, usual = PROFILES["year17fresh"].document(1), PROFILES["year17"].document(1)
    assert fresh["history"]["attendances"] == []
    assert usual["history"]["attendances"]
    for key in ("communes", "delegates", "meetings"):
        assert len(fresh[key]) == len(usual[key])
