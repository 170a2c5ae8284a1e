"""A solver's objective is the score of its pairs, not of its vector.

A MIP stopped early may leave a linking variable (an agency's presence, a balance
maximum) above what its pairs force: its objective then overstates the schedule's score.
:func:`solver.search.engine.score_of` scores the pairs themselves, and what ``solve``
reports is that score (a CI run once reported 368 for a schedule the scorer gave 365)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from models.instance import Instance
from models.io import instance_from_document
from scenarios.generator import generate
from solver import facade, score, solve
from solver.encode import encode
from solver.facade import CoreRun
from solver.search.engine import PreparedModel, score_of


def _instance(months: int = 1) -> Instance:
    return instance_from_document(generate(communes=8, delegates=20, months=months, seed=3))


def test_score_of_a_schedule_ignores_slack_in_a_vector() -> None:
    """A vector whose balance maximum sits one above its loads costs 5 more than its pairs."""
    instance = _instance()
    enc = encode(instance)
    result = solve(instance, time_limit=10)
    index = {m.id: m.index for m in enc.meetings}
    people = {d.id: d.index for d in enc.delegates}
    pairs = [(people[d], index[m]) for m, d in result.assignments]
    prepared = PreparedModel.of(enc)
    tight = prepared.vector(pairs)
    slack = tight.copy()
    top = next(var for var in prepared.built.variables.balance if slack[var] < prepared.arrays.ub[var])
    slack[top] += 1
    assert prepared.arrays.satisfies(slack)
    assert prepared.arrays.objective(slack) == prepared.arrays.objective(tight) + 5
    assert score_of(enc, pairs) == prepared.arrays.objective(tight) == score(instance, result.assignments).total


@pytest.mark.parametrize("months", [1, 3])
def test_solve_reports_the_score_of_its_pairs_when_a_core_leaves_slack(
    monkeypatch: pytest.MonkeyPatch, months: int
) -> None:
    """Whatever vector the search ends with, the objective ``solve`` reports is the
    scorer's total of the schedule it returns (one month, and a horizon of months)."""
    original = facade._run_core

    def slack_core(*args: Any, **kwargs: Any) -> CoreRun:
        found = original(*args, **kwargs)
        model: PreparedModel = args[1]
        values = found.incumbent.values
        assert values is not None
        values = np.asarray(values).copy()
        for var in model.built.variables.balance:
            if values[var] < model.arrays.ub[var]:
                values[var] += 1  # a MIP's incumbent may keep such a maximum too high
                break
        found.incumbent.values = values
        found.incumbent.objective = model.arrays.objective(values)
        return found

    monkeypatch.setattr(facade, "_run_core", slack_core)
    instance = _instance(months)
    result = solve(instance, time_limit=10)
    assert result.objective == score(instance, result.assignments).total
