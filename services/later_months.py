"""Re-plan notices for the months after a month whose schedule changed.

What a month's schedule contributes to later months is history: who attended each
commune (``rotation`` looks back ``rules.rotation_months`` calendar months,
``agency_repeat`` at the commune's previous meeting however far back, ``balance`` at
twelve months of loads). A later month's version was scored on the history it was made
on; when the version of an earlier month in force changes (a first publication, a
re-publication, a publication of a version other than the draft a range solve chained
the later months to), that stored score may no longer be the month's score, and nothing
else says so: :func:`notify_later_months` marks those versions as needing a re-plan, as
a registration (:mod:`models.storage.meetings`) or a flag (:mod:`services.flags`) does.

Which versions: a version of a later month is marked when its history terms
(``rotation``, ``agency_repeat``, ``balance``), scored with the published month's
attendances as they now are, differ from the same scored with that month as the version
was made on, every other month as the version was made on too. A version a range solve
made and nobody edited was made on the solve's drafts of the earlier months
(:func:`services.months.load_rolling_month`); any other version on the versions in force
when it was last scored. Comparing with the stored score instead would blame this month
for a month in between that is still a draft: publishing January exactly as a range
drafted it would mark March, scored on February's draft, until February is published.
A version whose month is again as it was made on loses that month's notice, and a
version already told about this month is not told again.

Which months: the ``rules.rotation_months`` months after the published one (at least
one), not every later month. Scoring each later month exactly costs two scorings of its
instance: measured on SQLite on a shared two-core machine, a 17-commune year costs
≈ 25 ms a publication with the window (≈ 60 ms over eleven months), but a 168-commune,
300-delegate year ≈ 0.9 s over eleven months against ≈ 0.25-0.3 s with the window (three
months, a version in force and a draft each, all scored). The window holds every change
of ``rotation``, and of ``agency_repeat`` for a commune meeting at least that often
(its previous meeting is then inside); what it misses is the twelve-month ``balance`` of
the months further on, and an ``agency_repeat`` of a commune that did not meet for that
long. It is paid only when the month's attendances differ from those the version was
made on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.contract import FIRST_DAY
from models.instance import Attendance, History, Instance, Meeting
from models.io import nfc
from models.storage import config, history
from models.storage.clock import local, month_bounds, month_label
from models.storage.mapping import delegate_items, meeting_item
from models.storage.tables import AssignmentRow, CommuneRow, MeetingRow, PublishedMonthRow, ReplanNoticeRow, ScheduleRow
from services.months import months_between
from solver.score import ScoreFacts, score

#: How a notice of this kind begins (the month and the rest follow).
SCHEDULE_NOTICE = "Lịch phân công tháng "
#: The score terms that read the history: the ones an earlier month's schedule changes.
HISTORY_TERMS = ("rotation", "agency_repeat", "balance")

Record = tuple[dt.date, str, str]
"""(day, commune, delegate): one attendance as the history holds it."""


def attendances_of(session: Session, month: str) -> set[Record]:
    """Who attended which commune on which day in ``month``, as the later months' history
    reads it (the version in force, its reports, and imported history of that month)."""
    first, following = month_bounds(month)
    return {(a.day, a.commune, a.delegate) for a in history.attendances(session, start=first, end=following)}


def reason_for(month: str) -> str:
    """The notice's reason: the month whose schedule changed, and what that does."""
    return (
        f"{SCHEDULE_NOTICE}{month_label(month)} thay đổi sau khi lập bản lịch này nên điểm "
        "(lặp lại địa bàn, trùng cơ quan với kỳ trước, chênh lệch số buổi) đã khác; cần lập lại lịch"
    )


