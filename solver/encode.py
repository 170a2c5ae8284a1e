"""The instance encoded once into the plain facts every rule and backend works from.

Meetings and delegates become integer-indexed rows; everything the rules need that does
not depend on the decision (travel units, history facts, same-day conflicts, each
commune's previous meeting, balance groups) is computed here, so that a rule is a short
function over these facts. Nothing here knows a solver.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from models.instance import Instance, Unavailability
from models.rules import Rules
from solver.calendar import month_index, twelve_months_before
from solver.travel import EPSILON, TravelTimes

TIER_GROUPS: tuple[tuple[str, tuple[int, ...]], ...] = (("1-2", (1, 2)), ("3", (3,)), ("4", (4,)))


@dataclass(frozen=True)
class MeetingFact:
    index: int
    id: str
    commune: str
    start: dt.datetime
    end: dt.datetime
    day: dt.date
    month: int
    required: int
    senior_tier: int | None
    flag: int


@dataclass(frozen=True)
class DelegateFact:
    index: int
    id: str
    name: str
    tier: int
    agency: str
    cap: int
    base: str
    in_charge_of: frozenset[str]


@dataclass(frozen=True)
class PreviousMeeting:
    """The latest earlier meeting of a commune: in the history, or one of this schedule."""

    meeting: int | None
    """Index of a meeting of this instance, or None when the previous one is history."""
    agencies: frozenset[str] = frozenset()
    """Agencies present, when the previous meeting is history."""
    day: dt.date | None = None


@dataclass
class Encoding:
    instance: Instance
    meetings: list[MeetingFact]
    delegates: list[DelegateFact]
    travel: TravelTimes
    pinned: set[tuple[int, int]] = field(default_factory=set)
    forbidden: set[tuple[int, int]] = field(default_factory=set)
    reference: set[tuple[int, int]] = field(default_factory=set)
    """Reference pairs whose meeting and delegate both exist (the ``changes`` term)."""

    @property
    def rules(self) -> Rules:
        return self.instance.rules

    # -- travel ------------------------------------------------------------------

    def travel_units(self, d: int, m: int) -> int:
        return self.travel.units(self.delegates[d].base, self.meetings[m].commune)

    # -- history facts -----------------------------------------------------------

    @cached_property
    def history_in_month(self) -> Counter[tuple[int, int]]:
        """Past attendances per (delegate, calendar month): they use up capacity (H5)."""
        index = {d.id: d.index for d in self.delegates}
        months = {m.month for m in self.meetings}
        counts: Counter[tuple[int, int]] = Counter()
        for row in self.instance.history.attendances:
            month = month_index(row.date)
            if month in months and row.delegate in index:
                counts[index[row.delegate], month] += 1
        return counts

    @cached_property
    def history_months(self) -> dict[tuple[int, str], set[int]]:
        """Months in which each delegate attended each commune, by history."""
        index = {d.id: d.index for d in self.delegates}
        seen: dict[tuple[int, str], set[int]] = defaultdict(set)
        for row in self.instance.history.attendances:
            if row.delegate in index:
                seen[index[row.delegate], row.commune].add(month_index(row.date))
        return seen

    @cached_property
    def history_load(self) -> list[int]:
        """Attendances in the twelve months before the first meeting (balance loads)."""
        load = [0] * len(self.delegates)
        if not self.meetings:
            return load
        first = min(m.day for m in self.meetings)
        since = twelve_months_before(first)
        index = {d.id: d.index for d in self.delegates}
        for row in self.instance.history.attendances:
            if since <= row.date < first and row.delegate in index:
                load[index[row.delegate]] += 1
        return load

    @cached_property
    def previous(self) -> list[PreviousMeeting | None]:
        """Each meeting's commune's previous meeting (agency_repeat)."""
        past: dict[str, dict[dt.date, set[str]]] = defaultdict(lambda: defaultdict(set))
        agency = {d.id: d.agency for d in self.delegates}
        for row in self.instance.history.attendances:
            present = past[row.commune][row.date]
            if row.delegate in agency:
                present.add(agency[row.delegate])
        by_commune: dict[str, list[MeetingFact]] = defaultdict(list)
        for meeting in self.meetings:
            by_commune[meeting.commune].append(meeting)
        result: list[PreviousMeeting | None] = []
        for meeting in self.meetings:
            earlier = [m for m in by_commune[meeting.commune] if m.start < meeting.start]
            latest = max(earlier, key=lambda m: (m.start, m.id), default=None)
            last_day = max((day for day in past[meeting.commune] if day < meeting.day), default=None)
            if latest is not None and (last_day is None or latest.day >= last_day):
                result.append(PreviousMeeting(latest.index, day=latest.day))
            elif last_day is not None:
                result.append(PreviousMeeting(None, frozenset(past[meeting.commune][last_day]), last_day))
            else:
                result.append(None)
        return result

    # -- structure ---------------------------------------------------------------

    @cached_property
    def conflict_cliques(self) -> list[tuple[int, ...]]:
        """Maximal sets of same-day meetings no one delegate can attend two of (H4)."""
        by_day: dict[dt.date, list[MeetingFact]] = defaultdict(list)
        for meeting in self.meetings:
            by_day[meeting.day].append(meeting)
        cliques: list[tuple[int, ...]] = []
        for day in sorted(by_day):
            graph = nx.Graph()
            todays = by_day[day]
            graph.add_nodes_from(m.index for m in todays)
            for i, a in enumerate(todays):
                for b in todays[i + 1 :]:
                    if self.overlap(a, b):
                        graph.add_edge(a.index, b.index)
            cliques.extend(tuple(sorted(c)) for c in nx.find_cliques(graph) if len(c) > 1)
        return cliques

    def overlap(self, a: MeetingFact, b: MeetingFact) -> bool:
        """Whether one delegate cannot attend both (same day, no time to travel between)."""
        if a.day != b.day:
            return False
        return not (self._fits(a, b) or self._fits(b, a))

    def _fits(self, before: MeetingFact, after: MeetingFact) -> bool:
        gap = (after.start - before.end).total_seconds() / 60
        return self.travel.minutes(before.commune, after.commune) <= gap + EPSILON

    @cached_property
    def away(self) -> list[dict[dt.date, Unavailability]]:
        """Per delegate, the leave covering each meeting day they are away (H3)."""
        days = sorted(self.meeting_days)
        out = []
        for delegate in self.instance.delegates:
            leave = {}
            for day in days:
                period = delegate.away_on(day)
                if period is not None:
                    leave[day] = period
            out.append(leave)
        return out

    @cached_property
    def meeting_days(self) -> set[dt.date]:
        return {m.day for m in self.meetings}

    @cached_property
    def balance_groups(self) -> list[tuple[str, list[int]]]:
        """Tier groups with their members: not capped at 0, not away on every meeting day."""
        groups = []
        days = self.meeting_days
        for label, tiers in TIER_GROUPS:
            members = [
                d.index
                for d in self.delegates
                if d.tier in tiers and d.cap > 0 and not all(day in self.away[d.index] for day in days)
            ]
            groups.append((label, members))
        return groups


def encode(instance: Instance) -> Encoding:
    meetings = [
        MeetingFact(
            index=i,
            id=m.id,
            commune=m.commune,
            start=m.start,
            end=m.end,
            day=m.day,
            month=month_index(m.day),
            required=instance.required(m),
            senior_tier=instance.senior_tier(m),
            flag=instance.commune(m.commune).flag,
        )
        for i, m in enumerate(instance.meetings)
    ]
    delegates = [
        DelegateFact(
            index=i,
            id=d.id,
            name=d.name,
            tier=d.tier,
            agency=d.agency,
            cap=d.max_per_month,
            base=d.base,
            in_charge_of=frozenset(d.in_charge_of),
        )
        for i, d in enumerate(instance.delegates)
    ]
    enc = Encoding(instance, meetings, delegates, TravelTimes(instance))
    meeting_index = {m.id: m.index for m in meetings}
    delegate_index = {d.id: d.index for d in delegates}
    enc.pinned = {(delegate_index[p.delegate], meeting_index[p.meeting]) for p in instance.pinned}
    enc.forbidden = {(delegate_index[p.delegate], meeting_index[p.meeting]) for p in instance.forbidden}
    enc.reference = {
        (delegate_index[p.delegate], meeting_index[p.meeting])
        for p in instance.reference
        if p.delegate in delegate_index and p.meeting in meeting_index
    }
    return enc
