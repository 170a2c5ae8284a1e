"""Start-up: the sample is loaded into an empty database, a planner token is printed;
``phancong serve`` (and ``python -m api.server``, the same start-up) answers over HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.seed import prepare
from models.storage.db import Database
from models.storage.tables import CommuneRow
from tests.conftest import ROOT
from tests.storage.databases import drop_postgres, postgres_url, worker_name


def test_first_start_loads_the_sample_and_later_starts_add_a_token(client: TestClient, database: Database) -> None:
    """An empty database gets the Lào Cai sample and a working planner token; the next
    start loads nothing again and prints a new token, and the first one still works (the
    web processes of other machines of the deployment serve clients that use it)."""
    first = prepare(database)
    assert first.loaded_sample
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(CommuneRow)) == 17
    assert client.get("/months/2024-03", headers={"Authorization": f"Bearer {first.token}"}).json()["meetings"] == 17
    second = prepare(database)
    assert not second.loaded_sample
    assert second.token != first.token
    assert client.get("/me", headers={"Authorization": f"Bearer {first.token}"}).status_code == 200
    assert client.get("/me", headers={"Authorization": f"Bearer {second.token}"}).status_code == 200


def test_health_answers_without_authentication(client: TestClient, backend: str) -> None:
    """`/health` needs no token and names the database in use."""
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": backend}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: ``phancong serve`` as a planner types it: the console script, else the same entry point.
CONSOLE = Path(sys.executable).parent / "phancong"
PHANCONG = [str(CONSOLE)] if CONSOLE.exists() else [sys.executable, "-c", "from cli.main import main; main()"]


@contextmanager
def _serving(command: list[str], cwd: Path, env: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Start the server on a free port; yield its base URL and the planner token it
    printed once ``/health`` answers; stop it at the end."""
    port = _free_port()
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        token = None
        deadline = time.monotonic() + 60
        while token is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, "the server stopped before printing a token"
            found = re.search(r"\(planner\): (pc_\S+)", line)
            token = found.group(1) if found else None
        assert token is not None
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, token
    finally:
        process.terminate()
        process.wait(20)


def _sample_month(base: str, token: str) -> int:
    month = httpx.get(f"{base}/months/2024-03", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert month.status_code == 200
    return int(month.json()["meetings"])


def test_serve_starts_on_sqlite_and_prints_a_planner_token(tmp_path: Path) -> None:
    """`api.server.run` on an empty SQLite file: migrates, loads the sample, prints a token that works."""
    env = {**os.environ, "PHANCONG_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    with _serving([sys.executable, "-m", "api.server"], ROOT, env) as (base, token):
        assert _sample_month(base, token) == 17


def test_phancong_serve_defaults_to_sqlite_in_the_working_directory(tmp_path: Path) -> None:
    """`phancong serve` without PHANCONG_DATABASE_URL creates phancong.db where it is run,
    loads the sample into it and prints a planner token that works."""
    env = {k: v for k, v in os.environ.items() if k != "PHANCONG_DATABASE_URL"}
    with _serving([*PHANCONG, "serve"], tmp_path, env) as (base, token):
        assert httpx.get(f"{base}/health", timeout=5).json() == {"status": "ok", "database": "sqlite"}
        assert _sample_month(base, token) == 17
    assert (tmp_path / "phancong.db").is_file()


def test_phancong_serve_uses_the_database_of_the_environment(tmp_path: Path) -> None:
    """`phancong serve` with PHANCONG_DATABASE_URL naming PostgreSQL serves from it."""
    name = f"phancong_serve_{worker_name()}"
    env = {**os.environ, "PHANCONG_DATABASE_URL": postgres_url(name)}
    try:
        with _serving([*PHANCONG, "serve"], tmp_path, env) as (base, token):
            assert httpx.get(f"{base}/health", timeout=5).json() == {"status": "ok", "database": "postgresql"}
            assert _sample_month(base, token) == 17
        assert not (tmp_path / "phancong.db").exists()
    finally:
        drop_postgres(name)


def test_a_start_that_fails_on_a_taken_port_signs_nobody_out(tmp_path: Path) -> None:
    """A second `phancong serve` on the port the first one holds prints its token, then
    fails ("address already in use"); the first one's token still answers there."""
    env = {**os.environ, "PHANCONG_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    with _serving([*PHANCONG, "serve"], tmp_path, env) as (base, token):
        port = base.rsplit(":", 1)[1]
        second = subprocess.run(
            [*PHANCONG, "serve", "--host", "127.0.0.1", "--port", port],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode != 0, second.stdout
        assert re.search(r"\(planner\): pc_\S+", second.stdout), second.stdout
        assert _sample_month(base, token) == 17
