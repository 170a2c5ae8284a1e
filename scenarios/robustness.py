"""How fragile is a schedule: whose absence costs most, which seats are hardest to fill.

For every delegate with assignments, the month is re-solved as if they were away the
whole month, and again for each single day on which they attend: the number of the
schedule's assignments that must then change (fewest changes first, RULES.md's
``changes`` term with the schedule as ``reference``) is the cost of that absence. The
re-solves are independent, so they run in parallel processes (spawn context: each
process imports the solver afresh and receives the instance once, at start-up).

For every seat the count of delegates who could take it is cheap to compute without a
solver: who may attend that meeting at all (H3, H6, H7, seniority), and who could step
in at once, without moving anyone else (H4 and H5 against the schedule).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from models.instance import Delegate, Instance, Meeting, Pair, Unavailability
from models.io import instance_from_document
from scenarios.replan import changes_proved, repair_hint
from solver import solve
from solver.backends import ProgressCallback
from solver.backends.lifeline import die_with
from solver.calendar import month_index
from solver.travel import EPSILON, TravelTimes


@dataclass(frozen=True)
class Absence:
    """One what-if: ``delegate`` away from ``start`` to ``end`` (whole month when ``whole``)."""

    delegate: str
    start: dt.date
    end: dt.date
    whole: bool


@dataclass(frozen=True)
class Answer:
    absence: Absence
    status: str
    changes: int
    """Assignments of the schedule that the re-plan drops (the ``changes`` term)."""
    unfilled: int
    """Seats (and seniority requirements) nobody can fill any more."""
    proved: bool
    seconds: float


@dataclass(frozen=True)
class DelegateCost:
    delegate: str
    assignments: int
    month: Answer
    days: tuple[Answer, ...]

    @property
    def worst_day(self) -> int:
        return max((a.changes for a in self.days), default=0)


@dataclass(frozen=True)
class Seat:
    """A seat of the schedule and how many delegates could take it instead."""

    meeting: str
    delegate: str
    eligible: int
    """Delegates allowed at this meeting at all (available, not banned, not in charge of
    the commune, senior enough when this seat holds the meeting's only senior)."""
    free: int
    """Of those, the ones who could step in without any other change (no clash that day,
    capacity left)."""
    ready: tuple[str, ...] = ()
    """Who those are, the least loaded that month first."""
    full: int = 0
    """Allowed, but with no meeting left that month (H5 would need another change)."""
    clash: int = 0
    """Allowed, with capacity, but at another meeting that day (H4)."""
    senior_only: bool = False
    """The seat holds the meeting's only senior: only a senior enough delegate replaces it."""
    kept: tuple[tuple[str, int], ...] = ()
    """The others not allowed, counted by why: ``away``, ``charge``, ``banned``, ``none``
    (takes no meetings), ``junior`` (not senior enough for this seat)."""


@dataclass(frozen=True)
class Robustness:
    delegates: list[DelegateCost]
    """Most costly absence first."""
    seats: list[Seat]
    """Fewest possible replacements first."""
    seconds: float


def absences(instance: Instance, pairs: Sequence[tuple[str, str]], *, days: bool = True) -> list[Absence]:
    """The what-ifs to solve: each assigned delegate away all month, and on each of their days."""
    meeting_days = sorted({m.day for m in instance.meetings})
    if not meeting_days:
        return []
    first, last = meeting_days[0], meeting_days[-1]
    theirs: dict[str, set[dt.date]] = defaultdict(set)
    for m, d in pairs:
        theirs[d].add(instance.meeting(m).day)
    out = []
    for delegate in sorted(theirs):
        out.append(Absence(delegate, first, last, whole=True))
        if days:
            out.extend(Absence(delegate, day, day, whole=False) for day in sorted(theirs[delegate]))
    return out


# --- one re-solve (runs in a worker process) ---------------------------------------------

_WORKER: dict[str, Any] = {}


def _start(parent: int, document: dict[str, Any], pairs: list[tuple[str, str]], time_limit: float) -> None:
    """Process initialiser: die with ``parent`` (a killed worker or server must not leave
    its pool solving), and the instance, with the schedule as its reference, built once."""
    die_with(parent)
    _WORKER.update(instance=with_reference(document, pairs), pairs=pairs, time_limit=time_limit)


def _away(instance: Instance, absence: Absence) -> Instance:
    period = Unavailability.model_validate({"from": absence.start, "to": absence.end, "reason": "Giả định vắng"})
    delegates = tuple(
        d.model_copy(update={"unavailable": (*d.unavailable, period)}) if d.id == absence.delegate else d
        for d in instance.delegates
    )
    # A pin on the absent delegate is lifted, as a planner would (and as scenarios do):
    # keeping it would leave no schedule at all.
    pinned = tuple(
        p
        for p in instance.pinned
        if not (p.delegate == absence.delegate and absence.start <= instance.meeting(p.meeting).day <= absence.end)
    )
    return instance.model_copy(update={"delegates": delegates, "pinned": pinned})


def resolve_absence(absence: Absence) -> Answer:
    """Fewest changes to the schedule when ``absence`` happens (worker side)."""
    return replan(_WORKER["instance"], _WORKER["pairs"], _WORKER["time_limit"], absence)


def with_reference(document: dict[str, Any], pairs: Sequence[tuple[str, str]]) -> Instance:
    """The month with the schedule as its reference, what every re-plan starts from."""
    instance = instance_from_document(document)
    reference = tuple(Pair(meeting=m, delegate=d) for m, d in pairs)
    return instance.model_copy(update={"reference": reference})


def replan(
    instance: Instance,
    pairs: Sequence[tuple[str, str]],
    time_limit: float,
    absence: Absence,
    *,
    workers: int | None = 1,
    stop: threading.Event | None = None,
    on_progress: ProgressCallback | None = None,
) -> Answer:
    """One re-plan: the fewest changes to ``pairs`` when ``absence`` happens (also a queue job's work)."""
    away = _away(instance, absence)
    hint = repair_hint(away, list(pairs))
    result = solve(
        away,
        time_limit=time_limit,
        workers=workers,
        hint=hint,
        priority=("changes",),
        stop=stop,
        on_progress=on_progress,
    )
    report = result.report
    changes = report.terms.get("changes", 0) if report is not None else len(pairs)
    unfilled = report.terms.get("unfilled", 0) if report is not None else 0
    proved = changes_proved(result, "changes_first")  # solved as changes_first is
    return Answer(absence, result.status, changes, unfilled, proved, result.seconds)


def absence_json(absence: Absence) -> dict[str, Any]:
    return {
        "delegate": absence.delegate,
        "start": absence.start.isoformat(),
        "end": absence.end.isoformat(),
        "whole": absence.whole,
    }


def absence_of(stored: dict[str, Any]) -> Absence:
    start, end = dt.date.fromisoformat(stored["start"]), dt.date.fromisoformat(stored["end"])
    return Absence(stored["delegate"], start, end, bool(stored["whole"]))


def answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "absence": absence_json(answer.absence),
        "status": answer.status,
        "changes": answer.changes,
        "unfilled": answer.unfilled,
        "proved": answer.proved,
        "seconds": answer.seconds,
    }


