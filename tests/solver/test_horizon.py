"""Long horizons: the decomposed search (month by month, then neighbourhoods), with and
without HiGHS on the whole model beside it, and the rolling mode.

``SMALL_HORIZON`` is lowered so that small generated instances, quick to prove, take the
path a year of a province takes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import solver.facade as facade
from models.instance import Instance
from models.io import instance_from_document
from scenarios.generator import generate
from solver import solve
from solver.score import score


@pytest.fixture
def horizon_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every multi-month instance takes the decomposed path."""
    monkeypatch.setattr(facade, "SMALL_HORIZON", 0)


def three_months(seed: int) -> Instance:
    """Eight communes over three months, twenty delegates: the decomposed search alone does
    not prove these in seconds (its LP bound is 1–3 points low); with HiGHS it does."""
    return instance_from_document(generate(communes=8, delegates=20, months=3, seed=seed))


def _checked(instance: Instance, result: facade.Result) -> int:
    """The scorer's total, after checking it equals the solver's objective and nothing breaks."""
    report = score(instance, result.assignments)
    assert report.violations == []
    assert result.objective == report.total
    assert result.report is not None
    assert result.report.total == report.total
    return report.total


@pytest.mark.usefixtures("horizon_always")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_horizon_with_highs_beside_it_reaches_the_proved_optimum(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """With two workers and HiGHS as the small horizon's MIP solver, HiGHS works on the
    whole model beside the decomposed search: its bound proves the result optimal, and
    that equals CBC's optimum of the whole model."""
    import solver.search.horizon as horizon

    monkeypatch.setattr(horizon, "SMALL_HORIZON_MIP", "highs")
    instance = three_months(seed)
    result = solve(instance, time_limit=30, workers=2)
    assert result.backend == "auto/horizon"
    total = _checked(instance, result)
    assert result.details.horizon is not None
    assert result.details.horizon.partner is not None
    assert result.details.horizon.partner.bound == total
    exact = solve(instance, backend="pulp", mip_solver="cbc", time_limit=30)
    assert exact.status == "optimal"
    assert result.status == "optimal", (result.bound, total, result.details)
    assert total == exact.report.total  # type: ignore[union-attr]


@pytest.mark.usefixtures("horizon_always")
def test_horizon_alone_gives_a_valid_schedule_and_a_true_bound() -> None:
    """With one worker there is no partner; the schedule is valid, its bound is no more
    than the proved optimum, and its score no less."""
    instance = three_months(4)
    result = solve(instance, time_limit=5, workers=1)
    assert result.backend == "auto/horizon"
    assert result.details.horizon is not None
    assert result.details.horizon.partner is None
    total = _checked(instance, result)
    exact = solve(instance, backend="pulp", mip_solver="cbc", time_limit=30)
    assert exact.status == "optimal"
    assert exact.report is not None
    assert total >= exact.report.total
    assert result.bound is not None
    assert result.bound <= exact.report.total


@pytest.mark.usefixtures("horizon_always")
def test_rolling_plans_month_by_month_no_better_than_jointly() -> None:
    """Rolling (each month knowing only the past) fills every seat and cannot beat the
    joint optimum."""
    instance = three_months(5)
    rolling = solve(instance, time_limit=10, rolling=True)
    assert rolling.backend == "auto/rolling"
    assert rolling.status in ("optimal", "feasible")
    total = _checked(instance, rolling)
    joint = solve(instance, backend="pulp", mip_solver="cbc", time_limit=30)
    assert joint.report is not None
    assert joint.status == "optimal"
    assert total >= joint.report.total


@pytest.mark.usefixtures("horizon_always")
def test_a_stop_ends_the_horizon_search_early_with_a_valid_schedule() -> None:
    """Setting ``stop`` one second in ends a 60-second solve within a few seconds, HiGHS
    included, with a valid full schedule."""
    instance = instance_from_document(generate(communes=12, delegates=45, months=6, seed=1))
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    started = time.perf_counter()
    result = solve(instance, time_limit=60, workers=2, stop=stop)
    assert time.perf_counter() - started < 10
    assert result.status in ("optimal", "feasible")
    _checked(instance, result)
    assert not [t for t in threading.enumerate() if t.name == "highs-mip" and t.is_alive()]


def _with_weights(instance: Instance, **weights: int) -> Instance:
    rules = instance.rules.model_copy(update={"weights": instance.rules.weights.model_copy(update=weights)})
    return instance.model_copy(update={"rules": rules})


@pytest.mark.usefixtures("horizon_always")
@pytest.mark.parametrize("weight", [0, 10])
def test_horizon_fills_every_seat_whatever_the_unfilled_weight(weight: int) -> None:
    """H1/H2 are hard: with weights.unfilled 0 or 10 the decomposed search still fills
    every seat (it once left 71 of 72 meetings empty to save travel)."""
    instance = _with_weights(
        instance_from_document(generate(communes=12, delegates=45, months=6, seed=1)), unfilled=weight
    )
    result = solve(instance, time_limit=8, workers=2)
    assert result.backend == "auto/horizon"
    assert result.gaps == []
    assert result.status in ("optimal", "feasible")
    _checked(instance, result)


@pytest.mark.usefixtures("horizon_always")
def test_horizon_leaves_only_the_seat_nobody_can_take_and_scores_it_truly() -> None:
    """A meeting whose day every delegate is away stays the only gap; with weight 0 the
    objective reported is the real score (no internal weight leaks out) and no bound is
    claimed for it."""
    doc = generate(communes=8, delegates=20, months=3, seed=2)
    day = doc["meetings"][5]["start"][:10]
    for person in doc["delegates"]:
        person["unavailable"] = [*person.get("unavailable", []), {"from": day, "to": day}]
    blocked = {m["id"] for m in doc["meetings"] if m["start"][:10] == day}
    doc["pinned"] = [p for p in doc.get("pinned", []) if p["meeting"] not in blocked]
    doc["rules"] = {"weights": {"unfilled": 0}}
    instance = instance_from_document(doc)
    result = solve(instance, time_limit=8, workers=2)
    assert result.status == "partial"
    assert {g.meeting for g in result.gaps} == blocked
    assert result.bound is None
    _checked(instance, result)


def chain(links: int = 4) -> Instance:
    """Filling meeting g takes a chain of reassignments: P0 can do g or m1, Pi can do mi or
    m(i+1), P4 can do m4 or December's z, everyone once a month; each move costs ~1000
    travel units. Leaving g empty is far cheaper than any weight the decomposed search uses
    unless the fewest gaps are enforced as a rule rather than priced."""
    communes = ["cg", *[f"c{i}" for i in range(1, links + 1)], "cz"]
    meetings = [
        {"id": "g", "commune": "cg", "start": "2025-11-03T08:00"},
        *[{"id": f"m{i}", "commune": f"c{i}", "start": f"2025-11-{3 + i:02d}T08:00"} for i in range(1, links + 1)],
        {"id": "z", "commune": "cz", "start": "2025-12-03T08:00"},
    ]
    can = {"P0": {"g", "m1"}} | {f"P{i}": {f"m{i}", f"m{i + 1}"} for i in range(1, links)}
    can[f"P{links}"] = {f"m{links}", "z"}
    near = [("b0", "cg"), ("b0", "c1"), *[(f"b{i}", f"c{i + 1}") for i in range(1, links)]]
    near += [(f"b{links}", f"c{links}"), (f"b{links}", "cz")]
    doc = {
        "format": "phancong-instance/1",
        "places": [{"id": "hq"}, {"id": "hub"}, *[{"id": f"b{i}"} for i in range(links + 1)]],
        "communes": [{"id": c, "name": f"Xã {c}"} for c in communes],
        "roads": [{"a": c, "b": "hub", "minutes": 5000} for c in communes]
        + [{"a": "hq", "b": "hub", "minutes": 10}]
        + [{"a": a, "b": b, "minutes": 10} for a, b in near],
        "delegates": [
            {"id": p, "name": f"Người {p}", "tier": 4, "agency": f"A{p}", "base": f"b{p[1:]}", "max_per_month": 1}
            for p in can
        ],
        "meetings": meetings,
        "forbidden": [{"meeting": m["id"], "delegate": p} for m in meetings for p in can if m["id"] not in can[p]],
    }
    return instance_from_document(doc)


@pytest.mark.usefixtures("horizon_always")
@pytest.mark.parametrize("rolling", [False, True])
def test_horizon_fills_a_seat_that_takes_a_chain_of_costly_moves(rolling: bool) -> None:
    """Every seat of the chain instance is filled, jointly or rolling, and the joint plan
    scores CP-SAT's proved optimum of the whole model (it once left g empty: 1005)."""
    instance = chain()
    result = solve(instance, time_limit=3, workers=2, rolling=rolling)
    assert result.gaps == []
    total = _checked(instance, result)
    exact = solve(instance, backend="cpsat", time_limit=10)
    assert exact.status == "optimal"
    if not rolling:
        assert total == exact.report.total  # type: ignore[union-attr]


@pytest.mark.usefixtures("horizon_always")
def test_a_small_horizon_is_left_to_the_mip_after_the_monthly_plan() -> None:
    """Up to ``SOLO_PAIRS``, the MIP solver works alone after the month-by-month plan and proves it."""
    instance = three_months(1)
    result = solve(instance, time_limit=90, workers=2)
    assert result.details.horizon is not None
    assert result.details.horizon.solo is True
    assert result.status == "optimal"
    _checked(instance, result)


@pytest.mark.usefixtures("horizon_always")
def test_a_small_horizon_goes_through_the_support_mip_and_is_no_worse_for_it() -> None:
    """After the monthly plan, the MIP over the relaxation's support runs; its schedule is
    no worse than the plan, and the solve ends at the proved optimum."""
    instance = three_months(3)
    result = solve(instance, time_limit=90, workers=2)
    details = result.details.horizon
    assert details is not None
    assert details.rolling is not None
    assert details.support is not None
    assert details.support <= details.rolling
    assert result.status == "optimal"
    assert _checked(instance, result) <= details.support


def test_a_stalled_short_search_ends_long_before_its_deadline() -> None:
    """With a stall of half a second, the neighbourhood search tries windows, then ends once
    they stop finding better schedules, not at its deadline a minute away."""
    from solver.encode import encode
    from solver.search import horizon
    from solver.search.incumbent import Incumbent

    instance = three_months(1)
    enc = encode(instance)
    plan = horizon.plan_horizon(enc, deadline=time.perf_counter() + 20, workers=1, progress=Incumbent(), rolling=True)
    details = horizon.HorizonDetails(months=3)
    began = time.perf_counter()
    horizon._improve(
        enc, dict(plan.schedule), plan.objective, None, began + 60, 1, None, Incumbent(), 0, details, stall=0.5
    )
    assert time.perf_counter() - began < 30
    assert details.neighbourhoods is not None
    assert sum(int(won_tried.split("/")[1]) for won_tried in details.neighbourhoods.values()) >= 1


@pytest.mark.usefixtures("horizon_always")
def test_above_solo_pairs_the_neighbourhoods_search_beside_highs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above ``SOLO_PAIRS`` the neighbourhood search runs beside HiGHS, and still proves."""
    import solver.search.horizon as horizon

    monkeypatch.setattr(horizon, "SOLO_PAIRS", 0)
    instance = three_months(2)
    result = solve(instance, time_limit=30, workers=2)
    assert result.details.horizon is not None
    assert result.details.horizon.solo is False
    assert result.details.horizon.neighbourhoods is not None
    assert result.status == "optimal", (result.bound, result.details)
    _checked(instance, result)


@pytest.mark.usefixtures("horizon_always")
@pytest.mark.parametrize("mip", ["cbc", "both"])
@pytest.mark.parametrize("seed", [1, 3])
def test_a_mip_process_proves_a_small_horizon(monkeypatch: pytest.MonkeyPatch, mip: str, seed: int) -> None:
    """Up to ``SOLO_PAIRS`` CBC (or CBC and HiGHS, a process each) works on the whole
    horizon: the schedule and bound that come back prove the optimum, and it equals
    PuLP-CBC's optimum of the direct model."""
    import solver.search.horizon as horizon

    monkeypatch.setattr(horizon, "SMALL_HORIZON_MIP", mip)
    instance = three_months(seed)
    result = solve(instance, time_limit=90, workers=2)
    details = result.details.horizon
    assert details is not None
    assert details.cbc is not None
    if mip == "cbc":
        assert details.partner is None
        assert details.cbc.proved is True
    else:  # HiGHS starts after the short search, unless CBC proved first
        assert details.cbc.proved or (details.partner is not None and details.partner.proved)
    assert result.status == "optimal", (result.bound, result.details)
    total = _checked(instance, result)
    exact = solve(instance, backend="pulp", mip_solver="cbc", time_limit=30)
    assert exact.status == "optimal"
    assert total == exact.report.total  # type: ignore[union-attr]


@pytest.mark.usefixtures("horizon_always")
def test_without_cbc_highs_takes_its_place_in_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where PuLP's CBC cannot run, the small horizon's MIP is HiGHS in a process, and it
    still proves the optimum."""
    import solver.search.horizon as horizon
    from solver.backends import cbc

    monkeypatch.setattr(horizon, "SMALL_HORIZON_MIP", "cbc")
    monkeypatch.setattr(cbc, "available", lambda: False)
    instance = three_months(2)
    result = solve(instance, time_limit=90, workers=2)
    details = result.details.horizon
    assert details is not None
    assert details.cbc is None
    assert details.partner is not None
    assert details.partner.proved
    assert result.status == "optimal", (result.bound, result.details)
    _checked(instance, result)


def _solver_children() -> list[str]:
    """Command lines of this process's children that are MIP solvers (CBC, HiGHS's child)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        if parent == os.getpid() and ("cbc" in command or "highs_child" in command):
            found.append(command)
    return found


