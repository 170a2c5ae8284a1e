"""The child side of :mod:`solver.backends.highs_process`: HiGHS on one model file.

Run as a script (``highs_child.py FOLDER SECONDS [lp | nopresolve]``, by
:mod:`solver.backends.lifeline`, so that it dies with its parent), not as a module of the
package, so that the child imports only HiGHS and NumPy and starts in a fraction of a
second. It reads ``FOLDER/model.npz`` (and ``FOLDER/start.npy`` when present), solves the
MIP (or, with ``lp``, its LP relaxation, whose optimum is a bound), and writes
``FOLDER/solution.npy`` then ``FOLDER/result.json`` last, by rename: a parent that finds
the JSON finds a complete answer.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import highspy
import numpy as np

#: Absolute gap at which HiGHS may stop: below one point of an integer score.
PROOF_GAP = 0.999


def model(folder: Path, *, integer: bool = True) -> highspy.HighsLp:
    """The model stored by the parent (row-wise arrays, infinities as NumPy's), as a MIP
    or, without ``integer``, as its LP relaxation."""
    data = np.load(folder / "model.npz")
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = int(data["cost"].size)
    lp.num_row_ = int(data["row_lo"].size)
    lp.col_cost_ = data["cost"]
    lp.col_lower_ = data["lb"]
    lp.col_upper_ = data["ub"]
    lp.row_lower_ = np.where(np.isfinite(data["row_lo"]), data["row_lo"], -inf)
    lp.row_upper_ = np.where(np.isfinite(data["row_hi"]), data["row_hi"], inf)
    lp.offset_ = float(data["constant"])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = data["start"]
    lp.a_matrix_.index_ = data["index"]
    lp.a_matrix_.value_ = data["value"]
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * lp.num_col_
    return lp


def relax(folder: Path, seconds: float) -> dict[str, object]:
    """The LP relaxation's optimum (no solution written: the parent wants the bound)."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("time_limit", max(0.05, seconds))
    highs.passModel(model(folder, integer=False))
    highs.run()
    optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return {"optimal": optimal, "objective": float(highs.getInfo().objective_function_value) if optimal else None}


def solve(folder: Path, seconds: float, *, presolve: bool = True) -> dict[str, object]:
    """The MIP from the stored start, if any; without ``presolve`` HiGHS skips its presolve
    (from a good start the proof comes 1.1–2.5 × sooner without it: docs/performance.md)."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", PROOF_GAP)
    highs.setOptionValue("time_limit", max(0.05, seconds))
    if not presolve:
        highs.setOptionValue("presolve", "off")
    highs.passModel(model(folder))
    start = folder / "start.npy"
    if start.exists():
        solution = highspy.HighsSolution()
        solution.col_value = np.load(start).astype(float).tolist()
        solution.value_valid = True
        highs.setSolution(solution)
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    solution = highs.getSolution()
    answer: dict[str, object] = {
        "optimal": status == highspy.HighsModelStatus.kOptimal,
        "infeasible": status == highspy.HighsModelStatus.kInfeasible,
        "bound": float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None,
        "solution": bool(solution.value_valid),
    }
    if solution.value_valid:
        np.save(folder / "solution.npy", np.rint(np.asarray(solution.col_value, dtype=float)).astype(np.int64))
    return answer


def main() -> None:
    folder, seconds = Path(sys.argv[1]), float(sys.argv[2])
    flags = sys.argv[3:]
    answer = relax(folder, seconds) if "lp" in flags else solve(folder, seconds, presolve="nopresolve" not in flags)
    partial = folder / "result.json.part"
    partial.write_text(json.dumps(answer), encoding="utf-8")
    os.replace(partial, folder / "result.json")


if __name__ == "__main__":
    main()
