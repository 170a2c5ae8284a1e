"""The command line's file formats: instances and schedules as ``.json`` or ``.xlsx``, a
solve's output by the extension of ``--out`` (``.json``, ``.xlsx``, ``.docx``, ``.pdf``),
the notice's options."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from cli.render import WorkbookInputError, print_input_error
from models.contract import YEARS, YEARS_TEXT
from models.documents.content import ScheduleLine, lines_from_solution
from models.documents.notice import SETTING_WORDS, NoticeSettings, compose, period_of
from models.errors import InputError, Issue
from models.instance import Instance
from models.reasons import reason
from models.solution import Solution

INSTANCE_SUFFIXES = (".json", ".xlsx")
OUT_SUFFIXES = (".json", ".xlsx", ".docx", ".pdf")
WHAT = "Tệp bài toán"
SOLUTION_WHAT = "Tệp lịch phân công"
T = TypeVar("T")
NOTICE_WHAT = "Tùy chọn thông báo"
_DATE_TEXT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def load_instance_file(path: Path) -> Instance:
    """An instance from a JSON file or an Excel workbook, chosen by the extension."""
    from models.io import load_instance

    if path.suffix.lower() == ".xlsx":
        from models.storage.excel import read_instance

        return _from_workbook(path, read_instance, "Tệp Excel bài toán")
    if path.suffix.lower() != ".json":
        raise InputError([Issue("$", str(path), "tệp bài toán phải là .json hoặc .xlsx")], WHAT)
    return load_instance(path)


def load_solution_file(path: Path, instance: Instance) -> Solution:
    """A schedule of ``instance`` from a JSON solution or a schedule workbook, chosen by the
    extension.

    A workbook says who goes where, by id; the rest (score, empty seats and why, the
    suggested visits) is computed from that as after a solve. Nothing is proved of an
    edited schedule, so its status is ``feasible`` or ``partial``, without a bound.
    """
    from models.io import load_solution

    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from models.storage.excel import SCHEDULE_WHAT, read_schedule
        from solver.facade import evaluate

        pairs = _from_workbook(path, lambda data: read_schedule(data, instance), SCHEDULE_WHAT)
        return evaluate(instance, pairs).to_solution(instance).model_copy(update={"solve_seconds": None})
    if suffix != ".json":
        raise InputError([Issue("$", str(path), "tệp lịch phải là .json hoặc .xlsx")], SOLUTION_WHAT)
    return load_solution(path)


def _from_workbook(path: Path, read: Callable[[bytes], T], what: str) -> T:
    from models.io import os_reason
    from models.storage.excel import WorkbookError, located_message

    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError([Issue("$", str(path), f"không mở được tệp: {os_reason(error)}")], what) from None
    try:
        return read(data)
    except WorkbookError as error:
        # The located messages (sheet, row, column) are what a planner can act on.
        located = [
            Issue(i.path, i.value, located_message(i, p)) for i, p in zip(error.issues, error.places, strict=True)
        ]
        raise WorkbookInputError(located, what) from None


def unwritable(path: Path) -> str | None:
    """Why ``path`` cannot be written, in Vietnamese; None when it can. Every command that
    writes an output file asks this before its work (a solve, a scenario's run).

    A missing folder is created, as the README says: ``make run`` writes to ``out/`` on a
    fresh clone, and a planner naming a new folder means it. One that cannot be created is
    refused with the system's reason. The file is opened for appending (and a new one removed
    again): permissions alone do not tell, as root may write anywhere yet not in /proc, nor
    a name longer than the system allows.
    """
    from models.io import os_reason

    folder = path.parent if str(path.parent) else Path(".")
    try:
        if path.is_dir():
            return "là một thư mục"
        if not folder.exists():
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                return f"không tạo được thư mục {folder} ({os_reason(error, writing=True)})"
        if not folder.is_dir():
            return f"{folder} không phải là thư mục"
        existed = path.exists()
        with path.open("ab"):
            pass
        if not existed:
            path.unlink()
    except OSError as error:
        return f"không ghi được ({os_reason(error, writing=True)})"
    return None


def file_kind(path: Path) -> str:
    """``solution``, ``instance`` or ``unknown`` (unreadable): what a file holds, by its
    content (a JSON document's ``format``, a workbook's sheets). Reading an unknown one as
    what the command expects is what names its problem."""
    from models.io import parse_json
    from models.solution import FORMAT

    try:
        data = path.read_bytes()
    except OSError:
        return "unknown"
    if path.suffix.lower() == ".xlsx":
        from models.storage.excel import WorkbookError, is_schedule

        try:
            return "solution" if is_schedule(data) else "instance"
        except WorkbookError:
            return "unknown"
    try:
        document = parse_json(data, WHAT)
    except InputError:
        return "unknown"
    if not isinstance(document, dict):
        return "unknown"
    return "solution" if document.get("format") == FORMAT else "instance"


def out_kind(path: Path) -> str | None:
    """The problem with an output path's extension, in words; None when it is known."""
    if path.suffix.lower() not in OUT_SUFFIXES:
        return f"đuôi tệp phải là {', '.join(OUT_SUFFIXES)}"
    return None


