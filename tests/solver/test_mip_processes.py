"""CBC and HiGHS in a process of their own (:mod:`solver.backends.cbc`,
:mod:`solver.backends.highs_process`): what they prove, what they bound, that a start is
kept, that a wrong answer is refused and that they end when told."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from solver.backends import BackendResult, cbc
from solver.backends import pulp as pulp_backend
from solver.backends.arrays import ModelArrays
from solver.backends.highs_lp import LpRelaxation, integer_bound
from solver.backends.highs_process import HighsProcess, LpBoundProcess
from tests.solver.test_backends import assignment_with_capacities

Process = type[cbc.CbcProcess] | type[HighsProcess]
KINDS = [
    pytest.param(cbc.CbcProcess, id="cbc", marks=pytest.mark.skipif(not cbc.available(), reason="no CBC here")),
    pytest.param(HighsProcess, id="highs"),
]


def _finished(process: cbc.CbcProcess | HighsProcess) -> BackendResult:
    """The process's answer once it has ended by itself (within a generous wait)."""
    assert process.wait(40)
    result = process.result()
    process.close()
    return result


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_process_proves_the_optimum_pulp_cbc_proves(kind: Process, seed: int) -> None:
    """On assignment models shifted like a schedule's (large negative costs), the process
    proves the same optimum as PuLP's CBC, and its vector satisfies the model."""
    model = assignment_with_capacities(seed)
    result = _finished(kind(model, deadline=time.perf_counter() + 30))
    reference = pulp_backend.solve(model, time_limit=30, mip_solver="cbc")
    assert result.status == reference.status == "optimal"
    assert result.objective == reference.objective == result.bound
    assert result.values is not None
    assert model.satisfies(result.values)
    assert result.objective == round(float(model.cost @ result.values + model.constant))


@pytest.mark.parametrize("kind", KINDS)
def test_a_start_is_kept_as_the_first_schedule(kind: Process) -> None:
    """From a start, the process returns a schedule at least as good as the start."""
    model = assignment_with_capacities(4)
    reference = pulp_backend.solve(model, time_limit=30, mip_solver="cbc")
    assert reference.values is not None
    result = _finished(kind(model, deadline=time.perf_counter() + 30, start=reference.values))
    assert result.objective is not None
    assert result.objective <= model.objective(np.asarray(reference.values))


@pytest.mark.parametrize("kind", [*KINDS, pytest.param(LpBoundProcess, id="lp")])
def test_stop_ends_the_process_and_returns_nothing(kind: Process | type[LpBoundProcess]) -> None:
    """Stopped at once, the solver is no longer running and its (absent) answer is nothing."""
    model = assignment_with_capacities(5, items=200, bins=20)
    process = kind(model, deadline=time.perf_counter() + 60)
    process.stop()
    assert not process.running
    if isinstance(process, LpBoundProcess):
        assert process.bound() is None
    else:
        assert process.result().status == "unknown"
    process.close()


def test_highs_stopped_by_its_time_limit_gives_a_schedule_and_a_lower_bound() -> None:
    """A model too hard for one second: HiGHS ends on its own limit with a schedule (the
    start at worst) and a bound no higher than it."""
    model = assignment_with_capacities(5, items=200, bins=20)
    reference = pulp_backend.solve(model, time_limit=5, mip_solver="cbc")
    assert reference.values is not None
    result = _finished(HighsProcess(model, deadline=time.perf_counter() + 1.0, start=reference.values))
    assert result.status in ("feasible", "optimal")
    assert result.values is not None
    assert model.satisfies(result.values)
    assert result.bound is not None
    assert result.objective is not None
    assert result.bound <= result.objective


def test_an_answer_that_breaks_a_row_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A vector read back from the child is checked against every row: one that breaks a
    row is not a schedule (status ``unknown``), however the file came to say otherwise."""
    model = assignment_with_capacities(1)
    process = HighsProcess(model, deadline=time.perf_counter() + 30)
    assert process.wait(40)
    folder: Path = process._folder
    values = np.load(folder / "solution.npy")
    np.save(folder / "solution.npy", np.zeros_like(values))  # every item unassigned
    assert not model.satisfies(np.zeros_like(values))
    assert process.result().status == "unknown"
    process.close()


def test_satisfies_checks_bounds_and_rows() -> None:
    """The shared check: a bound or a row broken by one unit is caught."""
    model: ModelArrays = assignment_with_capacities(2)
    result = pulp_backend.solve(model, time_limit=30, mip_solver="cbc")
    assert result.values is not None
    good = np.asarray(result.values, dtype=np.int64)
    assert model.satisfies(good)
    above = good.copy()
    above[0] = model.ub[0] + 1
    assert not model.satisfies(above)
    flipped = good.copy()
    flipped[int(np.argmax(good))] = 0
    assert not model.satisfies(flipped)


def test_the_lp_child_gives_the_relaxations_bound() -> None:
    """:class:`LpBoundProcess` bounds like the LP solved here, rounded up to an integer."""
    model = assignment_with_capacities(3)
    child = LpBoundProcess(model, deadline=time.perf_counter() + 30)
    assert child.wait(40)
    here = LpRelaxation(model).solve(model.lb, model.ub, 30)
    assert here.status == "optimal"
    assert child.bound() == int(integer_bound(here.objective))
    child.close()


def test_highs_without_presolve_from_a_start_proves_the_same_optimum() -> None:
    """The portfolio's HiGHS starts from a schedule and skips its presolve: the child is
    told so, and proves the optimum PuLP's CBC proves."""
    model = assignment_with_capacities(2)
    reference = pulp_backend.solve(model, time_limit=30, mip_solver="cbc")
    assert reference.values is not None
    process = HighsProcess(model, deadline=time.perf_counter() + 30, start=reference.values, presolve=False)
    assert process._process is not None
    assert "nopresolve" in process._process.args
    result = _finished(process)
    assert result.status == reference.status == "optimal"
    assert result.objective == reference.objective == result.bound
