"""HiGHS's MIP on a whole model, in a background thread that trades schedules with its caller.

A general MIP solver and the product's own search are good at different things: on a
long horizon the product's decomposition finds good schedules quickly but its LP bound
stays a few points low, while HiGHS's cuts close the bound but its own schedules come
late. Run side by side (HiGHS releases the GIL, so each takes a core), each schedule the
search finds is handed to HiGHS as a user solution (it prunes with it) and each schedule
HiGHS finds is handed back; HiGHS's dual bound is a proved bound of the whole model.

``highspy`` must be the HiGHS release OR-Tools bundles (see :mod:`solver.backends.highs_lp`).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import highspy
import numpy as np

from solver.backends.arrays import ModelArrays
from solver.backends.highs_model import highs_lp, quiet_mip, start_solution


class MipPartner:
    """HiGHS solving ``model`` in a thread until it proves optimality, the deadline, or :meth:`stop`."""

    def __init__(
        self,
        model: ModelArrays,
        *,
        deadline: float,
        threads: int = 1,
        on_proved: Callable[[], None] | None = None,
    ) -> None:
        self.model = model
        self.deadline = deadline
        self._on_proved = on_proved
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._best: tuple[np.ndarray, float] | None = None
        self._offer: tuple[np.ndarray, float] | None = None
        self._bound = -math.inf
        self._proved = False
        self._thread: threading.Thread | None = None
        self._highs = self._build(threads)

    def _build(self, threads: int) -> highspy.Highs:
        m = self.model
        h = quiet_mip(threads=threads)
        lp = highs_lp(m, integer=True)
        # HiGHS 1.12 compares an offered schedule's objective, offset included, with its
        # incumbent's, offset left out: on a schedule's model (1,000 points a seat in the
        # offset) it refused every offer once it had a schedule of its own. Without the
        # offset in HiGHS the two agree; the bounds it reports get it back (``_shift``).
        lp.offset_ = 0.0
        h.passModel(lp)
        h.cbMipImprovingSolution.subscribe(self._on_improving)
        h.cbMipInterrupt.subscribe(self._on_interrupt)
        h.cbMipUserSolution.subscribe(self._on_user_solution)
        return h

    # -- the caller's side -------------------------------------------------------

    def start(self, first: np.ndarray | None = None) -> None:
        """Start solving, from the schedule ``first`` when given."""
        if first is not None:
            self._highs.setSolution(start_solution(first))
        self._highs.setOptionValue("time_limit", max(0.05, self.deadline - time.perf_counter()))
        self._thread = threading.Thread(target=self._run, name="highs-mip", daemon=True)
        self._thread.start()

    def offer(self, values: np.ndarray, objective: float) -> None:
        """A schedule found elsewhere; HiGHS takes it at its next chance if it is better."""
        with self._lock:
            if self._offer is None or objective < self._offer[1]:
                self._offer = (values.astype(float), objective)

    def best(self) -> tuple[np.ndarray, float] | None:
        """HiGHS's best schedule so far (values rounded to integers) and its objective."""
        with self._lock:
            return self._best

    @property
    def bound(self) -> int | None:
        """The best proved lower bound of the whole model so far."""
        with self._lock:
            bound = self._bound
        return None if not math.isfinite(bound) else math.ceil(bound - 1e-6)

    @property
    def proved(self) -> bool:
        """Whether HiGHS finished and proved its best schedule optimal."""
        return self._proved

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, seconds: float) -> None:
        """Wait at most ``seconds`` for HiGHS to end."""
        if self._thread is not None:
            self._thread.join(seconds)

    def stop(self, wait: float = 5.0) -> None:
        """Ask HiGHS to stop at its next check and wait for it (at most ``wait`` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(wait)

    # -- HiGHS's side (its thread) -----------------------------------------------

    def _run(self) -> None:
        self._highs.run()
        status = self._highs.getModelStatus()
        info = self._highs.getInfo()
        solution = self._highs.getSolution()
        if solution.value_valid:
            # The final schedule may be one handed over by the caller, which HiGHS need
            # not report as improving; read it here.
            self._keep(np.rint(np.asarray(solution.col_value, dtype=float)).astype(np.int64))
        with self._lock:
            if status == highspy.HighsModelStatus.kOptimal and self._best is not None:
                self._proved = True
                self._bound = max(self._bound, self._best[1])
            elif math.isfinite(info.mip_dual_bound):
                self._bound = max(self._bound, self._shift(info.mip_dual_bound))
        if self._proved and self._on_proved is not None:
            self._on_proved()

    def _shift(self, bound: float) -> float:
        """A bound HiGHS reports, on the model's scale (HiGHS solves it without its constant)."""
        return bound + self.model.constant

    def _note_bound(self, bound: float) -> None:
        if math.isfinite(bound):
            with self._lock:
                self._bound = max(self._bound, self._shift(bound))

    def _keep(self, values: np.ndarray) -> None:
        if not self.model.satisfies(values):
            return
        objective = self.model.objective(values)
        with self._lock:
            if self._best is None or objective < self._best[1]:
                self._best = (values, objective)

    def _on_improving(self, event: highspy.cb.HighsCallbackEvent) -> None:
        out = event.data_out
        self._keep(np.rint(np.asarray(out.mip_solution, dtype=float)).astype(np.int64))
        self._note_bound(out.mip_dual_bound)

    def _on_interrupt(self, event: highspy.cb.HighsCallbackEvent) -> None:
        self._note_bound(event.data_out.mip_dual_bound)
        if self._stop.is_set() or time.perf_counter() > self.deadline:
            event.interrupt()

    def _on_user_solution(self, event: highspy.cb.HighsCallbackEvent) -> None:
        with self._lock:
            offer, self._offer = self._offer, None
            best = self._best
        if offer is None or (best is not None and offer[1] >= best[1]):
            return
        event.data_in.setSolution(offer[0])
