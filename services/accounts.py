"""Accounts of the pages: creating them, signing in, changing and setting passwords,
first-sign-in links, the lock after repeated failures.

The command line (``phancong user``), the planner's accounts page and the sign-in page
call these, so that each rule (what a user name and a password must be, which role links
to what, when a name is locked) exists once. Every function that changes data commits.

Throttling: five failed sign-ins of one user name from one address lock that pair for
15 minutes, even for the right password (counting by the pair, not by the name alone,
so that a stranger cannot lock a colleague out from elsewhere). A wrong current password
on the change-of-password form counts the same: a stolen session must not become a way
to guess the password without limit.

Who may reset whom: a planner makes and resets delegate and commune accounts only. A
planner account's password is set by the administrator's command line (``phancong user
password``): otherwise any planner could take over any other, the first ``admin`` too.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.contract import refused
from models.errors import Issue
from models.storage import accounts, audit, users
from models.storage.clock import local
from models.storage.tables import CommuneRow, DelegateRow, UserRow
from models.storage.types import utcnow
from services.access import require_planner
from services.errors import Conflict, Forbidden, Invalid, NotFound, TooMany

ROLES = ("planner", "delegate", "commune")
ROLE_LABELS = {"planner": "Cán bộ Ban Tuyên giáo", "delegate": "Đại biểu", "commune": "Xã/phường"}
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
MIN_PASSWORD, MAX_PASSWORD = 8, 200
FAILURE_LIMIT = 5
LOCK = dt.timedelta(minutes=15)
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng"


@dataclass(frozen=True)
class NewAccount:
    user: UserRow
    activation: str | None
    """The first-sign-in link token when the account was made without a password."""


def username_problem(username: str) -> str | None:
    if not USERNAME.fullmatch(username):
        return "3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch nối, gạch dưới; bắt đầu bằng chữ hoặc số"
    return None


#: The passwords tried first by anyone guessing (lists of leaked passwords, Vietnamese
#: ones included), compared in lower case. Kept short on purpose: the other checks catch
#: the digits-only and one-character ones, and a long list would only slow the page.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "passw0rd",
        "qwertyui",
        "qwertyuiop",
        "qwerty123",
        "asdfghjk",
        "zxcvbnm1",
        "1q2w3e4r",
        "1qaz2wsx",
        "zaq12wsx",
        "abc12345",
        "abcd1234",
        "a1b2c3d4",
        "iloveyou",
        "admin123",
        "administrator",
        "welcome1",
        "letmein1",
        "changeme",
        "sunshine",
        "princess",
        "football",
        "matkhau",
        "matkhau1",
        "matkhau123",
        "anhyeuem",
        "emyeuanh",
        "vietnam1",
    }
)


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why ``password`` may not be the password of the account ``username``, or None."""
    if len(password) < MIN_PASSWORD:
        return f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự"
    if len(password) > MAX_PASSWORD:
        return f"mật khẩu dài quá {MAX_PASSWORD} ký tự"
    if password.strip() != password or any(ord(c) < 32 for c in password):
        return "mật khẩu không được có khoảng trắng ở đầu, cuối hay ký tự điều khiển"
    lowered = password.lower()
    if username and username.strip().lower() in lowered:
        return "mật khẩu không được chứa tên đăng nhập"
    if len(set(lowered)) == 1:
        return "mật khẩu không được chỉ lặp lại một ký tự"
    if password.isdigit():
        return "mật khẩu không được chỉ có chữ số; hãy thêm chữ cái"
    if lowered in COMMON_PASSWORDS:
        return "mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác"
    return None


