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
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from models.documents.content import ScheduleLine
from models.reasons import pattern

#: One line of text: no control characters (line breaks included) and no non-characters.
PLAIN = pattern("^[^\x00-\x1f\x7f\ufffe\uffff]*$", "không được chứa ký tự điều khiển hay xuống dòng")
#: The number of a Party document: digits only (``05``, ``125``), as the register gives it.
NUMBER = pattern("^[0-9]*$", "chỉ gồm chữ số (ví dụ 05, 125); để trống để ghi tay khi vào sổ")
#: The symbol after the number: the kind THÔNG BÁO abbreviated (TB), a slash and the
#: issuing body's abbreviation in capitals (``TB/BTG``, ``TB/BTGTU``, ``TB/ĐU``). Only its
#: shape is checked (capitals and digits in parts joined by / . -): a Board may use its own.
SYMBOL = pattern(
    "^[A-ZĐ0-9]+([/.-][A-ZĐ0-9]+)*$",
    "viết bằng chữ in hoa và chữ số, không dấu cách, các phần nối bằng / (ví dụ TB/BTG, TB/BTGTU)",
)
#: Longest values: a body's name fits the header block in a few lines, a person's name and
#: position the signature block, a recipient one or two lines of the "Nơi nhận" column.
BODY_MAX = 80
SENTENCE_MAX = 100
PLACE_MAX = 50
PERSON_MAX = 60
NUMBER_MAX = 6
SYMBOL_MAX = 30
RECIPIENT_MAX = 150
RECIPIENTS_MAX = 30
_TRIM = StringConstraints(strip_whitespace=True)
#: A line that must be written (the issuing body, its parent, the place…), edges trimmed.
Body = Annotated[str, _TRIM, Field(min_length=1, max_length=BODY_MAX, pattern=PLAIN)]
Sentence = Annotated[str, _TRIM, Field(min_length=1, max_length=SENTENCE_MAX, pattern=PLAIN)]
Place = Annotated[str, _TRIM, Field(min_length=1, max_length=PLACE_MAX, pattern=PLAIN)]
Position = Annotated[str, _TRIM, Field(min_length=1, max_length=PERSON_MAX, pattern=PLAIN)]
#: Lines that may be left empty.
Person = Annotated[str, _TRIM, Field(max_length=PERSON_MAX, pattern=PLAIN)]
Signing = Annotated[str, _TRIM, Field(max_length=BODY_MAX, pattern=PLAIN)]
Province = Annotated[str, Field(max_length=SENTENCE_MAX, pattern=PLAIN)]
Recipient = Annotated[str, _TRIM, Field(min_length=1, max_length=RECIPIENT_MAX, pattern=PLAIN)]
#: The "Lưu …" line of "Nơi nhận", the copy the issuing body keeps ("Lưu Văn phòng.", "Lưu VT.").
_KEPT = re.compile(r"^[-–+•*\s]*lưu(\W|$)", re.IGNORECASE)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
#: Widths of the table's columns (cm), the same in both layouts: 16.5 cm of A4 less the margins.
WIDTHS_CM = (1.3, 2.5, 2.8, 4.8, 2.6, 2.5)
#: The key of the settings' row in the config table.
SETTINGS_KEY = "notice"
TABLE_HEADERS = ("STT", "Thời gian", "Đơn vị", "Đại biểu dự và chức vụ", "Tổ tuyên vận dự đột xuất", "Ghi chú")


