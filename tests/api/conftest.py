"""API tests: an app around a clean database of each backend, and a world of accounts
(see :mod:`tests.api.world`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from models.storage.db import Database
from tests.api.world import World, build_world


@pytest.fixture
def settings() -> Settings:
    """Settings for tests: short solves, fast progress and event polling; jobs in threads
    of the test process on both databases (tests/api/test_queue.py runs real workers)."""
    return Settings(
        load_sample=False,
        job_runner="thread",
        max_solve_seconds=10,
        default_solve_seconds=5,
        progress_interval=0.05,
        sse_poll_seconds=0.05,
        public_url="http://testserver",
    )


@pytest.fixture
def app(database: Database, settings: Settings) -> Iterator[FastAPI]:
    """The app on the test database; its solve jobs are stopped at the end."""
    application = create_app(settings, database)
    yield application
    application.state.runner.shutdown()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An in-process client (lifespan run)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def world(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example with one account per role, a published and a draft schedule."""
    return build_world(database, tiny_document)