def create_account(
    session: Session,
    actor: UserRow | None,
    *,
    username: str,
    role: str,
    name: str | None = None,
    delegate_id: str | None = None,
    commune_id: str | None = None,
    password: str | None = None,
) -> NewAccount:
    """A new active account (committed). ``actor`` None is the administrator's command
    line; otherwise a planner. Without ``password`` a first-sign-in link is made."""
    if actor is not None:
        require_planner(actor)
    username = username.strip().lower()
    if actor is not None and role == "planner":
        raise Forbidden(
            "Tài khoản cán bộ Ban Tuyên giáo chỉ tạo được bằng lệnh phancong user add",
            [Issue("role", role, "cán bộ Ban Tuyên giáo chỉ tạo tài khoản đại biểu hoặc xã/phường")],
        )
    problems: list[Issue] = []
    problem = username_problem(username)
    if problem:
        problems.append(Issue("username", username, problem))
    elif accounts.by_username(session, username) is not None:
        problems.append(Issue("username", username, "tên đăng nhập đã có người dùng"))
    if role not in ROLES:
        problems.append(Issue("role", role, "phải là planner, delegate hoặc commune"))
    links: dict[str, tuple[str, str | None, type[DelegateRow] | type[CommuneRow]]] = {
        "delegate": ("delegate", delegate_id, DelegateRow),
        "commune": ("commune", commune_id, CommuneRow),
    }
    linked_name = None
    for link_role, (field, value, table) in links.items():
        if role == link_role and not value:
            problems.append(Issue(field, value, f"bắt buộc với vai trò {link_role}"))
        elif role != link_role and value:
            problems.append(Issue(field, value, f"chỉ dùng với vai trò {link_role}"))
        elif value:
            found: str | None = session.scalar(select(table.name).where(table.id == value))
            if found is None:
                problems.append(Issue(field, value, "không có mã này"))
            else:
                linked_name = found
    if password is not None:
        problem = password_problem(password, username)
        if problem:
            problems.append(Issue("password", "…", problem))
    display = unicodedata.normalize("NFC", (name or "").strip()) or linked_name or username
    if len(display) > 200:
        problems.append(Issue("name", display[:20] + "…", "tên dài quá 200 ký tự"))
    elif (why := refused(display)) is not None:
        problems.append(Issue("name", display, why))
    if problems:
        raise Invalid("Tài khoản không hợp lệ", problems)
    user, _token = users.create_user(session, display, role, delegate_id or None, commune_id or None)
    user.username = username
    activation = None
    if password is None:
        activation = accounts.new_activation(session, user)
    else:
        user.password_hash = accounts.hash_password(password)
    audit.record(session, actor, "user.create", "user", user.id, {"role": role, "username": username})
    session.commit()
    return NewAccount(user, activation)


def get_by_username(session: Session, username: str) -> UserRow:
    user = accounts.by_username(session, username)
    if user is None:
        raise NotFound(f"Không có tài khoản {username}", [Issue("username", username, "không có tài khoản này")])
    return user


def _key(username: str, address: str) -> str:
    return f"{username.strip().lower()[:120]}|{address[:60]}"


def sign_in(session: Session, username: str, password: str, address: str, now: dt.datetime | None = None) -> UserRow:
    """The account of this user name and password (failures are counted, committed).

    :class:`TooMany` while the name is locked from this address, :class:`Invalid` naming
    the password field otherwise (never saying whether the name exists)."""
    now = now or utcnow()
    key = _key(username, address)
    _refuse_if_locked(session, key, now)
    user = accounts.by_username(session, username)
    if user is not None and not user.active:
        user = None
    if not accounts.check_password(session, user, password) or user is None:
        _count_failure(session, key, now)
        raise Invalid(WRONG, [Issue("password", None, WRONG)])
    accounts.clear_failures(session, key)
    audit.record(session, user, "user.sign_in", "user", user.id)
    session.commit()
    return user


def _refuse_if_locked(session: Session, key: str, now: dt.datetime) -> None:
    failure = accounts.failure_row(session, key)
    if failure is not None and failure.locked_until is not None and failure.locked_until > now:
        raise _locked(failure.locked_until, now)