@pytest.mark.usefixtures("horizon_always")
def test_the_portfolio_leaves_no_solver_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """A solve stopped by its time limit, with CBC and HiGHS each still working in their
    process, returns on time with a complete schedule and leaves neither process behind."""
    import solver.search.horizon as horizon

    monkeypatch.setattr(horizon, "SMALL_HORIZON_MIP", "both")
    instance = instance_from_document(generate(communes=17, delegates=45, months=6, seed=2))
    began = time.perf_counter()
    result = solve(instance, time_limit=4, workers=2)
    assert time.perf_counter() - began < 8
    _checked(instance, result)
    assert _solver_children() == []


def test_a_process_exits_cleanly_after_a_portfolio_solve(tmp_path: Path) -> None:
    """The portfolio once aborted the whole process at exit ("terminate called without an
    active exception": HiGHS's thread was still inside an LP). With both solvers in
    processes of their own, a program that solves and exits at once ends with status 0."""
    program = tmp_path / "solve_and_exit.py"
    program.write_text(
        "import solver.facade as facade, solver.search.horizon as horizon\n"
        "from models.io import instance_from_document\n"
        "from scenarios.generator import generate\n"
        "facade.SMALL_HORIZON = 0\n"
        "horizon.SMALL_HORIZON_MIP = 'both'\n"
        "doc = generate(communes=17, delegates=45, months=6, seed=2)\n"
        "print(facade.solve(instance_from_document(doc), time_limit=3, workers=2).status)\n",
        encoding="utf-8",
    )
    ended = subprocess.run(
        [sys.executable, str(program)], capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2]
    )
    assert ended.returncode == 0, ended.stderr
    assert "terminate called" not in ended.stderr
    assert ended.stdout.strip() in ("optimal", "feasible")