def answer_of(stored: dict[str, Any]) -> Answer:
    fields = ("status", "changes", "unfilled", "proved", "seconds")
    status, changes, unfilled, proved, seconds = (stored[f] for f in fields)
    return Answer(absence_of(stored["absence"]), status, int(changes), int(unfilled), bool(proved), float(seconds))


SolveAll = Callable[[list[Absence], Callable[[Answer], None]], None]
"""Re-plans every absence, handing each answer over as it comes (any order)."""


# --- the whole analysis ---------------------------------------------------------------------


def analyse(
    document: dict[str, Any],
    pairs: Sequence[tuple[str, str]],
    *,
    processes: int = 2,
    time_limit: float = 10.0,
    days: bool = True,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[Answer], None] | None = None,
    solve_all: SolveAll | None = None,
) -> Robustness:
    """Every absence re-solved in ``processes`` processes of this machine, or by
    ``solve_all`` (the job queue's workers: :func:`api.fanout.robustness_on_queue`);
    ``time_limit`` is per re-solve."""
    started = time.perf_counter()
    instance = instance_from_document(document)
    pairs = list(pairs)
    todo = absences(instance, pairs, days=days)
    if on_start is not None:
        on_start(len(todo))
    answers: list[Answer] = []

    def take(answer: Answer) -> None:
        answers.append(answer)
        if on_done is not None:
            on_done(answer)

    if solve_all is not None:
        solve_all(todo, take)
        return Robustness(_rank(pairs, answers), seats(instance, pairs), time.perf_counter() - started)
    with pool_of(processes, document, pairs, time_limit) as pool:
        futures: list[Future[Answer]] = [pool.submit(resolve_absence, a) for a in todo]
        for future in as_completed(futures):
            take(future.result())
    return Robustness(_rank(pairs, answers), seats(instance, pairs), time.perf_counter() - started)


