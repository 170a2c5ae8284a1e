"""What-if scenarios through the API: made against a month and its published version,
validated like the YAML, run as jobs, their results and comparisons, and the published
schedule left byte for byte as it was."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from models.io import solution_from_document
from models.labels import term_label
from models.rules import TERMS
from models.schema import solution_issues
from models.storage import jobs
from models.storage.db import Database
from models.storage.tables import ScenarioResultRow, ScheduleRow
from scenarios import replan, runner
from scenarios.compare import rows as compare_rows
from tests.api.helpers import planner_feed
from tests.api.world import World, build_world
from tests.storage.helpers import row_counts

MONTH = "2025-11"
#: d1 (the Secretary) holds m1 and m2 on 4 November in the published version.
ILL = {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-04", "reason": "Nghỉ ốm"}
FLAGGED = {"kind": "commune_flag", "commune": "c4", "flag": 2, "reason": "Khiếu kiện đông người"}


def create(client: TestClient, world: World, *changes: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"name": fields.pop("name", "Bí thư nghỉ ốm"), "month": MONTH, "changes": list(changes), **fields}
    response = client.post("/scenarios", json=body, headers=world.auth("planner"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def run(client: TestClient, world: World, scenario_id: int, **body: Any) -> dict[str, Any]:
    """Run the scenario, wait for its job, and return the finished job."""
    response = client.post(
        f"/scenarios/{scenario_id}/runs", json={"time_limit": 5, **body}, headers=world.auth("planner")
    )
    assert response.status_code == 201, response.text
    job = response.json()
    assert response.headers["Location"] == f"/jobs/{job['id']}"
    client.app.state.runner.wait(job["id"], 60)  # type: ignore[attr-defined]
    finished = client.get(f"/jobs/{job['id']}", headers=world.auth("planner")).json()
    assert finished["status"] == "done", finished
    return dict(finished)


def result(client: TestClient, world: World, scenario_id: int) -> dict[str, Any]:
    response = client.get(f"/scenarios/{scenario_id}/result", headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _versions(database: Database) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(ScheduleRow)) or 0


def test_a_run_replaces_the_absent_delegate_and_says_why(client: TestClient, world: World) -> None:
    """The Secretary ill on 4 November: the scenario is made against the version in force,
    its run is a job that makes no draft, and its result moves exactly m1 and m2 away from
    d1, each with the illness as the reason, proved minimal."""
    scenario = create(client, world, ILL)
    assert scenario["based_on"] == world.ids["published"]
    assert scenario["described"] == ["Đ/c Nguyễn Văn Kiên vắng 04/11 — nghỉ ốm"]
    assert scenario["changes"] == [ILL]
    job = run(client, world, scenario["id"])
    assert (job["scenario_id"], job["mode"], job["schedule_id"]) == (scenario["id"], "weighted", None)
    answer = result(client, world, scenario["id"])
    assert answer["job_id"] == job["id"]
    assert (job["best_score"], job["bound"]) == (answer["score_total"], answer["bound"])
    assert answer["base"]["schedule_id"] == world.ids["published"]
    assert answer["base"]["in_force"] is True
    assert answer["solver_status"] == "optimal"
    assert [c["meeting"] for c in answer["changes"]] == ["m1", "m2"]
    for change in answer["changes"]:
        assert change["before"] == ["d1"]
        assert "d1" not in change["after"]
        assert change["reason"].startswith("Đ/c Nguyễn Văn Kiên nghỉ ốm 04/11 → thay bằng Đ/c ")
    assert answer["changed_seats"] == 2
    assert not any(a["delegate"] == "d1" and a["meeting"] in ("m1", "m2") for a in answer["assignments"])
    terms = {t["term"]: t for t in answer["terms"]}
    assert terms["changes"]["count"] == 2
    assert sum(t["points"] for t in terms.values()) == answer["score_total"]
    assert terms["rotation"]["label"] == "Lặp lại địa bàn trong 3 tháng"
    assert answer["changes_proved"] is True
    assert "đã chứng minh" in answer["proof"]


def test_published_schedule_is_byte_identical_after_scenarios(
    client: TestClient, world: World, database: Database
) -> None:
    """Creating, running, changing, comparing and deleting scenarios leaves the published
    version's exports and a delegate's calendar feed byte-identical, and makes no schedule
    version (no draft) at all."""
    planner = world.auth("planner")
    published = world.ids["published"]
    feed = planner_feed(client, world, "d1")
    urls = [f"/schedules/{published}/solution.json", f"/months/{MONTH}/solution.json", feed]
    before = [client.get(url, headers=planner).content for url in urls]
    assert b"BEGIN:VEVENT" in before[2]
    versions = _versions(database)
    first = create(client, world, ILL)
    second = create(client, world, FLAGGED, name="Kim Tân phức tạp", mode="changes_first")
    for scenario in (first, second):
        run(client, world, scenario["id"])
    run(client, world, first["id"], mode="fresh")
    patched = client.patch(f"/scenarios/{first['id']}", json={"changes": [ILL, FLAGGED]}, headers=planner)
    assert patched.status_code == 200
    run(client, world, first["id"])
    compared = client.get(f"/scenario-comparison?id={first['id']}&id={second['id']}", headers=planner)
    assert compared.status_code == 200
    for scenario in (first, second):
        assert client.get(f"/scenarios/{scenario['id']}/solution.json", headers=planner).status_code == 200
        assert client.delete(f"/scenarios/{scenario['id']}", headers=planner).status_code == 200
    assert [client.get(url, headers=planner).content for url in urls] == before
    assert _versions(database) == versions


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ([{"kind": "storm"}], [("$.changes[0].kind", "storm")]),
        (
            [ILL, {"kind": "commune_flag", "commune": "c1", "flag": 3}],
            [("$.changes[1].reason", None), ("$.changes[1].flag", 3)],
        ),
        ([{**ILL, "from": 0}], [("$.changes[0].from", 0)]),
        ([{**FLAGGED, "flag": False}], [("$.changes[0].flag", False)]),
        ([{**ILL, "to": "2025-11-03"}], [("$.changes[0]", {**ILL, "to": "2025-11-03"})]),
        ([{**ILL, "from": "1999-12-31"}], [("$.changes[0].from", "1999-12-31")]),
        ([{**ILL, "reason": "ốm\x00"}], [("$.changes[0].reason", "ốm\x00")]),
        ([{**ILL, "delegate": "d99"}], [("$.changes[0].delegate", "d99")]),
        ([ILL, {"kind": "meeting_cancelled", "meeting": "m99"}], [("$.changes[1].meeting", "m99")]),
        ([{"kind": "pin", "meeting": "m1", "delegate": "d9"}], [("$.changes[0].delegate", "d9")]),
    ],
    ids=[
        "unknown kind",
        "missing reason, bad flag",
        "date as a number",
        "flag false",
        "backwards",
        "outside the planned years",
        "control character",
        "unknown delegate",
        "unknown meeting",
        "pin of an unknown delegate",
    ],
)
def test_bad_changes_are_422_naming_path_and_value(
    client: TestClient, world: World, database: Database, changes: list[dict[str, Any]], errors: list[Any]
) -> None:
    """A change the YAML would refuse is 422 with its JSON path, its value and a Vietnamese
    message naming the change by number; nothing is stored."""
    before = row_counts(database)
    response = client.post(
        "/scenarios", json={"name": "Sai", "month": MONTH, "changes": changes}, headers=world.auth("planner")
    )
    assert response.status_code == 422, response.text
    found = response.json()["errors"]
    assert [(e["path"], e["value"]) for e in found] == errors
    assert all("thay đổi thứ" in e["message"] for e in found)
    assert row_counts(database) == before


def test_changes_are_validated_on_update_too(client: TestClient, world: World) -> None:
    """New changes that name a missing delegate are 422 and leave the scenario as it was."""
    scenario = create(client, world, ILL)
    path = f"/scenarios/{scenario['id']}"
    refused = client.patch(path, json={"changes": [{**ILL, "delegate": "d99"}]}, headers=world.auth("planner"))
    assert refused.status_code == 422
    assert [e["path"] for e in refused.json()["errors"]] == ["$.changes[0].delegate"]
    kept = client.get(path, headers=world.auth("planner")).json()
    assert (kept["changes"], kept["revision"]) == ([ILL], 1)


def test_a_changed_scenario_keeps_its_result_marked_stale(client: TestClient, world: World) -> None:
    """After a run, new changes make revision 2 (new ETag): the old result is kept and
    marked stale until the next run; a stale If-Match is 412; a new name alone is no new
    revision, but a new ETag: a client holding the old name is refused."""
    planner = world.auth("planner")
    scenario = create(client, world, ILL)
    path = f"/scenarios/{scenario['id']}"
    run(client, world, scenario["id"])
    etag = client.get(path, headers=planner).headers["ETag"]
    renamed = client.patch(path, json={"name": "Đổi tên"}, headers={**planner, "If-Match": etag})
    assert (renamed.status_code, renamed.json()["revision"]) == (200, 1)
    assert renamed.json()["last_run"]["stale"] is False
    assert renamed.headers["ETag"] not in (etag, "")
    assert renamed.json()["etag"] == renamed.headers["ETag"]
    over_rename = client.patch(path, json={"description": "Cũ"}, headers={**planner, "If-Match": etag})
    assert over_rename.status_code == 412
    changed = client.patch(
        path, json={"changes": [ILL, FLAGGED]}, headers={**planner, "If-Match": renamed.headers["ETag"]}
    )
    assert changed.status_code == 200
    assert changed.json()["revision"] == 2
    assert changed.headers["ETag"] not in (etag, renamed.headers["ETag"])
    assert changed.json()["last_run"]["stale"] is True
    assert result(client, world, scenario["id"])["stale"] is True
    stale = client.patch(path, json={"name": "Lại đổi"}, headers={**planner, "If-Match": etag})
    assert stale.status_code == 412
    run(client, world, scenario["id"])
    fresh = result(client, world, scenario["id"])
    assert (fresh["stale"], fresh["revision"]) == (False, 2)
    assert {c["meeting"] for c in fresh["changes"]} >= {"m1", "m2"}


def test_compare_shows_the_rows_of_the_cli_then_the_changes(client: TestClient, world: World) -> None:
    """Two scenarios on the same published version: the base column first, then one per
    scenario, with the CLI's rows (status, every term, seats, flagged with a senior, loads,
    changed assignments) and each scenario's changed meetings."""
    first = create(client, world, ILL)
    second = create(client, world, FLAGGED, name="Kim Tân phức tạp")
    for scenario in (first, second):
        run(client, world, scenario["id"])
    response = client.get(f"/scenario-comparison?id={first['id']}&id={second['id']}", headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [c["title"] for c in body["columns"]] == ["Lịch gốc", "Bí thư nghỉ ốm", "Kim Tân phức tạp"]
    assert [c["scenario_id"] for c in body["columns"]] == [None, first["id"], second["id"]]
    labels = [row["label"] for row in body["rows"]]
    cli = [label for label, _ in compare_rows([])]
    assert labels == [*cli[:2], *(f"  {term_label(t, 3)}" for t in TERMS), *cli[2 + len(TERMS) :]]
    cells = {row["label"]: row["cells"] for row in body["rows"]}
    assert cells["Chỗ thay đổi so với lịch gốc"] == ["0", "2", str(body["columns"][2]["changed_seats"])]
    assert cells["Chỗ đã có người"][0] == "5/5"
    assert cells["Chỗ đã có người"][2] == "6/6"  # flag 2 asks a second delegate at Kim Tân
    assert [c["name"] for c in body["changes"]] == ["Bí thư nghỉ ốm", "Kim Tân phức tạp"]
    assert [c["meeting"] for c in body["changes"][0]["changes"]] == ["m1", "m2"]
    assert "m4" in {c["meeting"] for c in body["changes"][1]["changes"]}
    assert body["columns"][1]["loads"][0]["group"] == "Thường trực và UV BTV"


def test_compare_needs_a_result_of_each_scenario(client: TestClient, world: World) -> None:
    """A scenario never run is 409 naming it; an unknown one is 404."""
    scenario = create(client, world, ILL)
    planner = world.auth("planner")
    unrun = client.get(f"/scenario-comparison?id={scenario['id']}", headers=planner)
    assert unrun.status_code == 409
    assert [e["path"] for e in unrun.json()["errors"]] == [f"/scenarios/{scenario['id']}"]
    assert client.get("/scenario-comparison?id=999", headers=planner).status_code == 404
    assert client.get(f"/scenarios/{scenario['id']}/result", headers=planner).status_code == 404


def test_modes_follow_the_cli(client: TestClient, world: World) -> None:
    """A run may choose changes_first or fresh over the scenario's mode; fresh keeps
    nothing of the base, so its proof says no change was counted."""
    scenario = create(client, world, ILL)
    job = run(client, world, scenario["id"], mode="changes_first")
    answer = result(client, world, scenario["id"])
    assert (job["mode"], answer["mode"], answer["changes_proved"]) == ("changes_first", "changes_first", True)
    assert "ít nhất có thể" in answer["proof"]
    run(client, world, scenario["id"], mode="fresh")
    fresh = result(client, world, scenario["id"])
    assert fresh["mode"] == "fresh"
    assert fresh["proof"].startswith("Lập lại từ đầu")
    assert fresh["terms"][6]["count"] == 0  # no reference: nothing is counted as a change


def test_without_a_published_version_the_base_month_is_solved(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """Nothing published yet: the scenario has no base version, and its run compares with
    the base month solved for the run (as ``scenario run`` without a published file)."""
    world = build_world(database, tiny_document, extras=False)
    scenario = create(client, world, ILL)
    assert scenario["based_on"] is None
    run(client, world, scenario["id"])
    answer = result(client, world, scenario["id"])
    assert (answer["base"]["source"], answer["base"]["schedule_id"]) == ("solved", None)
    assert answer["proof"].startswith("Giữ lịch gốc:")
    assert "của lịch gốc" in answer["proof"]


def test_a_scenario_with_no_schedule_is_a_result_without_figures(client: TestClient, world: World) -> None:
    """d1 pinned to two meetings at the same hour: the run ends (done) with status
    infeasible and the solver's reasons, and its compare column shows "—"."""
    added = {"kind": "meeting_added", "meeting": {"id": "m10", "commune": "c4", "start": "2025-11-04T08:00"}}
    pins = [{"kind": "pin", "meeting": m, "delegate": "d1"} for m in ("m1", "m10")]
    scenario = create(client, world, added, *pins)
    job = run(client, world, scenario["id"])
    assert job["result_status"] == "infeasible"
    answer = result(client, world, scenario["id"])
    assert (answer["solver_status"], answer["score_total"], answer["assignments"]) == ("infeasible", None, [])
    assert answer["problems"]
    body = client.get(f"/scenario-comparison?id={scenario['id']}", headers=world.auth("planner")).json()
    totals = next(row for row in body["rows"] if row["label"].startswith("Tổng điểm"))
    assert totals["cells"] == [str(body["columns"][0]["score_total"]), "—"]


def test_exported_schedule_is_a_valid_solution_file(client: TestClient, world: World) -> None:
    """The scenario's schedule exports as phancong-solution/1, pair for pair as the result."""
    scenario = create(client, world, ILL)
    run(client, world, scenario["id"])
    exported = client.get(f"/scenarios/{scenario['id']}/solution.json", headers=world.auth("planner")).json()
    assert solution_issues(exported) == []
    pairs = solution_from_document(exported).pairs()
    assert pairs == [(a["meeting"], a["delegate"]) for a in result(client, world, scenario["id"])["assignments"]]


def test_a_scenario_that_no_longer_applies_says_why(client: TestClient, world: World) -> None:
    """The delegate a scenario names is deleted afterwards: reading it lists the problem
    at its change, and running it is 422 and starts no job."""
    planner = world.auth("planner")
    scenario = create(client, world, {**ILL, "delegate": "d8"})
    assert client.delete("/delegates/d8", headers=planner).status_code == 200
    view = client.get(f"/scenarios/{scenario['id']}", headers=planner).json()
    assert ("$.changes[0].delegate", "d8") in [(p["path"], p["value"]) for p in view["problems"]]
    refused = client.post(f"/scenarios/{scenario['id']}/runs", json={}, headers=planner)
    assert refused.status_code == 422
    assert client.get(f"/scenarios/{scenario['id']}", headers=planner).json()["active_job"] is None


def test_runs_share_the_solve_cap_and_honour_idempotency_keys(
    client: TestClient, world: World, database: Database
) -> None:
    """A retry with the same Idempotency-Key gets the same job; with a run unfinished, a
    further run or solve by the same planner is 429."""
    scenario = create(client, world, ILL)
    headers = {**world.auth("planner"), "Idempotency-Key": "kich-ban-1"}
    path = f"/scenarios/{scenario['id']}/runs"
    first = client.post(path, json={"time_limit": 5}, headers=headers)
    again = client.post(path, json={"time_limit": 5}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.post(path, json={"time_limit": 5, "mode": "fresh"}, headers=headers).status_code == 409
    client.app.state.runner.wait(first.json()["id"], 60)  # type: ignore[attr-defined]
    planner = int(client.get("/me", headers=world.auth("planner")).json()["id"])
    with database.transaction() as session:
        jobs.create(session, planner, MONTH, 5.0)
    assert client.post(path, json={}, headers=world.auth("planner")).status_code == 429
    assert client.post("/solves", json={"month": MONTH}, headers=world.auth("planner")).status_code == 429


def test_deleting_a_scenario_removes_it_and_keeps_its_jobs(client: TestClient, world: World) -> None:
    """Deleted: the scenario and its result are gone (404); its job is still listed."""
    planner = world.auth("planner")
    scenario = create(client, world, ILL)
    job = run(client, world, scenario["id"])
    assert client.delete(f"/scenarios/{scenario['id']}", headers=planner).status_code == 200
    assert client.get(f"/scenarios/{scenario['id']}", headers=planner).status_code == 404
    assert client.get(f"/scenarios/{scenario['id']}/result", headers=planner).status_code == 404
    kept = client.get(f"/jobs/{job['id']}", headers=planner).json()
    assert (kept["status"], kept["scenario_id"]) == ("done", None)


def test_scenarios_are_listed_by_month_with_their_last_run(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """The list shows each scenario of the month with its last run's status and score."""
    world = build_world(database, tiny_document, extras=False)
    scenario = create(client, world, ILL)
    create(client, world, FLAGGED, name="Chưa chạy")
    run(client, world, scenario["id"])
    listed = client.get(f"/scenarios?month={MONTH}", headers=world.auth("planner")).json()
    assert [s["name"] for s in listed] == ["Bí thư nghỉ ốm", "Chưa chạy"]
    assert listed[0]["last_run"]["solver_status"] == "optimal"
    assert listed[1]["last_run"] is None
    assert client.get("/scenarios?month=2025-12", headers=world.auth("planner")).json() == []


def test_run_progress_can_be_followed_as_events(client: TestClient, world: World) -> None:
    """A run's job streams server-sent events like a solve, ending with its final state."""
    scenario = create(client, world, ILL)
    job = run(client, world, scenario["id"])
    response = client.get(f"/jobs/{job['id']}/events", headers=world.auth("planner"))
    assert response.status_code == 200
    assert "event: end" in response.text
    assert f'"scenario_id":{scenario["id"]}' in response.text


def test_a_scenario_keeps_the_version_it_was_made_against(client: TestClient, world: World) -> None:
    """A newer version published after the scenario was made: the scenario says its base is
    no longer in force, and its runs still keep and compare with the version it was made
    against (a scenario's question does not change under it)."""
    planner = world.auth("planner")
    scenario = create(client, world, ILL)
    copy = client.post(f"/schedules/{world.ids['published']}/copy", headers=planner)
    assert copy.status_code == 201
    publish = client.post(
        f"/schedules/{copy.json()['id']}/publish", headers={**planner, "If-Match": copy.headers["ETag"]}
    )
    assert publish.status_code == 200, publish.text
    view = client.get(f"/scenarios/{scenario['id']}", headers=planner).json()
    assert (view["based_on"], view["base_in_force"]) == (world.ids["published"], False)
    run(client, world, scenario["id"])
    base = result(client, world, scenario["id"])["base"]
    assert (base["schedule_id"], base["in_force"]) == (world.ids["published"], False)


def test_deleting_a_running_scenario_stops_its_run(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scenario deleted while its run is solving: the run is stopped, its job ends
    cancelled, and no result (nor any schedule version) is left behind."""
    started = threading.Event()

    def held(instance: Any, published: Any, mode: Any, **options: Any) -> Any:
        started.set()
        options["stop"].wait(30)  # solving until told to stop
        return replan.resolve(instance, published, mode, **options)

    monkeypatch.setattr(runner, "resolve", held)
    scenario = create(client, world, ILL)
    versions = _versions(database)
    job = client.post(f"/scenarios/{scenario['id']}/runs", json={}, headers=world.auth("planner")).json()
    assert started.wait(30)
    assert client.delete(f"/scenarios/{scenario['id']}", headers=world.auth("planner")).status_code == 200
    client.app.state.runner.wait(job["id"], 60)  # type: ignore[attr-defined]
    ended = client.get(f"/jobs/{job['id']}", headers=world.auth("planner")).json()
    assert (ended["status"], ended["scenario_id"]) == ("cancelled", None)
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(ScenarioResultRow)) == 1  # the world's own
    assert _versions(database) == versions
