"""Completing a fixed schedule (:mod:`solver.backends.completion`): the linking variables at
their cheapest, as CP-SAT proves them, and None for a schedule that breaks a hard rule."""

from __future__ import annotations

import random

import numpy as np
import pytest

from models.io import instance_from_document
from scenarios.generator import Shape, generate
from solver.backends import cpsat
from solver.backends.arrays import ModelArrays, Restriction, restrict
from solver.backends.completion import cheapest
from solver.encode import encode
from solver.search.engine import PreparedModel
from solver.search.greedy import greedy


def fixed_schedule(seed: int, *, tight: bool) -> Restriction:
    """A year of five communes with a shuffled greedy schedule fixed: what is left to decide."""
    doc = generate(communes=5, delegates=9, months=5, seed=seed, shape=Shape(history_months=4))
    prepared = PreparedModel.of(encode(instance_from_document(doc)), tight_links=tight)
    rng = random.Random(seed)
    noise = prepared.arrays.cost.copy()
    for var in prepared.built.variables.x.values():
        noise[var] += rng.randint(0, 30)
    chosen = set(greedy(prepared.built.variables, noise))
    lb, ub = prepared.arrays.lb.copy(), prepared.arrays.ub.copy()
    for pair, var in prepared.built.variables.x.items():
        lb[var] = ub[var] = int(pair in chosen)
    return restrict(prepared.arrays, lb, ub)


@pytest.mark.parametrize(("seed", "tight"), [(1, False), (2, True), (3, True)])
def test_the_completion_is_the_proved_cheapest(seed: int, tight: bool) -> None:
    part = fixed_schedule(seed, tight=tight)
    assert part.feasible
    assert part.arrays.num_vars > 0
    values = cheapest(part.arrays, time_limit=30.0)
    assert values is not None
    assert part.arrays.satisfies(values)
    proved = cpsat.solve(part.arrays, time_limit=30.0, workers=1)
    assert proved.status == "optimal"
    assert proved.values is not None
    assert part.arrays.objective(values) == part.arrays.objective(proved.values)


def test_a_schedule_that_breaks_a_row_has_no_completion() -> None:
    part = fixed_schedule(1, tight=True)
    # Every remaining variable capped below what its rows ask: no completion exists.
    broken = ModelArrays(**{**vars(part.arrays), "ub": part.arrays.lb.copy(), "lb": part.arrays.lb.copy()})
    assert not part.arrays.satisfies(part.arrays.lb)
    assert cheapest(broken, time_limit=5.0) is None


def test_a_vector_highs_gets_wrong_goes_to_cp_sat(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS's answer is checked against every row; when it fails, CP-SAT's exact one is taken."""
    part = fixed_schedule(2, tight=True)
    first = cheapest(part.arrays, time_limit=30.0)
    assert first is not None
    expected = part.arrays.objective(first)
    checked: list[np.ndarray] = []

    def never(self: ModelArrays, x: np.ndarray) -> bool:
        checked.append(x)
        return False

    monkeypatch.setattr(ModelArrays, "satisfies", never)
    values = cheapest(part.arrays, time_limit=30.0)
    assert checked, "HiGHS's vector was not checked"
    assert values is not None
    assert part.arrays.objective(values) == expected
