"""End a solver's child process that outlives its time limit.

PuLP runs CBC as a child process and waits for it without a timeout, and CBC looks at its
own time limit only once it has read the model file, presolved it and solved the root:
on a province's year (a 270 MB model file) that was thirteen minutes for a limit of one
second. The watchdog sends the child a SIGTERM at the deadline; the caller then gets
PuLP's error and keeps the best schedule it already has. Linux only (it reads ``/proc``);
elsewhere it does nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")


class ChildWatchdog:
    """While active, terminate this process's children whose command names ``program``
    once ``deadline`` (a ``time.perf_counter`` value) has passed."""

    def __init__(self, program: str, deadline: float) -> None:
        self.program = program
        self.deadline = deadline
        self.fired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"watchdog-{program}", daemon=True)

    def __enter__(self) -> ChildWatchdog:
        if PROC.is_dir():
            self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join(1.0)

    def _watch(self) -> None:
        while not self._done.wait(min(0.2, max(0.0, self.deadline - time.perf_counter()))):
            if time.perf_counter() >= self.deadline:
                for pid in children(os.getpid(), self.program):
                    try:
                        os.kill(pid, signal.SIGTERM)
                        self.fired = True
                    except ProcessLookupError:
                        pass
                if self.fired:
                    return


def children(parent: int, program: str) -> list[int]:
    """Ids of the live children of ``parent`` whose command line mentions ``program``."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # The command name is in parentheses and may hold spaces; ppid follows it.
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            if ppid != parent:
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if program in command:
            found.append(int(entry.name))
    return found
