"""Seats first: an ``unfilled`` weight that outweighs what leaving a seat empty could save.

RULES.md makes H1 and H2 hard: a seat stays empty, or seniority unmet, only when no
schedule fills it, whatever ``weights.unfilled`` says. The whole-model search does this
exactly (fewest gaps first, then the score). The decomposed search of a long horizon
minimises one weighted score; with a small ``unfilled`` weight (a planner may set 0) it
would leave seats empty to save travel. It therefore works on an encoding whose
``unfilled`` weight is at least the default 1000 and twice the most that emptying one
seat can save; the result is scored with the instance's own weights.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from solver.encode import Encoding, encode

#: RULES.md's default weight of ``unfilled``: what the product's users expect a gap to cost.
DEFAULT_UNFILLED = 1000


def seat_saving(enc: Encoding) -> int:
    """An upper bound of the score saved by taking one delegate off one meeting.

    The pair's own travel, seniority and own-commune costs; its rotation cost and that of
    the later meetings of the commune it is the source for; its agency repeat and that of
    the next meeting's delegates; and one step of one balance group.
    """
    rules = enc.rules
    bases = {d.base for d in enc.delegates}
    communes = {m.commune for m in enc.meetings}
    travel = max((enc.travel.units(b, c) for b in bases for c in communes), default=0)
    window = rules.rotation_months
    months: dict[str, list[int]] = defaultdict(list)
    for meeting in enc.meetings:
        months[meeting.commune].append(meeting.month)
    later = max(
        (sum(month < other <= month + window for other in seen) for seen in months.values() for month in seen),
        default=0,
    )
    next_seats = max((m.required for m in enc.meetings), default=0)
    return (
        rules.weight("travel") * travel
        + rules.weight("senior_at_stable")
        + rules.weight("own_commune")
        + rules.weight("rotation") * (1 + later)
        + rules.weight("agency_repeat") * (1 + next_seats)
        + rules.weight("balance")
    )


def seats_first(enc: Encoding) -> Encoding:
    """``enc`` itself when its ``unfilled`` weight already dominates, else a re-weighted copy."""
    weight = enc.rules.weight("unfilled")
    wanted = max(weight, DEFAULT_UNFILLED, 2 * seat_saving(enc) + 1)
    if wanted == weight:
        return enc
    weights = enc.rules.weights.model_copy(update={"unfilled": wanted})
    rules = enc.rules.model_copy(update={"weights": weights})
    return encode(enc.instance.model_copy(update={"rules": rules}))


def gaps(enc: Encoding, schedule: dict[int, tuple[int, ...]], meetings: Iterable[int] | None = None) -> int:
    """Empty seats plus unmet seniority requirements of a schedule (the ``unfilled`` count),
    over ``meetings`` (indices) or all of them."""
    count = 0
    chosen = enc.meetings if meetings is None else [enc.meetings[m] for m in meetings]
    for meeting in chosen:
        people = schedule.get(meeting.index, ())
        count += max(0, meeting.required - len(people))
        tier = meeting.senior_tier
        if tier is not None and not any(enc.delegates[d].tier <= tier for d in people):
            count += 1
    return count
