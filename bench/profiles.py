"""Benchmark profiles: instance shapes from DOMAIN.md, made by the generator per seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scenarios.generator import Shape, generate

Document = dict[str, Any]


def _tight(doc: Document, seed: int) -> Document:
    """Few seniors to go round: a third of communes flagged, seniors often on leave."""
    rng = random.Random(seed)
    for commune in doc["communes"]:
        if commune["flag"] == 0 and rng.random() < 0.25:
            commune["flag"] = rng.choice((1, 1, 2))
            commune["flag_reason"] = "Kết quả chấm điểm tháng trước xếp loại yếu"
    first = dt.date.fromisoformat(min(m["start"][:10] for m in doc["meetings"]))
    day_of = {m["id"]: dt.date.fromisoformat(m["start"][:10]) for m in doc["meetings"]}
    pinned_days: dict[str, set[dt.date]] = {}
    for pin in doc.get("pinned", []):
        pinned_days.setdefault(pin["delegate"], set()).add(day_of[pin["meeting"]])
    for person in doc["delegates"]:
        if person["tier"] <= 3:
            leave = person.setdefault("unavailable", [])
            for _ in range(2):
                begin = first + dt.timedelta(days=rng.randint(0, 27))
                end = begin + dt.timedelta(days=rng.randint(2, 8))
                # A planner does not pin someone to a meeting during their own leave: such
                # a month has no schedule at all, which is not what this profile measures.
                if any(begin <= day <= end for day in pinned_days.get(person["id"], ())):
                    continue
                leave.append({"from": begin.isoformat(), "to": end.isoformat(), "reason": "Đi công tác"})
    doc["name"] += "-tight"
    return doc


@dataclass(frozen=True)
class Profile:
    name: str
    communes: int
    delegates: int
    months: int
    what: str
    tweak: Callable[[Document, int], Document] | None = None
    replan: bool = False
    shape: Shape | None = None
    """The generator's difficulty knobs (None: its defaults)."""

    def document(self, seed: int) -> Document:
        doc = generate(
            communes=self.communes, delegates=self.delegates, months=self.months, seed=seed, shape=self.shape
        )
        return self.tweak(doc, seed) if self.tweak else doc


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("city17", 17, 45, 1, "a city's month (Lào Cai size)"),
        Profile("province99", 99, 200, 1, "a province's month, 99 communes"),
        Profile("province168", 168, 300, 1, "a province's month, 168 communes"),
        Profile("tight168", 168, 300, 1, "168 communes, a third flagged, seniors often away", tweak=_tight),
        Profile("year17", 17, 45, 12, "a city's year, 12 months"),
        Profile(
            "year17sparse",
            17,
            45,
            12,
            "a city's year, 3 months of thin history, work trips, 30 % flagged",
            shape=Shape(history_months=3, history_density=0.6, trips=0.1, flags=0.3),
        ),
        Profile(
            "year17busy",
            17,
            45,
            12,
            "a city's year, two meetings per commune and month, more leave and in-charge",
            shape=Shape(meetings_per_month=2, leave=1.5, in_charge=4, roads=6),
        ),
        Profile(
            "year17fresh",
            17,
            45,
            12,
            "a city's first year in the tool: no attendance on record before it",
            shape=Shape(history_months=0),
        ),
        Profile("year17few", 17, 30, 12, "a city's year with 30 delegates (6,120 pairs)"),
        Profile("year17many", 17, 60, 12, "a city's year with 60 delegates (12,240 pairs, above SOLO_PAIRS)"),
        Profile("year99", 99, 200, 12, "a province's year, 12 months × 99 communes"),
        Profile("year168", 168, 300, 12, "a large province's year, 12 months × 168 communes"),
        Profile("replan168", 168, 300, 1, "re-plan one absence in a published 168-commune month", replan=True),
    )
}
