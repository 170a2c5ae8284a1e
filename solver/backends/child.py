"""A solver run as a child process that one object owns, in a folder of its own.

CBC and HiGHS run this way beside the product's own search (:mod:`solver.backends.cbc`,
:mod:`solver.backends.highs_process`): the child reads its model from the folder and
writes its answer there, and the owner can end it at any moment. What they share is the
child's life: started with a log, waited for with a timeout, ended, the folder removed.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import time
from pathlib import Path


class SolverChild:
    """The life of one solver child; subclasses write the model and read the answer."""

    def __init__(self, prefix: str) -> None:
        self._started = time.perf_counter()
        self._dir = tempfile.TemporaryDirectory(prefix=prefix)
        self._folder = Path(self._dir.name)
        self._process: subprocess.Popen[bytes] | None = None
        self._stopped = False

    def _launch(self, command: list[str], log: Path) -> None:
        with log.open("w", encoding="utf-8") as out:
            self._process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

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
