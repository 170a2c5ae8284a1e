"""The delegate's name and printed title frozen into each assignment of a published
version, as its time and unit already are: the notice and the schedule workbook of that
version print them as they were at publication.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 15:00:00.000000

Rows published before this revision keep both empty, and are printed with the
delegate's current name and title (what they showed until now).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delegate_name", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("delegate_title", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("delegate_title")
        batch_op.drop_column("delegate_name")
