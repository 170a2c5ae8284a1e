"""Benchmark: re-planning one absence in a generated month (target: under 2 s at 168 communes).

Per seed: generate the month, solve it (that schedule is "published"), pick one of the
delegates with assignments (the seed decides who), make them fall ill for three days
from one of their meeting days, and re-plan keeping the published schedule. The time
measured runs from the changed facts to the new schedule: applying the change and
validating the month (``apply``) plus the solve (``solve``); the base solve is not timed
as part of it.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from models.io import instance_from_document
from scenarios.changes import DelegateAway
from scenarios.generator import generate
from scenarios.replan import changes_proved, resolve
from scenarios.scenario import Mode, build
from solver import solve


@dataclass(frozen=True)
class Run:
    seed: int
    delegate: str
    start: dt.date
    base_status: str
    base_seconds: float
    apply_seconds: float
    solve_seconds: float
    status: str
    changes: int
    proved: bool

    @property
    def seconds(self) -> float:
        return self.apply_seconds + self.solve_seconds


@dataclass(frozen=True)
class Summary:
    median_seconds: float
    median_solve_seconds: float
    worst_seconds: float


def replan_once(
    communes: int,
    delegates: int,
    seed: int,
    *,
    mode: Mode = "weighted",
    base_time_limit: float = 60.0,
    time_limit: float = 30.0,
    workers: int | None = None,
) -> Run:
    document = generate(communes=communes, delegates=delegates, months=1, seed=seed)
    instance = instance_from_document(document)
    base = solve(instance, time_limit=base_time_limit, workers=workers)
    published = base.assignments
    rng = random.Random(seed)
    who = rng.choice(sorted({d for _, d in published}))
    day = rng.choice(sorted(instance.meeting(m).day for m, d in published if d == who))
    ill = DelegateAway.model_validate(
        {"kind": "delegate_away", "delegate": who, "from": day, "to": day + dt.timedelta(days=2), "reason": "Nghỉ ốm"}
    )
    started = time.perf_counter()
    built = build(document, [ill], published)
    applied = time.perf_counter()
    result = resolve(built.instance, published, mode, time_limit=time_limit, workers=workers)
    solved = time.perf_counter()
    proved = changes_proved(result, mode)
    return Run(
        seed=seed,
        delegate=who,
        start=day,
        base_status=base.status,
        base_seconds=base.seconds,
        apply_seconds=applied - started,
        solve_seconds=solved - applied,
        status=result.status,
        changes=result.report.terms.get("changes", 0) if result.report is not None else -1,
        proved=proved,
    )


def bench_replan(
    communes: int,
    delegates: int,
    seeds: int,
    *,
    first_seed: int = 1,
    mode: Mode = "weighted",
    base_time_limit: float = 60.0,
    time_limit: float = 30.0,
    workers: int | None = None,
    on_run: Callable[[Run], None] | None = None,
) -> tuple[list[Run], Summary]:
    runs = []
    for seed in range(first_seed, first_seed + seeds):
        run = replan_once(
            communes,
            delegates,
            seed,
            mode=mode,
            base_time_limit=base_time_limit,
            time_limit=time_limit,
            workers=workers,
        )
        runs.append(run)
        if on_run is not None:
            on_run(run)
    summary = Summary(
        median_seconds=statistics.median(r.seconds for r in runs),
        median_solve_seconds=statistics.median(r.solve_seconds for r in runs),
        worst_seconds=max(r.seconds for r in runs),
    )
    return runs, summary
