"""The command line's file formats: instances as ``.json`` or ``.xlsx``, a solve's output by
the extension of ``--out`` (``.json``, ``.xlsx``, ``.docx``, ``.pdf``), the notice's options."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from cli.render import WorkbookInputError
from models.documents.content import ScheduleLine, lines_from_solution
from models.documents.notice import SETTING_WORDS, NoticeSettings, compose
from models.errors import InputError, Issue
from models.instance import Instance
from models.reasons import reason
from models.solution import Solution

INSTANCE_SUFFIXES = (".json", ".xlsx")
OUT_SUFFIXES = (".json", ".xlsx", ".docx", ".pdf")
WHAT = "Tệp bài toán (instance)"


def load_instance_file(path: Path) -> Instance:
    """An instance from a JSON file or an Excel workbook, chosen by the extension."""
    from models.io import load_instance

    if path.suffix.lower() == ".xlsx":
        from models.storage.excel import WorkbookError, located_message, read_instance

        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError([Issue("$", str(path), f"không mở được tệp: {error.strerror}")], WHAT) from None
        try:
            return read_instance(data)
        except WorkbookError as error:
            # The located messages (sheet, row, column) are what a planner can act on.
            located = [
                Issue(i.path, i.value, located_message(i, p)) for i, p in zip(error.issues, error.places, strict=True)
            ]
            raise WorkbookInputError(located, "Tệp Excel bài toán") from None
    if path.suffix.lower() != ".json":
        raise InputError([Issue("$", str(path), "tệp bài toán phải là .json hoặc .xlsx")], WHAT)
    return load_instance(path)


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


def month_of(instance: Instance) -> str:
    starts = sorted(m.start for m in instance.meetings)
    return f"{starts[0]:%Y-%m}" if starts else f"{dt.date.today():%Y-%m}"


def write_output(instance: Instance, solution: Solution, path: Path, settings: NoticeSettings, issued: dt.date) -> None:
    """Write ``solution`` as the extension of ``path`` says."""
    from models.io import write_solution

    suffix = path.suffix.lower()
    if suffix == ".json":
        write_solution(solution, path)
        return
    lines = solution_lines(instance, solution)
    month = month_of(instance)
    if suffix == ".xlsx":
        from models.documents.schedule_book import schedule_workbook

        title = f"Lịch tháng {month[5:]}-{month[:4]}"
        path.write_bytes(schedule_workbook(title, lines, caption=f"Lịch phân công tháng {month[5:]}/{month[:4]}"))
        return
    text = compose(settings, month, lines, issued)
    if suffix == ".docx":
        from models.documents.notice_docx import notice_docx

        path.write_bytes(notice_docx(text))
    else:
        from models.documents.notice_pdf import notice_pdf

        path.write_bytes(notice_pdf(text))


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


# Notice options shared by `solve` and `notice`.
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
        raise InputError(issues, "Tùy chọn thông báo") from None


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
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise InputError([Issue("--date", text, "ngày phải viết dd/mm/yyyy")], "Tùy chọn thông báo") from None
