"""Applying changes to an instance document, one kind at a time (scenarios.apply)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from models.errors import InputError
from models.instance import Instance
from scenarios.apply import apply_changes
from scenarios.scenario import build, parse_scenario


def changes(*raw: dict[str, Any]) -> tuple[Any, ...]:
    return parse_scenario({"base": "x.json", "changes": list(raw)}).changes


def applied(tiny: dict[str, Any], *raw: dict[str, Any]) -> Instance:
    return build(tiny, changes(*raw), None).instance


def refused(tiny: dict[str, Any], *raw: dict[str, Any]) -> list[Any]:
    with pytest.raises(InputError) as caught:
        build(tiny, changes(*raw), None)
    return caught.value.issues


def test_delegate_away_adds_a_leave(tiny: dict[str, Any]) -> None:
    """The delegate becomes unavailable on exactly the given dates, with the reason."""
    month = applied(
        tiny, {"kind": "delegate_away", "delegate": "d3", "from": "2025-11-04", "to": "2025-11-05", "reason": "Nghỉ ốm"}
    )
    person = month.delegate("d3")
    assert person.away_on(dt.date(2025, 11, 4)) is not None
    assert person.away_on(dt.date(2025, 11, 5)).reason == "Nghỉ ốm"  # type: ignore[union-attr]
    assert person.away_on(dt.date(2025, 11, 6)) is None


def test_delegate_added_joins_the_month(tiny: dict[str, Any]) -> None:
    """A new delegate is in the instance with the fields written."""
    month = applied(
        tiny,
        {
            "kind": "delegate_added",
            "delegate": {
                "id": "d9",
                "name": "Lò Thị Thanh",
                "tier": 3,
                "agency": "Ban Tuyên giáo",
                "in_charge_of": ["c4"],
            },
        },
    )
    assert month.delegate("d9").name == "Lò Thị Thanh"
    assert month.delegate("d9").in_charge_of == ("c4",)


def test_delegate_added_twice_or_with_unknown_commune_is_refused(tiny: dict[str, Any]) -> None:
    """A duplicate id and an unknown commune in charge are both reported with their paths."""
    found = refused(
        tiny,
        {"kind": "delegate_added", "delegate": {"id": "d1", "name": "X", "tier": 4, "agency": "MTTQ"}},
        {
            "kind": "delegate_added",
            "delegate": {"id": "d8", "name": "Y", "tier": 4, "agency": "MTTQ", "in_charge_of": ["c99"]},
        },
    )
    assert [(i.path, i.value) for i in found] == [
        ("$.changes[0].delegate.id", "d1"),
        ("$.changes[1].delegate.in_charge_of[0]", "c99"),
    ]


def test_delegate_leaving_takes_no_more_meetings(tiny: dict[str, Any]) -> None:
    """Leaving for good sets capacity 0; history stays (it counts for rotation)."""
    month = applied(tiny, {"kind": "delegate_leaving", "delegate": "d4"})
    assert month.delegate("d4").max_per_month == 0
    assert any(a.delegate == "d4" for a in month.history.attendances)


def test_delegate_leaving_from_a_date_is_away_from_then_on(tiny: dict[str, Any]) -> None:
    """Leaving on the 5th keeps the 4th and blocks every later meeting day."""
    month = applied(tiny, {"kind": "delegate_leaving", "delegate": "d4", "from": "2025-11-05"})
    person = month.delegate("d4")
    assert person.away_on(dt.date(2025, 11, 4)) is None
    assert person.away_on(dt.date(2025, 11, 6)) is not None
    assert person.max_per_month == 4


def test_a_departure_covers_meetings_added_or_moved_by_later_changes(tiny: dict[str, Any]) -> None:
    """A delegate who left stays away from a meeting a later change adds or moves past the month's
    old last day, and a later pin on them there is lifted with a note."""
    raw = changes(
        {"kind": "delegate_leaving", "delegate": "d3", "from": "2025-11-05"},
        {"kind": "meeting_added", "meeting": {"id": "m9", "commune": "c1", "start": "2025-11-20T08:00"}},
        {"kind": "meeting_moved", "meeting": "m4", "start": "2025-11-25T08:00"},
        {"kind": "pin", "meeting": "m9", "delegate": "d3"},
    )
    result = build(tiny, raw, None)
    person = result.instance.delegate("d3")
    assert person.away_on(dt.date(2025, 11, 4)) is None
    assert person.away_on(dt.date(2025, 11, 20)) is not None
    assert person.away_on(dt.date(2025, 11, 25)) is not None
    assert result.instance.pinned == ()
    (note,) = result.notes
    assert note.startswith("Bỏ ghim Đ/c Lò Văn Sơn dự hội nghị Phường Cốc Lếu (m9)")


def test_commune_flag_raised_changes_seats_and_seniority(tiny: dict[str, Any]) -> None:
    """Flag 2 on a stable commune: its meeting needs 2 delegates, one of tier 2 or above."""
    month = applied(tiny, {"kind": "commune_flag", "commune": "c4", "flag": 2, "reason": "Tranh chấp đất đai"})
    meeting = month.meeting("m4")
    assert month.commune("c4").flag_reason == "Tranh chấp đất đai"
    assert (month.required(meeting), month.senior_tier(meeting)) == (2, 2)


def test_commune_flag_lowered_drops_the_reason(tiny: dict[str, Any]) -> None:
    """Flag 0 on a flagged commune: one seat, no seniority, no flag reason left."""
    month = applied(tiny, {"kind": "commune_flag", "commune": "c3", "flag": 0, "reason": "Đã giải quyết xong"})
    meeting = month.meeting("m3")
    assert month.commune("c3").flag_reason is None
    assert (month.required(meeting), month.senior_tier(meeting)) == (1, None)


def test_meeting_moved_changes_start_and_length(tiny: dict[str, Any]) -> None:
    """A moved meeting has its new start, and its new length when one is given."""
    month = applied(tiny, {"kind": "meeting_moved", "meeting": "m1", "start": "2025-11-07T13:30", "minutes": 120})
    assert month.meeting("m1").start == dt.datetime(2025, 11, 7, 13, 30)
    assert month.meeting("m1").minutes == 120


def test_meeting_added_and_its_checks(tiny: dict[str, Any]) -> None:
    """An added meeting is in the month; a duplicate id or unknown commune is refused."""
    month = applied(
        tiny, {"kind": "meeting_added", "meeting": {"id": "m9", "commune": "c2", "start": "2025-11-07T08:00"}}
    )
    assert month.meeting("m9").commune == "c2"
    found = refused(
        tiny,
        {"kind": "meeting_added", "meeting": {"id": "m1", "commune": "c2", "start": "2025-11-07T08:00"}},
        {"kind": "meeting_added", "meeting": {"id": "m8", "commune": "c9", "start": "2025-11-07T08:00"}},
    )
    assert [(i.path, i.value) for i in found] == [
        ("$.changes[0].meeting.id", "m1"),
        ("$.changes[1].meeting.commune", "c9"),
    ]


def test_meeting_cancelled_takes_its_pins_and_bans_along(tiny: dict[str, Any]) -> None:
    """A cancelled meeting is gone, and so are the pins and bans that named it."""
    tiny["pinned"] = [{"meeting": "m2", "delegate": "d4"}]
    tiny["forbidden"] = [{"meeting": "m2", "delegate": "d5"}, {"meeting": "m1", "delegate": "d5"}]
    month = applied(tiny, {"kind": "meeting_cancelled", "meeting": "m2"})
    assert "m2" not in month.meetings_by_id
    assert month.pinned == ()
    assert [(p.meeting, p.delegate) for p in month.forbidden] == [("m1", "d5")]


def test_pin_and_unpin(tiny: dict[str, Any]) -> None:
    """A pin is added once; unpinning removes it; unpinning a pair never pinned is refused."""
    month = applied(
        tiny, {"kind": "pin", "meeting": "m4", "delegate": "d5"}, {"kind": "pin", "meeting": "m4", "delegate": "d5"}
    )
    assert [(p.meeting, p.delegate) for p in month.pinned] == [("m4", "d5")]
    month = applied(
        tiny, {"kind": "pin", "meeting": "m4", "delegate": "d5"}, {"kind": "unpin", "meeting": "m4", "delegate": "d5"}
    )
    assert month.pinned == ()
    (issue,) = refused(tiny, {"kind": "unpin", "meeting": "m4", "delegate": "d5"})
    assert (issue.path, issue.value) == ("$.changes[0].delegate", "d5")
    assert "không được ghim" in issue.message


def test_forbid_and_unforbid(tiny: dict[str, Any]) -> None:
    """A ban is added; lifted again by unforbid; pinning a banned pair is refused."""
    month = applied(tiny, {"kind": "forbid", "meeting": "m1", "delegate": "d3"})
    assert [(p.meeting, p.delegate) for p in month.forbidden] == [("m1", "d3")]
    month = applied(
        tiny,
        {"kind": "forbid", "meeting": "m1", "delegate": "d3"},
        {"kind": "unforbid", "meeting": "m1", "delegate": "d3"},
    )
    assert month.forbidden == ()
    (issue,) = refused(
        tiny, {"kind": "forbid", "meeting": "m1", "delegate": "d3"}, {"kind": "pin", "meeting": "m1", "delegate": "d3"}
    )
    assert issue.path == "$.changes[1].delegate"
    assert "đang bị cấm" in issue.message


def test_rule_option_and_weight(tiny: dict[str, Any]) -> None:
    """Rule options and weights change the month's rules; other weights keep their defaults."""
    month = applied(
        tiny,
        {"kind": "rule_option", "option": "own_commune", "value": "soft"},
        {"kind": "rule_option", "option": "rotation_months", "value": 6},
        {"kind": "weight", "term": "balance", "value": 12},
    )
    assert month.rules.own_commune == "soft"
    assert month.rules.rotation_months == 6
    assert month.rules.weights.balance == 12
    assert month.rules.weights.travel == 1


