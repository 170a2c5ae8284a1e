"""``phancong serve --workers 2`` and ``phancong worker --concurrency 2``, the commands a
deployment runs (docs/deploy.md), on the local PostgreSQL.

The queue tests (:mod:`tests.api.test_queue`) start the worker's module and app instances in
the test process; this one starts the two installed commands as a deployment would and drives
them over HTTP only: two web processes answer on one port, a month's solve accepted by them is
solved by one of the worker command's processes, and both commands stop cleanly on SIGTERM.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.storage.db import Database
from models.storage.tables import JobRow
from tests.api.processes import FULL_PRIORITY, ROOT, Started, free_port, own_database, poll
from tests.api.world import World, build_world
from tests.storage.databases import ADMIN_URL

pytestmark = pytest.mark.skipif(ADMIN_URL == "skip", reason="PHANCONG_TEST_POSTGRES_URL=skip")

SCRIPT = ROOT / ".venv" / "bin" / "phancong"
MONTH = "2025-11"


def _stat(pid: int) -> tuple[str, int] | None:
    """A process's state and parent's pid, read from /proc (no extra package); None once gone."""
    try:
        # After the command's name (which may hold spaces): state, then the parent's pid.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent's reaping does not)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def _children(pid: int) -> set[int]:
    """The live child processes of ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[1] == pid and stat[0] != "Z":
                found.add(int(entry.name))
    return found


@pytest.fixture
def commands_url() -> Iterator[str]:
    yield from own_database("phancong_commands")


@pytest.fixture
def world(commands_url: str, tiny_document: dict[str, Any]) -> Iterator[World]:
    database = Database.connect(commands_url)
    try:
        yield build_world(database, tiny_document, extras=False)
    finally:
        database.dispose()


class Commands(Started):
    """The commands a test started: ``phancong serve`` and ``phancong worker``."""

    def __init__(self, url: str, logs: Path) -> None:
        super().__init__(logs)
        self.url = url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-c", "from cli.main import main; main()"]
        env = {
            "PHANCONG_DATABASE_URL": self.url,
            "PHANCONG_PUBLIC_URL": self.base,
            "PHANCONG_LOAD_SAMPLE": "false",
            "PHANCONG_SOLVER_THREADS": "1",
            "PHANCONG_WORKER_POLL_SECONDS": "0.2",
            "PHANCONG_PROGRESS_INTERVAL": "0.1",
            **FULL_PRIORITY,
        }
        return self.launch([*command, *args], env, args[0])


@pytest.fixture
def commands(commands_url: str, tmp_path: Path) -> Iterator[Commands]:
    started = Commands(commands_url, tmp_path)
    yield started
    started.close()
    print(started.output())


def test_two_web_processes_and_two_solving_processes_through_the_commands(commands: Commands, world: World) -> None:
    """``serve --workers 2`` runs two web processes behind one port; ``worker --concurrency 2``
    runs two solving processes; a solve accepted over HTTP ends done on one of them with its
    draft; SIGTERM stops both commands with exit 0 and no process left behind."""
    serve = commands.start("serve", "--workers", "2", "--port", str(commands.port))
    worker = commands.start("worker", "--concurrency", "2")

    def answers() -> bool:
        assert serve.poll() is None, commands.output()
        try:
            return httpx.get(f"{commands.base}/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    poll(answers, "the web processes to answer")
    web = poll(lambda: _children(serve.pid) if len(_children(serve.pid)) >= 2 else None, "two web processes")
    solvers = poll(lambda: _children(worker.pid) if len(_children(worker.pid)) == 2 else None, "two solvers")
    assert len(web) >= 2

    with httpx.Client(base_url=commands.base, headers=world.auth("planner"), timeout=30) as http:
        accepted = http.post("/solves", json={"month": MONTH, "time_limit": 5})
        assert accepted.status_code == 201, accepted.text
        job_id = accepted.json()["id"]

        def ended() -> dict[str, Any] | None:
            job = http.get(f"/jobs/{job_id}").json()
            return job if job["status"] in ("done", "failed", "cancelled") else None

        job = poll(ended, "the solve to end")
        assert (job["status"], job["best_score"]) == ("done", 32), job
        assert http.get(f"/schedules/{job['schedule_id']}").json()["status"] == "draft"
    database = Database.connect(commands.url)
    try:
        with database.reader() as session:
            row = session.get(JobRow, job_id)
            assert row is not None
            assert row.worker is not None
    finally:
        database.dispose()
    assert int(row.worker.rsplit(":", 1)[1]) in solvers, (row.worker, solvers)

    serve.send_signal(signal.SIGTERM)
    worker.send_signal(signal.SIGTERM)
    assert serve.wait(60) == 0, commands.output()
    assert worker.wait(60) == 0, commands.output()
    # The children end on their own after their parent (multiprocessing's resource tracker
    # reads its pipe's end a moment later): wait for it, never leave one running.
    poll(lambda: not [pid for pid in web | solvers if _alive(pid)], "every child process to end", timeout=30)