def notify_later_months(
    session: Session, month: str, before: set[Record], before_id: int | None, user_id: int | None
) -> dict[int, str | None]:
    """After ``month``'s version in force changed from ``before_id`` (None: none), whose
    attendances were ``before`` (:func:`attendances_of`, read before the change): the
    re-plan notices of the later months' versions whose score it changed (flushed, not
    committed).

    Returns schedule id → the meeting the added notice names (None: its notice about
    ``month`` was taken back, ``month`` is again as it was made on); versions left as they
    were are absent.
    """
    after = attendances_of(session, month)
    if after == before:  # the same attendances: no later month's history moved
        return {}
    later = _later_versions(session, month, _window(session))
    if not later:
        return {}
    ids = [v.id for versions in later.values() for v in versions]
    made_on = _made_on(session, [v for versions in later.values() for v in versions])
    in_force_then = _in_force_then(session, month, [v for vs in later.values() for v in vs], before, before_id)
    noticed = _noticed(session, ids)
    reason = reason_for(month)
    pairs_of = _pairs(session, ids)
    light: _LightMonths | None = None
    facts: dict[tuple[str, str | None, str], tuple[Instance, ScoreFacts] | None] = {}
    out: dict[int, str | None] = {}
    for later_month, versions in later.items():
        for version in versions:
            drafts = {k: r for k, r in made_on.get(version.id, {}).items() if k < later_month}
            source, assumed = ("job", drafts.pop(month)) if month in drafts else in_force_then[version.id]
            if assumed == after:  # the month is as this version was made on
                if reason in noticed.get(version.id, ()):
                    _take_back(session, version.id, reason)
                    out[version.id] = None
                continue
            if reason in noticed.get(version.id, ()):
                continue  # published again: the version already says so
            if light is None:
                light = _LightMonths(session, list(later))
            job = version.job_id if made_on.get(version.id) else None
            scored = []
            for now in (True, False):
                key = (later_month, job, "now" if now else source)
                if key not in facts:
                    instance = light.instance(later_month, {**drafts, month: after if now else assumed})
                    facts[key] = None if instance is None else (instance, ScoreFacts(instance))
                found = facts[key]
                if found is None:
                    break
                scored.append(_history_terms(score(found[0], pairs_of.get(version.id, []), found[1]).terms))
            if len(scored) < 2 or scored[0] == scored[1]:
                continue  # the change does not reach this version's score
            changed = assumed ^ after
            instance = facts[(later_month, job, "now")][0]  # type: ignore[index]
            meeting = _named_meeting(
                instance, pairs_of.get(version.id, []), {c for _, c, _ in changed}, {d for _, _, d in changed}
            )
            if meeting is None:
                continue
            session.add(ReplanNoticeRow(schedule_id=version.id, meeting_id=meeting, reason=reason, user_id=user_id))
            out[version.id] = meeting
    session.flush()
    return out


def _window(session: Session) -> int:
    """How many months after the published one are looked at (see the module's docstring)."""
    return max(1, config.rules(session).rotation_months)


def _in_force_then(
    session: Session, month: str, versions: Sequence[ScheduleRow], before: set[Record], before_id: int | None
) -> dict[int, tuple[str, set[Record]]]:
    """version id → ``month``'s attendances when the version was last scored (made or
    edited): those of the version of ``month`` then in force (``before`` for ``before_id``,
    read with its reports), or its imported history alone when none was; with a key naming
    that source."""
    published = list(
        session.execute(
            select(ScheduleRow.id, ScheduleRow.published_at)
            .where(ScheduleRow.month == month, ScheduleRow.status == "published")
            .order_by(ScheduleRow.published_at, ScheduleRow.id)
        )
    )
    cache: dict[int | None, set[Record]] = {before_id: before}
    out: dict[int, tuple[str, set[Record]]] = {}
    for version in versions:
        then = next((i for i, at in reversed(published) if at is not None and at <= version.updated_at), None)
        if then not in cache:
            cache[then] = _version_records(session, month, then)
        out[version.id] = (f"in-force:{then}", cache[then])
    return out


def _version_records(session: Session, month: str, schedule_id: int | None) -> set[Record]:
    """The attendances a published version of ``month`` gives its history as planned (its
    imported history alone for None)."""
    first, following = month_bounds(month)
    imported = {
        (a.day, a.commune, a.delegate)
        for a in history.attendances(session, start=first, end=following)
        if a.meeting is None
    }
    if schedule_id is None:
        return imported
    rows = session.execute(
        select(AssignmentRow.starts_at, MeetingRow.commune_id, AssignmentRow.delegate_id)
        .join(MeetingRow, MeetingRow.id == AssignmentRow.meeting_id)
        .where(AssignmentRow.schedule_id == schedule_id)
    )
    return imported | {(local(at).date(), commune, delegate) for at, commune, delegate in rows if at is not None}


