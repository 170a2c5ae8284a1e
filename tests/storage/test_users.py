"""Tokens and calendar secrets are stored hashed; rotation and revocation take effect at once."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from models.storage import importer, users
from models.storage.db import Database
from models.storage.tables import ApiTokenRow, CalendarFeedRow


def test_token_is_stored_only_as_its_hash(database: Database) -> None:
    """The clear token appears nowhere in the table; its SHA-256 does, and finds the user."""
    with database.transaction() as session:
        user, token = users.create_user(session, "Cán bộ", "planner")
    with database.reader() as session:
        stored = list(session.scalars(select(ApiTokenRow.token_hash)))
        assert stored == [hashlib.sha256(token.encode()).hexdigest()]
        assert token not in stored
        found = users.authenticate(session, token)
        assert found is not None
        assert found.id == user.id
        assert users.authenticate(session, token + "x") is None


def test_rotation_revokes_the_old_token(database: Database) -> None:
    """After a rotation the old token no longer authenticates and the new one does."""
    with database.transaction() as session:
        user, old = users.create_user(session, "Cán bộ", "planner")
        new = users.rotate_token(session, user)
    with database.reader() as session:
        assert users.authenticate(session, old) is None
        assert users.authenticate(session, new) is not None


def test_deactivated_user_cannot_authenticate(database: Database) -> None:
    """A user marked inactive is refused even with an unrevoked token."""
    with database.transaction() as session:
        user, token = users.create_user(session, "Cán bộ", "planner")
        user.active = False
    with database.reader() as session:
        assert users.authenticate(session, token) is None


def test_feed_rotation_and_revocation(database: Database, tiny_document: dict[str, Any]) -> None:
    """A rotated feed secret replaces the old one; a revoked one finds nobody; both stored hashed."""
    with database.transaction() as session:
        importer.import_document(session, tiny_document)
        first = users.rotate_feed(session, "d1")
        second = users.rotate_feed(session, "d1")
    with database.reader() as session:
        assert users.feed_delegate(session, first) is None
        assert users.feed_delegate(session, second) == "d1"
        assert second not in set(session.scalars(select(CalendarFeedRow.token_hash)))
    with database.transaction() as session:
        assert users.revoke_feed(session, "d1")
    with database.reader() as session:
        assert users.feed_delegate(session, second) is None
