"""Synthetic instances shaped like the practice in DOMAIN.md, at any size.

A city (17 units, ~45 delegates) or a province (99–168 communes, ~300 delegates): communes
on a map joined by roads, delegates of the Standing Committee, agency leaders and staff
with their leave and the communes they are in charge of, one meeting per commune per
month on a weekday morning or afternoon, and twelve months of history assigned in
rotation the way planners did by hand. The same seed always gives the same instance.

What makes an instance hard varies with keyword options (``Shape``): history depth and
density, leave and work trips, the share of flagged communes, the size of in-charge sets,
meetings per commune and month, and how many roads join the places. Their defaults give
exactly the instances of earlier versions (same seed, same document): benchmark numbers
stay comparable. Draws that only a non-default option needs come from a random stream of
their own, so that turning one knob does not reshuffle everything else.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any

import networkx as nx

from scenarios import names

TIMES = ("07:30", "08:00", "13:30", "14:00")
DURATIONS = (150, 180, 210, 240)


@dataclass(frozen=True)
class Shape:
    """The knobs that change how hard an instance is; the defaults are the original shape.

    * ``history_months``: months of past attendances before the first planned month (the
      balance counts twelve, rotation ``rotation_months``): fewer months link less.
    * ``history_density``: share of past commune-months that had a meeting on record.
    * ``leave``: multiplies the number of leave periods per delegate.
    * ``trips``: chance per delegate and month of a work trip of 3–10 days on top.
    * ``flags``: share of communes flagged (a third of them serious, flag 2).
    * ``in_charge``: largest in-charge set of a committee member (None: by size, 1–3).
    * ``meetings_per_month``: meetings per commune and month (on different days).
    * ``roads``: nearest neighbours each place has a road to (0: no roads, travel 0).
    """

    history_months: int = 12
    history_density: float = 1.0
    leave: float = 1.0
    trips: float = 0.0
    flags: float = 0.15
    in_charge: int | None = None
    meetings_per_month: int = 1
    roads: int = 3

    def __post_init__(self) -> None:
        checks = (
            ("history_months", 0 <= self.history_months <= 36),
            ("history_density", 0.0 <= self.history_density <= 1.0),
            ("leave", 0.0 <= self.leave <= 10.0),
            ("trips", 0.0 <= self.trips <= 1.0),
            ("flags", 0.0 <= self.flags <= 1.0),
            ("in_charge", self.in_charge is None or 0 <= self.in_charge <= 20),
            ("meetings_per_month", 1 <= self.meetings_per_month <= 4),
            ("roads", 0 <= self.roads <= 20),
        )
        for field, ok in checks:
            if not ok:
                raise ValueError(f"{field}={getattr(self, field)!r} nằm ngoài khoảng cho phép")


def generate(
    communes: int = 17,
    delegates: int = 45,
    months: int = 1,
    seed: int = 1,
    start: dt.date = dt.date(2025, 11, 1),
    name: str | None = None,
    commune_names: list[tuple[str, str]] | None = None,
    coordinates: list[tuple[float, float]] | None = None,
    flagged: dict[int, int] | None = None,
    teams: list[int] | None = None,
    shape: Shape | None = None,
) -> dict[str, Any]:
    """An instance document (``phancong-instance/1``).

    ``commune_names`` gives (kind, name) per commune and ``coordinates`` (lat, lon) for
    real places; otherwise both are made up. ``flagged`` maps commune positions to a flag
    and ``teams`` gives each commune's number of teams. ``shape`` varies the difficulty.
    """
    shape = shape or Shape()
    rng = random.Random(seed)
    extra = random.Random(f"{seed}:shape")  # only non-default knobs draw from it
    first = start.replace(day=1)
    lat0, lon0 = 22.48, 103.97
    side_km = 7.0 * math.sqrt(communes)
    places = _places(rng, lat0, lon0)
    units = _communes(rng, communes, lat0, lon0, side_km, commune_names, coordinates, flagged, teams, shape.flags)
    roads = _roads(rng, places + units, shape.roads)
    people = _delegates(rng, delegates, units, first, months, shape, extra)
    meetings = [
        m for k in range(months) for m in _meetings(rng, units, _add_months(first, k), shape.meetings_per_month)
    ]
    attendances, visits = _history(rng, units, people, first, shape, extra)
    pinned, forbidden = _pins(rng, meetings, people, units)
    return {
        "format": "phancong-instance/1",
        "name": name or f"gen-c{communes}-d{delegates}-m{months}-s{seed}{_shape_label(shape)}",
        "timezone": "Asia/Ho_Chi_Minh",
        "places": places,
        "communes": units,
        "delegates": people,
        "meetings": meetings,
        "roads": roads,
        "history": {"attendances": attendances, "visits": visits},
        "pinned": pinned,
        "forbidden": forbidden,
    }


def _shape_label(shape: Shape) -> str:
    """The knobs turned away from their defaults, for the instance's name ("" when none)."""
    default = Shape()
    turned = [f"{k}={v}" for k, v in vars(shape).items() if v != getattr(default, k)]
    return f" ({', '.join(turned)})" if turned else ""


