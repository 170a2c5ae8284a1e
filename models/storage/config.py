"""Instance-wide values kept in the ``config`` table: the plan's name and the rules."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.rules import Rules
from models.storage.tables import ConfigRow

NAME = "name"
RULES = "rules"
DEFAULT_NAME = "Kế hoạch phân công đại biểu dự hội nghị tuyên vận"


def _get(session: Session, key: str) -> object | None:
    row = session.get(ConfigRow, key)
    return None if row is None else row.value


def _set(session: Session, key: str, value: object) -> None:
    row = session.get(ConfigRow, key)
    if row is None:
        session.add(ConfigRow(key=key, value=value))
    else:
        row.value = value


def name(session: Session) -> str:
    value = _get(session, NAME)
    return value if isinstance(value, str) else DEFAULT_NAME


def set_name(session: Session, value: str) -> None:
    _set(session, NAME, value)


def rules(session: Session) -> Rules:
    """The stored rule options and weights; the defaults of RULES.md when none were set."""
    value = _get(session, RULES)
    return Rules.model_validate(value) if isinstance(value, dict) else Rules()


def set_rules(session: Session, value: Rules) -> None:
    _set(session, RULES, value.model_dump(mode="json"))


def rules_were_set(session: Session) -> bool:
    return isinstance(_get(session, RULES), dict)
