"""CBC in a process of its own (:mod:`solver.backends.cbc`): what it proves, what it bounds, and
that it ends when told."""

from __future__ import annotations

import time

import numpy as np
import pytest

from solver.backends import cbc
from solver.backends import pulp as pulp_backend
from tests.solver.test_backends import assignment_with_capacities

pytestmark = pytest.mark.skipif(not cbc.available(), reason="PuLP's CBC is not here")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cbc_proves_the_optimum_pulp_cbc_proves(seed: int) -> None:
    """On assignment models shifted like a schedule's (large negative costs), the process
    proves the same optimum as PuLP's CBC, and its vector satisfies the model."""
    model = assignment_with_capacities(seed)
    process = cbc.CbcProcess(model, deadline=time.perf_counter() + 30)
    assert process.wait(40)
    result = process.result()
    process.close()
    reference = pulp_backend.solve(model, time_limit=30, mip_solver="cbc")
    assert result.status == reference.status == "optimal"
    assert result.objective == reference.objective
    assert result.values is not None
    assert result.objective == round(float(model.cost @ result.values + model.constant))


def test_a_start_is_kept_as_the_first_schedule() -> None:
    """From a start, the process returns a schedule at least as good as the start."""
    model = assignment_with_capacities(4)
    reference = pulp_backend.solve(model, time_limit=30, mip_solver="cbc")
    assert reference.values is not None
    process = cbc.CbcProcess(model, deadline=time.perf_counter() + 30, start=reference.values)
    assert process.wait(40)
    result = process.result()
    process.close()
    assert result.objective is not None
    assert result.objective <= model.objective(np.asarray(reference.values))


def test_stop_ends_the_process_and_returns_nothing() -> None:
    """Stopped at once, CBC is no longer running and its (absent) answer is ``unknown``."""
    model = assignment_with_capacities(5, items=200, bins=20)
    process = cbc.CbcProcess(model, deadline=time.perf_counter() + 60)
    process.stop()
    assert not process.running
    assert process.result().status == "unknown"
    process.close()
