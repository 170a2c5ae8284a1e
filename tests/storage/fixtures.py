"""Fixtures shared by the storage and API tests: a clean migrated database per backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.storage.db import Database
from tests.storage.databases import BACKENDS, Migrated, wipe


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Migrated]:
    """The worker's migrated databases (created on first use, dropped at the end)."""
    holder = Migrated(tmp_path_factory.mktemp("db"))
    yield holder
    holder.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test using a database runs once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def database(migrated: Migrated, backend: str) -> Database:
    """An empty, migrated database of the backend under test."""
    db = migrated.get(backend)
    wipe(db)
    return db


@pytest.fixture(scope="session")
def sample_document() -> dict[str, object]:
    """The Lào Cai sample instance document, read once."""
    import json

    from tests.conftest import SAMPLE

    return dict(json.loads(Path(SAMPLE).read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def tiny_document() -> dict[str, object]:
    """The spec's tiny example (4 communes, a handful of delegates and meetings)."""
    import json

    from tests.conftest import EXAMPLES

    return dict(json.loads((Path(EXAMPLES) / "tiny.instance.json").read_text(encoding="utf-8")))
