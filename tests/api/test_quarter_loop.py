"""A whole quarter of the Lào Cai sample played through the API: each month published,
reported (absences, a substitute, visits other than the suggested ones), scored, ranked
and closed; the weak board and a reported problem flagged for the next month; and the
next month planned from what happened (a leader sent to the flagged board, the teams
actually visited not suggested again, a suggested team that was not visited suggested
again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from models.storage import importer, users
from models.storage.db import Database
from tests.api.loop_steps import scores

TIERS: dict[str, int] = {}


class Planner:
    """The planner's side of the quarter, through the API."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = self.client.request(method, path, headers=headers, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.text}"
        return response.json() if "json" in response.headers.get("content-type", "") else response.content

    def plan(self, month: str) -> dict[str, Any]:
        """Solve and publish ``month``; the published schedule."""
        job = self.call("POST", "/solves", 201, json={"month": month, "time_limit": 5})
        self.client.app.state.runner.wait(job["id"], 60)  # type: ignore[attr-defined]
        done = self.call("GET", f"/jobs/{job['id']}")
        assert done["status"] == "done", done
        response = self.client.get(f"/schedules/{done['schedule_id']}", headers=self.headers)
        published = self.call(
            "POST", f"/schedules/{done['schedule_id']}/publish", headers={"If-Match": response.headers["ETag"]}
        )
        assert published["solver_status"] in ("optimal", "feasible"), published["solver_status"]
        return dict(published)

    def register_like(self, source: str, target: str) -> None:
        """Register ``target``'s meetings on the same days and hours as ``source``'s."""
        for meeting in self.call("GET", f"/meetings?month={source}"):
            start = dt.datetime.fromisoformat(meeting["start"])
            moved = start.replace(month=int(target[5:]))
            body = {
                "commune": meeting["commune"],
                "start": moved.strftime("%Y-%m-%dT%H:%M"),
                "minutes": meeting["minutes"],
            }
            self.call("POST", "/meetings", 201, json=body)


