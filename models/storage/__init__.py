"""Storage of phancong: SQLAlchemy tables, sessions, migrations, import and export.

SQLite (a file) by default, PostgreSQL when ``PHANCONG_DATABASE_URL`` names one; the same
code and the same Alembic migrations run on both.
"""

from models.storage.db import Database, database_url, make_engine

__all__ = ["Database", "database_url", "make_engine"]