def test_bad_rule_values_are_refused(tiny: dict[str, Any]) -> None:
    """An own_commune value outside hard/soft/off and a negative rotation are refused."""
    found = refused(
        tiny,
        {"kind": "rule_option", "option": "own_commune", "value": "maybe"},
        {"kind": "rule_option", "option": "rotation_months", "value": -2},
    )
    assert [(i.path, i.value) for i in found] == [("$.changes[0].value", "maybe"), ("$.changes[1].value", -2)]


def test_a_rule_value_of_the_wrong_type_is_explained_in_vietnamese(tiny: dict[str, Any]) -> None:
    """rotation_months: abc says a whole number is needed, in Vietnamese, without pydantic's English."""
    (issue,) = refused(tiny, {"kind": "rule_option", "option": "rotation_months", "value": "abc"})
    assert (issue.path, issue.value) == ("$.changes[0].value", "abc")
    assert issue.message.startswith("giá trị không hợp lệ: cần một số nguyên — thay đổi thứ 1")
    assert "Input should" not in issue.message


@pytest.mark.parametrize(
    ("raw", "field", "value"),
    [
        ({"kind": "delegate_away", "delegate": "d99", "from": "2025-11-04", "to": "2025-11-04"}, "delegate", "d99"),
        ({"kind": "delegate_leaving", "delegate": "d99"}, "delegate", "d99"),
        ({"kind": "commune_flag", "commune": "c99", "flag": 1, "reason": "x"}, "commune", "c99"),
        ({"kind": "meeting_moved", "meeting": "m99", "start": "2025-11-05T08:00"}, "meeting", "m99"),
        ({"kind": "meeting_cancelled", "meeting": "m99"}, "meeting", "m99"),
        ({"kind": "pin", "meeting": "m99", "delegate": "d1"}, "meeting", "m99"),
        ({"kind": "forbid", "meeting": "m1", "delegate": "d99"}, "delegate", "d99"),
    ],
    ids=lambda v: v["kind"] if isinstance(v, dict) else None,
)
def test_missing_ids_name_the_change(tiny: dict[str, Any], raw: dict[str, Any], field: str, value: str) -> None:
    """A reference to a missing id names the change's position, the field and the value, in Vietnamese."""
    (issue,) = refused(tiny, {"kind": "weight", "term": "travel", "value": 2}, raw)
    assert issue.path == f"$.changes[1].{field}"
    assert issue.value == value
    assert "không có" in issue.message
    assert "thay đổi thứ 2" in issue.message


