"""Score terms of RULES.md, one function each, returning the expression that counts it.

Each function returns the *unweighted* count as a linear expression; the model builder
multiplies by the weight (and skips terms weighted 0), so every solve reports a
breakdown per term. Fixed meetings of the scope contribute constants (or, for rotation
and agency repeat, depend on the active decisions), so that a model of part of a
schedule scores exactly as the whole schedule does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from solver.linear import LinExpr
from solver.variables import Variables


def rotation(v: Variables) -> LinExpr:
    """Soft rule ``rotation``: the delegate attended this commune in the previous R months.

    A source in the history or among fixed meetings makes a pair simply cost. A source
    among the active pairs needs a linking variable ``r ≥ x[d,m] + x[d,m'] − 1``, counted
    once however many sources there are; a fixed assignment whose only possible source
    is active gets ``r ≥ x[d,m']`` the same way.
    """
    enc, expr = v.enc, LinExpr()
    window = enc.rules.rotation_months
    if window == 0:
        return expr
    active: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for (d, m), var in v.x.items():
        active[d, enc.meetings[m].commune].append((m, var))
    fixed: dict[tuple[int, str], list[int]] = defaultdict(list)
    for d, m in v.fixed_pairs:
        fixed[d, enc.meetings[m].commune].append(m)

    def static_source(d: int, m: int) -> bool:
        month, commune = enc.meetings[m].month, enc.meetings[m].commune
        months = enc.history_months.get((d, commune), set())
        if any(month - window <= other < month for other in months):
            return True
        return any(month - window <= enc.meetings[f].month < month for f in fixed.get((d, commune), ()))

    def active_sources(d: int, m: int) -> list[int]:
        month, commune = enc.meetings[m].month, enc.meetings[m].commune
        return [
            var for other, var in active.get((d, commune), ()) if month - window <= enc.meetings[other].month < month
        ]

    # Per (delegate, commune): (month, attendance, counted) of each pair, for the window
    # inequalities below; a None variable stands for the constant 1 of a fixed pair.
    entries: dict[tuple[int, str], list[tuple[int, int | None, int | None]]] = defaultdict(list)
    for (d, m), var in v.x.items():
        key, month = (d, enc.meetings[m].commune), enc.meetings[m].month
        if static_source(d, m):
            expr.add(var)
            entries[key].append((month, var, var))
            continue
        links = [] if v.relax_links else active_sources(d, m)
        if links:
            seen = v.model.boolean(f"rotation[{enc.delegates[d].id},{enc.meetings[m].id}]")
            for link in links:
                v.model.add(LinExpr({seen: 1, var: -1, link: -1}), lo=-1)
            expr.add(seen)
            entries[key].append((month, var, seen))
        else:
            entries[key].append((month, var, None))
    for d, m in v.fixed_pairs:
        if static_source(d, m):
            expr.constant += 1
            continue
        links = [] if v.relax_links else active_sources(d, m)
        if links:
            seen = v.model.boolean(f"rotation[{enc.delegates[d].id},{enc.meetings[m].id}]")
            for link in links:
                v.model.add(LinExpr({seen: 1, link: -1}), lo=0)
            expr.add(seen)
            entries[d, enc.meetings[m].commune].append((enc.meetings[m].month, None, seen))
        else:
            entries[d, enc.meetings[m].commune].append((enc.meetings[m].month, None, None))
    if v.tight_links and not v.relax_links:
        _tight_links(v, entries, active, window)
    return expr


def _tight_links(
    v: Variables,
    entries: dict[tuple[int, str], list[tuple[int, int | None, int | None]]],
    active: dict[tuple[int, str], list[tuple[int, int]]],
    window: int,
) -> None:
    """One inequality per delegate, commune and window of ``window + 1`` months.

    Of a delegate's attendances at one commune within ``window + 1`` consecutive months,
    all but the earliest follow another within ``window`` months: Σ counted ≥ Σ attended
    − 1. Implied by the pairwise links for integer values, it is not for fractional ones
    (three halves in a window: the links allow 0, this asks for 0.5), which is where the
    LP's bound on a year loses the rotation term. Added only where a window holds three
    pairs or more, at least one of them decided by the model (fewer: nothing new).
    """
    for key, items in entries.items():
        if len(items) < 3 or key not in active:
            continue
        items.sort(key=lambda item: item[0])
        months = sorted({month for month, _, _ in items})
        for begin in months:
            inside = [item for item in items if begin <= item[0] <= begin + window]
            if len(inside) < 3 or all(var is None for _, var, _ in inside):
                continue
            row = LinExpr()
            constant = 0
            for _, var, counted in inside:
                if var is None:
                    constant += 1
                elif counted != var:
                    row.add(var, -1)
                if counted is not None and counted != var:
                    row.add(counted)
            # Σ counted − Σ attended ≥ −1, the fixed attendances moved to the bound.
            v.model.add(row, lo=constant - 1)


def agency_repeat(v: Variables) -> LinExpr:
    """Soft rule ``agency_repeat``: the delegate's agency was at the commune's previous meeting.

    Agencies present at a previous meeting in the history or among fixed meetings are
    facts, so those pairs simply cost. An active previous meeting gets a presence variable
    ``y[a,m'] ≥ x[d,m']`` per agency, and the count at ``m`` is linked to it.
    """
    enc, expr = v.enc, LinExpr()
    presence: dict[tuple[str, int], int | None] = {}

    def present(agency: str, before: int) -> int | None:
        key = (agency, before)
        if key not in presence:
            there = [var for d, var in v.by_meeting[before] if enc.delegates[d].agency == agency]
            y = None if not there else v.model.boolean(f"present[{agency},{enc.meetings[before].id}]")
            if y is not None and v.relax_links:
                # A relaxation: one row, k·y ≥ Σ x (valid; for one seat, y ≥ Σ x is tighter
                # than y ≥ x each), so that the links cost a row per agency and meeting.
                k = min(enc.meetings[before].required, len(there))
                v.model.add(LinExpr({y: k, **dict.fromkeys(there, -1)}), lo=0)
            elif y is not None:
                for var in there:
                    v.model.add(LinExpr({y: 1, var: -1}), lo=0)
                if v.tight_links and len(there) > 1 and enc.meetings[before].required == 1:
                    # One seat: at most one of the agency is there, so y ≥ Σ x, not only
                    # each x (valid, and tighter where the LP splits the seat in the agency).
                    v.model.add(LinExpr({y: 1, **dict.fromkeys(there, -1)}), lo=0)
            presence[key] = y
        return presence[key]

    def known_agencies(m: int) -> frozenset[str] | None:
        """Agencies at the previous meeting of ``m`` when they are facts; None otherwise."""
        previous = enc.previous[m]
        if previous is None:
            return frozenset()
        if previous.meeting is None:
            return previous.agencies
        if v.is_fixed(previous.meeting):
            return frozenset(enc.delegates[d].agency for d in v.scope.fixed[previous.meeting])
        return None

    for m in sorted(v.scope.active):
        agencies = known_agencies(m)
        if agencies is not None:
            for d, var in v.by_meeting[m]:
                if enc.delegates[d].agency in agencies:
                    expr.add(var)
            continue
        before = enc.previous[m].meeting  # type: ignore[union-attr]
        if before is None or not v.is_active(before) or (v.relax_links and not v.agency_links):
            continue  # an ignored previous meeting, or a relaxation: left out
        by_agency: dict[str, list[int]] = defaultdict(list)
        for d, var in v.by_meeting[m]:
            by_agency[enc.delegates[d].agency].append(var)
        for agency, variables in by_agency.items():
            y = present(agency, before)
            if y is None:
                continue
            k = min(enc.meetings[m].required, len(variables))
            count = v.model.var(0, k, f"agency_repeat[{agency},{enc.meetings[m].id}]")
            # count ≥ Σ x[d,m] − k·(1 − y): binding only when the agency was there before.
            link = LinExpr({count: 1, y: -k})
            for var in variables:
                link.add(var, -1)
            v.agency_rows.append(v.model.num_rows)
            v.model.add(link, lo=-k)
            expr.add(count)
    for m, people in sorted(v.scope.fixed.items()):
        agencies = known_agencies(m)
        if agencies is not None:
            expr.constant += sum(enc.delegates[d].agency in agencies for d in people)
            continue
        before = enc.previous[m].meeting  # type: ignore[union-attr]
        if before is not None and v.is_active(before) and (v.agency_links or not v.relax_links):
            for d in people:
                y = present(enc.delegates[d].agency, before)
                if y is not None:
                    expr.add(y)
    return expr


def balance(v: Variables) -> LinExpr:
    """Soft rule ``balance``: Σ over tier groups of (max − min) twelve-month load."""
    enc, expr = v.enc, LinExpr()
    base = v.base_load
    for label, members in enc.balance_groups:
        if len(members) < 2:
            continue
        lows = [base[d] for d in members]
        highs = [base[d] + len(v.by_delegate[d]) for d in members]
        hi = v.model.var(max(lows), max(highs), f"balance_max[{label}]")
        lo = v.model.var(min(lows), min(highs), f"balance_min[{label}]")
        v.balance += [hi, lo]
        for d in members:
            pairs = v.by_delegate[d]
            if not pairs:
                continue  # a constant load, already inside both variables' bounds
            # hi ≥ base + Σx and lo ≤ base + Σx, written as rows over (hi or lo, x...).
            variables = [var for _, var in pairs]
            coefs = [-1] * len(variables)
            v.model.add_terms([hi, *variables], [1, *coefs], lo=base[d], name=f"balance_max[{label},{d}]")
            v.model.add_terms([lo, *variables], [1, *coefs], hi=base[d], name=f"balance_min[{label},{d}]")
        expr.add(hi).add(lo, -1)
    return expr


def _per_pair(v: Variables, counts: Callable[[int, int], int]) -> LinExpr:
    """Σ over active pairs of ``counts(d, m)`` × x, plus the same over fixed pairs."""
    expr = LinExpr()
    for (d, m), var in v.x.items():
        expr.add(var, counts(d, m))
    for d, m in v.fixed_pairs:
        expr.constant += counts(d, m)
    return expr


def senior_at_stable(v: Variables) -> LinExpr:
    """Soft rule ``senior_at_stable``: a tier 1–2 delegate sent to a flag-0 commune."""
    return _per_pair(v, lambda d, m: int(v.enc.delegates[d].tier <= 2 and v.enc.meetings[m].flag == 0))


def travel(v: Variables) -> LinExpr:
    """Soft rule ``travel``: tens of minutes from the delegate's base to the commune."""
    return _per_pair(v, v.enc.travel_units)


def own_commune(v: Variables) -> LinExpr:
    """Soft rule ``own_commune`` (only with ``own_commune: "soft"``): sent to own commune."""
    return _per_pair(v, lambda d, m: int(v.enc.meetings[m].commune in v.enc.delegates[d].in_charge_of))


def changes(v: Variables) -> LinExpr:
    """Soft rule ``changes``: reference pairs (both ids present) left out of the schedule."""
    enc, expr = v.enc, LinExpr()
    for d, m in sorted(enc.reference):
        if v.is_active(m):
            expr.constant += 1
            var = v.x.get((d, m))
            if var is not None:
                expr.add(var, -1)
        elif v.is_fixed(m) and d not in v.scope.fixed[m]:
            expr.constant += 1
    return expr


def unfilled(v: Variables) -> LinExpr:
    """Soft rule ``unfilled``: empty seats plus unmet seniority requirements."""
    enc, expr = v.enc, LinExpr()
    for m in sorted(v.scope.active):
        expr.constant += enc.meetings[m].required
        for _, var in v.by_meeting[m]:
            expr.add(var, -1)
        if m in v.senior_missing:
            expr.add(v.senior_missing[m])
    for m, people in v.scope.fixed.items():
        meeting = enc.meetings[m]
        expr.constant += max(0, meeting.required - len(people))
        tier = meeting.senior_tier
        if tier is not None and not any(enc.delegates[d].tier <= tier for d in people):
            expr.constant += 1
    return expr
