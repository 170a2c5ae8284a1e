"""Who may do what: the role checks every way in (JSON API, pages) shares."""

from __future__ import annotations

from models.storage.tables import UserRow
from services.errors import Forbidden


def require_planner(user: UserRow) -> UserRow:
    if user.role != "planner":
        raise Forbidden("Chỉ cán bộ Ban Tuyên giáo được làm việc này")
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


def commune_scope(user: UserRow) -> str | None:
    """Which communes' meetings this account sees: None for every one (planners), the
    account's own for a commune account; :class:`Forbidden` for a delegate (who sees
    their own meetings, :func:`delegate_scope`)."""
    if user.role == "planner":
        return None
    if user.role == "commune" and user.commune_id is not None:
        return user.commune_id
    raise Forbidden("Chỉ cán bộ Ban Tuyên giáo hoặc tài khoản xã/phường được xem hội nghị của xã")


def delegate_scope(user: UserRow, delegate_id: str) -> str:
    """``delegate_id`` when this account may read that delegate's meetings: a planner any,
    a delegate only their own (the same rule as ``/delegates/{id}/calendar``)."""
    if user.role == "planner" or (user.role == "delegate" and user.delegate_id == delegate_id):
        return delegate_id
    raise Forbidden("Đại biểu chỉ xem được lịch của chính mình")
