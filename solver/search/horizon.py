"""Plans that span many months: month by month, then improved over windows of months.

One model of a year of a province (~450,000 variables) is too large for any solver in a
minute. The year is planned month by month instead, each month with the months before
it fixed (rotation, agency repeat and balance see them as facts), then improved by large
neighbourhood search: a window of one or two months is re-solved with every other month
fixed. A window's model scores exactly like the whole schedule, so an improvement there
is an improvement of the year. The bound is the LP relaxation of the whole model: exact on
a small horizon, and on a larger one without rotation between two of its own decisions
(and, on the largest, without agency repeat between them either), which only lowers it.
A small horizon (a city's year) is recombined after the monthly plan by a MIP over the
pairs the relaxations and the plans use (:mod:`solver.search.support`), then given whole to
CBC and HiGHS, each in a process of its own, whose proof ends the solve.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from solver import seats_first
from solver.backends.highs_lp import LpRelaxation, integer_bound
from solver.backends.highs_process import LpBoundProcess, SupportThenProof
from solver.encode import Encoding
from solver.linear import INF
from solver.search.engine import PreparedModel, optimise, score_of
from solver.search.greedy import greedy
from solver.search.incumbent import Incumbent
from solver.search.neighbourhoods import Neighbourhoods, pick
from solver.search.partner import STOP_MARGIN, HorizonPartner, ProcessPartner
from solver.search.support import relaxation_support, support_search, support_then_proof
from solver.variables import Scope

#: Pairs (meetings × delegates) up to which HiGHS works on the whole horizon beside the
#: decomposed search; above it HiGHS's root alone outlasts a solve (measured, docs/performance.md).
PARTNER_PAIRS = 60_000
#: Pairs up to which the whole horizon's relaxation keeps the terms linking decisions.
FULL_RELAXATION = 40_000
#: Pairs up to which a relaxation without the linking terms keeps agency repeat after all
#: (aggregated, ``Variables.agency_links``): year99 (237,600 pairs) 4.5 → 13.3 s of LP for
#: a bound 0.5 % higher; a 168-commune year's LP (604,800 pairs) has no time to spare.
AGENCY_RELAXATION = 300_000
#: Pairs beyond which the whole horizon is not relaxed at all (its LP would take minutes).
#: A 168-commune year (604,800 pairs) fits: 45–65 s and 1.6 GB (docs/performance.md).
MAX_RELAXATION = 700_000
#: Add the valid inequalities of the linking terms (``Variables.tight_links``) to the
#: whole horizon's models (the MIP solvers' and the relaxation): a tighter LP, measured
#: in docs/performance.md.
TIGHT_LINKS = True
#: Pairs up to which, once the month-by-month plan is handed over, HiGHS works alone on
#: the whole horizon (no large-neighbourhood search beside it): on a city's year it
#: finds and proves the optimum sooner alone (measured, docs/performance.md).
SOLO_PAIRS = 10_000
#: Share of the time left after the monthly plan that the search still gets before
#: HiGHS works alone: a good schedule early (HiGHS's own come late) at no measured
#: cost to the proof (docs/performance.md).
SOLO_SEARCH_SHARE = 0.2
#: Share of the time left after the monthly plan given, on a small horizon, to the MIP over
#: the relaxations' supports and the monthly plans' pairs (0: skipped); it ends sooner,
#: once it has proved its optimum (:mod:`solver.search.support`). 0.15 cut it short on a
#: slower machine (``year17`` seed 5: 1241 where it finds 1239, proved by the LP at once).
SUPPORT_SHARE = 0.3
#: Seconds without a better schedule after which the short search ends, so that the MIP
#: solver starts from its schedule rather than waiting for the end of its share.
SHORT_STALL = 2.0
#: With the portfolio (``SMALL_HORIZON_MIP = "both"``), the support MIP's child goes on to
#: HiGHS's proof from the schedule it found, instead of a new child started from it: no
#: process start, model file or round trip between them (measured, docs/performance.md).
SUPPORT_THEN_PROOF = True
#: Relaxations with randomly raised pair costs whose support the support MIP may use too.
SUPPORT_LPS = 3
#: The MIP solver on the whole horizon up to ``SOLO_PAIRS``: ``"highs"`` (in a thread,
#: trading schedules with the search), ``"cbc"`` (in a process of its own, from the greedy
#: schedule, giving its schedule and bound when it ends) or ``"both"`` (a portfolio of CBC
#: and HiGHS, each in a process of its own: whichever proves first ends the solve and the
#: other; HiGHS starts after the short search, from its schedule). On a city's year
#: ``"both"`` proves 5 seeds of 5 within the minute, ``"cbc"`` 3 (docs/performance.md).
SMALL_HORIZON_MIP = "both"
#: Share of the time for the relaxation, and for the month-by-month plan.
#: The relaxation's share is only a cap (a small LP returns long before it); 0.6 lets a
#: 168-commune year's LP finish in a 120 s solve (measured, docs/performance.md).
RELAXATION_SHARE = 0.6
ROLLING_SHARE = 0.3
#: Alternatives per meeting kept besides the relaxation's support, when planning a month.
GUIDE_KEEP = 6
#: Pairs per second the relaxation builds and solves (year99 15,400, a 168-commune year
#: 9,500–13,000, measured with the LP alone at load 3): a relaxation that cannot finish
#: in its share of the time is not started.
PAIRS_PER_SECOND = 13_000
#: Least time worth spending to improve a month on the hand-made schedule.
MIN_MONTH_SECONDS = 0.3
#: Pair variables of one neighbourhood: small ones, many of them, improve fastest.
MAX_PAIRS = 8_000
#: Effort on one neighbourhood: time, branch-and-bound nodes, each restricted sub-problem.
WINDOW_SECONDS = 3.0
WINDOW_NODES = 20
WINDOW_SUB_SECONDS = 1.0


@dataclass(frozen=True)
class PartnerSummary:
    """What the whole-horizon MIP partner reached."""

    pairs: int
    proved: bool
    bound: int | None


@dataclass
class HorizonDetails:
    """How a horizon search went (for logs, benchmarks and tests)."""

    months: int
    relaxation_seconds: float | None = None
    rolling: int | None = None
    """The score of the month-by-month plan the search started from."""
    rolling_seconds: float | None = None
    solo: bool = False
    """The partner was left to finish alone after a short search."""
    support: int | None = None
    """The score after the MIP over the relaxation's support (a small horizon)."""
    partner: PartnerSummary | None = None
    """HiGHS on the whole horizon (in a thread beside the search, or in a process)."""
    cbc: PartnerSummary | None = None
    """CBC on the whole horizon, in a process."""
    neighbourhoods: dict[str, str] | None = None
    """Per neighbourhood kind, ``won/tried``."""
    agency_bound: int | None = None
    """The bound of the relaxation with agency links, when it was solved in time."""


