"""What the tests that start real processes share: a database of their own, a free port, a
poll with a timeout, and the set of processes a test started (ended at its end, their logs
printed on a failure)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import pytest

from models.storage import migrate
from tests.storage.databases import drop_postgres, postgres_url, worker_name

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
#: Workers at full priority: with the tests' short stale windows, a niced or idle-class
#: worker on a loaded machine could miss its beats and lose its job to the sweep, which no
#: test of these is about (the priority itself: tests/api/test_worker_priority.py).
FULL_PRIORITY = {"PHANCONG_WORKER_NICE": "0", "PHANCONG_WORKER_IDLE": "false"}


def own_database(prefix: str) -> Iterator[str]:
    """A migrated PostgreSQL database of the test's own (processes connect to it by URL),
    dropped at the end."""
    name = f"{prefix}_{worker_name()}"
    url = postgres_url(name)
    migrate.upgrade(url)
    yield url
    drop_postgres(name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def poll(read: Callable[[], T | None], what: str, timeout: float = 90.0, every: float = 0.05) -> T:
    """Read until the answer is truthy; fail saying what was awaited after ``timeout``.
    A slow machine makes a test slower, never red."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(every)


class Started:
    """Processes a test started, each logging to a file of its own under ``logs``."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def launch(self, command: Sequence[str], env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{len(self.started)}-{name}.log").open("wb")
        process = subprocess.Popen(
            list(command), cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        self.started.append(process)
        return process

    def close(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(30)

    def output(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')}" for p in sorted(self.logs.glob("*.log")))
