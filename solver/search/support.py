"""The whole horizon re-decided over the pairs that matter: the relaxation's support and
the pairs of the schedule at hand.

On a city's year the LP relaxation puts weight on 250–370 of its 8,000 pairs and a
schedule uses about 210; a MIP over their union has some 450 free pairs, and HiGHS solves
it to optimality in 0.1–4 s, in a process of its own. Its optimum is within 0–1 % of the
year's: the month-by-month plan's choices recombined with the relaxation's (the idea of
RINS, with the relaxation's support in place of the pairs on which it agrees with the
schedule). The windows of the neighbourhood search cannot make that move: it re-decides
meetings in every month at once. Measured in docs/performance.md ("The relaxation's
support as a neighbourhood"). The same child can go on to the proof on the whole model
from the schedule it found (:func:`support_then_proof`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

import numpy as np

from solver.backends.highs_lp import LpRelaxation
from solver.backends.highs_process import HighsProcess, SupportThenProof
from solver.search.engine import CompletionError, PreparedModel

Schedule = dict[int, tuple[int, ...]]

#: A pair the relaxation uses: its value above this.
SUPPORT_EPSILON = 1e-6


def relaxation_support(
    prepared: PreparedModel,
    relaxed: Mapping[tuple[int, int], float],
    lp: LpRelaxation,
    *,
    perturbed: int,
    seed: int,
    deadline: float,
) -> set[tuple[int, int]]:
    """The pairs the relaxation uses (``relaxed``: pair → value), and those used by
    ``perturbed`` more relaxations whose pair costs are raised by a random fraction of a
    point, while ``deadline`` allows: a city year's LP is degenerate, and each of those is
    another vertex at or near its optimum, with pairs the first one does not use.

    ``lp`` holds that relaxation, solved: each perturbed one is solved from its last basis
    (its objective is changed for good)."""
    chosen = {pair for pair, value in relaxed.items() if value > SUPPORT_EPSILON}
    if perturbed <= 0:
        return chosen
    x = prepared.built.variables.x
    columns = np.fromiter(x.values(), dtype=np.int64, count=len(x))
    rng = np.random.default_rng(seed)
    arrays = prepared.arrays
    for _ in range(perturbed):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        cost = arrays.cost.astype(float)
        cost[columns] += rng.uniform(0.0, 1.0, size=len(columns))
        lp.reprice(cost)
        result = lp.solve(arrays.lb, arrays.ub, left)
        if result.status == "optimal":
            chosen.update(pair for pair, var in x.items() if result.values[var] > SUPPORT_EPSILON)
    return chosen


def support_search(
    prepared: PreparedModel,
    allowed: Collection[tuple[int, int]],
    start: Schedule,
    *,
    deadline: float,
    stop: threading.Event,
) -> tuple[Schedule, float] | None:
    """The best schedule HiGHS finds by ``deadline`` (or ``stop``) using only the pairs
    ``allowed`` and those of ``start``, starting from ``start``; None when it finds none
    better than ``start``.

    ``prepared`` is the whole model; its rows are kept, so a schedule found is one of the
    whole model's, and its objective the whole schedule's score. HiGHS stops at
    ``deadline`` with the best schedule it has.
    """
    return _search(prepared, allowed, start, deadline=deadline, stop=stop, prove_until=None).found


@dataclass
class SupportAndProof:
    """What :func:`support_then_proof` gives: the support MIP's schedule and score (None
    when none better than the start), and the child now proving on the whole model from
    it (None when there is no schedule to prove: then the child is ended)."""

    found: tuple[Schedule, float] | None
    proof: SupportThenProof | None


def support_then_proof(
    prepared: PreparedModel,
    allowed: Collection[tuple[int, int]],
    start: Schedule,
    *,
    deadline: float,
    stop: threading.Event,
    prove_until: float,
    proof_model: PreparedModel,
) -> SupportAndProof:
    """:func:`support_search`, whose child then goes on, from the schedule it found, to
    HiGHS's proof on ``proof_model`` (``prepared`` without the rows appended to it: its cap
    on gaps) until ``prove_until``, with no new process (the caller owns the running
    child: its ``stop`` and ``close``)."""
    return _search(prepared, allowed, start, deadline=deadline, stop=stop, prove_until=(prove_until, proof_model))


def _search(
    prepared: PreparedModel,
    allowed: Collection[tuple[int, int]],
    start: Schedule,
    *,
    deadline: float,
    stop: threading.Event,
    prove_until: tuple[float, PreparedModel] | None,
) -> SupportAndProof:
    x = prepared.built.variables.x
    free = set(allowed)
    free.update((d, m) for m, people in start.items() for d in people)
    arrays = prepared.arrays
    ub = arrays.ub.copy()
    for pair, var in x.items():
        # A pinned pair (lower bound 1) is in every schedule, so it is never left out here.
        if pair not in free and arrays.lb[var] == 0:
            ub[var] = 0
    try:
        first = prepared.vector((d, m) for m, people in start.items() for d in people)
    except CompletionError:
        # cannot happen for a schedule of the same rules; never worth failing a solve
        return SupportAndProof(None, None)
    # In a process of its own, like the portfolio's solvers: a stop ends it at once, and
    # it shares no lock with the caller's threads (a web server's, in the service).
    process: HighsProcess
    if prove_until is None:
        process = HighsProcess(replace(arrays, ub=ub), deadline=deadline, start=first)
    else:
        until, proof_model = prove_until
        process = SupportThenProof(
            proof_model.arrays,
            support_model=arrays,
            support_ub=ub,
            support_deadline=deadline,
            deadline=until,
            start=first,
        )
    proof: SupportThenProof | None = None
    try:
        if isinstance(process, SupportThenProof):
            result = None
            # The support's answer is a file the child writes before it goes on: looked
            # for often, as the proof's start waits on nothing else.
            while result is None:
                if stop.is_set():
                    return SupportAndProof(None, None)
                result = process.support()
                if result is None and process.wait(0.02):
                    result = process.support()
                    break
        else:
            while not process.wait(0.1):
                if stop.is_set():
                    return SupportAndProof(None, None)
            result = process.result()
        if result is None or result.values is None or result.objective is None:
            return SupportAndProof(None, None)
        if result.objective >= arrays.objective(first) - 0.5:
            return SupportAndProof(None, None)
        if isinstance(process, SupportThenProof):
            proof = process  # running, or ended with the proof's answer: the caller reads it
    finally:
        if proof is None:
            process.close()
    found: Schedule = {m.index: () for m in prepared.enc.meetings}
    for d, m in prepared.built.variables.extract(result.values):
        found[m] = (*found[m], d)
    return SupportAndProof((found, result.objective), proof)
