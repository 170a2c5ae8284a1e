"""Users, their bearer tokens and the delegates' calendar feed secrets.

A token is shown once, when it is made; only its SHA-256 is stored. Tokens are 256-bit
random strings, so a fast unsalted hash is enough (there is nothing to brute-force) and
lets every request find its user by an indexed equality.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from models.storage.stamp import GENERATION
from models.storage.tables import ApiTokenRow, CalendarFeedRow, DelegateRow, UserRow
from models.storage.types import utcnow

TOKEN_PREFIX = "pc_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def create_user(
    session: Session, name: str, role: str, delegate_id: str | None = None, commune_id: str | None = None
) -> tuple[UserRow, str]:
    """A new active user and their first token (returned in clear, never stored)."""
    user = UserRow(name=name, role=role, delegate_id=delegate_id, commune_id=commune_id, active=True)
    session.add(user)
    session.flush()
    return user, issue_token(session, user)


def issue_token(session: Session, user: UserRow) -> str:
    """One more token for ``user`` (the others stay valid)."""
    token = TOKEN_PREFIX + new_secret()
    session.add(ApiTokenRow(user_id=user.id, token_hash=hash_token(token)))
    session.flush()
    return token


def rotate_token(session: Session, user: UserRow) -> str:
    """Revoke every token of ``user`` and issue one new one."""
    revoke_tokens(session, user)
    return issue_token(session, user)


def revoke_tokens(session: Session, user: UserRow) -> None:
    session.execute(
        update(ApiTokenRow)
        .where(ApiTokenRow.user_id == user.id, ApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


_U, _K = UserRow.__table__.c, ApiTokenRow.__table__.c
# Every authenticated request runs this: a Core statement built once (the ORM would cost
# several times more), its row turned into a detached, read-only UserRow.
_AUTHENTICATE = (
    select(_U.id, _U.name, _U.role, _U.delegate_id, _U.commune_id, _U.active, _U.created_at, _U.username)
    .select_from(UserRow.__table__.join(ApiTokenRow.__table__, _K.user_id == _U.id))
    .where(_K.token_hash == bindparam("token_hash"), _K.revoked_at.is_(None), _U.active.is_(True))
)


def authenticate(session: Session, token: str) -> UserRow | None:
    """The active user holding the unrevoked ``token``, else None (a detached row: read it, do not add it)."""
    row = session.connection().execute(_AUTHENTICATE, {"token_hash": hash_token(token)}).first()
    return None if row is None else UserRow(**row._mapping)


_D = DelegateRow.__table__.c
_AUTHENTICATE_NAMED = _AUTHENTICATE.add_columns(_D.name.label("delegate_name"), GENERATION).outerjoin(
    DelegateRow.__table__, _D.id == _U.delegate_id
)


def authenticate_named(session: Session, token: str) -> tuple[UserRow, str | None, int | None] | None:
    """:func:`authenticate`, with the name of the account's delegate and the calendar
    stamp (:mod:`models.storage.stamp`) read in the same query: the JSON calendar's hot
    path, which then makes no other round trip when the calendar it kept is current."""
    row = session.connection().execute(_AUTHENTICATE_NAMED, {"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    fields = dict(row._mapping)
    name = fields.pop("delegate_name")
    generation = fields.pop("generation")
    return UserRow(**fields), name, generation


def rotate_feed(session: Session, delegate_id: str) -> str:
    """A new secret calendar URL token for the delegate; the old URL stops working."""
    revoke_feed(session, delegate_id)
    token = new_secret()
    session.add(CalendarFeedRow(delegate_id=delegate_id, token_hash=hash_token(token)))
    session.flush()
    return token


def revoke_feed(session: Session, delegate_id: str) -> bool:
    """Revoke the delegate's feed URL; True when there was one."""
    result = session.execute(
        update(CalendarFeedRow)
        .where(CalendarFeedRow.delegate_id == delegate_id, CalendarFeedRow.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def feed_delegate(session: Session, token: str) -> str | None:
    """The delegate whose unrevoked feed token this is."""
    return session.scalar(
        select(CalendarFeedRow.delegate_id).where(
            CalendarFeedRow.token_hash == hash_token(token), CalendarFeedRow.revoked_at.is_(None)
        )
    )
