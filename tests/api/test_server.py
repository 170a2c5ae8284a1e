"""Start-up: the sample is loaded into an empty database, a planner token is printed;
``phancong serve`` (api.server.run) answers over HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.seed import prepare
from models.storage.db import Database
from models.storage.tables import CommuneRow
from tests.conftest import ROOT


def test_first_start_loads_the_sample_and_later_starts_rotate_the_token(client: TestClient, database: Database) -> None:
    """An empty database gets the Lào Cai sample and a working planner token; the next
    start loads nothing again and replaces the token."""
    first = prepare(database)
    assert first.loaded_sample
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(CommuneRow)) == 17
    assert client.get("/months/2024-03", headers={"Authorization": f"Bearer {first.token}"}).json()["meetings"] == 17
    second = prepare(database)
    assert not second.loaded_sample
    assert client.get("/me", headers={"Authorization": f"Bearer {first.token}"}).status_code == 401
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


def test_serve_starts_on_sqlite_and_prints_a_planner_token(tmp_path: Path) -> None:
    """`api.server.run` on an empty SQLite file: migrates, loads the sample, prints a token that works."""
    port = _free_port()
    env = {**os.environ, "PHANCONG_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.server", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
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
        month = httpx.get(f"{base}/months/2024-03", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert month.status_code == 200
        assert month.json()["meetings"] == 17
    finally:
        process.terminate()
        process.wait(20)
