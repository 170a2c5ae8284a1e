"""The domain errors of the after-meeting loop (reports, scores, flags, statistics, themes).

Each error carries its kind (what the caller should do about it), a Vietnamese sentence
and, for bad input, one :class:`Fault` per field naming its value. The HTTP layer maps
the kinds to statuses in one place (:mod:`api.loop_http`); pages show the faults beside
their fields. A service raises before it writes anything, or its caller rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["not_found", "forbidden", "conflict", "invalid"]


@dataclass(frozen=True)
class Fault:
    path: str
    """Where: ``$.visits[1]`` in a body, ``path.meeting_id``, ``query.month``."""
    value: Any
    message: str


@dataclass
class LoopError(Exception):
    kind: Kind
    detail: str
    faults: list[Fault] = field(default_factory=list)

    def __str__(self) -> str:
        return self.detail


def not_found(detail: str) -> LoopError:
    return LoopError("not_found", detail)


def forbidden(detail: str) -> LoopError:
    return LoopError("forbidden", detail)


def conflict(detail: str, *faults: Fault) -> LoopError:
    return LoopError("conflict", detail, list(faults))


def invalid(detail: str, *faults: Fault) -> LoopError:
    return LoopError("invalid", detail, list(faults))