@pytest.mark.usefixtures("horizon_always")
@pytest.mark.parametrize("seed", [1, 2])
def test_a_larger_horizon_is_bounded_with_agency_links_on_the_spare_core(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Above ``FULL_RELAXATION`` pairs the months are guided by the linkless LP, while the
    LP with agency links is solved in a child on the second core: its bound is reported,
    is never above the optimum, and never below the linkless LP's."""
    import solver.search.horizon as horizon
    from solver.backends.highs_lp import LpRelaxation, integer_bound
    from solver.encode import encode
    from solver.search.engine import PreparedModel

    monkeypatch.setattr(horizon, "FULL_RELAXATION", 0)
    monkeypatch.setattr(horizon, "PARTNER_PAIRS", 0)
    instance = three_months(seed)
    # The child's LP takes well under a second here; the search runs to the limit.
    result = solve(instance, time_limit=10, workers=2)
    details = result.details.horizon
    assert details is not None
    assert details.partner is None
    assert details.agency_bound is not None
    linkless = PreparedModel.of(encode(instance), relax_links=True)
    lp = LpRelaxation(linkless.arrays).solve(linkless.arrays.lb, linkless.arrays.ub, 10)
    assert details.agency_bound >= integer_bound(lp.objective)
    exact = solve(instance, backend="pulp", mip_solver="cbc", time_limit=30)
    assert exact.status == "optimal"
    assert details.agency_bound <= exact.report.total  # type: ignore[union-attr]
    assert result.bound is not None
    assert result.bound <= exact.report.total  # type: ignore[union-attr]
    _checked(instance, result)


@pytest.mark.usefixtures("horizon_always")
def test_one_worker_spares_no_core_for_the_agency_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    import solver.search.horizon as horizon

    monkeypatch.setattr(horizon, "FULL_RELAXATION", 0)
    instance = three_months(1)
    result = solve(instance, time_limit=5, workers=1)
    assert result.details.horizon is not None
    assert result.details.horizon.agency_bound is None
    assert result.bound is not None
    _checked(instance, result)


@pytest.mark.usefixtures("horizon_always")
def test_a_small_horizon_builds_its_whole_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The relaxation, CBC and HiGHS share one model of the whole horizon: built once, not
    once each (each build took 0.4–0.9 s of a city year's solve)."""
    import solver.search.horizon as horizon
    from solver.search.engine import PreparedModel

    monkeypatch.setattr(horizon, "SMALL_HORIZON_MIP", "both")
    monkeypatch.setattr(horizon, "SUPPORT_SHARE", 0.0)  # so that HiGHS starts, after the short search
    whole: list[dict[str, object]] = []
    build = PreparedModel.of.__func__  # type: ignore[attr-defined]

    def counted(
        cls: type[PreparedModel], enc: object, scope: object = None, *more: object, **options: object
    ) -> object:
        if scope is None and options.get("allowed") is None:
            whole.append(options)
        return build(cls, enc, scope, *more, **options)

    monkeypatch.setattr(PreparedModel, "of", classmethod(counted))
    instance = three_months(1)
    result = solve(instance, time_limit=30, workers=2)
    details = result.details.horizon
    assert details is not None
    assert details.cbc is not None
    assert details.cbc.pairs > 0
    assert whole == [{"tight_links": True}]
    _checked(instance, result)
