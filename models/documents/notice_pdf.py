"""The notice as PDF (reportlab's platypus), from the same :class:`NoticeText` as the DOCX.

A4 with the Party-document margins, a serif TrueType font that covers Vietnamese,
embedded: Liberation Serif (metric-compatible with Times New Roman, Debian's
fonts-liberation2) when installed, else DejaVu Serif (fonts-dejavu-core). Page numbers
centred at the top from page two; the table's header row repeats on every page.

Tables break between rows, as they always did; a row too tall for any page on its own
(a meeting whose theme or gap reason runs to pages, thirty long recipients) is cut where
the page ends and goes on, under the repeated header, on the next (:class:`_Breakable`).
The signature is never cut: it moves to the next page whole.
"""

from __future__ import annotations

import io
from functools import cache, partial
from html import escape
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from models.documents.notice import WIDTHS_CM, NoticeText
from models.documents.sheets import AUTHOR, xml_safe

DRAFT_RED = colors.HexColor("#C00000")
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/truetype/dejavu"),
)
FACES = {
    "LiberationSerif": ("Regular", "Bold", "Italic", "BoldItalic"),
    "DejaVuSerif": ("", "-Bold", "-Italic", "-BoldItalic"),
}
MARGINS = {"topMargin": 2 * cm, "bottomMargin": 2 * cm, "leftMargin": 3 * cm, "rightMargin": 1.5 * cm}
#: The height a flowable gets at the top of a page: A4 less the margins and the frame's 6 pt paddings.
PAGE_ROOM = A4[1] - MARGINS["topMargin"] - MARGINS["bottomMargin"] - 12


class FontMissing(RuntimeError):
    """No Vietnamese-capable serif font is installed (see .ci/run for the packages)."""


@cache
def font_family() -> str:
    """Register the first serif family found and return its name."""
    for family, suffixes in FACES.items():
        for folder in FONT_DIRS:
            sep = "-" if family == "LiberationSerif" else ""
            files = [folder / f"{family}{sep}{s}.ttf" for s in suffixes]
            if all(f.exists() for f in files):
                names = [family, f"{family}-Bold", f"{family}-Italic", f"{family}-BoldItalic"]
                for name, file in zip(names, files, strict=True):
                    pdfmetrics.registerFont(TTFont(name, str(file)))
                pdfmetrics.registerFontFamily(
                    family, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3]
                )
                return family
    raise FontMissing("không tìm thấy phông chữ có dấu tiếng Việt (cài fonts-liberation2 hoặc fonts-dejavu-core)")


def _style(size: float = 14, align: int = TA_LEFT, leading: float | None = None, indent: float = 0) -> ParagraphStyle:
    family = font_family()
    return ParagraphStyle(
        f"s{size}{align}{indent}",
        fontName=family,
        fontSize=size,
        leading=leading or size * 1.25,
        alignment=align,
        firstLineIndent=indent,
    )


def _p(
    value: str, style: ParagraphStyle, bold: bool = False, italic: bool = False, underline: bool = False
) -> Paragraph:
    markup = escape(xml_safe(value)).replace("\n", "<br/>")
    for flag, tag in ((bold, "b"), (italic, "i"), (underline, "u")):
        if flag:
            markup = f"<{tag}>{markup}</{tag}>"
    return Paragraph(markup, style)