def pool_of(
    processes: int, document: dict[str, Any], pairs: list[tuple[str, str]], time_limit: float
) -> ProcessPoolExecutor:
    """The processes that re-plan the absences, each dying with this process. The kernel
    signals a worker when the thread that started it ends: the pool is used (its workers
    started by ``submit``) from the thread that made it, for as long as it is open."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=max(1, processes),
        mp_context=context,
        initializer=_start,
        initargs=(os.getpid(), document, pairs, time_limit),
    )


def _rank(pairs: Sequence[tuple[str, str]], answers: list[Answer]) -> list[DelegateCost]:
    load = Counter(d for _, d in pairs)
    month: dict[str, Answer] = {}
    by_day: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        if answer.absence.whole:
            month[answer.absence.delegate] = answer
        else:
            by_day[answer.absence.delegate].append(answer)
    costs = [DelegateCost(d, load[d], month[d], tuple(sorted(by_day[d], key=lambda a: a.absence.start))) for d in month]
    costs.sort(key=lambda c: (-c.month.changes, -c.month.unfilled, -c.worst_day, c.delegate))
    return costs


# --- seats and their possible replacements ---------------------------------------------------


def seats(instance: Instance, pairs: Sequence[tuple[str, str]]) -> list[Seat]:
    """Every seat of the schedule with its replacements, fewest first."""
    travel = TravelTimes(instance)
    at: dict[str, list[str]] = defaultdict(list)
    schedule: dict[str, list[Meeting]] = defaultdict(list)
    for m, d in pairs:
        at[m].append(d)
        schedule[d].append(instance.meeting(m))
    history = Counter((a.delegate, month_index(a.date)) for a in instance.history.attendances)
    banned = {(p.meeting, p.delegate) for p in instance.forbidden}
    out = []
    for m, d in pairs:
        meeting = instance.meeting(m)
        others = [instance.delegate(x) for x in at[m] if x != d]
        tier = instance.senior_tier(meeting)
        need_senior = tier is not None and not any(o.tier <= tier for o in others)
        eligible = full = clashing = 0
        ready: list[tuple[int, str]] = []
        kept: Counter[str] = Counter()
        for person in instance.delegates:
            if person.id in at[m]:
                continue
            why = _kept_away(instance, meeting, person, banned)
            if why is None and need_senior and tier is not None and person.tier > tier:
                why = "junior"
            if why is not None:
                kept[why] += 1
                continue
            eligible += 1
            month = month_index(meeting.day)
            load = sum(1 for x in schedule[person.id] if month_index(x.day) == month) + history[person.id, month]
            if load >= person.max_per_month:
                full += 1
            elif any(_clash(travel, meeting, x) for x in schedule[person.id]):
                clashing += 1
            else:
                ready.append((load, person.id))
        ready.sort()
        names = tuple(p for _, p in ready)
        out.append(Seat(m, d, eligible, len(ready), names, full, clashing, need_senior, tuple(sorted(kept.items()))))
    out.sort(key=lambda s: (s.free, s.eligible, instance.meeting(s.meeting).start, s.meeting, s.delegate))
    return out


def _kept_away(instance: Instance, meeting: Meeting, person: Delegate, banned: set[tuple[str, str]]) -> str | None:
    """Why ``person`` may not attend ``meeting`` at all (None: they may)."""
    if person.max_per_month == 0:
        return "none"
    if person.away_on(meeting.day) is not None:
        return "away"
    if (meeting.id, person.id) in banned:
        return "banned"
    if instance.rules.own_commune == "hard" and meeting.commune in person.in_charge_of:
        return "charge"
    return None


def _clash(travel: TravelTimes, a: Meeting, b: Meeting) -> bool:
    """H4: both the same day and neither leaves time to travel to the other."""
    if a.day != b.day:
        return False

    def fits(first: Meeting, second: Meeting) -> bool:
        gap = (second.start - first.end).total_seconds() / 60
        return travel.minutes(first.commune, second.commune) <= gap + EPSILON

    return not fits(a, b) and not fits(b, a)
