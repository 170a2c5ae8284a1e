"""Request limits: a cap on the body size (413 before the body is read), and no unknown
query parameters (422: a misspelt parameter is never silently ignored)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, ErrorBody, ErrorItem


class BodyLimit:
    """ASGI middleware: refuse a body larger than ``limit`` bytes with a JSON 413.

    A declared ``Content-Length`` above the limit is refused at once; a chunked body is
    counted as it arrives and refused when it passes the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
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


async def reject_unknown_query(request: Request) -> None:
    """App-wide dependency: 422 naming each query parameter the route does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or (route.openapi_extra and route.openapi_extra.get("x-any-query")):
        return
    unknown = [name for name in request.query_params if name not in known_query(route)]
    if unknown:
        items = [
            ErrorItem(path=f"query.{name}", value=request.query_params.get(name), message="tham số không được hỗ trợ")
            for name in unknown
        ]
        raise ApiError(422, f"Tham số truy vấn không được hỗ trợ: {', '.join(unknown)}", items)


def json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode())
