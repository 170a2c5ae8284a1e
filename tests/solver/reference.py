"""RULES.md read once more, in plain Python, from the instance *document* alone.

This is the tests' oracle: it shares no code with ``solver/`` or ``models/`` (not even the
calendar or travel helpers), so that a misreading of the rules in the product shows up as
a disagreement. Road minutes are summed exactly (``Fraction``), as the rules' arithmetic.

Readings chosen where RULES.md leaves room (the generated instances avoid the cases where
the readings differ): past attendances in a month of the schedule count towards H5; a
past meeting is identified by its commune and date and is earlier than any meeting of the
schedule on a later date; "twelve months before" 29 February is 28 February.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

DEFAULT_WEIGHTS = {
    "rotation": 10,
    "agency_repeat": 3,
    "balance": 5,
    "senior_at_stable": 1,
    "travel": 1,
    "own_commune": 50,
    "changes": 20,
    "unfilled": 1000,
}
GROUPS = ((1, 2), (3,), (4,))


@dataclass
class Verdict:
    terms: dict[str, int]
    total: int
    broken: set[str] = field(default_factory=set)
    """Hard rules broken (beyond the allowed empty seats / unmet seniority): H1, H3–H7."""


def parse_start(text: str) -> dt.datetime:
    return dt.datetime.strptime(text[:16], "%Y-%m-%dT%H:%M")


def month_of(day: dt.date) -> int:
    return day.year * 12 + day.month


def year_before(day: dt.date) -> dt.date:
    if day.month == 2 and day.day == 29:
        return dt.date(day.year - 1, 2, 28)
    return dt.date(day.year - 1, day.month, day.day)


def travel_units(minutes: Fraction) -> int:
    """Tens of minutes, halves rounded up: ⌊t/10 + 1/2⌋, exactly."""
    return math.floor(minutes / 10 + Fraction(1, 2))


class Facts:
    """The instance document with every default of RULES.md filled in."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.flag = {c["id"]: c.get("flag", 0) for c in doc["communes"]}
        self.delegates = {d["id"]: d for d in doc["delegates"]}
        self.meetings = {m["id"]: m for m in doc.get("meetings", [])}
        rules = doc.get("rules", {})
        self.own_mode = rules.get("own_commune", "hard")
        self.window = rules.get("rotation_months", 3)
        self.weights = {**DEFAULT_WEIGHTS, **rules.get("weights", {})}
        if self.own_mode != "soft":
            self.weights["own_commune"] = 0
        self.history = doc.get("history", {}).get("attendances", [])
        self._distances = self._all_pairs()

    # defaults ---------------------------------------------------------------

    def tier(self, d: str) -> int:
        return int(self.delegates[d]["tier"])

    def cap(self, d: str) -> int:
        return int(self.delegates[d].get("max_per_month", 4))

    def base(self, d: str) -> str:
        return str(self.delegates[d].get("base", "hq"))

    def agency(self, d: str) -> str:
        return str(self.delegates[d]["agency"])

    def in_charge(self, d: str) -> set[str]:
        return set(self.delegates[d].get("in_charge_of", []))

    def away(self, d: str, day: dt.date) -> bool:
        for period in self.delegates[d].get("unavailable", []):
            if dt.date.fromisoformat(period["from"]) <= day <= dt.date.fromisoformat(period["to"]):
                return True
        return False

    def commune(self, m: str) -> str:
        return str(self.meetings[m]["commune"])

    def start(self, m: str) -> dt.datetime:
        return parse_start(self.meetings[m]["start"])

    def end(self, m: str) -> dt.datetime:
        return self.start(m) + dt.timedelta(minutes=self.meetings[m].get("minutes", 180))

    def day(self, m: str) -> dt.date:
        return self.start(m).date()

    def required(self, m: str) -> int:
        meeting = self.meetings[m]
        if "required" in meeting:
            return int(meeting["required"])
        return 2 if self.flag[self.commune(m)] == 2 else 1

    def senior_tier(self, m: str) -> int | None:
        meeting = self.meetings[m]
        if "senior_tier" in meeting:
            return meeting["senior_tier"]
        return {0: None, 1: 3, 2: 2}[self.flag[self.commune(m)]]

    # travel -----------------------------------------------------------------

    def _all_pairs(self) -> dict[tuple[str, str], Fraction]:
        roads = self.doc.get("roads", [])
        nodes = sorted({r[e] for r in roads for e in ("a", "b")})
        dist: dict[tuple[str, str], Fraction] = {}
        for road in roads:
            length = (
                Fraction(repr(road["minutes"])) if isinstance(road["minutes"], float) else Fraction(road["minutes"])
            )
            for key in ((road["a"], road["b"]), (road["b"], road["a"])):
                if key not in dist or length < dist[key]:
                    dist[key] = length
        for k in nodes:  # Floyd–Warshall
            for i in nodes:
                if (i, k) not in dist:
                    continue
                for j in nodes:
                    if (k, j) in dist and i != j:
                        through = dist[i, k] + dist[k, j]
                        if (i, j) not in dist or through < dist[i, j]:
                            dist[i, j] = through
        return dist

    def travel(self, p: str, q: str) -> Fraction | None:
        """Shortest-path minutes; 0 with no roads at all; None when unreachable."""
        if p == q or not self.doc.get("roads"):
            return Fraction(0)
        return self._distances.get((p, q))


