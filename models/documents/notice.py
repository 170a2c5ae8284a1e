"""The assignment notice (*thông báo phân công*): settings and its text, once.

The layout is that of a Party document (Hướng dẫn 36-HD/VPTW, 2018): the issuing body
top left with a star below, ĐẢNG CỘNG SẢN VIỆT NAM top right underlined, the number
(``Số 12-TB/BTG``), place and date in italics, the kind THÔNG BÁO and its abstract, an
opening, the table, the closing, "Nơi nhận:" and the signature block. :func:`compose`
turns a month's lines and the Board's settings into a :class:`NoticeText`;
:mod:`notice_docx` and :mod:`notice_pdf` only lay it out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.documents.content import ScheduleLine

#: One line of text: no control characters (line breaks included) and no non-characters.
PLAIN = "^[^\x00-\x1f\x7f\ufffe\uffff]*$"
Line = Annotated[str, Field(max_length=200, pattern=PLAIN)]
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
#: Widths of the table's columns (cm), the same in both layouts: 16.5 cm of A4 less the margins.
WIDTHS_CM = (1.3, 2.5, 2.8, 4.8, 2.6, 2.5)
#: The key of the settings' row in the config table.
SETTINGS_KEY = "notice"
TABLE_HEADERS = ("STT", "Thời gian", "Đơn vị", "Đại biểu dự và chức vụ", "Tổ tuyên vận dự đột xuất", "Ghi chú")


class NoticeSettings(BaseModel):
    """What the Board edits before a notice goes out (the page's form, the CLI's options)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parent: Line = Field(default="THÀNH ỦY LÀO CAI", description="Cơ quan cấp trên (dòng đầu, bên trái)")
    issuer: Line = Field(default="BAN TUYÊN GIÁO", description="Cơ quan ban hành (in đậm, bên trái)")
    issuer_short: Line = Field(default="Ban Tuyên giáo Thành ủy", description="Tên cơ quan trong câu văn")
    number: Annotated[str, Field(max_length=20, pattern=PLAIN)] = Field(
        default="", description="Số văn bản; trống: để ghi tay"
    )
    symbol: Annotated[str, Field(max_length=30, pattern=PLAIN)] = Field(
        default="TB/BTG", description="Ký hiệu (sau dấu gạch nối)"
    )
    place: Line = Field(default="Lào Cai", description="Địa danh ghi ở dòng ngày tháng")
    province: Line = Field(
        default="",
        description="Tỉnh, thành phố của Ban, ghi cả cấp (tỉnh Lào Cai): cuối địa điểm trên lịch; trống: không ghi",
    )
    sign_mode: Literal["T/M", "T/L", "K/T", ""] = Field(default="T/M", description="Thể thức ký")
    sign_body: Line = Field(default="BAN TUYÊN GIÁO", description="Tập thể hoặc người đứng đầu, sau thể thức ký")
    signer_position: Line = Field(default="TRƯỞNG BAN", description="Chức vụ người ký")
    signer_name: Line = Field(default="", description="Họ tên người ký")
    recipients: Annotated[list[Line], Field(max_length=30)] = Field(
        default_factory=lambda: [
            "Thường trực Thành ủy (b/c),",
            "Các đồng chí được phân công,",
            "Đảng ủy, Ban Tuyên vận các xã, phường,",
            "Lưu Ban Tuyên giáo.",
        ],
        description="Nơi nhận, mỗi dòng một nơi",
    )

    @field_validator("province")
    @classmethod
    def _given_not_blank(cls, value: str) -> str:
        # Empty means "not written"; spaces alone are a slip, not a province.
        trimmed = value.strip()
        if value and not trimmed:
            raise ValueError("chỉ có khoảng trắng; để trống nếu không ghi")
        return trimmed


