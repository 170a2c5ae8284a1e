"""The contract of each value (:mod:`models.contract`): characters, years, the patterns
the API documents, and the instance checks that use it."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from models import contract, validation
from models.errors import InputError
from models.io import instance_from_document
from tests.conftest import EXAMPLES


@pytest.fixture
def tiny_document() -> dict[str, Any]:
    """The spec's tiny example, valid as it is."""
    return dict(json.loads((Path(EXAMPLES) / "tiny.instance.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("c004\u200b", "U+200B"),
        ("202408-\u202eabc", "U+202E"),
        ("\ufeffc1", "U+FEFF"),
        ("a\u2066b", "U+2066"),
        ("a\u00adb", "U+00AD"),
        ("a\x85b", "U+0085"),
        ("a\x07b", "U+0007"),
        ("a\uffffb", "U+FFFF"),
        ("a\ufdd0b", "U+FDD0"),
        ("a\U0001fffeb", "U+1FFFE"),
        ("a\U000e0041b", "U+E0041"),
    ],
)
def test_an_id_or_name_with_an_invisible_control_or_noncharacter_is_refused(text: str, code: str) -> None:
    """Zero-width, bidirectional and other format characters, C0/C1 controls and
    noncharacters are refused in an id or a name, and the message names the character."""
    reason = contract.refused(text)
    assert reason is not None
    assert code in reason


def test_free_text_keeps_line_breaks_and_format_characters_but_not_noncharacters() -> None:
    """A theme may hold tabs, line breaks and a zero-width joiner; never U+FFFF or a C1 control."""
    assert contract.refused("Chủ đề\tquý I\r\ndòng 2\u200d", free=True) is None
    assert "U+FFFF" in (contract.refused("Chủ đề \uffff", free=True) or "")
    assert "U+009B" in (contract.refused("a\x9bb", free=True) or "")
    assert contract.refused("Phường Cốc Lếu") is None


@pytest.mark.parametrize(("pattern", "free"), [(contract.NAME_PATTERN, False), (contract.FREE_TEXT_PATTERN, True)])
def test_the_documented_pattern_refuses_exactly_what_the_check_refuses(pattern: str, free: bool) -> None:
    """For every character of the Basic Multilingual Plane (but surrogates), the pattern the
    OpenAPI shows and the check agree: a client that follows the schema is never refused."""
    compiled = re.compile(pattern)
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = f"a{chr(code)}a"
        assert (compiled.match(text) is None) == (contract.refused(text, free) is not None), f"U+{code:04X}"


def test_every_date_shares_one_range_of_years() -> None:
    """2000–2099 for dates and moments; a moment is also read in local time."""
    assert contract.day_refused(dt.date(2000, 1, 1)) is None
    assert contract.day_refused(dt.date(2099, 12, 31)) is None
    assert contract.day_refused(dt.date(9999, 12, 31)) == "năm phải trong 2000–2099"
    assert contract.day_refused(dt.date(1999, 12, 31)) is not None
    late = dt.datetime(2099, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert contract.day_refused(late) is not None
    assert contract.year_refused("9999-12-31") is not None
    assert contract.year_refused("2024-06-01") is None
    assert contract.is_month("2099-12")
    assert not contract.is_month("2100-01")


def test_a_stored_period_is_read_inside_the_years() -> None:
    """Leave to 9999-12-31 is read to 2099-12-31; a period wholly outside is dropped."""
    assert contract.clip(dt.date(2024, 6, 1), dt.date(9999, 12, 31)) == (dt.date(2024, 6, 1), dt.date(2099, 12, 31))
    assert contract.clip(dt.date(1990, 1, 1), dt.date(1995, 1, 1)) is None


def _with(document: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target: Any = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def test_an_instance_file_with_leave_to_9999_is_refused_naming_the_field(tiny_document: dict[str, Any]) -> None:
    """The instance model refuses a leave year outside the contract, at its path."""
    document = _with(tiny_document, ["delegates", 0, "unavailable", 0, "to"], "9999-12-31")
    with pytest.raises(InputError) as raised:
        instance_from_document(document)
    assert [(i.path, i.value) for i in raised.value.issues] == [("$.delegates[0].unavailable[0].to", "9999-12-31")]


def test_an_instance_file_with_a_zero_width_id_is_refused_but_a_stored_month_is_not(
    tiny_document: dict[str, Any],
) -> None:
    """A look-alike id is refused in a file; a document spelt from stored rows (which
    passed their door, or predate the contract) skips the character check."""
    document = _with(tiny_document, ["delegates", 0, "name"], "Nguyễn\u200b Văn Kiên")
    issues = validation.document_issues(document)
    assert [(i.path, i.value) for i in issues] == [("$.delegates[0].name", "Nguyễn\u200b Văn Kiên")]
    assert validation.document_issues(document, stored=True) == []
    instance_from_document(document, stored=True)
