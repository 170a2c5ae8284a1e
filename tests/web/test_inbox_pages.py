"""The planner's inbox of change requests and the notifications page over HTTP: approve one
or several ticked (the re-plan's draft then lists its changes), reject with a reason (a
message beside the field when empty), CSRF refused, delegates and communes refused 403,
each refusal writing nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from models.storage.db import Database
from models.storage.tables import ChangeRequestRow
from tests.api.world import World
from tests.storage.helpers import row_counts
from tests.web.conftest import csrf_of

Browser = Callable[..., TestClient]


def _ask(client: TestClient, world: World) -> int:
    """The world's pending request: c1 (Phường Cốc Lếu) asks to move m1 to 05/11/2025."""
    assert client.get("/requests", headers=world.auth("planner")).json()[0]["state"] == "pending"
    return int(world.ids["request"])


def _state(database: Database, request_id: int) -> tuple[str, str | None]:
    with database.reader() as session:
        row = session.get(ChangeRequestRow, request_id)
        assert row is not None
        return row.state, row.decision_reason


def test_the_inbox_lists_and_approves_with_a_link_to_the_changes(
    client: TestClient, world: World, browser_of: Browser, database: Database
) -> None:
    request_id = _ask(client, world)
    browser = browser_of("canbo")
    home = browser.get("/")
    assert 'href="/yeu-cau"' in home.text
    page = browser.get("/yeu-cau")
    assert page.status_code == 200, page.text
    for text in ("m1", "Phường Cốc Lếu", "dời lịch", "Trùng lịch tiếp xúc cử tri", f'value="{request_id}"'):
        assert text in page.text
    approved = browser.post(
        "/yeu-cau/duyet", data={"csrf": csrf_of(page.text), "id": [str(request_id)]}, follow_redirects=False
    )
    assert approved.status_code == 303, approved.text
    target = approved.headers["location"]
    job_id = target.rsplit("/", 1)[1]
    browser.app.state.runner.wait(job_id, 60)  # type: ignore[attr-defined]
    assert _state(database, request_id)[0] == "approved"
    shown = browser.get(target)
    assert shown.status_code == 200, shown.text
    assert "Các hội nghị thay đổi (trước → sau)" in shown.text
    assert "05/11/2025" in shown.text  # m1's new day, after the arrow
    assert "Nguyễn Văn Kiên" in shown.text  # its delegates by name
    assert re.search(r'href="/thang/2025-11/ban/\d+/cong-bo"', shown.text)
    assert "Không có yêu cầu nào đang chờ" in browser.get("/yeu-cau").text


