"""Unannounced team visits (RULES.md): one team per assignment, oldest visit first.

Assignments are taken in meeting order (start, then meeting id, then delegate id); each
gets the team of its commune whose last visit is oldest (never visited first, ties by
team id), and no team is suggested twice in one schedule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from models.instance import Instance


def suggest_visits(instance: Instance, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(meeting, delegate, team) for each assignment that can get a team."""
    last: dict[str, dt.date] = {}
    for visit in instance.history.visits:
        if visit.team not in last or visit.date > last[visit.team]:
            last[visit.team] = visit.date
    used: set[str] = set()
    ordered = sorted(
        (p for p in pairs if p[0] in instance.meetings_by_id),
        key=lambda p: (instance.meeting(p[0]).start, p[0], p[1]),
    )
    out = []
    for meeting_id, delegate_id in ordered:
        commune = instance.commune(instance.meeting(meeting_id).commune)
        free = [t for t in commune.teams if t.id not in used]
        if not free:
            continue
        team = min(free, key=lambda t: (t.id in last, last.get(t.id, dt.date.min), t.id))
        used.add(team.id)
        out.append((meeting_id, delegate_id, team.id))
    return out
