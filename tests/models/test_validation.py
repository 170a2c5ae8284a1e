"""Reading an instance: every problem is reported at once, each with its JSON path and value.

The base document is valid; each case breaks one thing (schema: unknown field, wrong enum,
missing field, wrong type, bound; references: a commune, delegate, meeting, place or team
that does not exist; dates that do not exist or run backwards) and checks the issue names
exactly the path and the offending value.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models.errors import InputError, Issue
from models.io import instance_from_document, load_instance
from tests.solver.builders import Doc

JsonDict = dict[str, Any]


def base() -> JsonDict:
    """A valid document: two communes with roads from hq, a team, two delegates, two meetings, history."""
    return (
        Doc()
        .commune("c1", 1, teams=["c1-t1"])
        .commune("c2")
        .road("hq", "c1", 10)
        .road("hq", "c2", 20)
        .delegate("d1", 2, in_charge_of=["c2"])
        .delegate("d2", leave=[("2025-11-01", "2025-11-03")])
        .meeting("m1", "c1", "2025-11-10T08:00")
        .meeting("m2", "c2", "2025-11-11T08:00")
        .attended("2025-10-01", "c1", "d2")
        .visited("2025-10-01", "c1-t1")
        .pin("m1", "d1")
        .forbid("m2", "d2")
        .document()
    )


def issues_of(doc: JsonDict) -> list[Issue]:
    with pytest.raises(InputError) as caught:
        instance_from_document(doc)
    assert caught.value.issues
    return caught.value.issues


def test_the_base_document_is_valid() -> None:
    """The base document reads without complaint, with the defaults of the schema."""
    instance = instance_from_document(base())
    d2 = instance.delegate("d2")
    assert (d2.max_per_month, d2.base, d2.in_charge_of) == (4, "hq", ())
    assert instance.rules.own_commune == "hard"
    assert instance.rules.rotation_months == 3
    assert instance.timezone == "Asia/Ho_Chi_Minh"


Mutation = Callable[[JsonDict], Any]


def _set(path: list[str | int], value: Any) -> Mutation:
    def mutate(doc: JsonDict) -> None:
        target: Any = doc
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _delete(path: list[str | int]) -> Mutation:
    def mutate(doc: JsonDict) -> None:
        target: Any = doc
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


CASES: list[tuple[str, Mutation, str, Any]] = [
    # schema: unknown fields
    ("unknown top-level field", _set(["colour"], "red"), "$.colour", "red"),
    ("unknown delegate field", _set(["delegates", 1, "nickname"], "Bé"), "$.delegates[1].nickname", "Bé"),
    ("unknown meeting field", _set(["meetings", 0, "room"], 3), "$.meetings[0].room", 3),
    ("unknown weight", _set(["rules"], {"weights": {"beauty": 2}}), "$.rules.weights.beauty", 2),
    # schema: enums
    ("flag 3", _set(["communes", 0, "flag"], 3), "$.communes[0].flag", 3),
    ("tier 5", _set(["delegates", 0, "tier"], 5), "$.delegates[0].tier", 5),
    ("senior_tier 4", _set(["meetings", 1, "senior_tier"], 4), "$.meetings[1].senior_tier", 4),
    ("own_commune maybe", _set(["rules"], {"own_commune": "maybe"}), "$.rules.own_commune", "maybe"),
    ("commune kind", _set(["communes", 1, "kind"], "city"), "$.communes[1].kind", "city"),
    ("format", _set(["format"], "phancong-instance/2"), "$.format", "phancong-instance/2"),
    # schema: missing required fields
    ("meeting without start", _delete(["meetings", 1, "start"]), "$.meetings[1].start", None),
    ("delegate without agency", _delete(["delegates", 0, "agency"]), "$.delegates[0].agency", None),
    ("commune without name", _delete(["communes", 1, "name"]), "$.communes[1].name", None),
    ("road without minutes", _delete(["roads", 0, "minutes"]), "$.roads[0].minutes", None),
    # schema: types and bounds
    ("minutes as text", _set(["meetings", 0, "minutes"], "120"), "$.meetings[0].minutes", "120"),
    ("minutes 0", _set(["meetings", 0, "minutes"], 0), "$.meetings[0].minutes", 0),
    ("required 0", _set(["meetings", 0, "required"], 0), "$.meetings[0].required", 0),
    ("max_per_month -1", _set(["delegates", 0, "max_per_month"], -1), "$.delegates[0].max_per_month", -1),
    ("road of 0 minutes", _set(["roads", 1, "minutes"], 0), "$.roads[1].minutes", 0),
    ("negative weight", _set(["rules"], {"weights": {"travel": -1}}), "$.rules.weights.travel", -1),
    ("rotation_months -1", _set(["rules"], {"rotation_months": -1}), "$.rules.rotation_months", -1),
    ("no delegates", _set(["delegates"], []), "$.delegates", []),
    ("empty id", _set(["communes", 1, "id"], ""), "$.communes[1].id", ""),
    # dangling references
    ("meeting.commune", _set(["meetings", 1, "commune"], "c9"), "$.meetings[1].commune", "c9"),
    ("pinned delegate", _set(["pinned", 0, "delegate"], "d9"), "$.pinned[0].delegate", "d9"),
    ("pinned meeting", _set(["pinned", 0, "meeting"], "m9"), "$.pinned[0].meeting", "m9"),
    ("forbidden delegate", _set(["forbidden", 0, "delegate"], "d9"), "$.forbidden[0].delegate", "d9"),
    ("in_charge_of", _set(["delegates", 0, "in_charge_of"], ["c9"]), "$.delegates[0].in_charge_of[0]", "c9"),
    ("road end", _set(["roads", 1, "b"], "c9"), "$.roads[1].b", "c9"),
    ("delegate base", _set(["delegates", 1, "base"], "p9"), "$.delegates[1].base", "p9"),
    ("history team", _set(["history", "visits", 0, "team"], "c9-t1"), "$.history.visits[0].team", "c9-t1"),
    (
        "history delegate",
        _set(["history", "attendances", 0, "delegate"], "d9"),
        "$.history.attendances[0].delegate",
        "d9",
    ),
    (
        "history commune",
        _set(["history", "attendances", 0, "commune"], "c9"),
        "$.history.attendances[0].commune",
        "c9",
    ),
    # duplicate ids
    ("duplicate delegate", _set(["delegates", 1, "id"], "d1"), "$.delegates[1].id", "d1"),
    ("duplicate meeting", _set(["meetings", 1, "id"], "m1"), "$.meetings[1].id", "m1"),
    ("duplicate commune", _set(["communes", 1, "id"], "c1"), "$.communes[1].id", "c1"),
    # impossible dates
    (
        "leave on 30 February",
        _set(["delegates", 1, "unavailable", 0, "from"], "2025-02-30"),
        "$.delegates[1].unavailable[0].from",
        "2025-02-30",
    ),
    (
        "leave from after to",
        _set(["delegates", 1, "unavailable", 0, "from"], "2025-11-04"),
        "$.delegates[1].unavailable[0]",
        {"from": "2025-11-04", "to": "2025-11-03"},
    ),
    ("month 13", _set(["meetings", 0, "start"], "2025-13-01T08:00"), "$.meetings[0].start", "2025-13-01T08:00"),
    ("30 February", _set(["meetings", 0, "start"], "2025-02-30T08:00"), "$.meetings[0].start", "2025-02-30T08:00"),
    ("hour 25", _set(["meetings", 0, "start"], "2025-11-10T25:00"), "$.meetings[0].start", "2025-11-10T25:00"),
    ("start without time", _set(["meetings", 0, "start"], "2025-11-10"), "$.meetings[0].start", "2025-11-10"),
    (
        "history on 29 February 2025",
        _set(["history", "attendances", 0, "date"], "2025-02-29"),
        "$.history.attendances[0].date",
        "2025-02-29",
    ),
    ("unknown time zone", _set(["timezone"], "Asia/Hanoi_City"), "$.timezone", "Asia/Hanoi_City"),
]


@pytest.mark.parametrize(("mutate", "path", "value"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_problem_names_its_path_and_value(mutate: Mutation, path: str, value: Any) -> None:
    """A broken document raises InputError with an issue at exactly that JSON path, showing the value."""
    doc = base()
    mutate(doc)
    issues = issues_of(doc)
    found = [i for i in issues if i.path == path]
    assert found, [str(i) for i in issues]
    assert any(i.value == value for i in found), [str(i) for i in found]
    assert all(i.message for i in found)
    assert all(path in str(i) for i in found)


def test_every_problem_is_reported_at_once() -> None:
    """Several problems in one document (schema, references, dates) are all listed in one error."""
    doc = base()
    doc["delegates"][0]["nickname"] = "Bé"
    doc["communes"][0]["flag"] = 7
    doc["meetings"][1]["commune"] = "c9"
    doc["pinned"][0]["delegate"] = "d9"
    doc["meetings"][0]["start"] = "2025-02-30T08:00"
    doc["delegates"][1]["unavailable"][0] = {"from": "2025-11-05", "to": "2025-11-01"}
    paths = {i.path for i in issues_of(doc)}
    assert {
        "$.delegates[0].nickname",
        "$.communes[0].flag",
        "$.meetings[1].commune",
        "$.pinned[0].delegate",
        "$.meetings[0].start",
        "$.delegates[1].unavailable[0]",
    } <= paths


def test_a_reference_may_name_what_is_gone() -> None:
    """reference pairs naming a meeting or delegate no longer in the instance are not errors (changes skips them)."""
    doc = base()
    doc["reference"] = [{"meeting": "m-old", "delegate": "d1"}, {"meeting": "m1", "delegate": "retired"}]
    assert len(instance_from_document(doc).reference) == 2


def test_unreachable_commune_with_roads() -> None:
    """With roads given, a meeting's commune that no road reaches is reported."""
    doc = base()
    doc["communes"].append({"id": "c3", "name": "Xã c3"})
    doc["meetings"].append({"id": "m3", "commune": "c3", "start": "2025-11-12T08:00"})
    issues = issues_of(doc)
    assert any(i.path == "$.meetings[2].commune" and i.value == "c3" for i in issues)


def test_ids_are_compared_in_nfc() -> None:
    """Vietnamese ids typed in decomposed Unicode match the same ids in composed form."""
    doc = base()
    composed = "đại-biểu-Hà"
    doc["delegates"][0]["id"] = composed
    doc["pinned"][0]["delegate"] = unicodedata.normalize("NFD", composed)
    assert composed != unicodedata.normalize("NFD", composed)
    instance = instance_from_document(doc)
    assert instance.pinned[0].delegate == composed


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    """A file that is not JSON is refused with the line and column of the problem."""
    path = tmp_path / "broken.json"
    path.write_text('{"format": "phancong-instance/1",\n "communes": [,]}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_instance(path)
    (issue,) = caught.value.issues
    assert issue.path == "$"
    assert "2" in str(issue.value)


def test_not_an_object() -> None:
    """A JSON document that is not an object is refused at ``$``."""
    issues = issues_of(json.loads("[1, 2]"))
    assert any(i.path == "$" for i in issues)
