"""Request limits: a cap on the body size (413 before the body is read), a cap on the
time the body takes to arrive (408: a client that sends half a body and waits holds no
connection for good), and no unknown query parameters (422: a misspelt parameter is
never silently ignored).

Who is asking comes before what was asked: these checks run app-wide, before a route's
own dependencies, so before refusing an input they first settle the route's
authentication (401) and declared role (403) themselves (:func:`authorize_first`). Only
a refused request pays for that; an accepted one is authenticated once, as before."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import deps
from api.errors import ApiError, ErrorBody, ErrorItem


def _has_body(scope: Scope) -> bool:
    """Whether the request declares a body (RFC 9112 §6.3: without Content-Length or
    Transfer-Encoding it has none). The calendar's GETs skip both wrappers that way: on
    the feeds' hot path their per-message hops were a measurable share of each request."""
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() not in (b"", b"0")):
            return True
    return False


class BodyLimit:
    """ASGI middleware: refuse a body larger than ``limit`` bytes with a JSON 413.

    A declared ``Content-Length`` above the limit is refused at once; a chunked body is
    counted as it arrives and refused when it passes the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge(self.limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = ErrorBody(detail=str(_TooLarge(self.limit).detail)).model_dump_json().encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class BodyTimeout:
    """ASGI middleware: a request whose body has not fully arrived ``seconds`` after the
    request began answers a JSON 408 and its connection is closed.

    The clock covers the whole body, not each chunk: a client trickling a byte a second
    is stopped too. Once the body is complete, ``receive`` is left alone (a streamed
    response waits on it for the client's disconnect). ``phancong serve`` also gives
    uvicorn its own keep-alive timeout, a second guard for idle connections.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.seconds
        complete = False
        timed_out = False
        started = False

        async def timed() -> Message:
            nonlocal complete, timed_out
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                timed_out = True
                raise _TooSlow(self.seconds) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if timed_out:
                    # The rest of the body may still come: this connection cannot be reused.
                    message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, timed, tracked)
        except _TooSlow:
            if not started:
                body = ErrorBody(detail=str(_TooSlow(self.seconds).detail)).model_dump_json().encode()
                headers = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ]
                await send({"type": "http.response.start", "status": 408, "headers": headers})
                await send({"type": "http.response.body", "body": body})


class _TooSlow(StarletteHTTPException):
    """Raised from ``receive`` when the body is late; answered as a JSON 408."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"Dữ liệu gửi lên không đến đủ trong {seconds:g} giây")


class _TooLarge(StarletteHTTPException):
    """Raised from ``receive``; an HTTPException so that FastAPI's body reading passes it on
    and the JSON error handler answers it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Dữ liệu gửi lên quá lớn (tối đa {limit} byte)")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


_KNOWN: dict[int, frozenset[str]] = {}


def known_query(route: APIRoute) -> frozenset[str]:
    """Names of the query parameters a route declares (cached per route)."""
    key = id(route)
    if key not in _KNOWN:
        _KNOWN[key] = frozenset(_query_names(route.dependant))
    return _KNOWN[key]


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


#: The role dependencies of :mod:`api.deps`: a route that declares one refuses the other
#: roles (403) before reading its input.
ROLE_GUARDS: tuple[Callable[..., Any], ...] = (
    deps.require_planner,
    deps.require_delegate,
    deps.require_planner_or_commune,
)
_CALLS: dict[int, tuple[Callable[..., Any], ...]] = {}


def dependency_calls(route: APIRoute) -> tuple[Callable[..., Any], ...]:
    """Every dependency of a route, sub-dependencies first (cached per route)."""
    key = id(route)
    if key not in _CALLS:
        _CALLS[key] = tuple(_calls(route.dependant))
    return _CALLS[key]


def _calls(dependant: Dependant) -> list[Callable[..., Any]]:
    found: list[Callable[..., Any]] = []
    for sub in dependant.dependencies:
        found += _calls(sub)
        if sub.call is not None:
            found.append(sub.call)
    return found


async def authorize_first(request: Request) -> None:
    """Raise the 401 or 403 the route would give this request, if any: called by an
    app-wide input check before it refuses (422), so that an anonymous caller learns it
    must sign in, and a caller of another role that it may not, not what to fix."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    calls = dependency_calls(route)
    if deps.bearer not in calls:
        return  # an open route (/health) or one with a secret of its own (a calendar feed)
    # Every route that reads the bearer token needs an account (/me/calendar reads it
    # without CurrentUser, to authenticate in its own query).
    user = await deps.current_user(request, await deps.bearer(request))
    for guard in ROLE_GUARDS:
        if guard in calls:
            await guard(user)


async def reject_unknown_query(request: Request) -> None:
    """App-wide dependency: 422 naming each query parameter the route does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or (route.openapi_extra and route.openapi_extra.get("x-any-query")):
        return
    unknown = [name for name in request.query_params if name not in known_query(route)]
    if unknown:
        await authorize_first(request)
        items = [
            ErrorItem(path=f"query.{name}", value=request.query_params.get(name), message="tham số không được hỗ trợ")
            for name in unknown
        ]
        raise ApiError(422, f"Tham số truy vấn không được hỗ trợ: {', '.join(unknown)}", items)


def json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode())
