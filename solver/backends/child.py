"""A solver run as a child process that one object owns, in a folder of its own.

CBC and HiGHS run this way beside the product's own search (:mod:`solver.backends.cbc`,
:mod:`solver.backends.highs_process`): the child reads its model from the folder and
writes its answer there, and the owner can end it at any moment. What they share is the
child's life: started with a log, waited for with a timeout, ended, the folder removed.

A child dies with the process that started it, even a ``kill -9`` of it (Linux): it is
started through :mod:`solver.backends.lifeline`, which asks the kernel for that, from one
thread that lives as long as the process (the kernel's signal follows the thread that
forked, and the owners of the children are threads that may end first). The folder is
named with its process's id and start time, so :func:`remove_stale_folders` (a worker's
or the server's start) removes the folders of processes that are gone, never a live one's.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

_LIFELINE = Path(__file__).with_name("lifeline.py")
#: The solver folders' names: what the prefix names, the owner's id and start time, a random part.
_FOLDER = re.compile(r"^phancong-(?:cbc|highs)-(\d+)\.(\d+)-")


class SolverChild:
    """The life of one solver child; subclasses write the model and read the answer."""

    def __init__(self, prefix: str) -> None:
        self._started = time.perf_counter()
        pid = os.getpid()
        self._dir = tempfile.TemporaryDirectory(prefix=f"{prefix}{pid}.{_born(pid) or 0}-")
        self._folder = Path(self._dir.name)
        self._process: subprocess.Popen[bytes] | None = None
        self._stopped = False

    def _launch(self, command: list[str], log: Path) -> None:
        """Start ``command`` (a binary, or a ``.py`` script run by this Python) as the child,
        its output in ``log``; it dies with this process."""
        guarded = [sys.executable, str(_LIFELINE), str(os.getpid()), *command]
        with log.open("w", encoding="utf-8") as out:
            self._process = _LAUNCHER.popen(guarded, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def ended_by_itself(self) -> bool:
        """Whether the child has ended without being stopped (its answer, if any, is whole)."""
        return self._process is not None and not self.running and not self._stopped

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; whether the child has ended."""
        if self._process is None:
            return True
        try:
            self._process.wait(max(0.0, timeout))
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> None:
        """End the child now (its answer so far is lost: the caller has one of its own)."""
        if self._process is not None and self.running:
            self._stopped = True
            self._process.terminate()
            try:
                self._process.wait(2.0)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def close(self) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            self._dir.cleanup()


class _Launcher:
    """The one thread that starts every solver child, alive as long as the process: the
    kernel kills a child whose parent-death signal is set when the thread that forked it
    ends, and the threads owning the children (a search's helper threads) may end first."""

    def __init__(self) -> None:
        self._requests: queue.SimpleQueue[tuple[list[str], dict[str, Any], Future[subprocess.Popen[bytes]]]]
        self._requests = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pid: int | None = None

    def popen(self, command: list[str], **options: Any) -> subprocess.Popen[bytes]:
        """``subprocess.Popen(command, **options)``, started from the launcher's thread."""
        with self._lock:
            if self._pid != os.getpid():  # first use, or a fork of this process: the thread is not here
                self._requests = queue.SimpleQueue()
                threading.Thread(
                    target=self._serve, args=(self._requests,), name="solver-launcher", daemon=True
                ).start()
                self._pid = os.getpid()
            requests = self._requests
        started: Future[subprocess.Popen[bytes]] = Future()
        requests.put((command, options, started))
        return started.result()

    @staticmethod
    def _serve(
        requests: queue.SimpleQueue[tuple[list[str], dict[str, Any], Future[subprocess.Popen[bytes]]]],
    ) -> None:
        while True:
            command, options, started = requests.get()
            try:
                started.set_result(subprocess.Popen(command, **options))
            except BaseException as error:  # handed to the caller, whose thread raises it
                started.set_exception(error)


_LAUNCHER = _Launcher()


def _born(pid: int) -> int | None:
    """When the process ``pid`` started (clock ticks since boot, from ``/proc``; 0 where
    there is no ``/proc`` and it lives), None when there is no such process: with the id,
    it names one process even after the id is reused."""
    if not Path("/proc/self/stat").exists():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return 0
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        # The command name is in parentheses and may hold spaces; the start time is field 22.
        return int(stat[stat.rindex(")") + 2 :].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def remove_stale_folders(where: Path | None = None) -> list[Path]:
    """Remove the solver folders (in the temporary directory, or ``where``) of processes
    that are gone (killed before they could remove them: 3.5–7 MB each); the ones removed.
    A folder of a live process, and one of an older release (no owner in its name), stay."""
    removed = []
    for folder in Path(where or tempfile.gettempdir()).glob("phancong-*-*"):
        named = _FOLDER.match(folder.name)
        if named is None or not folder.is_dir():
            continue
        if _born(int(named.group(1))) == int(named.group(2)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed
