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
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from models.instance import Instance
from models.rules import TERMS
from solver import diagnose, seats_first
from solver.backends import ProgressCallback
from solver.encode import Encoding, encode
from solver.result import Gap, Result, Status
from solver.score import score
from solver.search.engine import CompletionError, Prepared, optimise
from solver.search.horizon import plan_horizon
from solver.search.incumbent import Incumbent
from solver.visits import suggest_visits

Backend = Literal["auto", "cpsat", "pulp", "greedy"]
BACKENDS: tuple[str, ...] = ("auto", "cpsat", "pulp", "greedy")


#: Pairs up to which even a multi-month instance is solved as one model (proved at once).
SMALL_HORIZON = 3_000


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
    status then says whether that lexicographic optimum is proved. ``rolling`` plans a
    multi-month instance month by month, each month knowing only the months before it
    (the practice), instead of jointly.
    """
    if backend not in BACKENDS:
        raise SolveError(f"backend không hỗ trợ: {backend!r} (chọn {', '.join(BACKENDS)})")
    unknown = [t for t in priority if t not in TERMS]
    if unknown:
        raise SolveError(f"tiêu chí không có: {', '.join(unknown)} (có: {', '.join(TERMS)})")
    started = time.perf_counter()
    deadline = started + max(0.1, time_limit)
    workers = workers or min(8, os.cpu_count() or 1)
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
    progress = Incumbent(started=started, on_progress=on_progress)
    if not enc.meetings:
        return _finish(enc, [], 0, started, backend, 0, {})
    if backend == "auto" and not priority and (_long(enc) or (rolling and len({m.month for m in enc.meetings}) > 1)):
        # The decomposed search minimises one weighted score: give it an unfilled weight
        # that no other saving beats (H1/H2 are hard), then score with the real weights.
        weighted = seats_first.seats_first(enc)
        plan = plan_horizon(weighted, deadline=deadline, workers=workers, progress=progress, stop=stop, rolling=rolling)
        name = "auto/rolling" if rolling else "auto/horizon"
        shift = weighted.rules.weight("unfilled") - enc.rules.weight("unfilled")
        left = seats_first.gaps(weighted, plan.schedule)
        objective = round(plan.objective) - shift * left
        # The bound of the re-weighted model bounds the real one among gap-free schedules.
        bound = plan.bound if shift == 0 or left == 0 else None
        return _finish(enc, plan.pairs(), bound, started, name, objective, plan.details)

    first = _pairs(enc, hint)
    details: dict[str, object] = {}
    prepared = Prepared.of(enc, also=("unfilled", *priority))
    run = _Runner(prepared, backend, workers, stop, mip_solver, started)
    # H1 and H2 are hard: seats stay empty only when they cannot be filled, whatever
    # weights.unfilled says. So the score is minimised among the schedules with the
    # fewest gaps, and then, lexicographically, the fewest of each ``priority`` term.
    chain = ("unfilled", *priority) if priority else ()
    for term in chain:
        end = started + (deadline - started) * 0.5 / (1 + len(priority))
        first = run.cap(term, first, time.perf_counter() + max(0.0, end - time.perf_counter()), details)
    found = run.solve(first, deadline, progress)
    if not priority and run.term_value(found, "unfilled") > 0 and time.perf_counter() < deadline:
        gaps = run.term_value(found, "unfilled")
        pairs = prepared.built.variables.extract(found.incumbent.values)  # type: ignore[arg-type]
        remaining = deadline - time.perf_counter()
        fewer = run.cap("unfilled", pairs, time.perf_counter() + remaining / 2, details)
        if details["unfilled"]["value"] < gaps:  # type: ignore[index]
            progress = Incumbent(started=started, on_progress=on_progress)
            found = run.solve(fewer, deadline, progress)
    details.update(pairs=prepared.pairs, rows=run.arrays.num_rows, **found.details)
    assert found.incumbent.values is not None
    schedule = prepared.built.variables.extract(found.incumbent.values)
    details["source"] = found.incumbent.source
    bound, proved = found.bound, None
    if priority:
        # The phases' bounds bound the lexicographic problem, not the weighted score.
        phases_proved = all(bool(details[t]["proved"]) for t in chain)  # type: ignore[index]
        bound, proved = None, found.proved and phases_proved
    elif "unfilled" in details and not details["unfilled"]["proved"]:  # type: ignore[index]
        proved = False  # fewest gaps not proved: the score's bound proves nothing more
    return _finish(enc, schedule, bound, started, found.method, round(found.incumbent.objective), details, proved)


@dataclass
class _Runner:
    """One model solved under successive caps (a lexicographic solve)."""

    prepared: Prepared
    backend: str
    workers: int
    stop: threading.Event | None
    mip_solver: str
    started: float

    def __post_init__(self) -> None:
        self.arrays = self.prepared.arrays

    def term_value(self, found: _Found, term: str) -> int:
        values = found.incumbent.values
        assert values is not None
        return round(self.prepared.built.model.objective({term: 1}).value(values))

    def cap(
        self, term: str, first: list[tuple[int, int]] | None, deadline: float, details: dict[str, object]
    ) -> list[tuple[int, int]]:
        """Minimise ``term`` alone under the caps so far, then cap it at what was reached."""
        weights = {term: 1}
        phase = replace(self.prepared, arrays=self.arrays.reweighted(self.prepared.built.model, weights))
        found = _optimise(phase, first, self.backend, deadline, self.workers, self.stop, self.mip_solver, Incumbent())
        assert found.incumbent.values is not None  # a greedy schedule always exists
        value = round(found.incumbent.objective)
        self.arrays = self.arrays.with_row(self.prepared.built.model.objective(weights), value)
        details[term] = {"value": value, "proved": found.proved}
        return phase.built.variables.extract(found.incumbent.values)

    def solve(self, first: list[tuple[int, int]] | None, deadline: float, progress: Incumbent) -> _Found:
        current = replace(self.prepared, arrays=self.arrays)
        return _optimise(current, first, self.backend, deadline, self.workers, self.stop, self.mip_solver, progress)


def _long(enc: Encoding) -> bool:
    """Several months and more pairs than the whole-model search proves quickly."""
    months = {m.month for m in enc.meetings}
    return len(months) > 1 and len(enc.meetings) * len(enc.delegates) > SMALL_HORIZON


@dataclass
class _Found:
    incumbent: Incumbent
    bound: int | None
    proved: bool
    method: str
    details: dict[str, object]


def _optimise(
    prepared: Prepared,
    first: list[tuple[int, int]] | None,
    backend: str,
    deadline: float,
    workers: int,
    stop: threading.Event | None,
    mip_solver: str,
    incumbent: Incumbent,
) -> _Found:
    """Start from ``first`` (or a greedy schedule) and improve it with the chosen backend."""
    try:
        start = prepared.vector(first) if first is not None else prepared.greedy_vector()
    except CompletionError:
        # The hint breaks a rule now (someone fell ill, a meeting moved): keep what holds.
        start = prepared.greedy_vector(first or ())
    incumbent.offer(start, prepared.arrays.objective(start), "hint" if first is not None else "greedy")
    if backend == "greedy":
        return _Found(incumbent, None, False, "greedy", {})
    if backend == "pulp":
        from solver.backends import pulp as pulp_backend

        outcome = pulp_backend.solve(
            prepared.arrays, time_limit=deadline - time.perf_counter(), mip_solver=mip_solver, hint=start
        )
        if outcome.values is not None and outcome.objective is not None:
            incumbent.offer(outcome.values, outcome.objective, "pulp")
        proved = outcome.status == "optimal" and incumbent.objective <= (outcome.objective or 0)
        return _Found(incumbent, outcome.bound, proved, f"pulp/{mip_solver}", {})
    found = optimise(prepared, incumbent, deadline=deadline, workers=workers, stop=stop, force_cpsat=backend == "cpsat")
    return _Found(incumbent, found.bound, found.proved, f"{backend}/{found.method}", found.details)


def evaluate(instance: Instance, pairs: Iterable[tuple[str, str]]) -> Result:
    """A schedule made elsewhere (a workbook a planner edited) as a solve reports one:
    scored, its gaps explained, its visits suggested. Nothing is proved of it, so its
    status is ``feasible`` or ``partial``; pairs naming an unknown meeting or delegate
    are the reader's to refuse, and are left out here."""
    started = time.perf_counter()
    enc = encode(instance)
    return _finish(enc, _pairs(enc, pairs) or [], None, started, "evaluate", None, {}, proved=False)


