"""The HTTP answer of a :class:`services.loop_errors.LoopError`: one status per kind,
the usual error body (``{detail, errors[]}``)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.errors import ErrorBody, ErrorItem
from services.loop_errors import LoopError

STATUS = {"not_found": 404, "forbidden": 403, "conflict": 409, "invalid": 422}


def install(app: FastAPI) -> None:
    @app.exception_handler(LoopError)
    async def _loop_error(_request: Request, exc: LoopError) -> JSONResponse:
        items = [ErrorItem(path=f.path, value=f.value, message=f.message) for f in exc.faults]
        body = ErrorBody(detail=exc.detail, errors=items).model_dump(mode="json")
        return JSONResponse(body, status_code=STATUS[exc.kind])
