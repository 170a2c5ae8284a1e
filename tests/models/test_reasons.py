"""Pydantic's refusals said in Vietnamese, once for every door (models.reasons)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from models.reasons import FORM_WORDS, reason


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=5)]
    code: Annotated[str, Field(min_length=3)] = "abc"
    count: Annotated[int, Field(ge=1, le=9)] = 1
    ratio: Annotated[float, Field(gt=0, lt=1)] = 0.5
    mode: Literal["T/M", "T/L", "K/T"] = "T/M"
    day: dt.date = dt.date(2024, 3, 1)
    start: dt.datetime = dt.datetime(2024, 3, 1, 8)
    lines: Annotated[list[str], Field(min_length=1, max_length=2)] = ["a"]
    done: bool = False
    plain: Annotated[str, Field(pattern=r"^[a-z]*$")] = ""
    checked: str = ""

    @field_validator("checked")
    @classmethod
    def _ours(cls, value: str) -> str:
        if value == "x":
            raise ValueError("mã này đã có")
        return value


def _errors(**values: object) -> list[dict[str, object]]:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate({"name": "ok", **values})
    return [dict(e) for e in caught.value.errors()]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"name": ""}, "không được để trống"),
        ({"name": "dài quá"}, "dài quá 5 ký tự"),
        ({"code": "ab"}, "ngắn quá, ít nhất 3 ký tự"),
        ({"count": 0}, "cần lớn hơn hoặc bằng 1"),
        ({"count": 10}, "cần nhỏ hơn hoặc bằng 9"),
        ({"count": "ba"}, "cần một số nguyên"),
        ({"count": 1.5}, "cần một số nguyên"),
        ({"ratio": 0}, "cần lớn hơn 0"),
        ({"ratio": 1}, "cần nhỏ hơn 1"),
        ({"ratio": "x"}, "cần một số"),
        ({"mode": "X"}, "giá trị không hợp lệ, chỉ nhận: 'T/M', 'T/L' hoặc 'K/T'"),
        ({"day": "2024-02-30"}, "không có ngày này hoặc không đúng dạng YYYY-MM-DD"),
        ({"start": "hôm nay"}, "không có ngày giờ này hoặc không đúng dạng YYYY-MM-DDTHH:MM"),
        ({"lines": []}, "ít quá, cần ít nhất 1 mục"),
        ({"lines": ["a", "b", "c"]}, "nhiều quá 2 mục"),
        ({"lines": "a"}, "cần một danh sách"),
        ({"done": "có lẽ"}, "cần đúng hoặc sai (true/false)"),
        ({"plain": "A"}, "có ký tự không được phép (ký tự điều khiển, xuống dòng…)"),
        ({"checked": "x"}, "mã này đã có"),
        ({"extra": 1}, "trường không được phép (viết sai tên?)"),
    ],
)
def test_each_refusal_is_said_in_vietnamese_with_its_limit(values: dict[str, object], expected: str) -> None:
    (error,) = _errors(**values)
    assert reason(error) == expected


def test_a_missing_field() -> None:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate({})
    (error,) = caught.value.errors()
    assert reason(error) == "thiếu trường bắt buộc"
    # On a page the field is typed, not sent: the words say what to do.
    assert reason(error, FORM_WORDS) == "cần nhập"


def test_a_door_may_say_it_better_and_name_the_limit() -> None:
    (error,) = _errors(lines=["a", "b", "c"])
    assert reason(error, {"too_long": "nhiều nhất {max_length} dòng"}) == "nhiều nhất 2 dòng"


def test_an_unknown_kind_keeps_pydantic_words_rather_than_none() -> None:
    assert reason({"type": "something_new", "msg": "Something new"}) == "Something new"
    assert reason({"type": "something_new"}) == "giá trị không hợp lệ"


def test_every_door_uses_it() -> None:
    """The API's body errors, the notice settings (page and CLI) and scenario files all
    say a too-long text the same way."""
    from api.errors import validation_items
    from services.documents import parse_notice_settings
    from services.errors import Invalid

    with pytest.raises(ValidationError) as caught:
        _Form.model_validate({"name": "dài quá"})
    assert validation_items([dict(e) for e in caught.value.errors()])[0].message == "dài quá 5 ký tự"
    with pytest.raises(Invalid) as refused:
        parse_notice_settings({"symbol": "x" * 31})
    assert refused.value.issues[0].message == "Ký hiệu: dài quá 30 ký tự"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("month", "2024-13", "không đúng dạng tháng YYYY-MM (năm 20xx, tháng 01–12)"),
        ("code", "a b", "khoảng trắng"),
        ("email", "không-phải-email", "không phải địa chỉ email (dạng ten@mien.vn)"),
        ("channel", "sms", "giá trị không hợp lệ, chỉ nhận: email, zalo hoặc webhook"),
        ("week", "2024-W99", "không đúng dạng tuần ISO YYYY-Www (ví dụ 2024-W10)"),
    ],
)
def test_a_pattern_refusal_says_what_is_expected(field: str, value: str, expected: str) -> None:
    """A text that does not match its field's pattern is told the form it should have, not
    "forbidden characters" when the form is what is wrong."""
    from api.schemas.common import Id, Month
    from api.schemas.requests import EMAIL
    from services.workspace import WEEK_PATTERN

    class Fields(BaseModel):
        month: Month = "2024-03"
        code: Id = "ok"
        email: Annotated[str, Field(pattern=EMAIL)] = "a@b.vn"
        channel: Annotated[str, Field(pattern="^(email|zalo|webhook)$")] = "email"
        week: Annotated[str, Field(pattern=WEEK_PATTERN)] = "2024-W10"

    with pytest.raises(ValidationError) as caught:
        Fields.model_validate({field: value})
    (error,) = caught.value.errors()
    assert expected in reason(error)
