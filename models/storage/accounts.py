"""Sign-in for the pages: password hashes, web sessions, failed sign-ins, first-sign-in links.

Passwords are hashed with argon2id (argon2-cffi, its default parameters): never stored
or logged in clear. A web session is a 256-bit random cookie value of which only the
SHA-256 is stored (like the API tokens), with the CSRF token its forms must carry. A
first-sign-in link is such a secret too, used once. The rules around them (what a
password must be, when a name is locked) are :mod:`services.accounts`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.storage.tables import ActivationRow, SignInFailureRow, UserRow, WebSessionRow
from models.storage.types import utcnow
from models.storage.users import hash_token, new_secret

SESSION_HOURS = 12
ACTIVATION_DAYS = 7


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _decoy() -> str:
    # Verified against when the user name does not exist, so that a wrong name costs as
    # long as a wrong password and the answer time does not tell which names exist.
    return hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def check_password(session: Session, user: UserRow | None, password: str) -> bool:
    """True when ``password`` is the user's; a hash made with older parameters is renewed."""
    if user is None or user.password_hash is None:
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher().verify(_decoy(), password)
        return False
    try:
        hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def by_username(session: Session, username: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))


# -- web sessions -------------------------------------------------------------------


def open_session(session: Session, user: UserRow, now: dt.datetime | None = None) -> tuple[str, WebSessionRow]:
    """A new signed-in browser of ``user``: the cookie value (in clear, never stored) and its row."""
    now = now or utcnow()
    # Expired sessions are of no use to anyone: swept here, where sessions are made.
    session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
    token = new_secret()
    row = WebSessionRow(
        user_id=user.id,
        token_hash=hash_token(token),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + dt.timedelta(hours=SESSION_HOURS),
    )
    session.add(row)
    session.flush()
    return token, row


def find_session(session: Session, token: str, now: dt.datetime | None = None) -> tuple[WebSessionRow, UserRow] | None:
    """The unexpired session of this cookie value and its active user, else None."""
    now = now or utcnow()
    found = session.execute(
        select(WebSessionRow, UserRow)
        .join(UserRow, UserRow.id == WebSessionRow.user_id)
        .where(WebSessionRow.token_hash == hash_token(token), WebSessionRow.expires_at > now, UserRow.active.is_(True))
    ).first()
    return None if found is None else (found[0], found[1])


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == hash_token(token)))


def close_all_sessions(session: Session, user_id: int) -> None:
    """Sign the user out everywhere (a password change, a locked account)."""
    session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))


# -- failed sign-ins ----------------------------------------------------------------


def failure_row(session: Session, key: str) -> SignInFailureRow | None:
    return session.get(SignInFailureRow, key)


def record_failure(session: Session, key: str, limit: int, lock: dt.timedelta, now: dt.datetime) -> SignInFailureRow:
    """Count one more failure of ``key``; the ``limit``-th locks it for ``lock``."""
    row = session.get(SignInFailureRow, key)
    if row is None:
        row = SignInFailureRow(key=key, failures=0, last_at=now)
        session.add(row)
    row.failures += 1
    row.last_at = now
    if row.failures >= limit:
        row.locked_until = now + lock
        row.failures = 0
    session.flush()
    return row


def clear_failures(session: Session, key: str) -> None:
    session.execute(delete(SignInFailureRow).where(SignInFailureRow.key == key))


# -- first-sign-in links ------------------------------------------------------------


def new_activation(session: Session, user: UserRow, now: dt.datetime | None = None) -> str:
    """A one-use link token for ``user`` (the older unused ones stop working)."""
    now = now or utcnow()
    session.execute(
        update(ActivationRow)
        .where(ActivationRow.user_id == user.id, ActivationRow.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    token = new_secret()
    session.add(
        ActivationRow(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + dt.timedelta(days=ACTIVATION_DAYS),
        )
    )
    session.flush()
    return token


def find_activation(session: Session, token: str, now: dt.datetime | None = None) -> ActivationRow | None:
    """The unused, unexpired link of this token, else None."""
    now = now or utcnow()
    return session.scalar(
        select(ActivationRow).where(
            ActivationRow.token_hash == hash_token(token),
            ActivationRow.used_at.is_(None),
            ActivationRow.expires_at > now,
        )
    )
