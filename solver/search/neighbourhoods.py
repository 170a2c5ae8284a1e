"""Neighbourhoods for large neighbourhood search over a long horizon.

Each picks a set of meetings to re-decide with everything else fixed. Month windows
repair the structure of a month; meetings spread over the year let the balance loads
move between months (a month-by-month plan balances each month on its own); a commune's
whole year repairs rotation and agency chains; a handful of delegates' meetings moves
load between those delegates directly.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from solver.encode import Encoding

Neighbourhood = Callable[[random.Random], list[int]]


@dataclass
class Neighbourhoods:
    enc: Encoding
    schedule: dict[int, tuple[int, ...]]
    size: int
    """About how many meetings one neighbourhood frees."""

    def __post_init__(self) -> None:
        self.months: dict[int, list[int]] = defaultdict(list)
        self.communes: dict[str, list[int]] = defaultdict(list)
        for meeting in self.enc.meetings:
            self.months[meeting.month].append(meeting.index)
            self.communes[meeting.commune].append(meeting.index)
        self.order = sorted(self.months)

    def kinds(self) -> dict[str, Neighbourhood]:
        return {
            "window": self.window,
            "spread": self.spread,
            "communes": self.whole_communes,
            "delegates": self.delegates,
        }

    def window(self, rng: random.Random) -> list[int]:
        """One or two consecutive months."""
        span = 1 if len(self.order) == 1 or rng.random() < 0.5 else 2
        first = rng.randrange(len(self.order) - span + 1)
        return [m for month in self.order[first : first + span] for m in self.months[month]]

    def spread(self, rng: random.Random) -> list[int]:
        """Meetings drawn at random over the whole horizon."""
        return rng.sample(range(len(self.enc.meetings)), min(self.size, len(self.enc.meetings)))

    def whole_communes(self, rng: random.Random) -> list[int]:
        """Every meeting of a few communes, all months."""
        names = list(self.communes)
        rng.shuffle(names)
        chosen: list[int] = []
        for name in names:
            if len(chosen) >= self.size:
                break
            chosen.extend(self.communes[name])
        return chosen

    def delegates(self, rng: random.Random) -> list[int]:
        """The meetings of a few delegates of one tier group, plus as many at random."""
        groups = [members for _, members in self.enc.balance_groups if len(members) > 1]
        if not groups:
            return self.spread(rng)
        members = set(rng.choice(groups))
        staffed = [m for m, people in self.schedule.items() if any(d in members for d in people)]
        rng.shuffle(staffed)
        chosen = set(staffed[: self.size // 2])
        others = [m for m in range(len(self.enc.meetings)) if m not in chosen]
        chosen.update(rng.sample(others, min(len(others), self.size - len(chosen))))
        return sorted(chosen)


def pick(rng: random.Random, scores: dict[str, float], names: Sequence[str]) -> str:
    """Roulette choice by past success, never starving a kind."""
    weights = [max(0.2, scores.get(name, 1.0)) for name in names]
    return rng.choices(list(names), weights=weights)[0]
