"""A greedy schedule: what a planner does by hand, meeting by meeting.

Hardest meetings first (a senior needed, fewest candidates), each seat to the cheapest
delegate still free, preferring the lighter load. It never breaks a hard rule, runs in
milliseconds, and serves as the benchmark baseline and a first schedule to improve.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np

from solver.rules.hard import capacity_left
from solver.variables import Variables


def greedy(v: Variables, cost: np.ndarray, start: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(delegate, meeting) pairs for the active meetings of ``v``.

    ``start`` pairs (e.g. a published schedule) are kept first wherever they still hold;
    the seats they leave empty are then filled as usual.
    """
    enc = v.enc
    load = list(v.base_load)
    taken: Counter[tuple[int, int]] = Counter()
    at: dict[int, list[int]] = defaultdict(list)
    chosen: list[tuple[int, int]] = []
    weight = enc.rules.weight("balance")

    def free(d: int, m: int) -> bool:
        meeting = enc.meetings[m]
        if m in at[d] or taken[d, meeting.month] >= capacity_left(v, d, meeting.month):
            return False
        return not any(enc.overlap(meeting, enc.meetings[o]) for o in at[d])

    def take(d: int, m: int) -> None:
        chosen.append((d, m))
        at[d].append(m)
        taken[d, enc.meetings[m].month] += 1
        load[d] += 1

    for d, m in sorted(enc.pinned):
        if (d, m) in v.x:
            take(d, m)
    for d, m in start:
        seats = enc.meetings[m].required - sum(m in at[p] for p in list(at))
        if (d, m) in v.x and seats > 0 and free(d, m):
            take(d, m)
    order = sorted(
        v.scope.active,
        key=lambda m: (enc.meetings[m].senior_tier or 9, len(v.by_meeting[m]), enc.meetings[m].start),
    )
    for m in order:
        meeting = enc.meetings[m]
        here = [d for d in at if m in at[d]]
        senior_ok = meeting.senior_tier is None or any(enc.delegates[d].tier <= meeting.senior_tier for d in here)
        for _ in range(meeting.required - len(here)):
            options = [(d, var) for d, var in v.by_meeting[m] if free(d, m)]
            if not senior_ok and meeting.senior_tier is not None:
                seniors = [(d, var) for d, var in options if enc.delegates[d].tier <= meeting.senior_tier]
                options = seniors or options
            if not options:
                break
            d, _ = min(options, key=lambda p: (cost[p[1]] + weight * load[p[0]] / 4, load[p[0]], p[0]))
            take(d, m)
            senior_ok = senior_ok or (meeting.senior_tier is not None and enc.delegates[d].tier <= meeting.senior_tier)
    return sorted(chosen, key=lambda p: (p[1], p[0]))
