"""Checks of an instance beyond its JSON Schema: the contract of each value
(:mod:`models.contract`: characters, lengths, years), ids, references, dates and roads.

They read the decoded JSON document itself, defensively, so that they run even when the
schema has complaints too: a planner sees every problem of a file at once. Each issue
names the JSON path and the value.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import networkx as nx

from models import contract
from models.errors import Issue, json_path

START_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")

Document = dict[str, Any]


def document_issues(doc: Any, stored: bool = False) -> list[Issue]:
    """Every semantic problem of a decoded instance document; empty when it can be solved.

    ``stored``: the document was spelt from the database (a month), whose rows passed
    their door's checks: the characters are not checked again, so that a row stored
    before the contract refused them (a look-alike id) never stops a whole month — the
    solver does not read characters. Its dates are read tolerantly where it is spelt
    (:mod:`models.storage.mapping`).
    """
    if not isinstance(doc, dict):
        return []
    issues: list[Issue] = []
    for check in CHECKS:
        if stored and check is texts:
            continue
        issues.extend(check(doc))
    return issues


def _items(doc: Document, field: str) -> list[tuple[int, dict[str, Any]]]:
    value = doc.get(field)
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []


def _ids(doc: Document, field: str) -> set[str]:
    return {item["id"] for _, item in _items(doc, field) if isinstance(item.get("id"), str)}


def _teams(doc: Document) -> list[tuple[list[str | int], dict[str, Any]]]:
    out: list[tuple[list[str | int], dict[str, Any]]] = []
    for i, commune in _items(doc, "communes"):
        teams = commune.get("teams")
        if isinstance(teams, list):
            out.extend((["communes", i, "teams", j], t) for j, t in enumerate(teams) if isinstance(t, dict))
    return out


def finite_numbers(doc: Document) -> Iterable[Issue]:
    """Every number is finite: JSON has no NaN or Infinity, though Python's reader takes them."""
    yield from _non_finite(doc, [])


def _non_finite(value: Any, path: list[str | int]) -> Iterable[Issue]:
    if is_non_finite(value):
        yield Issue(json_path(path), json.dumps(value), "phải là số hữu hạn (JSON không có NaN hay Infinity)")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, [*path, str(key)])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _non_finite(item, [*path, i])


def is_non_finite(value: Any) -> bool:
    """NaN, Infinity or -Infinity."""
    return isinstance(value, float) and not math.isfinite(value)


def unique_ids(doc: Document) -> Iterable[Issue]:
    """Ids are unique per kind; places and communes share one namespace (roads use both)."""
    messages = {
        "places": "mã địa điểm bị trùng",
        "communes": "mã xã/phường bị trùng",
        "delegates": "mã đại biểu bị trùng",
        "meetings": "mã hội nghị bị trùng",
    }
    for field, message in messages.items():
        seen: set[str] = set()
        for i, item in _items(doc, field):
            value = item.get("id")
            if isinstance(value, str):
                if value in seen:
                    yield Issue(json_path([field, i, "id"]), value, message)
                seen.add(value)
    communes = _ids(doc, "communes")
    for i, place in _items(doc, "places"):
        if place.get("id") in communes:
            yield Issue(json_path(["places", i, "id"]), place.get("id"), "trùng với mã một xã/phường")
    first: dict[str, str] = {}
    for path, team in _teams(doc):
        value = team.get("id")
        if not isinstance(value, str):
            continue
        if value in first:
            yield Issue(json_path([*path, "id"]), value, f"mã tổ tuyên vận đã dùng ở {first[value]}")
        else:
            first[value] = json_path(path)


def references(doc: Document) -> Iterable[Issue]:
    """Every commune, delegate, meeting, place and team named somewhere exists."""
    communes = _ids(doc, "communes")
    delegates = _ids(doc, "delegates")
    meetings = _ids(doc, "meetings")
    places = communes | _ids(doc, "places")
    teams = {t.get("id") for _, t in _teams(doc)}
    roads = bool(doc.get("roads"))

    def missing(path: list[str | int], value: Any, known: set[Any], message: str) -> Iterable[Issue]:
        if isinstance(value, str) and value not in known:
            yield Issue(json_path(path), value, message)

    for i, meeting in _items(doc, "meetings"):
        yield from missing(["meetings", i, "commune"], meeting.get("commune"), communes, "không có xã/phường này")
    for i, delegate in _items(doc, "delegates"):
        charge = delegate.get("in_charge_of")
        for j, commune in enumerate(charge if isinstance(charge, list) else []):
            yield from missing(["delegates", i, "in_charge_of", j], commune, communes, "không có xã/phường này")
        base = delegate.get("base", "hq")
        if "base" in delegate or roads:
            note = "" if "base" in delegate else " (nơi xuất phát mặc định)"
            yield from missing(["delegates", i, "base"], base, places, f"không có địa điểm này{note}")
    for i, road in _items(doc, "roads"):
        for end in ("a", "b"):
            yield from missing(["roads", i, end], road.get(end), places, "không có địa điểm hay xã/phường này")
    raw_history = doc.get("history")
    history: Document = raw_history if isinstance(raw_history, dict) else {}
    for i, row in _items(history, "attendances"):
        path: list[str | int] = ["history", "attendances", i]
        yield from missing([*path, "commune"], row.get("commune"), communes, "không có xã/phường này")
        yield from missing([*path, "delegate"], row.get("delegate"), delegates, "không có đại biểu này")
    for i, visit in _items(history, "visits"):
        yield from missing(["history", "visits", i, "team"], visit.get("team"), teams, "không có tổ tuyên vận này")
    # `reference` may name meetings or delegates that are gone: RULES.md counts only the
    # pairs still present, so those are not errors.
    for field in ("pinned", "forbidden"):
        for i, pair in _items(doc, field):
            yield from missing([field, i, "meeting"], pair.get("meeting"), meetings, "không có hội nghị này")
            yield from missing([field, i, "delegate"], pair.get("delegate"), delegates, "không có đại biểu này")


