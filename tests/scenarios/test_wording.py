"""Vietnamese wording of dates and changes (scenarios.wording)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from models.io import instance_from_document
from scenarios.scenario import parse_scenario
from scenarios.wording import Names, day_range, describe, lower_first


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (dt.date(2024, 3, 8), dt.date(2024, 3, 8), "08/03"),
        (dt.date(2024, 3, 12), dt.date(2024, 3, 14), "12/03–14/03"),
        (dt.date(2024, 3, 30), dt.date(2024, 4, 2), "30/03–02/04"),
        (dt.date(2024, 12, 30), dt.date(2025, 1, 2), "30/12/2024–02/01/2025"),
    ],
)
def test_day_ranges_read_the_vietnamese_way(start: dt.date, end: dt.date, text: str) -> None:
    """dd/mm as the solver writes dates, with an en dash; years only across a new year."""
    assert day_range(start, end) == text


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (
            {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-05", "reason": "Nghỉ ốm"},
            "Đ/c Nguyễn Văn Kiên vắng 04/11–05/11 — nghỉ ốm",
        ),
        ({"kind": "meeting_moved", "meeting": "m4", "start": "2025-11-10T08:00"},
         "Hội nghị Phường Kim Tân (14:00 06/11) dời sang 08:00 10/11"),
        ({"kind": "rule_option", "option": "own_commune", "value": "soft"},
         "Dự xã mình phụ trách: được phép nhưng tính điểm phạt"),
        ({"kind": "weight", "term": "balance", "value": 10}, "Trọng số “Chênh lệch số buổi giữa đại biểu” = 10"),
    ],
)  # fmt: skip
def test_changes_are_described_in_one_sentence(tiny: dict[str, Any], raw: dict[str, Any], text: str) -> None:
    """Each change reads as one Vietnamese sentence with real names and the planner's reason."""
    (change,) = parse_scenario({"base": "x.json", "changes": [raw]}).changes
    assert describe(change, Names(instance_from_document(tiny))) == text


@pytest.mark.parametrize(
    ("reason", "inside"),
    [
        ("Nghỉ ốm", "nghỉ ốm"),
        ("Tranh chấp đất đai, khiếu kiện đông người", "tranh chấp đất đai, khiếu kiện đông người"),
        ("Hội nghị cấp trên", "hội nghị cấp trên"),
        ("UBND phường đề nghị dời", "UBND phường đề nghị dời"),
        ("HĐND họp bất thường", "HĐND họp bất thường"),
        ("Thường trực chỉ định", "Thường trực chỉ định"),
        ("Bí thư Thành ủy đi công tác", "Bí thư Thành ủy đi công tác"),
        ("Uỷ ban nhân dân xã đề nghị", "Uỷ ban nhân dân xã đề nghị"),
        ("Xã Tả Phời đề nghị dời", "Xã Tả Phời đề nghị dời"),
        ("Bão Yagi", "Bão Yagi"),
        ("Đ/c Hà đề nghị", "Đ/c Hà đề nghị"),
    ],
)
def test_only_an_ordinary_first_word_is_lowered(reason: str, inside: str) -> None:
    """Inside a sentence a reason's ordinary first word is lowered; acronyms, names and titles stay as written."""
    assert lower_first(reason) == inside