def solution_lines(instance: Instance, solution: Solution) -> list[ScheduleLine]:
    return lines_from_solution(
        instance,
        solution.pairs(),
        [(v.meeting, v.delegate, v.team) for v in solution.visits],
        [(g.meeting, g.reason) for g in solution.unfilled],
    )


def months_of(instance: Instance) -> tuple[str, str]:
    """The first and the last month of the instance's meetings (this month when it has none)."""
    starts = sorted(m.start for m in instance.meetings)
    if not starts:
        return (f"{today():%Y-%m}",) * 2
    return f"{starts[0]:%Y-%m}", f"{starts[-1]:%Y-%m}"


def write_schedule(instance: Instance, solution: Solution, path: Path) -> None:
    """Write ``solution`` as ``.json`` (phancong-solution/1) or as the schedule workbook."""
    from models.io import write_solution

    if path.suffix.lower() == ".json":
        write_solution(solution, path)
        return
    from models.documents.schedule_book import schedule_workbook

    first, last = months_of(instance)
    span = f"{first[5:]}-{first[:4]}" if first == last else f"{first[5:]}-{first[:4]} đến {last[5:]}-{last[:4]}"
    lines = solution_lines(instance, solution)
    caption = f"Lịch phân công {period_of(first, last)}"
    path.write_bytes(schedule_workbook(f"Lịch tháng {span}", lines, caption=caption))


def write_output(instance: Instance, solution: Solution, path: Path, options: NoticeOptions) -> None:
    """Write ``solution`` as the extension of ``path`` says."""
    suffix = path.suffix.lower()
    if suffix in (".json", ".xlsx"):
        write_schedule(instance, solution, path)
        return
    first, last = months_of(instance)
    text = compose(options.settings, first, solution_lines(instance, solution), options.issued, last=last)
    if suffix == ".docx":
        from models.documents.notice_docx import notice_docx

        path.write_bytes(notice_docx(text))
    else:
        from models.documents.notice_pdf import notice_pdf

        path.write_bytes(notice_pdf(text))


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


# The notice's options, which `solve` and `notice` both take (see :func:`notice_options`).
Parent = Annotated[str | None, typer.Option("--parent", help="Thông báo: cơ quan cấp trên (THÀNH ỦY LÀO CAI)")]
Issuer = Annotated[str | None, typer.Option("--issuer", help="Thông báo: cơ quan ban hành (BAN TUYÊN GIÁO)")]
IssuerShort = Annotated[
    str | None, typer.Option("--issuer-short", help="Thông báo: tên cơ quan trong câu văn (Ban Tuyên giáo Thành ủy)")
]
SignBody = Annotated[str | None, typer.Option("--sign-body", help="Thông báo: sau thể thức ký (BAN TUYÊN GIÁO)")]
Number = Annotated[str | None, typer.Option("--number", help="Thông báo: số văn bản")]
Symbol = Annotated[str | None, typer.Option("--symbol", help="Thông báo: ký hiệu (TB/BTG)")]
PlaceName = Annotated[str | None, typer.Option("--place", help="Thông báo: địa danh (Lào Cai)")]
SignMode = Annotated[str | None, typer.Option("--sign-mode", help="Thông báo: T/M, T/L hoặc K/T")]
Signer = Annotated[str | None, typer.Option("--signer", help="Thông báo: họ tên người ký")]
Position = Annotated[str | None, typer.Option("--signer-position", help="Thông báo: chức vụ người ký")]
Recipients = Annotated[list[str] | None, typer.Option("--recipient", help="Thông báo: nơi nhận (lặp lại)")]
Issued = Annotated[str | None, typer.Option("--date", help="Thông báo: ngày ký, dd/mm/yyyy (mặc định hôm nay)")]

#: The parameters :func:`notice_options` adds, named as :func:`notice_settings` takes them.
_SETTING_PARAMETERS = {
    "parent": Parent,
    "issuer": Issuer,
    "issuer_short": IssuerShort,
    "sign_body": SignBody,
    "number": Number,
    "symbol": Symbol,
    "place": PlaceName,
    "sign_mode": SignMode,
    "signer": Signer,
    "signer_position": Position,
    "recipients": Recipients,
}
_ISSUED = "issued"


