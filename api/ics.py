"""iCalendar (RFC 5545) feed of a delegate's published assignments, with ``icalendar``.

What a subscribing phone relies on: a stable UID per assignment (meeting and delegate),
SEQUENCE raised whenever the event changed at a republication, DTSTAMP in UTC, no METHOD
(a feed is not an iTIP message), times in Asia/Ho_Chi_Minh with its VTIMEZONE, and
Vietnamese text. An assignment dropped from the schedule in force stays in the feed as
STATUS:CANCELLED with a higher SEQUENCE (so that phones remove it); a meeting with a
change request waiting shows "đang chờ Ban duyệt" in its description.

Around the frozen event, read at each request: the fellow delegates of the meeting in
the description, GEO from the commune's coordinates when it has them, LOCATION as an
address (the commune's frozen name with its kind, its district, the Board's province:
many communes share a name), and a VALARM one day before (``alarm=False`` when the
subscription URL says ``?nhac=0``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache, lru_cache

from icalendar import Alarm, Calendar, Event, Timezone

from models.instance import DEFAULT_TIMEZONE
from models.storage.calendar import Around
from models.storage.calendar import Event as Assignment
from models.storage.clock import LOCAL

PRODID = "-//Ban Tuyen giao//phancong//VI"
PENDING = "đang chờ Ban duyệt"
#: How long before the meeting the phone reminds: the day before leaves time to travel.
REMINDER = dt.timedelta(days=1)


@cache
def _vtimezone() -> Timezone:
    # Vietnam has had no offset change since 1975: one STANDARD block covers these years.
    return Timezone.from_tzid(DEFAULT_TIMEZONE, first_date=dt.date(2000, 1, 1), last_date=dt.date(2100, 1, 1))


END = b"END:VCALENDAR\r\n"


def feed(delegate_name: str, events: Iterable[Assignment], near: Around | None = None, alarm: bool = True) -> bytes:
    """The whole feed. Its parts are rendered by ``icalendar`` and kept: the calendar's
    head depends only on the name, and a published event never changes (a change is a
    new publication, hence a different row with another SEQUENCE or stamp) — its cache
    key also holds what is read around it (fellows, coordinates, the reminder)."""
    near = near or Around({}, {}, None)
    return (
        _head(delegate_name)
        + b"".join(
            _event(e, near.fellows.get(e.meeting_id, ()), near.geo.get(e.commune_id), alarm, near.location(e))
            for e in events
        )
        + END
    )


@lru_cache(maxsize=4096)
def _head(delegate_name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Lịch dự hội nghị tuyên vận — {delegate_name}")
    calendar.add("x-wr-timezone", DEFAULT_TIMEZONE)
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(_vtimezone())
    rendered = calendar.to_ical()
    assert rendered.endswith(END)
    return rendered[: -len(END)]


@lru_cache(maxsize=65536)
def _event(
    item: Assignment,
    fellows: tuple[str, ...] = (),
    geo: tuple[float, float] | None = None,
    alarm: bool = True,
    location: str | None = None,
) -> bytes:
    live = item.status != "CANCELLED"
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", item.stamped_at.astimezone(dt.UTC))
    event.add("last-modified", item.stamped_at.astimezone(dt.UTC))
    event.add("dtstart", item.starts_at.astimezone(LOCAL))
    event.add("dtend", item.ends_at.astimezone(LOCAL))
    event.add("summary", item.summary)
    # icalendar escapes the commas of the address (RFC 5545 TEXT: "\,").
    event.add("location", location or item.location)
    if geo is not None:
        event.add("geo", geo)
    description = item.description
    if live and fellows:
        description = f"{description}\nCùng dự: {', '.join(fellows)}."
    if item.pending:
        description = f"[{PENDING}: có yêu cầu thay đổi, lịch này vẫn giữ như đã công bố]\n{description}"
    event.add("description", description)
    event.add("status", item.status)
    event.add("transp", "OPAQUE")
    event.add("class", "PRIVATE")
    if live and alarm:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", f"Ngày mai: {item.summary}")
        reminder.add("trigger", -REMINDER)
        event.add_component(reminder)
    return event.to_ical()
