"""Delivering the notification outbox: the channels (SMTP, Zalo OA, signed webhook), one
delivery attempt guarded by the row's state, and the two ways deliveries ride on the
job queue.

An attempt (:func:`deliver`) claims the row (``pending`` and due, or ``sending`` with an
expired lease: its deliverer died) by a compare-and-swap, sends, then marks it ``sent``;
a failure puts it back ``pending`` with an exponential backoff, or ``failed`` after
``delivery_attempts``. A row once ``sent`` is never sent again; a crash between the send
and the mark sends it once more with the same ``message_id`` (Message-ID of the mail, the
webhook's ``Idempotency-Key``, Zalo's ``tracking_id``), which lets the receiver drop the
copy: at least once, each message identified so it counts once.

* PostgreSQL (:class:`QueueDeliverer`): each row's procrastinate job is deferred in the
  publication's transaction (:func:`defer_in`), so the outbox row and its job commit
  together; a retry is a new job scheduled at the backoff; the workers
  (:mod:`api.worker`) run the task and sweep for rows whose job was lost.
* SQLite (:class:`ThreadDeliverer`): one thread of the web process, kicked after the
  commit; at start-up and every ``delivery_sweep_seconds`` it sweeps the due rows, so a
  crash between the commit and the kick loses nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import smtplib
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import or_, select, text, update
from sqlalchemy.orm import Session

from api.jobs import QUEUE
from api.settings import Settings
from models.storage.db import Database
from models.storage.tables import OutboxRow
from models.storage.types import utcnow

log = logging.getLogger("phancong.deliveries")

DELIVER_TASK = "phancong.deliver"
"""The procrastinate task of a delivery: its only argument is the outbox row's id."""
LEASE_SECONDS = 60
"""A claimed row is retaken after this long (its deliverer died mid-send); the default of
the ``delivery_lease_seconds`` setting."""


class DeliveryError(Exception):
    """A channel refused or could not be reached; the attempt is retried."""


# -- channels -----------------------------------------------------------------------------


def send_email(settings: Settings, row: OutboxRow) -> None:
    """Through SMTP (stdlib ``smtplib``): STARTTLS and login when configured."""
    if not settings.smtp_host:
        raise DeliveryError("Chưa cấu hình máy chủ thư (PHANCONG_SMTP_HOST)")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = row.address
    message["Subject"] = row.subject
    message["Message-ID"] = f"<{row.message_id}@phancong.tuyenvan>"
    message.set_content(row.body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.delivery_timeout) as smtp:
            if settings.smtp_tls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"SMTP: {error}") from error


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> bytes:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return bytes(answer.read())
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code} từ {url}") from error
    except (OSError, ValueError) as error:
        raise DeliveryError(f"{url}: {error}") from error


def send_zalo(settings: Settings, row: OutboxRow) -> None:
    """A Zalo Official Account message to a user who follows the OA (``POST`` the OA
    message API with the ``access_token`` header; answer ``{"error": 0, ...}`` on success)."""
    if not settings.zalo_token:
        raise DeliveryError("Chưa cấu hình mã truy cập Zalo OA (PHANCONG_ZALO_TOKEN)")
    body = {
        "recipient": {"user_id": row.address},
        "message": {"text": f"{row.subject}\n\n{row.body}"[:2000]},
        "tracking_id": row.message_id,
    }
    raw = _post(
        settings.zalo_endpoint,
        json.dumps(body, ensure_ascii=False).encode(),
        {"access_token": settings.zalo_token},
        settings.delivery_timeout,
    )
    try:
        answer = json.loads(raw)
    except ValueError as error:
        raise DeliveryError("Zalo trả lời không phải JSON") from error
    if not isinstance(answer, dict) or answer.get("error") != 0:
        said = answer.get("message") if isinstance(answer, dict) else answer
        raise DeliveryError(f"Zalo từ chối: {said}")


