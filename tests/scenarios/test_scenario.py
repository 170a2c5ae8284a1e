"""Reading scenario files and building their month (scenarios.scenario)."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest

from models.errors import InputError
from models.io import instance_from_document
from scenarios.published import read_published
from scenarios.scenario import build, load_scenario, parse_scenario, read_base
from tests.scenarios.conftest import PUBLISHED, WriteScenario


def test_paths_are_relative_to_the_scenario_file(write_scenario: WriteScenario, folder: Path) -> None:
    """base and published are found beside the YAML file, whatever the working folder."""
    scenario = load_scenario(write_scenario("s", []))
    assert scenario.base == folder / "base.instance.json"
    assert scenario.published == folder / "published.solution.json"
    assert scenario.name == "s"
    assert scenario.mode == "weighted"


def test_a_yaml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    """Broken YAML is an input error naming the line, not a traceback."""
    path = tmp_path / "bad.yaml"
    path.write_text("base: x.json\nchanges:\n  - kind: pin\n   meeting: m1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    (issue,) = caught.value.issues
    assert "YAML không đọc được" in issue.message
    assert str(issue.value).startswith("dòng 4")


def test_a_scenario_must_be_a_mapping_with_a_base() -> None:
    """A list instead of a mapping, or a mapping without base, is refused."""
    with pytest.raises(InputError):
        parse_scenario(["base", "x.json"])
    with pytest.raises(InputError) as caught:
        parse_scenario({"changes": []})
    assert caught.value.issues[0].path == "$.base"


def test_an_unknown_mode_is_refused() -> None:
    """mode accepts weighted, changes_first or fresh only."""
    with pytest.raises(InputError) as caught:
        parse_scenario({"base": "x.json", "mode": "fastest"})
    assert caught.value.issues[0].path == "$.mode"


@pytest.mark.parametrize("kind", [["pin"], {"pin": 1}, 7])
def test_a_kind_that_is_not_a_string_is_an_error_not_a_crash(kind: object) -> None:
    """``kind: [pin]`` (a list, a mapping or a number) is an input error at its path, not a TypeError."""
    with pytest.raises(InputError) as caught:
        parse_scenario({"base": "x.json", "changes": [{"kind": kind}]})
    assert caught.value.issues[0].path == "$.changes[0].kind"


def test_a_database_base_is_not_yet_supported() -> None:
    """A base naming a month in the database says clearly that it is not supported yet."""
    with pytest.raises(InputError) as caught:
        parse_scenario({"base": "db:2024-03"})
    assert "chưa hỗ trợ" in caught.value.issues[0].message


def test_text_is_stored_in_nfc() -> None:
    """A reason typed in decomposed Unicode is kept in NFC, the one form we compare."""
    decomposed = unicodedata.normalize("NFD", "Nghỉ ốm")
    scenario = parse_scenario(
        {"base": "x.json", "changes": [{"kind": "delegate_leaving", "delegate": "d1", "reason": decomposed}]}
    )
    assert scenario.changes[0].reason == "Nghỉ ốm"


def test_build_sets_the_reference_to_keep(tiny: dict[str, Any]) -> None:
    """With a schedule to keep, the month's reference is that schedule; without, it has none."""
    kept = build(tiny, (), PUBLISHED).instance
    assert [(p.meeting, p.delegate) for p in kept.reference] == PUBLISHED
    assert build(tiny, (), None).instance.reference == ()


def test_build_keeps_reference_pairs_of_cancelled_meetings(tiny: dict[str, Any]) -> None:
    """A cancelled meeting's published pairs stay in the reference: RULES.md ignores them."""
    changes = parse_scenario({"base": "x", "changes": [{"kind": "meeting_cancelled", "meeting": "m1"}]}).changes
    month = build(tiny, changes, PUBLISHED).instance
    assert ("m1", "d1") in [(p.meeting, p.delegate) for p in month.reference]


def test_a_bad_base_is_reported_as_the_base(tmp_path: Path) -> None:
    """An invalid base file is an error of the base, before any change is applied."""
    path = tmp_path / "base.json"
    path.write_text('{"format": "phancong-instance/1", "communes": []}', encoding="utf-8")
    with pytest.raises(InputError):
        read_base(path)


def test_unreadable_files_are_explained_in_vietnamese(tmp_path: Path, tiny: dict[str, Any]) -> None:
    """A missing scenario, base or published file, or a folder in their place, is said in Vietnamese."""
    cases = [
        (lambda: load_scenario(tmp_path / "không-có.yaml"), "không có tệp này"),
        (lambda: load_scenario(tmp_path), "đây là một thư mục, không phải tệp"),
        (lambda: read_base(tmp_path / "không-có.json"), "không có tệp này"),
        (lambda: read_published(tmp_path, instance_from_document(tiny)), "đây là một thư mục, không phải tệp"),
    ]
    for read, reason in cases:
        with pytest.raises(InputError) as caught:
            read()
        (issue,) = caught.value.issues
        assert issue.message == f"không mở được tệp: {reason}"


def test_an_empty_published_field_is_an_error() -> None:
    """published: "" is refused by name, not read as "no published schedule"."""
    with pytest.raises(InputError) as caught:
        parse_scenario({"base": "x.json", "published": ""})
    (issue,) = caught.value.issues
    assert (issue.path, issue.value, issue.message) == ("$.published", "", "không được để trống")


def test_errors_of_a_scenario_s_changes_name_its_file(write_scenario: WriteScenario, tiny: dict[str, Any]) -> None:
    """An id error found while building a loaded scenario is headed with the scenario's file."""
    path = write_scenario("thiếu", [{"kind": "meeting_cancelled", "meeting": "m42"}])
    scenario = load_scenario(path)
    with pytest.raises(InputError) as caught:
        build(tiny, scenario.changes, None, scenario.what)
    assert caught.value.what == f"Kịch bản {path}"


def test_a_bad_base_names_its_file(tmp_path: Path) -> None:
    """An invalid or unreadable base is headed with the base file's path."""
    path = tmp_path / "base.json"
    path.write_text('{"format": "phancong-instance/1", "communes": []}', encoding="utf-8")
    for target in (path, tmp_path / "không-có.json"):
        with pytest.raises(InputError) as caught:
            read_base(target)
        assert caught.value.what == f"Tệp bài toán gốc {target}"
