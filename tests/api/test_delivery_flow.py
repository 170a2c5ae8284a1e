"""Issue 14 end to end through real processes, on SQLite and on PostgreSQL.

A commune asks to move its meeting of a published month and a delegate says "không dự
được" for another: both wait ("đang chờ Ban duyệt") in the published schedule, the JSON
and iCalendar calendars, the commune's API view and its page; the planner approves both
in one re-plan, whose draft lists each change before → after with its reason; publishing
it makes the feed show the moved meeting at its new time with a higher SEQUENCE and the
dropped one STATUS:CANCELLED in the old delegate's feed; the messages reach a local SMTP
server (aiosmtpd) and a local server speaking the Zalo OA message API.

The delivering process is real: on PostgreSQL a ``phancong worker`` process beside a web
process (jobs and deliveries ride on the procrastinate queue); on SQLite the web process
itself (its threads run the solves and the deliveries behind the same interfaces). At the
changed version's publication it is killed right after a channel accepted the first
message and before the row was marked sent (:mod:`tests.api.delivering_process`); a new
process then delivers every message, the one in doubt again with the same idempotency
key: nothing lost, and counted by key nothing doubled.

Every wait is a poll with a generous timeout; solves are of the tiny month.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlalchemy import select

from models.storage import accounts, migrate
from models.storage.db import Database
from models.storage.tables import OutboxRow, PublishedMonthRow, UserRow
from tests.api.processes import FULL_PRIORITY, Started, free_port, own_database, poll
from tests.api.world import World, build_world
from tests.storage.databases import ADMIN_URL
from tests.web.conftest import csrf_of

#: The tiny example moved from 2025 to this year: its meetings are still to come, so that its
#: delegate may say "không dự được" (refused from a meeting's day on) to a server whose clock
#: a test cannot set.
YEAR = 2099
MONTH = f"{YEAR}-11"
PENDING = "đang chờ Ban duyệt"
M1_BEFORE, M1_AFTER = f"{YEAR}-11-04T08:00:00+07:00", f"{YEAR}-11-05T08:00:00+07:00"
ZALO_PATH, ZALO_TOKEN = "/v3.0/oa/message/cs", "zalo-oa-token"
PASSWORD = "mat-khau-xa-1"


# -- the receivers --------------------------------------------------------------------------


@dataclass
class Mailbox:
    """What the local SMTP server (aiosmtpd) received."""

    mails: list[tuple[str, Message]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((envelope.rcpt_tos[0], message_from_bytes(envelope.content)))
        return "250 OK"

    def keys(self) -> list[str]:
        """The idempotency keys received: the Message-ID of each mail."""
        return [str(m["Message-ID"]).removeprefix("<").removesuffix("@phancong.tuyenvan>") for _, m in self.mails]


@dataclass
class ZaloOA:
    """The received calls of a local server answering as the Zalo OA message API does: a
    POST with the OA's ``access_token`` header and ``{"recipient": {"user_id": ...},
    "message": {"text": ...}}``; ``{"error": 0, "message": "Success", "data": {...}}`` when
    it is taken, a negative ``error`` with its message otherwise."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        if path != ZALO_PATH:
            return {"error": -124, "message": "Invalid endpoint"}
        if headers.get("access_token") != ZALO_TOKEN:
            return {"error": -216, "message": "Access token is invalid"}
        try:
            sent = json.loads(body)
            user, text = sent["recipient"]["user_id"], sent["message"]["text"]
        except (ValueError, KeyError, TypeError):
            return {"error": -201, "message": "Parameters are invalid"}
        if not isinstance(user, str) or not isinstance(text, str) or not text:
            return {"error": -201, "message": "Parameters are invalid"}
        self.calls.append(sent)
        return {"error": 0, "message": "Success", "data": {"message_id": f"z{len(self.calls)}", "user_id": user}}

    def keys(self) -> list[str]:
        return [str(c.get("tracking_id")) for c in self.calls]


