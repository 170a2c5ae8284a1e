"""A month's documents for planners: the notice (DOCX, PDF) and the schedule as CSV, the
blank instance template, and the notice's settings. The rules are in
:mod:`services.documents`; these routes only present the bytes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response as RawResponse

from api.deps import Planner, SessionDep
from api.errors import responses
from models.documents.notice import NoticeSettings
from models.storage.clock import MONTH_PATTERN
from models.storage.excel import MIME
from services import documents

router = APIRouter(tags=["documents"])
MonthPath = Annotated[str, Path(pattern=MONTH_PATTERN, examples=["2024-03"])]
ScheduleQuery = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="Mã một bản lịch của tháng (bản nháp: có dấu DỰ THẢO)")
]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _binary(media: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media: {"schema": {"type": "string", "format": "binary"}}}}}


def _file(body: bytes, media: str, name: str) -> RawResponse:
    return RawResponse(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get(
    "/months/{month}/notice.docx",
    response_class=RawResponse,
    responses={**_binary(DOCX), **responses(401, 403, 404, 409, 422)},
)
def notice_docx(month: MonthPath, user: Planner, session: SessionDep, schedule: ScheduleQuery = None) -> RawResponse:
    """Thông báo phân công của lịch đã công bố, dạng Word (sửa được trước khi ký).

    Với ``schedule``: thông báo của bản lịch đó (một bản nháp có dấu DỰ THẢO)."""
    return _file(documents.notice(session, user, month, "docx", schedule), DOCX, f"thong-bao-phan-cong-{month}.docx")


@router.get(
    "/months/{month}/notice.pdf",
    response_class=RawResponse,
    responses={**_binary("application/pdf"), **responses(401, 403, 404, 409, 422)},
)
def notice_pdf(month: MonthPath, user: Planner, session: SessionDep, schedule: ScheduleQuery = None) -> RawResponse:
    """Thông báo phân công của lịch đã công bố, dạng PDF.

    Với ``schedule``: thông báo của bản lịch đó (một bản nháp có dấu DỰ THẢO)."""
    body = documents.notice(session, user, month, "pdf", schedule)
    return _file(body, "application/pdf", f"thong-bao-phan-cong-{month}.pdf")


@router.get(
    "/months/{month}/schedule.csv",
    response_class=RawResponse,
    responses={**_binary("text/csv"), **responses(401, 403, 409, 422)},
)
def schedule_csv(month: MonthPath, user: Planner, session: SessionDep) -> RawResponse:
    """Lịch đã công bố dạng CSV (UTF-8 có BOM, Excel mở đúng dấu)."""
    return _file(documents.schedule_csv(session, user, month), "text/csv; charset=utf-8", f"phan-cong-{month}.csv")


@router.get("/templates/instance.xlsx", response_class=RawResponse, responses={**_binary(MIME), **responses(401, 403)})
def instance_template(user: Planner) -> RawResponse:
    """Tệp Excel mẫu để điền bài toán (nhập lại bằng POST /imports/workbook)."""
    return _file(documents.template(user), MIME, "mau-bai-toan.xlsx")


@router.get("/settings/notice", response_model=NoticeSettings, responses=responses(401, 403, 409))
def read_notice_settings(user: Planner, session: SessionDep) -> NoticeSettings:
    """Thiết lập của thông báo: cơ quan ban hành, số, nơi ký, người ký, nơi nhận.

    409: thiết lập đã lưu từ trước khi có các quy tắc hiện nay và vi phạm chúng (nêu từng
    trường); gửi lại bằng PUT."""
    return documents.notice_settings(session, user)


@router.put("/settings/notice", response_model=NoticeSettings, responses=responses(401, 403, 422))
def write_notice_settings(body: NoticeSettings, user: Planner, session: SessionDep) -> NoticeSettings:
    """Sửa thiết lập của thông báo (trường bỏ qua lấy giá trị mặc định).

    Bắt buộc: cơ quan cấp trên, cơ quan ban hành, tên cơ quan trong câu văn, ký hiệu (TB/…),
    địa danh, chức vụ người ký, nơi nhận (ít nhất một nơi và dòng “Lưu …”). Số văn bản chỉ
    gồm chữ số hoặc để trống (ghi tay khi vào sổ). 422 nêu từng trường sai và giá trị gửi."""
    return documents.set_notice_settings(session, user, body)