@dataclass
class HorizonPlan:
    schedule: dict[int, tuple[int, ...]]
    """Meeting index → delegate indices."""
    objective: float
    bound: int | None
    details: HorizonDetails

    def pairs(self) -> list[tuple[int, int]]:
        return [(d, m) for m, people in sorted(self.schedule.items()) for d in people]


@dataclass
class Guide:
    """The relaxation of the whole horizon: its bound, and per pair its value and reduced cost."""

    bound: int
    value: dict[tuple[int, int], float]
    reduced_cost: dict[tuple[int, int], float]
    exact: PreparedModel | None = None
    """The whole model the relaxation is of, when it is the exact one (a small horizon)."""
    relaxation: LpRelaxation | None = None
    """With ``exact``, its relaxation, solved (the values above are copies): the support
    step re-solves it warm under other costs."""

    def allowed(self, enc: Encoding, meetings: list[int], keep: int = GUIDE_KEEP) -> set[tuple[int, int]]:
        """The relaxation's support and, per meeting, the ``keep`` pairs of least reduced
        cost and the cheapest of every agency (a relaxation without the linking terms
        cannot see agency repeats, so the month keeps a way around them)."""
        wanted = set(meetings)
        chosen = {pair for pair, value in self.value.items() if value > 1e-6 and pair[1] in wanted}
        for m in meetings:
            options = sorted((rc, d) for (d, _), rc in self._by_meeting.get(m, ()))
            chosen.update((d, m) for _, d in options[:keep])
            seen: set[str] = set()
            for _, d in options:
                agency = enc.delegates[d].agency
                if agency not in seen:
                    seen.add(agency)
                    chosen.add((d, m))
        return chosen

    def __post_init__(self) -> None:
        self._by_meeting: dict[int, list[tuple[tuple[int, int], float]]] = defaultdict(list)
        for pair, rc in self.reduced_cost.items():
            self._by_meeting[pair[1]].append((pair, rc))


