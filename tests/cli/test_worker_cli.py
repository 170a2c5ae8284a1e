"""``phancong worker`` and ``phancong serve --workers`` refuse SQLite with a clear message
(the embedded default runs its solves in the one server process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = ROOT / ".venv" / "bin" / "phancong"


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-c", "from cli.main import main; main()"]
    env = {**os.environ, "PHANCONG_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)


def test_worker_needs_postgresql(tmp_path: Path) -> None:
    done = _run(tmp_path, "worker")
    assert done.returncode == 2
    assert "phancong worker cần PostgreSQL" in done.stderr
    assert "Traceback" not in done.stderr


def test_several_web_processes_need_postgresql(tmp_path: Path) -> None:
    done = _run(tmp_path, "serve", "--workers", "2")
    assert done.returncode == 2
    assert "--workers 2" in done.stderr
    assert "nhiều tiến trình web cần PostgreSQL" in done.stderr.replace("\n", " ")
    assert "Traceback" not in done.stderr