def test_approving_nothing_ticked_is_said_and_writes_nothing(
    client: TestClient, world: World, browser_of: Browser, database: Database
) -> None:
    _ask(client, world)
    browser = browser_of("canbo")
    before = row_counts(database)
    page = browser.get("/yeu-cau")
    response = browser.post("/yeu-cau/duyet", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert response.status_code == 422
    assert 'id="e-approve"' in response.text
    assert "Chọn ít nhất một yêu cầu" in response.text
    assert row_counts(database) == before


def test_a_rejection_needs_its_reason_beside_the_field(
    client: TestClient, world: World, browser_of: Browser, database: Database
) -> None:
    request_id = _ask(client, world)
    browser = browser_of("canbo")
    csrf = csrf_of(browser.get("/yeu-cau").text)
    empty = browser.post(f"/yeu-cau/{request_id}/khong-duyet", data={"csrf": csrf, "reason": "  "})
    assert empty.status_code == 422
    assert f'id="e-reason-{request_id}"' in empty.text
    assert "Cần ghi lý do không duyệt" in empty.text
    assert _state(database, request_id) == ("pending", None)
    done = browser.post(
        f"/yeu-cau/{request_id}/khong-duyet",
        data={"csrf": csrf, "reason": "Ngày 05/11 đã kín lịch"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert _state(database, request_id) == ("rejected", "Ngày 05/11 đã kín lịch")
    assert f"Đã ghi không duyệt yêu cầu số {request_id}" in browser.get(done.headers["location"]).text
    # The requester reads the reason.
    mine = client.get(f"/requests/{request_id}", headers=world.auth("commune")).json()
    assert mine["decision_reason"] == "Ngày 05/11 đã kín lịch"
    twice = browser.post(f"/yeu-cau/{request_id}/khong-duyet", data={"csrf": csrf, "reason": "Lần nữa"})
    assert twice.status_code == 409


def test_csrf_is_refused_and_writes_nothing(
    client: TestClient, world: World, browser_of: Browser, database: Database
) -> None:
    request_id = _ask(client, world)
    browser = browser_of("canbo")
    browser.get("/yeu-cau")
    before = row_counts(database)
    for path, data in (
        ("/yeu-cau/duyet", {"id": str(request_id)}),
        (f"/yeu-cau/{request_id}/khong-duyet", {"reason": "Không"}),
    ):
        for token in ({}, {"csrf": "gia-mao"}):
            response = browser.post(path, data={**data, **token}, follow_redirects=False)
            assert response.status_code == 403, (path, token, response.text)
    assert row_counts(database) == before
    assert _state(database, request_id) == ("pending", None)


def test_delegates_and_communes_are_refused(
    client: TestClient, world: World, browser_of: Browser, database: Database
) -> None:
    request_id = _ask(client, world)
    browsers = {username: browser_of(username) for username in ("kien", "coclieu")}
    before = row_counts(database)  # after the sign-ins (each writes its session)
    for username, browser in browsers.items():
        csrf = csrf_of(browser.get("/").text)
        for path in ("/yeu-cau", "/thong-bao", "/yeu-cau/lap-lai/x"):
            assert browser.get(path).status_code == 403, (username, path)
        for path, data in (
            ("/yeu-cau/duyet", {"id": str(request_id)}),
            (f"/yeu-cau/{request_id}/khong-duyet", {"reason": "Không"}),
        ):
            response = browser.post(path, data={"csrf": csrf, **data}, follow_redirects=False)
            assert response.status_code == 403, (username, path)
    assert row_counts(database) == before
    assert _state(database, request_id) == ("pending", None)
    anonymous = browser_of()
    assert anonymous.get("/yeu-cau", follow_redirects=False).status_code == 303


def test_the_notifications_page_groups_sent_waiting_failed(world: World, browser_of: Browser) -> None:
    browser = browser_of("canbo")
    page = browser.get("/thong-bao")
    assert page.status_code == 200, page.text
    for title in ("Gửi lỗi", "Đang chờ gửi", "Đã gửi"):
        assert title in page.text
    assert 'href="/thong-bao"' in browser.get("/").text


def test_the_delegates_page_hands_out_a_webcal_link(world: World, browser_of: Browser) -> None:
    """After "Lấy địa chỉ": the webcal:// subscription (what an iPhone subscribes to), the
    http one, and the variant without reminders (``?nhac=0``), all answering the feed."""
    browser = browser_of("kien")
    page = browser.post("/lich/dia-chi", data={"csrf": csrf_of(browser.get("/").text)})
    assert page.status_code == 200, page.text
    found = re.search(r'href="webcal://testserver(/calendar/[^"]+\.ics)"', page.text)
    assert found, page.text
    assert f'href="http://testserver{found.group(1)}"' in page.text
    assert f'href="webcal://testserver{found.group(1)}?nhac=0"' in page.text
    assert b"BEGIN:VALARM" not in browser.get(found.group(1) + "?nhac=0").content


def test_a_pending_request_shows_on_the_commune_month_and_delegate_pages(
    client: TestClient, world: World, browser_of: Browser, database: Database
) -> None:
    """c1's request on m1 waits: its own page, its view of the month and the delegate's page
    keep the published time and say "đang chờ Ban duyệt"; once rejected, none says it and
    the commune's page lists its request with the Board's reason (the planner has the
    request in the inbox)."""
    request_id = _ask(client, world)
    commune = browser_of("coclieu").get("/")
    assert commune.status_code == 200
    assert "Yêu cầu thay đổi của xã đang chờ Ban duyệt" in commune.text
    assert "04/11/2025" in commune.text  # the published day, not the asked 05/11
    assert "Yêu cầu thay đổi đã gửi" in commune.text
    month = browser_of("coclieu").get("/thang/2025-11")
    assert "Có yêu cầu thay đổi, đang chờ Ban duyệt" in month.text
    delegate = browser_of("kien").get("/")
    assert "Có yêu cầu thay đổi, đang chờ Ban duyệt" in delegate.text
    said = client.post(
        f"/requests/{request_id}/reject", json={"reason": "Không dời được"}, headers=world.auth("planner")
    )
    assert said.status_code == 200, said.text
    after = browser_of("coclieu").get("/").text
    assert "Yêu cầu thay đổi của xã đang chờ" not in after
    assert "Ban trả lời: Không dời được" in after  # the rejection's reason reaches the requester
    assert "không duyệt" in after
    assert "đang chờ Ban duyệt" not in browser_of("coclieu").get("/thang/2025-11").text
    assert "đang chờ Ban duyệt" not in browser_of("kien").get("/").text
