"""One benchmark run in its own process (so that its peak memory is its own).

``python -m bench.case PROFILE SEED BACKEND TIME_LIMIT [CACHE_DIR]`` prints one JSON line.
A re-plan profile's published schedule is kept in ``CACHE_DIR``, so that every backend of
one benchmark re-plans the same schedule (a month has many optimal schedules, and which
one a solve returns varies from run to run).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.profiles import PROFILES
from models.instance import Instance, Pair, Unavailability
from models.io import instance_from_document
from solver import solve


def run(profile_name: str, seed: int, backend: str, time_limit: float, cache: Path | None = None) -> dict[str, object]:
    profile = PROFILES[profile_name]
    instance = instance_from_document(profile.document(seed))
    name, _, variant = backend.partition("-")
    options: dict[str, object] = {"backend": name, "time_limit": time_limit}
    if name == "pulp":
        options["mip_solver"] = variant or "highs"
    if variant == "rolling":
        options["rolling"] = True
    if profile.replan:
        # The published schedule, then one delegate falls ill on the day of one meeting.
        published = _published(instance, profile_name, seed, time_limit, cache)
        meeting_id, delegate_id = published[len(published) // 2]
        day = instance.meeting(meeting_id).day
        ill = instance.delegate(delegate_id)
        absent = Unavailability.model_validate({"from": day, "to": day, "reason": "Nghỉ ốm"})
        delegates = tuple(
            d.model_copy(update={"unavailable": (*d.unavailable, absent)}) if d.id == ill.id else d
            for d in instance.delegates
        )
        reference = tuple(Pair(meeting=m, delegate=d) for m, d in published)
        instance = instance.model_copy(update={"delegates": delegates, "reference": reference})
        options["hint"] = published
    started = time.perf_counter()
    result = solve(instance, **options)  # type: ignore[arg-type]
    wall = time.perf_counter() - started
    report = result.report  # None when no schedule exists at all (infeasible)
    return {
        "profile": profile_name,
        "seed": seed,
        "backend": backend,
        "status": result.status,
        "score": None if report is None else report.total,
        "bound": result.bound,
        "seconds": round(wall, 3),
        "terms": {} if report is None else report.terms,
        "method": result.backend,
    }


def _published(
    instance: Instance, profile: str, seed: int, time_limit: float, cache: Path | None
) -> list[tuple[str, str]]:
    """The schedule published before the change: solved once, then read from ``cache``."""
    path = None if cache is None else cache / f"{profile}-{seed}.published.json"
    if path is not None and path.exists():
        return [(m, d) for m, d in json.loads(path.read_text(encoding="utf-8"))]
    pairs = list(solve(instance, time_limit=time_limit).assignments)
    if path is not None:
        path.write_text(json.dumps(pairs, ensure_ascii=False), encoding="utf-8")
    return pairs


if __name__ == "__main__":
    profile, seed, backend, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    cache = Path(sys.argv[5]) if len(sys.argv) > 5 else None
    print(json.dumps(run(profile, seed, backend, limit, cache), ensure_ascii=False))
