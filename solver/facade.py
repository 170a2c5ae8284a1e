"""The one entry point: ``solve(instance) -> Result``. Pure: an instance in, a result out.

Strategy (``backend="auto"``, the default):

* a model small enough (a city's month) goes to CP-SAT whole, which proves it at once;
* a larger month goes to :class:`~solver.search.branching.BranchAndBound` (LP bound,
  branching on the balance loads, CP-SAT on restricted sub-problems);
* a long horizon too large for one model is planned month by month and then improved
  over windows of months (:mod:`solver.search.horizon`), with a bound from per-month
  relaxations.

``backend="cpsat"`` and ``backend="pulp"`` solve the whole model with that backend
alone (the reference and the cross-check); ``backend="greedy"`` stops at the first
schedule, built meeting by meeting as a planner would by hand (the baseline). Whatever
runs, the schedule is scored by the independent scorer, and its total must equal the
model's objective.

:func:`solve` is a dispatcher: it picks one :class:`Strategy` (:class:`Horizon`, or for
one whole model :class:`SeatsFirst` or, with a ``priority``, :class:`Lexicographic`), and
the whole-model strategies improve schedules with one :class:`Core` (the product's
branch and bound, CP-SAT, PuLP or greedy). Each strategy returns a typed plan; what it
did beside the schedule is a :class:`~solver.result.SolveDetails`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

import numpy as np

from models.instance import Instance
from models.rules import TERMS
from solver import diagnose, seats_first
from solver.backends import MIP_SOLVERS, ProgressCallback
from solver.encode import Encoding, encode
from solver.result import PhaseResult, Result, SolveDetails, Status, UnfilledSeats
from solver.score import score
from solver.search.engine import CompletionError, PreparedModel, optimise, score_of
from solver.search.horizon import plan_horizon
from solver.search.incumbent import Incumbent
from solver.visits import suggest_visits

Backend = Literal["auto", "cpsat", "pulp", "greedy"]
BACKENDS: tuple[str, ...] = ("auto", "cpsat", "pulp", "greedy")


#: Pairs up to which even a multi-month instance is solved as one model (proved at once).
SMALL_HORIZON = 3_000

Pairs = list[tuple[int, int]]
"""(delegate index, meeting index) pairs."""


class SolveError(RuntimeError):
    """The instance cannot be solved as asked (e.g. an unknown backend)."""


def solve(
    instance: Instance,
    *,
    backend: Backend = "auto",
    time_limit: float = 60.0,
    workers: int | None = None,
    hint: Iterable[tuple[str, str]] | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    mip_solver: str = "highs",
    priority: Sequence[str] = (),
    rolling: bool = False,
) -> Result:
    """Best schedule for ``instance`` within ``time_limit`` seconds (wall clock).

    ``hint`` is a schedule to start from (e.g. the published one); ``stop`` ends the
    search early with the best schedule so far. ``priority`` names score terms to
    minimise first, in that order after ``unfilled`` (e.g. ``("changes",)`` when
    re-planning: as few changes as possible, then the best score with that many); the
    status then says whether that lexicographic optimum is proved, and the bound is the
    final score's among the schedules with the proved least values of those terms.
    ``rolling`` plans a multi-month instance month by month, each month knowing only the
    months before it (the practice), instead of jointly.
    """
    if backend not in BACKENDS:
        raise SolveError(f"backend không hỗ trợ: {backend!r} (chọn {', '.join(BACKENDS)})")
    if mip_solver not in MIP_SOLVERS:
        raise SolveError(f"mip_solver không hỗ trợ: {mip_solver!r} (chọn {', '.join(MIP_SOLVERS)})")
    unknown = [t for t in priority if t not in TERMS]
    if unknown:
        raise SolveError(f"tiêu chí không có: {', '.join(unknown)} (có: {', '.join(TERMS)})")
    started = time.perf_counter()
    enc = encode(instance)
    conflicts = diagnose.pin_conflicts_by_meeting(enc)
    if conflicts:
        return Result(
            "infeasible",
            [],
            None,
            None,
            time.perf_counter() - started,
            backend,
            problems=[reason for _, reason in conflicts],
            conflicts=conflicts,
        )
    if not enc.meetings:
        return _finish(enc, _Plan([], 0, backend, 0, SolveDetails()), started)
    request = _Request(
        enc=enc,
        first=_pairs(enc, hint),
        started=started,
        deadline=started + max(0.1, time_limit),
        workers=workers or min(8, os.cpu_count() or 1),
        stop=stop,
        on_progress=on_progress,
    )
    strategy = _strategy(backend, enc, tuple(priority), rolling, mip_solver)
    return _finish(enc, strategy.run(request), started)


def _strategy(backend: str, enc: Encoding, priority: tuple[str, ...], rolling: bool, mip_solver: str) -> Strategy:
    """The strategy for this request: the dispatcher of :func:`solve`."""
    several = len({m.month for m in enc.meetings}) > 1
    if backend == "auto" and not priority and (_long(enc) or (rolling and several)):
        return Horizon(rolling)
    core: Core
    if backend == "greedy":
        core = GreedyCore()
    elif backend == "pulp":
        core = PulpCore(mip_solver)
    elif backend == "cpsat":
        core = CpSatCore()
    else:
        core = BranchAndBoundCore()
    return Lexicographic(core, priority) if priority else SeatsFirst(core)


# --- what a strategy gets and gives ---------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    """One solve's instance and limits, as every strategy sees them."""

    enc: Encoding
    first: Pairs | None
    """The hint, as pairs of this encoding (None without one)."""
    started: float
    deadline: float
    workers: int
    stop: threading.Event | None
    on_progress: ProgressCallback | None

    def progress(self) -> Incumbent:
        """A fresh incumbent reporting to the caller."""
        return Incumbent(started=self.started, on_progress=self.on_progress)


