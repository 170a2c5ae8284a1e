"""The district (huyện, thị xã, thành phố thuộc tỉnh) of a commune, optional: the
calendar's LOCATION tells communes of one name apart with it. Not in the instance
schema (an exchange format), so it lives here only.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02 15:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("communes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("communes", schema=None) as batch_op:
        batch_op.drop_column("district")
