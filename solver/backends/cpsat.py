"""The OR-Tools CP-SAT backend: an exact integer solver for a model given as arrays."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping

import numpy as np
from ortools.sat.python import cp_model

from solver.backends import BackendResult, BackendStatus, Progress, ProgressCallback
from solver.backends.arrays import ModelArrays
from solver.linear import INF


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(
        self, started: float, on_progress: ProgressCallback | None, stop: threading.Event | None, target: float
    ) -> None:
        super().__init__()
        self.target = target
        self.started = started
        self.on_progress = on_progress
        self.stop = stop
        self.best: int | None = None
        self.bound: int | None = None

    def on_solution_callback(self) -> None:
        self.best = round(self.objective_value)
        self.bound = math.ceil(self.best_objective_bound - 1e-6)
        self._report()
        if self.best <= self.target or (self.stop is not None and self.stop.is_set()):
            self.stop_search()

    def on_bound(self, bound: float) -> None:
        self.bound = math.ceil(bound - 1e-6)
        self._report()

    def _report(self) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(time.perf_counter() - self.started, self.best, self.bound))


def solve(
    model: ModelArrays,
    *,
    time_limit: float,
    workers: int,
    hint: np.ndarray | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    log: bool = False,
    parameters: Mapping[str, object] | None = None,
    target: float = -math.inf,
) -> BackendResult:
    """Minimise the model; ``hint`` is a full solution to start from (it need not be feasible).

    The search ends early once a solution reaches ``target`` (a bound proved elsewhere).
    """
    started = time.perf_counter()
    cp = cp_model.CpModel()
    variables = [cp.new_int_var(int(lo), int(hi), "") for lo, hi in zip(model.lb, model.ub, strict=True)]
    start, index, value = model.start, model.index.tolist(), model.value.tolist()
    for r in range(model.num_rows):
        a, b = int(start[r]), int(start[r + 1])
        expr = cp_model.LinearExpr.weighted_sum([variables[i] for i in index[a:b]], value[a:b])
        lo, hi = int(model.row_lo[r]), int(model.row_hi[r])
        cp.add_linear_constraint(expr, lo if lo > -INF else -cp_model.INT_MAX, hi if hi < INF else cp_model.INT_MAX)
    terms = np.flatnonzero(model.cost)
    cp.minimize(
        cp_model.LinearExpr.weighted_sum([variables[i] for i in terms], [int(c) for c in model.cost[terms]])
        + round(model.constant)
    )
    if hint is not None:
        for var, val in zip(variables, hint.tolist(), strict=True):
            cp.add_hint(var, int(val))

    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.05, time_limit - (time.perf_counter() - started))
    params.num_workers = max(1, workers)
    params.log_search_progress = log
    for key, val in (parameters or {}).items():
        setattr(params, key, val)
    reporter = _Reporter(started, on_progress, stop, target)
    solver.best_bound_callback = reporter.on_bound
    watcher = _watch(stop, solver)
    code = solver.solve(cp, reporter)
    if watcher is not None:
        watcher.cancel()
    seconds = time.perf_counter() - started
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = np.array([solver.value(v) for v in variables], dtype=np.int64)
        best = round(solver.objective_value)
        status: BackendStatus = "optimal" if code == cp_model.OPTIMAL or best <= target else "feasible"
        bound = best if status == "optimal" else math.ceil(solver.best_objective_bound - 1e-6)
        return BackendResult(status, values, best, bound, seconds, "cpsat")
    failed: BackendStatus = "infeasible" if code == cp_model.INFEASIBLE else "unknown"
    return BackendResult(failed, None, None, None, seconds, "cpsat")


class _Watch:
    def __init__(self, stop: threading.Event, solver: cp_model.CpSolver) -> None:
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(stop, solver), daemon=True)
        self._thread.start()

    def _run(self, stop: threading.Event, solver: cp_model.CpSolver) -> None:
        while not self._done.is_set():
            if stop.wait(0.05):
                solver.stop_search()
                return

    def cancel(self) -> None:
        self._done.set()


def _watch(stop: threading.Event | None, solver: cp_model.CpSolver) -> _Watch | None:
    """Stop the search from another thread as soon as ``stop`` is set."""
    return None if stop is None else _Watch(stop, solver)
