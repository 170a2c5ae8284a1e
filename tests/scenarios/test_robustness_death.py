"""The robustness analysis's processes die with the process that started them.

A real ``kill -9`` of a parent whose pool is busy: without the parent-death signal each
worker went on re-planning its absence (up to its time limit, a minute on a large month)
beside the worker that retook the job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scenarios.conftest import TINY
from tests.solver.test_child_death import _dead, _wait

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")

ROOT = Path(__file__).resolve().parents[2]

PARENT = """
import json, sys, time
from scenarios.robustness import pool_of

document = json.loads(open(sys.argv[1], encoding="utf-8").read())
with pool_of(2, document, [], 5.0) as pool:
    busy = [pool.submit(time.sleep, 300) for _ in range(2)]
    while len(pool._processes) < 2 or not all(f.running() for f in busy):
        time.sleep(0.05)
    print(*pool._processes, flush=True)
    time.sleep(600)
"""


def test_the_pool_dies_with_its_killed_parent() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(TINY)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    workers: list[int] = []
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2
        assert not any(_dead(w) for w in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(30)
        assert _wait(lambda: all(_dead(w) for w in workers), 10), "a worker of the pool outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(30)
        for worker in workers:
            if not _dead(worker):
                os.kill(worker, signal.SIGKILL)
