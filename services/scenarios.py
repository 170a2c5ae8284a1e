"""What-if scenarios (planners): made against a month's data and its published schedule,
run as jobs, compared; the published schedule is only ever read.

A scenario is the month as stored plus an ordered list of changes. It keeps the version
in force when it was made; a change of its changes or mode makes a new revision, and a
change made on a revision other than the current one is refused (``If-Match``, as
:func:`services.etags.check` says it; the scenario is row-locked from the check to the
commit, so two changes made on the same revision cannot both pass). Its changes are
checked whenever it is made, changed or run (:func:`services.scenario_runs.prepare`).
Nothing here creates or changes a schedule version; a run's result is its own record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.planning import plan_from_pairs
from api.schemas.scenario_changes import load_changes, stored
from api.settings import Settings
from models.errors import Issue
from models.storage import audit, jobs, schedules
from models.storage import scenarios as store
from models.storage.clock import aware
from models.storage.tables import JobRow, ScenarioResultRow, ScenarioRow, ScheduleRow, UserRow
from scenarios.changes import Change
from scenarios.scenario import Mode
from services import etags
from services.access import require_planner
from services.errors import Conflict, NotFound, ServiceError
from services.jobs import Ready, Runner, Started, start, time_limit
from services.months import load_month
from services.scenario_runs import PreparedScenario, ScenarioOrder, as_mode, prepare


def get_scenario(session: Session, scenario_id: int, *, lock: bool = False) -> ScenarioRow:
    """The scenario; with ``lock``, row-locked for a change checked against its revision
    (:func:`models.storage.scenarios.locked`), so that the check and the write are one step."""
    scenario = store.locked(session, scenario_id) if lock else session.get(ScenarioRow, scenario_id)
    if scenario is None:
        raise NotFound(f"Không có kịch bản {scenario_id}")
    return scenario


def check_version(scenario: ScenarioRow, if_match: str | None) -> None:
    """Refused when ``if_match`` is given and does not hold for the current revision."""
    etags.check(if_match, store.etag(scenario), "kịch bản", "k1-r2")


@dataclass(frozen=True)
class Shown:
    """A scenario with its month built on today's data."""

    scenario: ScenarioRow
    prepared: PreparedScenario


def create(
    session: Session,
    planner: UserRow,
    *,
    name: str,
    month: str,
    changes: Sequence[Change] = (),
    mode: Mode = "weighted",
    description: str | None = None,
) -> Shown:
    """A new scenario (committed) against the version of ``month`` in force, if any; its
    changes must apply to the month (:class:`~services.errors.Invalid` at ``$.changes[i]…``)."""
    require_planner(planner)
    base = schedules.current(session, month)
    prepared = prepare(session, month, base.id if base else None, changes, mode)
    scenario = store.create(
        session,
        name=name,
        description=description,
        month=month,
        mode=mode,
        changes=stored(list(changes)),
        base_id=base.id if base else None,
        user_id=planner.id,
    )
    audit.record(session, planner, "scenario.create", "scenario", scenario.id, {"name": name, "month": month})
    session.commit()
    return Shown(scenario, prepared)


def show(session: Session, scenario_id: int) -> tuple[ScenarioRow, PreparedScenario | None, list[Issue]]:
    """A scenario and its month built on today's data, or, when its changes no longer apply
    now that the data changed, the problems (the first says why, at ``$``)."""
    scenario = get_scenario(session, scenario_id)
    try:
        changes = load_changes(scenario.changes)
        return scenario, prepare(session, scenario.month, scenario.base_id, changes, as_mode(scenario.mode)), []
    except ServiceError as error:
        return scenario, None, [Issue("$", None, error.detail), *error.issues]


def update(
    session: Session,
    planner: UserRow,
    scenario_id: int,
    fields: dict[str, object],
    *,
    changes: Sequence[Change] | None = None,
    mode: Mode | None = None,
    if_match: str | None = None,
) -> Shown:
    """Change the fields given (committed): ``fields`` are the plain ones (name,
    description, mode) as sent; ``changes`` replace the whole list. New changes or a new
    mode make a new revision, whose changes must apply to the month."""
    require_planner(planner)
    scenario = get_scenario(session, scenario_id, lock=True)
    check_version(scenario, if_match)
    mode = mode or as_mode(scenario.mode)
    kept = list(changes) if changes is not None else load_changes(scenario.changes)
    prepared = prepare(session, scenario.month, scenario.base_id, kept, mode)
    fields = dict(fields)
    if changes is not None:
        fields["changes"] = stored(list(changes))
    store.update(session, scenario, fields)
    audit.record(
        session, planner, "scenario.update", "scenario", scenario_id, {**fields, "revision": scenario.revision}
    )
    session.commit()
    return Shown(scenario, prepared)


def delete(session: Session, planner: UserRow, runner: Runner, scenario_id: int, if_match: str | None = None) -> None:
    """Delete a scenario and its results (committed); its running jobs are stopped."""
    require_planner(planner)
    scenario = get_scenario(session, scenario_id, lock=True)
    check_version(scenario, if_match)
    for job in store.active_jobs(session, scenario_id):
        if not jobs.cancel_queued(session, job.id):
            jobs.request_cancel(session, job.id)
            runner.cancel(job.id)
    store.delete(session, scenario)
    audit.record(session, planner, "scenario.delete", "scenario", scenario_id, {"name": scenario.name})
    session.commit()


