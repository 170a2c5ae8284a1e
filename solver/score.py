"""The independent scorer: every hard rule and every score term of RULES.md, from a list
of ``(meeting, delegate)`` pairs alone.

It shares nothing with the solver's model but the instance, its road graph and calendar
arithmetic, so that it can judge any schedule: the solver's, a planner's hand-made one, or
another tool's. Tests assert that its total equals every backend's objective.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from models.instance import Delegate, Instance, Meeting
from models.rules import TERMS
from solver.calendar import month_index, month_label, twelve_months_before
from solver.travel import EPSILON, TravelTimes

TIER_GROUPS: tuple[tuple[int, ...], ...] = ((1, 2), (3,), (4,))


@dataclass(frozen=True)
class Violation:
    """A broken hard rule (H1–H7)."""

    rule: str
    message: str
    meeting: str | None = None
    delegate: str | None = None


@dataclass(frozen=True)
class Shortfall:
    """Empty seats and/or an unmet seniority requirement at one meeting."""

    meeting: str
    seats: int
    senior_missing: bool


@dataclass
class ScoreReport:
    total: int
    terms: dict[str, int]
    violations: list[Violation] = field(default_factory=list)
    gaps: list[Shortfall] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        """No hard rule is broken beyond the allowed empty seats and unmet seniority."""
        return not self.violations


@dataclass(frozen=True)
class BalanceGroup:
    """One tier group of the ``balance`` term: each delegate's load, and who counts."""

    tiers: tuple[int, ...]
    delegates: tuple[str, ...]
    """Every delegate of the group's tiers, in the instance's order."""
    members: tuple[str, ...]
    """Those the term counts (not at ``max_per_month`` 0, not away on every meeting day)."""
    schedule: dict[str, int]
    """Assignments in the schedule."""
    history: dict[str, int]
    """History attendances in the window (twelve months before the first meeting, up to the day before)."""

    def load(self, delegate: str) -> int:
        return self.schedule.get(delegate, 0) + self.history.get(delegate, 0)

    @property
    def spread(self) -> int:
        """max − min of the members' loads; 0 for a group of fewer than two."""
        if len(self.members) < 2:
            return 0
        loads = [self.load(d) for d in self.members]
        return max(loads) - min(loads)


@dataclass(frozen=True)
class _BalanceBase:
    """The parts of ``balance`` that depend on the instance alone."""

    groups: tuple[tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]], ...]
    """(tiers, every delegate of those tiers, the members counted) per group."""
    history: Counter[str]


def _balance_base(instance: Instance) -> _BalanceBase:
    first = min(m.day for m in instance.meetings)
    since = twelve_months_before(first)
    days = {m.day for m in instance.meetings}
    history: Counter[str] = Counter()
    for row in instance.history.attendances:
        if since <= row.date < first:
            history[row.delegate] += 1
    groups = []
    for group in TIER_GROUPS:
        everyone = [d for d in instance.delegates if d.tier in group]
        members = tuple(d.id for d in everyone if d.max_per_month > 0 and not all(d.away_on(day) for day in days))
        groups.append((group, tuple(d.id for d in everyone), members))
    return _BalanceBase(tuple(groups), history)


def balance_groups(instance: Instance, assigned: Iterable[str], facts: ScoreFacts | None = None) -> list[BalanceGroup]:
    """The tier groups of RULES.md's ``balance`` for a schedule whose assignments are
    ``assigned`` (one delegate id per valid assignment); empty when there are no meetings."""
    if not instance.meetings:
        return []
    base = facts.balance if facts is not None and facts.balance is not None else _balance_base(instance)
    schedule: Counter[str] = Counter(assigned)
    return [
        BalanceGroup(
            tiers=tiers,
            delegates=ids,
            members=members,
            schedule={d: schedule[d] for d in ids},
            history={d: base.history[d] for d in ids},
        )
        for tiers, ids, members in base.groups
    ]