def test_changes_apply_in_order(tiny: dict[str, Any]) -> None:
    """A later change may use what an earlier one added, but not what an earlier one removed."""
    month = applied(
        tiny,
        {"kind": "delegate_added", "delegate": {"id": "d9", "name": "Lò Thị Thanh", "tier": 3, "agency": "MTTQ"}},
        {"kind": "pin", "meeting": "m4", "delegate": "d9"},
    )
    assert [(p.meeting, p.delegate) for p in month.pinned] == [("m4", "d9")]
    (issue,) = refused(
        tiny,
        {"kind": "meeting_cancelled", "meeting": "m1"},
        {"kind": "meeting_moved", "meeting": "m1", "start": "2025-11-05T08:00"},
    )
    assert issue.path == "$.changes[1].meeting"


def test_a_pin_the_change_makes_impossible_is_lifted_with_a_note(tiny: dict[str, Any]) -> None:
    """Pinned delegate falls ill on the meeting day: the pin goes, and a note says so."""
    tiny["pinned"] = [{"meeting": "m4", "delegate": "d5"}]
    raw = changes({"kind": "delegate_away", "delegate": "d5", "from": "2025-11-06", "to": "2025-11-06"})
    result = build(tiny, raw, None)
    assert result.instance.pinned == ()
    (note,) = result.notes
    assert "Bỏ ghim Đ/c Hoàng Minh Đức" in note


def test_the_base_document_is_not_modified(tiny: dict[str, Any]) -> None:
    """Applying changes leaves the input document exactly as it was."""
    before = copy.deepcopy(tiny)
    apply_changes(
        tiny,
        changes(
            {"kind": "meeting_cancelled", "meeting": "m1"},
            {"kind": "weight", "term": "travel", "value": 3},
            {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-04"},
        ),
    )
    assert tiny == before
