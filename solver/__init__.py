"""The pure solver of phancong: an instance in, a schedule with its score out.

Nothing here touches HTTP, a database or files; ``models`` holds the data types.
"""

from solver.facade import SolveError, solve
from solver.result import Result, UnfilledSeats
from solver.score import ScoreReport, Violation, score

__all__ = ["Result", "ScoreReport", "SolveError", "UnfilledSeats", "Violation", "score", "solve"]
