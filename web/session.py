"""Who is signed in to the pages: a session cookie, and the CSRF tokens of the forms.

The cookie holds a random secret whose SHA-256 is the key of a ``web_sessions`` row
(:mod:`models.storage.accounts`); it is HttpOnly, SameSite=Lax, and Secure when the
request came over HTTPS or ``PHANCONG_SECURE_COOKIES`` is set (behind a proxy that
ends TLS). Signed-in forms carry the session's CSRF token; the forms used before signing
in (sign-in, first sign-in) compare theirs with a cookie of its own (double submit).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from models.storage import accounts
from models.storage.db import Database
from models.storage.tables import UserRow, WebSessionRow

COOKIE = "phancong_phien"
PRE_COOKIE = "phancong_csrf"


@dataclass(frozen=True)
class Viewer:
    user: UserRow
    session: WebSessionRow
    token: str

    @property
    def csrf(self) -> str:
        return self.session.csrf_token


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to /dang-nhap."""


class CsrfRefused(Exception):
    """A form without the right CSRF token: refused (403), nothing written."""


def secure(request: Request) -> bool:
    return request.url.scheme == "https" or bool(request.app.state.settings.secure_cookies)


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=secure(request), path="/")


def start(response: Response, request: Request, token: str) -> None:
    set_cookie(response, request, COOKIE, token, accounts.SESSION_HOURS * 3600)


def end(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def _lookup(database: Database, token: str) -> Viewer | None:
    with database.reader() as session:
        found = accounts.find_session(session, token)
        if found is None:
            return None
        row, user = found
        session.expunge_all()
        return Viewer(user, row, token)


async def viewer(request: Request) -> Viewer | None:
    """The signed-in account of this request, or None (remembered on ``request.state``)."""
    if hasattr(request.state, "viewer"):
        found: Viewer | None = request.state.viewer
        return found
    token = request.cookies.get(COOKIE)
    found = None
    if token and len(token) < 200:
        found = await run_in_threadpool(_lookup, request.app.state.database, token)
    request.state.viewer = found
    return found


async def require(request: Request) -> Viewer:
    found = await viewer(request)
    if found is None:
        raise SignInRequired
    return found


def check(form: Any, expected: str | None) -> None:
    """Refuse a form whose ``csrf`` field is missing or is not ``expected``."""
    sent = form.get("csrf")
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused


def pre_token(request: Request) -> str:
    """The double-submit token of the forms shown before signing in (kept if the cookie has one)."""
    current = request.cookies.get(PRE_COOKIE)
    return current if current and 20 <= len(current) <= 100 else secrets.token_urlsafe(32)


def keep_pre_token(response: Response, request: Request, token: str) -> None:
    set_cookie(response, request, PRE_COOKIE, token, 2 * 3600)