@dataclass
class _Plan:
    """A strategy's schedule and what it proved."""

    schedule: Pairs
    bound: int | None
    method: str
    objective: int
    """The model's own score of ``schedule`` (:func:`~solver.search.engine.score_of`, not a
    solver's objective, which may overstate it); the independent scorer must agree."""
    details: SolveDetails
    proved: bool | None = None
    """Whether the schedule is proved optimal; None: when the bound meets its score."""


class Strategy(Protocol):
    """One way to solve an encoded instance."""

    def run(self, request: _Request) -> _Plan: ...


# --- the cores: one model, one way to improve a schedule of it --------------------------------


@dataclass(frozen=True)
class CoreRun:
    """How a core ended (its schedule is in the incumbent it was given)."""

    incumbent: Incumbent
    bound: int | None
    proved: bool
    method: str
    nodes: int | None = None
    root_bound: int | None = None


class Core(Protocol):
    """Improves a start vector of one model until proved optimal or the deadline."""

    def improve(
        self, model: PreparedModel, start: np.ndarray, incumbent: Incumbent, deadline: float, request: _Request
    ) -> CoreRun: ...


@dataclass(frozen=True)
class GreedyCore:
    """The planner-by-hand baseline: the first schedule, not improved."""

    def improve(
        self, model: PreparedModel, start: np.ndarray, incumbent: Incumbent, deadline: float, request: _Request
    ) -> CoreRun:
        return CoreRun(incumbent, None, False, "greedy")


@dataclass(frozen=True)
class PulpCore:
    """The whole model through PuLP to a MIP solver (the cross-check)."""

    mip_solver: str

    def improve(
        self, model: PreparedModel, start: np.ndarray, incumbent: Incumbent, deadline: float, request: _Request
    ) -> CoreRun:
        from solver.backends import pulp as pulp_backend

        outcome = pulp_backend.solve(
            model.arrays, time_limit=deadline - time.perf_counter(), mip_solver=self.mip_solver, hint=start
        )
        if outcome.values is not None and outcome.objective is not None:
            incumbent.offer(outcome.values, outcome.objective, "pulp")
        proved = outcome.status == "optimal" and incumbent.objective <= (outcome.objective or 0)
        return CoreRun(incumbent, outcome.bound, proved, f"pulp/{self.mip_solver}")


@dataclass(frozen=True)
class CpSatCore:
    """The whole model to CP-SAT alone (the reference)."""

    def improve(
        self, model: PreparedModel, start: np.ndarray, incumbent: Incumbent, deadline: float, request: _Request
    ) -> CoreRun:
        found = optimise(
            model, incumbent, deadline=deadline, workers=request.workers, stop=request.stop, force_cpsat=True
        )
        return CoreRun(incumbent, found.bound, found.proved, f"cpsat/{found.method}", found.nodes, found.root_bound)


@dataclass(frozen=True)
class BranchAndBoundCore:
    """The product's engine: branch and bound on the LP, CP-SAT on restricted sub-problems."""

    def improve(
        self, model: PreparedModel, start: np.ndarray, incumbent: Incumbent, deadline: float, request: _Request
    ) -> CoreRun:
        found = optimise(model, incumbent, deadline=deadline, workers=request.workers, stop=request.stop)
        return CoreRun(incumbent, found.bound, found.proved, f"auto/{found.method}", found.nodes, found.root_bound)


def _run_core(
    core: Core, model: PreparedModel, first: Pairs | None, deadline: float, request: _Request, incumbent: Incumbent
) -> CoreRun:
    """Start from ``first`` (or a greedy schedule) and improve it with ``core``."""
    try:
        start = model.vector(first) if first is not None else model.greedy_vector()
    except CompletionError:
        # The hint breaks a rule now (someone fell ill, a meeting moved): keep what holds.
        start = model.greedy_vector(first or ())
    incumbent.offer(start, model.arrays.objective(start), "hint" if first is not None else "greedy")
    return core.improve(model, start, incumbent, deadline, request)


@dataclass
class _Capped:
    """One whole model solved by a core under successive caps (a lexicographic solve)."""

    model: PreparedModel
    core: Core
    request: _Request
    phases: dict[str, PhaseResult] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.arrays = self.model.arrays

    def term_value(self, found: CoreRun, term: str) -> int:
        values = found.incumbent.values
        assert values is not None
        return round(self.model.built.model.objective({term: 1}).value(values))

    def schedule(self, found: CoreRun) -> Pairs:
        assert found.incumbent.values is not None  # a greedy schedule always exists
        return self.model.built.variables.extract(found.incumbent.values)

    def cap(self, term: str, first: Pairs | None, deadline: float) -> Pairs:
        """Minimise ``term`` alone under the caps so far, then cap it at what was reached."""
        weights = {term: 1}
        phase = replace(self.model, arrays=self.arrays.reweighted(self.model.built.model, weights))
        found = _run_core(self.core, phase, first, deadline, self.request, Incumbent())
        value = round(found.incumbent.objective)
        self.arrays = self.arrays.with_row(self.model.built.model.objective(weights), value)
        self.phases[term] = PhaseResult(value, found.proved)
        return self.schedule(found)

    def solve(self, first: Pairs | None, deadline: float, progress: Incumbent) -> CoreRun:
        current = replace(self.model, arrays=self.arrays)
        return _run_core(self.core, current, first, deadline, self.request, progress)

    def plan(self, found: CoreRun, bound: int | None, proved: bool | None) -> _Plan:
        details = SolveDetails(
            pairs=self.model.pairs,
            rows=self.arrays.num_rows,
            source=found.incumbent.source,
            nodes=found.nodes,
            root_bound=found.root_bound,
            phases=dict(self.phases),
        )
        schedule = self.schedule(found)
        objective = round(score_of(self.request.enc, schedule))
        return _Plan(schedule, bound, found.method, objective, details, proved)


@dataclass(frozen=True)
class SeatsFirst:
    """The whole model by one core, minimising the weighted score; if seats stay empty,
    the fewest empty seats are searched for alone and, if fewer exist, the score again
    among schedules with that many (H1 and H2 are hard, whatever ``weights.unfilled``)."""

    core: Core

    def run(self, request: _Request) -> _Plan:
        run = _Capped(PreparedModel.of(request.enc, also=("unfilled",)), self.core, request)
        found = run.solve(request.first, request.deadline, request.progress())
        if run.term_value(found, "unfilled") > 0 and time.perf_counter() < request.deadline:
            gaps = run.term_value(found, "unfilled")
            remaining = request.deadline - time.perf_counter()
            fewer = run.cap("unfilled", run.schedule(found), time.perf_counter() + remaining / 2)
            if run.phases["unfilled"].value < gaps:
                found = run.solve(fewer, request.deadline, request.progress())
        # Fewest gaps not proved: the score's bound proves nothing more.
        proved = False if "unfilled" in run.phases and not run.phases["unfilled"].proved else None
        return run.plan(found, found.bound, proved)