def _by_commune(schedule: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for a in schedule["assignments"]:
        found.setdefault(a["commune"], []).append(a)
    return found


def _stable_single(schedule: dict[str, Any], flags: dict[str, int], taken: set[str]) -> list[str]:
    """Communes of the schedule with flag 0, one seat and a suggested team, not in ``taken``."""
    return [
        c
        for c, seats in sorted(_by_commune(schedule).items())
        if flags[c] == 0 and len(seats) == 1 and seats[0]["team"] and c not in taken
    ]


def test_a_quarter_after_the_meetings(client: TestClient, database: Database, sample_document: dict[str, Any]) -> None:
    """March to May 2024 on the Lào Cai sample: reports, ranking and flags drive the next month's plan."""
    with database.transaction() as session:
        importer.import_document(session, sample_document)
        planner_token = users.create_user(session, "Cán bộ Ban Tuyên giáo", "planner")[1]
    TIERS.update({d["id"]: d["tier"] for d in sample_document["delegates"]})
    default_flags = {c["id"]: c["flag"] for c in sample_document["communes"]}
    planner = Planner(client, planner_token)

    # -- March: publish, report, score, rank, close ---------------------------------
    march = planner.plan("2024-03")
    seats = _by_commune(march)
    candidates = _stable_single(march, default_flags, set())
    # The weak board is one a staff member (tier 4) attended, so April's leader is a change.
    staffed = [c for c in candidates if TIERS[seats[c][0]["delegate"]] == 4]
    assert staffed, "March sends no staff member alone to a stable board"
    weak = staffed[0]
    replaced, kept, troubled, absent, covered = [c for c in candidates if c != weak][:5]

    # The delegate sent to `replaced` reports from their own account, visiting another team than suggested.
    seat = seats[replaced][0]
    with database.transaction() as session:
        own_token = users.create_user(session, seat["delegate_name"], "delegate", delegate_id=seat["delegate"])[1]
    others = [t["id"] for t in planner.call("GET", f"/communes/{replaced}/teams") if t["id"] != seat["team"]]
    visited_instead = others[0]
    response = client.post(
        f"/meetings/{seat['meeting']}/report",
        json={"attended": True, "visits": [visited_instead], "scores": scores(88)},
        headers={"Authorization": f"Bearer {own_token}"},
    )
    assert response.status_code == 200, response.text

    substitute = next(
        d["id"]
        for d in sample_document["delegates"]
        if d["tier"] == 4
        and d["id"] not in {a["delegate"] for a in march["assignments"] if a["meeting"] == seats[covered][0]["meeting"]}
    )
    reports = {
        weak: {"attended": True, "scores": scores(42)},
        kept: {"attended": True, "scores": scores(76)},
        troubled: {
            "attended": True,
            "problem": "Người dân kiến nghị về đền bù giải phóng mặt bằng",
            "scores": scores(70),
        },
        absent: {"attended": False, "scores": scores(60)},
        covered: {"attended": False, "substitute": substitute, "visits": [], "scores": scores(95)},
    }
    for commune, body in reports.items():
        planner.call("POST", f"/meetings/{seats[commune][0]['meeting']}/report", json=body)
    for commune in seats:
        if commune not in reports and commune != replaced:
            planner.call("PUT", f"/months/2024-03/sheets/{commune}", json={"scores": scores(80)})

    status = planner.call("GET", "/months/2024-03/reports")
    assert status["confirmed"] == 6
    assert status["unconfirmed"] == len(march["assignments"]) - 6
    ranking = planner.call("GET", "/months/2024-03/ranking")["rows"]
    assert ranking[0]["commune"] == covered
    assert ranking[0]["rank"] == 1
    assert (ranking[-1]["commune"], ranking[-1]["level"]) == (weak, "Chưa đạt")
    assert all(r["rank"] is not None for r in ranking)
    planner.call("POST", "/months/2024-03/close")

    # -- flags for April from March's results ---------------------------------------
    proposals = {p["commune"]: p for p in planner.call("GET", "/flag-proposals?month=2024-04")}
    assert set(proposals) == {weak, troubled}
    assert proposals[weak]["source"] == "ranking"
    assert proposals[troubled]["source"] == "report"
    planner.call("POST", f"/flag-proposals/{proposals[weak]['id']}/confirm")
    planner.call("POST", f"/flag-proposals/{proposals[troubled]['id']}/dismiss", json={"reason": "Đã giải quyết xong"})
    planner.call("POST", f"/flag-proposals/{proposals[weak]['id']}/confirm", 409)

    # -- April: plan from what happened ---------------------------------------------
    planner.register_like("2024-03", "2024-04")
    april = planner.plan("2024-04")
    april_seats = _by_commune(april)
    assert any(a["tier"] <= 3 for a in april_seats[weak]), april_seats[weak]
    # The team visited instead is not suggested again; the suggested one nobody visited is.
    assert visited_instead not in {a["team"] for a in april_seats[replaced]}
    assert april_seats[replaced][0]["team"] == seat["team"]
    # Where the report said nothing of visits, the suggested team counted as visited.
    assert april_seats[kept][0]["team"] != seats[kept][0]["team"]
    # Where the substitute went but visited no team, March's suggestion is still due.
    assert april_seats[covered][0]["team"] == seats[covered][0]["team"]

    # -- April's reports: all attended; a problem at the flagged board ----------------
    for commune, commune_seats in april_seats.items():
        for a in commune_seats:
            body: dict[str, Any] = {"attended": True, "delegate": a["delegate"]}
            if commune == weak:
                body["problem"] = "Còn đơn thư kéo dài"
            planner.call("POST", f"/meetings/{a['meeting']}/report", json=body)
        planner.call("PUT", f"/months/2024-04/sheets/{commune}", json={"scores": scores(85)})
    assert planner.call("GET", "/months/2024-04/reports")["unconfirmed"] == 0
    planner.call("POST", "/months/2024-04/close")
    may_proposals = planner.call("GET", "/flag-proposals?month=2024-05")
    assert [(p["commune"], p["source"]) for p in may_proposals] == [(weak, "report")]

    # -- May: the flag is the month's; without a confirmation it is gone -------------
    flags_may = {f["commune"]: f["flag"] for f in planner.call("GET", "/flags?month=2024-05")}
    assert flags_may[weak] == 0
    planner.call("POST", f"/flag-proposals/{may_proposals[0]['id']}/confirm", json={"flag": 2})
    planner.register_like("2024-03", "2024-05")
    may = _by_commune(planner.plan("2024-05"))
    assert len(may[weak]) == 2
    assert any(a["tier"] <= 2 for a in may[weak])
    history = planner.call("GET", f"/communes/{weak}/flags")
    assert [(h["month"], h["flag"], h["source"]) for h in history] == [
        ("2024-04", 1, "proposal"),
        ("2024-05", 2, "proposal"),
    ]

    # -- the quarter in the statistics ----------------------------------------------
    statistics = planner.call("GET", "/statistics?year=2024")
    flagged = {f["month"]: (f["meetings"], f["with_leader"]) for f in statistics["flagged"]}
    assert flagged["2024-04"][1] == flagged["2024-04"][0]  # every flagged meeting of April had a leader
    ranks = next(b for b in statistics["rankings"] if b["commune"] == weak)["months"]
    assert [m["level"] for m in ranks[2:5]] == ["Chưa đạt", "Tốt", None]
