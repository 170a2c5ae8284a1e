"""The valid inequalities of the linking terms (``tight_links``): a schedule costs the same
with and without them, the whole model keeps its optimum, and its LP is never weaker."""

from __future__ import annotations

import random

import pytest

from models.io import instance_from_document
from scenarios.generator import Shape, generate
from solver.backends import pulp as pulp_backend
from solver.backends.highs_lp import LpRelaxation
from solver.encode import Encoding, encode
from solver.score import score
from solver.search.engine import PreparedModel
from solver.search.greedy import greedy


def small_year(seed: int) -> Encoding:
    """Five communes over five months, some delegates visiting often: rotation windows
    with three pairs or more, and one-seat meetings of agencies with several delegates."""
    doc = generate(communes=5, delegates=9, months=5, seed=seed, shape=Shape(history_months=4))
    return encode(instance_from_document(doc))


def random_schedule(prepared: PreparedModel, rng: random.Random) -> list[tuple[int, int]]:
    """A schedule of the model's pairs that keeps the hard rules (the greedy one, shuffled costs)."""
    noise = prepared.arrays.cost.copy()
    for var in prepared.built.variables.x.values():
        noise[var] += rng.randint(0, 30)
    return greedy(prepared.built.variables, noise)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_schedule_costs_the_same_with_the_tight_rows(seed: int) -> None:
    """The rows cut off no schedule: completing a schedule gives the scorer's total either way."""
    enc = small_year(seed)
    plain, tight = PreparedModel.of(enc), PreparedModel.of(enc, tight_links=True)
    assert tight.arrays.num_rows > plain.arrays.num_rows
    rng = random.Random(seed)
    for _ in range(5):
        pairs = random_schedule(plain, rng)
        named = [(enc.meetings[m].id, enc.delegates[d].id) for d, m in pairs]
        total = score(enc.instance, named).total
        assert plain.arrays.objective(plain.vector(pairs)) == total
        assert tight.arrays.objective(tight.vector(pairs)) == total


@pytest.mark.parametrize("seed", [1, 2])
def test_the_tight_model_keeps_the_optimum_and_its_lp_is_no_weaker(seed: int) -> None:
    enc = small_year(seed)
    plain, tight = PreparedModel.of(enc), PreparedModel.of(enc, tight_links=True)
    optimum = [pulp_backend.solve(p.arrays, time_limit=20, mip_solver="highs") for p in (plain, tight)]
    assert [o.status for o in optimum] == ["optimal", "optimal"]
    assert optimum[0].objective == optimum[1].objective
    lp = [LpRelaxation(p.arrays).solve(p.arrays.lb, p.arrays.ub, 10).objective for p in (plain, tight)]
    assert lp[1] >= lp[0] - 1e-6
