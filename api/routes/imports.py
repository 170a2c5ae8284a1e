"""Import of an instance: a JSON document or an Excel workbook, in one transaction.

One bad row and nothing is written; the 422 answer lists every bad row (with its sheet
and row for a workbook).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request

from api.deps import Planner, SessionDep
from api.errors import ApiError, ErrorItem, input_error, responses
from api.schemas.people import ImportOut
from models.errors import InputError
from models.storage import importer
from models.storage.excel import MIME, WorkbookError, WorkbookTooLarge, located_message
from services import imports

router = APIRouter(tags=["import"])
WRITE = responses(401, 403, 409, 413, 422)


async def raw_body(request: Request) -> bytes:
    """The request body as bytes (read here so that the route itself can run in a thread)."""
    return await request.body()


def _summary(summary: importer.ImportSummary) -> ImportOut:
    return ImportOut(**vars(summary))


@router.post("/imports/instance", response_model=ImportOut, responses=WRITE)
def import_instance(
    planner: Planner,
    session: SessionDep,
    document: dict[str, Any] = Body(  # noqa: B008  (FastAPI's way to declare a free-form body)
        description="Tài liệu phancong-instance/1 (xem models/schemas/instance.schema.json)"
    ),
) -> ImportOut:
    """Nhập tệp bài toán JSON: tất cả hoặc không gì cả."""
    try:
        summary = imports.import_document(session, planner, document)
    except InputError as error:
        raise input_error(error) from None
    return _summary(summary)


@router.post(
    "/imports/workbook",
    response_model=ImportOut,
    responses=WRITE,
    openapi_extra={
        "requestBody": {"required": True, "content": {MIME: {"schema": {"type": "string", "format": "binary"}}}}
    },
)
def import_workbook(data: Annotated[bytes, Depends(raw_body)], planner: Planner, session: SessionDep) -> ImportOut:
    """Nhập tệp Excel (.xlsx) theo mẫu: tất cả hoặc không gì cả."""
    try:
        summary = imports.import_workbook(session, planner, data)
    except WorkbookTooLarge as error:
        raise ApiError(413, error.issues[0].message) from None
    except WorkbookError as error:
        items = [
            ErrorItem(path=issue.path, value=issue.value, message=located_message(issue, place), sheet=sheet, row=row)
            for (issue, sheet, row), place in zip(error.located(), error.places, strict=True)
        ]
        raise ApiError(422, error.render().splitlines()[0], items) from None
    except InputError as error:
        raise input_error(error) from None
    return _summary(summary)
