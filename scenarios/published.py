"""The published schedule a scenario keeps: read, and checked against the base month.

A published pair naming a meeting or a delegate the base month does not have (a typo, or
the notice of another month or place) is an input error, reported with every other one
at once, when the scenario is loaded: left in, it passes ``check`` and breaks a run
later. Pairs are checked against the *base*, not against the month after the scenario's
changes: a meeting the scenario cancels, or a delegate it retires, was published
legitimately; its pairs are simply no longer kept (RULES.md ignores them in the
``changes`` term), and the re-plan lists them as changes.
"""

from __future__ import annotations

from pathlib import Path

from models.errors import InputError, Issue, json_path
from models.instance import Instance
from models.io import parse_json, solution_from_document
from models.solution import Solution
from scenarios.files import read_bytes

Pairs = list[tuple[str, str]]


def read_published(path: Path | None, base: Instance) -> Pairs | None:
    """The published schedule's pairs, or None when there is none."""
    if path is None:
        return None
    what = f"Lịch đã công bố {path}"
    document = parse_json(read_bytes(path, what), what)
    try:
        solution = solution_from_document(document)
    except InputError as err:
        raise InputError(unique(err.issues), what) from None
    issues = foreign_pairs(solution, base)
    if issues:
        raise InputError(issues, what)
    return solution.pairs()


def foreign_pairs(solution: Solution, base: Instance) -> list[Issue]:
    """An issue for each meeting or delegate of the schedule that the base month lacks."""
    issues = []
    for i, pair in enumerate(solution.assignments):
        if pair.meeting not in base.meetings_by_id:
            where = json_path(["assignments", i, "meeting"])
            issues.append(Issue(where, pair.meeting, "không có hội nghị mã này trong tháng gốc"))
        if pair.delegate not in base.delegates_by_id:
            where = json_path(["assignments", i, "delegate"])
            issues.append(Issue(where, pair.delegate, "không có đại biểu mã này trong tháng gốc"))
    if issues and solution.instance and base.name and solution.instance != base.name:
        # The likeliest cause, said first: the notice of another month or place.
        other = Issue("$.instance", solution.instance, f"lịch này lập cho bài toán khác; tháng gốc là “{base.name}”")
        issues.insert(0, other)
    return issues


def unique(issues: list[Issue]) -> list[Issue]:
    """Each issue once: the schema reports a missing field once per branch it tried."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for issue in issues:
        key = (issue.path, repr(issue.value), issue.message)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out
