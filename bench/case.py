"""One benchmark run in its own process (so that its peak memory is its own).

``python -m bench.case PROFILE SEED BACKEND TIME_LIMIT`` prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time

from bench.profiles import PROFILES
from models.instance import Pair, Unavailability
from models.io import instance_from_document
from solver import solve


def run(profile_name: str, seed: int, backend: str, time_limit: float) -> dict[str, object]:
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
        base = solve(instance, time_limit=time_limit)
        meeting_id, delegate_id = base.assignments[len(base.assignments) // 2]
        day = instance.meeting(meeting_id).day
        ill = instance.delegate(delegate_id)
        absent = Unavailability.model_validate({"from": day, "to": day, "reason": "Nghỉ ốm"})
        delegates = tuple(
            d.model_copy(update={"unavailable": (*d.unavailable, absent)}) if d.id == ill.id else d
            for d in instance.delegates
        )
        reference = tuple(Pair(meeting=m, delegate=d) for m, d in base.assignments)
        instance = instance.model_copy(update={"delegates": delegates, "reference": reference})
        options["hint"] = base.assignments
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


if __name__ == "__main__":
    profile, seed, backend, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    print(json.dumps(run(profile, seed, backend, limit), ensure_ascii=False))
