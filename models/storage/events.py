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


def event_content(
    meeting: MeetingRow, commune: CommuneRow, team: TeamRow | None, plan_theme: str | None = None
) -> EventContent:
    """The event; ``plan_theme`` is the month's theme in the year's plan, shown when the
    meeting has no theme of its own."""
    lines = [f"Hội nghị tuyên vận tháng {month_label(meeting.month)} của {commune.name}."]
    theme = meeting.theme or plan_theme
    if theme:
        lines.append(f"Chủ đề: {theme}.")
    if team is not None:
        lines.append(f"Dự đột xuất sau hội nghị (gợi ý): {team.name}.")
    return EventContent(
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + dt.timedelta(minutes=meeting.minutes),
        summary=f"Dự hội nghị tuyên vận {commune.name}",
        location=commune.name,
        description="\n".join(lines),
    )
