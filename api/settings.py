"""Settings of the service, read from the environment (``PHANCONG_*``) by pydantic-settings."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PHANCONG_", extra="ignore")

    database_url: str | None = Field(default=None, description="SQLAlchemy URL; None: the SQLite file phancong.db")
    public_url: str = Field(default="http://127.0.0.1:8000", description="Base of the calendar URLs handed out")

    # Solving
    max_solve_seconds: float = Field(default=60.0, gt=0, description="Cap on a solve's time limit")
    default_solve_seconds: float = Field(default=30.0, gt=0)
    solve_executors: int = Field(default=1, ge=1, description="Solves running at once in this process")
    solver_threads: int | None = Field(default=None, ge=1, description="Threads per solve (None: the solver's)")
    max_concurrent_solves: int = Field(default=1, ge=1, description="Queued or running solves per user")
    max_meetings: int = Field(default=1000, ge=1, description="Meetings in one month's solve")
    max_delegates: int = Field(default=2000, ge=1, description="Delegates in one solve")
    progress_interval: float = Field(default=0.5, gt=0, description="Seconds between stored progress updates")

    # Jobs
    job_runner: Literal["auto", "thread", "queue"] = Field(
        default="auto", description="auto: the procrastinate queue on PostgreSQL, threads in the server on SQLite"
    )
    heartbeat_seconds: float = Field(default=2.0, gt=0, description="Seconds between a running job's heartbeats")
    stale_seconds: float = Field(
        default=20.0, gt=0, description="A running job with no heartbeat for this long has lost its worker"
    )
    max_retakes: int = Field(default=2, ge=0, description="Times a job is taken up again after its worker died")
    worker_poll_seconds: float = Field(default=2.0, gt=0, description="A worker's fallback poll of the queue")
    worker_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="CPU niceness a worker process adds to itself: web processes on the same machine win the cores",
    )
    worker_idle: bool = Field(
        default=True,
        description="A worker runs in Linux's idle scheduling class: a web process that wakes takes the core at once",
    )

    # Notifications (the outbox, delivered through the job queue)
    smtp_host: str | None = Field(default=None, description="SMTP server of the notification mails")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = Field(default="phancong@localhost", description="From: of the notification mails")
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: bool = Field(default=False, description="STARTTLS before sending")
    zalo_endpoint: str = Field(default="https://openapi.zalo.me/v3.0/oa/message/cs", description="Zalo OA message API")
    zalo_token: str | None = Field(default=None, description="Zalo OA access token")
    webhook_url: str | None = Field(default=None, description="Signed JSON webhook receiving every notification")
    webhook_secret: str = Field(default="", description="HMAC-SHA256 key of the webhook's X-Phancong-Signature")
    delivery_attempts: int = Field(default=6, ge=1, description="Attempts of a message before it is failed")
    delivery_backoff_seconds: float = Field(default=30.0, gt=0, description="First retry delay (doubles each time)")
    delivery_timeout: float = Field(default=10.0, gt=0, description="Seconds a channel may take to answer")
    delivery_sweep_seconds: float = Field(default=30.0, gt=0, description="Between sweeps for due messages")
    delivery_lease_seconds: float = Field(
        default=60.0, gt=0, description="A message being sent is retaken after this long (its deliverer died)"
    )

    # Requests
    access_log: bool = Field(
        default=False,
        description="uvicorn's line per request (off: the reverse proxy logs them; it costs a tenth of a feed request)",
    )
    max_body_bytes: int = Field(default=5_000_000, ge=1024, description="Largest request body (413 above)")
    body_timeout_seconds: float = Field(
        default=30.0, gt=0, description="A request body not fully arrived after this long answers 408"
    )
    sse_poll_seconds: float = Field(default=0.5, gt=0)
    sse_max_seconds: float = Field(default=900.0, gt=0, description="An event stream closes after this long")

    # Pages
    secure_cookies: bool = Field(
        default=False, description="Session cookies marked Secure even over plain HTTP (behind a TLS proxy)"
    )

    # Start-up
    load_sample: bool = Field(default=True, description="Load the Lào Cai sample into an empty database")


@lru_cache
def get_settings() -> Settings:
    return Settings()
