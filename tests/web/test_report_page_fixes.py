"""The report page and the delegate's "không dự được" form, fixed after a black-box review:
the report form never refuses its own defaults (nobody went: no visit ticked, and its
script unticks and disables the boxes; the server's message stays for a browser without
script), and "không dự được" for a meeting already reported or whose day has come is
refused on the page as in the API, writing nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from models.storage.db import Database
from tests.api.loop_steps import republish
from tests.api.world import OPTIMUM, World
from tests.storage.helpers import row_counts
from tests.web.conftest import csrf_of

Browser = Callable[..., TestClient]
#: November published again with a suggested team per seat (m1: c1-t2).
VISITS = {("m1", "d1"): "c1-t2", ("m2", "d1"): "c2-t1", ("m3", "d2"): "c3-t1", ("m3", "d5"): "c3-t2"}
TICKED = re.compile(r'<input type="checkbox" name="visits" value="([^"]+)" checked>')


def test_the_report_form_carries_its_script(world: World, browser_of: Browser) -> None:
    """The form is hooked for /static/report.js, which the page's policy lets run (this site only)."""
    page = browser_of("kien").get("/bao-cao/m1")
    assert page.status_code == 200
    assert '<script src="/static/report.js" defer></script>' in page.text
    assert "data-report" in page.text
    assert "data-nobody" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    script = browser_of().get("/static/report.js")
    assert script.status_code == 200
    assert "form[data-report]" in script.text
    assert "box.disabled = true" in script.text


def test_nobody_went_ticks_no_visit_and_saves_as_shown(
    world: World, browser_of: Browser, database: Database, client: TestClient
) -> None:
    """A report "không dự", nobody instead, sent through the API without saying the visits:
    the page no longer ticks the suggested team, so saving the form as shown is accepted."""
    republish(database, "2025-11", OPTIMUM, VISITS)
    kien = browser_of("kien")
    assert TICKED.findall(kien.get("/bao-cao/m1").text) == ["c1-t2"]  # the suggestion, while nobody said otherwise
    said = client.post("/meetings/m1/report", json={"attended": False}, headers=world.auth("planner"))
    assert said.status_code == 200, said.text
    page = kien.get("/bao-cao/m1")
    assert TICKED.findall(page.text) == []
    assert re.search(r'<p class="muted" data-nobody>', page.text)  # the hint shown, not hidden
    again = kien.post(
        "/bao-cao/m1",
        data={"csrf": csrf_of(page.text), "delegate": "d1", "attended": "0", "visits": TICKED.findall(page.text)},
        follow_redirects=False,
    )
    assert again.status_code == 303, again.text


def test_without_script_the_server_still_says_why(world: World, browser_of: Browser, database: Database) -> None:
    """A browser without script sends "Không dự" with a team ticked: 422, the message beside the visits."""
    kien = browser_of("kien")
    csrf = csrf_of(kien.get("/bao-cao/m1").text)
    before = row_counts(database)
    refused = kien.post("/bao-cao/m1", data={"csrf": csrf, "delegate": "d1", "attended": "0", "visits": "c1-t1"})
    assert refused.status_code == 422
    assert 'id="e-visits"' in refused.text
    assert "không ai dự hội nghị thì không có lượt dự đột xuất" in refused.text
    assert row_counts(database) == before


def test_the_absence_form_refuses_a_reported_or_past_meeting(
    world: World, browser_of: Browser, database: Database
) -> None:
    """The world's November meetings are past today: "không dự được" for m2 says so on the
    page (409); for m1 once reported, the page says it was reported. Nothing is written."""
    kien = browser_of("kien")
    csrf = csrf_of(kien.get("/").text)
    before = row_counts(database)
    past = kien.post("/hoi-nghi/m2/khong-du", data={"csrf": csrf, "reason": "Ốm"})
    assert past.status_code == 409
    assert "Hội nghị m2 đã diễn ra ngày 04/11/2025" in past.text
    assert row_counts(database) == before
    report_csrf = csrf_of(kien.get("/bao-cao/m1").text)
    assert (
        kien.post(
            "/bao-cao/m1", data={"csrf": report_csrf, "delegate": "d1", "attended": "1"}, follow_redirects=False
        ).status_code
        == 303
    )
    before = row_counts(database)
    reported = kien.post("/hoi-nghi/m1/khong-du", data={"csrf": csrf, "reason": "Ốm"})
    assert reported.status_code == 409
    assert "Bạn đã báo cáo hội nghị m1 ngày 04/11/2025" in reported.text
    assert row_counts(database) == before
