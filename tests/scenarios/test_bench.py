"""The re-plan benchmark on a small month (the large one is run by command, not in tests)."""

from __future__ import annotations

from scenarios.bench import bench_replan


def test_a_small_benchmark_replans_one_absence() -> None:
    """Each run re-plans one illness, changes at least the ill delegate's meeting, and is timed."""
    runs, summary = bench_replan(12, 30, 2, base_time_limit=10, time_limit=10, workers=1)
    assert [r.seed for r in runs] == [1, 2]
    for run in runs:
        assert run.status in ("optimal", "feasible")
        assert run.changes >= 1
        assert run.seconds == run.apply_seconds + run.solve_seconds
    assert summary.worst_seconds >= summary.median_seconds > 0
