"""The notice's settings, checked once by :class:`NoticeSettings` for every door (the
page, the API, the CLI): what a Party document needs is required, the number is digits or
empty, the symbol is capitals in parts (TB/BTG), "Nơi nhận" holds a recipient and ends with
the "Lưu …" line (added when not typed), and every field has a length that fits the layout."""

from __future__ import annotations

import unicodedata

import pytest
from pydantic import ValidationError

from models.documents.notice import BODY_MAX, RECIPIENT_MAX, NoticeSettings
from services.documents import parse_notice_settings
from services.errors import Invalid

#: What a reviewer saved from the page (review A6).
EMPTIED = {"parent": "", "issuer": "  ", "number": "abc", "symbol": "", "recipients": []}


def _refused(values: dict[str, object]) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        parse_notice_settings(values)
    return {issue.path: issue.message for issue in caught.value.issues}


def test_the_defaults_make_a_valid_notice() -> None:
    """Left out (an API body, a CLI option not given), a setting takes its documented default."""
    settings = NoticeSettings()
    assert (settings.parent, settings.issuer, settings.symbol) == ("THÀNH ỦY LÀO CAI", "BAN TUYÊN GIÁO", "TB/BTG")
    assert settings.number == ""
    assert settings.recipients[-1].startswith("Lưu")


def test_an_empty_issuing_body_a_word_for_a_number_and_no_recipients_are_refused() -> None:
    refused = _refused(EMPTIED)
    assert refused == {
        "parent": "Cơ quan cấp trên: không được để trống",
        "issuer": "Cơ quan ban hành: không được để trống",
        "number": "Số văn bản: chỉ gồm chữ số (ví dụ 05, 125); để trống để ghi tay khi vào sổ",
        "symbol": "Ký hiệu: không được để trống",
        "recipients": "Nơi nhận: cần ít nhất một nơi nhận (ngoài dòng “Lưu …”), mỗi dòng một nơi",
    }


@pytest.mark.parametrize(("typed", "kept"), [("", ""), ("05", "05"), (" 125 ", "125"), ("999999", "999999")])
def test_the_number_is_digits_or_empty(typed: str, kept: str) -> None:
    assert NoticeSettings(number=typed).number == kept


@pytest.mark.parametrize("typed", ["abc", "12a", "1 2", "١٢", "-5", "1234567"])
def test_any_other_number_is_refused(typed: str) -> None:
    assert "number" in _refused({"number": typed})


@pytest.mark.parametrize("typed", ["TB/BTG", "TB/BTGTU", "TB/ĐU", "TB/BTG-VP", "BTG", "TB.BTG"])
def test_a_symbol_is_capitals_in_parts(typed: str) -> None:
    assert NoticeSettings(symbol=typed).symbol == typed


@pytest.mark.parametrize("typed", ["abc", "tb/btg", "TB/", "TB/BTG TU", "TB//BTG"])
def test_any_other_symbol_is_refused(typed: str) -> None:
    assert _refused({"symbol": typed})["symbol"].startswith("Ký hiệu: viết bằng chữ in hoa và chữ số")


def test_recipients_need_one_recipient_and_end_with_the_kept_copy() -> None:
    added = NoticeSettings.model_validate({"recipients": ["Thường trực Thành ủy (b/c),"]})
    assert added.recipients == ["Thường trực Thành ủy (b/c),", "Lưu Ban Tuyên giáo Thành ủy."]
    only_kept = _refused({"recipients": ["Lưu VT."]})["recipients"]
    assert only_kept == "Nơi nhận: cần ít nhất một nơi nhận (ngoài dòng “Lưu …”), mỗi dòng một nơi"
    # However it is typed: a dash before it, lower case, decomposed (NFD) diacritics.
    for kept in ("- Lưu VT.", "lưu Văn phòng", unicodedata.normalize("NFD", "Lưu Ban Tuyên giáo.")):
        settings = NoticeSettings.model_validate({"recipients": ["Các đồng chí được phân công,", kept]})
        assert settings.recipients[1] == unicodedata.normalize("NFC", kept)


def test_a_sign_mode_needs_whom_it_signs_for() -> None:
    unsigned = _refused({"sign_mode": "T/M", "sign_body": " "})["sign_body"]
    assert unsigned.startswith("Tập thể hoặc người đứng đầu: cần ghi")
    assert NoticeSettings(sign_mode="", sign_body="").sign_body == ""


@pytest.mark.parametrize(
    ("field", "most"),
    [("parent", BODY_MAX), ("issuer", BODY_MAX), ("issuer_short", 100), ("place", 50), ("signer_position", 60)],
)
def test_every_line_has_a_length_that_fits_the_layout(field: str, most: int) -> None:
    assert _refused({field: "X" * (most + 1)})[field].endswith(f"dài quá {most} ký tự")
    assert getattr(NoticeSettings.model_validate({field: "X" * most}), field) == "X" * most


def test_a_recipient_line_has_a_length_too() -> None:
    refused = _refused({"recipients": ["X" * (RECIPIENT_MAX + 1), "Lưu."]})
    assert refused["recipients"] == f"Nơi nhận (dòng 1): dài quá {RECIPIENT_MAX} ký tự"


def test_the_model_itself_refuses_so_every_door_does() -> None:
    """The API builds the body as a NoticeSettings and the CLI validates one: no door skips it."""
    with pytest.raises(ValidationError) as caught:
        NoticeSettings.model_validate(EMPTIED)
    assert {str(e["loc"][0]) for e in caught.value.errors()} == {"parent", "issuer", "number", "symbol", "recipients"}