def plan_horizon(
    enc: Encoding,
    *,
    deadline: float,
    workers: int,
    progress: Incumbent,
    stop: threading.Event | None = None,
    seed: int = 0,
    rolling: bool = False,
) -> HorizonPlan:
    """Plan the horizon jointly (relaxation, month by month, then LNS), or with
    ``rolling`` as a board does it: each month in turn, knowing only the past."""
    months: dict[int, list[int]] = defaultdict(list)
    for meeting in enc.meetings:
        months[meeting.month].append(meeting.index)
    order = sorted(months)
    began = time.perf_counter()
    details = HorizonDetails(months=len(order))
    if rolling:
        schedule = _rolling(enc, months, order, deadline, workers, stop, None, share=1.0)
        objective = _objective(enc, schedule)
        progress.note(objective, "rolling")
        return HorizonPlan(schedule, objective, None, details)
    halt = _Halt(stop)
    partner: HorizonPartner | None = None
    processes: list[ProcessPartner] = []
    mode = ""
    size = len(enc.meetings) * len(enc.delegates)
    small = size <= SOLO_PAIRS
    # A horizon whose relaxation is exact has one model for the relaxation and both MIP
    # solvers: built once, here (0.4–0.9 s on a city's year, each build beside another).
    relax_until = began + RELAXATION_SHARE * (deadline - began)
    shared = size <= FULL_RELAXATION and (workers >= 2 or _relaxable(enc, relax_until))
    exact = PreparedModel.of(enc, tight_links=TIGHT_LINKS) if shared else None
    if workers >= 2 and size <= PARTNER_PAIRS:
        # One core to a MIP solver on the whole horizon, the others to the decomposed search.
        # Imported here: PuLP's import costs a month's solve for nothing.
        from solver.backends import cbc

        mode = SMALL_HORIZON_MIP if small else "highs"
        if mode in ("cbc", "both") and cbc.available():
            processes.append(
                ProcessPartner(enc, None, deadline, halt.event, solver="cbc", tight_links=TIGHT_LINKS, prepared=exact)
            )
        elif mode in ("cbc", "both"):
            mode = "highs-process"
        if mode == "highs-process":
            processes.append(
                ProcessPartner(enc, None, deadline, halt.event, solver="highs", tight_links=TIGHT_LINKS, prepared=exact)
            )
        if mode == "highs":
            partner = HorizonPartner(enc, deadline, halt.event, tight_links=TIGHT_LINKS, prepared=exact)
        workers -= 1
    bound_lp: LpBoundProcess | None = None
    proof: SupportThenProof | None = None  # the support MIP's child, gone on to the proof
    try:
        spare = deadline - STOP_MARGIN if workers >= 2 else None
        guide, bound_lp = _relaxation(enc, relax_until, spare_core=spare, exact=exact)
        details.relaxation_seconds = round(time.perf_counter() - began, 2)
        bound = guide.bound if guide is not None else None
        if bound is not None:
            progress.raise_bound(bound)
        schedule = _rolling(enc, months, order, deadline, workers, halt.event, guide)
        objective = _objective(enc, schedule)
        progress.note(objective, "rolling")
        details.rolling, details.rolling_seconds = round(objective), round(time.perf_counter() - began, 2)
        if (partner is not None or processes) and small:
            supported = False
            if SUPPORT_SHARE > 0 and guide is not None and guide.exact is not None and guide.relaxation is not None:
                now = time.perf_counter()
                end = now + SUPPORT_SHARE * (deadline - now)
                # With the portfolio, HiGHS's proof goes on in the support MIP's child.
                found, proof = _support(
                    enc,
                    guide.exact,
                    guide.value,
                    guide.relaxation,
                    schedule,
                    months,
                    order,
                    end,
                    workers,
                    halt.event,
                    seed,
                    prove_until=deadline - STOP_MARGIN if mode == "both" and SUPPORT_THEN_PROOF else None,
                )
                if found is not None:
                    schedule, objective = found
                    progress.note(objective, "support")
                    supported = True
                details.support = round(objective)
            # Without a schedule from the support MIP, a short search next, so that the best
            # schedule does not wait for the MIP's own (late) ones, and HiGHS prunes with a
            # good schedule from early on; it ends once it stalls. After the support MIP it
            # only delays HiGHS (without it, proved sooner on 3 seeds of 5: measured).
            if SOLO_SEARCH_SHARE > 0 and not supported:
                now = time.perf_counter()
                short = now + SOLO_SEARCH_SHARE * (deadline - now)
                objective = _improve(
                    enc,
                    schedule,
                    objective,
                    bound,
                    short,
                    workers,
                    halt.event,
                    progress,
                    seed,
                    details,
                    partner,
                    stall=SHORT_STALL,
                )
            if bound is not None and objective <= bound:
                halt.event.set()  # the relaxation's bound proves the schedule: nothing is left to do
            if partner is not None:
                partner.offer(schedule, objective)
            if proof is not None and halt.event.is_set():
                proof.close()
                proof = None
            if mode == "both" and not halt.event.is_set():
                # HiGHS starts now, on the core the search leaves, from the search's schedule
                # (a good first cutoff: its own schedules come late); after the support MIP
                # it has started already, in the same child.
                processes.append(
                    ProcessPartner(
                        enc,
                        schedule,
                        deadline,
                        halt.event,
                        solver="highs",
                        tight_links=TIGHT_LINKS,
                        prepared=exact,
                        running=proof,
                    )
                )
            while time.perf_counter() < deadline and not halt.event.is_set():
                highs = partner is not None and partner.running
                if not (highs or any(process.running for process in processes)):
                    break
                if partner is not None and highs:
                    partner.wait(min(deadline, time.perf_counter() + 0.2), halt.event, progress)
                else:
                    halt.event.wait(0.2)
            details.solo = True
        else:
            objective = _improve(
                enc, schedule, objective, bound, deadline, workers, halt.event, progress, seed, details, partner
            )
    finally:
        halt.close()
        if partner is not None:
            partner.stop()
        for process in processes:
            process.stop()
        if proof is not None:
            proof.close()  # ended already when a partner watched it; not when the solve failed first
        if bound_lp is not None:
            lifted = bound_lp.bound()
            bound_lp.close()
            details.agency_bound = lifted
            if lifted is not None and (bound is None or lifted > bound):
                bound = min(lifted, round(objective))
                progress.raise_bound(bound)
    for each in [partner, *processes]:
        if each is None:
            continue
        objective, bound = _exchange(each, schedule, objective, bound, progress)
        summary = PartnerSummary(each.pairs, each.proved, each.bound)
        if each.name == "cbc":
            details.cbc = summary
        else:
            details.partner = summary
    return HorizonPlan(schedule, objective, bound, details)


