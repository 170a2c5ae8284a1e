"""The one description of a schedule that every document is made from.

A :class:`ScheduleLine` is a meeting with its delegates, in the words a reader sees
(names, titles, the unit's name with its kind), built either from an instance and its
solution (the command line) or from a published version in the database (the service).
Lines are sorted by date, then by unit in Vietnamese order, then by time and meeting id.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from models.documents.collation import sort_key
from models.instance import Instance
from models.labels import TIER_LABELS

KIND_WORDS = {"xa": "xã", "phuong": "phường", "thi_tran": "thị trấn"}


@dataclass(frozen=True)
class Attendee:
    name: str
    title: str
    """Position and agency as the notice prints them ("Phó Bí thư Thường trực Thành ủy")."""
    id: str = ""
    """The delegate's id: the schedule workbook carries it, so that it can be read back."""


@dataclass(frozen=True)
class ScheduleLine:
    meeting: str
    start: dt.datetime
    """Local wall-clock time of the meeting (naive)."""
    minutes: int
    unit: str
    """The unit's name as printed: "Phường Cốc Lếu", "Xã Tả Phời"."""
    delegates: tuple[Attendee, ...]
    teams: tuple[str, ...] = ()
    theme: str = ""
    note: str = ""


def unit_name(name: str, kind: str | None) -> str:
    """The unit with its kind in front, unless the name already says it."""
    word = KIND_WORDS.get(kind or "")
    if word is None or name.casefold().startswith(word):
        return name
    return f"{word.capitalize()} {name}"


def address(name: str, kind: str | None, district: str | None = None, province: str | None = None) -> str:
    """Where a commune is, as an address is written: "Xã Tả Phời, thành phố Lào Cai, tỉnh
    Lào Cai" (many communes share a name across the country); what is missing is left out."""
    return ", ".join(part for part in (unit_name(name, kind), district, province) if part)


def ordered(lines: Iterable[ScheduleLine]) -> list[ScheduleLine]:
    return sorted(lines, key=lambda x: (x.start.date(), sort_key(x.unit), x.start.time(), x.meeting))


def lines_from_solution(
    instance: Instance,
    pairs: Iterable[tuple[str, str]],
    visits: Iterable[tuple[str, str, str]] = (),
    gaps: Sequence[tuple[str, str]] = (),
) -> list[ScheduleLine]:
    """Lines of a solved instance: ``pairs`` (meeting, delegate), ``visits`` (meeting,
    delegate, team) and ``gaps`` (meeting, reason) as the solution holds them."""
    by_meeting: dict[str, list[str]] = defaultdict(list)
    for meeting_id, delegate_id in pairs:
        by_meeting[meeting_id].append(delegate_id)
    team_names = {t.id: t.name for c in instance.communes for t in c.teams}
    teams: dict[str, list[str]] = defaultdict(list)
    for meeting_id, _, team in visits:
        teams[meeting_id].append(team_names.get(team, team))
    notes = dict(gaps)
    lines = []
    for meeting in instance.meetings:
        commune = instance.commune(meeting.commune)
        people = sorted(
            (instance.delegate(d) for d in by_meeting.get(meeting.id, [])), key=lambda d: (d.tier, sort_key(d.name))
        )
        lines.append(
            ScheduleLine(
                meeting=meeting.id,
                start=meeting.start.replace(tzinfo=None),
                minutes=meeting.minutes,
                unit=unit_name(commune.name, commune.kind),
                delegates=tuple(Attendee(d.name, attendee_title(d.title, d.tier, d.agency), d.id) for d in people),
                teams=tuple(teams.get(meeting.id, [])),
                theme=meeting.theme or "",
                note=_gap_note(notes.get(meeting.id)),
            )
        )
    return ordered(lines)


def attendee_title(title: str | None, tier: int, agency: str) -> str:
    """The position as printed: the title when known, else the tier's label and agency."""
    if title:
        return title
    label = TIER_LABELS.get(tier, "")
    return f"{label}, {agency}" if label and agency else label or agency


def _gap_note(reason: str | None) -> str:
    return f"Còn thiếu đại biểu: {reason}" if reason else ""
