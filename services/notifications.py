"""Notifications on publication: who is told what, written to the outbox in the
publication's own transaction (so a publish never commits without its messages, nor the
messages without the publish); :mod:`api.deliveries` delivers them through the job queue.

On a first publication each assigned delegate is told their meetings and each commune
its meeting with the delegates coming; on a changed version only those affected: a
delegate of their new, moved or cancelled meetings, a commune of its meeting moved,
cancelled or with other delegates. One message per person and channel they chose
(``email``, ``zalo``, ``webhook``) with the address it needs; its ``message_id`` is
``<schedule>-<person>-<channel>``, the idempotency key of its delivery.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.storage.clock import local, month_label
from models.storage.tables import CommuneRow, DelegateRow, OutboxRow, ScheduleRow
from models.storage.types import utcnow
from services.amendments import MeetingChange, changes


@dataclass(frozen=True)
class Recipient:
    kind: str
    id: str
    name: str
    email: str | None
    zalo_user_id: str | None
    channels: tuple[str, ...]


def _when(change: MeetingChange, after: bool = True) -> str:
    moment = change.after_start if after else change.before_start
    return "" if moment is None else local(moment).strftime("%Hh%M ngày %d/%m/%Y")


def _delegate_lines(delegate_id: str, found: Sequence[MeetingChange], first: bool) -> list[str]:
    lines = []
    for c in found:
        was, now = delegate_id in c.before_delegates, delegate_id in c.after_delegates
        where = f"hội nghị tuyên vận {c.commune_name}"
        if now and (not was or first):
            lines.append(f"• Mới: dự {where} lúc {_when(c)}.")
        elif now and c.change == "moved":
            lines.append(f"• Dời lịch: {where} chuyển từ {_when(c, False)} sang {_when(c)}.")
        elif was and not now:
            lines.append(f"• Hủy: đồng chí không dự {where} lúc {_when(c, False)} nữa.")
    return lines


def _commune_lines(commune_id: str, found: Sequence[MeetingChange], names: dict[str, str]) -> list[str]:
    lines = []
    for c in found:
        if c.commune != commune_id:
            continue
        people = ", ".join(names.get(d, d) for d in c.after_delegates) or "chưa có"
        if c.change == "cancelled":
            lines.append(f"• Hội nghị lúc {_when(c, False)} đã hủy theo lịch mới.")
        elif c.change == "moved":
            lines.append(f"• Hội nghị dời từ {_when(c, False)} sang {_when(c)}; đại biểu dự: {people}.")
        else:
            lines.append(f"• Hội nghị lúc {_when(c)}; đại biểu dự: {people}.")
    return lines


def compose(session: Session, schedule: ScheduleRow, webhook: bool) -> list[OutboxRow]:
    """The messages of the publication of ``schedule`` (added to ``session``, not committed).

    ``webhook``: a webhook is configured, so the channel can be honoured.
    """
    found = changes(session, schedule)
    if not found:
        return []
    first = schedule.base_id is None
    delegates = {d.id: d for d in session.scalars(select(DelegateRow))}
    communes = {c.id: c for c in session.scalars(select(CommuneRow))}
    names = {d.id: d.name for d in delegates.values()}
    period = month_label(schedule.month)
    title = "Lịch phân công" if first else "Điều chỉnh lịch phân công"
    subject = f"{title} dự hội nghị tuyên vận tháng {period}"
    texts: dict[Recipient, list[str]] = defaultdict(list)
    touched = sorted({d for c in found for d in (*c.before_delegates, *c.after_delegates)})
    for delegate_id in touched:
        row = delegates.get(delegate_id)
        if row is None:
            continue
        lines = _delegate_lines(delegate_id, found, first)
        if lines:
            person = Recipient("delegate", row.id, row.name, row.email, row.zalo_user_id, tuple(row.channels or ()))
            texts[person] = [f"Kính gửi đồng chí {row.name},", f"{subject} (bản số {schedule.version}):", *lines]
    for commune_id in sorted({c.commune for c in found}):
        commune = communes.get(commune_id)
        if commune is None:
            continue
        lines = _commune_lines(commune_id, found, names)
        if lines:
            person = Recipient(
                "commune", commune.id, commune.name, commune.email, commune.zalo_user_id, tuple(commune.channels or ())
            )
            texts[person] = [f"Kính gửi {commune.name},", f"{subject} (bản số {schedule.version}):", *lines]
    now = utcnow()
    rows: list[OutboxRow] = []
    for person, lines in texts.items():
        body = "\n".join([*lines, "", "Ban Tuyên giáo"])
        for channel in person.channels:
            address = {"email": person.email, "zalo": person.zalo_user_id, "webhook": "webhook" if webhook else None}
            target = address.get(channel)
            if not target:
                continue  # a channel without its address cannot be used (the contact form refuses it)
            message = OutboxRow(
                message_id=f"s{schedule.id}-{person.kind}-{person.id}-{channel}"[:64],
                schedule_id=schedule.id,
                recipient_kind=person.kind,
                recipient_id=person.id,
                recipient_name=person.name,
                channel=channel,
                address=target,
                subject=subject,
                body=body,
                payload={
                    "month": schedule.month,
                    "version": schedule.version,
                    "meetings": [c.meeting for c in found if _concerns(c, person)],
                },
                state="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            session.add(message)
            rows.append(message)
    session.flush()
    return rows


def _concerns(change: MeetingChange, person: Recipient) -> bool:
    if person.kind == "commune":
        return change.commune == person.id
    return person.id in change.before_delegates or person.id in change.after_delegates


def listing(session: Session, state: str | None = None) -> list[OutboxRow]:
    """The outbox, newest first (planners' view of what was sent and what failed)."""
    query = select(OutboxRow).order_by(OutboxRow.id.desc())
    if state is not None:
        query = query.where(OutboxRow.state == state)
    return list(session.scalars(query))