def _count_failure(session: Session, key: str, now: dt.datetime) -> None:
    """One more failure of ``key``, committed even though the caller then refuses;
    :class:`TooMany` when this one locks the pair."""
    row = accounts.record_failure(session, key, FAILURE_LIMIT, LOCK, now)
    session.commit()
    if row.locked_until is not None and row.locked_until > now:
        raise _locked(row.locked_until, now)


def _locked(until: dt.datetime, now: dt.datetime) -> TooMany:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return TooMany(
        f"Nhập sai mật khẩu {FAILURE_LIMIT} lần liên tiếp: tài khoản tạm khóa trên máy này, "
        f"thử lại sau {minutes} phút (lúc {local(until):%H:%M})",
        retry_after=int((until - now).total_seconds()) + 1,
    )


def change_password(
    session: Session,
    user: UserRow,
    current: str,
    new: str,
    confirm: str,
    address: str,
    now: dt.datetime | None = None,
) -> None:
    """The user's own change (committed): every session of the user is closed, this one too.

    A wrong current password is a failed sign-in of the account from ``address``: the
    same count and lock as :func:`sign_in` (:class:`TooMany` while locked)."""
    now = now or utcnow()
    key = _key(user.username or f"#{user.id}", address)
    _refuse_if_locked(session, key, now)
    problems = _new_password_problems(new, confirm, user.username)
    if not accounts.check_password(session, user, current):
        _count_failure(session, key, now)
        problems.insert(0, Issue("current", None, "mật khẩu hiện tại không đúng"))
    else:
        accounts.clear_failures(session, key)
    if problems:
        session.commit()  # the cleared count of a right current password stays
        raise Invalid("Chưa đổi được mật khẩu", problems)
    _set(session, user, new, "user.password")


def _new_password_problems(new: str, confirm: str, username: str | None) -> list[Issue]:
    """Every fault of a new password and its confirmation, at once (one round for the user)."""
    problems = []
    problem = password_problem(new, username)
    if problem:
        problems.append(Issue("new", None, problem))
    if new != confirm:
        problems.append(Issue("confirm", None, "nhập lại không khớp với mật khẩu mới"))
    return problems


def set_password(session: Session, username: str, password: str) -> UserRow:
    """The administrator sets a password (committed); the account's sessions are closed."""
    user = get_by_username(session, username)
    problem = password_problem(password, user.username)
    if problem:
        raise Invalid("Mật khẩu không hợp lệ", [Issue("password", None, problem)])
    _set(session, user, password, "user.password_set")
    return user


def _set(session: Session, user: UserRow, password: str, action: str) -> None:
    user.password_hash = accounts.hash_password(password)
    accounts.close_all_sessions(session, user.id)
    audit.record(session, user, action, "user", user.id)
    session.commit()


def activation_user(session: Session, token: str) -> UserRow:
    link = accounts.find_activation(session, token)
    user = None if link is None else session.get(UserRow, link.user_id)
    if user is None or not user.active:
        raise NotFound("Liên kết kích hoạt không đúng, đã dùng hoặc đã hết hạn; hãy xin cán bộ Ban Tuyên giáo cấp lại")
    return user


def activate(session: Session, token: str, password: str, confirm: str) -> UserRow:
    """Set the first password through a one-use link (committed); the link is used up."""
    link = accounts.find_activation(session, token)
    user = activation_user(session, token)
    problems = _new_password_problems(password, confirm, user.username)
    if problems:
        raise Invalid("Chưa đặt được mật khẩu", problems)
    assert link is not None
    link.used_at = utcnow()
    _set(session, user, password, "user.activate")
    return user


def new_activation(session: Session, planner: UserRow, user_id: int) -> str:
    """A fresh first-sign-in link for an account (committed; the older links stop working).

    Only for a delegate's or a commune's account that is not locked: a planner account's
    password is the administrator's to set (``phancong user password``)."""
    user = _manageable(session, planner, user_id, "cấp liên kết đặt lại mật khẩu")
    if user.username is None:
        raise Conflict("Tài khoản này chưa có tên đăng nhập")
    token = accounts.new_activation(session, user)
    audit.record(session, planner, "user.activation", "user", user.id)
    session.commit()
    return token


