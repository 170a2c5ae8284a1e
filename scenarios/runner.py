"""Running a scenario: its base schedule, its changed month solved, and the difference.

The base schedule is the published one when the scenario names it (or the base instance
carries it as ``reference``); otherwise the base month is solved first, once per base
even when several scenarios share it (:class:`BaseCache`). Nothing here writes a file:
the published schedule is only ever read.

:func:`run_on` is the run itself, whatever the base came from: ``phancong scenario run``
reads it from files (:func:`run_scenario`), the service from the database
(:mod:`services.scenario_runs`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from models.instance import Instance
from models.io import instance_from_document
from scenarios.apply import Document
from scenarios.changes import Change
from scenarios.published import read_published
from scenarios.replan import MeetingChange, Pairs, diff, resolve
from scenarios.scenario import Built, Mode, Scenario, build, read_base
from solver import Result, ScoreReport, score, solve
from solver.backends import ProgressCallback

BaseSource = Literal["published", "reference", "solved"]

BASE_SOURCE_LABELS: dict[str, str] = {
    "published": "lịch đã công bố",
    "reference": "lịch ghi trong tệp bài toán (reference)",
    "solved": "lịch tối ưu của tháng gốc (tự lập)",
}


@dataclass(frozen=True)
class Base:
    """A base month and the schedule every scenario on it is compared with."""

    document: Document
    instance: Instance
    pairs: Pairs
    source: BaseSource
    report: ScoreReport
    stored: bool = False
    """Spelt from the database: its characters were checked at their door
    (:func:`models.validation.document_issues`)."""


@dataclass
class BaseCache:
    """Bases already read (and solved), by their files."""

    bases: dict[tuple[Path, Path | None], Base] = field(default_factory=dict)

    def get(self, scenario: Scenario, *, time_limit: float, workers: int | None) -> Base:
        key = (scenario.base.resolve(), scenario.published.resolve() if scenario.published else None)
        if key not in self.bases:
            self.bases[key] = load_base(scenario.base, scenario.published, time_limit=time_limit, workers=workers)
        return self.bases[key]


@dataclass(frozen=True)
class ScenarioOutcome:
    name: str
    """The scenario's name."""
    mode: Mode
    base: Base
    instance: Instance
    """The changed month (with the base schedule as ``reference`` unless mode is fresh)."""
    notes: list[str]
    result: Result
    changes: list[MeetingChange]
    """Meetings whose delegates differ from the base schedule, with reasons."""

    @property
    def changed_seats(self) -> int:
        return sum(c.seats for c in self.changes)


def load_base(path: Path, published_path: Path | None, *, time_limit: float, workers: int | None = None) -> Base:
    """The base month and its schedule: the published one, the instance's ``reference``, or
    else the month solved now within ``time_limit``."""
    document = read_base(path)
    instance = instance_from_document(document)
    published = read_published(published_path, instance)
    source: BaseSource
    if published is not None:
        pairs, source = published, "published"
    elif instance.reference:
        pairs, source = [(p.meeting, p.delegate) for p in instance.reference], "reference"
    else:
        pairs, source = solve(instance, time_limit=time_limit, workers=workers).assignments, "solved"
    return Base(document, instance, pairs, source, score(instance, pairs))


def run_scenario(
    scenario: Scenario,
    *,
    time_limit: float,
    mode: Mode | None = None,
    workers: int | None = None,
    cache: BaseCache | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> ScenarioOutcome:
    """Solves the scenario's month and lists what changed against its base schedule."""
    mode = mode or scenario.mode
    base = (cache or BaseCache()).get(scenario, time_limit=time_limit, workers=workers)
    return run_on(
        base,
        scenario.name,
        scenario.changes,
        mode,
        scenario.what,
        time_limit=time_limit,
        workers=workers,
        on_progress=on_progress,
        stop=stop,
    )


def run_on(
    base: Base,
    name: str,
    changes: tuple[Change, ...],
    mode: Mode,
    what: str,
    *,
    time_limit: float,
    workers: int | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    built: Built | None = None,
) -> ScenarioOutcome:
    """The month changed by ``changes`` solved against ``base`` (kept as much as ``mode``
    asks), and the meetings whose delegates differ from it, with reasons.

    ``built`` is the changed month when the caller built it already on these same base
    pairs (the service does, to refuse a scenario that does not apply before its job).
    """
    if built is None:
        built = build_on(base, changes, mode, what)
    result = resolve(
        built.instance,
        kept(base, mode),
        mode,
        time_limit=time_limit,
        workers=workers,
        on_progress=on_progress,
        stop=stop,
    )
    return outcome_of(base, name, changes, mode, built, result)


def kept(base: Base, mode: Mode) -> Pairs | None:
    """The base pairs a run keeps (and starts from): none when it plans afresh."""
    return base.pairs if mode != "fresh" else None


def build_on(base: Base, changes: tuple[Change, ...], mode: Mode, what: str) -> Built:
    """The month changed by ``changes``, with the base schedule as its reference unless ``mode`` is fresh."""
    return build(base.document, changes, kept(base, mode), what, stored=base.stored)


def outcome_of(
    base: Base, name: str, changes: tuple[Change, ...], mode: Mode, built: Built, result: Result
) -> ScenarioOutcome:
    """The outcome of ``built`` solved into ``result``: here, or by a queue worker
    (:func:`api.fanout.compare_on_queue`)."""
    if result.report is None:  # no schedule at all (infeasible, or stopped first): result.problems says why
        return ScenarioOutcome(name, mode, base, built.instance, built.notes, result, [])
    gaps = {g.meeting: g.reason for g in result.gaps}
    moved = diff(base.instance, built.instance, base.pairs, result.assignments, changes, gaps)
    return ScenarioOutcome(name, mode, base, built.instance, built.notes, result, moved)
