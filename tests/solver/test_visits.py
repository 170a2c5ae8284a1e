"""Unannounced visits (RULES.md): per assignment one team of that commune — the team with
the oldest last visit, never-visited first, ties by team id — no team twice in the schedule,
none for a commune without teams; visits are not part of the score.

RULES.md does not say in which order several assignments at one commune pick their teams,
so where there are several the tests check the *set* of teams chosen: whatever the order,
it is the first ones by (visited at all, last visit, id).
"""

from __future__ import annotations

from collections import Counter

from solver import score
from solver.visits import suggest_visits
from tests.solver.builders import Doc, run

NOV10 = "2025-11-10T08:00"


def teams_for(doc: Doc, pairs: list[tuple[str, str]]) -> list[str]:
    return [team for _, _, team in suggest_visits(doc.build(), pairs)]


def test_never_visited_first_then_by_id() -> None:
    """Teams never visited come first; among them the smallest id."""
    doc = (
        Doc()
        .commune("c1", teams=["t-c", "t-b", "t-a"])
        .delegate("d1")
        .meeting("m1", "c1", NOV10)
        .visited("2025-10-01", "t-a")
    )
    assert teams_for(doc, [("m1", "d1")]) == ["t-b"]


def test_oldest_last_visit() -> None:
    """With every team visited, the one whose *last* visit is oldest is chosen."""
    doc = (
        Doc()
        .commune("c1", teams=["t1", "t2", "t3"])
        .delegate("d1")
        .meeting("m1", "c1", NOV10)
        .visited("2025-01-05", "t1")  # t1's first visit is the oldest of all ...
        .visited("2025-10-01", "t1")  # ... but its last visit is the newest
        .visited("2025-05-01", "t2")
        .visited("2025-08-01", "t3")
    )
    assert teams_for(doc, [("m1", "d1")]) == ["t2"]


def test_ties_in_last_visit_by_team_id() -> None:
    """Two teams last visited the same day: the smaller id."""
    doc = (
        Doc()
        .commune("c1", teams=["t9", "t3", "t5"])
        .delegate("d1")
        .meeting("m1", "c1", NOV10)
        .visited("2025-05-01", "t9")
        .visited("2025-05-01", "t3")
        .visited("2025-09-01", "t5")
    )
    assert teams_for(doc, [("m1", "d1")]) == ["t3"]


def test_no_team_twice_in_a_meeting() -> None:
    """Two delegates at one meeting get two different teams: the two first in the order."""
    doc = (
        Doc()
        .commune("c1", 2, teams=["t1", "t2", "t3"])
        .delegate("d1", 2)
        .delegate("d2")
        .meeting("m1", "c1", NOV10)
        .visited("2025-09-01", "t1")
    )
    assert sorted(teams_for(doc, [("m1", "d1"), ("m1", "d2")])) == ["t2", "t3"]


def test_no_team_twice_across_meetings() -> None:
    """Two meetings of one commune in the schedule never get the same team."""
    doc = (
        Doc()
        .commune("c1", teams=["t1", "t2", "t3"])
        .delegate("d1")
        .delegate("d2")
        .meeting("m1", "c1", NOV10)
        .meeting("m2", "c1", "2025-11-20T08:00")
        .visited("2025-08-01", "t2")
        .visited("2025-09-01", "t3")
        .visited("2025-10-01", "t1")
    )
    # t1 was visited last, so the two oldest are t2 and t3
    assert sorted(teams_for(doc, [("m1", "d1"), ("m2", "d2")])) == ["t2", "t3"]


def test_more_assignments_than_teams() -> None:
    """A commune with one team gives it to one assignment only; the others get none."""
    doc = Doc().commune("c1", 2, teams=["t1"]).delegate("d1", 2).delegate("d2").meeting("m1", "c1", NOV10)
    visits = suggest_visits(doc.build(), [("m1", "d1"), ("m1", "d2")])
    assert [team for _, _, team in visits] == ["t1"]


def test_commune_without_teams_gets_none() -> None:
    """No teams, no visit; other communes' teams are never borrowed."""
    doc = Doc().commune("c1").commune("c2", teams=["c2-t1"]).delegate("d1").meeting("m1", "c1", NOV10)
    assert suggest_visits(doc.build(), [("m1", "d1")]) == []


def test_each_visit_names_its_assignment() -> None:
    """A visit is (meeting, delegate, team) of an assignment, at most one per assignment."""
    doc = (
        Doc()
        .commune("c1", teams=["a1", "a2"])
        .commune("c2", 2, teams=["b1", "b2", "b3"])
        .delegate("d1", 1)
        .delegate("d2", 2)
        .delegate("d3")
        .meeting("m1", "c1", NOV10)
        .meeting("m2", "c2", "2025-11-11T08:00")
    )
    pairs = [("m1", "d3"), ("m2", "d1"), ("m2", "d2")]
    visits = suggest_visits(doc.build(), pairs)
    assert Counter((m, d) for m, d, _ in visits) == Counter(pairs)
    assert {t for m, _, t in visits if m == "m1"} == {"a1"}
    assert {t for m, _, t in visits if m == "m2"} == {"b1", "b2"}


def test_visits_are_not_part_of_the_score() -> None:
    """Past visits change which team is suggested, never the score."""
    base = Doc().commune("c1", teams=["t1", "t2"]).delegate("d1").meeting("m1", "c1", NOV10)
    visited = Doc().commune("c1", teams=["t1", "t2"]).delegate("d1").meeting("m1", "c1", NOV10)
    visited.visited("2025-10-01", "t1")
    assert teams_for(base, [("m1", "d1")]) == ["t1"]
    assert teams_for(visited, [("m1", "d1")]) == ["t2"]
    assert score(base.build(), [("m1", "d1")]).total == score(visited.build(), [("m1", "d1")]).total


def test_solve_returns_the_visits_of_its_schedule(backend: str) -> None:
    """A solve suggests, for its own schedule, the visits of the rule."""
    doc = (
        Doc()
        .commune("c1", 2, teams=["t1", "t2", "t3"])
        .commune("c2", teams=["u1"])
        .delegate("d1", 2)
        .delegate("d2")
        .delegate("d3")
        .meeting("m1", "c1", NOV10)
        .meeting("m2", "c2", "2025-11-10T14:00", minutes=60)
        .visited("2025-10-01", "t1")
    )
    result = run(doc.build(), backend)
    assert sorted(result.visits) == sorted(suggest_visits(doc.build(), result.assignments))
    assert sorted(t for m, _, t in result.visits if m == "m1") == ["t2", "t3"]
    assert [t for m, _, t in result.visits if m == "m2"] == ["u1"]