def signature(secret: str, body: bytes) -> str:
    """The webhook's ``X-Phancong-Signature``: ``sha256=`` and the HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(settings: Settings, row: OutboxRow) -> None:
    """A JSON POST signed with HMAC-SHA256 of the body under ``webhook_secret``."""
    if not settings.webhook_url:
        raise DeliveryError("Chưa cấu hình webhook (PHANCONG_WEBHOOK_URL)")
    document = {
        "message_id": row.message_id,
        "recipient": {"kind": row.recipient_kind, "id": row.recipient_id, "name": row.recipient_name},
        "subject": row.subject,
        "body": row.body,
        **row.payload,
    }
    body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    headers = {"Idempotency-Key": row.message_id, "X-Phancong-Signature": signature(settings.webhook_secret, body)}
    _post(settings.webhook_url, body, headers, settings.delivery_timeout)


Sender = Callable[[Settings, OutboxRow], None]
SENDERS: dict[str, Sender] = {"email": send_email, "zalo": send_zalo, "webhook": send_webhook}


# -- one attempt ------------------------------------------------------------------------------


def claim(session: Session, row_id: int, now: dt.datetime, lease: float = LEASE_SECONDS) -> bool:
    """Take the row for one attempt: due and pending, or its lease expired."""
    taken = session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id == row_id,
            or_(
                (OutboxRow.state == "pending") & (OutboxRow.next_attempt_at <= now),
                (OutboxRow.state == "sending") & (OutboxRow.claimed_until < now),
            ),
        )
        .values(
            state="sending",
            attempts=OutboxRow.attempts + 1,
            claimed_until=now + dt.timedelta(seconds=lease),
        )
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def backoff(settings: Settings, attempts: int) -> dt.timedelta:
    """Before attempt ``attempts + 1``: base × 2^(attempts − 1), at most an hour."""
    return dt.timedelta(seconds=min(settings.delivery_backoff_seconds * 2 ** max(attempts - 1, 0), 3600))


def deliver(
    database: Database, settings: Settings, row_id: int, senders: dict[str, Sender] | None = None
) -> dt.datetime | None:
    """One attempt at the row; returns when to try again (None: sent, failed or not due)."""
    now = utcnow()
    with database.transaction() as session:
        if not claim(session, row_id, now, settings.delivery_lease_seconds):
            return None
        row = session.get(OutboxRow, row_id, populate_existing=True)
        assert row is not None
        session.expunge(row)
    try:
        (senders or SENDERS)[row.channel](settings, row)
    except Exception as error:  # any failure of a channel is retried, then recorded
        message = getattr(error, "args", [str(error)])[0] if isinstance(error, DeliveryError) else repr(error)
        retry = row.attempts < settings.delivery_attempts
        later = utcnow() + backoff(settings, row.attempts)
        with database.transaction() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row_id, OutboxRow.state == "sending")
                .values(
                    state="pending" if retry else "failed",
                    next_attempt_at=later,
                    claimed_until=None,
                    last_error=str(message)[:2000],
                )
            )
        log.warning("delivery %s failed (attempt %d): %s", row.message_id, row.attempts, message)
        return later if retry else None
    with database.transaction() as session:
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id, OutboxRow.state == "sending")
            .values(state="sent", sent_at=utcnow(), claimed_until=None, last_error=None)
        )
    return None


def due(session: Session, now: dt.datetime) -> list[int]:
    """Rows to attempt now: pending and due, or claimed by a deliverer that died."""
    query = select(OutboxRow.id).where(
        or_(
            (OutboxRow.state == "pending") & (OutboxRow.next_attempt_at <= now),
            (OutboxRow.state == "sending") & (OutboxRow.claimed_until < now),
        )
    )
    return list(session.scalars(query.order_by(OutboxRow.id)))


# -- riding on the queue ------------------------------------------------------------------------


def defer_in(session: Session, row_id: int, at: dt.datetime | None = None) -> int:
    """A procrastinate job delivering ``row_id`` (at ``at``), in ``session``'s transaction."""
    query = text(
        "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, CAST(:args AS jsonb), "
        "CAST(:at AS timestamptz))::procrastinate_job_to_defer_v1]))"
    )
    args = json.dumps({"outbox_id": row_id})
    return int(session.execute(query, {"queue": QUEUE, "task": DELIVER_TASK, "args": args, "at": at}).scalar_one())


