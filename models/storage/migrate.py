"""Alembic, configured in code: the scripts live in ``models/migrations``.

``python -m models.storage.migrate upgrade [REV]`` / ``downgrade [REV]`` / ``current``
run against ``PHANCONG_DATABASE_URL`` (or the default SQLite file).
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from models.storage.db import database_url, make_engine

SCRIPTS = Path(__file__).resolve().parent.parent / "migrations"


QUEUE_PREFIX = "procrastinate"


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """For autogenerate: the procrastinate queue's tables (applied by migration 0010 from
    its own schema file, on PostgreSQL) are not ours to compare with the models."""
    return not (type_ == "table" and (name or "").startswith(QUEUE_PREFIX))


def config(url: str | None = None, engine: Engine | None = None) -> Config:
    """An Alembic config for ``url``; with ``engine`` the migration runs on that engine."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(url: str | None = None, revision: str = "head", engine: Engine | None = None) -> None:
    command.upgrade(config(url, engine), revision)


def downgrade(url: str | None = None, revision: str = "base", engine: Engine | None = None) -> None:
    command.downgrade(config(url, engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(config()).get_current_head()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("upgrade", "downgrade", "current"):
        print("dùng: python -m models.storage.migrate upgrade|downgrade|current [REVISION]", file=sys.stderr)
        return 2
    if args[0] == "upgrade":
        upgrade(revision=args[1] if len(args) > 1 else "head")
    elif args[0] == "downgrade":
        downgrade(revision=args[1] if len(args) > 1 else "base")
    else:
        engine = make_engine()
        print(current_revision(engine) or "(chưa có bảng)")
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