def run(
    session: Session,
    planner: UserRow,
    settings: Settings,
    runner: Runner,
    scenario_id: int,
    *,
    mode: Mode | None = None,
    seconds: float | None = None,
    idempotency_key: str | None = None,
) -> Started:
    """Start a run of the scenario (a job; its result is the scenario's, never a draft),
    with the checks of every job start (:func:`services.jobs.start`)."""
    require_planner(planner)
    scenario = get_scenario(session, scenario_id)
    limit = time_limit(seconds, settings)
    chosen = mode or as_mode(scenario.mode)

    def same(job: JobRow) -> bool:
        return job.scenario_id == scenario_id and job.mode == chosen and job.time_limit == limit

    def ready() -> Ready:
        prepared = prepare(session, scenario.month, scenario.base_id, load_changes(scenario.changes), chosen)

        def record() -> JobRow:
            job = jobs.create(
                session,
                planner.id,
                scenario.month,
                limit,
                changes_first=chosen == "changes_first",
                idempotency_key=idempotency_key,
                scenario_id=scenario_id,
                mode=chosen,
            )
            detail = {"job": job.id, "mode": chosen, "time_limit": limit, "revision": scenario.revision}
            audit.record(session, planner, "scenario.run", "scenario", scenario_id, detail)
            return job

        def order(job: JobRow) -> ScenarioOrder:
            return ScenarioOrder(
                job.id,
                scenario_id,
                scenario.revision,
                scenario.name,
                list(scenario.changes),
                prepared,
                limit,
                planner.id,
            )

        empty = f"Tháng {scenario.month} không có hội nghị nào (sau các thay đổi của kịch bản)"
        return Ready(prepared.built.instance, empty, record, order)

    mismatch = "Idempotency-Key này đã dùng cho một yêu cầu khác (kịch bản hoặc tham số khác)"
    return start(session, planner, settings, runner, idempotency_key, same, mismatch, ready)


def latest_result(session: Session, scenario: ScenarioRow) -> ScenarioResultRow:
    """The result of the scenario's latest run; :class:`NotFound` saying why there is none."""
    result = store.latest_result(session, scenario.id)
    if result is None:
        active = store.active_jobs(session, scenario.id)
        hint = f"lượt chạy {active[0].id} chưa xong" if active else f"hãy chạy: POST /scenarios/{scenario.id}/runs"
        raise NotFound(f"Kịch bản {scenario.id} chưa có kết quả ({hint})")
    return result


def results_to_compare(session: Session, ids: Sequence[int]) -> list[tuple[ScenarioRow, ScenarioResultRow]]:
    """Each scenario (once, in order) with its latest result; refused naming those not run yet."""
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
        items = [Issue(f"/scenarios/{s.id}", s.id, f"“{s.name}” chưa chạy lần nào") for s in unrun]
        names = ", ".join(str(s.id) for s in unrun)
        raise Conflict(f"Kịch bản {names} chưa có kết quả; hãy chạy (POST /scenarios/{{id}}/runs) rồi so sánh", items)
    return pairs


def adopt(session: Session, planner: UserRow, scenario_id: int) -> ScheduleRow:
    """The scenario's latest schedule as a new draft of its month (committed).

    A draft is of the month as stored, so adopting never changes the data: the result must
    be of the scenario's current revision, and each of its seats must hold a meeting and a
    delegate the month has, at the time the month has (a scenario that adds a delegate or
    moves a meeting is adopted once that change was made in the directory; the refusal
    names each seat). The draft is scored again on the stored month, since the scenario's
    own figures were measured on the changed one; it is planned against the version in force.
    """
    require_planner(planner)
    scenario = get_scenario(session, scenario_id)
    result = latest_result(session, scenario)
    if result.revision != scenario.revision:
        raise Conflict(
            f"Kết quả của kịch bản “{scenario.name}” là của bản {result.revision}, kịch bản đã sửa "
            f"thành bản {scenario.revision}; hãy chạy lại trước khi dùng",
            [Issue(f"/scenarios/{scenario_id}", result.revision, "kết quả cũ")],
        )
    if result.solver_status not in ("optimal", "feasible"):
        raise Conflict(f"Lần chạy gần nhất không ra lịch dùng được ({result.solver_status})")
    _document, instance = load_month(session, scenario.month, reference=False)
    meetings = {m.id: m for m in instance.meetings}
    delegates = {d.id for d in instance.delegates}
    faults: list[Issue] = []
    for index, seat in enumerate(result.assignments):
        meeting = meetings.get(seat["meeting"])
        where = f"$.assignments[{index}]"
        if meeting is None:
            faults.append(Issue(f"{where}.meeting", seat["meeting"], "hội nghị chưa có trong tháng (hãy thêm trước)"))
        elif aware(meeting.start).isoformat() != seat["start"]:
            faults.append(Issue(f"{where}.start", seat["start"], "giờ họp khác giờ đã lưu (hãy dời hội nghị trước)"))
        if seat["delegate"] not in delegates:
            faults.append(
                Issue(f"{where}.delegate", seat["delegate"], "đại biểu chưa có trong danh mục (hãy thêm trước)")
            )
    if faults:
        raise Conflict(
            f"Lịch của kịch bản “{scenario.name}” dùng dữ liệu chưa có trong tháng {scenario.month}; "
            "hãy ghi các thay đổi đó vào danh mục rồi chạy lại",
            faults,
        )
    plan = plan_from_pairs(instance, [(s["meeting"], s["delegate"]) for s in result.assignments])
    base = schedules.current(session, scenario.month)
    draft = schedules.create_draft(session, scenario.month, plan, base.id if base else None, planner.id)
    detail = {"scenario": scenario_id, "result": result.id, "schedule": draft.id, "version": draft.version}
    audit.record(session, planner, "scenario.adopt", "scenario", scenario_id, detail)
    session.commit()
    return draft
