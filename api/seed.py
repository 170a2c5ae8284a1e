"""First start: load the Lào Cai sample into an empty database; every start: a fresh
token for the built-in planner account, printed so that the operator can log in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models.storage import audit, importer, users
from models.storage.db import Database
from models.storage.tables import CommuneRow, UserRow

SAMPLE = Path(__file__).resolve().parent.parent / "scenarios" / "data" / "laocai-2024-03.instance.json"
ADMIN_NAME = "Quản trị hệ thống"


@dataclass(frozen=True)
class Prepared:
    token: str
    loaded_sample: bool


def is_empty(session: Session) -> bool:
    return not session.scalar(select(exists().where(CommuneRow.id.is_not(None))))


def prepare(database: Database, load_sample: bool = True, sample: Path = SAMPLE) -> Prepared:
    """Load the sample when the database is empty; rotate and return the admin's token."""
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
            token = users.rotate_token(session, admin)
        audit.record(session, admin, "server.start", "user", admin.id, {"sample": loaded})
    return Prepared(token, loaded)
