"""What-if scenarios (planners): made against a month's data and its published schedule,
run as jobs, compared; the published schedule is only ever read.

A scenario is the month as stored plus an ordered list of changes, the ``changes`` of a
scenario file. It keeps the published version in force when it was made: every run
keeps that version as much as the mode asks (``reference``) and lists what changes
against it, with reasons. A scenario stays editable after it was run: new changes (or a
new mode) make a new revision, the results of earlier runs are kept with the revision
and the changes they ran, and one shown against a changed scenario says ``stale``.
Nothing here creates or changes a schedule version; a run's result is its own record.
The rules are in :mod:`services.scenarios`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import Field

from api.deps import Planner, RunnerDep, SessionDep, SettingsDep
from api.errors import issue_items, responses
from api.paging import PAGED, DirectoryPage
from api.present_scenarios import compare_out, result_out, scenario_out, scenario_summary, solution
from api.routes.solves import IdempotencyKey, started_out
from api.schemas.common import Deleted, IntId, Month
from api.schemas.jobs import JobOut
from api.schemas.scenarios import (
    CompareOut,
    RunIn,
    ScenarioIn,
    ScenarioOut,
    ScenarioPatch,
    ScenarioResultOut,
    ScenarioSummary,
)
from models.solution import Solution
from models.storage import scenarios as store
from models.storage.tables import ScenarioRow
from services import scenarios
from services.scenario_runs import described

router = APIRouter(tags=["scenarios"])
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 412, 413, 422)
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=200, description="ETag của kịch bản")]
ScenarioIds = Annotated[
    list[Annotated[int, Field(ge=1, le=2_147_483_647)]],
    Query(alias="id", min_length=1, max_length=10, description="Mã các kịch bản, lặp lại tham số: ?id=1&id=2"),
]


def _answer(response: Response, scenario: ScenarioRow) -> None:
    response.headers["ETag"] = store.etag(scenario)


def _out(session: SessionDep, shown: scenarios.Shown) -> ScenarioOut:
    prepared = shown.prepared
    return scenario_out(session, shown.scenario, described(prepared), list(prepared.built.notes), [])


@router.get("/scenarios", response_model=list[ScenarioSummary], responses={**responses(401, 403, 422), **PAGED})
def list_scenarios(
    _: Planner,
    session: SessionDep,
    page: DirectoryPage,
    month: Annotated[Month | None, Query(description="YYYY-MM")] = None,
) -> list[ScenarioSummary]:
    """Các kịch bản giả định, lọc theo tháng."""
    return [scenario_summary(session, s) for s in page.items(store.listing(session, month))]


@router.post("/scenarios", status_code=status.HTTP_201_CREATED, response_model=ScenarioOut, responses=WRITE)
def create_scenario(body: ScenarioIn, planner: Planner, session: SessionDep, response: Response) -> ScenarioOut:
    """Tạo kịch bản trên dữ liệu của tháng, so với bản lịch đang có hiệu lực (nếu có).

    Các thay đổi được kiểm tra ngay: kiểu, trường, và mọi mã tham chiếu (422 nêu đường
    dẫn ``$.changes[i]…`` và giá trị)."""
    shown = scenarios.create(
        session,
        planner,
        name=body.name,
        month=body.month,
        changes=body.changes,
        mode=body.mode,
        description=body.description,
    )
    _answer(response, shown.scenario)
    response.headers["Location"] = f"/scenarios/{shown.scenario.id}"
    return _out(session, shown)


@router.get("/scenario-comparison", response_model=CompareOut, responses=responses(401, 403, 404, 409, 422))
def compare_scenarios(_: Planner, session: SessionDep, ids: ScenarioIds) -> CompareOut:
    """So sánh kết quả chạy gần nhất của các kịch bản: trạng thái, điểm từng tiêu chí, số chỗ
    đã có người, hội nghị cần quan tâm có lãnh đạo, số buổi ít nhất–nhiều nhất theo nhóm,
    số phân công khác lịch gốc, rồi các phân công thay đổi (như `phancong scenario compare`)."""
    return compare_out(scenarios.results_to_compare(session, ids))


@router.get("/scenarios/{scenario_id}", response_model=ScenarioOut, responses=READ)
def read_scenario(scenario_id: IntId, _: Planner, session: SessionDep, response: Response) -> ScenarioOut:
    """Kịch bản, từng thay đổi bằng lời, và vì sao nó không còn áp dụng được nếu dữ liệu đã đổi."""
    scenario, prepared, problems = scenarios.show(session, scenario_id)
    _answer(response, scenario)
    if prepared is None:
        return scenario_out(session, scenario, [], [], issue_items(problems))
    return _out(session, scenarios.Shown(scenario, prepared))


@router.patch("/scenarios/{scenario_id}", response_model=ScenarioOut, responses=WRITE)
def update_scenario(
    scenario_id: IntId,
    body: ScenarioPatch,
    planner: Planner,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ScenarioOut:
    """Sửa kịch bản (chỉ các trường gửi lên; changes gửi lên thay cả danh sách). Đổi
    changes hoặc mode là một phiên bản mới: kết quả cũ được giữ và ghi là đã cũ."""
    fields = body.model_dump(exclude_unset=True, exclude={"changes"})
    shown = scenarios.update(
        session, planner, scenario_id, fields, changes=body.changes, mode=body.mode, if_match=if_match
    )
    _answer(response, shown.scenario)
    return _out(session, shown)


@router.delete("/scenarios/{scenario_id}", response_model=Deleted, responses=responses(401, 403, 404, 412, 422))
def delete_scenario(
    scenario_id: IntId, planner: Planner, session: SessionDep, runner: RunnerDep, if_match: IfMatch = None
) -> Deleted:
    """Xóa kịch bản và các kết quả của nó (các lượt đang chạy được dừng). Lịch đã công bố không bị ảnh hưởng."""
    scenarios.delete(session, planner, runner, scenario_id, if_match)
    return Deleted(deleted=str(scenario_id))


@router.post(
    "/scenarios/{scenario_id}/runs",
    status_code=status.HTTP_201_CREATED,
    response_model=JobOut,
    responses=responses(401, 403, 404, 409, 413, 422, 429),
)
def run_scenario(
    scenario_id: IntId,
    planner: Planner,
    session: SessionDep,
    settings: SettingsDep,
    runner: RunnerDep,
    response: Response,
    body: RunIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JobOut:
    """Chạy kịch bản: trả về lượt chạy (job) để theo dõi như lượt giải (GET /jobs/{id}, /events).

    Không tạo bản nháp nào; kết quả xem ở GET /scenarios/{id}/result."""
    body = body or RunIn()
    started = scenarios.run(
        session,
        planner,
        settings,
        runner,
        scenario_id,
        mode=body.mode,
        seconds=body.time_limit,
        idempotency_key=idempotency_key,
    )
    return started_out(started, response)


@router.get("/scenarios/{scenario_id}/result", response_model=ScenarioResultOut, responses=READ)
def read_result(scenario_id: IntId, _: Planner, session: SessionDep) -> ScenarioResultOut:
    """Kết quả lần chạy gần nhất: lịch của kịch bản, điểm từng tiêu chí, các hội nghị đổi
    người (trước → sau, lý do), chỗ trống, và số thay đổi có được chứng minh là ít nhất."""
    scenario = scenarios.get_scenario(session, scenario_id)
    return result_out(session, scenario, scenarios.latest_result(session, scenario))


@router.get("/scenarios/{scenario_id}/solution.json", response_model=Solution, responses=READ)
def export_solution(scenario_id: IntId, _: Planner, session: SessionDep) -> Solution:
    """Lịch của lần chạy gần nhất, định dạng phancong-solution/1 (không phải một bản lịch của tháng)."""
    scenario = scenarios.get_scenario(session, scenario_id)
    return solution(session, scenario, scenarios.latest_result(session, scenario))