def _made_on(session: Session, versions: Sequence[ScheduleRow]) -> dict[int, dict[str, set[Record]]]:
    """version id → the attendances of the earlier months it was scored on, when those were
    drafts of the same range solve (:func:`services.months.load_rolling_month`): a version
    that solve made and nobody edited since (an edit scores it again on the months in
    force). Any other version was scored on the months in force when it was made."""
    unedited = {
        v.id: v.job_id for v in versions if v.job_id is not None and v.revision == (2 if v.status == "published" else 1)
    }
    if not unedited:
        return {}
    rows = session.execute(
        select(
            ScheduleRow.job_id,
            ScheduleRow.month,
            MeetingRow.starts_at,
            MeetingRow.commune_id,
            AssignmentRow.delegate_id,
        )
        .join(AssignmentRow, AssignmentRow.schedule_id == ScheduleRow.id)
        .join(MeetingRow, MeetingRow.id == AssignmentRow.meeting_id)
        .where(ScheduleRow.job_id.in_(set(unedited.values())))
    )
    by_job: dict[str, dict[str, set[Record]]] = {}
    for job_id, month, starts_at, commune, delegate in rows:
        assert job_id is not None  # selected by it
        by_job.setdefault(job_id, {}).setdefault(month, set()).add((local(starts_at).date(), commune, delegate))
    return {version: by_job.get(job, {}) for version, job in unedited.items()}


class _LightMonths:
    """The later months' instances reduced to what the history terms read, built at once.

    ``rotation``, ``agency_repeat`` and ``balance`` read the delegates (tier, agency,
    ``max_per_month``, leave), the month's meetings (commune, day), the history's
    attendances and the rules, nothing else: an instance of those, spelt as
    :func:`models.storage.mapping.month_document` spells them, gives those terms exactly
    as the month's full instance does. Building the full instance of each later month
    (roads, places, flags, pins, the reference, the JSON Schema check) was measured at
    0.25-0.4 s a month for 168 communes, several seconds a publication; this is one
    directory and one history read for all the months.
    """

    def __init__(self, session: Session, months: Sequence[str]) -> None:
        rows = session.scalars(
            select(MeetingRow)
            .where(MeetingRow.month.in_(list(months)), MeetingRow.cancelled_at.is_(None))
            .order_by(MeetingRow.starts_at, MeetingRow.id)
        )
        month_of: dict[str, str] = {}
        items: list[dict[str, Any]] = []
        for row in rows:
            month_of[row.id] = row.month
            items.append(meeting_item(row, None))
        document: dict[str, Any] = {
            "communes": [{"id": c.id, "name": c.name} for c in session.scalars(select(CommuneRow))],
            "delegates": delegate_items(session),
            "meetings": items,  # validated at once, then given to their months
        }
        if config.rules_were_set(session):
            document["rules"] = config.rules(session).model_dump(mode="json")
        self.base: Instance | None = None
        self.meetings: dict[str, tuple[Meeting, ...]] = {}
        try:
            self.base = Instance.model_validate(nfc(document))
            for meeting in self.base.meetings:
                self.meetings[month_of[meeting.id]] = (*self.meetings.get(month_of[meeting.id], ()), meeting)
        except ValidationError:  # stored data no instance can hold: the month's re-plan will say so
            self.base = None
        last, _ = month_bounds(max(months))
        self.history: dict[str, set[Record]] = {}
        """month → its attendances, as the month's document reads them."""
        for a in history.attendances(session, end=last):
            if a.day >= FIRST_DAY:
                self.history.setdefault(f"{a.day:%Y-%m}", set()).add((a.day, a.commune, a.delegate))
        self._made: dict[Record, Attendance] = {}
        self._make([r for records in self.history.values() for r in records])

    def _attendance(self, record: Record) -> Attendance:
        """The record as the instance holds it, made once for every month that reads it."""
        made = self._made.get(record)
        if made is None:
            self._make([record])
            made = self._made[record]
        return made

    def _make(self, records: Sequence[Record]) -> None:
        # One validation of them all: pydantic builds a list far faster than item by item.
        items = [{"date": day, "commune": commune, "delegate": delegate} for day, commune, delegate in records]
        made = History.model_validate({"attendances": nfc(items)}).attendances
        self._made.update(zip(records, made, strict=True))

    def instance(self, month: str, replaced: Mapping[str, set[Record]]) -> Instance | None:
        """The month's light instance, with the attendances of the ``replaced`` months
        (month → attendances) instead of those the history holds for them."""
        if self.base is None:
            return None
        first, _ = month_bounds(month)
        rows: set[Record] = set()
        for earlier, records in [*self.history.items(), *replaced.items()]:
            if earlier < month and (earlier not in replaced or records is replaced[earlier]):
                rows |= records
        attendances = tuple(self._attendance(r) for r in sorted(r for r in rows if r[0] < first))
        return self.base.model_copy(
            update={"meetings": self.meetings.get(month, ()), "history": History(attendances=attendances)}
        )


