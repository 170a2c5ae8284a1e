"""Notifications on publication: the outbox written with the publish, delivered by email
(a local aiosmtpd server), Zalo OA (a local server speaking its request and answer) and
a signed webhook; retried with backoff, never lost after a crash nor sent twice once
sent; on PostgreSQL each message's job deferred in the publication's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from api import deliveries
from api.settings import Settings
from models.storage.db import Database
from models.storage.tables import OutboxRow
from models.storage.types import utcnow
from tests.api.helpers import solve_and_publish
from tests.api.world import World, build_world

SECRET = "bi-mat-webhook"
TOKEN = "zalo-oa-token"


@dataclass
class Mailbox:
    messages: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@dataclass
class Hits:
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=lambda: {"error": 0, "message": "Success", "data": {}})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Mailbox, int]]:
    """A local SMTP server (aiosmtpd) collecting what it receives."""
    box, port = Mailbox(), _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[tuple[Hits, int]]:
    """A local HTTP server answering like the Zalo OA message API (and taking webhooks)."""
    hits = Hits()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hits.requests.append((self.path, dict(self.headers.items()), body))
            answer = json.dumps(hits.answer).encode()
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
    yield hits, int(server.server_address[1])
    server.shutdown()


@pytest.fixture
def settings(smtp: tuple[Mailbox, int], http: tuple[Hits, int]) -> Settings:
    """Test settings pointing every channel at the local servers."""
    smtp[0].messages.clear()
    http[0].requests.clear()
    http[0].answer = {"error": 0, "message": "Success", "data": {"message_id": "z1"}}
    return Settings(
        load_sample=False,
        job_runner="thread",
        max_solve_seconds=10,
        default_solve_seconds=5,
        progress_interval=0.05,
        public_url="http://testserver",
        smtp_host="127.0.0.1",
        smtp_port=smtp[1],
        smtp_from="ban-tuyen-giao@example.vn",
        zalo_endpoint=f"http://127.0.0.1:{http[1]}/v3.0/oa/message/cs",
        zalo_token=TOKEN,
        webhook_url=f"http://127.0.0.1:{http[1]}/hook",
        webhook_secret=SECRET,
        delivery_backoff_seconds=30,
        delivery_attempts=3,
        delivery_sweep_seconds=60,
    )


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    return build_world(database, tiny_document, extras=False)


class Recorder:
    """A deliverer that delivers nothing: as if the process died right after the commit."""

    def __init__(self) -> None:
        self.kicked: list[int] = []

    def enqueue(self, session: Session, row_ids: Sequence[int]) -> None: ...

    def kick(self, row_ids: Sequence[int]) -> None:
        self.kicked.extend(row_ids)

    def start(self) -> None: ...

    def shutdown(self) -> None: ...


def _replace_deliverer(client: TestClient, deliverer: Any) -> None:
    """Stop the app's own deliverer (its sweeper would deliver behind the test's back) and use ``deliverer``."""
    client.app.state.deliverer.shutdown()  # type: ignore[attr-defined]
    client.app.state.deliverer = deliverer  # type: ignore[attr-defined]


def _contacts(client: TestClient, world: World) -> None:
    d1 = {"email": "kien@example.vn", "zalo_user_id": "84901234567", "channels": ["email", "zalo", "webhook"]}
    assert client.put("/delegates/d1/contact", json=d1, headers=world.auth("delegate")).status_code == 200
    c1 = {"email": "coclu@example.vn", "channels": ["email"]}
    assert client.put("/communes/c1/contact", json=c1, headers=world.auth("commune")).status_code == 200


def _rows(database: Database) -> list[OutboxRow]:
    with database.reader() as session:
        rows = list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
        session.expunge_all()
        return rows


def test_contacts_refuse_a_channel_without_its_address(client: TestClient, fresh: World) -> None:
    """Zalo chosen without a Zalo id is 422 at ``$.channels[0]``; another delegate may not edit d1's."""
    bad = client.put("/delegates/d1/contact", json={"channels": ["zalo"]}, headers=fresh.auth("delegate"))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "$.channels[0]"
    other = client.put("/delegates/d1/contact", json={"channels": []}, headers=fresh.auth("other_delegate"))
    assert other.status_code == 403


