"""The whole horizon re-decided over the pairs that matter: the relaxation's support and
the schedules found so far.

On a city's year the LP relaxation puts weight on 250–370 of its 8,000 pairs and a
schedule uses about 210; a MIP over their union has some 450 free pairs, and HiGHS solves
it to optimality in 0.1–4 s. Its optimum is within 0–1 % of the year's: the month-by-month
plan's choices recombined with the relaxation's (the idea of RINS, with the relaxation's
support in place of the pairs on which it agrees with the schedule). The windows of the
neighbourhood search cannot make that move: it re-decides meetings in every month at once.
Measured in docs/performance.md ("The relaxation's support as a neighbourhood").
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from solver.backends.highs_mip import MipPartner
from solver.search.engine import CompletionError, PreparedModel

Schedule = dict[int, tuple[int, ...]]

#: A pair the relaxation uses: its value above this.
SUPPORT_EPSILON = 1e-6


def support_search(
    prepared: PreparedModel,
    relaxed: Mapping[tuple[int, int], float],
    start: Schedule,
    *,
    deadline: float,
    stop: threading.Event,
) -> tuple[Schedule, float] | None:
    """The best schedule HiGHS finds by ``deadline`` (or ``stop``) using only the pairs of
    ``relaxed`` (pair → value in the relaxation) with a positive value and those of
    ``start``, starting from ``start``; None when it finds none better than ``start``.

    ``prepared`` is the whole model; its rows are kept, so a schedule found is one of the
    whole model's, and its objective the whole schedule's score.
    """
    x = prepared.built.variables.x
    allowed = {pair for pair, value in relaxed.items() if value > SUPPORT_EPSILON}
    allowed.update((d, m) for m, people in start.items() for d in people)
    arrays = prepared.arrays
    ub = arrays.ub.copy()
    for pair, var in x.items():
        # A pinned pair (lower bound 1) is in every schedule, so it is never left out here.
        if pair not in allowed and arrays.lb[var] == 0:
            ub[var] = 0
    try:
        first = prepared.vector((d, m) for m, people in start.items() for d in people)
    except CompletionError:
        return None  # cannot happen for a schedule of the same rules; never worth failing a solve
    mip = MipPartner(replace(arrays, ub=ub), deadline=deadline)
    mip.start(first)
    try:
        while mip.running and not stop.is_set():
            mip.join(0.1)
    finally:
        mip.stop()
    best = mip.best()
    if best is None or best[1] >= prepared.arrays.objective(first) - 0.5:
        return None
    values, objective = best
    found: Schedule = {m.index: () for m in prepared.enc.meetings}
    for d, m in prepared.built.variables.extract(np.asarray(values)):
        found[m] = (*found[m], d)
    return found, objective
