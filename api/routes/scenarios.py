"""What-if scenarios (planners): made against a month's data and its published schedule,
run as jobs, compared; the published schedule is only ever read.

A scenario is the month as stored plus an ordered list of changes, the ``changes`` of a
scenario file. It keeps the published version in force when it was made: every run
keeps that version as much as the mode asks (``reference``) and lists what changes
against it, with reasons. A scenario stays editable after it was run: new changes (or a
new mode) make a new revision, the results of earlier runs are kept with the revision
and the changes they ran, and one shown against a changed scenario says ``stale``.
Nothing here creates or changes a schedule version; a run's result is its own record.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import Field
from sqlalchemy.exc import IntegrityError

from api import etags
from api.deps import Planner, RunnerDep, SessionDep, SettingsDep
from api.errors import ApiError, ErrorItem, responses
from api.present import job_out
from api.present_scenarios import compare_out, result_out, scenario_out, scenario_summary, solution
from api.routes.solves import IdempotencyKey, check_size, take_solve_slot
from api.scenario_runs import Prepared, ScenarioOrder, as_mode, described, prepare
from api.schemas.common import Deleted, IntId, Month
from api.schemas.jobs import JobOut
from api.schemas.scenario_changes import load_changes, stored
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
from models.storage import audit, jobs, schedules
from models.storage import scenarios as store
from models.storage.tables import JobRow, ScenarioResultRow, ScenarioRow

router = APIRouter(tags=["scenarios"])
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 412, 413, 422)
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=200, description="ETag của kịch bản")]
ScenarioIds = Annotated[
    list[Annotated[int, Field(ge=1, le=2_147_483_647)]],
    Query(alias="id", min_length=1, max_length=10, description="Mã các kịch bản, lặp lại tham số: ?id=1&id=2"),
]


def get_scenario(session: SessionDep, scenario_id: int) -> ScenarioRow:
    scenario = session.get(ScenarioRow, scenario_id)
    if scenario is None:
        raise ApiError(404, f"Không có kịch bản {scenario_id}")
    return scenario


def check_etag(scenario: ScenarioRow, if_match: str | None) -> None:
    """412 when ``If-Match`` is sent and does not hold (RFC 7232); 422 when malformed."""
    if if_match is None:
        return
    current = store.etag(scenario)
    try:
        holds = etags.if_match(if_match, current)
    except etags.MalformedIfMatch:
        message = 'cần * hoặc danh sách ETag trong dấu ngoặc kép, cách nhau bởi dấu phẩy (ví dụ "k1-r2")'
        item = ErrorItem(path="header.If-Match", value=if_match, message=message)
        raise ApiError(422, "Tiêu đề If-Match không đúng cú pháp", [item]) from None
    if not holds:
        raise ApiError(412, f"ETag {if_match} không khớp; kịch bản hiện là {current}: hãy tải lại")


def _answer(response: Response, scenario: ScenarioRow) -> None:
    response.headers["ETag"] = store.etag(scenario)


def _out(session: SessionDep, scenario: ScenarioRow, prepared: Prepared) -> ScenarioOut:
    return scenario_out(session, scenario, described(prepared), list(prepared.built.notes), [])


@router.get("/scenarios", response_model=list[ScenarioSummary], responses=responses(401, 403, 422))
def list_scenarios(
    _: Planner, session: SessionDep, month: Annotated[Month | None, Query(description="YYYY-MM")] = None
) -> list[ScenarioSummary]:
    return [scenario_summary(session, s) for s in store.listing(session, month)]


@router.post("/scenarios", status_code=status.HTTP_201_CREATED, response_model=ScenarioOut, responses=WRITE)
def create_scenario(body: ScenarioIn, planner: Planner, session: SessionDep, response: Response) -> ScenarioOut:
    """Tạo kịch bản trên dữ liệu của tháng, so với bản lịch đang có hiệu lực (nếu có).

    Các thay đổi được kiểm tra ngay: kiểu, trường, và mọi mã tham chiếu (422 nêu đường
    dẫn ``$.changes[i]…`` và giá trị)."""
    base = schedules.current(session, body.month)
    prepared = prepare(session, body.month, base.id if base else None, body.changes, body.mode)
    scenario = store.create(
        session,
        name=body.name,
        description=body.description,
        month=body.month,
        mode=body.mode,
        changes=stored(body.changes),
        base_id=base.id if base else None,
        user_id=planner.id,
    )
    audit.record(session, planner, "scenario.create", "scenario", scenario.id, {"name": body.name, "month": body.month})
    session.commit()
    _answer(response, scenario)
    response.headers["Location"] = f"/scenarios/{scenario.id}"
    return _out(session, scenario, prepared)


@router.get("/scenario-comparison", response_model=CompareOut, responses=responses(401, 403, 404, 409, 422))
def compare_scenarios(_: Planner, session: SessionDep, ids: ScenarioIds) -> CompareOut:
    """So sánh kết quả chạy gần nhất của các kịch bản: trạng thái, điểm từng tiêu chí, số chỗ
    đã có người, hội nghị cần quan tâm có lãnh đạo, số buổi ít nhất–nhiều nhất theo nhóm,
    số phân công khác lịch gốc, rồi các phân công thay đổi (như `phancong scenario compare`)."""
    pairs: list[tuple[ScenarioRow, ScenarioResultRow]] = []
    unrun = []
    for scenario_id in dict.fromkeys(ids):
        scenario = get_scenario(session, scenario_id)
        result = store.latest_result(session, scenario_id)
        if result is None:
            unrun.append(scenario)
        else:
            pairs.append((scenario, result))
    if unrun:
        items = [
            ErrorItem(path=f"/scenarios/{s.id}", value=s.id, message=f"“{s.name}” chưa chạy lần nào") for s in unrun
        ]
        names = ", ".join(str(s.id) for s in unrun)
        raise ApiError(
            409, f"Kịch bản {names} chưa có kết quả; hãy chạy (POST /scenarios/{{id}}/runs) rồi so sánh", items
        )
    return compare_out(pairs)


@router.get("/scenarios/{scenario_id}", response_model=ScenarioOut, responses=READ)
def read_scenario(scenario_id: IntId, _: Planner, session: SessionDep, response: Response) -> ScenarioOut:
    """Kịch bản, từng thay đổi bằng lời, và vì sao nó không còn áp dụng được nếu dữ liệu đã đổi."""
    scenario = get_scenario(session, scenario_id)
    _answer(response, scenario)
    try:
        changes = load_changes(scenario.changes)
        prepared = prepare(session, scenario.month, scenario.base_id, changes, as_mode(scenario.mode))
    except ApiError as error:
        return scenario_out(session, scenario, [], [], [ErrorItem(path="$", message=error.detail), *error.errors])
    return _out(session, scenario, prepared)


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
    scenario = get_scenario(session, scenario_id)
    check_etag(scenario, if_match)
    mode = body.mode or as_mode(scenario.mode)
    changes = body.changes if body.changes is not None else load_changes(scenario.changes)
    prepared = prepare(session, scenario.month, scenario.base_id, changes, mode)
    fields = body.model_dump(exclude_unset=True, exclude={"changes"})
    if body.changes is not None:
        fields["changes"] = stored(body.changes)
    store.update(session, scenario, fields)
    audit.record(
        session, planner, "scenario.update", "scenario", scenario_id, {**fields, "revision": scenario.revision}
    )
    session.commit()
    _answer(response, scenario)
    return _out(session, scenario, prepared)


@router.delete("/scenarios/{scenario_id}", response_model=Deleted, responses=responses(401, 403, 404, 412, 422))
def delete_scenario(
    scenario_id: IntId, planner: Planner, session: SessionDep, runner: RunnerDep, if_match: IfMatch = None
) -> Deleted:
    """Xóa kịch bản và các kết quả của nó (các lượt đang chạy được dừng). Lịch đã công bố không bị ảnh hưởng."""
    scenario = get_scenario(session, scenario_id)
    check_etag(scenario, if_match)
    for job in store.active_jobs(session, scenario_id):
        if not jobs.cancel_queued(session, job.id):
            runner.cancel(job.id)
    store.delete(session, scenario)
    audit.record(session, planner, "scenario.delete", "scenario", scenario_id, {"name": scenario.name})
    session.commit()
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
    scenario = get_scenario(session, scenario_id)
    time_limit = min(body.time_limit or settings.default_solve_seconds, settings.max_solve_seconds)
    mode = body.mode or as_mode(scenario.mode)
    if idempotency_key is not None:
        earlier = jobs.by_key(session, planner.id, idempotency_key)
        if earlier is not None:
            return _replay(earlier, scenario_id, mode, time_limit, response)
    take_solve_slot(session, planner.id, settings)
    prepared = prepare(session, scenario.month, scenario.base_id, load_changes(scenario.changes), mode)
    instance = prepared.built.instance
    if not instance.meetings:
        raise ApiError(422, f"Tháng {scenario.month} không có hội nghị nào (sau các thay đổi của kịch bản)")
    check_size(instance, settings)
    try:
        job = jobs.create(
            session,
            planner.id,
            scenario.month,
            time_limit,
            changes_first=mode == "changes_first",
            idempotency_key=idempotency_key,
            scenario_id=scenario_id,
            mode=mode,
        )
        detail = {"job": job.id, "mode": mode, "time_limit": time_limit, "revision": scenario.revision}
        audit.record(session, planner, "scenario.run", "scenario", scenario_id, detail)
        session.commit()
    except IntegrityError:
        # The same key raced in from a parallel retry: answer with that request's job.
        session.rollback()
        earlier = jobs.by_key(session, planner.id, idempotency_key or "")
        if earlier is None:
            raise
        return _replay(earlier, scenario_id, mode, time_limit, response)
    order = ScenarioOrder(
        job.id, scenario_id, scenario.revision, scenario.name, list(scenario.changes), prepared, time_limit, planner.id
    )
    runner.submit(order)
    response.headers["Location"] = f"/jobs/{job.id}"
    return job_out(job)


def _replay(job: JobRow, scenario_id: int, mode: str, time_limit: float, response: Response) -> JobOut:
    if job.scenario_id != scenario_id or job.mode != mode or job.time_limit != time_limit:
        raise ApiError(409, "Idempotency-Key này đã dùng cho một yêu cầu khác (kịch bản hoặc tham số khác)")
    response.headers["Location"] = f"/jobs/{job.id}"
    response.headers["Idempotent-Replayed"] = "true"
    return job_out(job)


def _latest(session: SessionDep, scenario: ScenarioRow) -> ScenarioResultRow:
    result = store.latest_result(session, scenario.id)
    if result is None:
        active = store.active_jobs(session, scenario.id)
        hint = f"lượt chạy {active[0].id} chưa xong" if active else f"hãy chạy: POST /scenarios/{scenario.id}/runs"
        raise ApiError(404, f"Kịch bản {scenario.id} chưa có kết quả ({hint})")
    return result


@router.get("/scenarios/{scenario_id}/result", response_model=ScenarioResultOut, responses=READ)
def read_result(scenario_id: IntId, _: Planner, session: SessionDep) -> ScenarioResultOut:
    """Kết quả lần chạy gần nhất: lịch của kịch bản, điểm từng tiêu chí, các hội nghị đổi
    người (trước → sau, lý do), chỗ trống, và số thay đổi có được chứng minh là ít nhất."""
    scenario = get_scenario(session, scenario_id)
    return result_out(session, scenario, _latest(session, scenario))


@router.get("/scenarios/{scenario_id}/solution.json", response_model=Solution, responses=READ)
def export_solution(scenario_id: IntId, _: Planner, session: SessionDep) -> Solution:
    """Lịch của lần chạy gần nhất, định dạng phancong-solution/1 (không phải một bản lịch của tháng)."""
    scenario = get_scenario(session, scenario_id)
    return solution(session, scenario, _latest(session, scenario))