class _Halt:
    """One event that stops the search: set by the caller's ``stop`` or by a proof elsewhere."""

    def __init__(self, stop: threading.Event | None) -> None:
        self.event = threading.Event()
        self._closed = threading.Event()
        if stop is not None:
            threading.Thread(target=self._mirror, args=(stop,), daemon=True).start()

    def _mirror(self, stop: threading.Event) -> None:
        while not self._closed.is_set():
            if stop.wait(0.05):
                self.event.set()
                return

    def close(self) -> None:
        self._closed.set()


def _exchange(
    partner: HorizonPartner | ProcessPartner,
    schedule: dict[int, tuple[int, ...]],
    objective: float,
    bound: int | None,
    progress: Incumbent,
) -> tuple[float, int | None]:
    """Take the partner's schedule when it is better, and its bound when it is higher."""
    found = partner.better(objective)
    if found is not None and seats_first.gaps(partner.enc, found[0]) > seats_first.gaps(partner.enc, schedule):
        found = None  # a MIP weighs gaps; the fewest gaps come first
    if found is not None:
        schedule.clear()
        schedule.update(found[0])
        objective = found[1]
        progress.note(objective, partner.name)
    if partner.bound is not None and (bound is None or partner.bound > bound):
        bound = min(partner.bound, round(objective))
        progress.raise_bound(bound)
    return objective, bound


