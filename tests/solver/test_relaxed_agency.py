"""The relaxation of a long horizon with agency repeat kept (``agency_links``): it scores a
schedule exactly as the real model does, less rotation between its own decisions, so its
optimum is still a lower bound; and its LP is never below the relaxation without it."""

from __future__ import annotations

import random

import pytest

from solver.backends import pulp as pulp_backend
from solver.backends.highs_lp import LpRelaxation
from solver.score import score
from solver.search.engine import PreparedModel
from tests.solver.test_tight_links import random_schedule, small_year


def _models(seed: int) -> tuple[PreparedModel, PreparedModel, PreparedModel]:
    enc = small_year(seed)
    return (
        PreparedModel.of(enc, relax_links=True),
        PreparedModel.of(enc, relax_links=True, agency_links=True),
        PreparedModel.of(enc),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_schedule_costs_its_agency_repeats_in_the_relaxation(seed: int) -> None:
    """For any schedule, the relaxed model with agency links costs it the scorer's total
    less rotation only: its agency repeats are counted exactly, and it is never above the
    scorer (so the relaxation's optimum bounds every schedule)."""
    linkless, agency, whole = _models(seed)
    enc = whole.enc
    rng = random.Random(seed)
    lifted = 0
    for _ in range(6):
        pairs = random_schedule(whole, rng)
        named = [(enc.meetings[m].id, enc.delegates[d].id) for d, m in pairs]
        report = score(enc.instance, named)
        relaxed = agency.arrays.objective(agency.vector(pairs))
        assert relaxed <= report.total
        assert relaxed >= linkless.arrays.objective(linkless.vector(pairs))
        # The agency term itself is exact: what is missing is rotation at most.
        missing = report.total - relaxed
        assert missing <= enc.rules.weight("rotation") * report.terms.get("rotation", 0)
        lifted += relaxed > linkless.arrays.objective(linkless.vector(pairs))
    assert lifted > 0, "no schedule of these instances has an agency repeat between its own meetings"


@pytest.mark.parametrize("seed", [1, 2])
def test_the_relaxation_with_agency_links_stays_below_the_optimum_and_above_the_linkless(seed: int) -> None:
    linkless, agency, whole = _models(seed)
    exact = pulp_backend.solve(whole.arrays, time_limit=20, mip_solver="highs")
    relaxed = pulp_backend.solve(agency.arrays, time_limit=20, mip_solver="highs")
    assert exact.status == relaxed.status == "optimal"
    assert exact.objective is not None
    assert relaxed.objective is not None
    assert relaxed.objective <= exact.objective
    lp = [LpRelaxation(p.arrays).solve(p.arrays.lb, p.arrays.ub, 10).objective for p in (linkless, agency)]
    assert lp[1] >= lp[0] - 1e-6
    assert lp[1] <= exact.objective + 1e-6
