"""What a solve returns, independent of the backend, and its exchange-format form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from models.instance import Instance
from models.rules import TERMS
from models.solution import Assignment, Score, Solution, Unfilled, VisitSuggestion
from solver.score import ScoreReport

if TYPE_CHECKING:
    from solver.search.horizon import HorizonDetails

Status = Literal["optimal", "feasible", "partial", "infeasible"]


@dataclass(frozen=True)
class UnfilledSeats:
    """A meeting's :class:`~solver.score.Shortfall` in a result, with the reason the solver gives."""

    meeting: str
    seats: int
    senior_missing: bool
    reason: str


@dataclass(frozen=True)
class PhaseResult:
    """One phase of a lexicographic solve: the least value of its term reached, and
    whether it is proved the least possible (under the phases before it)."""

    value: int
    proved: bool


@dataclass
class SolveDetails:
    """How a solve went, beside its schedule (for logs, benchmarks and tests)."""

    pairs: int | None = None
    """Pair variables of the whole model (None for a decomposed horizon)."""
    rows: int | None = None
    """Rows of the model, the caps of the lexicographic phases included."""
    source: str | None = None
    """Which search found the schedule returned (``greedy``, ``hint``, ``cpsat``…)."""
    nodes: int | None = None
    root_bound: int | None = None
    phases: dict[str, PhaseResult] = field(default_factory=dict)
    """Per capped term (``unfilled`` and the ``priority`` terms), its phase."""
    horizon: HorizonDetails | None = None


@dataclass
class Result:
    status: Status
    assignments: list[tuple[str, str]]
    """(meeting id, delegate id), in meeting order."""
    report: ScoreReport | None
    """The independent scorer's verdict on the schedule (None when there is none)."""
    bound: int | None
    seconds: float
    backend: str
    objective: int | None = None
    """The model's own objective for the schedule; equals ``report.total``."""
    gaps: list[UnfilledSeats] = field(default_factory=list)
    visits: list[tuple[str, str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Why there is no schedule at all (status ``infeasible``)."""
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    """The same reasons with the id of the meeting each is about."""
    details: SolveDetails = field(default_factory=SolveDetails)

    @property
    def total(self) -> int | None:
        return None if self.report is None else self.report.total

    @property
    def gap(self) -> float | None:
        """Relative distance between the score and the proved bound."""
        if self.report is None or self.bound is None:
            return None
        return (self.report.total - self.bound) / max(1, abs(self.report.total))

    def to_solution(self, instance: Instance) -> Solution:
        score = None
        if self.report is not None:
            score = Score(total=self.report.total, terms={t: self.report.terms.get(t, 0) for t in TERMS})
        return Solution(
            instance=instance.name,
            status=self.status,
            score=score,
            bound=self.bound,
            solve_seconds=round(self.seconds, 3),
            assignments=tuple(Assignment(meeting=m, delegate=d) for m, d in self.assignments),
            unfilled=tuple(
                Unfilled(meeting=g.meeting, seats=g.seats, senior_missing=g.senior_missing, reason=g.reason)
                for g in self.gaps
            )
            # No schedule at all: each meeting whose pins cannot hold, and why.
            + tuple(Unfilled(meeting=m, reason=reason) for m, reason in self.conflicts),
            visits=tuple(VisitSuggestion(meeting=m, delegate=d, team=t) for m, d, t in self.visits),
        )
