"""A MIP solver working on the whole horizon beside the decomposed search.

The decomposed search (:mod:`solver.search.horizon`) works on schedules as
``meeting → delegates``; HiGHS works on the whole model's vector. This adapter turns one
into the other, so that each side starts from the other's best schedule, and passes on
HiGHS's proved bound of the whole horizon.
"""

from __future__ import annotations

import math
import threading
import time

from solver import seats_first
from solver.backends.highs_mip import MipPartner
from solver.encode import Encoding
from solver.search.engine import CompletionError, PreparedModel
from solver.search.incumbent import Incumbent

Schedule = dict[int, tuple[int, ...]]

#: Seconds before the search's deadline at which HiGHS's own time limit ends it.
STOP_MARGIN = 0.5


class HorizonPartner:
    """HiGHS on the whole model of ``enc``, started at once, stopped by :meth:`stop`."""

    def __init__(self, enc: Encoding, deadline: float, proved: threading.Event, *, tight_links: bool = False) -> None:
        self.prepared = PreparedModel.of(enc, tight_links=tight_links)
        self._proved_event = proved
        # HiGHS sees a stop only between its LP solves, which can take a while on a large
        # root; its own time limit, set a little early, ends it before the search's.
        early = deadline - STOP_MARGIN
        self._mip = MipPartner(self.prepared.arrays, deadline=early, on_proved=self._on_proved)
        self._offered = math.inf
        self._mip.start()

    def _on_proved(self) -> None:
        """Stop the search only for a proved schedule with every seat filled: HiGHS weighs a
        gap, but the fewest gaps come first, and none is certainly the fewest."""
        found = self.better(math.inf)
        if found is not None and seats_first.gaps(self.prepared.enc, found[0]) == 0:
            self._proved_event.set()

    @property
    def pairs(self) -> int:
        return self.prepared.pairs

    def offer(self, schedule: Schedule, objective: float) -> None:
        """Hand a schedule better than any handed before to HiGHS."""
        if objective >= self._offered - 0.5:
            return
        try:
            vector = self.prepared.vector((d, m) for m, people in schedule.items() for d in people)
        except CompletionError:
            return  # cannot happen for a schedule of the same rules; never worth failing a solve
        self._mip.offer(vector, objective)
        self._offered = objective

    def better(self, objective: float) -> tuple[Schedule, float] | None:
        """HiGHS's best schedule when it scores below ``objective``."""
        best = self._mip.best()
        if best is None or best[1] >= objective - 0.5:
            return None
        values, score = best
        schedule: Schedule = {m.index: () for m in self.prepared.enc.meetings}
        for d, m in self.prepared.built.variables.extract(values):
            schedule[m] = (*schedule[m], d)
        return schedule, score

    @property
    def bound(self) -> int | None:
        return self._mip.bound

    @property
    def proved(self) -> bool:
        return self._mip.proved

    def wait(self, deadline: float, stop: threading.Event, progress: Incumbent | None = None) -> None:
        """Wait until HiGHS ends (proved, or its own time limit), ``stop`` or ``deadline``,
        passing its better schedules' scores and its bound on to ``progress`` meanwhile."""
        while self._mip.running and time.perf_counter() < deadline and not stop.is_set():
            self._mip.join(0.2)
            best = self._mip.best()
            if progress is not None and best is not None:
                progress.note(best[1], "highs")
            if progress is not None and self.bound is not None:
                progress.raise_bound(self.bound)

    def stop(self) -> None:
        self._mip.stop()