@pytest.fixture
def receivers() -> Iterator[tuple[Mailbox, int, ZaloOA, int]]:
    box, smtp_port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    zalo = ZaloOA()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = json.dumps(zalo.answer(self.path, headers, body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box, smtp_port, zalo, int(server.server_address[1])
    server.shutdown()
    controller.stop()


# -- the processes --------------------------------------------------------------------------


@pytest.fixture
def flow_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database of its own, migrated: the processes connect to it by URL."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'flow.db'}"
        migrate.upgrade(url)
        yield url
        return
    if ADMIN_URL == "skip":
        pytest.skip("PHANCONG_TEST_POSTGRES_URL=skip")
    yield from own_database("phancong_flow")


class Stack(Started):
    """The web process (and on PostgreSQL the worker processes) of one test."""

    def __init__(self, backend: str, url: str, env: dict[str, str], logs: Path) -> None:
        super().__init__(logs)
        self.backend, self.url, self.env = backend, url, env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.web: subprocess.Popen[bytes] | None = None
        self.deliverer: subprocess.Popen[bytes] | None = None

    def _start(self, *args: str) -> subprocess.Popen[bytes]:
        env = {**self.env, "PHANCONG_DATABASE_URL": self.url, "PHANCONG_PUBLIC_URL": self.base}
        return self.launch([sys.executable, "-m", "tests.api.delivering_process", *args], env, args[0])

    def start_web(self) -> None:
        self.web = self._start("web", str(self.port))

        def up() -> bool:
            assert self.web is not None
            assert self.web.poll() is None, self.output()
            try:
                return httpx.get(f"{self.base}/health", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        poll(up, "the web process to answer")
        if self.backend == "sqlite":
            self.deliverer = self.web

    def start_deliverer(self) -> None:
        """The process that delivers: a new worker (PostgreSQL), a new web process (SQLite)."""
        if self.backend == "sqlite":
            self.start_web()
        else:
            self.deliverer = self._start("worker")


@pytest.fixture
def stack(backend: str, flow_url: str, tmp_path: Path, receivers: tuple[Mailbox, int, ZaloOA, int]) -> Iterator[Stack]:
    _, smtp_port, _, zalo_port = receivers
    logs = tmp_path / "logs"
    logs.mkdir()
    env = {
        "PHANCONG_LOAD_SAMPLE": "false",
        "PHANCONG_MAX_SOLVE_SECONDS": "10",
        "PHANCONG_DEFAULT_SOLVE_SECONDS": "5",
        "PHANCONG_SOLVER_THREADS": "1",
        "PHANCONG_PROGRESS_INTERVAL": "0.1",
        "PHANCONG_HEARTBEAT_SECONDS": "0.2",
        "PHANCONG_STALE_SECONDS": "1.5",
        "PHANCONG_WORKER_POLL_SECONDS": "0.2",
        **FULL_PRIORITY,
        "PHANCONG_SMTP_HOST": "127.0.0.1",
        "PHANCONG_SMTP_PORT": str(smtp_port),
        "PHANCONG_SMTP_FROM": "ban-tuyen-giao@example.vn",
        "PHANCONG_ZALO_ENDPOINT": f"http://127.0.0.1:{zalo_port}{ZALO_PATH}",
        "PHANCONG_ZALO_TOKEN": ZALO_TOKEN,
        "PHANCONG_DELIVERY_LEASE_SECONDS": "2",
        "PHANCONG_DELIVERY_SWEEP_SECONDS": "0.3",
        "PHANCONG_DELIVERY_BACKOFF_SECONDS": "1",
        "PHANCONG_TEST_DIE_FILE": str(tmp_path / "die"),
    }
    started = Stack(backend, flow_url, env, logs)
    yield started
    started.close()
    print(started.output())


# -- steps ------------------------------------------------------------------------------------


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _job(http: httpx.Client, world: World, job_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        job = _ok(http.get(f"/jobs/{job_id}", headers=world.auth("planner")))
        assert job["status"] not in ("failed", "cancelled"), job
        return dict(job) if job["status"] == "done" else None

    return poll(done, f"job {job_id} done")


def _publish(http: httpx.Client, world: World, schedule_id: int) -> httpx.Response:
    shown = http.get(f"/schedules/{schedule_id}", headers=world.auth("planner"))
    assert shown.status_code == 200, shown.text
    headers = {**world.auth("planner"), "If-Match": shown.headers["ETag"]}
    return http.post(f"/schedules/{schedule_id}/publish", headers=headers)


def _outbox(database: Database, schedule_id: int) -> list[OutboxRow]:
    with database.reader() as session:
        rows = list(
            session.scalars(select(OutboxRow).where(OutboxRow.schedule_id == schedule_id).order_by(OutboxRow.id))
        )
        session.expunge_all()
        return rows


def _all_sent(database: Database, schedule_id: int) -> list[OutboxRow] | None:
    rows = _outbox(database, schedule_id)
    return rows if rows and all(r.state == "sent" for r in rows) else None


def _feed(http: httpx.Client, url: str) -> dict[str, Any]:
    response = http.get(url)
    assert response.status_code == 200, response.text
    return {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def _commune_page(base: str, database: Database) -> str:
    """The commune account's own page, signed in as a person would."""
    with database.transaction() as session:
        user = session.scalar(select(UserRow).where(UserRow.commune_id == "c1"))
        assert user is not None
        user.username, user.password_hash = "coclieu", accounts.hash_password(PASSWORD)
    with httpx.Client(base_url=base, timeout=30) as browser:
        form = browser.get("/dang-nhap")
        data = {"csrf": csrf_of(form.text), "username": "coclieu", "password": PASSWORD, "next": "/"}
        assert browser.post("/dang-nhap", data=data).status_code == 303
        page = browser.get("/")
        assert page.status_code == 200, page.text
        return page.text


def _text(mail: Message) -> str:
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


# -- the flow ---------------------------------------------------------------------------------


def _in_year(document: dict[str, Any], year: int) -> dict[str, Any]:
    """The tiny example with every 2025 date (meetings, leave, history) in ``year`` instead."""
    moved: dict[str, Any] = json.loads(json.dumps(document).replace('"2025-', f'"{year}-'))
    return moved


def test_a_request_reaches_the_feeds_the_mail_and_zalo_through_a_real_worker(
    backend: str,
    flow_url: str,
    stack: Stack,
    receivers: tuple[Mailbox, int, ZaloOA, int],
    tiny_document: dict[str, Any],
    tmp_path: Path,
) -> None:
    mailbox, _, zalo, _ = receivers
    database = Database.connect(flow_url)
    try:
        world = build_world(database, _in_year(tiny_document, YEAR), extras=False)
        stack.start_web()
        if backend == "postgresql":
            stack.start_deliverer()
        with httpx.Client(base_url=stack.base, timeout=60) as http:
            _flow(http, world, database, stack, mailbox, zalo, tmp_path / "die")
    finally:
        database.dispose()


def _flow(
    http: httpx.Client, world: World, database: Database, stack: Stack, mailbox: Mailbox, zalo: ZaloOA, die: Path
) -> None:
    planner, commune, delegate = world.auth("planner"), world.auth("commune"), world.auth("delegate")
    contact = {"email": "kien@example.vn", "zalo_user_id": "84901234567", "channels": ["email", "zalo"]}
    _ok(http.put("/delegates/d1/contact", json=contact, headers=delegate))
    _ok(http.put("/communes/c1/contact", json={"email": "coclu@example.vn", "channels": ["email"]}, headers=commune))

    # The month planned and published by the worker; its first messages delivered.
    solve = _ok(http.post("/solves", json={"month": MONTH, "time_limit": 5}, headers=planner), 201)
    first = _ok(_publish(http, world, _job(http, world, solve["id"])["schedule_id"]))
    mine = {a["meeting"] for a in first["assignments"] if a["delegate"] == "d1"}
    assert "m1" in mine, first["assignments"]
    other = sorted(mine - {"m1"})[0]  # the optimum sends d1 to a second meeting
    poll(lambda: _all_sent(database, first["id"]), "the first publication's messages sent")
    assert sorted(to for to, _ in mailbox.mails) == ["coclu@example.vn", "kien@example.vn"]
    assert len(zalo.calls) == 1
    mailbox.mails.clear()
    zalo.calls.clear()
    feed = _ok(http.post("/delegates/d1/calendar-feed", headers=planner), 201)["url"]
    before = _feed(http, feed)
    assert int(before["m1.d1@phancong.tuyenvan"]["SEQUENCE"]) == 0

    # A commune's move and a delegate's absence: requests, the version in force unchanged.
    asked = {"start": f"{YEAR}-11-05T08:00", "reason": "Trùng lễ hội"}
    move = _ok(http.patch("/meetings/m1", json=asked, headers=commune), 202)
    absent = {"reason": "Đi công tác Hà Nội"}
    absence = _ok(http.post(f"/meetings/{other}/absence", json=absent, headers=delegate), 202)
    assert (move["state_label"], absence["state_label"]) == (PENDING, PENDING)
    shown = _ok(http.get(f"/schedules/{first['id']}", headers=planner))
    assert {(a["start"], a["pending"]) for a in shown["assignments"] if a["meeting"] == "m1"} == {(M1_BEFORE, PENDING)}
    events = _ok(http.get("/delegates/d1/calendar", headers=planner))["events"]
    assert [(e["start"], e["pending"]) for e in events if e["meeting"] == "m1"] == [(M1_BEFORE, PENDING)]
    waiting = _feed(http, feed)["m1.d1@phancong.tuyenvan"]
    assert (waiting["DTSTART"].dt.isoformat(), int(waiting["SEQUENCE"])) == (M1_BEFORE, 0)
    assert PENDING in str(waiting["DESCRIPTION"])
    own = _ok(http.get("/meetings/m1", headers=commune))
    assert (own["start"], own["pending"]) == (M1_BEFORE, PENDING)
    page = _commune_page(stack.base, database)
    assert f"Yêu cầu thay đổi của xã {PENDING}" in page
    assert f"04/11/{YEAR}" in page

    # Approved together: one fewest-changes re-plan, run by the worker, listing before → after.
    approved = _ok(http.post(f"/requests/{move['id']}/approve", json={"also": [absence["id"]]}, headers=planner), 202)
    draft = _job(http, world, approved["job"]["id"])["schedule_id"]
    changes = {c["meeting"]: c for c in _ok(http.get(f"/schedules/{draft}/changes", headers=planner))["changes"]}
    assert (changes["m1"]["change"], changes["m1"]["before_start"], changes["m1"]["after_start"]) == (
        "moved",
        M1_BEFORE,
        M1_AFTER,
    )
    assert any("Trùng lễ hội" in r for r in changes["m1"]["reasons"])
    assert "d1" in changes[other]["before_delegates"]
    assert "d1" not in changes[other]["after_delegates"]
    assert any("Đi công tác Hà Nội" in r for r in changes[other]["reasons"])

    # Published while the delivering process dies after its first send, before marking it.
    die.touch()
    try:
        published = _publish(http, world, draft)
        assert published.status_code == 200, published.text
    except httpx.TransportError:
        assert stack.backend == "sqlite"  # the web process itself died: its answer may be lost
    assert stack.deliverer is not None
    assert stack.deliverer.wait(60) == 137, stack.output()
    die.unlink()
    with database.reader() as session:
        in_force = session.get(PublishedMonthRow, MONTH)
        assert in_force is not None
        assert in_force.schedule_id == draft  # the publication committed
    rows = _outbox(database, draft)
    assert sorted((r.recipient_id, r.channel) for r in rows) == [("c1", "email"), ("d1", "email"), ("d1", "zalo")]
    # The receiver has one message whose row does not know it was sent; the rest wait.
    (doubt,) = [r for r in rows if r.message_id in mailbox.keys() + zalo.keys()]
    assert len(mailbox.keys() + zalo.keys()) == 1
    assert doubt.state == "sending"
    assert {r.state for r in rows} <= {"pending", "sending"}

    # A new process delivers every message once, the one in doubt again under the same key.
    received_before = len(mailbox.mails), len(zalo.calls)
    stack.start_deliverer()
    rows = poll(lambda: _all_sent(database, draft), "the changed version's messages sent")
    keys = {r.message_id for r in rows}
    after = mailbox.keys()[received_before[0] :] + zalo.keys()[received_before[1] :]
    assert Counter(after) == dict.fromkeys(keys, 1)
    assert Counter(mailbox.keys() + zalo.keys()) == {**dict.fromkeys(keys, 1), doubt.message_id: 2}
    assert next(r.attempts for r in rows if r.message_id == doubt.message_id) == 2

    # What they say: the move and the cancellation, in Vietnamese, to the right addresses.
    mails = dict(mailbox.mails)
    subject = str(make_header(decode_header(mails["kien@example.vn"]["Subject"])))
    assert subject == f"Điều chỉnh lịch phân công dự hội nghị tuyên vận tháng 11/{YEAR}", subject
    assert "Phường Cốc Lếu" in _text(mails["coclu@example.vn"])
    told = _text(mails["kien@example.vn"])
    moved_line = (
        f"Dời lịch: hội nghị tuyên vận Phường Cốc Lếu chuyển từ 08h00 ngày 04/11/{YEAR} sang 08h00 ngày 05/11/{YEAR}"
    )
    assert moved_line in told
    assert "Hủy: đồng chí không dự hội nghị tuyên vận" in told
    call = zalo.calls[-1]
    assert call["recipient"] == {"user_id": "84901234567"}
    assert "Dời lịch" in call["message"]["text"]

    # The feed: the moved meeting at its new time, SEQUENCE up; the dropped one CANCELLED.
    now = _feed(http, feed)
    moved, dropped = now["m1.d1@phancong.tuyenvan"], now[f"{other}.d1@phancong.tuyenvan"]
    assert moved["DTSTART"].dt.isoformat() == M1_AFTER
    assert int(moved["SEQUENCE"]) > int(before["m1.d1@phancong.tuyenvan"]["SEQUENCE"])
    assert str(moved["STATUS"]) == "CONFIRMED"
    assert PENDING not in str(moved["DESCRIPTION"])
    assert str(dropped["STATUS"]) == "CANCELLED"
    assert int(dropped["SEQUENCE"]) > int(before[f"{other}.d1@phancong.tuyenvan"]["SEQUENCE"])
