"""Contacts of delegates and communes (email, phone, Zalo user id) and the channels each
chose for notifications. A planner edits anyone's; a delegate or commune account its own."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from models.errors import Issue
from models.storage import audit
from models.storage.tables import CommuneRow, DelegateRow, UserRow
from services.errors import Forbidden, Invalid, NotFound

CHANNELS = ("email", "zalo", "webhook")
NEEDS = {"email": ("email", "email"), "zalo": ("zalo_user_id", "mã người dùng Zalo")}


def _owner(session: Session, user: UserRow, kind: str, owner_id: str) -> DelegateRow | CommuneRow:
    own = (kind == "delegate" and user.delegate_id == owner_id) or (kind == "commune" and user.commune_id == owner_id)
    if user.role != "planner" and not own:
        raise Forbidden("Chỉ cán bộ Ban hoặc chính người đó xem, sửa liên hệ")
    row: DelegateRow | CommuneRow | None = (
        session.get(DelegateRow, owner_id) if kind == "delegate" else session.get(CommuneRow, owner_id)
    )
    if row is None:
        raise NotFound(f"Không có {'đại biểu' if kind == 'delegate' else 'xã/phường'} {owner_id}")
    return row


def read(session: Session, user: UserRow, kind: str, owner_id: str) -> DelegateRow | CommuneRow:
    row = _owner(session, user, kind, owner_id)
    row.channels = list(row.channels or [])
    return row


def write(
    session: Session,
    user: UserRow,
    kind: str,
    owner_id: str,
    email: str | None,
    phone: str | None,
    zalo_user_id: str | None,
    channels: Sequence[str],
) -> DelegateRow | CommuneRow:
    """Replace the contact (committed); each chosen channel needs its address."""
    row = _owner(session, user, kind, owner_id)
    given = {"email": email, "zalo_user_id": zalo_user_id}
    issues = [
        Issue(f"$.channels[{i}]", channel, f"chọn kênh {channel} thì cần {NEEDS[channel][1]}")
        for i, channel in enumerate(channels)
        if channel in NEEDS and not given[NEEDS[channel][0]]
    ]
    if issues:
        raise Invalid("Kênh đã chọn thiếu địa chỉ nhận", issues)
    row.email, row.phone, row.zalo_user_id = email, phone, zalo_user_id
    row.channels = list(dict.fromkeys(channels))
    audit.record(session, user, "contact.update", kind, owner_id, {"channels": row.channels})
    session.commit()
    return row
