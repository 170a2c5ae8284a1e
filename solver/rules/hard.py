"""Hard rules H1–H7 of RULES.md, one function each.

A rule is a *pair rule* (``excludes(v, d, m)``: the reason, in Vietnamese, why delegate
``d`` can never take meeting ``m``; such pairs get no variable), a *row rule*
(``build(v)``: linear rows over the remaining pairs), or both. The reasons double as the
explanation a planner reads when a seat stays empty.
"""

from __future__ import annotations

from collections import defaultdict

from models.labels import day_span, day_vn
from solver.variables import Variables


def coverage(v: Variables) -> None:
    """Hard rule H1: at most ``required`` distinct delegates per meeting.

    Seats left empty are the ``unfilled`` term (:func:`solver.rules.soft.unfilled`);
    distinctness holds because each pair is one 0/1 variable.
    """
    for m in sorted(v.scope.active):
        meeting, pairs = v.enc.meetings[m], v.by_meeting[m]
        if len(pairs) > meeting.required:
            v.model.add_sum([var for _, var in pairs], hi=meeting.required, name=f"coverage[{meeting.id}]")


def seniority(v: Variables) -> None:
    """Hard rule H2: a meeting with ``senior_tier = t`` has a delegate of tier ≤ t.

    When it cannot, the slack ``senior_missing[m]`` is 1 and costs ``unfilled``.
    """
    for m in sorted(v.scope.active):
        meeting = v.enc.meetings[m]
        if meeting.senior_tier is None:
            continue
        slack = v.model.boolean(f"senior_missing[{meeting.id}]")
        v.senior_missing[m] = slack
        seniors = [var for d, var in v.by_meeting[m] if v.enc.delegates[d].tier <= meeting.senior_tier]
        v.model.add_sum([*seniors, slack], lo=1, name=f"seniority[{meeting.id}]")


def availability(v: Variables, d: int, m: int) -> str | None:
    """Hard rule H3: nobody on a date inside one of their leave periods."""
    period = v.enc.away[d].get(v.enc.meetings[m].day)
    if period is None:
        return None
    day = v.enc.meetings[m].day
    same = period.from_ == period.to
    span = day_vn(period.from_, day.year) if same else day_span(period.from_, period.to, day.year)
    return f"nghỉ {span}" + (f" ({period.reason})" if period.reason else "")


def no_overlap_excludes(v: Variables, d: int, m: int) -> str | None:
    """Hard rule H4 (pair part): not while at a fixed meeting that overlaps."""
    for other in v.fixed_of_delegate.get(d, ()):
        if v.enc.overlap(v.enc.meetings[m], v.enc.meetings[other]):
            return f"dự hội nghị {v.enc.meetings[other].id} cùng buổi"
    return None


def no_overlap(v: Variables) -> None:
    """Hard rule H4: one delegate never takes two same-day meetings without time to travel.

    The conflicts do not depend on the delegate (travel is commune to commune), so one set
    of maximal cliques per day serves everyone: at most one meeting per clique each.
    """
    for clique in v.enc.conflict_cliques:
        members = [m for m in clique if v.is_active(m)]
        if len(members) < 2:
            continue
        per_delegate: dict[int, list[int]] = defaultdict(list)
        for m in members:
            for d, var in v.by_meeting[m]:
                per_delegate[d].append(var)
        for d, variables in per_delegate.items():
            if len(variables) > 1:
                v.model.add_sum(variables, hi=1, name=f"no_overlap[{v.enc.delegates[d].id},{members[0]}]")


def capacity_left(v: Variables, d: int, month: int) -> int:
    """Meetings ``d`` may still take in ``month``: the cap less past and fixed attendances."""
    return v.enc.delegates[d].cap - v.enc.history_in_month[d, month] - v.fixed_in_month[d, month]


def capacity_excludes(v: Variables, d: int, m: int) -> str | None:
    """Hard rule H5 (pair part): no variable for a delegate with no capacity that month."""
    delegate = v.enc.delegates[d]
    if delegate.cap == 0:
        return "không nhận lịch (tối đa 0 buổi/tháng)"
    if capacity_left(v, d, v.enc.meetings[m].month) <= 0:
        return f"đã đủ {delegate.cap} buổi trong tháng"
    return None


def capacity(v: Variables) -> None:
    """Hard rule H5: per delegate and calendar month, attendances ≤ ``max_per_month``."""
    for d, pairs in enumerate(v.by_delegate):
        per_month: dict[int, list[int]] = defaultdict(list)
        for m, var in pairs:
            per_month[v.enc.meetings[m].month].append(var)
        for month, variables in per_month.items():
            left = capacity_left(v, d, month)
            if len(variables) > left:
                v.model.add_sum(variables, hi=left, name=f"capacity[{v.enc.delegates[d].id},{month}]")


def pins_excludes(v: Variables, d: int, m: int) -> str | None:
    """Hard rule H6 (pair part): forbidden pairs get no variable."""
    return "nằm trong danh sách không phân công" if (d, m) in v.enc.forbidden else None


def pins(v: Variables) -> None:
    """Hard rule H6: every pinned pair of an active meeting is assigned."""
    for d, m in sorted(v.enc.pinned):
        var = v.x.get((d, m))
        if var is not None:
            v.model.lb[var] = 1


def cross_assignment(v: Variables, d: int, m: int) -> str | None:
    """Hard rule H7: nobody attends a commune they are in charge of (when ``"hard"``)."""
    if v.enc.rules.own_commune == "hard" and v.enc.meetings[m].commune in v.enc.delegates[d].in_charge_of:
        return "phụ trách xã này"
    return None
