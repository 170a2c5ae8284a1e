"""The calendar event of an assignment, as frozen at publication.

The texts are Vietnamese (summary, location, description with the suggested team for
the unannounced visit, which only that delegate's own feed carries). The fingerprint
covers everything a calendar shows, so that a republish can tell a changed event (its
SEQUENCE goes up) from an unchanged one. The UID depends on the meeting and the delegate
only, so it survives every republish.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from urllib.parse import quote

from models.storage.clock import month_label
from models.storage.tables import CommuneRow, MeetingRow, TeamRow

UID_DOMAIN = "phancong.tuyenvan"


@dataclass(frozen=True)
class EventContent:
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str
    description: str

    def fingerprint(self) -> str:
        """SHA-256 of what a calendar shows: equal fingerprints, unchanged event."""
        fields = [
            self.starts_at.isoformat(),
            self.ends_at.isoformat(),
            self.summary,
            self.location,
            self.description,
        ]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def uid_for(meeting_id: str, delegate_id: str) -> str:
    """Stable, unique per (meeting, delegate): ids are percent-quoted so ``.`` cannot be confused."""
    return f"{quote(meeting_id, safe='-_~')}.{quote(delegate_id, safe='-_~')}@{UID_DOMAIN}"


#: The description's lines that say the theme and the suggested team: written by
#: :func:`event_content`, read back by :func:`frozen_theme`.
THEME_LINE = "Chủ đề: "
TEAM_LINE = "Dự đột xuất sau hội nghị (gợi ý): "


def event_content(meeting: MeetingRow, commune: CommuneRow, team: TeamRow | None, theme: str | None) -> EventContent:
    """The event; ``theme`` is the meeting's theme as resolved
    (:func:`models.storage.themes.meeting_themes`)."""
    lines = [f"Hội nghị tuyên vận tháng {month_label(meeting.month)} của {commune.name}."]
    if theme:
        lines.append(f"{THEME_LINE}{theme}.")
    if team is not None:
        lines.append(f"{TEAM_LINE}{team.name}.")
    return EventContent(
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + dt.timedelta(minutes=meeting.minutes),
        summary=f"Dự hội nghị tuyên vận {commune.name}",
        location=commune.name,
        description="\n".join(lines),
    )


def frozen_theme(description: str) -> str | None:
    """The theme a frozen event's description says (None: it said none), the inverse of
    :func:`event_content`: the published notice and pages read the theme the calendars
    were given, so no separate copy of it is kept.

    The first line (month and unit) has no line break; a theme may have some, so the team's
    line is cut at its last occurrence (a theme whose own last line began like the team's
    would be cut there too).
    """
    _, _, rest = description.partition("\n")
    if not rest.startswith(THEME_LINE):
        return None
    theme, cut, _ = rest[len(THEME_LINE) :].rpartition(f"\n{TEAM_LINE}")
    if not cut:
        theme = rest[len(THEME_LINE) :]
    return theme.removesuffix(".")
