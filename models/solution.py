"""Typed objects for the exchange format ``phancong-solution/1``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.rules import TERMS

FORMAT = "phancong-solution/1"

Status = Literal["optimal", "feasible", "partial", "infeasible"]


class _Open(BaseModel):
    # The solution schema leaves extra fields open; keep what a reader sends us.
    model_config = ConfigDict(extra="allow", frozen=True)


class Assignment(_Open):
    meeting: str
    delegate: str


class Unfilled(_Open):
    meeting: str
    seats: int = 0
    senior_missing: bool = False
    reason: str


class VisitSuggestion(_Open):
    meeting: str
    delegate: str
    team: str


class Score(_Open):
    total: int
    terms: dict[str, int] = Field(default_factory=dict)

    @classmethod
    def zero(cls) -> Score:
        return cls(total=0, terms=dict.fromkeys(TERMS, 0))


class Solution(_Open):
    format: Literal["phancong-solution/1"] = "phancong-solution/1"
    instance: str | None = None
    status: Status
    score: Score | None = None
    bound: int | None = None
    solve_seconds: float | None = None
    assignments: tuple[Assignment, ...] = ()
    unfilled: tuple[Unfilled, ...] = ()
    visits: tuple[VisitSuggestion, ...] = ()

    def pairs(self) -> list[tuple[str, str]]:
        return [(a.meeting, a.delegate) for a in self.assignments]

    def to_json_dict(self) -> dict[str, object]:
        """The document as the schema spells it (no absent optional keys)."""
        return self.model_dump(mode="json", exclude_none=True)