def dates(doc: Document) -> Iterable[Issue]:
    """Meeting starts are real local date-times; leave periods run forwards; the zone exists."""
    for i, meeting in _items(doc, "meetings"):
        start = meeting.get("start")
        if not isinstance(start, str):
            continue
        path = json_path(["meetings", i, "start"])
        if not START_PATTERN.match(start):
            yield Issue(path, start, "cần ngày giờ địa phương dạng YYYY-MM-DDTHH:MM")
            continue
        try:
            dt.datetime.fromisoformat(start)
        except ValueError:
            yield Issue(path, start, "ngày giờ không tồn tại")
    for i, delegate in _items(doc, "delegates"):
        for j, period in _items(delegate, "unavailable"):
            try:
                begin = dt.date.fromisoformat(period.get("from", ""))
                end = dt.date.fromisoformat(period.get("to", ""))
            except (TypeError, ValueError):
                continue  # the schema's date format check reports these
            if begin > end:
                value = {"from": period.get("from"), "to": period.get("to")}
                yield Issue(json_path(["delegates", i, "unavailable", j]), value, "ngày bắt đầu sau ngày kết thúc")
    zone = doc.get("timezone", "Asia/Ho_Chi_Minh")
    if isinstance(zone, str):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            yield Issue("$.timezone", zone, "không phải múi giờ IANA hợp lệ")


def roads_connect(doc: Document) -> Iterable[Issue]:
    """With roads given, every meeting's commune and every delegate's base is reachable."""
    edges = [
        (road["a"], road["b"])
        for _, road in _items(doc, "roads")
        if isinstance(road.get("a"), str) and isinstance(road.get("b"), str)
    ]
    if not edges:
        return
    graph = nx.Graph(edges)
    known = _ids(doc, "communes") | _ids(doc, "places")
    meetings = _items(doc, "meetings")
    delegates = _items(doc, "delegates")
    used = {m.get("commune") for _, m in meetings} | {d.get("base", "hq") for _, d in delegates}
    main = max(nx.connected_components(graph), key=lambda part: len(part & used))
    for i, meeting in meetings:
        commune = meeting.get("commune")
        if commune in known and commune not in main:
            path = json_path(["meetings", i, "commune"])
            yield Issue(path, commune, "không có đường nối tới các địa điểm khác (roads)")
    for i, delegate in delegates:
        base = delegate.get("base", "hq")
        if base in known and base not in main:
            yield Issue(json_path(["delegates", i, "base"]), base, "không có đường nối tới các xã/phường (roads)")


def _fit_items(parent: Any, field: str, path: list[str | int]) -> list[tuple[list[str | int], dict[str, Any]]]:
    value = parent.get(field) if isinstance(parent, dict) else None
    if not isinstance(value, list):
        return []
    return [([*path, field, i], item) for i, item in enumerate(value) if isinstance(item, dict)]


def _too_long(path: list[str | int], item: dict[str, Any], keys: Iterable[str], limit: int) -> Iterable[Issue]:
    for key in keys:
        value = item.get(key)
        if isinstance(value, str) and len(value) > limit:
            yield Issue(json_path([*path, key]), value, f"dài quá {limit} ký tự")


#: Fields of free text, where tabs and line breaks are allowed.
FREE_TEXT = frozenset({"theme", "flag_reason", "reason"})


