"""Tables, the machine line and the growth plot of a benchmark."""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path

from rich.table import Table

from bench.profiles import PROFILES
from bench.runner import Row, Run


def machine_line() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"Máy: {os.cpu_count()} lõi, {cpu}, Python {platform.python_version()}"


def run_line(run: Run) -> str:
    gap = "" if run.gap is None else f" gap {100 * run.gap:.2f}%"
    error = f" {run.error}" if run.error else ""
    head = f"  {run.profile} s{run.seed} {run.backend}: {run.status} {run.score}{gap}"
    return f"{head} {run.seconds:.2f}s (cpu {run.cpu_seconds:.1f}s) {run.peak_mb} MB{error}"


def table(rows: list[Row], time_limit: float) -> Table:
    out = Table(title=f"Benchmark (giới hạn {time_limit:g} giây mỗi lần)")
    for header in (
        "hồ sơ",
        "backend",
        "lần",
        "trạng thái",
        "điểm (tv)",
        "cận (tv)",
        "gap (tv)",
        "giây (tv)",
        "giây max",
        "MB",
    ):
        out.add_column(header, justify="left" if header in ("hồ sơ", "backend", "trạng thái") else "right")
    for r in rows:
        out.add_row(
            r.profile,
            r.backend,
            str(r.runs),
            r.statuses,
            _num(r.median_score),
            _num(r.median_bound),
            "" if r.median_gap is None else f"{100 * r.median_gap:.2f}%",
            f"{r.median_seconds:.2f}",
            f"{r.max_seconds:.2f}",
            f"{r.peak_mb:.0f}",
        )
    return out


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def plot(runs: list[Run], path: Path) -> None:
    """Median seconds, and median gap to the proved bound, against communes × delegates ×
    months, one line per backend: a run that hits its time limit shows in the gap."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seconds: dict[str, dict[int, list[float]]] = {}
    gaps: dict[str, dict[int, list[float]]] = {}
    for run in runs:
        profile = PROFILES[run.profile]
        size = profile.communes * profile.delegates * profile.months
        seconds.setdefault(run.backend, {}).setdefault(size, []).append(run.seconds)
        if run.gap is not None:
            gaps.setdefault(run.backend, {}).setdefault(size, []).append(100 * run.gap)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    for axes, data, label in (
        (left, seconds, "giây (trung vị)"),
        (right, gaps, "khoảng cách tới cận dưới, % (trung vị)"),
    ):
        for backend, points in sorted(data.items()):
            sizes = sorted(points)
            medians = [statistics.median(points[s]) for s in sizes]
            axes.plot(sizes, medians, marker="o", label=backend)
        axes.set_xscale("log")
        axes.set_xlabel("xã × đại biểu × tháng")
        axes.set_ylabel(label)
        axes.grid(True, which="both", alpha=0.3)
    left.set_yscale("log")
    right.set_yscale("symlog", linthresh=0.1)
    right.set_ylim(bottom=0)  # a gap is never negative
    left.set_title("Thời gian giải theo kích thước")
    right.set_title("Chất lượng lời giải theo kích thước")
    left.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
