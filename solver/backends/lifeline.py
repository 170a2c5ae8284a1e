"""Start a solver child that dies with the process that started it.

``python lifeline.py PARENT_PID PROGRAM [ARGS...]``: on Linux it asks the kernel for a
SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``), then becomes ``PROGRAM``:
a binary by ``execv`` (the request survives it), a Python script (``.py``) run in this
same interpreter, so that a HiGHS child still starts once. Without it a ``kill -9`` of a
worker or of the server left CBC solving for minutes beside the worker that retook the
job. It is a script of its own rather than a ``preexec_fn``: code run between ``fork``
and ``exec`` of a process with solver threads may deadlock (Python's documentation warns
of it), and without one ``subprocess`` keeps its fast ``vfork``.

The kernel sends the signal when the *thread* that forked the child ends, not the
process: :mod:`solver.backends.child` therefore starts every child from one thread that
lives as long as the process. Elsewhere than Linux the child does not die with its parent.
"""

from __future__ import annotations

import ctypes
import os
import runpy
import signal
import sys
from pathlib import Path

#: ``PR_SET_PDEATHSIG`` of ``<linux/prctl.h>``.
PR_SET_PDEATHSIG = 1
#: Exit code of a child whose parent was gone before it could ask for the signal.
ORPHANED = 70


def die_with(parent: int) -> None:
    """Be killed when the process ``parent`` dies; exit at once if it is already gone (it
    died between the start of this process and the request: the signal would never come)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(ORPHANED)


def main(argv: list[str]) -> None:
    parent, program, args = int(argv[0]), argv[1], argv[2:]
    die_with(parent)
    if program.endswith(".py"):
        sys.argv = [program, *args]
        sys.path[0] = str(Path(program).resolve().parent)
        runpy.run_path(program, run_name="__main__")
    else:
        os.execv(program, [program, *args])


if __name__ == "__main__":
    main(sys.argv[1:])
