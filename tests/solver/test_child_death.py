"""A solver child dies with its parent, and a dead parent's folder is removed later.

A real ``kill -9`` of a parent process running a child (a binary, as CBC is, and a Python
script, as HiGHS's child is), started from a thread that ends at once: the child must
outlive that thread, and must not outlive the process.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from solver.backends.child import _born, remove_stale_folders

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")

ROOT = Path(__file__).resolve().parents[2]

PARENT = """
import sys, threading, time
from solver.backends.child import SolverChild

class Sleeper(SolverChild):
    def __init__(self, command):
        super().__init__("phancong-cbc-")
        self._launch(command, self._folder / "child.log")

made = []
starter = threading.Thread(target=lambda: made.append(Sleeper(sys.argv[1:])))
starter.start()
starter.join()  # the thread that started the child has ended
print(made[0]._process.pid, made[0]._folder, flush=True)
time.sleep(600)
"""


def _dead(pid: int) -> bool:
    """Gone, or a zombie waiting for a parent that does not reap it (the child is killed either way)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"


def _wait(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("kind", ["binary", "script"])
def test_a_solver_child_dies_with_its_killed_parent(tmp_path: Path, kind: str) -> None:
    if kind == "binary":
        sleep = shutil.which("sleep")
        assert sleep is not None
        command = [sleep, "300"]
    else:
        script = tmp_path / "sleeper.py"
        script.write_text("import time\ntime.sleep(300)\n", encoding="utf-8")
        command = [str(script)]
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, *command], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    child = -1
    try:
        assert parent.stdout is not None
        pid, folder = parent.stdout.readline().split()
        child = int(pid)
        time.sleep(1.0)
        assert not _dead(child), "the child was killed when the thread that started it ended"
        parent.send_signal(signal.SIGKILL)
        parent.wait(30)
        assert _wait(lambda: _dead(child), 10), "the solver child outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(30)
        if child > 0 and not _dead(child):
            os.kill(child, signal.SIGKILL)
    assert Path(folder).is_dir()  # nobody could remove it: its process was killed


def test_only_the_folders_of_dead_processes_are_removed(tmp_path: Path) -> None:
    """A dead process's folder goes; this (live) process's and an older release's stay."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    me = os.getpid()
    folders = {
        "dead": tmp_path / f"phancong-cbc-{dead}.{_born(me)}-x1",
        "reused": tmp_path / f"phancong-highs-{me}.{(_born(me) or 0) + 1}-x2",  # this id, another start
        "live": tmp_path / f"phancong-highs-{me}.{_born(me)}-x3",
        "older": tmp_path / "phancong-cbc-k2j4h1x_",
    }
    for folder in folders.values():
        folder.mkdir()
        (folder / "model.mps").write_text("NAME\n", encoding="ascii")
    removed = remove_stale_folders(tmp_path)
    assert sorted(removed) == sorted([folders["dead"], folders["reused"]])
    assert [name for name, folder in folders.items() if folder.exists()] == ["live", "older"]
