"""Input errors that name the JSON path and the bad value, all reported at once."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in an input document."""

    path: str
    """JSON path of the offending value, e.g. ``$.meetings[3].commune``."""
    value: object
    message: str
    """What is wrong, in Vietnamese."""

    def __str__(self) -> str:
        return f"{self.path} = {_show(self.value)}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "value": self.value, "message": self.message}


class InputError(ValueError):
    """A document that cannot be used; carries every issue found, not only the first."""

    def __init__(self, issues: Sequence[Issue], what: str = "dữ liệu đầu vào") -> None:
        self.issues = list(issues)
        self.what = what
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.what} không hợp lệ ({len(self.issues)} lỗi):"
        return "\n".join([head, *(f"  - {issue}" for issue in self.issues)])


def json_path(parts: Iterable[str | int]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
