"""A backend-neutral integer linear model: variables, rows and named penalty terms.

The rules write into this model once; each backend (CP-SAT, an LP relaxation, a MILP
through PuLP) translates it in a single pass. That is how the backends share one rule
list: no backend knows a rule, and no rule knows a backend. Rows are kept in flat
compressed-row arrays so that a backend can take them without a Python loop per term.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

INF = 1 << 40


@dataclass
class LinExpr:
    """Σ coef × var + constant, with integer coefficients."""

    coefs: dict[int, int] = field(default_factory=dict)
    constant: int = 0

    def add(self, var: int, coef: int = 1) -> LinExpr:
        if coef:
            self.coefs[var] = self.coefs.get(var, 0) + coef
        return self

    def add_expr(self, other: LinExpr, factor: int = 1) -> LinExpr:
        for var, coef in other.coefs.items():
            self.add(var, coef * factor)
        self.constant += other.constant * factor
        return self

    def value(self, values: Mapping[int, float] | Sequence[float] | np.ndarray) -> float:
        return self.constant + sum(coef * values[var] for var, coef in self.coefs.items())

    @classmethod
    def sum_of(cls, variables: Iterable[int], constant: int = 0) -> LinExpr:
        expr = cls(constant=constant)
        for var in variables:
            expr.add(var)
        return expr


@dataclass(frozen=True)
class Penalty:
    """A named score term: its weight and the expression that counts it."""

    term: str
    weight: int
    expr: LinExpr


@dataclass
class LinearModel:
    """Integer variables with bounds, rows ``lo ≤ a·x ≤ hi`` and penalty terms to minimise."""

    lb: list[int] = field(default_factory=list)
    ub: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    row_start: list[int] = field(default_factory=lambda: [0])
    row_index: list[int] = field(default_factory=list)
    row_value: list[int] = field(default_factory=list)
    row_lo: list[int] = field(default_factory=list)
    row_hi: list[int] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)

    @property
    def num_vars(self) -> int:
        return len(self.lb)

    @property
    def num_rows(self) -> int:
        return len(self.row_lo)

    def var(self, lb: int, ub: int, name: str) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.names.append(name)
        return len(self.lb) - 1

    def boolean(self, name: str) -> int:
        return self.var(0, 1, name)

    def add(self, expr: LinExpr, lo: int = -INF, hi: int = INF, name: str = "") -> None:
        """Constrain ``lo ≤ expr ≤ hi`` (the expression's constant moves to the bounds)."""
        for var, coef in expr.coefs.items():
            if coef:
                self.row_index.append(var)
                self.row_value.append(coef)
        self.row_start.append(len(self.row_index))
        self.row_lo.append(lo - expr.constant if lo > -INF else -INF)
        self.row_hi.append(hi - expr.constant if hi < INF else INF)
        self.row_names.append(name)

    def add_sum(self, variables: Sequence[int], lo: int = -INF, hi: int = INF, name: str = "") -> None:
        """Constrain ``lo ≤ Σ variables ≤ hi`` (the common row, without building an expression)."""
        self.row_index.extend(variables)
        self.row_value.extend([1] * len(variables))
        self.row_start.append(len(self.row_index))
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        self.row_names.append(name)

    def add_terms(
        self, variables: Sequence[int], coefs: Sequence[int], lo: int = -INF, hi: int = INF, name: str = ""
    ) -> None:
        """Constrain ``lo ≤ Σ coefs·variables ≤ hi`` (variables distinct)."""
        self.row_index.extend(variables)
        self.row_value.extend(coefs)
        self.row_start.append(len(self.row_index))
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        self.row_names.append(name)

    def row(self, r: int) -> tuple[list[int], list[int]]:
        start, end = self.row_start[r], self.row_start[r + 1]
        return self.row_index[start:end], self.row_value[start:end]

    def penalize(self, term: str, weight: int, expr: LinExpr) -> None:
        self.penalties.append(Penalty(term, weight, expr))

    def objective(self, weights: Mapping[str, int] | None = None) -> LinExpr:
        """Σ weight × term, with the built weights or ``weights`` instead (0 when absent)."""
        total = LinExpr()
        for penalty in self.penalties:
            weight = penalty.weight if weights is None else weights.get(penalty.term, 0)
            total.add_expr(penalty.expr, weight)
        return total

    def cost_vector(self, weights: Mapping[str, int] | None = None) -> tuple[np.ndarray, int]:
        """Objective coefficients as an array, and the constant."""
        objective = self.objective(weights)
        cost = np.zeros(self.num_vars)
        for var, coef in objective.coefs.items():
            cost[var] = coef
        return cost, objective.constant

    def is_feasible(self, values: Sequence[int] | np.ndarray) -> bool:
        """Whether integer ``values`` satisfy every bound and row (used to check hints)."""
        x = np.asarray(values, dtype=np.int64)
        if np.any(x < np.asarray(self.lb)) or np.any(x > np.asarray(self.ub)):
            return False
        activity = self.activity(x)
        return bool(np.all(activity >= np.asarray(self.row_lo)) and np.all(activity <= np.asarray(self.row_hi)))

    def activity(self, values: Sequence[float] | np.ndarray) -> np.ndarray:
        """Each row's ``a·x`` at the given values."""
        x = np.asarray(values, dtype=float)
        rows = np.repeat(np.arange(self.num_rows), np.diff(np.asarray(self.row_start)))
        terms = np.asarray(self.row_value, dtype=float) * x[np.asarray(self.row_index, dtype=np.int64)]
        return np.bincount(rows, weights=terms, minlength=self.num_rows)