#: How a refused setting is explained (see :func:`models.reasons.reason`), wherever typed.
SETTING_WORDS = {
    "literal_error": "chỉ nhận T/M (thay mặt), T/L (thừa lệnh), K/T (ký thay) hoặc để trống",
    "string_pattern_mismatch": "không được chứa ký tự điều khiển hay xuống dòng",
    "too_long": "nhiều nhất {max_length} dòng",
    "extra_forbidden": "không có thiết lập này",
}


@dataclass(frozen=True)
class NoticeText:
    """Every text of the notice, in reading order; the two layouts print exactly these."""

    parent: str
    issuer: str
    party: str
    number_line: str
    date_line: str
    kind: str
    abstract: str
    opening: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    closing: str
    recipients: tuple[str, ...]
    sign_mode_line: str
    signer_position: str
    signer_name: str
    draft: str = ""
    """The draft's mark ("DỰ THẢO") printed above everything; empty on a published notice."""


#: The mark of a notice printed from a draft, not yet in force.
DRAFT_MARK = "DỰ THẢO"


def date_line(place: str, day: dt.date) -> str:
    """ "Lào Cai, ngày 05 tháng 03 năm 2024": days below 10 and months 1–2 get a leading zero
    (the documents' rule, so that nothing can be written in front of them)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def when(line: ScheduleLine) -> str:
    return f"{line.start:%H}h{line.start:%M}\n{WEEKDAYS[line.start.weekday()]}\n{line.start:%d/%m/%Y}"


def period_of(month: str, last: str | None = None) -> str:
    """``tháng 3 năm 2024``; over several months (``last`` after ``month``) the span they cover."""
    year, number = (int(p) for p in month.split("-"))
    if last is None or last == month:
        return f"tháng {number} năm {year}"
    last_year, last_number = (int(p) for p in last.split("-"))
    if last_year == year:
        return f"từ tháng {number} đến tháng {last_number} năm {year}"
    return f"từ tháng {number} năm {year} đến tháng {last_number} năm {last_year}"


def compose(
    settings: NoticeSettings, month: str, lines: Sequence[ScheduleLine], issued: dt.date, *, last: str | None = None
) -> NoticeText:
    """The notice of ``month`` (through ``last``, for a plan of several months)."""
    period = period_of(month, last)
    rows = []
    for index, line in enumerate(lines, start=1):
        people = "\n".join(
            f"Đồng chí {a.name} – {a.title}" if a.title else f"Đồng chí {a.name}" for a in line.delegates
        )
        note = "\n".join(filter(None, [f"Chủ đề: {line.theme}" if line.theme else "", line.note]))
        rows.append((str(index), when(line), line.unit, people, "\n".join(line.teams), note))
    sign = f"{settings.sign_mode} {settings.sign_body}".strip() if settings.sign_mode else settings.sign_body
    return NoticeText(
        parent=settings.parent,
        issuer=settings.issuer,
        party="ĐẢNG CỘNG SẢN VIỆT NAM",
        number_line=f"Số {settings.number or '       '}-{settings.symbol}",
        date_line=date_line(settings.place, issued),
        kind="THÔNG BÁO",
        abstract=f"Phân công dự, chỉ đạo hội nghị tuyên vận {period}",
        opening=(
            f"Căn cứ lịch tổ chức hội nghị tuyên vận {period} do các xã, phường, thị trấn đăng ký, "
            f"{settings.issuer_short} thông báo phân công các đồng chí dự, chỉ đạo hội nghị và dự đột xuất "
            "tổ tuyên vận như sau:"
        ),
        headers=TABLE_HEADERS,
        rows=tuple(rows),
        closing=(
            "Đề nghị các đồng chí được phân công bố trí thời gian dự, chỉ đạo hội nghị; sau hội nghị dự đột "
            f"xuất tổ tuyên vận và báo cáo kết quả về {settings.issuer_short} để tổng hợp. Trường hợp thay đổi "
            "thời gian tổ chức, đơn vị báo cáo trước ít nhất 01 ngày."
        ),
        recipients=tuple(settings.recipients),
        sign_mode_line=sign,
        signer_position=settings.signer_position,
        signer_name=settings.signer_name,
    )
