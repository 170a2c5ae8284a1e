"""A tiny instance-builder API, so that hand-made instances read like their description.

``Doc`` collects communes, delegates, meetings, roads, history, pins and rule options and
turns them into a ``phancong-instance/1`` document (``document()``) or a validated
:class:`~models.instance.Instance` (``build()``). Defaults keep a hand-made instance
neutral: communes are stable (flag 0), delegates are staff (tier 4) each of their own
agency, meetings last two hours, and there are no roads (every travel time is 0).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from models.instance import Instance
from models.io import instance_from_document
from solver import Result, solve

JsonDict = dict[str, Any]

#: Backend names accepted by ``--backends``: the facade's backend, and the MIP solver for PuLP.
BACKEND_SPECS: dict[str, tuple[str, str]] = {
    "auto": ("auto", "highs"),
    "cpsat": ("cpsat", "highs"),
    "pulp-highs": ("pulp", "highs"),
    "pulp-cbc": ("pulp", "cbc"),
}


class Doc:
    """A ``phancong-instance/1`` document under construction (methods chain)."""

    def __init__(self, name: str = "hand-made") -> None:
        self.name = name
        self.places: list[JsonDict] = []
        self.communes: list[JsonDict] = []
        self.delegates: list[JsonDict] = []
        self.meetings: list[JsonDict] = []
        self.roads: list[JsonDict] = []
        self.attendances: list[JsonDict] = []
        self.visits: list[JsonDict] = []
        self.pinned: list[JsonDict] = []
        self.forbidden: list[JsonDict] = []
        self.reference: list[JsonDict] | None = None
        self.options: JsonDict = {}
        self.weight_overrides: JsonDict = {}

    # -- people and places -------------------------------------------------------

    def place(self, place_id: str) -> Doc:
        self.places.append({"id": place_id, "name": f"Địa điểm {place_id}"})
        return self

    def commune(self, commune_id: str, flag: int = 0, *, teams: Iterable[str] = (), **extra: Any) -> Doc:
        item: JsonDict = {"id": commune_id, "name": f"Xã {commune_id}", "flag": flag}
        team_ids = list(teams)
        if team_ids:
            item["teams"] = [{"id": t, "name": f"Tổ {t}"} for t in team_ids]
        item.update(extra)
        self.communes.append(item)
        return self

    def delegate(
        self,
        delegate_id: str,
        tier: int = 4,
        *,
        agency: str | None = None,
        name: str | None = None,
        leave: Iterable[tuple[str, str]] = (),
        **extra: Any,
    ) -> Doc:
        """A delegate; ``leave`` is a list of inclusive (from, to) dates; ``extra`` any schema field."""
        item: JsonDict = {
            "id": delegate_id,
            "name": name or f"Đại biểu {delegate_id}",
            "tier": tier,
            "agency": agency or f"Cơ quan {delegate_id}",
        }
        periods = [{"from": a, "to": b} for a, b in leave]
        if periods:
            item["unavailable"] = periods
        item.update(extra)
        self.delegates.append(item)
        return self

    def meeting(self, meeting_id: str, commune: str, start: str, minutes: int = 120, **extra: Any) -> Doc:
        """A meeting; ``start`` as ``YYYY-MM-DDTHH:MM`` (a space instead of ``T`` is accepted)."""
        item: JsonDict = {"id": meeting_id, "commune": commune, "start": start.replace(" ", "T"), "minutes": minutes}
        item.update(extra)
        self.meetings.append(item)
        return self

    def road(self, a: str, b: str, minutes: float) -> Doc:
        self.roads.append({"a": a, "b": b, "minutes": minutes})
        return self

    # -- history, pins, reference ------------------------------------------------

    def attended(self, date: str, commune: str, delegate: str) -> Doc:
        self.attendances.append({"date": date, "commune": commune, "delegate": delegate})
        return self

    def visited(self, date: str, team: str) -> Doc:
        self.visits.append({"date": date, "team": team})
        return self

    def pin(self, meeting: str, delegate: str) -> Doc:
        self.pinned.append({"meeting": meeting, "delegate": delegate})
        return self

    def forbid(self, meeting: str, delegate: str) -> Doc:
        self.forbidden.append({"meeting": meeting, "delegate": delegate})
        return self

    def refer(self, meeting: str, delegate: str) -> Doc:
        """A pair of the published (reference) schedule."""
        if self.reference is None:
            self.reference = []
        self.reference.append({"meeting": meeting, "delegate": delegate})
        return self

    # -- rules -------------------------------------------------------------------

    def rules(self, **options: Any) -> Doc:
        """Rule options, e.g. ``own_commune="soft"``, ``rotation_months=1``."""
        self.options.update(options)
        return self

    def weights(self, **weights: int) -> Doc:
        self.weight_overrides.update(weights)
        return self

    # -- output ------------------------------------------------------------------

    def document(self) -> JsonDict:
        """The instance document; places named by roads or bases (but not communes) are added."""
        known = {c["id"] for c in self.communes} | {p["id"] for p in self.places}
        places = list(self.places)
        needed = [r[end] for r in self.roads for end in ("a", "b")]
        needed += [d.get("base", "hq") for d in self.delegates] if self.roads else []
        needed += [d["base"] for d in self.delegates if "base" in d]
        for place in needed:
            if place not in known:
                known.add(place)
                places.append({"id": place, "name": f"Địa điểm {place}"})
        doc: JsonDict = {
            "format": "phancong-instance/1",
            "name": self.name,
            "communes": self.communes,
            "delegates": self.delegates,
            "meetings": self.meetings,
        }
        if places:
            doc["places"] = places
        if self.roads:
            doc["roads"] = self.roads
        history: JsonDict = {}
        if self.attendances:
            history["attendances"] = self.attendances
        if self.visits:
            history["visits"] = self.visits
        if history:
            doc["history"] = history
        if self.pinned:
            doc["pinned"] = self.pinned
        if self.forbidden:
            doc["forbidden"] = self.forbidden
        if self.reference is not None:
            doc["reference"] = self.reference
        rules = dict(self.options)
        if self.weight_overrides:
            rules["weights"] = dict(self.weight_overrides)
        if rules:
            doc["rules"] = rules
        return copy.deepcopy(doc)

    def build(self) -> Instance:
        return instance_from_document(self.document())


def run(instance: Instance, spec: str, *, time_limit: float = 20.0) -> Result:
    """Solve with a backend named as in ``--backends`` (e.g. ``pulp-cbc``), on one worker."""
    backend, mip_solver = BACKEND_SPECS[spec]
    return solve(instance, backend=backend, mip_solver=mip_solver, time_limit=time_limit, workers=1)  # type: ignore[arg-type]


def optimum(instance: Instance, spec: str, *, time_limit: float = 20.0) -> int:
    """The proved optimal total of ``instance`` with that backend (asserts it was proved)."""
    result = run(instance, spec, time_limit=time_limit)
    assert result.report is not None, result.problems
    assert result.status in ("optimal", "partial"), result.status
    if result.status == "partial":
        assert result.bound == result.report.total, (result.bound, result.report.total)
    return result.report.total
