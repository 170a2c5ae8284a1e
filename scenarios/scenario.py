"""A scenario: a base month plus an ordered list of changes, kept as a YAML file.

::

    name: Tả Phời cần quan tâm
    base: laocai-2024-03.instance.json        # relative to this file
    published: laocai-2024-03.solution.json   # the notice already sent out (optional)
    mode: weighted                            # weighted | changes_first | fresh
    changes:
      - kind: commune_flag
        commune: c015
        flag: 2
        reason: Tranh chấp đất đai kéo dài

Reading a scenario checks it whole and reports every problem at once, each with the
change's position, field and value (:class:`~models.errors.InputError`). :func:`build`
applies the changes to the base document and validates the result as any instance.
Everything here is pure but :func:`load_scenario` and :func:`read_base`; the published
schedule is read by :mod:`scenarios.published`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.errors import InputError, Issue, json_path
from models.instance import Instance
from models.io import instance_from_document, nfc, parse_json
from scenarios.apply import Applied, Document, apply_changes
from scenarios.changes import KIND_LABELS, Change
from scenarios.files import read_bytes
from scenarios.messages import pydantic_message

Mode = Literal["weighted", "changes_first", "fresh"]
MODES: tuple[str, ...] = ("weighted", "changes_first", "fresh")
MODE_LABELS: dict[str, str] = {
    "weighted": "giữ lịch đã công bố theo trọng số (tiêu chí thay đổi)",
    "changes_first": "ít thay đổi nhất trước, rồi điểm tốt nhất",
    "fresh": "lập lại từ đầu, không giữ lịch cũ",
}

WHAT = "Kịch bản"


class ScenarioFile(BaseModel):
    """The YAML document, field for field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    description: str | None = None
    base: str = Field(min_length=1)
    published: str | None = Field(default=None, min_length=1)  # "" is a mistake, not "none"
    mode: Mode = "weighted"
    changes: list[Change] = Field(default_factory=list)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str | None
    base: Path
    """The base instance file (``phancong-instance/1``)."""
    published: Path | None
    """The published schedule (``phancong-solution/1``): kept as much as possible."""
    mode: Mode
    changes: tuple[Change, ...]
    source: Path | None = None

    @property
    def what(self) -> str:
        """How its errors are headed: "Kịch bản <file>", so that ``compare`` says which one."""
        return f"{WHAT} {self.source}" if self.source is not None else WHAT


@dataclass(frozen=True)
class Built:
    """A scenario's month, ready to solve."""

    instance: Instance
    notes: list[str]


def parse_scenario(document: Any, origin: Path | None = None, what: str = WHAT) -> Scenario:
    """A scenario from a decoded YAML document; paths are relative to ``origin``'s folder."""
    document = nfc(document)
    if not isinstance(document, dict):
        raise InputError([Issue("$", _kind_of(document), "kịch bản phải là một bảng (các dòng khóa: giá trị)")], what)
    try:
        parsed = ScenarioFile.model_validate(document)
    except ValidationError as err:
        raise InputError(_issues(err, document.get("changes")), what) from None
    folder = origin.parent if origin is not None else Path.cwd()
    if parsed.base.startswith("db:"):
        issue = Issue("$.base", parsed.base, "chưa hỗ trợ lấy tháng từ cơ sở dữ liệu; hãy dùng một tệp bài toán")
        raise InputError([issue], what)
    return Scenario(
        name=parsed.name or (origin.stem if origin is not None else "kịch bản"),
        description=parsed.description,
        base=folder / parsed.base,
        published=folder / parsed.published if parsed.published is not None else None,
        mode=parsed.mode,
        changes=tuple(parsed.changes),
        source=origin,
    )


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    what = f"{WHAT} {path}"
    raw = read_bytes(path, what)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError([Issue("$", str(path), "tệp không phải văn bản UTF-8")], what) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark is not None else None
        problem = getattr(err, "problem", None) or str(err)
        raise InputError([Issue("$", where, f"YAML không đọc được: {problem}")], what) from None
    return parse_scenario(document, path, what)


