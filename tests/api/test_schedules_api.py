"""Drafts, manual edits, publication and exports through the API."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.main import app
from models.io import solution_from_document
from models.rules import Rules
from models.schema import solution_issues
from models.storage import config
from models.storage.db import Database
from models.storage.mapping import month_instance
from solver import score
from tests.api.helpers import schedule, solve, solve_and_publish
from tests.api.world import World, build_world


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example with accounts, and no schedule yet."""
    return build_world(database, tiny_document, extras=False)


def _edit(client: TestClient, world: World, schedule_id: int, *changes: dict[str, str], **extra: Any) -> Any:
    return client.post(
        f"/schedules/{schedule_id}/edits",
        json={"changes": list(changes)},
        headers={**world.auth("planner"), **extra.get("headers", {})},
    )


def test_draft_reports_each_term_and_the_proved_optimum(client: TestClient, fresh: World) -> None:
    """The solved draft of the tiny example is the proved optimum 32, with a labelled row per term."""
    job = solve(client, fresh)
    view, etag = schedule(client, fresh, job["schedule_id"])
    assert (view["score_total"], view["bound"], view["solver_status"]) == (32, 32, "optimal")
    assert (job["best_score"], job["bound"]) == (32, 32)
    terms = {t["term"]: t for t in view["terms"]}
    assert sum(t["points"] for t in terms.values()) == 32
    assert terms["travel"]["label"] == "Đi lại (đơn vị 10 phút)"
    assert view["status"] == "draft"
    assert etag == view["etag"]


@pytest.mark.parametrize("months", [3, 6, 0])
def test_rotation_label_names_the_window_of_the_rules(
    client: TestClient, world: World, database: Database, months: int
) -> None:
    """The rotation row of a schedule's score names the months the stored rules look back."""
    with database.transaction() as session:
        config.set_rules(session, Rules(rotation_months=months))
    view, _ = schedule(client, world, world.ids["draft"])
    label = next(t["label"] for t in view["terms"] if t["term"] == "rotation")
    assert label == ("Lặp lại địa bàn (không xét)" if months == 0 else f"Lặp lại địa bàn trong {months} tháng")


def test_unfilled_seats_come_with_reasons(client: TestClient, fresh: World) -> None:
    """With both senior delegates away on 6 November (d1 already, d2 put on leave here),
    Tả Phời's meeting lacks its senior delegate: the draft is partial and names who is away."""
    response = client.post(
        "/delegates/d2/leave", json={"from": "2025-11-06", "to": "2025-11-06"}, headers=fresh.auth("planner")
    )
    assert response.status_code == 201
    view, _ = schedule(client, fresh, solve(client, fresh)["schedule_id"])
    assert view["solver_status"] == "partial"
    gaps = {g["meeting"]: g for g in view["gaps"]}
    assert gaps["m3"]["senior_missing"] is True
    assert gaps["m3"]["commune_name"] == "Xã Tả Phời"
    assert "Xã Tả Phời" in gaps["m3"]["reason"]
    assert "Trần Thị Thu Hà (nghỉ 06/11)" in gaps["m3"]["reason"]
    assert {t["term"]: t["count"] for t in view["terms"]}["unfilled"] >= 1


def test_valid_edit_shows_the_score_change(client: TestClient, fresh: World, database: Database) -> None:
    """Replacing d1 by d4 at m1 is allowed; the answer's score change matches the scorer and the ETag moves."""
    draft = solve(client, fresh)["schedule_id"]
    _, etag = schedule(client, fresh, draft)
    response = _edit(client, fresh, draft, {"meeting": "m1", "remove": "d1", "add": "d4"}, headers={"If-Match": etag})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applied"] is True
    assert body["after"]["total"] - body["before"]["total"] == body["total_delta"]
    assert body["delta"] == {t: body["after"]["terms"][t] - body["before"]["terms"][t] for t in body["delta"]}
    pairs = [(a["meeting"], a["delegate"]) for a in body["schedule"]["assignments"]]
    assert ("m1", "d4") in pairs
    assert ("m1", "d1") not in pairs
    with database.reader() as session:
        assert score(month_instance(session, "2025-11"), pairs).total == body["after"]["total"]
    assert body["schedule"]["etag"] != etag
    assert response.headers["ETag"] == body["schedule"]["etag"]


def test_undoing_every_edit_gives_back_the_solves_proof(client: TestClient, fresh: World) -> None:
    """A solved draft is proved optimal with its bound; an edit leaves it feasible with
    none; undone back to the solve's schedule, on unchanged data, it is the solve's again."""
    draft = solve(client, fresh)["schedule_id"]
    solved, _ = schedule(client, fresh, draft)
    assert (solved["solver_status"], solved["bound"]) == ("optimal", solved["score_total"])
    first = _edit(client, fresh, draft, {"meeting": "m1", "remove": "d1", "add": "d4"})
    assert first.status_code == 200, first.text
    second = _edit(client, fresh, draft, {"meeting": "m1", "remove": "d4", "add": "d3"})
    assert second.status_code == 200, second.text
    planner = fresh.auth("planner")
    states = []
    for _ in range(2):
        undone = client.post(f"/schedules/{draft}/undo", headers=planner)
        assert undone.status_code == 200, undone.text
        view = undone.json()["schedule"]
        states.append((view["solver_status"], view["bound"], view["score_total"]))
    assert states[0][:2] == ("feasible", None)  # one edit is still there
    assert states[1] == ("optimal", solved["bound"], solved["score_total"])


