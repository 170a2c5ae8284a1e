"""The calendar stamp (migration 0014): a number the database raises on every write to
a table a delegate's calendar is read from. Read beside the account or the feed token a
calendar request checks anyway, so knowing whether a kept calendar is current costs no
round trip of its own."""

from __future__ import annotations

from sqlalchemy import select

from models.storage.tables import CalendarStampRow

_S = CalendarStampRow.__table__.c

#: A column to add to a statement; None only if the stamp's row is missing (then nothing
#: built may be kept: no trigger would say when it went stale).
GENERATION = select(_S.generation).where(_S.id == 1).scalar_subquery().label("generation")
