"""Vietnamese messages for pydantic's validation errors.

Pydantic words its errors in English ("Input should be a valid integer…"); a planner
reading a scenario's problems gets one Vietnamese sentence per error type instead. Used
for the scenario file itself and for rule options a change sets.
"""

from __future__ import annotations

from typing import Any

from scenarios.changes import KIND_LABELS


def pydantic_message(error: Any) -> str:
    """One of ``ValidationError.errors()``, said in Vietnamese."""
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "union_tag_invalid":
        return f"không có kiểu thay đổi này (có: {', '.join(KIND_LABELS)})"
    if kind == "union_tag_not_found":
        return f"thiếu trường kind (kiểu thay đổi: {', '.join(KIND_LABELS)})"
    if kind == "missing":
        return "thiếu trường bắt buộc"
    if kind == "extra_forbidden":
        return "trường không được phép (viết sai tên?)"
    if kind == "literal_error":  # pydantic lists the values as "0, 1 or 2"
        return f"giá trị không hợp lệ, chỉ nhận: {str(ctx.get('expected', '')).replace(' or ', ' hoặc ')}"
    if kind.startswith("datetime"):
        return "ngày giờ không hợp lệ (dạng YYYY-MM-DDTHH:MM)"
    if kind.startswith("date"):
        return "ngày không hợp lệ (dạng YYYY-MM-DD)"
    if kind.startswith("int"):
        return "cần một số nguyên"
    if kind == "greater_than_equal":
        return f"cần lớn hơn hoặc bằng {ctx.get('ge')}"
    if kind == "string_too_short":
        return "không được để trống"
    if kind == "string_type":
        return "cần một chuỗi ký tự"
    if kind == "list_type":
        return "cần một danh sách (các dòng bắt đầu bằng -)"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "cần một bảng (các dòng khóa: giá trị)"
    if kind in ("bool_type", "bool_parsing"):
        return "cần đúng hoặc sai (true/false)"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    # A type not met in scenarios so far: pydantic's English beats no message at all.
    return str(error["msg"])
