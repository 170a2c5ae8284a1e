"""The rule list: every hard rule and score term of RULES.md, in the order they are built.

Backends never see this list; :mod:`solver.model` runs it once into a neutral linear
model. Adding a rule means adding a function and a line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from solver.linear import LinExpr
from solver.rules import hard, soft
from solver.variables import Variables


@dataclass(frozen=True)
class HardRule:
    code: str
    name: str
    excludes: Callable[[Variables, int, int], str | None] | None = None
    build: Callable[[Variables], None] | None = None


@dataclass(frozen=True)
class SoftRule:
    term: str
    build: Callable[[Variables], LinExpr]


HARD_RULES: tuple[HardRule, ...] = (
    HardRule("H3", "availability", excludes=hard.availability),
    HardRule("H7", "cross_assignment", excludes=hard.cross_assignment),
    HardRule("H6", "pins", excludes=hard.pins_excludes, build=hard.pins),
    HardRule("H5", "capacity", excludes=hard.capacity_excludes, build=hard.capacity),
    HardRule("H4", "no_overlap", excludes=hard.no_overlap_excludes, build=hard.no_overlap),
    HardRule("H1", "coverage", build=hard.coverage),
    HardRule("H2", "seniority", build=hard.seniority),
)

SOFT_RULES: tuple[SoftRule, ...] = (
    SoftRule("rotation", soft.rotation),
    SoftRule("agency_repeat", soft.agency_repeat),
    SoftRule("balance", soft.balance),
    SoftRule("senior_at_stable", soft.senior_at_stable),
    SoftRule("travel", soft.travel),
    SoftRule("own_commune", soft.own_commune),
    SoftRule("changes", soft.changes),
    SoftRule("unfilled", soft.unfilled),
)


def exclusion(v: Variables, d: int, m: int) -> tuple[str, str] | None:
    """The first hard rule that rules the pair out on its own: (rule code, reason)."""
    for rule in HARD_RULES:
        if rule.excludes is not None:
            reason = rule.excludes(v, d, m)
            if reason is not None:
                return rule.code, reason
    return None
