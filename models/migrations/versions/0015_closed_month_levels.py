"""The levels in force when a month was closed for scoring, kept with its close record:
a closed month is ranked on them ever after, whatever levels the Board sets later.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 09:00:00.000000

Months closed before this revision get the levels in force now (the Board's, else the
defaults of ``docs/scoring.md``), the best record there is of those at their closing.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The default levels as this revision knows them (a migration does not import the code's).
DEFAULT_LEVELS = [
    {"name": "Xuất sắc", "min_points": 90.0},
    {"name": "Tốt", "min_points": 75.0},
    {"name": "Đạt", "min_points": 50.0},
    {"name": "Chưa đạt", "min_points": 0.0},
]


def upgrade() -> None:
    with op.batch_alter_table("closed_months", schema=None) as batch_op:
        batch_op.add_column(sa.Column("levels", sa.JSON(), nullable=True))
    config = sa.table("config", sa.column("key", sa.String()), sa.column("value", sa.JSON()))
    closed = sa.table("closed_months", sa.column("levels", sa.JSON()))
    bind = op.get_bind()
    found = bind.execute(sa.select(config.c.value).where(config.c.key == "ranking_levels")).scalar()
    levels = found if isinstance(found, list) else DEFAULT_LEVELS
    bind.execute(closed.update().values(levels=levels))


def downgrade() -> None:
    with op.batch_alter_table("closed_months", schema=None) as batch_op:
        batch_op.drop_column("levels")
