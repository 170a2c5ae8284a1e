"""The child side of :mod:`solver.backends.highs_process`: HiGHS on one model file.

Run as a script (``highs_child.py FOLDER SECONDS [lp | nopresolve | support=S rows=N]``,
by :mod:`solver.backends.lifeline`, so that it dies with its parent), not as a module of
the package, so that the child imports only HiGHS and NumPy and starts in a fraction of a
second. It reads ``FOLDER/model.npz`` (and ``FOLDER/start.npy`` when present), solves the
MIP (or, with ``lp``, its LP relaxation, whose optimum is a bound), and writes
``FOLDER/solution.npy`` then ``FOLDER/result.json`` last, by rename: a parent that finds
the JSON finds a complete answer.

With ``support=S rows=N`` it first solves the MIP with the column upper bounds of
``FOLDER/support_ub.npy`` (a pool of pairs: the support MIP of
:mod:`solver.search.support`) for up to ``S`` seconds, with presolve, and writes that
answer as ``support_solution.npy`` and ``support.json``; then, without a word from the
parent, the model's first ``N`` rows (without the support's cap) from that answer without
presolve (the proof), within SECONDS of its start. The proof then starts as soon as the
support MIP ends, with no new process, import, model file or round trip through the
parent (measured in docs/performance.md); a parent that wants no proof ends the child.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import highspy
import numpy as np

#: Absolute gap at which HiGHS may stop: below one point of an integer score.
PROOF_GAP = 0.999


def model(folder: Path, *, integer: bool = True, rows: int | None = None) -> highspy.HighsLp:
    """The model stored by the parent (row-wise arrays, infinities as NumPy's), as a MIP
    or, without ``integer``, as its LP relaxation; with ``rows``, its first rows only."""
    data = np.load(folder / "model.npz")
    inf = highspy.kHighsInf
    start = data["start"]
    rows = int(data["row_lo"].size) if rows is None else rows
    end = int(start[rows])
    lp = highspy.HighsLp()
    lp.num_col_ = int(data["cost"].size)
    lp.num_row_ = rows
    lp.col_cost_ = data["cost"]
    lp.col_lower_ = data["lb"]
    lp.col_upper_ = data["ub"]
    lp.row_lower_ = np.where(np.isfinite(data["row_lo"]), data["row_lo"], -inf)[:rows]
    lp.row_upper_ = np.where(np.isfinite(data["row_hi"]), data["row_hi"], inf)[:rows]
    lp.offset_ = float(data["constant"])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = start[: rows + 1]
    lp.a_matrix_.index_ = data["index"][:end]
    lp.a_matrix_.value_ = data["value"][:end]
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


def solve(
    folder: Path,
    seconds: float,
    *,
    presolve: bool = True,
    ub: np.ndarray | None = None,
    start: np.ndarray | None = None,
    rows: int | None = None,
    prefix: str = "",
) -> dict[str, object]:
    """The MIP from ``start``, else the stored start, if any; without ``presolve`` HiGHS
    skips its presolve (from a good start the proof comes 1.1–2.5 × sooner without it:
    docs/performance.md). ``ub`` replaces the columns' upper bounds, ``rows`` keeps the
    first rows only; the solution goes to ``FOLDER/{prefix}solution.npy``."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", PROOF_GAP)
    highs.setOptionValue("time_limit", max(0.05, seconds))
    if not presolve:
        highs.setOptionValue("presolve", "off")
    lp = model(folder, rows=rows)
    if ub is not None:
        lp.col_upper_ = ub.astype(float)
    highs.passModel(lp)
    stored = folder / "start.npy"
    if start is None and stored.exists():
        start = np.load(stored)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = start.astype(float).tolist()
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
        np.save(folder / f"{prefix}solution.npy", np.rint(np.asarray(solution.col_value, dtype=float)).astype(np.int64))
    return answer


def support_then_proof(folder: Path, seconds: float, support: float, rows: int) -> dict[str, object]:
    """The support MIP (``support`` seconds at most), its answer written at once, then the
    proof on the model's first ``rows`` rows from its schedule until ``seconds`` after the start."""
    began = time.monotonic()
    answer = solve(folder, support, ub=np.load(folder / "support_ub.npy"), prefix="support_")
    write(folder, "support.json", answer)
    found = folder / "support_solution.npy"
    start = np.load(found) if answer["solution"] and found.exists() else None
    return solve(folder, seconds - (time.monotonic() - began), presolve=False, start=start, rows=rows)


def write(folder: Path, name: str, answer: dict[str, object]) -> None:
    """``FOLDER/name``, whole or not at all (by rename)."""
    partial = folder / f"{name}.part"
    partial.write_text(json.dumps(answer), encoding="utf-8")
    os.replace(partial, folder / name)


def main() -> None:
    folder, seconds = Path(sys.argv[1]), float(sys.argv[2])
    flags = sys.argv[3:]
    named = dict(flag.split("=", 1) for flag in flags if "=" in flag)
    if "lp" in flags:
        answer = relax(folder, seconds)
    elif "support" in named:
        answer = support_then_proof(folder, seconds, float(named["support"]), int(named["rows"]))
    else:
        answer = solve(folder, seconds, presolve="nopresolve" not in flags)
    write(folder, "result.json", answer)
    # The answer is on disk: end now rather than after the interpreter's teardown and
    # HiGHS's destructors (0.05–0.3 s at load 5–8, during which the parent waits on the exit).
    os._exit(0)


if __name__ == "__main__":
    main()
