"""Hypothesis strategies: small valid ``phancong-instance/1`` documents, and schedules for them.

The documents cover every input the rules read: flags, tiers, agencies shared by several
delegates, in-charge communes, monthly caps (0 included), leave, meetings on a few days of
one or two months at overlapping hours, roads (with halves of ten minutes, and a second
base), history inside and outside the rotation and balance windows, past team visits,
pins, forbidden pairs, a reference schedule naming ids that are gone, and rule options.

Past attendances are dated before the first meeting, so that the readings of RULES.md
noted in :mod:`tests.solver.reference` coincide.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

JsonDict = dict[str, Any]

FIRST_DAYS = (dt.date(2025, 11, 3), dt.date(2024, 2, 26), dt.date(2025, 1, 6))
HOURS = ("07:30", "08:00", "09:30", "13:30", "14:00")
ROAD_MINUTES = (4, 5, 10, 14, 15, 20.5, 24.5, 25, 35)


@st.composite
def instance_documents(
    draw: st.DrawFn,
    *,
    min_meetings: int = 1,
    max_meetings: int = 5,
    min_delegates: int = 2,
    max_delegates: int = 5,
    max_required: int = 2,
    allow_pins: bool = True,
    two_months: bool = True,
) -> JsonDict:
    """A small instance document that passes validation."""
    first = draw(st.sampled_from(FIRST_DAYS))
    n_communes = draw(st.integers(1, 3))
    communes: list[JsonDict] = []
    team_ids: list[str] = []
    for c in range(n_communes):
        commune: JsonDict = {"id": f"c{c}", "name": f"Xã {c}", "flag": draw(st.sampled_from([0, 0, 1, 2]))}
        teams = [f"c{c}-t{t}" for t in range(draw(st.integers(0, 3)))]
        if teams:
            commune["teams"] = [{"id": t, "name": f"Tổ {t}"} for t in teams]
            team_ids += teams
        communes.append(commune)
    commune_ids = [c["id"] for c in communes]

    # meeting days: a few days of the first month, and perhaps early in the next one
    days = [first + dt.timedelta(days=k) for k in (0, 1, 2)]
    if two_months and draw(st.booleans()):
        days.append((first.replace(day=1) + dt.timedelta(days=40)).replace(day=2))
    n_meetings = draw(st.integers(min_meetings, max_meetings))
    meetings: list[JsonDict] = []
    for k in range(n_meetings):
        day = draw(st.sampled_from(days))
        meeting: JsonDict = {
            "id": f"m{k}",
            "commune": draw(st.sampled_from(commune_ids)),
            "start": f"{day.isoformat()}T{draw(st.sampled_from(HOURS))}",
            "minutes": draw(st.sampled_from([60, 90, 120, 180])),
        }
        if draw(st.integers(0, 4)) == 0:
            meeting["required"] = draw(st.integers(1, max_required))
        if draw(st.integers(0, 4)) == 0:
            meeting["senior_tier"] = draw(st.sampled_from([1, 2, 3, None]))
        meetings.append(meeting)
    # the default seats of a flag-2 commune are 2: keep them within max_required
    for meeting in meetings:
        flag = communes[commune_ids.index(meeting["commune"])]["flag"]
        if "required" not in meeting and flag == 2 and max_required < 2:
            meeting["required"] = 1

    roads: list[JsonDict] = []
    places: list[JsonDict] = []
    bases = ["hq"]
    if draw(st.booleans()):
        places.append({"id": "hq", "name": "Trụ sở"})
        for c in commune_ids:
            roads.append({"a": "hq", "b": c, "minutes": draw(st.sampled_from(ROAD_MINUTES))})
        if n_communes > 1 and draw(st.booleans()):
            a, b = draw(st.permutations(commune_ids))[:2]
            roads.append({"a": a, "b": b, "minutes": draw(st.sampled_from(ROAD_MINUTES))})
        if draw(st.booleans()):
            places.append({"id": "p2", "name": "Khối đoàn thể"})
            roads.append({"a": "p2", "b": draw(st.sampled_from(["hq", *commune_ids])), "minutes": 10})
            bases.append("p2")

    n_delegates = draw(st.integers(min_delegates, max_delegates))
    delegates: list[JsonDict] = []
    for k in range(n_delegates):
        delegate: JsonDict = {
            "id": f"d{k}",
            "name": f"Đại biểu {k}",
            "tier": draw(st.sampled_from([1, 2, 3, 4, 4])),
            "agency": draw(st.sampled_from(["A", "B", "C"])),
        }
        charge = draw(st.lists(st.sampled_from(commune_ids), max_size=1, unique=True))
        if charge:
            delegate["in_charge_of"] = charge
        if draw(st.integers(0, 3)) == 0:
            delegate["max_per_month"] = draw(st.integers(0, 2))
        if draw(st.integers(0, 2)) == 0:
            a = draw(st.sampled_from(days))
            b = a + dt.timedelta(days=draw(st.integers(0, 2)))
            delegate["unavailable"] = [{"from": a.isoformat(), "to": b.isoformat(), "reason": "Đi công tác"}]
        if len(bases) > 1:
            delegate["base"] = draw(st.sampled_from(bases))
        delegates.append(delegate)
    delegate_ids = [d["id"] for d in delegates]
    meeting_ids = [m["id"] for m in meetings]

    earliest = min(dt.date.fromisoformat(m["start"][:10]) for m in meetings)
    attendances = [
        {
            "date": (
                earliest - dt.timedelta(days=draw(st.sampled_from([1, 20, 40, 75, 100, 364, 365, 366, 400])))
            ).isoformat(),
            "commune": draw(st.sampled_from(commune_ids)),
            "delegate": draw(st.sampled_from(delegate_ids)),
        }
        for _ in range(draw(st.integers(0, 4)))
    ]
    visits = [
        {
            "date": (earliest - dt.timedelta(days=draw(st.integers(1, 90)))).isoformat(),
            "team": draw(st.sampled_from(team_ids)),
        }
        for _ in range(draw(st.integers(0, 3) if team_ids else st.just(0)))
    ]

    def pairs(n: int) -> list[JsonDict]:
        chosen = draw(
            st.lists(st.tuples(st.sampled_from(meeting_ids), st.sampled_from(delegate_ids)), max_size=n, unique=True)
        )
        return [{"meeting": m, "delegate": d} for m, d in chosen]

    doc: JsonDict = {
        "format": "phancong-instance/1",
        "name": "generated",
        "communes": communes,
        "delegates": delegates,
        "meetings": meetings,
    }
    if places:
        doc["places"] = places
    if roads:
        doc["roads"] = roads
    history: JsonDict = {}
    if attendances:
        history["attendances"] = attendances
    if visits:
        history["visits"] = visits
    if history:
        doc["history"] = history
    if allow_pins and draw(st.integers(0, 3)) == 0:
        doc["pinned"] = pairs(1)
    forbidden = pairs(2)
    if forbidden:
        doc["forbidden"] = forbidden
    if draw(st.booleans()):
        reference = pairs(3)
        if draw(st.booleans()):
            reference.append({"meeting": "gone", "delegate": delegate_ids[0]})
            reference.append({"meeting": meeting_ids[0], "delegate": "retired"})
        doc["reference"] = reference
    rules: JsonDict = {}
    if draw(st.booleans()):
        rules["own_commune"] = draw(st.sampled_from(["hard", "soft", "off"]))
    if draw(st.booleans()):
        rules["rotation_months"] = draw(st.integers(0, 3))
    if draw(st.integers(0, 3)) == 0:
        rules["weights"] = {
            term: draw(st.integers(0, 12))
            for term in draw(
                st.lists(
                    st.sampled_from(
                        ["rotation", "agency_repeat", "balance", "senior_at_stable", "travel", "own_commune"]
                    ),
                    max_size=3,
                    unique=True,
                )
            )
        }
    if rules:
        doc["rules"] = rules
    return doc


@st.composite
def schedules(draw: st.DrawFn, doc: JsonDict, *, overfill: bool = True) -> list[tuple[str, str]]:
    """Any list of (meeting, delegate) pairs: maybe too many per meeting, maybe breaking rules."""
    delegate_ids = [d["id"] for d in doc["delegates"]]
    out: list[tuple[str, str]] = []
    for meeting in doc["meetings"]:
        seats = meeting.get("required", 2)
        size = seats + 1 if overfill else seats
        people = draw(st.lists(st.sampled_from(delegate_ids), max_size=size, unique=True))
        out += [(meeting["id"], d) for d in people]
    return out
