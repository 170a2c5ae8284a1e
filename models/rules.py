"""Rule options and score weights: data, with the defaults of RULES.md.

Scenarios change these values, never code. A term whose weight is 0 is still reported by
the scorer but is not built into a solver's model.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

NonNegative = Annotated[int, Field(ge=0)]

#: The score terms of RULES.md, in the order they are reported.
TERMS: tuple[str, ...] = (
    "rotation",
    "agency_repeat",
    "balance",
    "senior_at_stable",
    "travel",
    "own_commune",
    "changes",
    "unfilled",
)


class Weights(BaseModel):
    """Weight of each score term (RULES.md, "Soft rules")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rotation: NonNegative = 10
    agency_repeat: NonNegative = 3
    balance: NonNegative = 5
    senior_at_stable: NonNegative = 1
    travel: NonNegative = 1
    own_commune: NonNegative = 50
    changes: NonNegative = 20
    unfilled: NonNegative = 1000

    def of(self, term: str) -> int:
        return int(getattr(self, term))


class Rules(BaseModel):
    """Options of the rule set; the defaults are the contract of RULES.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    own_commune: Literal["hard", "soft", "off"] = "hard"
    rotation_months: NonNegative = 3
    weights: Weights = Weights()

    def weight(self, term: str) -> int:
        """The effective weight: ``own_commune`` counts only when the option is "soft"."""
        if term == "own_commune" and self.own_commune != "soft":
            return 0
        return self.weights.of(term)