def _improve(
    enc: Encoding,
    schedule: dict[int, tuple[int, ...]],
    objective: float,
    bound: int | None,
    deadline: float,
    workers: int,
    stop: threading.Event | None,
    progress: Incumbent,
    seed: int,
    details: HorizonDetails,
    partner: HorizonPartner | None = None,
    stall: float | None = None,
) -> float:
    """Large neighbourhood search: re-decide a set of meetings, keep it if the score drops.

    With a ``partner``, each better schedule goes to it, its better schedules are taken
    over, and its bound ends the search once the schedule meets it. With ``stall`` it also
    ends after that many seconds without a better schedule.
    """
    rng = random.Random(seed)
    per_month = len(enc.meetings) / max(1, len({m.month for m in enc.meetings}))
    size = int(max(8, min(2 * per_month, MAX_PAIRS / max(1, len(enc.delegates)))))
    hoods = Neighbourhoods(enc, schedule, size)
    kinds = hoods.kinds()
    names = list(kinds)
    scores = dict.fromkeys(names, 1.0)
    tried = dict.fromkeys(names, 0)
    won = dict.fromkeys(names, 0)
    last = time.perf_counter()
    while time.perf_counter() < deadline - 0.2 and not (stop and stop.is_set()):
        if stall is not None and time.perf_counter() - last > stall:
            break
        if partner is not None:
            partner.offer(schedule, objective)
            objective, bound = _exchange(partner, schedule, objective, bound, progress)
        if bound is not None and objective <= bound:
            break
        kind = pick(rng, scores, names)
        active = kinds[kind](rng)
        prepared = PreparedModel.of(enc, Scope.around(enc, active, schedule))
        # Never trade a filled seat for a lower weighted score (H1/H2 are hard).
        prepared = _capped(prepared, seats_first.gaps(enc, schedule))
        # The window's model scores like the whole schedule, so the current score is the
        # cutoff: only a strictly better re-decision of these meetings is kept.
        local = Incumbent(objective=objective)
        if bound is not None:
            local.raise_bound(bound)
        left = deadline - time.perf_counter()
        optimise(
            prepared,
            local,
            deadline=time.perf_counter() + min(left, WINDOW_SECONDS),
            workers=workers,
            stop=stop,
            max_nodes=WINDOW_NODES,
            sub_seconds=WINDOW_SUB_SECONDS,
        )
        tried[kind] += 1
        gain = 0.0
        if local.values is not None and local.objective < objective - 0.5:
            for m in active:
                schedule[m] = ()
            for d, m in prepared.built.variables.extract(local.values):
                schedule[m] = (*schedule[m], d)
            gain = objective - local.objective
            objective = local.objective
            won[kind] += 1
            last = time.perf_counter()
            progress.note(objective, kind)
        scores[kind] = 0.7 * scores[kind] + 0.3 * (1.0 + min(gain, 10.0) if gain else 0.0)
    details.neighbourhoods = {k: f"{won[k]}/{tried[k]}" for k in names}
    return objective


