"""The change kinds: each parses from its YAML form, and a wrong one is refused clearly."""

from __future__ import annotations

from typing import Any

import pytest

from models.errors import InputError
from scenarios import changes as kinds
from scenarios.scenario import parse_scenario

#: One minimal valid change of every kind, with the class it must parse to.
EXAMPLES: list[tuple[dict[str, Any], type]] = [
    ({"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-05"}, kinds.DelegateAway),
    (
        {"kind": "delegate_added", "delegate": {"id": "d9", "name": "A", "tier": 3, "agency": "MTTQ"}},
        kinds.DelegateAdded,
    ),
    ({"kind": "delegate_leaving", "delegate": "d1"}, kinds.DelegateLeaving),
    ({"kind": "commune_flag", "commune": "c1", "flag": 1, "reason": "Đơn thư"}, kinds.CommuneFlag),
    ({"kind": "meeting_moved", "meeting": "m1", "start": "2025-11-05T08:00"}, kinds.MeetingMoved),
    (
        {"kind": "meeting_added", "meeting": {"id": "m9", "commune": "c1", "start": "2025-11-07T08:00"}},
        kinds.MeetingAdded,
    ),
    ({"kind": "meeting_cancelled", "meeting": "m1"}, kinds.MeetingCancelled),
    ({"kind": "pin", "meeting": "m1", "delegate": "d3"}, kinds.Pin),
    ({"kind": "unpin", "meeting": "m1", "delegate": "d3"}, kinds.Unpin),
    ({"kind": "forbid", "meeting": "m1", "delegate": "d3"}, kinds.Forbid),
    ({"kind": "unforbid", "meeting": "m1", "delegate": "d3"}, kinds.Unforbid),
    ({"kind": "rule_option", "option": "own_commune", "value": "soft"}, kinds.RuleOption),
    ({"kind": "weight", "term": "travel", "value": 2}, kinds.Weight),
]


def parse(*changes: dict[str, Any]) -> Any:
    return parse_scenario({"base": "x.json", "changes": list(changes)})


def issues(*changes: dict[str, Any]) -> list[Any]:
    with pytest.raises(InputError) as caught:
        parse(*changes)
    return caught.value.issues


@pytest.mark.parametrize(("raw", "cls"), EXAMPLES, ids=[e[0]["kind"] for e in EXAMPLES])
def test_every_kind_parses_to_its_model(raw: dict[str, Any], cls: type) -> None:
    """A minimal change of each kind becomes an instance of that kind's model."""
    (change,) = parse(raw).changes
    assert isinstance(change, cls)
    assert change.kind == raw["kind"]


def test_every_kind_has_a_vietnamese_label() -> None:
    """The list of examples covers every kind, and every kind has a Vietnamese name."""
    assert {raw["kind"] for raw, _ in EXAMPLES} == set(kinds.KIND_LABELS)


def test_an_unknown_kind_names_position_field_and_value() -> None:
    """An unknown kind is reported at changes[i].kind with its value and the known kinds."""
    (issue,) = issues(
        {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-04"},
        {"kind": "storm", "meeting": "m1"},
    )
    assert issue.path == "$.changes[1].kind"
    assert issue.value == "storm"
    assert "không có kiểu thay đổi này" in issue.message
    assert "thay đổi thứ 2" in issue.message
    assert "meeting_moved" in issue.message


def test_an_unknown_field_is_refused() -> None:
    """A misspelt field is an error naming the field, not silently ignored."""
    (issue,) = issues({"kind": "meeting_cancelled", "meeting": "m1", "reasn": "typo"})
    assert issue.path == "$.changes[0].reasn"
    assert issue.value == "typo"
    assert "không được phép" in issue.message
    assert "(meeting_cancelled: Hủy hội nghị)" in issue.message


def test_a_missing_field_is_reported() -> None:
    """A change without a required field says which one is missing."""
    (issue,) = issues({"kind": "pin", "meeting": "m1"})
    assert issue.path == "$.changes[0].delegate"
    assert issue.message.startswith("thiếu trường bắt buộc")


def test_a_backwards_leave_is_refused() -> None:
    """An absence ending before it starts is an error of that change."""
    (issue,) = issues({"kind": "delegate_away", "delegate": "d1", "from": "2025-11-05", "to": "2025-11-04"})
    assert issue.path == "$.changes[0]"
    assert "trước ngày bắt đầu" in issue.message


def test_a_leave_outside_the_planned_years_is_refused() -> None:
    """A scenario file's absence to 9999-12-31 or move into 2100 is refused naming the field,
    with the contract's years (the same as the API's and the instance's)."""
    found = issues(
        {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-05", "to": "9999-12-31"},
        {"kind": "meeting_moved", "meeting": "m1", "start": "2100-01-01T08:00"},
    )
    assert [i.path for i in found] == ["$.changes[0].to", "$.changes[1].start"]
    assert all("2000–2099" in i.message for i in found)


def test_bad_values_are_all_reported_at_once() -> None:
    """An unknown term, a negative weight and a bad flag are three issues of one report."""
    found = issues(
        {"kind": "weight", "term": "speed", "value": -1},
        {"kind": "commune_flag", "commune": "c1", "flag": 3, "reason": "x"},
    )
    paths = {i.path for i in found}
    assert paths == {"$.changes[0].term", "$.changes[0].value", "$.changes[1].flag"}
    assert all("thay đổi thứ" in i.message for i in found)


def test_a_flag_change_needs_a_reason() -> None:
    """Raising or lowering a flag without a reason is refused: planners read it on the notice."""
    (issue,) = issues({"kind": "commune_flag", "commune": "c1", "flag": 1})
    assert issue.path == "$.changes[0].reason"


def test_the_allowed_values_are_listed_in_vietnamese() -> None:
    """A value outside a fixed list names the allowed ones joined by "hoặc", not pydantic's "or"."""
    (issue,) = issues({"kind": "commune_flag", "commune": "c1", "flag": 3, "reason": "x"})
    assert issue.message.startswith("giá trị không hợp lệ, chỉ nhận: 0, 1 hoặc 2 — ")
