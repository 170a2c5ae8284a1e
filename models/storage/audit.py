"""The audit log: who changed what, when; written in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models.storage.tables import AuditRow, UserRow


def record(
    session: Session,
    user: UserRow | None,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditRow(
            user_id=user.id if user else None,
            user_name=user.name if user else None,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            detail=detail or {},
        )
    )
