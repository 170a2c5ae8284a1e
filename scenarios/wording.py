"""Vietnamese wording of dates, delegates, meetings and scenario changes.

Planners read these sentences on the re-planned notice ("Đ/c X nghỉ ốm 12/03–14/03 →
thay bằng Đ/c Y"), so dates follow Vietnamese usage (day/month, an en dash for ranges)
and every name carries its full diacritics. Dates are written as the solver writes
them in its own messages (``%d/%m``, ``12/03–14/03``, ``08:00 12/03``): the two appear in
one output, which must not say "8/3" in one line and "08/03" in the next.
"""

from __future__ import annotations

import datetime as dt

from models.instance import Instance, Meeting
from models.labels import FLAG_LABELS, TERM_LABELS
from scenarios.changes import (
    Change,
    CommuneFlag,
    DelegateAdded,
    DelegateAway,
    DelegateLeaving,
    Forbid,
    MeetingAdded,
    MeetingCancelled,
    MeetingMoved,
    Pin,
    RuleOption,
    Unforbid,
    Unpin,
    Weight,
)


def day(value: dt.date) -> str:
    """``08/03`` (the year is the plan's, and planners leave it out)."""
    return f"{value:%d/%m}"


def day_range(start: dt.date, end: dt.date) -> str:
    """``12/03`` or ``12/03–14/03``; with years when the range crosses one."""
    if start == end:
        return day(start)
    if start.year != end.year:
        return f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"
    return f"{day(start)}–{day(end)}"


def when(meeting: Meeting) -> str:
    """``08:00 12/03``."""
    return f"{meeting.start:%H:%M} {day(meeting.day)}"


#: First words (or first two) of the titles and bodies that Vietnamese writes with a
#: capital even inside a sentence: "Thường trực chỉ định", "Bí thư đi công tác". A word
#: that is also an ordinary noun (hội, phòng, đoàn) is left out: "Hội nghị…" is lowered.
NAME_HEADS: frozenset[str] = frozenset(
    {
        "Ban",
        "Đảng",
        "Thường trực",
        "Thường vụ",
        "Bí thư",
        "Chủ tịch",
        "Ủy viên",
        "Ủy ban",
        "Mặt trận",
        "Thành ủy",
        "Tỉnh ủy",
        "Huyện ủy",
        "Thị ủy",
        "Đảng ủy",
        "Hội đồng",
        "Văn phòng",
        "Quốc hội",
        "Chính phủ",
        "Trung ương",
        "Nhà nước",
        "Công an",
    }
)


def lower_first(text: str) -> str:
    """A planner's reason ("Nghỉ ốm") inside a sentence ("… nghỉ ốm 12–14/3").

    Only an ordinary capitalised first word is lowered. Left as written: an acronym
    (UBND, HĐND), a word with a sign or a capital inside (Đ/c, Covid-19), a first word
    followed by another capitalised one (a name: "Tả Phời", "Bão Yagi"), and the heads
    of titles and bodies in :data:`NAME_HEADS`. When in doubt the planner's text stays:
    a capital too many reads better than a name lowered.
    """
    words = text.split(maxsplit=2)
    if not words:
        return text
    first = words[0].rstrip(",.;:!?)")
    ordinary = first.isalpha() and first[0].isupper() and (len(first) == 1 or first[1:].islower())
    followed_by_name = len(words) > 1 and words[1][:1].isupper()
    head = " ".join(words[:2]).replace("uỷ", "ủy").replace("Uỷ", "Ủy")
    if not ordinary or followed_by_name or first in NAME_HEADS or head in NAME_HEADS:
        return text
    return text[:1].lower() + text[1:]


class Names:
    """Names of delegates, communes and meetings, looked up in the instances given.

    A re-plan speaks of both months at once (a cancelled meeting exists only before, an
    added delegate only after), so lookups try each instance in turn.
    """

    def __init__(self, *instances: Instance) -> None:
        self.instances = instances

    def delegate(self, delegate_id: str) -> str:
        for instance in self.instances:
            found = instance.delegates_by_id.get(delegate_id)
            if found is not None:
                return f"Đ/c {found.name}"
        return f"Đ/c {delegate_id}"

    def commune(self, commune_id: str) -> str:
        for instance in self.instances:
            found = instance.communes_by_id.get(commune_id)
            if found is not None:
                return found.name
        return commune_id

    def meeting(self, meeting_id: str) -> str:
        """``Xã Tả Phời (08:00 12/3)``."""
        for instance in self.instances:
            found = instance.meetings_by_id.get(meeting_id)
            if found is not None:
                return f"{self.commune(found.commune)} ({when(found)})"
        return meeting_id

    def delegates(self, ids: tuple[str, ...] | list[str]) -> str:
        return ", ".join(self.delegate(d) for d in ids) if ids else "(trống)"


#: What each value of the ``own_commune`` option means to a planner.
OWN_COMMUNE_LABELS: dict[str, str] = {
    "hard": "không được phép",
    "soft": "được phép nhưng tính điểm phạt",
    "off": "không xét",
}


def describe(change: Change, names: Names) -> str:
    """One sentence saying what ``change`` does, e.g. ``Đ/c X vắng 11–15/3 — đi công tác``."""
    text = _describe(change, names)
    return f"{text} — {lower_first(change.reason)}" if change.reason else text


def _describe(change: Change, names: Names) -> str:
    match change:
        case DelegateAway():
            return f"{names.delegate(change.delegate)} vắng {day_range(change.from_, change.to)}"
        case DelegateAdded():
            return f"Thêm {names.delegate(change.delegate.id)}"
        case DelegateLeaving():
            since = f" từ {day(change.from_)}" if change.from_ else ""
            return f"{names.delegate(change.delegate)} thôi tham gia{since}"
        case CommuneFlag():
            label = lower_first(FLAG_LABELS[change.flag])
            return f"{names.commune(change.commune)} chuyển sang mức “{label}”"
        case MeetingMoved():
            return f"Hội nghị {names.meeting(change.meeting)} dời sang {change.start:%H:%M} {day(change.start.date())}"
        case MeetingAdded():
            meeting = change.meeting
            return f"Thêm hội nghị của {names.commune(meeting.commune)} lúc {when(meeting)}"
        case MeetingCancelled():
            return f"Hủy hội nghị {names.meeting(change.meeting)}"
        case Pin():
            return f"Ghim {names.delegate(change.delegate)} dự {names.meeting(change.meeting)}"
        case Unpin():
            return f"Bỏ ghim {names.delegate(change.delegate)} ở {names.meeting(change.meeting)}"
        case Forbid():
            return f"Không cử {names.delegate(change.delegate)} dự {names.meeting(change.meeting)}"
        case Unforbid():
            return f"Cho phép lại {names.delegate(change.delegate)} dự {names.meeting(change.meeting)}"
        case RuleOption() if change.option == "own_commune":
            return f"Dự xã mình phụ trách: {OWN_COMMUNE_LABELS.get(str(change.value), str(change.value))}"
        case RuleOption():
            return f"Xét lặp lại địa bàn trong {change.value} tháng trước"
        case Weight():
            return f"Trọng số “{TERM_LABELS[change.term]}” = {change.value}"
    raise AssertionError(f"unknown change {change!r}")  # the union is closed: unreachable
