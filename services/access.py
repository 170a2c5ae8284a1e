"""Who may do what: the role checks every way in (JSON API, pages) shares."""

from __future__ import annotations

from models.storage.tables import UserRow
from services.errors import Forbidden


def require_planner(user: UserRow) -> UserRow:
    if user.role != "planner":
        raise Forbidden("Chỉ cán bộ Ban Tuyên giáo (planner) được làm việc này")
    return user


def require_planner_or_commune(user: UserRow) -> UserRow:
    if user.role not in ("planner", "commune"):
        raise Forbidden("Chỉ cán bộ Ban Tuyên giáo hoặc tài khoản xã/phường được làm việc này")
    return user


def only_delegate(user: UserRow) -> str:
    """The delegate id of a delegate account; :class:`Forbidden` for any other role."""
    if user.role != "delegate" or user.delegate_id is None:
        raise Forbidden("Chỉ tài khoản đại biểu được làm việc này")
    return user.delegate_id
