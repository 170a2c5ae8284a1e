"""Control characters in path, query and header values: refused (422) before any route
reads them, so that a database never sees them (PostgreSQL refuses a NUL that SQLite
would keep; both must answer alike).

Request bodies are checked by their field types (:mod:`api.schemas.common`), and
imported documents by :mod:`models.storage.fit`; all three use :mod:`models.contract`.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.errors import ApiError, ErrorItem
from api.limits import authorize_first
from models.contract import refused

_HEADERS: dict[int, tuple[str, ...]] = {}


def declared_headers(route: APIRoute) -> tuple[str, ...]:
    """Names of the header parameters a route declares (cached per route)."""
    key = id(route)
    if key not in _HEADERS:
        _HEADERS[key] = tuple(sorted(_header_names(route.dependant)))
    return _HEADERS[key]


def _header_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.header_params}
    for sub in dependant.dependencies:
        names |= _header_names(sub)
    return names


async def reject_control_characters(request: Request) -> None:
    """App-wide dependency: 422 naming each path, query or declared header value that
    holds a character the databases would not store alike."""
    values = [(f"path.{name}", value) for name, value in request.path_params.items()]
    values += [(f"query.{name}", value) for name, value in request.query_params.multi_items()]
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        for name in declared_headers(route):
            values += [(f"header.{name}", value) for value in request.headers.getlist(name)]
    items = []
    for where, value in values:
        reason = refused(value) if isinstance(value, str) else None
        if reason is not None:
            items.append(ErrorItem(path=where, value=value, message=reason))
    if items:
        await authorize_first(request)  # 401 and 403 before any input error
        raise ApiError(422, f"Tham số có ký tự không được phép ({len(items)} lỗi)", items)
