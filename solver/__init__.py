"""The pure solver of phancong: an instance in, a schedule with its score out.

Nothing here touches HTTP, a database or files; ``models`` holds the data types.
"""

from solver.facade import SolveError, solve
from solver.result import Gap, Result
from solver.score import ScoreReport, Violation, score

__all__ = ["Gap", "Result", "ScoreReport", "SolveError", "Violation", "score", "solve"]
