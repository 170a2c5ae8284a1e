"""Backends: each takes the model as :class:`~solver.backends.arrays.ModelArrays`, solves it
and returns a :class:`BackendResult`. Only this package imports solver libraries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

BackendStatus = Literal["optimal", "feasible", "infeasible", "unknown"]
#: The MIP solvers PuLP's backend drives (``backend="pulp"``, ``mip_solver=``).
MIP_SOLVERS: tuple[str, ...] = ("highs", "cbc")


@dataclass(frozen=True)
class Progress:
    """What a long solve reports as it goes: seconds so far, best score and best bound."""

    seconds: float
    objective: int | None
    bound: int | None


ProgressCallback = Callable[[Progress], None]


@dataclass
class BackendResult:
    status: BackendStatus
    values: np.ndarray | None
    objective: int | None
    bound: int | None
    seconds: float
    backend: str
