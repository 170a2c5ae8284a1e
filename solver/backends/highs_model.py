"""A model's arrays as one ``highspy.HighsLp``, handed to HiGHS in a single call.

Shared by the LP relaxation, the MIP partner, the completion of a schedule and PuLP's
HiGHS path: adding columns and rows one Python call at a time costs more than HiGHS's
whole solve on a large model. The MIP's settings live here too (:func:`quiet_mip`); the
child process's script keeps its own, as it imports nothing of the package.
"""

from __future__ import annotations

import highspy
import numpy as np

from solver.backends.arrays import ModelArrays
from solver.linear import INF


def highs_lp(model: ModelArrays, *, integer: bool) -> highspy.HighsLp:
    """``model`` as HiGHS's LP (or MIP with ``integer``), row-wise like the arrays."""
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = model.num_vars
    lp.num_row_ = model.num_rows
    lp.col_cost_ = model.cost.astype(float)
    lp.col_lower_ = model.lb.astype(float)
    lp.col_upper_ = model.ub.astype(float)
    lp.row_lower_ = np.where(model.row_lo > -INF, model.row_lo, -inf).astype(float)
    lp.row_upper_ = np.where(model.row_hi < INF, model.row_hi, inf).astype(float)
    lp.offset_ = float(model.constant)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = model.start.astype(np.int32)
    lp.a_matrix_.index_ = model.index.astype(np.int32)
    lp.a_matrix_.value_ = model.value.astype(float)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * model.num_vars
    return lp


def start_solution(values: np.ndarray) -> highspy.HighsSolution:
    """A complete schedule as a starting solution for HiGHS's MIP."""
    solution = highspy.HighsSolution()
    solution.col_value = values.astype(float).tolist()
    solution.value_valid = True
    return solution


#: Absolute gap at which a MIP solver (HiGHS, CBC) may stop: below one point of an integer
#: score. The child process's script keeps its own copy, as it imports nothing of the package.
PROOF_GAP = 0.999


def quiet_mip(*, gap: float = PROOF_GAP, threads: int = 1) -> highspy.Highs:
    """A HiGHS that prints nothing and ends its MIP within the absolute ``gap`` only (a
    relative gap would stop short on a large score)."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", max(1, threads))
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", gap)
    return highs
