"""The published schedule a scenario keeps, read and checked against the base month
(scenarios.published)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from models.errors import InputError
from models.io import instance_from_document, load_instance
from scenarios import places
from scenarios.published import read_published
from scenarios.runner import run_scenario
from scenarios.scenario import load_scenario
from tests.scenarios.conftest import PUBLISHED, WriteScenario


def published_with(folder: Path, **pairs: dict[str, str]) -> Path:
    """The tiny published schedule with some assignments (by position) rewritten."""
    path = folder / "published.solution.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    for index, fields in pairs.items():
        document["assignments"][int(index.removeprefix("a"))].update(fields)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def issues_of(path: Path, base: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        read_published(path, base)
    return caught.value


def test_pairs_outside_the_base_are_all_reported(folder: Path, tiny: dict[str, Any]) -> None:
    """Every meeting or delegate the base lacks is named by its JSON path and value, under the file's name."""
    path = published_with(folder, a0={"meeting": "m99"}, a3={"delegate": "d42"})
    error = issues_of(path, instance_from_document(tiny))
    assert str(path) in error.what
    assert [(i.path, i.value) for i in error.issues] == [
        ("$.assignments[0].meeting", "m99"),
        ("$.assignments[3].delegate", "d42"),
    ]
    assert all("trong tháng gốc" in i.message for i in error.issues)


def test_another_place_s_schedule_is_recognised_as_such() -> None:
    """Lào Cai's notice on Sa Pa's month says first that it was made for another month, then every pair."""
    sapa = load_instance(places.SAPA.path)
    laocai = places.DATA / "laocai-2024-03.solution.json"
    error = issues_of(laocai, sapa)
    first, *rest = error.issues
    assert (first.path, first.value) == ("$.instance", "Thành phố Lào Cai — tháng 3/2024")
    assert "Thị xã Sa Pa — tháng 4/2024" in first.message
    assert len(rest) >= len(json.loads(laocai.read_text(encoding="utf-8"))["assignments"])


def test_a_file_of_the_wrong_kind_lists_each_problem_once(folder: Path, tiny: dict[str, Any]) -> None:
    """An instance file given as the published schedule reports each missing field once."""
    error = issues_of(folder / "base.instance.json", instance_from_document(tiny))
    keys = [(i.path, i.message) for i in error.issues]
    assert len(keys) == len(set(keys))
    assert {i.path for i in error.issues} == {"$.assignments", "$.status", "$.format"}


def test_a_meeting_the_scenario_cancels_keeps_its_published_pairs(write_scenario: WriteScenario) -> None:
    """A published pair whose meeting the scenario cancels is legitimate: the run lists it as dropped."""
    path = write_scenario("hủy", [{"kind": "meeting_cancelled", "meeting": "m1", "reason": "Ghép hội nghị"}])
    outcome = run_scenario(load_scenario(path), time_limit=5, workers=1)
    assert outcome.base.pairs == PUBLISHED
    assert outcome.changes[0].meeting == "m1"
    assert outcome.changes[0].reason.startswith("Hội nghị bị hủy (ghép hội nghị) → bỏ phân công")