def _support(
    enc: Encoding,
    exact: PreparedModel,
    relaxed: dict[tuple[int, int], float],
    lp: LpRelaxation,
    schedule: dict[int, tuple[int, ...]],
    months: dict[int, list[int]],
    order: list[int],
    deadline: float,
    workers: int,
    stop: threading.Event,
    seed: int,
    *,
    prove_until: float | None = None,
) -> tuple[tuple[dict[int, tuple[int, ...]], float] | None, SupportThenProof | None]:
    """The whole horizon (``exact``; its relaxation ``lp``, whose values are ``relaxed``) re-decided by
    ``deadline`` over a pool of pairs: the supports of the relaxation and of perturbed ones,
    the pairs of ``schedule`` and those of the board's own monthly plan; None when nothing
    better than ``schedule`` is found.

    With ``prove_until``, and a better schedule found, also the child that goes on to
    HiGHS's proof from it until then (the caller's to watch and end)."""
    # Never trade a filled seat for a lower weighted score (H1/H2 are hard).
    whole = _capped(exact, seats_first.gaps(enc, schedule))
    # The board's own plan (each month knowing only the past, unguided) uses pairs the
    # guided plan and the relaxation do not; at most half the time (it takes 0.7 s on a
    # city's year, its months proved one by one).
    now = time.perf_counter()
    board = _rolling(enc, months, order, now + (deadline - now) / 2, workers, stop, None, share=1.0)
    allowed = relaxation_support(whole, relaxed, lp, perturbed=SUPPORT_LPS, seed=seed, deadline=deadline)
    allowed.update((d, m) for m, people in board.items() for d in people)
    if prove_until is None:
        return support_search(whole, allowed, schedule, deadline=deadline, stop=stop), None
    # The proof is of the whole model as the portfolio's HiGHS has it (``exact``), not capped:
    # the support's cap only keeps its own schedules from trading a seat for points.
    run = support_then_proof(
        whole, allowed, schedule, deadline=deadline, stop=stop, prove_until=prove_until, proof_model=exact
    )
    return run.found, run.proof


def _rolling(
    enc: Encoding,
    months: dict[int, list[int]],
    order: list[int],
    deadline: float,
    workers: int,
    stop: threading.Event | None,
    guide: Guide | None,
    share: float = ROLLING_SHARE,
) -> dict[int, tuple[int, ...]]:
    """Each month in turn, the months before it fixed and the later ones not yet known.

    With a guide, each month keeps only the pairs the relaxation of the whole horizon
    uses or prices cheaply: its reduced costs carry the year's balance into the month.
    """
    schedule: dict[int, tuple[int, ...]] = {}
    began = time.perf_counter()
    share *= deadline - began
    for k, month in enumerate(order):
        active = months[month]
        allowed = guide.allowed(enc, active) if guide is not None else None
        scope = Scope(frozenset(active), dict(schedule))
        prepared = PreparedModel.of(enc, scope, allowed=allowed)
        chosen = greedy(prepared.built.variables, prepared.arrays.cost)
        budget = (share - (time.perf_counter() - began)) / (len(order) - k)
        prepared, chosen = _fewest_gaps(enc, scope, prepared, chosen, deadline, budget, workers, stop)
        if budget >= MIN_MONTH_SECONDS and not (stop and stop.is_set()):
            # Time for more than the hand-made month: improve it exactly.
            local = Incumbent()
            first = prepared.vector(chosen)
            local.offer(first, prepared.arrays.objective(first), "greedy")
            optimise(prepared, local, deadline=min(deadline, time.perf_counter() + budget), workers=workers, stop=stop)
            assert local.values is not None
            chosen = prepared.built.variables.extract(local.values)
        for m in active:
            schedule[m] = ()
        for d, m in chosen:
            schedule[m] = (*schedule[m], d)
    return schedule