class ScoreFacts:
    """What scoring needs from the instance alone (roads, history, each meeting's previous
    meeting), computed once. A caller that scores many schedules of one instance (every
    candidate of a seat) makes it once and passes it to :func:`score`; the result is the
    same as without it."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.travel = TravelTimes(instance)
        seen: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.history_counts: Counter[tuple[str, int]] = Counter()
        """(delegate, month) → history attendances (H5)."""
        for row in instance.history.attendances:
            seen[row.delegate, row.commune].add(month_index(row.date))
            self.history_counts[row.delegate, month_index(row.date)] += 1
        self.history_months = {key: frozenset(months) for key, months in seen.items()}
        history: dict[str, dict[dt.date, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in instance.history.attendances:
            delegate = instance.delegates_by_id.get(row.delegate)
            agencies = history[row.commune][row.date]
            if delegate is not None:
                agencies.add(delegate.agency)
        self.history_agencies = history
        meetings_of: dict[str, list[Meeting]] = defaultdict(list)
        for meeting in instance.meetings:
            meetings_of[meeting.commune].append(meeting)
        self.previous: dict[str, tuple[Meeting | None, dt.date | None]] = {}
        """meeting → the commune's latest earlier meeting, and its latest history day before the meeting's day."""
        for meeting in instance.meetings:
            earlier = [m for m in meetings_of[meeting.commune] if m.start < meeting.start]
            latest = max(earlier, key=lambda m: (m.start, m.id), default=None)
            past = [day for day in history.get(meeting.commune, {}) if day < meeting.day]
            self.previous[meeting.id] = (latest, max(past, default=None))
        self.balance = _balance_base(instance) if instance.meetings else None


def score(instance: Instance, pairs: Iterable[tuple[str, str]], facts: ScoreFacts | None = None) -> ScoreReport:
    """Score a schedule given as ``(meeting id, delegate id)`` pairs (``facts``: of this
    instance, made once for many schedules)."""
    if facts is None or facts.instance is not instance:
        facts = ScoreFacts(instance)
    return _Scorer(instance, list(pairs), facts).run()


class _Scorer:
    def __init__(self, instance: Instance, pairs: list[tuple[str, str]], facts: ScoreFacts) -> None:
        self.inst = instance
        self.rules = instance.rules
        self.facts = facts
        self.travel = facts.travel
        self.violations: list[Violation] = []
        self.assigned: dict[str, list[Delegate]] = defaultdict(list)
        self.valid: list[tuple[Meeting, Delegate]] = []
        self._read_pairs(pairs)

    def _read_pairs(self, pairs: list[tuple[str, str]]) -> None:
        seen: set[tuple[str, str]] = set()
        for meeting_id, delegate_id in pairs:
            meeting = self.inst.meetings_by_id.get(meeting_id)
            delegate = self.inst.delegates_by_id.get(delegate_id)
            if meeting is None or delegate is None:
                what = "hội nghị" if meeting is None else "đại biểu"
                self._broken("H1", f"phân công tới {what} không có trong bài toán", meeting_id, delegate_id)
                continue
            if (meeting_id, delegate_id) in seen:
                self._broken("H1", "một đại biểu được ghi hai lần cho cùng hội nghị", meeting_id, delegate_id)
                continue
            seen.add((meeting_id, delegate_id))
            self.assigned[meeting_id].append(delegate)
            self.valid.append((meeting, delegate))
        self.pair_set = seen

    def _broken(self, rule: str, message: str, meeting: str | None = None, delegate: str | None = None) -> None:
        self.violations.append(Violation(rule, message, meeting, delegate))

    def run(self) -> ScoreReport:
        self.check_availability()
        self.check_no_overlap()
        self.check_capacity()
        self.check_pins()
        own = self.check_cross_assignment()
        unfilled, gaps = self.coverage_and_seniority()
        terms = {
            "rotation": self.rotation(),
            "agency_repeat": self.agency_repeat(),
            "balance": self.balance(),
            "senior_at_stable": self.senior_at_stable(),
            "travel": self.travel_units(),
            "own_commune": own if self.rules.own_commune == "soft" else 0,
            "changes": self.changes(),
            "unfilled": unfilled,
        }
        total = sum(self.rules.weight(term) * terms[term] for term in TERMS)
        return ScoreReport(total, terms, self.violations, gaps)

    # -- hard rules --------------------------------------------------------------

    def coverage_and_seniority(self) -> tuple[int, list[Shortfall]]:
        """H1 and H2: empty seats and unmet seniority, each a unit of ``unfilled``."""
        unfilled, gaps = 0, []
        for meeting in self.inst.meetings:
            people = self.assigned.get(meeting.id, [])
            required = self.inst.required(meeting)
            if len(people) > required:
                self._broken("H1", f"{len(people)} đại biểu, vượt số cần ({required})", meeting.id)
            empty = max(0, required - len(people))
            senior = self.inst.senior_tier(meeting)
            missing = senior is not None and not any(d.tier <= senior for d in people)
            unfilled += empty + int(missing)
            if empty or missing:
                gaps.append(Shortfall(meeting.id, empty, missing))
        return unfilled, gaps

    def check_availability(self) -> None:
        """H3: nobody on a date inside one of their leave periods."""
        for meeting, delegate in self.valid:
            period = delegate.away_on(meeting.day)
            if period is not None:
                self._broken("H3", f"đại biểu nghỉ từ {period.from_} đến {period.to}", meeting.id, delegate.id)

    def check_no_overlap(self) -> None:
        """H4: two meetings of one delegate on one day leave time to travel between them."""
        by_delegate: dict[str, list[Meeting]] = defaultdict(list)
        for meeting, delegate in self.valid:
            by_delegate[delegate.id].append(meeting)
        for delegate_id, meetings in by_delegate.items():
            for i, first in enumerate(meetings):
                for second in meetings[i + 1 :]:
                    if first.day == second.day and not self._fits(first, second) and not self._fits(second, first):
                        message = f"trùng giờ với {first.id} (kể cả thời gian đi lại)"
                        self._broken("H4", message, second.id, delegate_id)

    def _fits(self, before: Meeting, after: Meeting) -> bool:
        gap = (after.start - before.end).total_seconds() / 60
        return self.travel.minutes(before.commune, after.commune) <= gap + EPSILON

    def check_capacity(self) -> None:
        """H5: per delegate and calendar month, attendances (history included) ≤ max_per_month."""
        counts: Counter[tuple[str, int]] = Counter()
        for meeting, delegate in self.valid:
            counts[delegate.id, month_index(meeting.day)] += 1
        history = self.facts.history_counts
        for key in counts:
            counts[key] += history.get(key, 0)
        for (delegate_id, month), count in counts.items():
            cap = self.inst.delegate(delegate_id).max_per_month
            if count > cap:
                self._broken("H5", f"{count} buổi trong tháng {month_label(month)}, tối đa {cap}", None, delegate_id)

    def check_pins(self) -> None:
        """H6: every pinned pair is assigned and no forbidden pair is."""
        for pin in self.inst.pinned:
            if (pin.meeting, pin.delegate) not in self.pair_set:
                self._broken("H6", "cặp được ghim nhưng không có trong lịch", pin.meeting, pin.delegate)
        for ban in self.inst.forbidden:
            if (ban.meeting, ban.delegate) in self.pair_set:
                self._broken("H6", "cặp bị cấm nhưng có trong lịch", ban.meeting, ban.delegate)

    def check_cross_assignment(self) -> int:
        """H7: nobody attends a commune they are in charge of; returns how many do."""
        own = 0
        for meeting, delegate in self.valid:
            if meeting.commune in delegate.in_charge_of:
                own += 1
                if self.rules.own_commune == "hard":
                    self._broken("H7", "đại biểu phụ trách chính xã này", meeting.id, delegate.id)
        return own

    # -- score terms -------------------------------------------------------------

    def rotation(self) -> int:
        """Assignments where the delegate saw the same commune in the previous R months."""
        window = self.rules.rotation_months
        if window == 0:
            return 0
        seen: dict[tuple[str, str], set[int]] = defaultdict(set)
        for meeting, delegate in self.valid:
            seen[delegate.id, meeting.commune].add(month_index(meeting.day))
        history = self.facts.history_months
        count = 0
        for meeting, delegate in self.valid:
            month = month_index(meeting.day)
            key = (delegate.id, meeting.commune)
            months = seen[key].union(history.get(key, ()))
            if any(month - window <= other < month for other in months):
                count += 1
        return count

    def agency_repeat(self) -> int:
        """Assignments where the delegate's agency was at the commune's previous meeting."""
        history = self.facts.history_agencies
        count = 0
        for meeting, delegate in self.valid:
            latest, last_day = self.facts.previous[meeting.id]
            if latest is not None and (last_day is None or latest.day >= last_day):
                present = {d.agency for d in self.assigned.get(latest.id, [])}
            elif last_day is not None:
                present = history[meeting.commune][last_day]
            else:
                present = set()
            count += delegate.agency in present
        return count

    def balance(self) -> int:
        """Σ over tier groups of (max − min) of twelve-month loads, per RULES.md."""
        return sum(group.spread for group in balance_groups(self.inst, [d.id for _, d in self.valid], self.facts))

    def senior_at_stable(self) -> int:
        """Tier 1–2 delegates sent to a flag-0 commune."""
        return sum(
            1 for meeting, delegate in self.valid if delegate.tier <= 2 and self.inst.commune(meeting.commune).flag == 0
        )

    def travel_units(self) -> int:
        """Σ over assignments of the rounded tens of minutes from base to commune."""
        return sum(self.travel.units(delegate.base, meeting.commune) for meeting, delegate in self.valid)

    def changes(self) -> int:
        """Reference pairs still meaningful (both ids present) that the schedule drops."""
        pairs = {(p.meeting, p.delegate) for p in self.inst.reference}
        return sum(
            1
            for meeting_id, delegate_id in pairs
            if meeting_id in self.inst.meetings_by_id
            and delegate_id in self.inst.delegates_by_id
            and (meeting_id, delegate_id) not in self.pair_set
        )
