"""Communes and their teams (planners).

A commune that meetings, history or an account hold, or that the directory still points
at (a delegate's base or charge, a road), is not deleted: every month's instance would
be invalid without it, so the refusal names each reference and what to do about it.
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from api.schemas.directory import CommuneIn, CommunePatch, TeamIn, TeamPatch
from models.errors import Issue
from models.storage import audit
from models.storage.tables import (
    AssignmentRow,
    AttendanceRow,
    ChargeRow,
    CommuneRow,
    DelegateRow,
    MeetingRow,
    PastVisitRow,
    PlaceRow,
    ReportVisitRow,
    RoadRow,
    TeamRow,
    UserRow,
)
from services import flags as flag_service
from services.access import require_planner
from services.errors import Conflict, NotFound


def get_commune(session: Session, commune_id: str) -> CommuneRow:
    commune = session.get(CommuneRow, commune_id)
    if commune is None:
        raise NotFound(f"Không có xã/phường {commune_id}")
    return commune


def create(session: Session, planner: UserRow, body: CommuneIn) -> CommuneRow:
    """A new commune (committed); its id may be neither a commune's nor a place's."""
    require_planner(planner)
    if session.get(CommuneRow, body.id) is not None:
        raise Conflict(f"Đã có xã/phường mã {body.id}")
    if session.get(PlaceRow, body.id) is not None:
        raise Conflict(f"Mã {body.id} đã dùng cho một địa điểm")
    commune = CommuneRow(**body.model_dump())
    session.add(commune)
    audit.record(session, planner, "commune.create", "commune", body.id, body.model_dump(mode="json"))
    session.commit()
    return commune


def update(session: Session, planner: UserRow, commune_id: str, body: CommunePatch) -> CommuneRow:
    """The fields sent changed (committed), the level of concern ``flag`` among them.

    ``flag`` and ``flag_reason`` are the commune's default: the months already published
    keep the flag they were planned with (:func:`services.flags.keep_published`), and a
    new flag sent without a reason drops the old one, which was the old flag's reason.
    """
    require_planner(planner)
    commune = get_commune(session, commune_id)
    changes = body.model_dump(exclude_unset=True)
    logged = body.model_dump(mode="json", exclude_unset=True)
    if "flag" in changes and changes["flag"] != commune.flag and "flag_reason" not in changes:
        changes["flag_reason"] = logged["flag_reason"] = None
    before = commune.flag
    if any(key in changes and changes[key] != getattr(commune, key) for key in ("flag", "flag_reason")):
        flag_service.keep_published(session, commune, planner.id)
    for field, value in changes.items():
        setattr(commune, field, value)
    flag_service.default_changed(session, commune_id, before, commune.flag, planner.id)
    audit.record(session, planner, "commune.update", "commune", commune_id, logged)
    session.commit()
    return commune


def delete(session: Session, planner: UserRow, commune_id: str) -> None:
    """Delete a commune nothing holds or points at (committed)."""
    require_planner(planner)
    commune = get_commune(session, commune_id)
    teams = select(TeamRow.id).where(TeamRow.commune_id == commune_id)
    used = session.scalar(
        select(
            exists().where(MeetingRow.commune_id == commune_id)
            | exists().where(AttendanceRow.commune_id == commune_id)
            | exists().where(PastVisitRow.team_id.in_(teams))
            | exists().where(AssignmentRow.team_id.in_(teams))
            | exists().where(UserRow.commune_id == commune_id)
        )
    )
    if used:
        raise Conflict("Xã/phường đã có hội nghị, lịch sử hoặc tài khoản; không xóa được")
    refusal = references_to(session, commune_id)
    if refusal is not None:
        raise refusal
    session.delete(commune)
    audit.record(session, planner, "commune.delete", "commune", commune_id)
    session.commit()


def references_to(session: Session, commune_id: str) -> Conflict | None:
    """A refusal naming what in the directory still points at the commune (a delegate's
    base or charge, a road), or None. Deleting it anyway would leave every month's
    instance invalid, so every solve would be refused until the reference is gone."""
    bases = list(session.scalars(select(DelegateRow.id).where(DelegateRow.base == commune_id).order_by(DelegateRow.id)))
    charges = list(
        session.scalars(
            select(ChargeRow.delegate_id).where(ChargeRow.commune_id == commune_id).order_by(ChargeRow.delegate_id)
        )
    )
    roads = list(
        session.scalars(
            select(RoadRow).where(or_(RoadRow.a == commune_id, RoadRow.b == commune_id)).order_by(RoadRow.id)
        )
    )
    items = [Issue(f"/delegates/{d}", commune_id, "nơi xuất phát (base) của đại biểu này") for d in bases]
    items += [Issue(f"/delegates/{d}", commune_id, "đại biểu này phụ trách xã/phường (in_charge_of)") for d in charges]
    items += [
        Issue(f"/roads/{r.id}", {"a": r.a, "b": r.b, "minutes": r.minutes}, "đường đi nối tới xã/phường") for r in roads
    ]
    if not items:
        return None
    parts = []
    if bases:
        parts.append(f"là nơi xuất phát của đại biểu {', '.join(bases)} (hãy đổi base)")
    if charges:
        parts.append(f"được đại biểu {', '.join(charges)} phụ trách (hãy bỏ khỏi in_charge_of)")
    if roads:
        parts.append(f"nằm trên {len(roads)} đường đi (hãy xóa các đường đi đó: DELETE /roads/{{id}})")
    return Conflict(f"Không xóa được xã/phường {commune_id}: {'; '.join(parts)}", items)


def get_team(session: Session, team_id: str) -> TeamRow:
    team = session.get(TeamRow, team_id)
    if team is None:
        raise NotFound(f"Không có tổ tuyên vận {team_id}")
    return team


def create_team(session: Session, planner: UserRow, commune_id: str, body: TeamIn) -> TeamRow:
    require_planner(planner)
    get_commune(session, commune_id)
    if session.get(TeamRow, body.id) is not None:
        raise Conflict(f"Đã có tổ tuyên vận mã {body.id}")
    team = TeamRow(id=body.id, commune_id=commune_id, name=body.name)
    session.add(team)
    audit.record(session, planner, "team.create", "team", body.id, {"commune": commune_id, "name": body.name})
    session.commit()
    return team


def update_team(session: Session, planner: UserRow, team_id: str, body: TeamPatch) -> TeamRow:
    require_planner(planner)
    team = get_team(session, team_id)
    if body.name is not None:
        team.name = body.name
    audit.record(session, planner, "team.update", "team", team_id, body.model_dump(mode="json", exclude_unset=True))
    session.commit()
    return team


def delete_team(session: Session, planner: UserRow, team_id: str) -> None:
    """Delete a team that no visit in the history or in a schedule names (committed)."""
    require_planner(planner)
    team = get_team(session, team_id)
    used = session.scalar(
        select(
            exists().where(PastVisitRow.team_id == team_id)
            | exists().where(AssignmentRow.team_id == team_id)
            | exists().where(ReportVisitRow.team_id == team_id)
        )
    )
    if used:
        raise Conflict("Tổ đã có lượt dự đột xuất trong lịch sử hoặc trong lịch; không xóa được")
    session.delete(team)
    audit.record(session, planner, "team.delete", "team", team_id)
    session.commit()
