"""Solve one built model: the product's engine, or CP-SAT alone when asked.

Used for a whole instance and for every part of a decomposed one. The engine is branch
and bound on the LP (:mod:`solver.search.branching`); measured on every size from a
city's month to a province's, it proves optimality 3–30 times faster than CP-SAT alone,
whose proof time on these models is erratic (docs/performance.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from solver.backends import cpsat
from solver.backends.arrays import ModelArrays, restrict
from solver.backends.completion import cheapest
from solver.encode import Encoding
from solver.model import BuiltModel, build_model
from solver.search.branching import BranchAndBound
from solver.search.greedy import greedy
from solver.search.incumbent import Incumbent
from solver.variables import Scope


class CompletionError(ValueError):
    """A schedule given for a model breaks one of its hard rules."""


@dataclass
class PreparedModel:
    """A built model (of the whole instance or of a scope), ready for any backend."""

    enc: Encoding
    built: BuiltModel
    arrays: ModelArrays

    @classmethod
    def of(
        cls,
        enc: Encoding,
        scope: Scope | None = None,
        weights: Mapping[str, int] | None = None,
        *,
        relax_links: bool = False,
        allowed: Collection[tuple[int, int]] | None = None,
        also: Collection[str] = (),
        tight_links: bool = False,
        agency_links: bool = False,
    ) -> PreparedModel:
        built = build_model(
            enc,
            scope,
            weights,
            relax_links=relax_links,
            allowed=allowed,
            also=also,
            tight_links=tight_links,
            agency_links=agency_links,
        )
        return cls(enc, built, ModelArrays.of(built.model))

    @property
    def pairs(self) -> int:
        return len(self.built.variables.x)

    def columns(self) -> list[np.ndarray]:
        return [np.array([var for _, var in c], dtype=np.int64) for c in self.built.variables.by_meeting if c]

    def vector(self, pairs: Iterable[tuple[int, int]]) -> np.ndarray:
        """A full solution vector for a schedule of the active meetings: its pairs, and the
        cheapest values of the linking variables that go with them."""
        chosen = set(pairs)
        lb, ub = self.arrays.lb.copy(), self.arrays.ub.copy()
        for key, var in self.built.variables.x.items():
            value = int(key in chosen)
            if not lb[var] <= value <= ub[var]:
                raise CompletionError(f"cặp {key} không hợp lệ")
            lb[var] = ub[var] = value
        if any(key not in self.built.variables.x for key in chosen):
            raise CompletionError("lịch có cặp không được phép")
        part = restrict(self.arrays, lb, ub)
        if not part.feasible:
            raise CompletionError("lịch vi phạm ràng buộc cứng")
        if part.arrays.num_vars == 0:
            return part.fixed_values
        values = cheapest(part.arrays, time_limit=30.0)
        if values is None:
            raise CompletionError("lịch vi phạm ràng buộc cứng")
        return part.expand(values)

    def greedy_vector(self, start: Iterable[tuple[int, int]] = ()) -> np.ndarray:
        """A vector of the greedy schedule, keeping the ``start`` pairs that still hold."""
        return self.vector(greedy(self.built.variables, self.arrays.cost, start))


def score_of(enc: Encoding, pairs: Iterable[tuple[int, int]]) -> float:
    """The model's score of a complete schedule, given as (delegate, meeting) pairs: every
    pair fixed and the linking variables at their cheapest.

    A solver's vector need not have them there (a MIP stopped early may leave an agency
    presence or a balance maximum above what its pairs force), so the objective of a
    vector can overstate its schedule's score: the score of a schedule is this one."""
    schedule: dict[int, tuple[int, ...]] = {m.index: () for m in enc.meetings}
    for d, m in pairs:
        schedule[m] = (*schedule[m], d)
    prepared = PreparedModel.of(enc, Scope(frozenset(), schedule))
    return prepared.arrays.constant + float(prepared.arrays.cost @ prepared.vector([]))


@dataclass(frozen=True)
class EngineOutcome:
    """How one :func:`optimise` ended (its schedule is in the incumbent it was given)."""

    bound: int | None
    proved: bool
    method: str
    nodes: int | None = None
    """Branch-and-bound nodes (None for CP-SAT alone)."""
    root_bound: int | None = None


def optimise(
    prepared: PreparedModel,
    incumbent: Incumbent,
    *,
    deadline: float,
    workers: int,
    stop: threading.Event | None = None,
    force_cpsat: bool = False,
    max_nodes: int | None = None,
    sub_seconds: float | None = None,
) -> EngineOutcome:
    """Improve ``incumbent`` (a vector of this model) until proved optimal or ``deadline``.

    ``max_nodes`` and ``sub_seconds`` bound the effort, for searches that want a good
    schedule quickly rather than a proof.
    """
    remaining = deadline - time.perf_counter()
    if force_cpsat:
        result = cpsat.solve(
            prepared.arrays,
            time_limit=remaining,
            workers=workers,
            hint=incumbent.values,
            on_progress=None,
            stop=stop,
            target=incumbent.bound,
        )
        if result.values is not None and result.objective is not None:
            incumbent.offer(result.values, result.objective, "cpsat")
        if result.bound is not None:
            incumbent.raise_bound(result.bound)
        return EngineOutcome(result.bound, incumbent.proved, "cpsat")
    search = BranchAndBound(
        prepared.arrays,
        branch_first=prepared.built.variables.balance,
        meeting_columns=prepared.columns(),
        incumbent=incumbent,
        workers=workers,
        stop=stop,
        max_nodes=max_nodes,
        sub_seconds=sub_seconds,
    )
    found = search.run(deadline)
    return EngineOutcome(found.bound, found.proved, "lp-branch", found.nodes, found.root_bound)
