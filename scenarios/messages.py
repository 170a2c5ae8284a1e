"""Vietnamese messages for pydantic's validation errors.

Pydantic words its errors in English ("Input should be a valid integer…"); a planner
reading a scenario's problems gets one Vietnamese sentence per error type instead. Used
for the scenario file itself and for rule options a change sets.
"""

from __future__ import annotations

from typing import Any

from models.reasons import reason
from scenarios.changes import KIND_LABELS

#: Where a scenario file (YAML) says it better than the general reasons.
_WORDS = {
    "union_tag_invalid": f"không có kiểu thay đổi này (có: {', '.join(KIND_LABELS)})",
    "union_tag_not_found": f"thiếu trường kind (kiểu thay đổi: {', '.join(KIND_LABELS)})",
    "list_type": "cần một danh sách (các dòng bắt đầu bằng -)",
    "model_type": "cần một bảng (các dòng khóa: giá trị)",
    "dict_type": "cần một bảng (các dòng khóa: giá trị)",
    "model_attributes_type": "cần một bảng (các dòng khóa: giá trị)",
}


def pydantic_message(error: Any) -> str:
    """One of ``ValidationError.errors()``, said in Vietnamese for a scenario file."""
    return reason(error, _WORDS)