class Deliverer(Protocol):
    def enqueue(self, session: Session, row_ids: Sequence[int]) -> None:
        """In the transaction that wrote the rows (before its commit)."""

    def kick(self, row_ids: Sequence[int]) -> None:
        """After that commit."""

    def start(self) -> None: ...

    def shutdown(self) -> None: ...


class QueueDeliverer:
    """PostgreSQL: one procrastinate job per row, deferred with the row."""

    def enqueue(self, session: Session, row_ids: Sequence[int]) -> None:
        for row_id in row_ids:
            defer_in(session, row_id)

    def kick(self, row_ids: Sequence[int]) -> None:
        """Nothing: the workers run the jobs committed with the rows."""

    def start(self) -> None: ...

    def shutdown(self) -> None: ...


def run_task(database: Database, settings: Settings, row_id: int) -> None:
    """A worker's delivery task: one attempt, and a retry job at the backoff if needed."""
    later = deliver(database, settings, row_id)
    if later is not None:
        with database.transaction() as session:
            defer_in(session, row_id, later)


def sweep_queue(database: Database, settings: Settings) -> int:
    """Workers: re-defer the rows whose lease expired (their worker died mid-send)."""
    now = utcnow()
    with database.transaction() as session:
        stale = list(
            session.scalars(select(OutboxRow.id).where(OutboxRow.state == "sending", OutboxRow.claimed_until < now))
        )
        for row_id in stale:
            defer_in(session, row_id)
    return len(stale)


class ThreadDeliverer:
    """SQLite (or ``job_runner=thread``): a thread of the web process delivers the rows."""

    def __init__(self, database: Database, settings: Settings, senders: dict[str, Sender] | None = None) -> None:
        self.database, self.settings, self.senders = database, settings, senders
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="phancong-deliver")
        self._closed = threading.Event()
        self._sweeper: threading.Thread | None = None

    def enqueue(self, session: Session, row_ids: Sequence[int]) -> None:
        """Nothing in the transaction: the rows themselves are the queue."""

    def kick(self, row_ids: Sequence[int]) -> None:
        for row_id in row_ids:
            self._pool.submit(self._attempt, row_id)

    def _attempt(self, row_id: int) -> None:
        try:
            deliver(self.database, self.settings, row_id, self.senders)
        except Exception:  # the sweep tries again
            log.exception("delivery of outbox row %s", row_id)

    def sweep(self) -> int:
        """Attempt every due row now (start-up, and every ``delivery_sweep_seconds``)."""
        with self.database.reader() as session:
            ids = due(session, utcnow())
        for row_id in ids:
            self._attempt(row_id)
        return len(ids)

    def start(self) -> None:
        self._sweeper = threading.Thread(target=self._loop, name="phancong-deliver-sweep", daemon=True)
        self._sweeper.start()

    def _loop(self) -> None:
        while True:
            try:
                self.sweep()
            except Exception:
                log.exception("delivery sweep")
            if self._closed.wait(self.settings.delivery_sweep_seconds):
                return

    def shutdown(self) -> None:
        self._closed.set()
        self._pool.shutdown(wait=True, cancel_futures=True)


def make_deliverer(database: Database, settings: Settings) -> Deliverer:
    """The queue on PostgreSQL with workers, threads otherwise (as the job runner)."""
    kind = settings.job_runner
    if kind == "auto":
        kind = "queue" if database.backend == "postgresql" else "thread"
    return QueueDeliverer() if kind == "queue" else ThreadDeliverer(database, settings)