def reference_score(doc: dict[str, Any], pairs: Iterable[tuple[str, str]]) -> Verdict:
    """Every term and every broken hard rule of a schedule, straight from RULES.md."""
    f = Facts(doc)
    broken: set[str] = set()
    schedule: list[tuple[str, str]] = []
    for m, d in pairs:
        if m not in f.meetings or d not in f.delegates or (m, d) in schedule:
            broken.add("H1")
            continue
        schedule.append((m, d))
    chosen = set(schedule)
    at: dict[str, list[str]] = defaultdict(list)
    for m, d in schedule:
        at[m].append(d)

    # hard rules ---------------------------------------------------------------
    unfilled = 0
    for m in f.meetings:
        people = at[m]
        if len(people) > f.required(m):
            broken.add("H1")
        unfilled += max(0, f.required(m) - len(people))
        senior = f.senior_tier(m)
        if senior is not None and not any(f.tier(d) <= senior for d in people):
            unfilled += 1
    for m, d in schedule:
        if f.away(d, f.day(m)):
            broken.add("H3")
        if f.commune(m) in f.in_charge(d) and f.own_mode == "hard":
            broken.add("H7")
    of_delegate: dict[str, list[str]] = defaultdict(list)
    for m, d in schedule:
        of_delegate[d].append(m)
    for meetings in of_delegate.values():
        for i, a in enumerate(meetings):
            for b in meetings[i + 1 :]:
                if f.day(a) != f.day(b):
                    continue
                ok = False
                for first, second in ((a, b), (b, a)):
                    minutes = f.travel(f.commune(first), f.commune(second))
                    if minutes is not None and f.end(first) + dt.timedelta(minutes=float(minutes)) <= f.start(second):
                        ok = True
                if not ok:
                    broken.add("H4")
    per_month: Counter[tuple[str, int]] = Counter((d, month_of(f.day(m))) for m, d in schedule)
    for row in f.history:
        key = (row["delegate"], month_of(dt.date.fromisoformat(row["date"])))
        if key in per_month:
            per_month[key] += 1
    if any(count > f.cap(d) for (d, _), count in per_month.items()):
        broken.add("H5")
    if any((p["meeting"], p["delegate"]) not in chosen for p in doc.get("pinned", [])):
        broken.add("H6")
    if any((p["meeting"], p["delegate"]) in chosen for p in doc.get("forbidden", [])):
        broken.add("H6")

    # terms --------------------------------------------------------------------
    attended: dict[tuple[str, str], list[int]] = defaultdict(list)  # (delegate, commune) -> months
    for row in f.history:
        attended[row["delegate"], row["commune"]].append(month_of(dt.date.fromisoformat(row["date"])))
    for m, d in schedule:
        attended[d, f.commune(m)].append(month_of(f.day(m)))
    rotation = 0
    for m, d in schedule:
        month = month_of(f.day(m))
        if any(month - f.window <= other <= month - 1 for other in attended[d, f.commune(m)]):
            rotation += 1

    agency_repeat = 0
    for m, d in schedule:
        commune = f.commune(m)
        # candidates: ((time, a schedule meeting?, meeting id), agencies present). RULES.md is
        # silent on ties; the project's reading (docs/design.md): on one day a schedule
        # meeting is later than the history, and of two meetings at one instant the one
        # with the larger id is the later.
        candidates: list[tuple[tuple[dt.datetime, int, str], set[str]]] = []
        past: dict[str, set[str]] = defaultdict(set)
        for row in f.history:
            if row["commune"] == commune:
                past[row["date"]].add(f.agency(row["delegate"]))
        for date, agencies in past.items():
            when = dt.datetime.combine(dt.date.fromisoformat(date), dt.time.min)
            if when.date() < f.day(m):
                candidates.append(((when, 0, ""), agencies))
        for other in f.meetings:
            if f.commune(other) == commune and f.start(other) < f.start(m):
                candidates.append(((f.start(other), 1, other), {f.agency(x) for x in at[other]}))
        if candidates:
            latest = max(candidates, key=lambda c: c[0])
            agency_repeat += f.agency(d) in latest[1]

    balance = 0
    if f.meetings:
        first_day = min(f.day(m) for m in f.meetings)
        since = year_before(first_day)
        days = {f.day(m) for m in f.meetings}
        load: Counter[str] = Counter(d for _, d in schedule)
        for row in f.history:
            if since <= dt.date.fromisoformat(row["date"]) <= first_day - dt.timedelta(days=1):
                load[row["delegate"]] += 1
        for group in GROUPS:
            members = [
                d
                for d in f.delegates
                if f.tier(d) in group and f.cap(d) > 0 and not all(f.away(d, day) for day in days)
            ]
            if len(members) >= 2:
                loads = [load[d] for d in members]
                balance += max(loads) - min(loads)

    senior_at_stable = sum(1 for m, d in schedule if f.tier(d) <= 2 and f.flag[f.commune(m)] == 0)
    travel = 0
    for m, d in schedule:
        minutes = f.travel(f.base(d), f.commune(m))
        assert minutes is not None, "validated instances connect every base and commune"
        travel += travel_units(minutes)
    own = sum(1 for m, d in schedule if f.commune(m) in f.in_charge(d)) if f.own_mode == "soft" else 0
    reference = {(p["meeting"], p["delegate"]) for p in doc.get("reference", [])}
    changes = sum(1 for m, d in reference if m in f.meetings and d in f.delegates and (m, d) not in chosen)
    terms = {
        "rotation": rotation,
        "agency_repeat": agency_repeat,
        "balance": balance,
        "senior_at_stable": senior_at_stable,
        "travel": travel,
        "own_commune": own,
        "changes": changes,
        "unfilled": unfilled,
    }
    total = sum(f.weights[t] * v for t, v in terms.items())
    return Verdict(terms, total, broken)
