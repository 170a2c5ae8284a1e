"""The planner's workspace as JSON (planners only): the month with who goes where, the
candidates for one seat, pins and bans, versions and their differences, workload and
robustness. Each route calls one use case of ``services/`` and returns its view as is;
the pages call the same functions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from api.deps import Planner, SessionDep
from api.errors import responses
from api.paging import PAGED, DirectoryPage
from api.routes.months import MonthPath
from api.schemas.common import Id, Out, PathId, Strict
from services import candidates, robustness, versions, workload, workspace
from services.candidates import CandidatesOut
from services.robustness import RobustnessOut
from services.versions import DiffOut, HistoryOut
from services.workload import WorkloadOut
from services.workspace import WEEK_PATTERN, Filters, WorkspaceOut

router = APIRouter(tags=["workspace"])
ScheduleQuery = Annotated[
    int | None, Query(ge=1, le=2_147_483_647, description="Mã bản lịch (mặc định: bản mới nhất của tháng)")
]
VersionQuery = Annotated[int, Query(ge=1, le=2_147_483_647)]


@router.get("/months/{month}/workspace", response_model=WorkspaceOut, responses=responses(401, 403, 404))
def read_workspace(
    month: MonthPath,
    planner: Planner,
    session: SessionDep,
    schedule: ScheduleQuery = None,
    agency: Annotated[str | None, Query(max_length=200, description="Cơ quan")] = None,
    tier: Annotated[int | None, Query(ge=1, le=4, description="Cấp: 1 Thường trực … 4 Chuyên viên")] = None,
    commune: Annotated[str | None, Query(max_length=64, description="Mã xã/phường")] = None,
    week: Annotated[str | None, Query(pattern=WEEK_PATTERN, description="Tuần ISO, ví dụ 2024-W10")] = None,
) -> WorkspaceOut:
    """Bàn làm việc của tháng: mọi hội nghị, ai đi đâu, chỗ trống và lý do, lọc theo cơ quan, cấp, xã, tuần."""
    filters = Filters(agency=agency, tier=tier, commune=commune, week=week)
    return workspace.month_view(session, planner, month, schedule_id=schedule, filters=filters)


@router.get(
    "/months/{month}/meetings/{meeting_id}/candidates",
    response_model=CandidatesOut,
    responses=responses(401, 403, 404),
)
def read_candidates(
    month: MonthPath,
    meeting_id: PathId,
    planner: Planner,
    session: SessionDep,
    schedule: ScheduleQuery = None,
    replace: Annotated[str | None, Query(max_length=64, description="Người được thay (mặc định: chỗ trống)")] = None,
) -> CandidatesOut:
    """Ai có thể nhận chỗ này: xếp theo điểm thay đổi; người vi phạm quy tắc bắt buộc kèm lý do."""
    return candidates.rank(session, planner, month, meeting_id, schedule_id=schedule, replace=replace)


class PinIn(Strict):
    kind: Literal["pinned", "forbidden"] = Field(description="pinned: ghim (phải giữ); forbidden: cấm")


class PinOut(Out):
    meeting: str
    delegate: str
    kind: str | None = Field(description="pinned, forbidden; null: không ghim, không cấm")


@router.get("/meetings/{meeting_id}/pins", response_model=list[PinOut], responses={**responses(401, 403), **PAGED})
def list_pins(meeting_id: PathId, planner: Planner, session: SessionDep, page: DirectoryPage) -> list[PinOut]:
    """Các cặp ghim và cấm của một hội nghị."""
    pins = candidates.pins_of(session, planner, meeting_id)
    return [PinOut(meeting=p.meeting, delegate=p.delegate, kind=p.kind) for p in page.items(pins)]


@router.put("/meetings/{meeting_id}/pins/{delegate_id}", response_model=PinOut, responses=responses(401, 403, 404, 409))
def set_pin(meeting_id: PathId, delegate_id: Id, body: PinIn, planner: Planner, session: SessionDep) -> PinOut:
    """Ghim (mọi lịch của tháng phải giữ) hoặc cấm (không lịch nào được có) một đại biểu ở hội nghị."""
    action = candidates.pin if body.kind == "pinned" else candidates.forbid
    state = action(session, planner, meeting_id, delegate_id)
    return PinOut(meeting=state.meeting, delegate=state.delegate, kind=body.kind)


@router.delete("/meetings/{meeting_id}/pins/{delegate_id}", response_model=PinOut, responses=responses(401, 403, 404))
def delete_pin(meeting_id: PathId, delegate_id: Id, planner: Planner, session: SessionDep) -> PinOut:
    """Bỏ ghim hoặc bỏ cấm."""
    state = candidates.release(session, planner, meeting_id, delegate_id)
    return PinOut(meeting=state.meeting, delegate=state.delegate, kind=None)


@router.get("/months/{month}/versions", response_model=HistoryOut, responses=responses(401, 403))
def read_versions(month: MonthPath, planner: Planner, session: SessionDep) -> HistoryOut:
    """Lịch sử các bản lịch của tháng (nháp và đã công bố), cũ trước."""
    return versions.history(session, planner, month)


@router.get("/months/{month}/versions/diff", response_model=DiffOut, responses=responses(401, 403, 404))
def read_diff(
    month: MonthPath,
    planner: Planner,
    session: SessionDep,
    from_: Annotated[VersionQuery, Query(alias="from", description="Mã bản trước")],
    to: Annotated[VersionQuery, Query(description="Mã bản sau")],
) -> DiffOut:
    """Khác nhau giữa hai bản lịch: hội nghị đổi người, đổi giờ, thêm, bớt."""
    return versions.diff(session, planner, month, from_, to)


@router.get("/months/{month}/workload", response_model=WorkloadOut, responses=responses(401, 403, 404))
def read_workload(
    month: MonthPath, planner: Planner, session: SessionDep, schedule: ScheduleQuery = None
) -> WorkloadOut:
    """Số buổi của mỗi đại biểu tháng này và mười hai tháng trước, theo nhóm cấp (dữ liệu biểu đồ cân bằng)."""
    return workload.workload(session, planner, month, schedule_id=schedule)


@router.get("/months/{month}/robustness", response_model=RobustnessOut, responses=responses(401, 403, 404, 413))
def read_robustness(
    month: MonthPath,
    planner: Planner,
    session: SessionDep,
    absences: Annotated[bool, Query(description="Giải lại khi từng đại biểu vắng cả tháng")] = False,
    days: Annotated[bool, Query(description="Xét cả vắng từng ngày (cần absences)")] = False,
    time_limit: Annotated[float, Query(gt=0, le=robustness.MAX_SECONDS, description="Giây mỗi lần giải lại")] = 2.0,
) -> RobustnessOut:
    """Độ vững của lịch đang hiệu lực: chỗ khó thay người; vắng ai thì phải đổi nhiều nhất."""
    return robustness.robustness(session, planner, month, absences=absences, days=days, time_limit=time_limit)