def test_a_publication_reaches_mail_zalo_and_webhook(
    client: TestClient, fresh: World, database: Database, smtp: tuple[Mailbox, int], http: tuple[Hits, int]
) -> None:
    """The first publication writes one message per person and chosen channel; the thread
    deliverer sends them: a Vietnamese mail with its Message-ID to the SMTP server, the Zalo
    OA call with its token and user id, a webhook whose HMAC-SHA256 signature verifies."""
    _contacts(client, fresh)
    solve_and_publish(client, fresh)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(r.state != "sent" for r in _rows(database)):
        time.sleep(0.05)
    rows = _rows(database)
    assert sorted((r.recipient_id, r.channel) for r in rows) == [
        ("c1", "email"),
        ("d1", "email"),
        ("d1", "webhook"),
        ("d1", "zalo"),
    ]
    assert {r.state for r in rows} == {"sent"}
    listed = client.get("/notifications", headers=fresh.auth("planner"))
    assert listed.status_code == 200
    assert {n["state"] for n in listed.json()} == {"sent"}
    assert client.get("/notifications", headers=fresh.auth("commune")).status_code == 403
    mails = {e.rcpt_tos[0]: message_from_bytes(e.content) for e in smtp[0].messages}
    assert set(mails) == {"kien@example.vn", "coclu@example.vn"}
    mail = mails["kien@example.vn"]
    assert str(make_header(decode_header(mail["Subject"]))).startswith("Lịch phân công dự hội nghị tuyên vận")
    assert mail["Message-ID"] == f"<s{rows[0].schedule_id}-delegate-d1-email@phancong.tuyenvan>"
    assert "Kính gửi đồng chí" in mail.get_payload(decode=True).decode()
    zalo = [h for h in http[0].requests if h[0] == "/v3.0/oa/message/cs"]
    assert len(zalo) == 1
    headers = {k.lower(): v for k, v in zalo[0][1].items()}
    assert headers["access_token"] == TOKEN
    sent = json.loads(zalo[0][2])
    assert sent["recipient"] == {"user_id": "84901234567"}
    assert "Mới: dự hội nghị tuyên vận" in sent["message"]["text"]
    hook = next(h for h in http[0].requests if h[0] == "/hook")
    hook_headers = {k.lower(): v for k, v in hook[1].items()}
    expected = "sha256=" + hmac.new(SECRET.encode(), hook[2], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(hook_headers["x-phancong-signature"], expected)
    assert hook_headers["idempotency-key"] == json.loads(hook[2])["message_id"]


def test_a_crash_after_the_commit_loses_nothing_and_a_retry_doubles_nothing(
    client: TestClient, fresh: World, database: Database, settings: Settings
) -> None:
    """Nothing delivered at publish (the process died after the commit): the rows wait
    pending; a failing attempt is retried after its backoff, not before; once sent, never
    again; a deliverer dying mid-send is retaken after its lease with the same message id."""
    recorder = Recorder()
    _replace_deliverer(client, recorder)
    _contacts(client, fresh)
    solve_and_publish(client, fresh)
    rows = _rows(database)
    assert {r.state for r in rows} == {"pending"}
    assert sorted(recorder.kicked) == [r.id for r in rows]
    sends: list[str] = []
    failures = iter([True])

    def flaky(_settings: Settings, row: OutboxRow) -> None:
        if next(failures, False):
            raise deliveries.DeliveryError("Máy chủ thư không trả lời")
        sends.append(row.message_id)

    senders = dict.fromkeys(("email", "zalo", "webhook"), flaky)
    row = rows[0]
    later = deliveries.deliver(database, settings, row.id, senders)
    assert later is not None
    assert later - utcnow() > dt.timedelta(seconds=25)
    again = _rows(database)[0]
    assert (again.state, again.attempts, again.last_error) == ("pending", 1, "Máy chủ thư không trả lời")
    assert deliveries.deliver(database, settings, row.id, senders) is None  # not due yet
    assert sends == []
    with database.transaction() as session:
        session.execute(update(OutboxRow).where(OutboxRow.id == row.id).values(next_attempt_at=utcnow()))
    assert deliveries.deliver(database, settings, row.id, senders) is None
    assert deliveries.deliver(database, settings, row.id, senders) is None
    assert sends == [row.message_id]
    assert _rows(database)[0].state == "sent"
    # A deliverer claims the second row and dies before marking it: retaken after the lease.
    second = rows[1]
    with database.transaction() as session:
        assert deliveries.claim(session, second.id, utcnow())
    with database.reader() as session:
        assert second.id not in deliveries.due(session, utcnow())
        assert second.id in deliveries.due(session, utcnow() + dt.timedelta(seconds=deliveries.LEASE_SECONDS + 1))
    with database.transaction() as session:
        past = utcnow() - dt.timedelta(seconds=1)
        session.execute(update(OutboxRow).where(OutboxRow.id == second.id).values(claimed_until=past))
    deliveries.deliver(database, settings, second.id, senders)
    assert sends == [row.message_id, second.message_id]
    # The rest: a sweep (start-up, or every few seconds) delivers whatever is due.
    sweeper = deliveries.ThreadDeliverer(database, settings, senders)
    assert sweeper.sweep() == len(rows) - 2
    sweeper.shutdown()
    assert sorted(sends) == sorted(r.message_id for r in rows)
    assert {r.state for r in _rows(database)} == {"sent"}


def test_a_message_fails_after_its_last_attempt_and_says_why(
    client: TestClient, fresh: World, database: Database, settings: Settings, http: tuple[Hits, int]
) -> None:
    """Zalo answering an error (its documented ``{"error": -216, ...}``) is a failed attempt;
    after ``delivery_attempts`` the row is ``failed`` with the reason, listed for planners."""
    _replace_deliverer(client, Recorder())
    _contacts(client, fresh)
    solve_and_publish(client, fresh)
    http[0].answer = {"error": -216, "message": "Access token is invalid"}
    zalo = next(r for r in _rows(database) if r.channel == "zalo")
    for _ in range(settings.delivery_attempts):
        with database.transaction() as session:
            session.execute(update(OutboxRow).where(OutboxRow.id == zalo.id).values(next_attempt_at=utcnow()))
        deliveries.deliver(database, settings, zalo.id)
    failed = client.get("/notifications?state=failed", headers=fresh.auth("planner")).json()
    assert [(n["channel"], n["attempts"]) for n in failed] == [("zalo", settings.delivery_attempts)]
    assert "Zalo từ chối: Access token is invalid" in failed[0]["last_error"]


def test_on_postgresql_each_message_rides_on_the_queue_with_the_publish(
    client: TestClient, fresh: World, database: Database, backend: str, settings: Settings
) -> None:
    """With the queue deliverer, one procrastinate job per message is committed with the
    publication; running the task delivers it, and a failure defers a retry at the backoff."""
    if backend != "postgresql":
        pytest.skip("procrastinate runs on PostgreSQL only")
    _replace_deliverer(client, deliveries.QueueDeliverer())
    _contacts(client, fresh)
    solve_and_publish(client, fresh)
    rows = _rows(database)
    with database.reader() as session:
        jobs = session.execute(
            text("SELECT args, scheduled_at FROM procrastinate_jobs WHERE task_name = :task"),
            {"task": deliveries.DELIVER_TASK},
        ).all()
    assert sorted(args["outbox_id"] for args, _ in jobs) == [r.id for r in rows]
    email = next(r for r in rows if r.channel == "email" and r.recipient_id == "d1")
    deliveries.run_task(database, settings, email.id)
    assert next(r for r in _rows(database) if r.id == email.id).state == "sent"
    broken = settings.model_copy(update={"smtp_port": _free_port()})
    other = next(r for r in rows if r.channel == "email" and r.recipient_id == "c1")
    deliveries.run_task(database, broken, other.id)
    with database.reader() as session:
        retry = session.execute(
            text("SELECT scheduled_at FROM procrastinate_jobs WHERE task_name = :task AND args->>'outbox_id' = :id"),
            {"task": deliveries.DELIVER_TASK, "id": str(other.id)},
        ).all()
    assert len(retry) == 2
    assert max(s for (s,) in retry if s is not None) > utcnow() + dt.timedelta(seconds=25)
