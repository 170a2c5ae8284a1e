"""The best schedule found so far, shared by every search of one solve."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from solver.backends import Progress, ProgressCallback


@dataclass
class Incumbent:
    """Best full solution vector and its objective; thread-safe, reports progress."""

    started: float = field(default_factory=time.perf_counter)
    on_progress: ProgressCallback | None = None
    values: np.ndarray | None = None
    objective: float = math.inf
    bound: float = -math.inf
    source: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def offer(self, values: np.ndarray, objective: float, source: str) -> bool:
        with self._lock:
            if objective >= self.objective:
                return False
            self.values, self.objective, self.source = values.copy(), objective, source
        self.report()
        return True

    def note(self, objective: float, source: str) -> None:
        """Record a better score whose vector lives elsewhere (a decomposed search)."""
        with self._lock:
            if objective >= self.objective:
                return
            self.objective, self.source = objective, source
        self.report()

    def raise_bound(self, bound: float) -> None:
        with self._lock:
            if bound <= self.bound:
                return
            self.bound = min(bound, self.objective)
        self.report()

    @property
    def proved(self) -> bool:
        return self.values is not None and self.bound >= self.objective

    def report(self) -> None:
        if self.on_progress is not None:
            best = None if math.isinf(self.objective) else round(self.objective)
            bound = None if self.bound == -math.inf else math.ceil(self.bound)
            self.on_progress(Progress(time.perf_counter() - self.started, best, bound))