def new_token_of(session: Session, planner: UserRow, user_id: int) -> str:
    """A planner renews another account's API token (committed; its older ones are revoked).

    The same accounts as :func:`new_activation`, and the planner's own (as ``/me/token``)."""
    user = _manageable(session, planner, user_id, "cấp mã truy cập", own=True)
    token = users.rotate_token(session, user)
    audit.record(session, planner, "token.rotate", "user", user.id)
    session.commit()
    return token


def deactivate(session: Session, planner: UserRow, user_id: int) -> UserRow:
    """A planner locks a delegate's or a commune's account (committed): its tokens are
    revoked and, for a delegate, the secret calendar address too. Locking one already
    locked changes nothing. Another planner's account is the administrator's to manage,
    as its password is: a planner could otherwise shut every other planner out."""
    require_planner(planner)
    user = session.get(UserRow, user_id)
    if user is None:
        raise NotFound(f"Không có tài khoản {user_id}")
    if user.id == planner.id:
        raise Conflict("Không tự khóa tài khoản của mình", [Issue("user", user_id, "tài khoản của chính mình")])
    if user.role == "planner":
        raise Forbidden("Không được khóa tài khoản cán bộ Ban Tuyên giáo khác")
    if user.active:
        user.active = False
        users.revoke_tokens(session, user)
        if user.delegate_id is not None:
            # The feed URL is a secret of its own, answered without any token: it must go too.
            users.revoke_feed(session, user.delegate_id)
        audit.record(session, planner, "user.deactivate", "user", user.id)
        session.commit()
    return user


def _manageable(session: Session, planner: UserRow, user_id: int, what: str, own: bool = False) -> UserRow:
    """The account ``planner`` may ``what`` for: :class:`Forbidden` for a planner account
    (the planner's own too unless ``own``), :class:`Conflict` for a locked one."""
    require_planner(planner)
    user = session.get(UserRow, user_id)
    if user is None:
        raise NotFound(f"Không có tài khoản {user_id}")
    if user.role == "planner" and not (own and user.id == planner.id):
        if user.id == planner.id:
            raise Forbidden("Mật khẩu của mình đổi ở trang Tài khoản (/tai-khoan), bằng mật khẩu hiện tại")
        raise Forbidden(
            f"Không được {what} cho tài khoản cán bộ Ban Tuyên giáo khác; "
            "mật khẩu của cán bộ do quản trị đặt lại bằng lệnh phancong user password"
        )
    if not user.active:
        label = user.username or user.name
        raise Conflict(
            f"Tài khoản {label} đã bị khóa: không {what} cho tài khoản bị khóa",
            [Issue("user", user_id, "tài khoản đã bị khóa")],
        )
    return user


def new_token(session: Session, username: str) -> str:
    """A new API token of the account (committed; the older ones are revoked)."""
    user = get_by_username(session, username)
    if not user.active:
        raise Conflict(f"Tài khoản {username} đã bị khóa", [Issue("username", username, "tài khoản đã bị khóa")])
    token = users.rotate_token(session, user)
    audit.record(session, None, "token.rotate", "user", user.id)
    session.commit()
    return token


def list_accounts(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.id)))


def ensure_admin(session: Session, user: UserRow) -> str | None:
    """Give the built-in planner ``user`` the sign-in name ``admin`` and a random password
    when no account is called ``admin`` yet (committed); the password, or None."""
    if accounts.by_username(session, "admin") is not None:
        return None
    password = secrets.token_urlsafe(12)
    user.username = "admin"
    user.password_hash = accounts.hash_password(password)
    audit.record(session, user, "user.password_set", "user", user.id)
    session.commit()
    return password