class NoticeSettings(BaseModel):
    """What the Board edits before a notice goes out (the page's form, the API's body, the
    CLI's options): the one check of every door.

    What a Party document needs (Hướng dẫn 36-HD/VPTW) is required: the superior body and
    the issuing body (the header block), the symbol (printed after the number even when
    the number is left to be written by hand), the place (the date line), the name of the
    issuing body in the sentences, the signer's position, and "Nơi nhận" with at least one
    recipient and the "Lưu …" line. The number is digits or empty (Party documents are
    numbered when registered: empty leaves a blank to fill in by hand). Texts are trimmed
    and NFC. Left out (an API body without them, a CLI option not given), a setting takes
    the default shown below, which the CLI's help and the API's schema document.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    parent: Body = Field(default="THÀNH ỦY LÀO CAI", description="Cơ quan cấp trên (dòng đầu, bên trái)")
    issuer: Body = Field(default="BAN TUYÊN GIÁO", description="Cơ quan ban hành (in đậm, bên trái)")
    issuer_short: Sentence = Field(default="Ban Tuyên giáo Thành ủy", description="Tên cơ quan trong câu văn")
    number: Annotated[str, _TRIM, Field(max_length=NUMBER_MAX, pattern=NUMBER)] = Field(
        default="", description="Số văn bản, chỉ gồm chữ số; trống: để ghi tay khi vào sổ"
    )
    symbol: Annotated[str, _TRIM, Field(min_length=1, max_length=SYMBOL_MAX, pattern=SYMBOL)] = Field(
        default="TB/BTG", description="Ký hiệu (sau dấu gạch nối): TB/ và tên viết tắt của cơ quan"
    )
    place: Place = Field(default="Lào Cai", description="Địa danh ghi ở dòng ngày tháng")
    province: Province = Field(
        default="",
        description="Tỉnh, thành phố của Ban, ghi cả cấp (tỉnh Lào Cai): cuối địa điểm trên lịch; trống: không ghi",
    )
    sign_mode: Literal["T/M", "T/L", "K/T", ""] = Field(default="T/M", description="Thể thức ký")
    sign_body: Signing = Field(
        default="BAN TUYÊN GIÁO", description="Tập thể hoặc người đứng đầu, sau thể thức ký (cần khi có thể thức ký)"
    )
    signer_position: Position = Field(default="TRƯỞNG BAN", description="Chức vụ người ký")
    signer_name: Person = Field(default="", description="Họ tên người ký")
    recipients: Annotated[list[Recipient], Field(max_length=RECIPIENTS_MAX)] = Field(
        default_factory=lambda: [
            "Thường trực Thành ủy (b/c),",
            "Các đồng chí được phân công,",
            "Đảng ủy, Ban Tuyên vận các xã, phường,",
            "Lưu Ban Tuyên giáo.",
        ],
        description="Nơi nhận, mỗi dòng một nơi: ít nhất một; thiếu dòng “Lưu …” thì thêm “Lưu <tên cơ quan>.”",
    )

    @model_validator(mode="before")
    @classmethod
    def _nfc(cls, data: Any) -> Any:
        # One spelling of each letter, whichever door typed it (the "Lưu" line is found by it).
        if not isinstance(data, dict):
            return data
        return {key: _nfc(value) for key, value in data.items()}

    @field_validator("province")
    @classmethod
    def _given_not_blank(cls, value: str) -> str:
        # Empty means "not written"; spaces alone are a slip, not a province.
        trimmed = value.strip()
        if value and not trimmed:
            raise ValueError("chỉ có khoảng trắng; để trống nếu không ghi")
        return trimmed

    @field_validator("sign_body")
    @classmethod
    def _signed_for(cls, value: str, info: ValidationInfo) -> str:
        # "T/M", "T/L", "K/T" say on behalf of whom: the body or its head must follow.
        mode = info.data.get("sign_mode")
        if mode and not value:
            raise ValueError(f"cần ghi sau thể thức ký {mode} (ví dụ BAN TUYÊN GIÁO, TRƯỞNG BAN)")
        return value

    @field_validator("recipients")
    @classmethod
    def _sent(cls, value: list[str]) -> list[str]:
        if not value or all(_KEPT.match(line) for line in value):
            raise ValueError("cần ít nhất một nơi nhận (ngoài dòng “Lưu …”), mỗi dòng một nơi")
        return value

    @model_validator(mode="after")
    def _kept(self) -> NoticeSettings:
        # A Party document ends "Nơi nhận" with the copy its body keeps: added when not typed
        # rather than refused, the one line everybody writes the same way.
        if not any(_KEPT.match(line) for line in self.recipients):
            if len(self.recipients) >= RECIPIENTS_MAX:
                raise ValueError(f"nơi nhận: nhiều nhất {RECIPIENTS_MAX - 1} dòng và dòng “Lưu …”")
            kept = [*self.recipients, f"Lưu {self.issuer_short}."]
            object.__setattr__(self, "recipients", kept)  # frozen: set once, while validating
        return self


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    return value


#: How a refused setting is explained (see :func:`models.reasons.reason`), wherever typed.
SETTING_WORDS = {
    "literal_error": "chỉ nhận T/M (thay mặt), T/L (thừa lệnh), K/T (ký thay) hoặc để trống",
    "string_too_short": "không được để trống",
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