def _fewest_gaps(
    enc: Encoding,
    scope: Scope,
    prepared: PreparedModel,
    chosen: list[tuple[int, int]],
    deadline: float,
    budget: float,
    workers: int,
    stop: threading.Event | None,
) -> tuple[PreparedModel, list[tuple[int, int]]]:
    """The month's model capped at its fewest gaps, and a schedule that reaches them.

    H1/H2 are hard, and a month's seats can be filled independently of other months
    (capacity is per calendar month, overlaps per day), so the fewest gaps of each month
    add up to the fewest of the horizon. When the hand-made month leaves a gap, the
    month's whole model (not only the pairs the relaxation suggests) is asked for fewer.
    """
    month: dict[int, tuple[int, ...]] = dict.fromkeys(scope.active, ())
    for d, m in chosen:
        month[m] = (*month[m], d)
    left = seats_first.gaps(enc, month, scope.active)
    if left:
        whole = PreparedModel.of(enc, scope)
        phase = replace(whole, arrays=whole.arrays.reweighted(whole.built.model, {"unfilled": 1}))
        found = Incumbent()
        start = whole.vector(chosen)
        found.offer(start, phase.arrays.objective(start), "greedy")
        limit = min(deadline, time.perf_counter() + max(budget, MIN_MONTH_SECONDS))
        optimise(phase, found, deadline=limit, workers=workers, stop=stop)
        assert found.values is not None
        better = whole.built.variables.extract(found.values)
        month = dict.fromkeys(scope.active, ())
        for d, m in better:
            month[m] = (*month[m], d)
        fewer = seats_first.gaps(enc, month, scope.active)
        if fewer < left:
            prepared, chosen = whole, better
    month = dict.fromkeys(scope.active, ())
    for d, m in chosen:
        month[m] = (*month[m], d)
    fixed_gaps = seats_first.gaps(enc, dict(scope.fixed), scope.fixed)
    return _capped(prepared, fixed_gaps + seats_first.gaps(enc, month, scope.active)), chosen


def _capped(prepared: PreparedModel, most: int) -> PreparedModel:
    """The model with its ``unfilled`` count (the whole schedule's gaps) capped at ``most``."""
    unfilled = prepared.built.model.objective({"unfilled": 1})
    return replace(prepared, arrays=prepared.arrays.with_row(unfilled, most))


def _objective(enc: Encoding, schedule: dict[int, tuple[int, ...]]) -> float:
    """The full score of a complete schedule (a model with nothing left to decide)."""
    return score_of(enc, ((d, m) for m, people in schedule.items() for d in people))


def _relaxable(enc: Encoding, deadline: float) -> bool:
    """Whether the whole horizon's relaxation can be solved by ``deadline`` (or is too large)."""
    size = len(enc.meetings) * len(enc.delegates)
    return size <= MAX_RELAXATION and size / PAIRS_PER_SECOND <= deadline - time.perf_counter()


def _relaxation(
    enc: Encoding, deadline: float, *, spare_core: float | None, exact: PreparedModel | None = None
) -> tuple[Guide | None, LpBoundProcess | None]:
    """The LP relaxation of the whole horizon: exact when it fits, without the terms
    linking two decisions otherwise (a valid bound either way).

    Up to ``AGENCY_RELAXATION`` pairs the relaxation with agency links is also solved, for
    its higher bound, in a child process until ``spare_core`` (a deadline; None: no core to
    spare): it takes 3–6 times the linkless LP (13–45 s on a province's year), too long to
    wait for, so the months are guided by the linkless LP meanwhile (the same model with
    the agency rows freed).

    ``exact`` is the model of a horizon small enough to be relaxed exactly, when already built.
    """
    if not _relaxable(enc, deadline):
        return None, None
    size = len(enc.meetings) * len(enc.delegates)
    relax = size > FULL_RELAXATION
    agency = relax and size <= AGENCY_RELAXATION and spare_core is not None
    prepared = (
        exact
        if exact is not None
        else PreparedModel.of(enc, relax_links=relax, tight_links=TIGHT_LINKS and not relax, agency_links=agency)
    )
    arrays, child = prepared.arrays, None
    if agency and spare_core is not None:
        child = LpBoundProcess(arrays, deadline=spare_core)
        freed = arrays.row_lo.copy()
        freed[np.asarray(prepared.built.variables.agency_rows, dtype=np.int64)] = -INF
        arrays = replace(arrays, row_lo=freed)
    lp = LpRelaxation(arrays)
    result = lp.solve(arrays.lb, arrays.ub, deadline - time.perf_counter())
    if result.status != "optimal":
        return None, child
    x = prepared.built.variables.x
    guide = Guide(
        bound=int(integer_bound(result.objective)),
        value={pair: float(result.values[var]) for pair, var in x.items()},
        reduced_cost={pair: float(result.reduced_costs[var]) for pair, var in x.items()},
        exact=None if relax else prepared,
        relaxation=None if relax else lp,
    )
    return guide, child
