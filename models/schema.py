"""JSON Schema checks of the exchange formats, with every error in Vietnamese.

The schemas in ``schemas/`` are copies of the public contract in ``shared/spec``; this
module only runs them and words their complaints for a planner.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from models.errors import Issue, json_path


@cache
def _validator(name: str) -> Draft202012Validator:
    text = resources.files("models").joinpath("schemas", name).read_text(encoding="utf-8")
    return Draft202012Validator(json.loads(text), format_checker=FormatChecker())


def instance_issues(document: Any) -> list[Issue]:
    return _issues(_validator("instance.schema.json"), document)


def solution_issues(document: Any) -> list[Issue]:
    return _issues(_validator("solution.schema.json"), document)


def _issues(validator: Draft202012Validator, document: Any) -> list[Issue]:
    issues = [issue for error in validator.iter_errors(document) for issue in _explain(error)]
    return sorted(issues, key=lambda i: i.path)


def _explain(error: ValidationError) -> list[Issue]:
    path = list(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind == "required":
        present = set(value) if isinstance(value, dict) else set()
        expected = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [k for k in expected if k not in present]
        return [Issue(json_path([*path, k]), None, "thiếu trường bắt buộc") for k in missing]
    if kind == "additionalProperties" and isinstance(value, dict):
        known = set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
        return [
            Issue(json_path([*path, k]), value[k], "trường không có trong định dạng") for k in value if k not in known
        ]
    return [Issue(json_path(path), value, _message(error))]


def _message(error: ValidationError) -> str:
    kind, expected = error.validator, error.validator_value
    messages = {
        "type": f"sai kiểu dữ liệu, cần {_types(expected)}",
        "enum": f"giá trị không cho phép, chỉ nhận {_choices(expected)}",
        "const": f"phải là {_json(expected)}",
        "minLength": "không được để trống",
        "minItems": f"cần ít nhất {expected} phần tử",
        "minimum": f"phải ≥ {expected}",
        "exclusiveMinimum": f"phải > {expected}",
        "format": "không phải ngày hợp lệ (YYYY-MM-DD)" if expected == "date" else f"sai định dạng {expected}",
    }
    return messages.get(str(kind), error.message)


def _types(expected: object) -> str:
    names = {
        "string": "chuỗi",
        "integer": "số nguyên",
        "number": "số",
        "object": "đối tượng",
        "array": "danh sách",
        "boolean": "true/false",
        "null": "null",
    }
    items = expected if isinstance(expected, list) else [expected]
    return " hoặc ".join(names.get(str(t), str(t)) for t in items)


def _choices(expected: object) -> str:
    return ", ".join(map(_json, expected if isinstance(expected, list) else []))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