def read_base(path: Path) -> Document:
    """The base instance document, as written (it is validated again after the changes)."""
    what = f"Tệp bài toán gốc {path}"
    document = parse_json(read_bytes(path, what), what)
    try:
        instance_from_document(document)  # a bad base is reported as such, not blamed on a change
    except InputError as err:
        raise InputError(err.issues, what) from None
    return nfc(document)


def build(
    base: Document,
    changes: tuple[Change, ...] | list[Change],
    reference: list[tuple[str, str]] | None,
    what: str = WHAT,
    stored: bool = False,
) -> Built:
    """The base with the changes applied, validated; ``reference`` is the schedule to keep
    (RULES.md's ``reference`` input, the ``changes`` term), or None for a fresh plan.
    Errors are headed ``what`` (:attr:`Scenario.what` names the file). ``stored``: the
    base is a month of the database, whose changes' text the API checked (see
    :func:`models.validation.document_issues`)."""
    applied, issues = apply_changes(base, changes)
    if issues:
        raise InputError(issues, what)
    document = _with_reference(applied, reference)
    try:
        instance = instance_from_document(document, stored)
    except InputError as err:
        raise InputError(_blame(base, changes, reference, err), what) from None
    return Built(instance, applied.notes)


def _with_reference(applied: Applied, reference: list[tuple[str, str]] | None) -> Document:
    document = dict(applied.document)
    document.pop("reference", None)
    if reference is not None:
        # Pairs of cancelled meetings or departed delegates may stay: RULES.md counts only
        # the pairs whose meeting and delegate are both still in the instance.
        document["reference"] = [{"meeting": m, "delegate": d} for m, d in reference]
    return document


def _blame(
    base: Document, changes: tuple[Change, ...] | list[Change], reference: list[tuple[str, str]] | None, err: InputError
) -> list[Issue]:
    """Names the first change after which the month stops being a valid instance.

    Only runs when validation failed, so re-validating prefixes costs nothing in the
    ordinary case.
    """
    for count in range(1, len(changes) + 1):
        applied, _ = apply_changes(base, changes[:count])
        try:
            instance_from_document(_with_reference(applied, reference))
        except InputError:
            change = changes[count - 1]
            head = Issue(
                json_path(["changes", count - 1]),
                change.kind,
                f"sau thay đổi thứ {count} ({KIND_LABELS[change.kind]}) bài toán không còn hợp lệ:",
            )
            return [head, *err.issues]
    return err.issues


# --- Vietnamese messages for pydantic's errors ------------------------------------------


def _issues(err: ValidationError, changes: Any) -> list[Issue]:
    issues = []
    for error in err.errors():
        loc = list(error["loc"])
        # A discriminated union puts the tag in the location: changes.2.delegate_away.from
        if len(loc) > 2 and loc[0] == "changes" and loc[2] in KIND_LABELS:
            del loc[2]
        message = pydantic_message(error)
        value = error.get("input")
        if error["type"] == "missing":
            value = None
        elif error["type"] == "union_tag_invalid" and isinstance(value, dict):
            loc.append("kind")
            value = value.get("kind")
        if len(loc) >= 2 and loc[0] == "changes" and isinstance(loc[1], int):
            message += f" — thay đổi thứ {loc[1] + 1}{_kind_note(changes, loc[1])}"
        issues.append(Issue(json_path([p for p in loc if isinstance(p, str | int)]), value, message))
    return issues


def _kind_note(changes: Any, index: int) -> str:
    """`` (pin: Ghim phân công)`` when the change at ``index`` has a known kind."""
    try:
        kind = changes[index].get("kind")
    except (TypeError, IndexError, AttributeError):
        return ""
    # Only a string can name a kind; a list or a mapping there is reported elsewhere.
    return f" ({kind}: {KIND_LABELS[kind]})" if isinstance(kind, str) and kind in KIND_LABELS else ""


def _kind_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)[:40]
