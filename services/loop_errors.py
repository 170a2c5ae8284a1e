"""Short constructors of the shared domain errors for the after-meeting loop.

Reports, scores, flags, statistics and themes refuse with the same classes as every other
use case (:mod:`services.errors`), so one handler in :mod:`api.errors` answers them all;
a fault is a :class:`models.errors.Issue` naming the field and its value.
"""

from __future__ import annotations

from models.errors import Issue as Fault
from services.errors import Conflict, Forbidden, Invalid, NotFound

__all__ = ["Fault", "conflict", "forbidden", "invalid", "not_found"]


def not_found(detail: str) -> NotFound:
    return NotFound(detail)


def forbidden(detail: str) -> Forbidden:
    return Forbidden(detail)


def conflict(detail: str, *faults: Fault) -> Conflict:
    return Conflict(detail, faults)


def invalid(detail: str, *faults: Fault) -> Invalid:
    return Invalid(detail, faults)
