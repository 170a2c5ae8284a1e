"""The PuLP backend: the same model as a MILP for CBC or HiGHS (or a commercial solver
PuLP knows), a licence-free path and a cross-check of the CP-SAT model."""

from __future__ import annotations

import math
import time

import highspy
import numpy as np
import pulp

from solver.backends import MIP_SOLVERS, BackendResult, BackendStatus
from solver.backends.arrays import ModelArrays
from solver.backends.highs_model import PROOF_GAP, highs_lp, start_solution
from solver.backends.watchdog import ChildWatchdog
from solver.linear import INF

#: Rows built between two looks at the clock.
BUILD_CHECK_ROWS = 2_000
#: Seconds past the deadline before CBC is ended (it may be writing its answer).
CHILD_GRACE = 2.0
#: Above this many nonzeros HiGHS runs without presolve: its presolve looks at the clock
#: only between passes, and on a province's year (3.4 million nonzeros) one pass took 75 s
#: against a limit of 36 s. The root LP and the search keep to the limit.
PRESOLVE_MAX_NONZEROS = 1_000_000


def solve(
    model: ModelArrays,
    *,
    time_limit: float,
    mip_solver: str = "highs",
    hint: np.ndarray | None = None,
    threads: int = 1,
) -> BackendResult:
    """Solve ``model`` with PuLP and ``mip_solver`` within ``time_limit`` seconds.

    PuLP builds the model in Python, then the solver builds its own copy: on a province's
    year each takes tens of seconds. So the time limit is kept at every step: the build
    stops at the deadline, a solve is not started when the solver's own build could not
    finish in the time left, and CBC (a child process that reads its time limit only after
    its root) is ended at the deadline. Each of these returns status ``unknown``, and the
    caller keeps the schedule it already has.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    name = f"pulp/{mip_solver}"
    if mip_solver not in MIP_SOLVERS:
        raise ValueError(f"mip_solver không hỗ trợ: {mip_solver!r} (chọn {', '.join(MIP_SOLVERS)})")
    built = _build(model, deadline)
    if built is None:
        return BackendResult("unknown", None, None, None, time.perf_counter() - started, name)
    problem, variables = built
    build_seconds = time.perf_counter() - started
    remaining = deadline - time.perf_counter()
    if mip_solver == "cbc" and remaining < build_seconds:
        # CBC reads the model from a file PuLP writes row by row: about another build.
        return BackendResult("unknown", None, None, None, time.perf_counter() - started, name)
    if hint is not None:
        for var, val in zip(variables, hint.tolist(), strict=True):
            var.setInitialValue(int(val))
    # The score is an integer, so only an absolute gap below one point proves a schedule
    # optimal. The solvers' default *relative* gap (0.01 %) is measured against the
    # objective they see, which PuLP hands over without its constant: with the unfilled
    # term that is about −1000 × seats, and a month of a province was once "proved"
    # optimal five points above its optimum.
    gaps = {"gapRel": 0.0, "gapAbs": PROOF_GAP}
    # The solver's own build comes out of its time limit too.
    limit = max(1.0, remaining - build_seconds)
    engine: pulp.LpSolver
    if mip_solver == "cbc":
        engine = pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, threads=threads, warmStart=hint is not None, **gaps)
    else:
        # HiGHS takes the model in one call, so its build costs nothing against the limit.
        limit = max(1.0, remaining)
        options: dict[str, object] = {"presolve": "off"} if len(model.value) > PRESOLVE_MAX_NONZEROS else {}
        engine = _MatrixHiGHS(model, variables, hint, msg=False, timeLimit=limit, threads=threads, **gaps, **options)
    with ChildWatchdog("cbc", deadline + CHILD_GRACE) as watchdog:
        try:
            problem.solve(engine)
        except pulp.PulpSolverError:
            if not watchdog.fired:
                raise
            return BackendResult("unknown", None, None, None, time.perf_counter() - started, name)
    seconds = time.perf_counter() - started
    status_name = pulp.LpStatus[problem.status]
    has_solution = problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    if not has_solution:
        failed: BackendStatus = "infeasible" if status_name == "Infeasible" else "unknown"
        return BackendResult(failed, None, None, None, seconds, name)
    values = np.array([round(v.value() or 0) for v in variables], dtype=np.int64)
    objective = round(float(model.cost @ values + model.constant))
    optimal = problem.sol_status == pulp.LpSolutionOptimal
    bound = objective if optimal else _bound(problem)
    status: BackendStatus = "optimal" if optimal else "feasible"
    return BackendResult(status, values, objective, bound, seconds, name)


def _build(model: ModelArrays, deadline: float) -> tuple[pulp.LpProblem, list[pulp.LpVariable]] | None:
    """The PuLP problem of ``model``, or None when the deadline passes while building it."""
    problem = pulp.LpProblem("phancong", pulp.LpMinimize)
    names = [f"v{i}" for i in range(model.num_vars)]
    variables = [
        problem.add_variable(name, int(lo), int(hi), cat=pulp.LpInteger)
        for name, lo, hi in zip(names, model.lb, model.ub, strict=True)
    ]
    terms = np.flatnonzero(model.cost)
    problem += pulp.lpSum(float(model.cost[i]) * variables[i] for i in terms) + float(model.constant)
    index, value = model.index.tolist(), model.value.tolist()
    for r in range(model.num_rows):
        if r % BUILD_CHECK_ROWS == 0 and time.perf_counter() > deadline:
            return None
        a, b = int(model.start[r]), int(model.start[r + 1])
        expr = pulp.LpAffineExpression([(variables[i], c) for i, c in zip(index[a:b], value[a:b], strict=True)])
        lo, hi = int(model.row_lo[r]), int(model.row_hi[r])
        if lo > -INF and hi < INF and lo == hi:
            problem += expr == lo, f"r{r}"
        else:
            if lo > -INF:
                problem += expr >= lo, f"r{r}lo"
            if hi < INF:
                problem += expr <= hi, f"r{r}hi"
    return problem, variables


def _bound(problem: pulp.LpProblem) -> int | None:
    """The MIP's proved bound when the solver reports one (HiGHS does through its API)."""
    highs = getattr(problem, "solverModel", None)
    if highs is None:
        return None
    value = float(highs.getInfo().mip_dual_bound)
    return math.ceil(value - 1e-6) if math.isfinite(value) else None


