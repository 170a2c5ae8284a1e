"""Run the benchmark matrix, each case in a fresh process, and summarise it."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Run:
    profile: str
    seed: int
    backend: str
    status: str
    score: int | None
    bound: int | None
    seconds: float
    peak_mb: float
    method: str = ""
    terms: dict[str, int] = field(default_factory=dict)
    error: str = ""
    cpu_seconds: float = 0.0
    """CPU time of the case's process and the children it waited for (CBC): less
    disturbed than the wall time when the machine is shared."""

    @property
    def gap(self) -> float | None:
        if self.score is None or self.bound is None:
            return None
        return (self.score - self.bound) / max(1, abs(self.score))


def run_case(profile: str, seed: int, backend: str, time_limit: float, cache: Path | None = None) -> Run:
    """One case in a child process; its peak memory comes from the kernel (wait4 rusage).

    A case that overruns its limit by far (a solver ignoring it) is ended with all its
    children after ``hard_limit(time_limit)`` seconds and recorded as ``timeout``.
    """
    command = [sys.executable, "-m", "bench.case", profile, str(seed), backend, str(time_limit)]
    if cache is not None:
        command.append(str(cache))
    with tempfile.TemporaryFile("w+") as errors:
        # Its own process group, so that a solver's child (CBC) ends with it.
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True, start_new_session=True)
        killer = threading.Timer(hard_limit(time_limit), _end_group, args=(child.pid,))
        killer.start()
        assert child.stdout is not None
        stdout = child.stdout.read()
        # Reap the child ourselves, before Popen does, to get its own resource usage.
        _, status, usage = os.wait4(child.pid, 0)
        killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read()
    peak = round(usage.ru_maxrss / 1024, 1)  # Linux reports kilobytes
    cpu = round(usage.ru_utime + usage.ru_stime, 2)
    if child.returncode == -signal.SIGKILL:
        return Run(profile, seed, backend, "timeout", None, None, hard_limit(time_limit), peak, cpu_seconds=cpu)
    if child.returncode != 0 or not stdout.strip():
        return Run(profile, seed, backend, "error", None, None, 0.0, peak, error=stderr.strip()[-300:], cpu_seconds=cpu)
    data = json.loads(stdout.strip().splitlines()[-1])
    return Run(
        profile,
        seed,
        backend,
        data["status"],
        data["score"],
        data["bound"],
        data["seconds"],
        peak,
        data.get("method", ""),
        data.get("terms", {}),
        cpu_seconds=cpu,
    )


def hard_limit(time_limit: float) -> float:
    """Seconds after which a case is ended: twice its limit and a minute for set-up."""
    return 2 * time_limit + 60


def _end_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def run_matrix(
    profiles: Iterable[str],
    seeds: Iterable[int],
    backends: Iterable[str],
    time_limit: float,
    on_run: Callable[[Run], None] | None = None,
) -> list[Run]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="phancong-bench-") as cache:
        for profile in profiles:
            for backend in backends:
                for seed in seeds:
                    run = run_case(profile, seed, backend, time_limit, Path(cache))
                    runs.append(run)
                    if on_run is not None:
                        on_run(run)
    return runs


@dataclass
class Row:
    profile: str
    backend: str
    runs: int
    statuses: str
    median_score: float | None
    median_bound: float | None
    median_gap: float | None
    median_seconds: float
    max_seconds: float
    peak_mb: float


def summarise(runs: list[Run]) -> list[Row]:
    groups: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        groups.setdefault((run.profile, run.backend), []).append(run)
    rows = []
    for (profile, backend), group in groups.items():
        counts: dict[str, int] = {}
        for run in group:
            counts[run.status] = counts.get(run.status, 0) + 1
        scores = [r.score for r in group if r.score is not None]
        bounds = [r.bound for r in group if r.bound is not None]
        gaps = [g for r in group if (g := r.gap) is not None]
        rows.append(
            Row(
                profile,
                backend,
                len(group),
                " ".join(f"{k}:{v}" for k, v in sorted(counts.items())),
                statistics.median(scores) if scores else None,
                statistics.median(bounds) if bounds else None,
                statistics.median(gaps) if gaps else None,
                statistics.median(r.seconds for r in group),
                max(r.seconds for r in group),
                max(r.peak_mb for r in group),
            )
        )
    return rows


CSV_COLUMNS = (
    "profile",
    "seed",
    "backend",
    "status",
    "score",
    "bound",
    "gap",
    "seconds",
    "peak_mb",
    "method",
    "cpu_seconds",
)


def write_csv(runs: list[Run], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for r in runs:
            gap = "" if r.gap is None else f"{r.gap:.4f}"
            writer.writerow(
                [
                    *(r.profile, r.seed, r.backend, r.status, r.score, r.bound, gap),
                    *(r.seconds, r.peak_mb, r.method, r.cpu_seconds),
                ]
            )