def _pairs(enc: Encoding, hint: Iterable[tuple[str, str]] | None) -> list[tuple[int, int]] | None:
    if hint is None:
        return None
    meetings = {m.id: m.index for m in enc.meetings}
    delegates = {d.id: d.index for d in enc.delegates}
    return [(delegates[d], meetings[m]) for m, d in hint if m in meetings and d in delegates]


def _finish(
    enc: Encoding,
    schedule: list[tuple[int, int]],
    bound: int | None,
    started: float,
    backend: str,
    objective: int | None,
    details: dict[str, object],
    proved: bool | None = None,
) -> Result:
    instance = enc.instance
    pairs = [(enc.meetings[m].id, enc.delegates[d].id) for d, m in sorted(schedule, key=lambda p: (p[1], p[0]))]
    report = score(instance, pairs)
    index = {m.id: m.index for m in enc.meetings}
    reasons = diagnose.explain_gaps(enc, schedule, [(index[g.meeting], g.seats, g.senior_missing) for g in report.gaps])
    gaps = [Gap(g.meeting, g.seats, g.senior_missing, reasons[index[g.meeting]]) for g in report.gaps]
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
        backend=backend,
        objective=objective,
        gaps=gaps,
        visits=suggest_visits(instance, pairs),
        details=details,
    )
