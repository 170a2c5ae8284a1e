"""Errors of the pages as Vietnamese HTML pages (404, 403, 500…), the JSON API's as before.

The JSON handlers of :mod:`api.errors` are wrapped: a request to a page (a route of
:mod:`web`), or one to no route at all from a browser (``Accept: text/html``), gets an
HTML page; every other request gets exactly the JSON it got before. A page that needs a
signed-in account redirects to /dang-nhap instead of answering 401, with the address to
come back to after signing in (``next``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import ApiError, from_service
from models.errors import InputError
from services.errors import ServiceError
from web.session import CsrfRefused, SignInRequired, viewer
from web.templating import render

log = logging.getLogger("phancong.web")

TITLES = {
    400: "Yêu cầu không hợp lệ",
    403: "Không có quyền xem trang này",
    404: "Không tìm thấy trang",
    405: "Thao tác không được hỗ trợ",
    409: "Xung đột dữ liệu",
    413: "Dữ liệu gửi lên quá lớn",
    422: "Dữ liệu không hợp lệ",
    429: "Tạm khóa",
    500: "Lỗi máy chủ",
}
#: The headline of a refused form: its 403 is no "you may not see this page".
CSRF_TITLE = "Biểu mẫu đã hết hạn"
Handler = Callable[[Request, Any], Awaitable[Response]]
AnyHandler = Callable[[Request, Any], Response | Awaitable[Response]]


def is_page(request: Request) -> bool:
    route = request.scope.get("route")
    endpoint = getattr(route, "endpoint", None)
    if endpoint is not None:
        return str(getattr(endpoint, "__module__", "")).startswith("web.")
    return "text/html" in request.headers.get("accept", "")


def page(request: Request, status: int, message: str, title: str | None = None) -> Response:
    title = title or TITLES.get(status, "Có lỗi")
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def _status_and_message(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, CsrfRefused):
        return 403, "Biểu mẫu thiếu mã xác nhận (CSRF) hoặc đã hết hạn; hãy tải lại trang rồi gửi lại."
    if isinstance(exc, ServiceError):
        error = from_service(exc)
        return error.status, error.detail
    if isinstance(exc, ApiError):
        return exc.status, exc.detail
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return 404, "Địa chỉ này không có trên hệ thống. Hãy kiểm tra lại đường dẫn."
        if exc.status_code == 405:
            return 405, "Trang này không nhận thao tác đó."
        return exc.status_code, TITLES.get(exc.status_code, "Có lỗi")
    if isinstance(exc, RequestValidationError | InputError):
        return 422, "Địa chỉ hoặc dữ liệu gửi lên không hợp lệ."
    return 500, "Đã có lỗi ở máy chủ; thao tác chưa được ghi. Vui lòng thử lại hoặc báo quản trị."


def come_back_to(request: Request) -> str | None:
    """Where to go after signing in: this address with its query for a GET; for a form
    sent from an ended session, the page of this site the form was on (its Referer),
    since a GET of the form's own address would not be the form (405); else None."""
    if request.method in ("GET", "HEAD"):
        query = request.url.query
        return request.url.path + (f"?{query}" if query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    # Only this site's own pages: a Referer of another host is never followed.
    if referer.netloc != request.url.netloc or not referer.path.startswith("/") or referer.path == "/dang-nhap":
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = come_back_to(request)
    # Encoded whole (its "?" and "&" too), so that the query stays inside ``next``;
    # the sign-in page still accepts only a path of this site (web.pages._safe_next).
    where = "/dang-nhap" if target is None else f"/dang-nhap?next={quote(target, safe='/')}"
    return RedirectResponse(where, status_code=303)


def _wrap(json_handler: AnyHandler | None) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if isinstance(exc, SignInRequired):
            return sign_in_redirect(request)
        if is_page(request) or json_handler is None:
            status, message = _status_and_message(exc)
            if status == 401:
                return sign_in_redirect(request)
            if status == 500:
                log.exception("lỗi không lường trước ở trang %s %s", request.method, request.url.path, exc_info=exc)
            else:
                # So that an error page keeps the signed-in menu (a 500 does not touch the database again).
                with contextlib.suppress(Exception):
                    await viewer(request)
            return page(request, status, message, CSRF_TITLE if isinstance(exc, CsrfRefused) else None)
        answer = json_handler(request, exc)
        return answer if isinstance(answer, Response) else await answer

    return handler


def install(app: FastAPI) -> None:
    """Wrap the JSON handlers already registered (call after :func:`api.errors.install`)."""
    kinds: tuple[type[Exception], ...] = (
        StarletteHTTPException,
        ApiError,
        ServiceError,
        InputError,
        RequestValidationError,
        Exception,
    )
    for kind in kinds:
        app.add_exception_handler(kind, _wrap(app.exception_handlers.get(kind)))
    app.add_exception_handler(SignInRequired, _wrap(None))
    app.add_exception_handler(CsrfRefused, _wrap(None))
