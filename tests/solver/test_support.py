"""The MIP over the relaxations' supports and a schedule's pairs (:mod:`solver.search.support`):
it only uses those pairs, its score is the scorer's, it never returns a worse schedule, it
keeps pins, and it ends when told; perturbed relaxations add pairs, and nothing else."""

from __future__ import annotations

import threading
import time

import pytest

from models.instance import Instance, Pair
from models.io import instance_from_document
from scenarios.generator import generate
from solver.backends.highs_lp import LpRelaxation
from solver.encode import Encoding, encode
from solver.score import score
from solver.search.engine import PreparedModel
from solver.search.greedy import greedy
from solver.search.support import SUPPORT_EPSILON, Schedule, relaxation_support, support_search, support_then_proof


def _year(seed: int, pins: tuple[Pair, ...] = ()) -> Instance:
    instance = instance_from_document(generate(communes=8, delegates=20, months=4, seed=seed))
    return instance.model_copy(update={"pinned": pins}) if pins else instance


def _setting(instance: Instance) -> tuple[Encoding, PreparedModel, dict[tuple[int, int], float], Schedule]:
    """The whole model, its relaxation's values per pair, and the greedy schedule."""
    enc = encode(instance)
    prepared = PreparedModel.of(enc, tight_links=True)
    lp = LpRelaxation(prepared.arrays).solve(prepared.arrays.lb, prepared.arrays.ub, 30)
    assert lp.status == "optimal"
    relaxed = {pair: float(lp.values[var]) for pair, var in prepared.built.variables.x.items()}
    start: Schedule = {m.index: () for m in enc.meetings}
    for d, m in greedy(prepared.built.variables, prepared.arrays.cost):
        start[m] = (*start[m], d)
    return enc, prepared, relaxed, start


def _solved(prepared: PreparedModel) -> LpRelaxation:
    """The model's relaxation, solved (as the horizon hands it to the support step)."""
    lp = LpRelaxation(prepared.arrays)
    assert lp.solve(prepared.arrays.lb, prepared.arrays.ub, 30).status == "optimal"
    return lp


def _pairs(enc: Encoding, schedule: Schedule) -> list[tuple[str, str]]:
    return [(enc.meetings[m].id, enc.delegates[d].id) for m, people in schedule.items() for d in people]


@pytest.mark.parametrize("seed", [1, 2])
def test_the_support_mip_improves_on_its_start_with_only_allowed_pairs(seed: int) -> None:
    instance = _year(seed)
    enc, prepared, relaxed, start = _setting(instance)
    before = score(instance, _pairs(enc, start)).total
    support = {pair for pair, value in relaxed.items() if value > SUPPORT_EPSILON}
    found = support_search(prepared, support, start, deadline=time.perf_counter() + 30, stop=threading.Event())
    assert found is not None
    schedule, objective = found
    report = score(instance, _pairs(enc, schedule))
    assert report.violations == []
    assert report.total == objective < before
    allowed = support | {(d, m) for m, people in start.items() for d in people}
    assert {(d, m) for m, people in schedule.items() for d in people} <= allowed


def test_a_pin_outside_the_support_is_kept() -> None:
    """A pinned pair holds in every schedule, whatever the relaxation makes of it."""
    plain = _year(3)
    enc, _, relaxed, _ = _setting(plain)
    meeting = enc.meetings[0]
    delegate = next(
        d
        for d in enc.delegates
        if relaxed.get((d.index, meeting.index), 1.0) <= SUPPORT_EPSILON
        and score(plain, [(meeting.id, d.id)]).violations == []
    )
    pinned = _year(3, (Pair(meeting=meeting.id, delegate=delegate.id),))
    # The unpinned relaxation's values: the pinned pair is outside their support.
    enc, prepared, _, start = _setting(pinned)
    support = {pair for pair, value in relaxed.items() if value > SUPPORT_EPSILON}
    found = support_search(prepared, support, start, deadline=time.perf_counter() + 30, stop=threading.Event())
    assert found is not None
    schedule = found[0]
    assert delegate.index in schedule[meeting.index]
    assert score(pinned, _pairs(enc, schedule)).violations == []


def test_a_stop_ends_the_support_mip_and_nothing_worse_comes_back() -> None:
    instance = _year(4)
    enc, prepared, relaxed, start = _setting(instance)
    stop = threading.Event()
    stop.set()
    began = time.perf_counter()
    found = support_search(prepared, set(relaxed), start, deadline=time.perf_counter() + 60, stop=stop)
    assert time.perf_counter() - began < 30
    if found is not None:
        assert found[1] < score(instance, _pairs(enc, start)).total


def test_perturbed_relaxations_add_pairs_to_the_support_and_lose_none() -> None:
    """Each relaxation with raised costs is another vertex: the support grows, and keeps
    every pair of the first relaxation's."""
    instance = _year(5)
    _, prepared, relaxed, _ = _setting(instance)
    alone = relaxation_support(
        prepared, relaxed, _solved(prepared), perturbed=0, seed=1, deadline=time.perf_counter() + 30
    )
    assert alone == {pair for pair, value in relaxed.items() if value > SUPPORT_EPSILON}
    wider = relaxation_support(
        prepared, relaxed, _solved(prepared), perturbed=3, seed=1, deadline=time.perf_counter() + 30
    )
    assert alone < wider <= set(prepared.built.variables.x)
    again = relaxation_support(
        prepared, relaxed, _solved(prepared), perturbed=3, seed=1, deadline=time.perf_counter() + 30
    )
    assert again == wider  # the same seed, the same pairs


def test_a_repriced_relaxation_solves_as_a_new_one_would() -> None:
    """After :meth:`LpRelaxation.reprice` the warm solve reaches the optimum a cold solve
    of the repriced model reaches."""
    from dataclasses import replace

    import numpy as np

    _, prepared, _, _ = _setting(_year(6))
    arrays = prepared.arrays
    lp = LpRelaxation(arrays)
    assert lp.solve(arrays.lb, arrays.ub, 30).status == "optimal"
    cost = arrays.cost.astype(float) + np.random.default_rng(2).uniform(0.0, 1.0, size=arrays.num_vars)
    lp.reprice(cost)
    warm = lp.solve(arrays.lb, arrays.ub, 30)
    cold = LpRelaxation(replace(arrays, cost=cost)).solve(arrays.lb, arrays.ub, 30)
    assert warm.status == cold.status == "optimal"
    assert warm.objective == pytest.approx(cold.objective, abs=1e-6)


def test_the_support_mips_child_goes_on_to_prove_the_whole_model() -> None:
    """The support MIP's schedule first, then, in the same child, HiGHS on the whole model
    from it: proved optimal, no worse than the support's schedule, scored as the scorer
    does, and the child gone once closed."""
    instance = _year(1)
    enc, prepared, relaxed, start = _setting(instance)
    support = {pair for pair, value in relaxed.items() if value > SUPPORT_EPSILON}
    now = time.perf_counter()
    run = support_then_proof(
        prepared, support, start, deadline=now + 30, stop=threading.Event(), prove_until=now + 60, proof_model=prepared
    )
    assert run.found is not None
    assert run.proof is not None
    try:
        assert run.proof.wait(60)
        proved = run.proof.result()
        assert proved.status == "optimal"
        assert proved.values is not None
        assert proved.objective is not None
        assert proved.bound == proved.objective <= run.found[1]
        pairs = [(enc.meetings[m].id, enc.delegates[d].id) for d, m in prepared.built.variables.extract(proved.values)]
        report = score(instance, pairs)
        assert report.violations == []
        assert report.total == proved.objective
    finally:
        run.proof.close()
    assert not run.proof.running
