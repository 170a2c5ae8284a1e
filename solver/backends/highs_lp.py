"""The LP relaxation of a model, solved by HiGHS and warm-started across bound changes.

``highspy`` is pinned to the HiGHS release that OR-Tools bundles: the two then share one
copy of the library in a process (a different release fails to load beside OR-Tools).
``tests/solver/test_backends.py`` guards that pairing.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal

import highspy
import numpy as np

from solver.backends.arrays import ModelArrays
from solver.backends.highs_model import highs_lp

LpStatus = Literal["optimal", "infeasible", "limit"]


@dataclass
class LpResult:
    status: LpStatus
    objective: float
    values: np.ndarray
    reduced_costs: np.ndarray
    seconds: float


class LpRelaxation:
    """One HiGHS instance holding the relaxation; each solve changes only the bounds."""

    def __init__(self, model: ModelArrays, threads: int = 1) -> None:
        self.model = model
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", max(1, threads))
        h.passModel(highs_lp(model, integer=False))
        self._highs = h
        self._lb = model.lb.astype(float).copy()
        self._ub = model.ub.astype(float).copy()

    def reprice(self, cost: np.ndarray) -> None:
        """Another objective (the constant unchanged); the next :meth:`solve` starts from
        the last basis, which a change of costs leaves primal feasible."""
        n = self.model.num_vars
        self._highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(cost, dtype=float))

    def solve(self, lb: np.ndarray, ub: np.ndarray, time_limit: float) -> LpResult:
        started = time.perf_counter()
        if self.model.num_vars == 0:
            # Nothing left to decide (every pair excluded): HiGHS calls such a model
            # "empty", not optimal, but its one solution is trivially the optimum.
            feasible = bool(np.all(self.model.row_lo <= 0) and np.all(self.model.row_hi >= 0))
            if not feasible:
                return LpResult("infeasible", math.inf, np.zeros(0), np.zeros(0), 0.0)
            return LpResult("optimal", float(self.model.constant), np.zeros(0), np.zeros(0), 0.0)
        changed = np.flatnonzero((lb != self._lb) | (ub != self._ub))
        if len(changed):
            self._highs.changeColsBounds(
                len(changed), changed.astype(np.int32), lb[changed].astype(float), ub[changed].astype(float)
            )
            self._lb[changed] = lb[changed]
            self._ub[changed] = ub[changed]
        self._highs.setOptionValue("time_limit", max(0.01, float(time_limit)))
        self._highs.run()
        status = self._highs.getModelStatus()
        seconds = time.perf_counter() - started
        n = self.model.num_vars
        if status == highspy.HighsModelStatus.kOptimal:
            solution = self._highs.getSolution()
            values = np.asarray(solution.col_value, dtype=float)
            duals = np.asarray(solution.col_dual, dtype=float)
            objective = float(self._highs.getInfo().objective_function_value)
            return LpResult("optimal", objective, values, duals, seconds)
        if status == highspy.HighsModelStatus.kInfeasible:
            return LpResult("infeasible", math.inf, np.zeros(n), np.zeros(n), seconds)
        return LpResult("limit", -math.inf, np.zeros(n), np.zeros(n), seconds)


def integer_bound(objective: float) -> float:
    """The least integer the objective can take at or above an LP value (with float slack)."""
    if math.isinf(objective):
        return objective
    return math.ceil(objective - 1e-6 * max(1.0, abs(objective)))
