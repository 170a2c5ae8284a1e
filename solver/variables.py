"""The decision variables of one model, and the scope it decides.

A model decides the *active* meetings: one boolean per (delegate, meeting) pair a
delegate could take. The other meetings are *fixed* (their delegates given: months
already planned, or the rest of a schedule around a neighbourhood being re-optimised)
or *ignored* (months not planned yet, or left out of a relaxation). The rules use the
fixed ones as facts, so that a model of a part of a schedule scores exactly like the
whole schedule.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from solver.encode import Encoding
from solver.linear import LinearModel


@dataclass(frozen=True)
class Scope:
    """Which meetings a model decides (``active``) and which it takes as given (``fixed``)."""

    active: frozenset[int]
    fixed: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    """Meeting index → delegate indices of a meeting that is decided already."""

    @classmethod
    def whole(cls, enc: Encoding) -> Scope:
        return cls(frozenset(range(len(enc.meetings))))

    @classmethod
    def around(cls, enc: Encoding, active: Iterable[int], schedule: Mapping[int, Sequence[int]]) -> Scope:
        """Decide ``active``; every other meeting keeps its delegates from ``schedule``."""
        chosen = frozenset(active)
        fixed = {m: tuple(schedule.get(m, ())) for m in range(len(enc.meetings)) if m not in chosen}
        return cls(chosen, fixed)


@dataclass
class Variables:
    enc: Encoding
    model: LinearModel
    scope: Scope
    x: dict[tuple[int, int], int] = field(default_factory=dict)
    """(delegate index, meeting index) → variable."""
    by_meeting: list[list[tuple[int, int]]] = field(default_factory=list)
    """Per meeting: (delegate index, variable)."""
    by_delegate: list[list[tuple[int, int]]] = field(default_factory=list)
    """Per delegate: (meeting index, variable)."""
    senior_missing: dict[int, int] = field(default_factory=dict)
    """Per active meeting with a seniority requirement: the variable that is 1 when unmet."""
    balance: list[int] = field(default_factory=list)
    """The max and min load variables of the balance groups (searched first by branching)."""
    relax_links: bool = False
    """Leave out the terms that link two decisions (rotation and agency repeat between
    active meetings): what remains costs no more than the real model, so its optimum is
    a valid lower bound, and it is much smaller."""
    tight_links: bool = False
    """Add the rotation inequalities per delegate, commune and window of months
    (:func:`solver.rules.soft._tight_links`): valid, tighter LP, more rows."""
    agency_links: bool = False
    """With ``relax_links``, keep agency repeat between active meetings after all, in an
    aggregated form (one presence row per agency and meeting, not one per pair): on a
    province's year it lifts the relaxation's bound by half a per cent for a few seconds
    of LP (measured, docs/performance.md)."""
    agency_rows: list[int] = field(default_factory=list)
    """The rows that count an agency repeat between two active meetings: freed (no bounds),
    they leave a relaxation without agency links, as if built with ``agency_links`` off."""

    def __post_init__(self) -> None:
        self.by_meeting = [[] for _ in self.enc.meetings]
        self.by_delegate = [[] for _ in self.enc.delegates]

    def add_pair(self, d: int, m: int) -> int:
        var = self.model.boolean(f"x[{self.enc.delegates[d].id},{self.enc.meetings[m].id}]")
        self.x[d, m] = var
        self.by_meeting[m].append((d, var))
        self.by_delegate[d].append((m, var))
        return var

    # -- facts of the scope ------------------------------------------------------

    def is_active(self, m: int) -> bool:
        return m in self.scope.active

    def is_fixed(self, m: int) -> bool:
        return m in self.scope.fixed

    @cached_property
    def fixed_pairs(self) -> list[tuple[int, int]]:
        """(delegate, meeting) of every fixed assignment."""
        return [(d, m) for m, people in sorted(self.scope.fixed.items()) for d in people]

    @cached_property
    def fixed_of_delegate(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for d, m in self.fixed_pairs:
            out[d].append(m)
        return out

    @cached_property
    def fixed_in_month(self) -> Counter[tuple[int, int]]:
        return Counter((d, self.enc.meetings[m].month) for d, m in self.fixed_pairs)

    @cached_property
    def base_load(self) -> list[int]:
        """Balance load a delegate has before the active meetings: history plus fixed."""
        load = list(self.enc.history_load)
        for d, _ in self.fixed_pairs:
            load[d] += 1
        return load

    # -- reading a solution ------------------------------------------------------

    def extract(self, values: Sequence[float] | Mapping[int, float] | np.ndarray) -> list[tuple[int, int]]:
        """The chosen (delegate, meeting) pairs of the active meetings."""
        return sorted(((d, m) for (d, m), var in self.x.items() if values[var] > 0.5), key=lambda p: (p[1], p[0]))

    def values_for(self, pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
        """A 0/1 value of every pair variable for a schedule given as (d, m) pairs."""
        chosen = set(pairs)
        return {var: int(key in chosen) for key, var in self.x.items()}