@dataclass(frozen=True)
class NoticeOptions:
    """What the notice's options said, checked: the settings and the signing date."""

    settings: NoticeSettings
    issued: dt.date


def notice_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with the notice's options (``--parent`` … ``--date``) added to its
    parameters, receiving them checked as one ``options: NoticeOptions``.

    The options are checked before the command runs: a bad one ends it with exit code 2,
    naming the option, before any solve or file is written.
    """
    own = inspect.signature(command, eval_str=True)
    kept = [p for p in own.parameters.values() if p.name != "options"]
    added = [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=kind)
        for name, kind in [*_SETTING_PARAMETERS.items(), (_ISSUED, Issued)]
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        given = {name: kwargs.pop(name, None) for name in _SETTING_PARAMETERS}
        issued = kwargs.pop(_ISSUED, None)
        try:
            options = NoticeOptions(notice_settings(**given), issued_on(issued))
        except InputError as error:
            print_input_error(Console(stderr=True, highlight=False, soft_wrap=True), error)
            raise typer.Exit(2) from None
        command(*args, options=options, **kwargs)

    wrapper.__signature__ = own.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    return wrapper


def notice_settings(
    parent: str | None = None,
    issuer: str | None = None,
    number: str | None = None,
    symbol: str | None = None,
    place: str | None = None,
    sign_mode: str | None = None,
    signer: str | None = None,
    signer_position: str | None = None,
    recipients: list[str] | None = None,
    issuer_short: str | None = None,
    sign_body: str | None = None,
) -> NoticeSettings:
    from pydantic import ValidationError

    if issuer is not None:
        # The sentences and the signature name the issuing body too: another body given on
        # the command line must not sign as the default's (a notice naming two committees).
        issuer_short = issuer_short if issuer_short is not None else body_in_a_sentence(issuer)
        sign_body = sign_body if sign_body is not None else issuer
    given = {
        "parent": parent,
        "issuer": issuer,
        "number": number,
        "symbol": symbol,
        "place": place,
        "sign_mode": sign_mode,
        "signer_name": signer,
        "signer_position": signer_position,
        "recipients": recipients or None,
        "issuer_short": issuer_short,
        "sign_body": sign_body,
    }
    try:
        return NoticeSettings.model_validate({k: v for k, v in given.items() if v is not None})
    except ValidationError as error:
        issues = [
            Issue(OPTIONS.get(str(e["loc"][0]), str(e["loc"][0])), e.get("input"), reason(e, SETTING_WORDS))
            for e in error.errors()
        ]
        raise InputError(issues, NOTICE_WHAT) from None


#: Words after which a Vietnamese body's name starts a new proper part ("Ban Tuyên giáo và
#: Dân vận"); a word before "ủy" is the level's ("Tỉnh ủy", "Thành ủy", "Đảng ủy").
_NEW_PART = ("ban", "và")
_LEVEL = ("ủy", "uỷ")


def body_in_a_sentence(name: str) -> str:
    """A body's name as the header prints it (capitals) → as a sentence writes it:
    "BAN TUYÊN GIÁO TỈNH ỦY" → "Ban Tuyên giáo Tỉnh ủy", a place after the level in
    capitals ("… Thành ủy Lào Cai"). A name already in mixed case is kept as typed."""
    if name != name.upper():
        return name.strip()
    words = name.lower().split()
    out = []
    for i, word in enumerate(words):
        level = i + 1 < len(words) and words[i + 1] in _LEVEL
        place = any(w in _LEVEL for w in words[:i])  # "… Tỉnh ủy Lào Cai": a place's name
        starts = i == 0 or words[i - 1] in _NEW_PART or level or place
        out.append(word[:1].upper() + word[1:] if starts else word)
    return " ".join(out)


OPTIONS = {
    "parent": "--parent",
    "issuer": "--issuer",
    "issuer_short": "--issuer-short",
    "number": "--number",
    "symbol": "--symbol",
    "place": "--place",
    "sign_mode": "--sign-mode",
    "sign_body": "--sign-body",
    "signer_name": "--signer",
    "signer_position": "--signer-position",
    "recipients": "--recipient",
}


def issued_on(text: str | None) -> dt.date:
    if text is None:
        return today()
    written = _DATE_TEXT.fullmatch(text.strip())
    if written is None:
        raise InputError([Issue("--date", text, "ngày phải viết dd/mm/yyyy")], NOTICE_WHAT)
    day, month, year = (int(part) for part in written.groups())
    if year not in YEARS:
        raise InputError([Issue("--date", text, f"năm phải trong {YEARS_TEXT}")], NOTICE_WHAT)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InputError([Issue("--date", text, "không có ngày này")], NOTICE_WHAT) from None
