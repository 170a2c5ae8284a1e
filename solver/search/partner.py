"""MIP solvers working on the whole horizon beside the decomposed search.

The decomposed search (:mod:`solver.search.horizon`) works on schedules as
``meeting → delegates``; HiGHS and CBC work on the whole model's vector. These adapters
turn one into the other, so that each side starts from the other's best schedule, and
pass on the solver's proved bound of the whole horizon. HiGHS can run in a thread and
trade schedules while it runs (:class:`HorizonPartner`); CBC, or HiGHS, can run in a
process of its own (:class:`ProcessPartner`: no lock shared with the search, ended at any
moment) and give its schedule and bound when it ends.
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Literal

from solver import seats_first
from solver.backends import BackendResult
from solver.backends.highs_mip import MipPartner
from solver.encode import Encoding
from solver.search.engine import CompletionError, PreparedModel
from solver.search.incumbent import Incumbent

if TYPE_CHECKING:
    from solver.backends.cbc import CbcProcess
    from solver.backends.highs_process import HighsProcess

Schedule = dict[int, tuple[int, ...]]
MipSolver = Literal["cbc", "highs"]

#: Seconds before the search's deadline at which HiGHS's own time limit ends it.
STOP_MARGIN = 0.5
#: Share of its time CBC is told to stop before the deadline (it overruns its limit).
CBC_EARLY = 0.05


class HorizonPartner:
    """HiGHS on the whole model of ``enc`` (``prepared``, when the caller has built it with
    ``tight_links`` as given), started at once, stopped by :meth:`stop`."""

    name = "highs"

    def __init__(
        self,
        enc: Encoding,
        deadline: float,
        proved: threading.Event,
        *,
        tight_links: bool = False,
        prepared: PreparedModel | None = None,
    ) -> None:
        self.enc = enc
        self.prepared = prepared if prepared is not None else PreparedModel.of(enc, tight_links=tight_links)
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

    @property
    def running(self) -> bool:
        return self._mip.running

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


class ProcessPartner:
    """CBC or HiGHS on the whole model of ``enc`` in a process of its own, from ``start``
    (the greedy schedule when None), until proved, ``deadline`` or :meth:`stop`.

    It cannot take schedules while it runs; when it ends with a proved schedule with every
    seat filled it sets ``proved`` (an event the search, and the other solver, stop on).
    ``prepared`` is that model when the caller has built it already (with ``tight_links``
    as given): a city's year is built once for the relaxation and both solvers.
    ``running`` is a HiGHS child already solving that model (the support MIP's, gone on
    to the proof: :func:`~solver.search.support.support_then_proof`), watched instead of
    starting one; ``start`` is then unused.
    """

    def __init__(
        self,
        enc: Encoding,
        start: Schedule | None,
        deadline: float,
        proved: threading.Event,
        *,
        solver: MipSolver = "cbc",
        tight_links: bool = False,
        prepared: PreparedModel | None = None,
        running: HighsProcess | None = None,
    ) -> None:
        self.enc = enc
        self.name = solver
        self._tight_links = tight_links
        self._built = prepared
        self._proved_event = proved
        self._result: BackendResult | None = None
        self._process: CbcProcess | HighsProcess | None = running
        self._stopped = threading.Event()
        # The model is built (unless given) and written in the thread: the search goes on meanwhile.
        self._watch = threading.Thread(
            target=self._run,
            args=(None if start is None else dict(start), deadline),
            name=f"{solver}-partner",
            daemon=True,
        )
        self._watch.start()

    prepared: PreparedModel

    def _run(self, start: Schedule | None, deadline: float) -> None:
        built = self._built
        self.prepared = built if built is not None else PreparedModel.of(self.enc, tight_links=self._tight_links)
        if self._process is None:
            self._start(start, deadline)
        process = self._process
        if process is None:
            return  # stopped before it started
        while not process.wait(0.1):
            pass
        self._result = process.result()
        found = self.better(math.inf)
        if self.proved and found is not None and seats_first.gaps(self.enc, found[0]) == 0:
            self._proved_event.set()

    def _start(self, start: Schedule | None, deadline: float) -> None:
        """Start the solver's child from ``start`` (the greedy schedule when None)."""
        try:
            if start is None:
                vector = self.prepared.greedy_vector()
            else:
                vector = self.prepared.vector((d, m) for m, people in start.items() for d in people)
        except CompletionError:
            vector = None  # cannot happen for a schedule of the same rules; the solver finds its own
        if self._stopped.is_set():
            return
        now = time.perf_counter()
        if self.name == "cbc":
            # CBC looks at its clock only now and then: it is told to stop a little early.
            from solver.backends.cbc import CbcProcess

            end = deadline - max(STOP_MARGIN, CBC_EARLY * (deadline - now))
            self._process = CbcProcess(self.prepared.arrays, deadline=end, start=vector)
        else:
            from solver.backends.highs_process import HighsProcess

            # From a schedule HiGHS's work is mostly a proof, which its presolve only delays.
            self._process = HighsProcess(
                self.prepared.arrays, deadline=deadline - STOP_MARGIN, start=vector, presolve=vector is None
            )

    @property
    def pairs(self) -> int:
        prepared = getattr(self, "prepared", None)
        return 0 if prepared is None else prepared.pairs

    @property
    def running(self) -> bool:
        return self._watch.is_alive()

    def offer(self, schedule: Schedule, objective: float) -> None:
        """The solver takes its start only when it is started."""

    def better(self, objective: float) -> tuple[Schedule, float] | None:
        """The solver's schedule, once it has ended, when it scores below ``objective``."""
        result = self._result
        if result is None or result.values is None or result.objective is None:
            return None
        if result.objective >= objective - 0.5:
            return None
        schedule: Schedule = {m.index: () for m in self.prepared.enc.meetings}
        for d, m in self.prepared.built.variables.extract(result.values):
            schedule[m] = (*schedule[m], d)
        return schedule, float(result.objective)

    @property
    def bound(self) -> int | None:
        return None if self._result is None else self._result.bound

    @property
    def proved(self) -> bool:
        return self._result is not None and self._result.status == "optimal"

    def stop(self) -> None:
        self._stopped.set()
        while self._watch.is_alive():
            if self._process is not None:
                self._process.stop()
            self._watch.join(0.1)
        if self._process is not None:
            self._process.close()
