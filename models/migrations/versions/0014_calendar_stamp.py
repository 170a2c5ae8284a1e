"""A number that every change to what a delegate's calendar shows raises: the web
processes keep the calendars they built (``api/calendars.py``) and know, with one read
of this row, whether each is still what the database holds.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 19:00:00.000000

The number is raised by triggers, not by the code that writes: a write from any path (the
API, the pages, the CLI, an import, a cascade, a hand-made SQL fix) cannot forget it.
Calendars show published versions only, so on ``schedules`` and ``assignments`` only a
write touching a published version raises it: the drafts every solve and every edit
write leave the kept calendars alone. On PostgreSQL the triggers fire once per statement
(the assignments' look at the statement's rows through transition tables); SQLite has
only row triggers, so there one per row (microseconds each). Readers never wait on the
row (PostgreSQL readers see its last committed value); writers that raise it queue on it
until they commit.

The tables are those the calendar's statements read (``models/storage/calendar.py``;
``tests/api/test_calendar_stamp.py`` checks that each has its triggers), frozen here as a
migration's list must be.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Every write to these raises the stamp.
ANY_WRITE = ("published_months", "meetings", "teams", "change_requests", "delegates", "communes", "config")
#: A write to these raises it when it touches a published version.
PUBLISHED_ONLY = ("schedules", "assignments")
SOURCES = ANY_WRITE + PUBLISHED_ONLY
_BUMP = "UPDATE calendar_stamp SET generation = generation + 1 WHERE id = 1"
_EVENTS = ("INSERT", "UPDATE", "DELETE")

# PostgreSQL: (event, REFERENCING clause, the condition on the statement's rows).
_PG_PUBLISHED = {
    "schedules": "SELECT 1 FROM {rows} WHERE status = 'published'",
    "assignments": "SELECT 1 FROM {rows} r JOIN schedules s ON s.id = r.schedule_id WHERE s.status = 'published'",
}
# SQLite: the WHEN of each row trigger.
_SQLITE_PUBLISHED = {
    "schedules": {
        "INSERT": "NEW.status = 'published'",
        "UPDATE": "OLD.status = 'published' OR NEW.status = 'published'",
        "DELETE": "OLD.status = 'published'",
    },
    "assignments": {
        "INSERT": "EXISTS (SELECT 1 FROM schedules WHERE id = NEW.schedule_id AND status = 'published')",
        "UPDATE": "EXISTS (SELECT 1 FROM schedules WHERE id IN (OLD.schedule_id, NEW.schedule_id) "
        "AND status = 'published')",
        "DELETE": "EXISTS (SELECT 1 FROM schedules WHERE id = OLD.schedule_id AND status = 'published')",
    },
}


def upgrade() -> None:
    op.create_table(
        "calendar_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_stamp")),
    )
    op.execute("INSERT INTO calendar_stamp (id, generation) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def _postgresql() -> None:
    op.execute(
        "CREATE FUNCTION phancong_calendar_bump() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {_BUMP}; RETURN NULL; END $$"
    )
    for table in ANY_WRITE:
        op.execute(
            f"CREATE TRIGGER calendar_stamp_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION phancong_calendar_bump()"
        )
    for table, condition in _PG_PUBLISHED.items():
        # A trigger with transition tables fires on one event only: one per event.
        for event, rows in (("INSERT", ("new",)), ("UPDATE", ("old", "new")), ("DELETE", ("old",))):
            referencing = " ".join(f"{r.upper()} TABLE AS {r}_rows" for r in rows)
            test = " OR ".join(f"EXISTS ({condition.format(rows=f'{r}_rows')})" for r in rows)
            name = f"calendar_stamp_{table}_{event.lower()}"
            op.execute(
                f"CREATE FUNCTION phancong_{name}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN IF {test} THEN {_BUMP}; END IF; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION phancong_{name}()"
            )
        op.execute(
            f"CREATE TRIGGER calendar_stamp_{table}_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION phancong_calendar_bump()"
        )


def _sqlite() -> None:
    for table in SOURCES:
        for event in _EVENTS:
            when = _SQLITE_PUBLISHED.get(table, {}).get(event)
            condition = f" WHEN {when}" if when else ""
            name = f"calendar_stamp_{table}_{event.lower()}"
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table}{condition} BEGIN {_BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ANY_WRITE:
            op.execute(f"DROP TRIGGER IF EXISTS calendar_stamp_{table} ON {table}")
        for table in PUBLISHED_ONLY:
            for event in (*_EVENTS, "TRUNCATE"):
                name = f"calendar_stamp_{table}_{event.lower()}"
                op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                if event != "TRUNCATE":
                    op.execute(f"DROP FUNCTION IF EXISTS phancong_{name}()")
        op.execute("DROP FUNCTION IF EXISTS phancong_calendar_bump()")
    else:
        for table in SOURCES:
            for event in _EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS calendar_stamp_{table}_{event.lower()}")
    op.drop_table("calendar_stamp")