def texts(value: Any, path: list[str | int] | None = None, free: bool = False) -> Iterable[Issue]:
    """Every text of the document (and every key) holds only the characters the contract
    allows: free text (a theme, a reason) may hold tabs and line breaks; ids and names no
    invisible format character (:func:`models.contract.refused`)."""
    path = path or []
    if isinstance(value, str):
        reason = contract.refused(value, free)
        if reason is not None:
            yield Issue(json_path(path), value, reason)
    elif isinstance(value, dict):
        for key, item in value.items():
            reason = contract.refused(key) if isinstance(key, str) else None
            if reason is not None:
                yield Issue(json_path(path), key, f"tên trường {reason}")
            yield from texts(item, [*path, str(key)], key in FREE_TEXT)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from texts(item, [*path, i])


def sizes(doc: Document) -> Iterable[Issue]:
    """Ids and names are no longer than the contract's limits (the database columns are
    sized to them: PostgreSQL refuses longer text; SQLite would keep it)."""
    for path, place in _fit_items(doc, "places", []):
        yield from _too_long(path, place, ("id",), contract.ID_MAX)
        yield from _too_long(path, place, ("name",), contract.NAME_MAX)
    for path, commune in _fit_items(doc, "communes", []):
        yield from _too_long(path, commune, ("id",), contract.ID_MAX)
        yield from _too_long(path, commune, ("name",), contract.NAME_MAX)
        for team_path, team in _fit_items(commune, "teams", path):
            yield from _too_long(team_path, team, ("id",), contract.ID_MAX)
            yield from _too_long(team_path, team, ("name",), contract.NAME_MAX)
    for path, delegate in _fit_items(doc, "delegates", []):
        yield from _too_long(path, delegate, ("id", "base"), contract.ID_MAX)
        yield from _too_long(path, delegate, ("name", "title", "agency"), contract.NAME_MAX)
    for path, meeting in _fit_items(doc, "meetings", []):
        yield from _too_long(path, meeting, ("id",), contract.ID_MAX)


#: Years a plan's dates may fall in: the contract's, shared by meetings, leave and history.
YEARS = (contract.YEARS.start, contract.YEARS.stop - 1)
#: Largest values that still mean something for a plan; beyond them a number is a typing
#: slip, and the solvers' integer arithmetic (64-bit, CP-SAT's coefficients) could overflow.
LIMITS: dict[str, tuple[int | float, str]] = {
    "minutes": (24 * 60, "một hội nghị dài tối đa 24 giờ (1440 phút)"),
    "required": (1000, "một hội nghị cần tối đa 1000 đại biểu"),
    "max_per_month": (1000, "tối đa 1000 buổi một tháng"),
    "rotation_months": (1200, "tối đa 1200 tháng"),
    "road": (100_000, "một đoạn đường tối đa 100000 phút"),
    "weight": (1_000_000, "trọng số tối đa 1000000"),
}


def limits(doc: Document) -> Iterable[Issue]:
    """Numbers a plan can mean: durations, seats, caps, road times, weights and years."""

    def above(path: list[str | int], value: Any, limit: str) -> Iterable[Issue]:
        most, message = LIMITS[limit]
        # A NaN or an infinity is reported once, by ``finite_numbers``.
        if isinstance(value, int | float) and not isinstance(value, bool) and not is_non_finite(value) and value > most:
            yield Issue(json_path(path), value, message)

    for i, meeting in _items(doc, "meetings"):
        yield from above(["meetings", i, "minutes"], meeting.get("minutes"), "minutes")
        yield from above(["meetings", i, "required"], meeting.get("required"), "required")
        start = meeting.get("start")
        if isinstance(start, str) and START_PATTERN.match(start):
            yield from _year(["meetings", i, "start"], start)
    for i, delegate in _items(doc, "delegates"):
        yield from above(["delegates", i, "max_per_month"], delegate.get("max_per_month"), "max_per_month")
        for j, period in _items(delegate, "unavailable"):
            for end in ("from", "to"):
                yield from _year(["delegates", i, "unavailable", j, end], period.get(end))
    for i, road in _items(doc, "roads"):
        yield from above(["roads", i, "minutes"], road.get("minutes"), "road")
    raw_history = doc.get("history")
    history: Document = raw_history if isinstance(raw_history, dict) else {}
    for field in ("attendances", "visits"):
        for i, row in _items(history, field):
            yield from _year(["history", field, i, "date"], row.get("date"))
    raw_rules = doc.get("rules")
    rules: Document = raw_rules if isinstance(raw_rules, dict) else {}
    yield from above(["rules", "rotation_months"], rules.get("rotation_months"), "rotation_months")
    weights = rules.get("weights")
    if isinstance(weights, dict):
        for term, value in weights.items():
            yield from above(["rules", "weights", str(term)], value, "weight")


def _year(path: list[str | int], value: Any) -> Iterable[Issue]:
    reason = contract.year_refused(value) if isinstance(value, str) else None
    if reason is not None:
        yield Issue(json_path(path), value, reason)


CHECKS: tuple[Callable[[Document], Iterable[Issue]], ...] = (
    texts,
    sizes,
    finite_numbers,
    unique_ids,
    references,
    dates,
    limits,
    roads_connect,
)