class _Breakable(Table):
    """A table that breaks between rows, and inside a row only when that row (with the
    repeated header) is taller than a whole page.

    reportlab's own ``splitInRow`` would also cut an ordinary row that merely reaches past
    the page's end, and the signature with it; here such a row moves to the next page as
    before. A row that can never fit starts where it falls, as text does, and is cut at
    each page's end. ``keep`` is the height its first part must have (the signature's),
    else it starts on the next page, which has room. The parts reportlab makes after a
    split are of this class too, with ``keep`` 0: what had to be kept whole is placed.
    """

    def __init__(self, *args: object, keep: float = 0, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._keep = keep

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._calc(availWidth, availHeight)
        heights = self._rowHeights
        whole = self._getFirstPossibleSplitRowPosition(availHeight)
        head = sum(heights[: self.repeatRows])
        if (
            self.repeatRows <= whole < len(heights)
            and head + heights[whole] > PAGE_ROOM
            and availHeight - sum(heights[:whole]) >= self._keep
        ):
            parts: list[Flowable] = self._splitRows(availHeight, doInRowSplit=True)
            if parts:
                return parts
        return self._splitRows(availHeight)


def notice_pdf(text: NoticeText) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        **MARGINS,
        title=f"{text.kind} {text.abstract}",
        author=AUTHOR,
    )
    center, body = _style(14, TA_CENTER), _style(14, TA_JUSTIFY, indent=1 * cm)
    small_center, small_left = _style(12, TA_CENTER), _style(12, TA_LEFT)
    head = Table(
        [
            [
                [
                    _p(text.parent, center),
                    _p(text.issuer, center, bold=True),
                    _p("*", center),
                    _p(text.number_line, center),
                ],
                [
                    _p(text.party, _style(14.5, TA_CENTER), bold=True, underline=True),
                    Spacer(1, 6),
                    _p(text.date_line, center, italic=True),
                ],
            ]
        ],
        colWidths=[7.3 * cm, 9.2 * cm],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
    )
    # Each cell a list of flowables: reportlab cuts a row only through lists (a lone
    # Paragraph would be dropped from both parts).
    grid = _Breakable(
        [
            [[_p(h, small_center, bold=True)] for h in text.headers],
            *[[[_p(v, small_center if i in (0, 1) else small_left)] for i, v in enumerate(row)] for row in text.rows],
        ],
        colWidths=[w * cm for w in WIDTHS_CM],
        repeatRows=1,
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        ),
    )
    recipients = [_p("Nơi nhận:", small_left, bold=True)] + [_p(f"- {r}", small_left) for r in text.recipients]
    signature = [
        _p(text.sign_mode_line, center, bold=True),
        _p(text.signer_position, center, bold=True),
        Spacer(1, 2.2 * cm),
        _p(text.signer_name, center, bold=True),
    ]
    closing = _Breakable(
        [[recipients, signature]],
        colWidths=[8 * cm, 8.5 * cm],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
        keep=_height(signature, 8.5 * cm - 6) + 6,
    )
    mark = None
    if text.draft:
        boxed = ParagraphStyle(
            "draft", parent=_style(16, TA_CENTER), textColor=DRAFT_RED, borderColor=DRAFT_RED, borderWidth=1
        )
        boxed.borderPadding = 4
        mark = _p(text.draft, boxed, bold=True)
    story = [
        *([mark, Spacer(1, 10)] if mark is not None else []),
        head,
        Spacer(1, 14),
        _p(text.kind, _style(15, TA_CENTER), bold=True),
        _p(text.abstract, center, bold=True),
        _p("-----", center),
        Spacer(1, 6),
        _p(text.opening, body),
        Spacer(1, 6),
        grid,
        Spacer(1, 6),
        _p(text.closing, body),
        Spacer(1, 12),
        closing,
    ]
    if text.draft:
        first, later = partial(_watermark, text.draft), partial(_numbered_draft, text.draft)
        document.build(story, onFirstPage=first, onLaterPages=later)
    else:
        document.build(story, onLaterPages=_page_number)
    return buffer.getvalue()


def _height(flowables: list[Flowable], width: float) -> float:
    return sum(f.wrap(width, PAGE_ROOM)[1] for f in flowables)


def _watermark(mark: str, canvas: Canvas, document: SimpleDocTemplate) -> None:
    """The draft's mark across the page, light, diagonal, under nothing that matters: a
    page torn from a printed draft still says what it is."""
    canvas.saveState()
    canvas.setFillColor(DRAFT_RED, alpha=0.18)
    canvas.setFont(f"{font_family()}-Bold", 96)
    canvas.translate(A4[0] / 2, A4[1] / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, -32, mark)
    canvas.restoreState()


def _numbered_draft(mark: str, canvas: Canvas, document: SimpleDocTemplate) -> None:
    _watermark(mark, canvas, document)
    _page_number(canvas, document)


def _page_number(canvas: Canvas, document: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(font_family(), 12)
    canvas.drawCentredString(A4[0] / 2 + 0.75 * cm, A4[1] - 1.2 * cm, str(canvas.getPageNumber()))
    canvas.restoreState()
