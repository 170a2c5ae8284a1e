"""Re-planning with minimal change, and the list of what changed and why.

After a notice is published, facts change: someone falls ill, a commune moves its date,
a commune is flagged. The new month keeps the published schedule as its ``reference``
(RULES.md's ``changes`` term), so the solver keeps as much of it as the weights allow;
with ``changes_first`` it keeps as much as possible at all, then finds the best score
with that many changes (``solver.solve(priority=("changes",))``). When the solver proves
its schedule optimal, the number of changes is proved minimal for that objective.

:func:`diff` then lists exactly the meetings whose delegates differ, each with the reason
in Vietnamese, e.g. "Đ/c X nghỉ ốm 12–14/3 → thay bằng Đ/c Y".
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from models.instance import Instance, Meeting
from models.labels import FLAG_LABELS, TIER_LABELS
from scenarios.changes import (
    Change,
    CommuneFlag,
    DelegateAway,
    DelegateLeaving,
    Forbid,
    MeetingAdded,
    MeetingCancelled,
    MeetingMoved,
    Pin,
)
from scenarios.scenario import Mode
from scenarios.wording import Names, day, day_range, lower_first, when
from solver import Result, score, solve
from solver.backends import ProgressCallback

Pairs = list[tuple[str, str]]
C = TypeVar("C")


@dataclass(frozen=True)
class MeetingChange:
    """One meeting whose delegates differ between two schedules."""

    meeting: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    reason: str
    """Why, in Vietnamese, ending with what was done ("→ thay bằng Đ/c Y")."""

    @property
    def seats(self) -> int:
        """Seats whose occupant changed: a replacement counts once, as does a seat added or dropped."""
        gone = len(set(self.before) - set(self.after))
        came = len(set(self.after) - set(self.before))
        return max(gone, came)


def resolve(
    instance: Instance,
    published: Pairs | None,
    mode: Mode,
    *,
    time_limit: float,
    workers: int | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> Result:
    """Solves a changed month; ``instance.reference`` (set by the caller unless ``mode`` is
    fresh) is the schedule to keep, and ``published`` the start the solver is given."""
    hint = repair_hint(instance, published) if published is not None else None
    return solve(
        instance,
        time_limit=time_limit,
        workers=workers,
        hint=hint,
        on_progress=on_progress,
        stop=stop,
        priority=("changes",) if mode == "changes_first" else (),
    )


def changes_proved(result: Result, mode: Mode) -> bool:
    """Whether ``result``'s number of changes is proved the least possible for ``mode``.

    ``changes_first`` (and robustness, which solves the same way) minimises empty seats,
    then changes, each phase under a cap (``solver.facade._Capped.cap`` records each in
    ``details.phases[term]`` with whether it was proved); the count is proved minimal when both
    phases are, whatever the final score's proof. ``weighted`` minimises the whole score,
    so the count is minimal for the weights when the score reaches the proved bound (and
    the fewest empty seats, if they were searched for apart, are proved too). A schedule
    with empty seats has status ``partial`` however well it is proved, hence not the status.
    """
    if result.report is None or mode == "fresh":
        return False
    if result.status == "optimal":
        return True
    if mode == "changes_first":
        return all(_phase_proved(result, term) for term in ("unfilled", "changes"))
    if _phase_proved(result, "unfilled") is False:
        return False
    return result.bound is not None and result.bound >= result.report.total


def _phase_proved(result: Result, term: str) -> bool | None:
    """Whether the solver proved the lexicographic phase on ``term``; None when it ran none."""
    phase = result.details.phases.get(term)
    return None if phase is None else phase.proved


def repair_hint(instance: Instance, pairs: Iterable[tuple[str, str]]) -> Pairs:
    """The published schedule minus what the changes made impossible, plus the pins.

    The solver refuses a start that breaks a hard rule (and then starts from a greedy
    schedule), so pairs that now break H3–H7 are dropped, one rule at a time, until the
    independent scorer finds none; the seats they leave are empty, which is allowed.
    """
    keep = [(m, d) for m, d in pairs if m in instance.meetings_by_id and d in instance.delegates_by_id]
    pinned = {(p.meeting, p.delegate) for p in instance.pinned}
    keep = list(dict.fromkeys([*keep, *sorted(pinned)]))
    for _ in range(len(keep) + 1):
        violations = score(instance, keep).violations
        if not violations:
            break
        drop: set[tuple[str, str]] = set()
        for v in violations:
            if v.meeting is not None and v.delegate is not None and (v.meeting, v.delegate) not in pinned:
                drop.add((v.meeting, v.delegate))
            elif v.rule == "H1" and v.meeting is not None:  # too many delegates: drop one
                drop.update([p for p in keep if p[0] == v.meeting and p not in pinned][:1])
            elif v.rule == "H5" and v.delegate is not None:  # over capacity: drop the latest
                theirs = [p for p in keep if p[1] == v.delegate and p not in pinned]
                drop.update(sorted(theirs, key=lambda p: instance.meeting(p[0]).start)[-1:])
        if not drop:
            break  # only pins are left to blame; the solver reports that itself
        keep = [p for p in keep if p not in drop]
    return keep


# --- the list of changes ------------------------------------------------------------------


def diff(
    before: Instance,
    after: Instance,
    old: Sequence[tuple[str, str]],
    new: Sequence[tuple[str, str]],
    changes: Sequence[Change] = (),
    gaps: dict[str, str] | None = None,
) -> list[MeetingChange]:
    """Every meeting whose delegates differ from ``old`` to ``new``, in date order.

    ``changes`` are the scenario's changes (their reasons are quoted); ``gaps`` maps a
    meeting left short of delegates to the solver's explanation.
    """
    return _Explainer(before, after, old, new, changes, gaps or {}).run()


class _Explainer:
    def __init__(
        self,
        before: Instance,
        after: Instance,
        old: Sequence[tuple[str, str]],
        new: Sequence[tuple[str, str]],
        changes: Sequence[Change],
        gaps: dict[str, str],
    ) -> None:
        self.before, self.after = before, after
        self.names = Names(after, before)
        self.changes = changes
        self.gaps = gaps
        self.old: dict[str, list[str]] = defaultdict(list)
        self.new: dict[str, list[str]] = defaultdict(list)
        for m, d in old:
            self.old[m].append(d)
        for m, d in new:
            self.new[m].append(d)

    def run(self) -> list[MeetingChange]:
        out = []
        for meeting_id in self._meetings():
            before, after = tuple(self.old.get(meeting_id, ())), tuple(self.new.get(meeting_id, ()))
            if set(before) == set(after):
                continue
            out.append(MeetingChange(meeting_id, before, after, self._reason(meeting_id, before, after)))
        return out

    def _meetings(self) -> list[str]:
        def start(meeting_id: str) -> tuple[object, str]:
            meeting = self.after.meetings_by_id.get(meeting_id) or self.before.meetings_by_id.get(meeting_id)
            return (meeting.start if meeting is not None else None, meeting_id)

        ids = set(self.old) | set(self.new)
        return sorted(ids, key=start)

    # -- reasons ---------------------------------------------------------------------

    def _reason(self, meeting_id: str, before: tuple[str, ...], after: tuple[str, ...]) -> str:
        meeting = self.after.meetings_by_id.get(meeting_id)
        if meeting is None:
            cancelled = self._first(MeetingCancelled, meeting=meeting_id)
            why = f" ({lower_first(cancelled.reason)})" if cancelled is not None and cancelled.reason else ""
            return f"Hội nghị bị hủy{why} → bỏ phân công {self.names.delegates(before)}"
        if meeting_id not in self.before.meetings_by_id:
            added = next((c for c in self.changes if isinstance(c, MeetingAdded) and c.meeting.id == meeting_id), None)
            why = f" ({lower_first(added.reason)})" if added is not None and added.reason else ""
            return f"Hội nghị mới{why} → cử {self.names.delegates(after)}"
        gone = [d for d in before if d not in after]
        came = [d for d in after if d not in before]
        causes = [self._why_gone(meeting, d) for d in gone]
        if not gone:
            causes.append(self._why_more(meeting))
        causes.extend(self._why_chosen(meeting, d) for d in came)
        text = "; ".join(dict.fromkeys(c for c in causes if c))
        if came and gone:
            return f"{text} → thay bằng {self.names.delegates(came)}"
        if came:
            return f"{text} → thêm {self.names.delegates(came)}"
        if meeting_id in self.gaps:
            return f"{text} → chưa có người thay: {self.gaps[meeting_id]}"
        return f"{text} → bớt {self.names.delegates(gone)}"

    def _why_gone(self, meeting: Meeting, delegate_id: str) -> str:
        """Why ``delegate_id`` no longer attends ``meeting`` (the first cause that applies)."""
        who = self.names.delegate(delegate_id)
        for change in self.changes:
            if (
                isinstance(change, DelegateLeaving)
                and change.delegate == delegate_id
                and (change.from_ is None or change.from_ <= meeting.day)
            ):
                since = f" từ {day(change.from_)}" if change.from_ else ""
                return f"{who} thôi tham gia{since}{_paren(change.reason)}"
            if (
                isinstance(change, DelegateAway)
                and change.delegate == delegate_id
                and change.from_ <= meeting.day <= change.to
            ):
                what = lower_first(change.reason) if change.reason else "vắng"
                return f"{who} {what} {day_range(change.from_, change.to)}"
            if isinstance(change, Forbid) and (change.meeting, change.delegate) == (meeting.id, delegate_id):
                return f"Không cử {who} dự hội nghị này{_paren(change.reason)}"
        moved = self._first(MeetingMoved, meeting=meeting.id)
        person = self.after.delegates_by_id.get(delegate_id)
        if moved is not None:
            old = self.before.meeting(meeting.id)
            text = f"Hội nghị dời từ {when(old)} sang {when(meeting)}{_paren(moved.reason)}"
            period = person.away_on(meeting.day) if person is not None else None
            if period is not None:
                text += f", {who} vắng ngày đó{_paren(period.reason)}"
            return text
        flag = self._flag(meeting)
        if flag:
            return flag
        if person is not None:
            period = person.away_on(meeting.day)
            if period is not None:
                what = lower_first(period.reason) if period.reason else "vắng"
                return f"{who} {what} {day_range(period.from_, period.to)}"
        elsewhere = [m for m, ds in self.new.items() if delegate_id in ds and delegate_id not in self.old.get(m, [])]
        if elsewhere:
            places = ", ".join(self.names.meeting(m) for m in sorted(elsewhere))
            return f"{who} chuyển sang dự {places}"
        return f"Sắp xếp lại để giữ lịch hợp lệ và cân đối (bỏ {who})"

    def _why_more(self, meeting: Meeting) -> str:
        """Why a meeting gets a delegate more (or its first)."""
        flag = self._flag(meeting)
        if flag:
            return flag
        if not self.old.get(meeting.id):
            return "Trước đây còn trống"
        return "Thêm chỗ"

    def _why_chosen(self, meeting: Meeting, delegate_id: str) -> str:
        pin = self._first(Pin, meeting=meeting.id, delegate=delegate_id)
        if pin is not None:
            return f"Thường trực chỉ định {self.names.delegate(delegate_id)}{_paren(pin.reason)}"
        return ""

    def _flag(self, meeting: Meeting) -> str:
        """The flag change of the meeting's commune, with what it now requires."""
        change = self._first(CommuneFlag, commune=meeting.commune)
        if change is None:
            return ""
        needs = []
        seats = self.after.required(meeting)
        if seats != self.before.required(self.before.meeting(meeting.id)):
            needs.append(f"{seats} đại biểu")
        tier = self.after.senior_tier(meeting)
        if tier is not None:
            needs.append(f"đại biểu từ cấp {lower_first(TIER_LABELS[tier])} trở lên")
        need = f", cần {' và '.join(needs)}" if needs else ""
        label = lower_first(FLAG_LABELS[change.flag])
        return f"{self.names.commune(meeting.commune)} chuyển sang mức “{label}”{_paren(change.reason)}{need}"

    def _first(self, kind: type[C], **fields: str) -> C | None:
        """The scenario's first change of ``kind`` whose fields have these values."""
        for change in self.changes:
            if isinstance(change, kind) and all(getattr(change, k) == v for k, v in fields.items()):
                return change
        return None


def _paren(reason: str | None) -> str:
    return f" ({lower_first(reason)})" if reason else ""
