"""First start: load the Lào Cai sample into an empty database and give the built-in
planner the sign-in name ``admin`` with a random password; every start: one more token
for that account, printed so that the operator can sign in.

A start never revokes the tokens printed by earlier starts: several web processes, on
several machines, share one database (docs/deploy.md), and starting one of them (or a
start that then fails, its port taken) must not sign out the API clients of the others.
Revoking is what ``phancong user token`` and ``POST /me/token`` are for."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models.storage import audit, importer, users
from models.storage.db import Database
from models.storage.tables import CommuneRow, UserRow
from services import accounts

SAMPLE = Path(__file__).resolve().parent.parent / "scenarios" / "data" / "laocai-2024-03.instance.json"
ADMIN_NAME = "Quản trị hệ thống"


@dataclass(frozen=True)
class Seeded:
    token: str
    loaded_sample: bool
    password: str | None = None
    """The new password of the sign-in name ``admin``, when this start created it."""


def is_empty(session: Session) -> bool:
    return not session.scalar(select(exists().where(CommuneRow.id.is_not(None))))


def prepare(database: Database, load_sample: bool = True, sample: Path = SAMPLE) -> Seeded:
    """Load the sample when the database is empty; issue and return a new token of the
    admin (the earlier ones stay valid)."""
    with database.transaction() as session:
        loaded = False
        if load_sample and is_empty(session):
            importer.import_document(session, json.loads(sample.read_text(encoding="utf-8")))
            loaded = True
        admin = session.scalar(select(UserRow).where(UserRow.name == ADMIN_NAME, UserRow.role == "planner"))
        if admin is None:
            admin, token = users.create_user(session, ADMIN_NAME, "planner")
        else:
            admin.active = True
            token = users.issue_token(session, admin)
        admin_id = admin.id
        audit.record(session, admin, "server.start", "user", admin.id, {"sample": loaded})
    with database.writer() as session:
        # The pages' first sign-in: the built-in planner becomes ``admin`` with a random
        # password, once (later starts leave an existing ``admin`` as it is).
        admin = session.get(UserRow, admin_id)
        password = accounts.ensure_admin(session, admin) if admin is not None else None
    return Seeded(token, loaded, password)