class _MatrixHiGHS(pulp.HiGHS):
    """PuLP's HiGHS solver, handed the model as the one matrix the PuLP problem was built from.

    PuLP's own HiGHS interface adds each column and row through a Python call, which on a
    province's year (≈450,000 columns, 830,000 rows) took longer than the time limit, and
    HiGHS counts its limit only from its own start. The problem's variables are the
    matrix's columns in order, so the values come back to them by position; the start
    schedule (``hint``) is given to HiGHS as a solution to prune with.
    """

    def __init__(
        self, model: ModelArrays, variables: list[pulp.LpVariable], hint: np.ndarray | None, **options: object
    ) -> None:
        super().__init__(**options)
        self._model = model
        self._variables = variables
        self._hint = hint

    def actualSolve(self, lp: pulp.LpProblem) -> int:
        self.createAndConfigureSolver(lp)
        highs = lp.solverModel
        highs.passModel(highs_lp(self._model, integer=True))
        if self._hint is not None:
            highs.setSolution(start_solution(self._hint))
        highs.run()
        solution = highs.getSolution()
        feasible = highs.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        found = bool(solution.value_valid) and feasible
        if found:
            for var, value in zip(self._variables, solution.col_value, strict=True):
                var.varValue = value
        status, sol_status = _status(highs.getModelStatus(), found)
        lp.assignStatus(status, sol_status)
        return status


def _status(model_status: highspy.HighsModelStatus, found: bool) -> tuple[int, int]:
    """PuLP's (status, solution status) for HiGHS's outcome."""
    kinds = highspy.HighsModelStatus
    if model_status == kinds.kOptimal:
        return pulp.LpStatusOptimal, pulp.LpSolutionOptimal
    if model_status in (kinds.kInfeasible, kinds.kUnboundedOrInfeasible):
        return pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible
    if found:  # a limit or an interrupt, with a schedule
        return pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible
    return pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound
