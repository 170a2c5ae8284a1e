"""The backends on models given directly as arrays: what they call optimal is optimal.

The per-rule and generated-instance tests compare backends on schedules; these check the
backend layer itself on models whose shape the schedules rarely reach at test size.
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from models.io import instance_from_document
from scenarios.generator import generate
from solver import solve
from solver.backends import cpsat
from solver.backends import pulp as pulp_backend
from solver.backends.arrays import ModelArrays
from solver.backends.highs_lp import LpRelaxation
from solver.backends.highs_mip import MipPartner
from solver.backends.watchdog import ChildWatchdog
from solver.encode import encode
from solver.linear import INF
from solver.search.engine import PreparedModel

SHIFT = 100_000


def assignment_with_capacities(seed: int, items: int = 30, bins: int = 5) -> ModelArrays:
    """A generalised assignment problem whose every cost is shifted by −SHIFT.

    Like a schedule's model, where each filled seat earns −weights.unfilled: the objective
    a MIP solver sees is large and negative, while the score differs by a few points.
    """
    rng = np.random.default_rng(seed)
    n = items * bins
    cost = rng.integers(1, 30, n) - SHIFT
    weight = rng.integers(5, 25, n)
    starts, index, value, lo, hi = [0], [], [], [], []
    for i in range(items):  # each item in exactly one bin
        columns = [i * bins + b for b in range(bins)]
        index += columns
        value += [1] * bins
        starts.append(len(index))
        lo.append(1)
        hi.append(1)
    for b in range(bins):  # a knapsack per bin, ten per cent above an even share
        columns = [i * bins + b for i in range(items)]
        index += columns
        value += [int(weight[c]) for c in columns]
        starts.append(len(index))
        lo.append(-INF)
        hi.append(int(weight[columns].sum() / bins * 1.1))
    return ModelArrays(
        lb=np.zeros(n, dtype=np.int64),
        ub=np.ones(n, dtype=np.int64),
        cost=cost.astype(float),
        constant=float(SHIFT * items),
        start=np.array(starts, dtype=np.int64),
        index=np.array(index, dtype=np.int64),
        value=np.array(value, dtype=np.int64),
        row_lo=np.array(lo, dtype=np.int64),
        row_hi=np.array(hi, dtype=np.int64),
        names=[f"x{i}" for i in range(n)],
    )


@pytest.mark.parametrize("mip_solver", pulp_backend.MIP_SOLVERS)
@pytest.mark.parametrize("seed", [0, 1, 5, 7])
def test_pulp_optimal_is_the_exact_optimum_whatever_the_objective_offset(mip_solver: str, seed: int) -> None:
    """A PuLP solve reported optimal has CP-SAT's proved optimum, even when the objective
    the MIP solver sees is ~−3,000,000 (HiGHS's default relative gap once accepted 466
    for an optimum of 198 on these models)."""
    model = assignment_with_capacities(seed)
    exact = cpsat.solve(model, time_limit=30, workers=2)
    assert exact.status == "optimal"
    result = pulp_backend.solve(model, time_limit=30, mip_solver=mip_solver)
    assert result.status == "optimal"
    assert result.objective == exact.objective
    assert result.bound == exact.objective
    assert result.values is not None
    assert model.objective(result.values) == exact.objective


def test_highs_lp_and_cpsat_share_one_process() -> None:
    """highspy and OR-Tools (which bundles HiGHS) load side by side and both solve: the
    pinned highspy release is the one OR-Tools carries."""
    model = assignment_with_capacities(3, items=8, bins=3)
    integral = cpsat.solve(model, time_limit=10, workers=1)
    relaxation = LpRelaxation(model).solve(model.lb.astype(float), model.ub.astype(float), time_limit=10)
    assert integral.status == "optimal"
    assert integral.objective is not None
    assert relaxation.status == "optimal"
    assert relaxation.objective <= integral.objective + 1e-6


def test_highs_partner_proves_the_optimum_and_keeps_an_offered_schedule() -> None:
    """HiGHS in its thread, handed CP-SAT's optimal schedule, ends proved at that optimum."""
    model = assignment_with_capacities(2)
    exact = cpsat.solve(model, time_limit=30, workers=2)
    assert exact.values is not None
    assert exact.objective is not None
    partner = MipPartner(model, deadline=time.perf_counter() + 30)
    partner.offer(exact.values, exact.objective)
    partner.start()
    _wait(partner, 30)
    best = partner.best()
    assert partner.proved
    assert best is not None
    assert best[1] == exact.objective
    assert partner.bound == exact.objective


def test_highs_partner_takes_a_better_schedule_once_it_has_its_own() -> None:
    """HiGHS started from the greedy schedule of a half year it cannot finish soon is
    offered the product's far better one as it runs: it keeps it, though the model has a
    schedule's large constant (HiGHS 1.12 compared an offer's objective with the constant
    against its own without it, and refused every offer), and the bound it reports is on
    the model's scale."""
    instance = instance_from_document(generate(communes=12, delegates=45, months=6, seed=1))
    enc = encode(instance)
    prepared = PreparedModel.of(enc)
    model = prepared.arrays
    greedy = prepared.greedy_vector()
    found = solve(instance, time_limit=5)
    people = {d.id: d.index for d in enc.delegates}
    index = {m.id: m.index for m in enc.meetings}
    better = prepared.vector((people[d], index[m]) for m, d in found.assignments)
    assert model.objective(better) < model.objective(greedy) - 20
    partner = MipPartner(model, deadline=time.perf_counter() + 3)
    partner.start(greedy)
    partner.offer(better, model.objective(better))
    _wait(partner, 30)
    best = partner.best()
    assert best is not None
    assert best[1] <= model.objective(better)
    relaxation = LpRelaxation(model).solve(model.lb, model.ub, 30)
    assert partner.bound is not None
    assert relaxation.objective - 1e-6 <= partner.bound <= best[1]


def test_highs_partner_stops_when_asked() -> None:
    """A stop ends a solve HiGHS cannot finish soon, well before its deadline, and what it
    reports stays true: its bound is below its best schedule."""
    instance = instance_from_document(generate(communes=12, delegates=45, months=6, seed=1))
    model = PreparedModel.of(encode(instance)).arrays
    partner = MipPartner(model, deadline=time.perf_counter() + 60)
    partner.start()
    time.sleep(1.0)
    asked = time.perf_counter()
    partner.stop(wait=10)
    assert not partner.running
    assert time.perf_counter() - asked < 5
    best = partner.best()
    if best is not None and partner.bound is not None:
        assert partner.bound <= best[1]


def _wait(partner: MipPartner, seconds: float) -> None:
    ends = time.perf_counter() + seconds
    while partner.running and time.perf_counter() < ends:
        time.sleep(0.02)


def test_pulp_returns_unknown_at_once_when_no_time_is_left_to_build() -> None:
    """With no time left, the PuLP backend stops building at the deadline and says unknown
    (a province's year once built for 40 s past a 60 s limit, then waited on CBC for 13 min)."""
    model = assignment_with_capacities(4, items=600, bins=5)
    started = time.perf_counter()
    result = pulp_backend.solve(model, time_limit=0.0, mip_solver="cbc")
    assert result.status == "unknown"
    assert result.values is None
    assert time.perf_counter() - started < 2


def test_the_watchdog_ends_a_child_that_outlives_its_deadline() -> None:
    """A child process named like the solver, still running at the deadline, is terminated;
    one named otherwise is left alone."""
    sleeper = "import time; time.sleep(30)"
    target = subprocess.Popen([sys.executable, "-c", sleeper, "fake-cbc"])
    bystander = subprocess.Popen([sys.executable, "-c", sleeper, "other"])
    try:
        started = time.perf_counter()
        with ChildWatchdog("fake-cbc", started + 0.5) as watchdog:
            target.wait(10)
        assert watchdog.fired
        assert time.perf_counter() - started < 5
        assert bystander.poll() is None
    finally:
        for child in (target, bystander):
            child.kill()
            child.wait()


def test_pulp_hands_highs_the_model_as_one_matrix_with_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """PuLP's own HiGHS interface adds columns and rows one call at a time (a province's
    year then overran a 60 s limit by 77 s); the backend passes the whole matrix and the
    start schedule instead, and still proves the optimum."""
    import highspy

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the model went to HiGHS row by row")

    monkeypatch.setattr(highspy.Highs, "addRow", refuse)
    monkeypatch.setattr(highspy.Highs, "addCol", refuse)
    started: list[bool] = []
    set_solution = highspy.Highs.setSolution

    def remember(self: highspy.Highs, *args: object) -> object:
        started.append(True)
        return set_solution(self, *args)

    monkeypatch.setattr(highspy.Highs, "setSolution", remember)
    model = assignment_with_capacities(5)
    exact = cpsat.solve(model, time_limit=30, workers=2)
    assert exact.values is not None
    result = pulp_backend.solve(model, time_limit=30, mip_solver="highs", hint=exact.values)
    assert started == [True]
    assert result.status == "optimal"
    assert result.objective == exact.objective


def test_pulp_highs_runs_without_presolve_on_large_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS's presolve does not watch the clock within a pass; above the size where that
    costs more than a limit, it is switched off, and the optimum stays the same."""
    import highspy

    seen: list[str] = []
    run = highspy.Highs.run

    def record(self: highspy.Highs) -> object:
        seen.append(str(self.getOptionValue("presolve")[1]))
        return run(self)

    monkeypatch.setattr(highspy.Highs, "run", record)
    model = assignment_with_capacities(1)
    small = pulp_backend.solve(model, time_limit=30, mip_solver="highs")
    monkeypatch.setattr(pulp_backend, "PRESOLVE_MAX_NONZEROS", 0)
    large = pulp_backend.solve(model, time_limit=30, mip_solver="highs")
    assert seen == ["choose", "off"]
    assert small.status == large.status == "optimal"
    assert small.objective == large.objective


def test_pulp_highs_reports_its_bound_when_stopped_early() -> None:
    """Stopped by its limit before a proof, HiGHS's dual bound is reported (it used to be
    read from the wrong object and was always missing), below the schedule it returns."""
    instance = instance_from_document(generate(communes=12, delegates=45, months=6, seed=1))
    prepared = PreparedModel.of(encode(instance))
    start = prepared.greedy_vector()
    result = pulp_backend.solve(prepared.arrays, time_limit=4, mip_solver="highs", hint=start)
    assert result.status == "feasible", "HiGHS must not prove this model in 4 s for the test to mean anything"
    assert result.bound is not None
    assert result.objective is not None
    assert result.bound <= result.objective <= prepared.arrays.objective(start)


def test_a_bound_below_zero_is_reported_as_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scores are never negative, so a backend's bound below 0 (HiGHS stopped before its
    root LP said −216,229,916 on a province's year) is reported as 0, never above the score."""
    from solver import solve
    from solver.backends import BackendResult

    def stopped_early(model: ModelArrays, **_: object) -> BackendResult:
        return BackendResult("unknown", None, None, -216_229_916, 0.1, "pulp/highs")

    monkeypatch.setattr(pulp_backend, "solve", stopped_early)
    instance = instance_from_document(generate(communes=5, delegates=12, months=1, seed=2))
    result = solve(instance, backend="pulp", time_limit=5)
    assert result.report is not None
    assert result.bound == 0
    assert result.status == "feasible"
