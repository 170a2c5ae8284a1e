"""Applying scenario changes to an instance document, one function per kind of change.

Pure: a document (the decoded JSON of ``phancong-instance/1``) and a list of changes in,
a new document out; the input is never modified. Changes apply in order, so a later
change may name a delegate or meeting an earlier one added. Every reference to a missing
id is reported, all at once, with the change's position, field and value; the caller then
validates the result as any instance (:func:`scenarios.scenario.build`).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from models.errors import Issue, json_path
from models.rules import Rules
from scenarios.changes import (
    KIND_LABELS,
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
from scenarios.messages import pydantic_message

Document = dict[str, Any]


@dataclass(frozen=True)
class Applied:
    """The changed document, and what was done beyond the changes themselves."""

    document: Document
    notes: list[str]
    """E.g. a pin dropped because its delegate is now away (in Vietnamese)."""


class _At:
    """Where a change sits in the scenario, to name it in every issue."""

    def __init__(self, index: int, change: Change) -> None:
        self.index = index
        self.change = change
        self.issues: list[Issue] = []

    def fail(self, field: str | list[str | int], value: object, message: str) -> None:
        parts = [field] if isinstance(field, str) else field
        where = f"thay đổi thứ {self.index + 1} ({self.change.kind}: {KIND_LABELS[self.change.kind]})"
        self.issues.append(Issue(json_path(["changes", self.index, *parts]), value, f"{message} — {where}"))


def apply_changes(document: Document, changes: list[Change] | tuple[Change, ...]) -> tuple[Applied, list[Issue]]:
    """The document with every change applied in order, and the issues found on the way.

    A change whose references are missing is skipped (and reported); the others still
    apply, so that one run reports every problem of the scenario.
    """
    doc = copy.deepcopy(document)
    broken_before = _broken_pins(doc)
    issues: list[Issue] = []
    for index, change in enumerate(changes):
        at = _At(index, change)
        APPLIERS[change.kind](doc, change, at)
        issues.extend(at.issues)
    _leave_for_good(doc, changes)
    notes = _drop_broken_pins(doc, broken_before)
    return Applied(doc, notes), issues


# --- lookups -------------------------------------------------------------------------


def _find(doc: Document, field: str, item_id: str) -> dict[str, Any] | None:
    for item in doc.get(field, []):
        if item.get("id") == item_id:
            return item
    return None


def _delegate(doc: Document, at: _At, delegate_id: str, field: str = "delegate") -> dict[str, Any] | None:
    found = _find(doc, "delegates", delegate_id)
    if found is None:
        at.fail(field, delegate_id, "không có đại biểu mã này trong bài toán")
    return found


def _meeting(doc: Document, at: _At, meeting_id: str, field: str = "meeting") -> dict[str, Any] | None:
    found = _find(doc, "meetings", meeting_id)
    if found is None:
        at.fail(field, meeting_id, "không có hội nghị mã này trong bài toán")
    return found


def _commune(doc: Document, at: _At, commune_id: str, field: str | list[str | int] = "commune") -> bool:
    if _find(doc, "communes", commune_id) is None:
        at.fail(field, commune_id, "không có xã/phường mã này trong bài toán")
        return False
    return True


def _pair_index(doc: Document, field: str, meeting: str, delegate: str) -> int | None:
    for i, pair in enumerate(doc.get(field, [])):
        if pair.get("meeting") == meeting and pair.get("delegate") == delegate:
            return i
    return None


def _last_meeting_day(doc: Document) -> dt.date | None:
    days = [dt.date.fromisoformat(m["start"][:10]) for m in doc.get("meetings", [])]
    return max(days) if days else None


# --- one function per kind ----------------------------------------------------------


def delegate_away(doc: Document, change: DelegateAway, at: _At) -> None:
    """Adds a leave period; H3 then keeps the delegate away from those dates."""
    person = _delegate(doc, at, change.delegate)
    if person is None:
        return
    period: dict[str, Any] = {"from": change.from_.isoformat(), "to": change.to.isoformat()}
    if change.reason:
        period["reason"] = change.reason
    person["unavailable"] = [*person.get("unavailable", []), period]


def delegate_added(doc: Document, change: DelegateAdded, at: _At) -> None:
    new = change.delegate
    if _find(doc, "delegates", new.id) is not None:
        at.fail(["delegate", "id"], new.id, "đã có đại biểu mã này")
        return
    ok = True
    for j, commune in enumerate(new.in_charge_of):
        ok &= _commune(doc, at, commune, ["delegate", "in_charge_of", j])
    places = {p.get("id") for p in doc.get("places", [])} | {c.get("id") for c in doc.get("communes", [])}
    if "base" in new.model_fields_set and new.base not in places:
        at.fail(["delegate", "base"], new.base, "không có địa điểm này")
        ok = False
    if ok:
        doc["delegates"] = [*doc["delegates"], new.model_dump(mode="json", by_alias=True, exclude_unset=True)]


def delegate_leaving(doc: Document, change: DelegateLeaving, at: _At) -> None:
    """No meetings any more: capacity 0 (whole month) or a leave up to the last meeting day
    (stretched again once every change is in: :func:`_leave_for_good`).

    The delegate is kept, not deleted: their history still counts for rotation and for
    the agency that attended a commune last (RULES.md), and RULES.md leaves a delegate
    with capacity 0 out of the balance term.
    """
    person = _delegate(doc, at, change.delegate)
    if person is None:
        return
    if change.from_ is None:
        person["max_per_month"] = 0
        return
    last = _last_meeting_day(doc) or change.from_
    period: dict[str, Any] = {"from": change.from_.isoformat(), "to": max(last, change.from_).isoformat()}
    period["reason"] = change.reason or "Thôi tham gia"
    person["unavailable"] = [*person.get("unavailable", []), period]


def commune_flag(doc: Document, change: CommuneFlag, at: _At) -> None:
    """Sets the flag; seats and seniority follow from it unless a meeting says otherwise."""
    if not _commune(doc, at, change.commune):
        return
    unit = _find(doc, "communes", change.commune)
    assert unit is not None
    unit["flag"] = change.flag
    if change.flag:
        unit["flag_reason"] = change.reason
    else:
        unit.pop("flag_reason", None)


def meeting_moved(doc: Document, change: MeetingMoved, at: _At) -> None:
    meeting = _meeting(doc, at, change.meeting)
    if meeting is None:
        return
    meeting["start"] = change.start.strftime("%Y-%m-%dT%H:%M")
    if change.minutes is not None:
        meeting["minutes"] = change.minutes


def meeting_added(doc: Document, change: MeetingAdded, at: _At) -> None:
    new = change.meeting
    if _find(doc, "meetings", new.id) is not None:
        at.fail(["meeting", "id"], new.id, "đã có hội nghị mã này")
        return
    if _commune(doc, at, new.commune, ["meeting", "commune"]):
        doc["meetings"] = [*doc["meetings"], new.model_dump(mode="json", by_alias=True, exclude_unset=True)]


def meeting_cancelled(doc: Document, change: MeetingCancelled, at: _At) -> None:
    """Removes the meeting and the pins and bans on it (they would name a missing meeting)."""
    if _meeting(doc, at, change.meeting) is None:
        return
    doc["meetings"] = [m for m in doc["meetings"] if m.get("id") != change.meeting]
    for field in ("pinned", "forbidden"):
        if field in doc:
            doc[field] = [p for p in doc[field] if p.get("meeting") != change.meeting]


def _pair_refs(doc: Document, change: Pin | Unpin | Forbid | Unforbid, at: _At) -> bool:
    meeting = _meeting(doc, at, change.meeting)
    delegate = _delegate(doc, at, change.delegate)
    return meeting is not None and delegate is not None


def pin(doc: Document, change: Pin, at: _At) -> None:
    if not _pair_refs(doc, change, at):
        return
    if _pair_index(doc, "forbidden", change.meeting, change.delegate) is not None:
        at.fail("delegate", change.delegate, "cặp hội nghị – đại biểu này đang bị cấm (forbidden); bỏ cấm trước")
        return
    if _pair_index(doc, "pinned", change.meeting, change.delegate) is None:
        doc["pinned"] = [*doc.get("pinned", []), {"meeting": change.meeting, "delegate": change.delegate}]


def unpin(doc: Document, change: Unpin, at: _At) -> None:
    if not _pair_refs(doc, change, at):
        return
    index = _pair_index(doc, "pinned", change.meeting, change.delegate)
    if index is None:
        at.fail("delegate", change.delegate, "cặp hội nghị – đại biểu này không được ghim")
        return
    doc["pinned"] = [p for i, p in enumerate(doc["pinned"]) if i != index]


def forbid(doc: Document, change: Forbid, at: _At) -> None:
    if not _pair_refs(doc, change, at):
        return
    if _pair_index(doc, "pinned", change.meeting, change.delegate) is not None:
        at.fail("delegate", change.delegate, "cặp hội nghị – đại biểu này đang được ghim (pinned); bỏ ghim trước")
        return
    if _pair_index(doc, "forbidden", change.meeting, change.delegate) is None:
        doc["forbidden"] = [*doc.get("forbidden", []), {"meeting": change.meeting, "delegate": change.delegate}]


def unforbid(doc: Document, change: Unforbid, at: _At) -> None:
    if not _pair_refs(doc, change, at):
        return
    index = _pair_index(doc, "forbidden", change.meeting, change.delegate)
    if index is None:
        at.fail("delegate", change.delegate, "cặp hội nghị – đại biểu này không bị cấm")
        return
    doc["forbidden"] = [p for i, p in enumerate(doc["forbidden"]) if i != index]


def _set_rules(doc: Document, rules: dict[str, Any], at: _At, field: str, value: object) -> None:
    try:
        Rules.model_validate(rules)
    except ValidationError as err:
        at.fail(field, value, f"giá trị không hợp lệ: {pydantic_message(err.errors()[0])}")
        return
    doc["rules"] = rules


def rule_option(doc: Document, change: RuleOption, at: _At) -> None:
    rules = copy.deepcopy(doc.get("rules", {}))
    rules[change.option] = change.value
    if change.option == "own_commune" and change.value not in ("hard", "soft", "off"):
        at.fail("value", change.value, "own_commune chỉ nhận hard, soft hoặc off")
        return
    _set_rules(doc, rules, at, "value", change.value)


def weight(doc: Document, change: Weight, at: _At) -> None:
    rules = copy.deepcopy(doc.get("rules", {}))
    rules["weights"] = {**rules.get("weights", {}), change.term: change.value}
    _set_rules(doc, rules, at, "value", change.value)


APPLIERS: dict[str, Callable[[Document, Any, _At], None]] = {
    "delegate_away": delegate_away,
    "delegate_added": delegate_added,
    "delegate_leaving": delegate_leaving,
    "commune_flag": commune_flag,
    "meeting_moved": meeting_moved,
    "meeting_added": meeting_added,
    "meeting_cancelled": meeting_cancelled,
    "pin": pin,
    "unpin": unpin,
    "forbid": forbid,
    "unforbid": unforbid,
    "rule_option": rule_option,
    "weight": weight,
}


# --- what holds whatever the order of the changes ---------------------------------


def _leave_for_good(doc: Document, changes: list[Change] | tuple[Change, ...]) -> None:
    """Stretches each departure's leave to the last meeting day of the month as it ends up.

    A change after the departure may add or move a meeting beyond what was the last day
    when the departure applied; the delegate has left, so they must not attend it (nor
    be pinned to it). The leave is stretched here, once every change is in, rather than
    written up to a far-off date: it then stays inside the month, so every message that
    quotes it (the solver's "nghỉ 20/04–30/04 (Thôi tham gia)") reads true. Any leave of
    theirs starting on the departure day is stretched: from that day they are gone anyway.
    """
    last = _last_meeting_day(doc)
    if last is None:
        return
    for change in changes:
        if not isinstance(change, DelegateLeaving) or change.from_ is None:
            continue
        person = _find(doc, "delegates", change.delegate)
        for period in person.get("unavailable", []) if person is not None else []:
            if period.get("from") == change.from_.isoformat() and str(period.get("to", "")) < last.isoformat():
                period["to"] = last.isoformat()


# --- pins that a change made impossible ----------------------------------------------


def _broken_pins(doc: Document) -> set[tuple[str, str]]:
    """Pinned pairs whose delegate cannot attend: away that day, or taking no meetings."""
    meetings = {m.get("id"): m for m in doc.get("meetings", [])}
    people = {d.get("id"): d for d in doc.get("delegates", [])}
    broken = set()
    for pair in doc.get("pinned", []):
        meeting, person = meetings.get(pair.get("meeting")), people.get(pair.get("delegate"))
        if meeting is None or person is None:
            continue
        day = str(meeting.get("start", ""))[:10]
        away = any(p.get("from", "") <= day <= p.get("to", "") for p in person.get("unavailable", []))
        if away or person.get("max_per_month", 4) == 0:
            broken.add((pair["meeting"], pair["delegate"]))
    return broken


def _drop_broken_pins(doc: Document, before: set[tuple[str, str]]) -> list[str]:
    """Lifts the pins a change made impossible (the delegate fell ill, the meeting moved to
    a day they are away): keeping them would leave no schedule at all (status infeasible),
    while the planner's intent, this person is away, is clear. Each is reported."""
    broken = _broken_pins(doc) - before
    if not broken:
        return []
    doc["pinned"] = [p for p in doc["pinned"] if (p["meeting"], p["delegate"]) not in broken]
    people = {d["id"]: d.get("name", d["id"]) for d in doc["delegates"]}
    units = {c["id"]: c.get("name", c["id"]) for c in doc["communes"]}
    meetings = {m["id"]: units.get(m["commune"], m["commune"]) for m in doc["meetings"]}
    return [
        f"Bỏ ghim Đ/c {people[d]} dự hội nghị {meetings[m]} ({m}): đại biểu không thể dự sau các thay đổi"
        for m, d in sorted(broken)
    ]
