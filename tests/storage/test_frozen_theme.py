"""A frozen calendar event says the meeting's theme, and the published notice reads it back
from there (:func:`models.storage.events.frozen_theme`): what the calendar was given and
what the notice prints cannot differ."""

from __future__ import annotations

import datetime as dt

import pytest

from models.storage.events import event_content, frozen_theme
from models.storage.tables import CommuneRow, MeetingRow, TeamRow

MEETING = MeetingRow(
    id="m1", commune_id="c1", starts_at=dt.datetime(2025, 11, 4, 1, tzinfo=dt.UTC), month="2025-11", minutes=180
)
COMMUNE = CommuneRow(id="c1", name="Phường Cốc Lếu")
TEAM = TeamRow(id="c1-t1", commune_id="c1", name="Tổ dân phố số 1")


@pytest.mark.parametrize(
    "theme",
    [
        "Kỷ niệm 49 năm Giải phóng miền Nam",
        "Chủ đề kết thúc bằng dấu chấm.",
        "Dòng 1\r\nDòng 2\tcột",
        None,
    ],
)
@pytest.mark.parametrize("team", [TEAM, None])
def test_the_theme_reads_back_from_the_event(theme: str | None, team: TeamRow | None) -> None:
    """With or without a suggested team, a theme with line breaks or a final full stop, or none."""
    assert frozen_theme(event_content(MEETING, COMMUNE, team, theme).description) == theme
