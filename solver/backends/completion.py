"""The cheapest values of what is left of a model once a schedule is fixed.

With every pair fixed, what remains are the linking variables (balance extremes, rotation
and agency-repeat counts, their presence flags, missing seniors): a small MIP whose rows
each push one variable up. CP-SAT solves it in 0.08 s but takes 0.35–1.2 s to be handed
it from Python on a city's year (37,000 rows); HiGHS takes the arrays as they are and
solves it in 0.05–0.17 s (measured, docs/performance.md). Every schedule handed to a MIP
solver goes through here, so on a small horizon this is on the path to its proof.

``highspy`` must be the HiGHS release OR-Tools bundles (see :mod:`solver.backends.highs_lp`).
"""

from __future__ import annotations

import highspy
import numpy as np

from solver.backends import cpsat
from solver.backends.arrays import ModelArrays
from solver.backends.highs_model import highs_lp, quiet_mip


def cheapest(model: ModelArrays, *, time_limit: float) -> np.ndarray | None:
    """An optimal integer solution of ``model`` (small, and easy), or None when it has none."""
    highs = quiet_mip()  # the costs are integers: within a point is proved
    highs.setOptionValue("time_limit", max(0.05, time_limit))
    highs.passModel(highs_lp(model, integer=True))
    highs.run()
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    if status == highspy.HighsModelStatus.kOptimal:
        values = np.rint(np.asarray(highs.getSolution().col_value, dtype=float)).astype(np.int64)
        if model.satisfies(values):
            return values
    # HiGHS found no exact integer optimum (tolerances, or a limit): CP-SAT, which is exact.
    outcome = cpsat.solve(model, time_limit=time_limit, workers=1)
    return outcome.values
