"""The linear model as numpy arrays, and its restriction to the variables left free.

Backends read these arrays rather than the rule-facing :class:`LinearModel`; a
restriction substitutes fixed variables into the rows and drops rows that can no longer
bind, so that a sub-problem around an LP solution is small for whichever solver takes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from solver.linear import INF, LinearModel, LinExpr


@dataclass
class ModelArrays:
    lb: np.ndarray
    ub: np.ndarray
    cost: np.ndarray
    constant: float
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    names: list[str]

    @property
    def num_vars(self) -> int:
        return len(self.lb)

    @property
    def num_rows(self) -> int:
        return len(self.row_lo)

    @classmethod
    def of(cls, lm: LinearModel) -> ModelArrays:
        cost, constant = lm.cost_vector()
        return cls(
            lb=np.asarray(lm.lb, dtype=np.int64),
            ub=np.asarray(lm.ub, dtype=np.int64),
            cost=cost,
            constant=float(constant),
            start=np.asarray(lm.row_start, dtype=np.int64),
            index=np.asarray(lm.row_index, dtype=np.int64),
            value=np.asarray(lm.row_value, dtype=np.int64),
            row_lo=np.asarray(lm.row_lo, dtype=np.int64),
            row_hi=np.asarray(lm.row_hi, dtype=np.int64),
            names=lm.names,
        )

    def reweighted(self, lm: LinearModel, weights: Mapping[str, int]) -> ModelArrays:
        """The same rows with the objective Σ weights[t] × term t (of ``lm``, this model's source)."""
        cost, constant = lm.cost_vector(weights)
        return replace(self, cost=cost, constant=float(constant))

    def with_row(self, expr: LinExpr, hi: int) -> ModelArrays:
        """The same model with the row ``expr ≤ hi`` appended."""
        terms = [(v, c) for v, c in expr.coefs.items() if c]
        return replace(
            self,
            start=np.append(self.start, self.start[-1] + len(terms)),
            index=np.concatenate([self.index, np.array([v for v, _ in terms], dtype=np.int64)]),
            value=np.concatenate([self.value, np.array([c for _, c in terms], dtype=np.int64)]),
            row_lo=np.append(self.row_lo, -INF),
            row_hi=np.append(self.row_hi, hi - expr.constant),
        )

    def objective(self, x: np.ndarray) -> float:
        return float(self.cost @ x + self.constant)

    def satisfies(self, x: np.ndarray) -> bool:
        """Whether the integer vector ``x`` keeps every bound and row exactly (a vector
        from another solver or from a file is never trusted as it is)."""
        if np.any(x < self.lb) or np.any(x > self.ub):
            return False
        rows = np.repeat(np.arange(self.num_rows), np.diff(self.start))
        activity = np.rint(np.bincount(rows, weights=self.value * x[self.index], minlength=self.num_rows))
        return bool(np.all(activity >= self.row_lo) and np.all(activity <= self.row_hi))


@dataclass
class Restriction:
    """A smaller model over the free variables ``kept`` of a larger one."""

    arrays: ModelArrays
    kept: np.ndarray
    """Index in the larger model of each variable of the smaller one."""
    fixed_values: np.ndarray
    """A full-length vector holding the value of every fixed variable."""
    feasible: bool

    def expand(self, values: np.ndarray) -> np.ndarray:
        """A full-length solution from a solution of the smaller model."""
        full = self.fixed_values.copy()
        full[self.kept] = values
        return full


def restrict(model: ModelArrays, lb: np.ndarray, ub: np.ndarray) -> Restriction:
    """Substitute every variable with ``lb == ub`` and drop rows left without terms."""
    free = lb < ub
    kept = np.flatnonzero(free)
    fixed_values = np.where(free, 0, lb).astype(np.int64)
    counts = np.diff(model.start)
    rows = np.repeat(np.arange(model.num_rows), counts)
    is_free = free[model.index]
    fixed_part = np.bincount(
        rows, weights=(model.value * fixed_values[model.index]) * ~is_free, minlength=model.num_rows
    )
    fixed_part = np.rint(fixed_part).astype(np.int64)
    free_terms = np.bincount(rows, weights=is_free, minlength=model.num_rows).astype(np.int64)
    lo = np.where(model.row_lo > -INF, model.row_lo - fixed_part, -INF)
    hi = np.where(model.row_hi < INF, model.row_hi - fixed_part, INF)
    empty = free_terms == 0
    feasible = bool(np.all((lo[empty] <= 0) & (hi[empty] >= 0)))
    keep_row = ~empty
    new_id = np.full(model.num_vars, -1, dtype=np.int64)
    new_id[kept] = np.arange(len(kept))
    term_mask = is_free & keep_row[rows]
    new_start = np.concatenate(([0], np.cumsum(free_terms[keep_row])))
    arrays = ModelArrays(
        lb=lb[kept].astype(np.int64),
        ub=ub[kept].astype(np.int64),
        cost=model.cost[kept],
        constant=model.constant + float(model.cost @ fixed_values),
        start=new_start.astype(np.int64),
        index=new_id[model.index[term_mask]],
        value=model.value[term_mask],
        row_lo=lo[keep_row],
        row_hi=hi[keep_row],
        names=[model.names[i] for i in kept],
    )
    return Restriction(arrays, kept, fixed_values, feasible)
