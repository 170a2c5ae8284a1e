"""A worker lowers its CPU priority before any thread starts: niceness, and on Linux the
idle scheduling class (``PHANCONG_WORKER_IDLE``), so that web processes on the same
machine keep their latency while it solves (docs/deploy.md)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from api.settings import Settings
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux's scheduling classes")

PROBE = "import os, sys; from api.worker import lower_priority; lower_priority({nice}, {idle}); " + (
    "print(os.sched_getscheduler(0), os.nice(0))"
)


def _after(nice: int, idle: bool) -> tuple[int, int]:
    """The scheduling class and niceness of a fresh process once it lowered itself."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(nice=nice, idle=idle)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    policy, niceness = done.stdout.split()
    return int(policy), int(niceness)


def test_the_worker_enters_the_idle_class_and_adds_its_niceness() -> None:
    start = os.nice(0)
    assert _after(10, True) == (os.SCHED_IDLE, min(19, start + 10))


def test_without_idle_the_worker_stays_in_the_normal_class() -> None:
    start = os.nice(0)
    assert _after(0, False) == (os.SCHED_OTHER, start)


def test_the_idle_class_is_the_default_and_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PHANCONG_WORKER_IDLE", raising=False)
    assert Settings().worker_idle is True
    monkeypatch.setenv("PHANCONG_WORKER_IDLE", "false")
    assert Settings().worker_idle is False