def test_edit_breaking_a_hard_rule_is_refused_and_changes_nothing(client: TestClient, fresh: World) -> None:
    """Putting d1 (on leave that day, and in charge of the commune) at m3 is refused,
    naming the change, and the draft keeps its ETag."""
    draft = solve(client, fresh)["schedule_id"]
    _, etag = schedule(client, fresh, draft)
    response = _edit(client, fresh, draft, {"meeting": "m3", "remove": "d5", "add": "d1"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors
    assert {e["path"] for e in errors} == {"$.changes[0].add"}
    assert any("H3" in e["message"] for e in errors)
    assert schedule(client, fresh, draft)[1] == etag


def test_dry_run_and_stale_etag_leave_the_draft_alone(client: TestClient, fresh: World) -> None:
    """A dry run answers the new score but stores nothing; an edit with an old ETag is 412."""
    draft = solve(client, fresh)["schedule_id"]
    before, etag = schedule(client, fresh, draft)
    dry = client.post(
        f"/schedules/{draft}/edits",
        json={"changes": [{"meeting": "m1", "remove": "d1", "add": "d4"}], "dry_run": True},
        headers=fresh.auth("planner"),
    )
    assert dry.status_code == 200
    assert dry.json()["applied"] is False
    assert schedule(client, fresh, draft) == (before, etag)
    _edit(client, fresh, draft, {"meeting": "m1", "remove": "d1", "add": "d4"})
    stale = _edit(client, fresh, draft, {"meeting": "m1", "remove": "d4", "add": "d1"}, headers={"If-Match": etag})
    assert stale.status_code == 412


def test_publish_needs_a_current_etag(client: TestClient, fresh: World) -> None:
    """No If-Match: 428; an old one: 412; the current one: 200 and the version is in force;
    the published version can then be neither edited nor deleted."""
    draft = solve(client, fresh)["schedule_id"]
    _, etag = schedule(client, fresh, draft)
    auth = fresh.auth("planner")
    assert client.post(f"/schedules/{draft}/publish", headers=auth).status_code == 428
    assert client.post(f"/schedules/{draft}/publish", headers={**auth, "If-Match": '"s1-r99"'}).status_code == 412
    published = client.post(f"/schedules/{draft}/publish", headers={**auth, "If-Match": etag})
    assert published.status_code == 200
    assert published.json()["in_force"] is True
    assert _edit(client, fresh, draft, {"meeting": "m1", "remove": "d1", "add": "d4"}).status_code == 409
    assert client.delete(f"/schedules/{draft}", headers=auth).status_code == 409


def _race(client: TestClient, url: str, headers: dict[str, str]) -> list[int]:
    """POST ``url`` from two threads released at the same instant; their statuses."""
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post() -> None:
        barrier.wait()
        statuses.append(client.post(url, headers=headers).status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


IF_MATCH = [
    ("*", 200),
    ("{etag}", 200),
    ('"s0-r0", {etag}', 200),
    ('W/"s0-r0",{etag}', 200),
    ("W/{etag}", 412),
    ('W/"s0-r0", W/{etag}', 412),
    ('"s0-r0"', 412),
    ("{bare}", 422),
    ("*, {etag}", 422),
]


@pytest.mark.parametrize(("header", "status"), IF_MATCH, ids=[h for h, _ in IF_MATCH])
def test_if_match_follows_rfc_7232(client: TestClient, world: World, header: str, status: int) -> None:
    """Publishing with If-Match: ``*`` holds for an existing draft; a list holds when one
    of its strong tags is the current ETag; a weak tag never matches (strong comparison);
    a value that is not an If-Match list is 422 naming the header. Only a holding
    condition publishes."""
    etag = world.ids["draft_etag"]
    value = header.format(etag=etag, bare=etag.strip('"'))
    url = f"/schedules/{world.ids['draft']}/publish"
    response = client.post(url, headers={**world.auth("planner"), "If-Match": value})
    assert response.status_code == status, response.text
    if status == 422:
        assert [(e["path"], e["value"]) for e in response.json()["errors"]] == [("header.If-Match", value)]
    current, _ = schedule(client, world, world.ids["draft"])
    assert current["status"] == ("published" if status == 200 else "draft")


def test_if_match_star_guards_edits_too(client: TestClient, world: World) -> None:
    """An edit of the draft sent with ``If-Match: *`` is applied; with a weak copy of the
    current tag it is 412 and the draft is unchanged."""
    draft = world.ids["draft"]
    change = {"meeting": "m1", "remove": "d1", "add": "d4"}
    weak = _edit(client, world, draft, change, headers={"If-Match": "W/" + world.ids["draft_etag"]})
    assert weak.status_code == 412
    assert schedule(client, world, draft)[1] == world.ids["draft_etag"]
    star = _edit(client, world, draft, change, headers={"If-Match": "*"})
    assert star.status_code == 200, star.text
    assert schedule(client, world, draft)[1] != world.ids["draft_etag"]


def test_two_publishes_with_the_same_etag_exactly_one_succeeds(client: TestClient, fresh: World) -> None:
    """Two planners publish the same draft at the same moment with the same ETag: one
    gets 200, the other 412, and the month has exactly one version in force (three rounds)."""
    auth = fresh.auth("planner")
    for _ in range(3):
        draft = solve(client, fresh)["schedule_id"]
        _, etag = schedule(client, fresh, draft)
        statuses = _race(client, f"/schedules/{draft}/publish", {**auth, "If-Match": etag})
        assert sorted(statuses) == [200, 412]
        month = client.get("/months/2025-11", headers=auth).json()
        assert month["in_force"]["id"] == draft
        assert sum(v["status"] == "published" and v["id"] == draft for v in month["versions"]) == 1


def test_publish_refuses_a_draft_that_todays_data_makes_illegal(client: TestClient, fresh: World) -> None:
    """A delegate put on leave after the solve: publishing the draft is 409 naming H3."""
    job = solve(client, fresh)
    view, etag = schedule(client, fresh, job["schedule_id"])
    first = view["assignments"][0]
    day = first["start"][:10]
    leave = client.post(
        f"/delegates/{first['delegate']}/leave", json={"from": day, "to": day}, headers=fresh.auth("planner")
    )
    assert leave.status_code == 201
    response = client.post(
        f"/schedules/{job['schedule_id']}/publish", headers={**fresh.auth("planner"), "If-Match": etag}
    )
    assert response.status_code == 409
    assert any(e["message"].startswith("H3") for e in response.json()["errors"])


def test_exported_solution_is_valid_and_scores_as_stored(client: TestClient, fresh: World, database: Database) -> None:
    """The month's export validates against solution.schema.json and the independent
    scorer gives it the score it carries."""
    solve_and_publish(client, fresh)
    document = client.get("/months/2025-11/solution.json", headers=fresh.auth("planner")).json()
    assert solution_issues(document) == []
    solution = solution_from_document(document)
    assert solution.status == "optimal"
    with database.reader() as session:
        report = score(month_instance(session, "2025-11"), solution.pairs())
    assert solution.score is not None
    assert report.total == solution.score.total == 32
    assert {v.meeting for v in solution.visits} <= {a.meeting for a in solution.assignments}


def test_the_months_exports_are_scored_together_by_the_command_line(
    client: TestClient, fresh: World, tmp_path: Path
) -> None:
    """``phancong score`` takes the month's instance with any version's solution of that
    month (it refuses a solution made for another instance, by name)."""
    published = solve_and_publish(client, fresh)
    planner = fresh.auth("planner")
    instance = tmp_path / "thang.json"
    instance.write_bytes(client.get("/months/2025-11/instance.json", headers=planner).content)
    for address in ("/months/2025-11/solution.json", f"/schedules/{published['id']}/solution.json"):
        solution = tmp_path / "lich.json"
        solution.write_bytes(client.get(address, headers=planner).content)
        result = CliRunner().invoke(app, ["score", str(instance), str(solution)])
        assert result.exit_code == 0, (address, result.output)
        assert "32" in result.output


def test_exported_workbook_has_vietnamese_headers(client: TestClient, fresh: World) -> None:
    """The Excel export opens, with the notice sheet first and Vietnamese headers."""
    solve_and_publish(client, fresh)
    response = client.get("/months/2025-11/workbook.xlsx", headers=fresh.auth("planner"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[book.sheetnames[0]]
    assert book.sheetnames == ["Lịch tháng 11-2025", "Chỗ trống", "Điểm"]
    headers = [c.value for c in sheet[1]]
    assert headers[:7] == ["STT", "Ngày", "Giờ", "Xã/phường", "Mã hội nghị", "Mã đại biểu", "Đại biểu"]
    assert sheet.max_row == 1 + 5  # five assignments in the tiny optimum


def test_replan_after_publication_keeps_changes_low(client: TestClient, fresh: World) -> None:
    """Re-planning a published month plans against it (reference) and reports the changes term."""
    published = solve_and_publish(client, fresh)
    client.patch("/meetings/m4", json={"start": "2025-11-04T08:00"}, headers=fresh.auth("planner"))
    month = client.get("/months/2025-11", headers=fresh.auth("planner")).json()
    assert month["needs_replan"] is True
    job = solve(client, fresh, changes_first=True)
    view, _ = schedule(client, fresh, job["schedule_id"])
    assert view["based_on"] == published["id"]
    assert "changes" in {t["term"] for t in view["terms"]}
    # Proved optimal for the fewest changes: the bound of the score with that many is given.
    assert view["solver_status"] == "optimal"
    assert view["bound"] == view["score_total"]
    assert job["bound"] == job["best_score"] == view["score_total"]
