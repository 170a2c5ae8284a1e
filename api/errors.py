"""Error bodies and handlers: always JSON, in Vietnamese, naming the field and the value;
never a traceback.

Every error response has the shape of :class:`ErrorBody`: a sentence (``detail``) and,
when the fault is in the input, one item per bad field or row (``errors``). The service
layer's refusals (:mod:`services.errors`) get their HTTP status here and only here
(:data:`STATUSES`).
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from models.contract import printable
from models.errors import InputError, Issue, json_path
from models.reasons import reason
from services import errors as domain

log = logging.getLogger("phancong.api")


class ErrorItem(BaseModel):
    path: str = Field(
        description="Where: a JSON path in the body ($.meetings[3].commune), or path.x, query.x, header.x"
    )
    value: Any = Field(default=None, description="The offending value")
    message: str = Field(description="What is wrong, in Vietnamese")
    sheet: str | None = Field(default=None, description="Excel import: the sheet")
    row: int | None = Field(default=None, description="Excel import: the row number as Excel shows it")

    @field_validator("path", "value", mode="before")
    @classmethod
    def _sendable(cls, value: Any) -> Any:
        # The offending value is whatever was sent, and the answer must still be UTF-8 JSON.
        return _plain(value)


class ErrorBody(BaseModel):
    detail: str
    errors: list[ErrorItem] = Field(default_factory=list)


class ApiError(Exception):
    """An error response to send: status, sentence, items and headers."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[ErrorItem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers


DESCRIPTIONS = {
    304: "Không thay đổi (If-None-Match)",
    400: "Yêu cầu sai",
    401: "Chưa xác thực (thiếu hoặc sai mã truy cập)",
    403: "Không có quyền",
    404: "Không tìm thấy",
    409: "Xung đột với dữ liệu hiện có",
    412: "ETag đã cũ (If-Match không khớp)",
    408: "Dữ liệu gửi lên không đến kịp (hết thời gian chờ)",
    413: "Dữ liệu quá lớn",
    422: "Dữ liệu không hợp lệ",
    428: "Thiếu If-Match",
    429: "Quá nhiều lượt giải đang chạy",
    503: "Cơ sở dữ liệu không trả lời",
}


STATUSES: dict[type[domain.ServiceError], int] = {
    domain.NotFound: 404,
    domain.Forbidden: 403,
    domain.Conflict: 409,
    domain.Invalid: 422,
    domain.TooLarge: 413,
    domain.TooMany: 429,
    domain.PreconditionFailed: 412,
    domain.PreconditionRequired: 428,
}


def from_service(error: domain.ServiceError) -> ApiError:
    """The response that says a service's refusal: its status, sentence and items."""
    status = next((STATUSES[kind] for kind in type(error).__mro__ if kind in STATUSES), 400)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, domain.TooMany) else None
    return ApiError(status, error.detail, issue_items(error.issues), headers)


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer.

    422 is always among them: any route refuses an unknown query parameter.
    """
    return {code: {"model": ErrorBody, "description": DESCRIPTIONS[code]} for code in sorted({*codes, 422})}


def issue_items(issues: list[Issue], prefix: str = "") -> list[ErrorItem]:
    return [ErrorItem(path=prefix + i.path if prefix else i.path, value=i.value, message=i.message) for i in issues]


def input_error(error: InputError, status: int = 422) -> ApiError:
    return ApiError(status, error.render().splitlines()[0], issue_items(error.issues))


def _where(loc: tuple[Any, ...]) -> str:
    if not loc:
        return "$"
    head, rest = loc[0], list(loc[1:])
    if head == "body":
        return json_path(rest)
    return ".".join([str(head), *(str(part) for part in rest)])


def validation_items(errors: list[dict[str, Any]]) -> list[ErrorItem]:
    items = []
    for error in errors:
        value = error.get("input")
        if error.get("type") == "missing":
            value = None
        items.append(ErrorItem(path=_where(tuple(error.get("loc", ()))), value=value, message=reason(error)))
    return items


#: Characters of a sent text echoed back: enough to recognise it, where a megabyte sent
#: in one field came back whole in the refusal.
ECHOED = 1000


def _plain(value: Any) -> Any:
    """The value as UTF-8 JSON can carry it (bytes and odd objects become text, a lone
    surrogate is written as its escape, a NaN as the text ``NaN``), a long text cut to its
    first :data:`ECHOED` characters and its length."""
    if isinstance(value, str):
        if len(value) > ECHOED:
            return f"{printable(value[:ECHOED])}… ({len(value)} ký tự)"
        return printable(value)
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)  # NaN, Infinity or -Infinity, as it was sent
    if value is None or isinstance(value, int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value][:20]
    if isinstance(value, dict):
        return {printable(str(k)): _plain(v) for k, v in list(value.items())[:50]}
    return printable(str(value)[:200])


def _body(detail: str, errors: list[ErrorItem] | None = None) -> dict[str, Any]:
    return ErrorBody(detail=detail, errors=errors or []).model_dump(mode="json")


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the :class:`ErrorBody` shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(_body(exc.detail, exc.errors), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(domain.ServiceError)
    async def _service_error(_request: Request, exc: domain.ServiceError) -> JSONResponse:
        error = from_service(exc)
        return JSONResponse(_body(error.detail, error.errors), status_code=error.status, headers=error.headers)

    @app.exception_handler(InputError)
    async def _input_error(_request: Request, exc: InputError) -> JSONResponse:
        error = input_error(exc)
        return JSONResponse(_body(error.detail, error.errors), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        items = validation_items(list(exc.errors()))
        return JSONResponse(_body(f"Dữ liệu gửi lên không hợp lệ ({len(items)} lỗi)", items), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else DESCRIPTIONS.get(exc.status_code, "Lỗi")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 400:
            # FastAPI's "error parsing the body": a body that is not UTF-8 JSON. Input, so 422.
            message = "nội dung không phải JSON UTF-8 hợp lệ"
            return JSONResponse(_body("Dữ liệu gửi lên không đọc được", [ErrorItem(path="$", message=message)]), 422)
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed(request))
        return JSONResponse(_body(_TRANSLATED.get(detail, detail)), status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("lỗi không lường trước ở %s %s", request.method, request.url.path)
        return JSONResponse(_body("Lỗi máy chủ; thao tác chưa được ghi. Vui lòng thử lại hoặc báo quản trị."), 500)


def _allowed(request: Request) -> list[str]:
    """Every method some route offers at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, APIRoute) and route.matches(request.scope)[0] != Match.NONE:
            methods |= set(route.methods or ()) - {"HEAD"}
    return sorted(methods)


_TRANSLATED = {
    "Not Found": "Không tìm thấy",
    "Method Not Allowed": "Phương thức không được hỗ trợ",
    "Not authenticated": "Chưa xác thực",
    "Content Too Large": "Dữ liệu quá lớn",
}
