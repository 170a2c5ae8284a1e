"""HiGHS's MIP in a process of its own, so that it can be ended at any moment.

In a thread (:mod:`solver.backends.highs_mip`) HiGHS hears a stop only between two LP
solves, and a process whose HiGHS thread is still inside one when it exits aborts
("terminate called without an active exception"): that ruled out running HiGHS beside
CBC, one core each, and ending the loser as soon as the other proves (measured,
docs/performance.md). Here the model goes to the child as NumPy arrays (no text format
to write or parse), the child (:mod:`solver.backends.highs_child`, a script importing only
HiGHS and NumPy) solves it alone, and :meth:`HighsProcess.stop` ends it with a signal.
:class:`HighsProcess` has :class:`~solver.backends.cbc.CbcProcess`'s interface;
:class:`SupportThenProof` is the support MIP of :mod:`solver.search.support` followed, in
the same child, by the proof from its schedule; :class:`LpBoundProcess` solves a
relaxation for its bound alone.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from solver.backends import BackendResult
from solver.backends.arrays import ModelArrays
from solver.backends.child import SolverChild
from solver.backends.highs_lp import integer_bound
from solver.linear import INF

_CHILD = Path(__file__).with_name("highs_child.py")


class _HighsChild(SolverChild):
    """HiGHS on ``model`` in a child process, from ``start`` when given, until ``deadline``
    (a ``time.perf_counter`` value) or :meth:`stop`, with the child's own ``flags`` (see
    :mod:`solver.backends.highs_child`: ``lp`` solves the relaxation only)."""

    def __init__(
        self,
        model: ModelArrays,
        *,
        deadline: float,
        start: np.ndarray | None,
        flags: list[str],
        files: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        super().__init__("phancong-highs-")
        self.model = model
        np.savez(
            self._folder / "model.npz",
            cost=model.cost.astype(float),
            lb=model.lb.astype(float),
            ub=model.ub.astype(float),
            row_lo=np.where(model.row_lo > -INF, model.row_lo, -np.inf).astype(float),
            row_hi=np.where(model.row_hi < INF, model.row_hi, np.inf).astype(float),
            constant=float(model.constant),
            start=model.start.astype(np.int32),
            index=model.index.astype(np.int32),
            value=model.value.astype(float),
        )
        if start is not None:
            np.save(self._folder / "start.npy", start.astype(np.int64))
        for name, array in (files or {}).items():
            np.save(self._folder / name, array)
        limit = max(1.0, deadline - time.perf_counter())
        # A script: the child's launcher runs it in its own interpreter (one start, not two).
        command = [str(_CHILD), str(self._folder), f"{limit:.2f}", *flags]
        self._launch(command, self._folder / "highs.log")

    def _answer(self, name: str = "result.json") -> dict[str, object] | None:
        """The child's answer, once it has ended by itself; None when stopped or failed.
        Another ``name`` is an answer written before the end (whole, or not there)."""
        path = self._folder / name
        if name == "result.json" and not self.ended_by_itself:
            return None
        if self._stopped or not path.exists():
            return None
        answer: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
        return answer


class HighsProcess(_HighsChild):
    """HiGHS's MIP on ``model`` until proved, ``deadline`` or :meth:`stop`.

    ``start`` is a complete solution vector HiGHS starts from; without ``presolve`` HiGHS
    starts from it at once (best when it is good: it is then mostly a proof).
    """

    def __init__(
        self, model: ModelArrays, *, deadline: float, start: np.ndarray | None = None, presolve: bool = True
    ) -> None:
        super().__init__(model, deadline=deadline, start=start, flags=[] if presolve else ["nopresolve"])

    def result(self) -> BackendResult:
        """What HiGHS found, once it has ended; status ``unknown`` when it was stopped or failed."""
        return self._result(self._answer(), "solution.npy", self.model)

    def _result(self, answer: dict[str, object] | None, name: str, model: ModelArrays) -> BackendResult:
        """``answer`` with the solution in ``FOLDER/name``, checked against every row of ``model``."""
        seconds = time.perf_counter() - self._started
        if answer is None:
            return BackendResult("unknown", None, None, None, seconds, "highs")
        if answer["infeasible"]:
            return BackendResult("infeasible", None, None, None, seconds, "highs")
        solution = self._folder / name
        if not answer["solution"] or not solution.exists():
            return BackendResult("unknown", None, None, None, seconds, "highs")
        values = np.load(solution)
        if values.shape != (model.num_vars,) or not model.satisfies(values):
            return BackendResult("unknown", None, None, None, seconds, "highs")
        objective = round(model.objective(values))
        if answer["optimal"]:
            return BackendResult("optimal", values, objective, objective, seconds, "highs")
        bound = answer["bound"]
        proved = None if not isinstance(bound, float) else min(objective, math.ceil(bound - 1e-6))
        return BackendResult("feasible", values, objective, proved, seconds, "highs")


class SupportThenProof(HighsProcess):
    """The support MIP, then the proof, in one child: HiGHS on ``support_model`` (``model``
    with rows appended, such as a cap on gaps) with the column upper bounds ``support_ub``
    (presolve on) from ``start`` until ``support_deadline``; then at once, from its
    schedule, on ``model`` itself (presolve off) until ``deadline``.

    :meth:`support` is the first answer, as soon as it is written; :meth:`result` the
    proof's, once the child has ended. A caller that wants no proof calls :meth:`stop`.
    """

    def __init__(
        self,
        model: ModelArrays,
        *,
        support_model: ModelArrays,
        support_ub: np.ndarray,
        support_deadline: float,
        deadline: float,
        start: np.ndarray,
    ) -> None:
        rows = model.num_rows
        if support_model.num_rows < rows or not np.array_equal(support_model.start[: rows + 1], model.start):
            raise ValueError("the support MIP's model must be the proof's with rows appended")
        self._support_model = support_model
        support = max(1.0, support_deadline - time.perf_counter())
        # The child is given the support MIP's model and told how many of its rows the proof keeps.
        _HighsChild.__init__(
            self,
            support_model,
            deadline=deadline,
            start=start,
            flags=[f"support={support:.2f}", f"rows={rows}"],
            files={"support_ub.npy": support_ub.astype(float)},
        )
        self.model = model

    def support(self) -> BackendResult | None:
        """The support MIP's answer once written (checked against every row of its model;
        its bound is the pool's, not the model's); None while it runs, and after a stop."""
        answer = self._answer("support.json")
        return None if answer is None else self._result(answer, "support_solution.npy", self._support_model)


class LpBoundProcess(_HighsChild):
    """The LP relaxation of ``model`` solved in a child, for its bound only: a larger LP
    than the caller can afford on its own core, on the core its search leaves idle."""

    def __init__(self, model: ModelArrays, *, deadline: float) -> None:
        super().__init__(model, deadline=deadline, start=None, flags=["lp"])

    def bound(self) -> int | None:
        """The least integer at or above the LP's optimum, once solved; None otherwise."""
        answer = self._answer()
        if answer is None or not answer["optimal"] or not isinstance(answer["objective"], float):
            return None
        return int(integer_bound(answer["objective"]))