def _add_months(day: dt.date, k: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + k
    return dt.date(index // 12, index % 12 + 1, 1)


def _places(rng: random.Random, lat0: float, lon0: float) -> list[dict[str, Any]]:
    out = []
    for i, (pid, title) in enumerate(names.PLACES):
        lat = lat0 if i == 0 else round(lat0 + rng.uniform(-0.02, 0.02), 5)
        lon = lon0 if i == 0 else round(lon0 + rng.uniform(-0.03, 0.05), 5)
        out.append({"id": pid, "name": title, "lat": lat, "lon": lon})
    return out


def _communes(
    rng: random.Random,
    count: int,
    lat0: float,
    lon0: float,
    side_km: float,
    given: list[tuple[str, str]] | None,
    coordinates: list[tuple[float, float]] | None,
    flagged: dict[int, int] | None,
    teams: list[int] | None,
    share: float = 0.15,
) -> list[dict[str, Any]]:
    out = []
    used: set[str] = set()
    for i in range(count):
        if given:
            kind, title = given[i]
        else:
            kind = "phuong" if rng.random() < 0.3 else "xa"
            stem = rng.choice(names.COMMUNE_STEMS)
            while stem in used and len(used) < len(names.COMMUNE_STEMS):
                stem = rng.choice(names.COMMUNE_STEMS)
            label = stem if stem not in used else f"{stem} {i + 1}"
            used.add(stem)
            title = f"{'Phường' if kind == 'phuong' else 'Xã'} {label}"
        if coordinates:
            lat, lon = coordinates[i]
        else:
            dy, dx = (rng.uniform(-0.5, 0.5) * side_km for _ in range(2))
            lat = round(lat0 + dy / 111.0, 5)
            lon = round(lon0 + dx / (111.0 * math.cos(math.radians(lat0))), 5)
        if flagged is not None:
            flag = flagged.get(i, 0)
        else:
            roll = rng.random()
            # The same roll for any share, so that more flags keep the earlier ones.
            flag = 2 if roll < share / 3 else 1 if roll < share else 0
        cid = f"c{i + 1:03d}"
        unit: dict[str, Any] = {"id": cid, "name": title, "kind": kind, "flag": flag}
        if flag:
            unit["flag_reason"] = rng.choice(names.FLAG_REASONS[flag])
        unit["lat"], unit["lon"] = lat, lon
        group = "tổ dân phố số" if kind == "phuong" else "thôn số"
        unit["teams"] = [
            {"id": f"{cid}-t{t:02d}", "name": f"Tổ tuyên vận {group} {t}"}
            for t in range(1, (teams[i] if teams else rng.randint(5, 25)) + 1)
        ]
        out.append(unit)
    return out


def _km(a: dict[str, Any], b: dict[str, Any]) -> float:
    dy = (a["lat"] - b["lat"]) * 111.0
    dx = (a["lon"] - b["lon"]) * 111.0 * math.cos(math.radians((a["lat"] + b["lat"]) / 2))
    return math.hypot(dx, dy)


def _roads(rng: random.Random, points: list[dict[str, Any]], neighbours: int = 3) -> list[dict[str, Any]]:
    """Each place to its ``neighbours`` nearest, plus a spanning tree so all connect.

    No neighbours means no roads at all: every travel time is 0 (RULES.md).
    """
    if neighbours == 0:
        return []
    graph = nx.Graph()
    for a in points:
        nearest = sorted((p for p in points if p is not a), key=lambda p: _km(a, p))[:neighbours]
        for b in nearest:
            graph.add_edge(a["id"], b["id"], km=_km(a, b))
    complete = nx.Graph()
    for i, a in enumerate(points):
        for b in points[i + 1 :]:
            complete.add_edge(a["id"], b["id"], km=_km(a, b))
    for a, b, data in nx.minimum_spanning_edges(complete, weight="km"):
        graph.add_edge(a, b, km=data["km"])
    roads = []
    for a, b, data in sorted(graph.edges(data=True)):
        # Mountain roads wind: about 25 km/h along the crow's line, never under 10 minutes.
        minutes = max(10, round(data["km"] * 2.4 * rng.uniform(0.9, 1.3)))
        a, b = sorted((a, b))
        roads.append({"a": a, "b": b, "minutes": minutes})
    return roads


def _person(rng: random.Random) -> str:
    return f"{rng.choice(names.FAMILY)} {rng.choice(names.MIDDLE)} {rng.choice(names.GIVEN)}"


def _delegates(
    rng: random.Random,
    count: int,
    units: list[dict[str, Any]],
    first: dt.date,
    months: int,
    shape: Shape,
    extra: random.Random,
) -> list[dict[str, Any]]:
    # Each group is capped by what the groups above it leave, so that ``count`` people are
    # made: with fewer than 10, the Standing Committee's 3 and the committee's floor of 4 used
    # to add people (8 asked, 9 made). From 10 on the caps never bite: same documents as before.
    standing = min(3 if count < 100 else 5, count)
    committee = min(max(4, round(count * 0.22)), 10 if count < 100 else 18, count - standing)
    leaders = min(round(count * 0.31), count - standing - committee)
    staff = count - standing - committee - leaders
    agencies = names.AGENCIES
    people: list[dict[str, Any]] = []

    def add(tier: int, title: str, agency: str, base: str) -> dict[str, Any]:
        person: dict[str, Any] = {
            "id": f"d{len(people) + 1:03d}",
            "name": _person(rng),
            "title": title,
            "tier": tier,
            "agency": agency,
        }
        if base != "hq":
            person["base"] = base
        people.append(person)
        return person

    for i in range(standing):
        person = add(1, names.STANDING_TITLES[min(i, 3)], "Thường trực", "hq")
        person["max_per_month"] = 3
    for i in range(committee):
        agency, base, head, _ = agencies[i % len(agencies)]
        add(2, f"Ủy viên Ban Thường vụ, {head}", agency, base)
    for i in range(leaders):
        agency, base, head, deputy = agencies[rng.randrange(len(agencies))]
        add(3, head if i % 4 == 0 else deputy, agency, base)
    for _ in range(staff):
        agency, base, _, _ = agencies[rng.randrange(len(agencies))]
        add(4, f"Chuyên viên {agency}", agency, base)

    ids = [u["id"] for u in units]
    per_senior = max(1, min(3, len(ids) // 6)) if shape.in_charge is None else max(1, min(shape.in_charge, len(ids)))
    for person in people:
        tier = person["tier"]
        if shape.in_charge == 0:
            pass  # nobody is in charge of a commune: no cross-assignment rule bites
        elif tier <= 2 or (tier == 3 and rng.random() < 0.15):
            k = rng.randint(1, per_senior) if tier > 1 else rng.randint(2, max(2, per_senior))
            person["in_charge_of"] = sorted(rng.sample(ids, min(k, len(ids))))
        leave = {1: (1, 3), 2: (1, 3), 3: (0, 2), 4: (0, 1)}[tier]
        periods = rng.randint(*leave) * months if tier < 4 else int(rng.random() < 0.25) * months
        if shape.leave != 1.0:
            periods = round(periods * shape.leave)
        span_days = 31 * months
        person["unavailable"] = []
        for _ in range(periods):
            begin = first + dt.timedelta(days=rng.randint(-3, span_days))
            length = rng.choice((1, 1, 1, 2, 2, 3, 5, 7, 9))
            person["unavailable"].append(
                {
                    "from": begin.isoformat(),
                    "to": (begin + dt.timedelta(days=length - 1)).isoformat(),
                    "reason": rng.choice(names.LEAVE_REASONS),
                }
            )
        for k in range(months if shape.trips > 0 else 0):
            if extra.random() < shape.trips:
                begin = _add_months(first, k) + dt.timedelta(days=extra.randint(0, 27))
                length = extra.randint(3, 10)
                person["unavailable"].append(
                    {
                        "from": begin.isoformat(),
                        "to": (begin + dt.timedelta(days=length - 1)).isoformat(),
                        "reason": "Đi công tác",
                    }
                )
        if not person["unavailable"]:
            del person["unavailable"]
    return people


def _weekdays(month_start: dt.date) -> list[dt.date]:
    days = calendar.monthrange(month_start.year, month_start.month)[1]
    return [d for d in (month_start.replace(day=k) for k in range(1, days + 1)) if d.weekday() < 5]


def _meetings(
    rng: random.Random, units: list[dict[str, Any]], month_start: dt.date, per_month: int = 1
) -> list[dict[str, Any]]:
    weekdays = _weekdays(month_start)
    out = []
    for unit in units:
        days = weekdays[1:-1] if len(weekdays) > 4 else weekdays
        # The first meeting draws as it always did; the others take other days of the month.
        chosen = [rng.choice(days)]
        if per_month > 1:
            chosen += rng.sample([d for d in days if d != chosen[0]], min(per_month - 1, len(days) - 1))
        for number, day in enumerate(chosen, start=1):
            suffix = "" if number == 1 else f"-{number}"
            meeting: dict[str, Any] = {
                "id": f"{month_start:%Y%m}-{unit['id']}{suffix}",
                "commune": unit["id"],
                "start": f"{day.isoformat()}T{rng.choice(TIMES)}",
                "minutes": rng.choice(DURATIONS),
            }
            if rng.random() < 0.5:
                meeting["theme"] = rng.choice(names.THEMES)
            out.append(meeting)
    out.sort(key=lambda m: (m["start"], m["id"]))
    return out


def _history(
    rng: random.Random,
    units: list[dict[str, Any]],
    people: list[dict[str, Any]],
    first: dt.date,
    shape: Shape | None = None,
    extra: random.Random | None = None,
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Past months of attendances (twelve by default), handed out in turn as a planner would
    by hand; with ``history_density`` below 1 some commune-months have no meeting on record."""
    shape = shape or Shape()
    extra = extra or random.Random(0)
    attendances: list[dict[str, str]] = []
    visits: list[dict[str, str]] = []
    order = list(people)
    rng.shuffle(order)
    turn = 0
    next_team = {u["id"]: 0 for u in units}
    for k in range(-shape.history_months, 0):
        month_start = _add_months(first, k)
        weekdays = _weekdays(month_start)
        for unit in units:
            day = rng.choice(weekdays)
            if shape.history_density < 1.0 and extra.random() >= shape.history_density:
                continue
            seats = 2 if unit["flag"] == 2 else 1
            chosen: list[dict[str, Any]] = []
            for _ in range(len(order)):
                person = order[turn % len(order)]
                turn += 1
                if unit["id"] in person.get("in_charge_of", []) or person in chosen:
                    continue
                chosen.append(person)
                if len(chosen) == seats:
                    break
            for person in chosen:
                attendances.append({"date": day.isoformat(), "commune": unit["id"], "delegate": person["id"]})
                if unit["teams"]:
                    team = unit["teams"][next_team[unit["id"]] % len(unit["teams"])]
                    next_team[unit["id"]] += 1
                    visits.append({"date": day.isoformat(), "team": team["id"]})
    attendances.sort(key=lambda a: (a["date"], a["commune"], a["delegate"]))
    visits.sort(key=lambda v: (v["date"], v["team"]))
    return attendances, visits


def _pins(
    rng: random.Random, meetings: list[dict[str, Any]], people: list[dict[str, Any]], units: list[dict[str, Any]]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A few planner decisions: a senior pinned to a flagged meeting, some pairs forbidden."""
    flag = {u["id"]: u["flag"] for u in units}
    pinned: list[dict[str, str]] = []
    flagged = [m for m in meetings if flag[m["commune"]] == 2]
    count = max(1, len(meetings) // 17)
    taken: set[str] = set()
    for meeting in flagged[:count]:
        day = meeting["start"][:10]
        seniors = [
            p
            for p in people
            if p["tier"] <= 2
            and meeting["commune"] not in p.get("in_charge_of", [])
            and p["id"] not in taken
            and not any(u["from"] <= day <= u["to"] for u in p.get("unavailable", []))
        ]
        if seniors:
            person = rng.choice(seniors)
            taken.add(person["id"])
            pinned.append({"meeting": meeting["id"], "delegate": person["id"]})
    forbidden = []
    pinned_pairs = {(p["meeting"], p["delegate"]) for p in pinned}
    for _ in range(2 * count):
        meeting, person = rng.choice(meetings), rng.choice(people)
        if (meeting["id"], person["id"]) not in pinned_pairs:
            forbidden.append({"meeting": meeting["id"], "delegate": person["id"]})
    return pinned, forbidden
