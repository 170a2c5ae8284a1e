"""Service tests: the use cases called directly (no HTTP) on both databases, in the world
the API tests use (:mod:`tests.api.world`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.settings import Settings
from models.storage.db import Database
from models.storage.tables import UserRow
from services.jobs import Order
from tests.api.world import World, build_world


class Recorder:
    """A runner that keeps the orders it is given and the jobs it is asked to stop, and runs none."""

    def __init__(self) -> None:
        self.orders: list[Order] = []
        self.cancelled: list[str] = []

    def submit(self, order: Order) -> None:
        self.orders.append(order)

    def cancel(self, job_id: str) -> bool:
        self.cancelled.append(job_id)
        return True


@pytest.fixture
def world(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example with one account per role, a published and a draft schedule."""
    return build_world(database, tiny_document)


@pytest.fixture
def session(database: Database, world: World) -> Iterator[Session]:
    """A writing session on the world, as a request or a page would hold."""
    with database.writer() as opened:
        yield opened


@pytest.fixture
def runner() -> Recorder:
    return Recorder()


@pytest.fixture
def settings() -> Settings:
    return Settings(load_sample=False, max_solve_seconds=10, default_solve_seconds=5)


def account(session: Session, role: str, commune: str | None = None, name: str | None = None) -> UserRow:
    """The world's account of this role (of this commune, or of this name)."""
    query = select(UserRow).where(UserRow.role == role).order_by(UserRow.id)
    if commune is not None:
        query = query.where(UserRow.commune_id == commune)
    if name is not None:
        query = query.where(UserRow.name == name)
    user = session.scalars(query).first()
    assert user is not None
    return user
