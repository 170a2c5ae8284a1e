"""A real ``phancong worker`` process for tests/api/test_queue.py, whose solves can be
held open: ``PHANCONG_TEST_HOLD`` seconds after the solver's answer (the tiny month is
solved in a blink), reporting progress and waiting on the stop event meanwhile, so that
a test can kill, cancel or stop the worker in the middle of a solve without depending
on how fast the machine solves.

Run as ``python -m tests.api.queue_worker`` with the worker's settings in the
environment (``PHANCONG_DATABASE_URL``, ``PHANCONG_HEARTBEAT_SECONDS``, ...).
"""

from __future__ import annotations

import os
from typing import Any

from api import worker
from solver import Result
from solver import solve as solver_solve
from solver.backends import Progress


def held_solve(instance: Any, **options: Any) -> Result:
    """The solver's answer, handed back only after the hold or when stopped."""
    hold = float(os.environ.get("PHANCONG_TEST_HOLD", "0"))
    stop = options["stop"]
    result = solver_solve(instance, **{**options, "stop": None})
    report = options.get("on_progress")
    waited = 0.0
    while waited < hold and not stop.wait(0.1):
        waited += 0.1
        if report is not None and result.report is not None:
            report(Progress(seconds=waited, objective=result.report.total, bound=result.bound))
    print(f"solve released after {waited:.1f} s (stopped: {stop.is_set()})", flush=True)
    return result


if __name__ == "__main__":
    worker.run(solve_function=held_solve)
