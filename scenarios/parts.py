"""One scenario of ``phancong scenario compare`` as a self-contained part of a fan-out.

The caller builds each scenario's changed month (:func:`scenarios.scenario.build`, so
that a scenario that does not apply is refused before anything is queued) and hands a
worker only what the solve needs: the changed month as an instance document, the base
pairs it keeps (None in ``fresh``) and the mode. The worker's answer is the solver's
:class:`~solver.Result` in JSON; the caller turns it back into the
:class:`~scenarios.runner.ScenarioOutcome` the in-process run would have made
(:func:`scenarios.runner.outcome_of`), so both print the same comparison.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from models.instance import Instance
from models.io import instance_from_document, instance_to_document
from scenarios.replan import resolve
from scenarios.scenario import MODES, Mode
from solver import Result, ScoreReport
from solver.backends import ProgressCallback
from solver.result import SolveDetails, UnfilledSeats
from solver.score import Shortfall, Violation


def part_json(instance: Instance, pairs: Sequence[tuple[str, str]] | None, mode: Mode) -> dict[str, Any]:
    """A part's payload: the changed month, the base pairs to keep, the mode."""
    return {
        "instance": instance_to_document(instance),
        "pairs": None if pairs is None else [list(p) for p in pairs],
        "mode": mode,
    }


def run_part(
    payload: dict[str, Any],
    time_limit: float,
    *,
    workers: int | None = None,
    stop: threading.Event | None = None,
    on_progress: ProgressCallback | None = None,
) -> Result:
    """The part's solve (worker side): :func:`scenarios.replan.resolve`, as ``run_on`` calls it."""
    mode = payload["mode"]
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    instance = instance_from_document(payload["instance"])
    pairs = None if payload["pairs"] is None else [(m, d) for m, d in payload["pairs"]]
    return resolve(instance, pairs, mode, time_limit=time_limit, workers=workers, on_progress=on_progress, stop=stop)


def result_json(result: Result) -> dict[str, Any]:
    report = result.report
    return {
        "status": result.status,
        "assignments": [list(p) for p in result.assignments],
        "report": None
        if report is None
        else {
            "total": report.total,
            "terms": dict(report.terms),
            "violations": [[v.rule, v.message, v.meeting, v.delegate] for v in report.violations],
            "gaps": [[g.meeting, g.seats, g.senior_missing] for g in report.gaps],
        },
        "bound": result.bound,
        "seconds": result.seconds,
        "backend": result.backend,
        "objective": result.objective,
        "gaps": [[g.meeting, g.seats, g.senior_missing, g.reason] for g in result.gaps],
        "visits": [list(v) for v in result.visits],
        "problems": list(result.problems),
        "conflicts": [list(c) for c in result.conflicts],
    }


def result_of(stored: dict[str, Any]) -> Result:
    """A worker's answer back as the solver's result (JSON lists back to tuples)."""
    report = stored["report"]
    return Result(
        status=stored["status"],
        assignments=[(m, d) for m, d in stored["assignments"]],
        report=None
        if report is None
        else ScoreReport(
            total=int(report["total"]),
            terms={str(t): int(n) for t, n in report["terms"].items()},
            violations=[Violation(r, msg, m, d) for r, msg, m, d in report["violations"]],
            gaps=[Shortfall(m, int(s), bool(senior)) for m, s, senior in report["gaps"]],
        ),
        bound=stored["bound"],
        seconds=float(stored["seconds"]),
        backend=stored["backend"],
        objective=stored["objective"],
        gaps=[UnfilledSeats(m, int(s), bool(senior), reason) for m, s, senior, reason in stored["gaps"]],
        visits=[(m, d, t) for m, d, t in stored["visits"]],
        problems=list(stored["problems"]),
        conflicts=[(m, reason) for m, reason in stored["conflicts"]],
        # How the worker searched stays in its log; a comparison prints none of it.
        details=SolveDetails(),
    )
