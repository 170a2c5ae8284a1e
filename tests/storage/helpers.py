"""Small builders shared by storage tests."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import func, select

from models.storage.db import Database
from models.storage.tables import Base


def row_counts(database: Database) -> dict[str, int]:
    """Rows per table: the fingerprint of "nothing was written"."""
    with database.reader() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


def edited(document: dict[str, Any], *edits: tuple[tuple[str | int, ...], Any]) -> dict[str, Any]:
    """A deep copy of ``document`` with the value at each path replaced."""
    out = copy.deepcopy(document)
    for path, value in edits:
        target: Any = out
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return out