def _later_versions(session: Session, month: str, window: int) -> dict[str, list[ScheduleRow]]:
    """The ``window`` months after ``month`` with their versions that say whether the month
    needs a re-plan (:func:`services.months.replan_notices` and the schedule page read
    these): the version in force and every draft; an older published version is history."""
    first, _ = month_bounds(month)
    last = dt.date(first.year + (first.month - 1 + window) // 12, (first.month - 1 + window) % 12 + 1, 1)
    months = months_between(month, last.strftime("%Y-%m"))[1:]
    in_force = select(PublishedMonthRow.schedule_id).where(PublishedMonthRow.month.in_(months))
    rows = session.scalars(
        select(ScheduleRow)
        .where(ScheduleRow.month.in_(months), (ScheduleRow.status == "draft") | ScheduleRow.id.in_(in_force))
        .order_by(ScheduleRow.month, ScheduleRow.version)
    )
    out: dict[str, list[ScheduleRow]] = {}
    for row in rows:
        if _stored(row.terms) is not None:  # a version kept without its terms has no score to go stale
            out.setdefault(row.month, []).append(row)
    return out


def _stored(terms: Mapping[str, Any]) -> tuple[int, ...] | None:
    if not all(t in terms for t in HISTORY_TERMS):
        return None
    return tuple(int(terms[t]) for t in HISTORY_TERMS)


def _history_terms(terms: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(int(terms.get(t, 0)) for t in HISTORY_TERMS)


def _named_meeting(
    instance: Instance, pairs: Sequence[tuple[str, str]], communes: set[str], delegates: set[str]
) -> str | None:
    """The meeting the notice names: the first of the version at a commune whose attendances
    changed, else the first sending a delegate whose did (``balance``), else the month's first."""
    order = {m.id: (m.start, m.id) for m in instance.meetings}
    held = sorted({m for m, _ in pairs if m in order}, key=order.__getitem__)
    for meeting in held:
        if instance.meeting(meeting).commune in communes:
            return meeting
    for meeting in held:
        if any(d in delegates for m, d in pairs if m == meeting):
            return meeting
    return held[0] if held else (instance.meetings[0].id if instance.meetings else None)


def _pairs(session: Session, schedule_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """schedule id → its (meeting, delegate) pairs, in one read for every version."""
    out: dict[int, list[tuple[str, str]]] = {}
    rows = session.execute(
        select(AssignmentRow.schedule_id, AssignmentRow.meeting_id, AssignmentRow.delegate_id)
        .where(AssignmentRow.schedule_id.in_(schedule_ids))
        .order_by(AssignmentRow.schedule_id, AssignmentRow.meeting_id, AssignmentRow.delegate_id)
    )
    for schedule_id, meeting_id, delegate_id in rows:
        out.setdefault(schedule_id, []).append((meeting_id, delegate_id))
    return out


def _noticed(session: Session, schedule_ids: list[int]) -> dict[int, set[str]]:
    """schedule id → the reasons of its notices of this kind."""
    out: dict[int, set[str]] = {}
    rows = session.execute(
        select(ReplanNoticeRow.schedule_id, ReplanNoticeRow.reason).where(
            ReplanNoticeRow.schedule_id.in_(schedule_ids), ReplanNoticeRow.reason.startswith(SCHEDULE_NOTICE)
        )
    )
    for schedule_id, reason in rows:
        out.setdefault(schedule_id, set()).add(reason)
    return out


def _take_back(session: Session, schedule_id: int, reason: str) -> None:
    """Delete the version's notice ``reason``: the month it names is as the version was made on."""
    session.execute(
        delete(ReplanNoticeRow)
        .where(ReplanNoticeRow.schedule_id == schedule_id, ReplanNoticeRow.reason == reason)
        .execution_options(synchronize_session=False)
    )