@dataclass(frozen=True)
class Lexicographic:
    """The whole model by one core: the fewest empty seats, then the fewest of each
    ``priority`` term in turn, each phase capped at what it reached, then the score."""

    core: Core
    priority: tuple[str, ...]

    def run(self, request: _Request) -> _Plan:
        run = _Capped(PreparedModel.of(request.enc, also=("unfilled", *self.priority)), self.core, request)
        first = request.first
        for term in ("unfilled", *self.priority):
            end = request.started + (request.deadline - request.started) * 0.5 / (1 + len(self.priority))
            first = run.cap(term, first, time.perf_counter() + max(0.0, end - time.perf_counter()))
        found = run.solve(first, request.deadline, request.progress())
        # The last phase's bound bounds the score among schedules within the caps; with
        # every cap proved the least, those are the lexicographically best schedules.
        phases_proved = all(p.proved for p in run.phases.values())
        return run.plan(found, found.bound if phases_proved else None, found.proved and phases_proved)


@dataclass(frozen=True)
class Horizon:
    """Several months too large for one model: month by month, then improved over windows
    of months (:mod:`solver.search.horizon`); with ``rolling``, month by month only."""

    rolling: bool

    def run(self, request: _Request) -> _Plan:
        enc = request.enc
        # The decomposed search minimises one weighted score: give it an unfilled weight
        # that no other saving beats (H1/H2 are hard), then score with the real weights.
        weighted = seats_first.seats_first(enc)
        plan = plan_horizon(
            weighted,
            deadline=request.deadline,
            workers=request.workers,
            progress=request.progress(),
            stop=request.stop,
            rolling=self.rolling,
        )
        shift = weighted.rules.weight("unfilled") - enc.rules.weight("unfilled")
        left = seats_first.gaps(weighted, plan.schedule)
        # The bound of the re-weighted model bounds the real one among gap-free schedules.
        bound = plan.bound if shift == 0 or left == 0 else None
        name = "auto/rolling" if self.rolling else "auto/horizon"
        pairs = plan.pairs()
        return _Plan(pairs, bound, name, round(score_of(enc, pairs)), SolveDetails(horizon=plan.details))


def _long(enc: Encoding) -> bool:
    """Several months and more pairs than the whole-model search proves quickly."""
    months = {m.month for m in enc.meetings}
    return len(months) > 1 and len(enc.meetings) * len(enc.delegates) > SMALL_HORIZON


def evaluate(instance: Instance, pairs: Iterable[tuple[str, str]]) -> Result:
    """A schedule made elsewhere (a workbook a planner edited) as a solve reports one:
    scored, its gaps explained, its visits suggested. Nothing is proved of it, so its
    status is ``feasible`` or ``partial``; pairs naming an unknown meeting or delegate
    are the reader's to refuse, and are left out here."""
    started = time.perf_counter()
    enc = encode(instance)
    schedule = _pairs(enc, pairs) or []
    known = [(enc.meetings[m].id, enc.delegates[d].id) for d, m in schedule]
    plan = _Plan(schedule, None, "evaluate", score(instance, known).total, SolveDetails(), proved=False)
    return _finish(enc, plan, started)


def _pairs(enc: Encoding, hint: Iterable[tuple[str, str]] | None) -> list[tuple[int, int]] | None:
    if hint is None:
        return None
    meetings = {m.id: m.index for m in enc.meetings}
    delegates = {d.id: d.index for d in enc.delegates}
    return [(delegates[d], meetings[m]) for m, d in hint if m in meetings and d in delegates]


def _finish(enc: Encoding, plan: _Plan, started: float) -> Result:
    instance = enc.instance
    schedule = plan.schedule
    pairs = [(enc.meetings[m].id, enc.delegates[d].id) for d, m in sorted(schedule, key=lambda p: (p[1], p[0]))]
    report = score(instance, pairs)
    index = {m.id: m.index for m in enc.meetings}
    reasons = diagnose.explain_gaps(enc, schedule, [(index[g.meeting], g.seats, g.senior_missing) for g in report.gaps])
    gaps = [UnfilledSeats(g.meeting, g.seats, g.senior_missing, reasons[index[g.meeting]]) for g in report.gaps]
    bound, proved = plan.bound, plan.proved
    if proved is None:
        proved = bound is not None and bound >= report.total
    status: Status = "partial" if report.gaps else "optimal" if proved else "feasible"
    return Result(
        status=status,
        assignments=pairs,
        report=report,
        # Every term and weight is non-negative, so 0 bounds any score: a MIP stopped
        # before its root LP reports a far lower one that says nothing.
        bound=min(max(bound, 0), report.total) if bound is not None else None,
        seconds=time.perf_counter() - started,
        backend=plan.method,
        objective=plan.objective,
        gaps=gaps,
        visits=suggest_visits(instance, pairs),
        details=plan.details,
    )
