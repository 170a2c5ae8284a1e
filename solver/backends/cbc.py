"""CBC in a process of its own, on a model written straight from its arrays.

On a city's year CBC proves the direct model sooner than HiGHS (measured,
docs/performance.md). PuLP's CBC path builds the problem in Python and then waits for CBC
with no way to end it early. Here the model goes to an MPS file through HiGHS's writer
(one call), CBC runs as a child this object owns (so it can be ended as soon as another
search proves first, and it shares no lock with the Python searches beside it), and its
log gives the bound when it stops on its time limit.
"""

from __future__ import annotations

import math
import re
import time

import highspy
import numpy as np
import pulp

from solver.backends import BackendResult, BackendStatus
from solver.backends.arrays import ModelArrays
from solver.backends.child import SolverChild
from solver.backends.highs_model import PROOF_GAP, highs_lp

_BOUND = re.compile(r"^Lower bound:\s*(-?[0-9.eE+-]+)", re.MULTILINE)


def available() -> bool:
    """Whether PuLP's bundled CBC can run here."""
    return bool(pulp.PULP_CBC_CMD().available())


class CbcProcess(SolverChild):
    """CBC on ``model`` until proved, ``deadline`` (a ``time.perf_counter`` value) or :meth:`stop`.

    ``start`` is a complete solution vector CBC starts from (its score is CBC's first
    cutoff).
    """

    def __init__(self, model: ModelArrays, *, deadline: float, start: np.ndarray | None = None) -> None:
        super().__init__("phancong-cbc-")
        self.model = model
        folder = self._folder
        self._solution = folder / "solution.txt"
        self._log = folder / "cbc.log"
        mps = folder / "model.mps"
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.passModel(highs_lp(model, integer=True))
        highs.writeModel(str(mps))
        command = [str(pulp.PULP_CBC_CMD().path), str(mps)]
        if start is not None:
            mst = folder / "start.txt"
            lines = ["Stopped on time - objective value 0"]
            lines += [f"{i} c{i} {int(v)} 0" for i, v in enumerate(start.tolist())]
            mst.write_text("\n".join(lines) + "\n", encoding="ascii")
            command += ["-mips", str(mst)]
        limit = max(1.0, deadline - time.perf_counter())
        command += [
            "-timeMode",
            "elapsed",
            "-sec",
            f"{limit:.1f}",
            "-ratio",
            "0",
            "-allow",
            str(PROOF_GAP),
            "-threads",
            "1",
        ]
        command += ["-solve", "-solution", str(self._solution)]
        self._launch(command, self._log)

    def result(self) -> BackendResult:
        """What CBC found, once it has ended; status ``unknown`` when it was stopped."""
        seconds = time.perf_counter() - self._started
        if not self.ended_by_itself or not self._solution.exists():
            return BackendResult("unknown", None, None, None, seconds, "cbc")
        with self._solution.open(encoding="utf-8") as handle:
            head = handle.readline()
            values = np.zeros(self.model.num_vars, dtype=np.int64)
            for line in handle:
                parts = line.replace("**", " ").split()
                if len(parts) >= 3 and parts[1].startswith("c"):
                    values[int(parts[1][1:])] = round(float(parts[2]))
        if head.startswith(("Infeasible", "Integer infeasible")):
            return BackendResult("infeasible", None, None, None, seconds, "cbc")
        if "objective value" not in head or not self.model.satisfies(values):
            return BackendResult("unknown", None, None, None, seconds, "cbc")
        objective = round(float(self.model.cost @ values + self.model.constant))
        if head.startswith("Optimal"):
            return BackendResult("optimal", values, objective, objective, seconds, "cbc")
        status: BackendStatus = "feasible"
        return BackendResult(status, values, objective, self._bound(head, objective), seconds, "cbc")

    def _bound(self, head: str, objective: int) -> int | None:
        """CBC's lower bound, in the model's score (CBC's objective may leave out the constant)."""
        reported = re.search(r"objective value\s+(-?[0-9.eE+-]+)", head)
        found = _BOUND.search(self._log.read_text(encoding="utf-8", errors="replace"))
        if reported is None or found is None:
            return None
        bound = float(found.group(1)) + objective - float(reported.group(1))
        return math.ceil(bound - 1e-6) if math.isfinite(bound) else None
