"""The notice as an editable DOCX (python-docx): the Office adjusts the wording in Word or
LibreOffice before signing, so everything is real paragraphs and tables, no text boxes.

A4, Party-document margins (top and bottom 2 cm, left 3 cm, right 1.5 cm), Times New
Roman 14 pt (12 pt in the table), page numbers centred at the top from page two.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from models.documents.notice import WIDTHS_CM, NoticeText
from models.documents.sheets import AUTHOR, xml_safe

FONT = "Times New Roman"


def notice_docx(text: NoticeText) -> bytes:
    document = Document()
    document.core_properties.author = AUTHOR
    document.core_properties.title = f"{text.kind} {text.abstract}"
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    # East-Asian and complex-script slots too, or Word falls back to another face for them.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    style.paragraph_format.space_after = Pt(0)
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.different_first_page_header_footer = True
    _page_number(section.header.paragraphs[0])

    if text.draft:
        _draft_mark(document, text.draft)
    _heading(document, text)
    _para(document, text.kind, bold=True, size=15, align=WD_ALIGN_PARAGRAPH.CENTER, before=12)
    _para(document, text.abstract, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, "-----", align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    _para(document, text.opening, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=6)
    _table(document, text)
    _para(document, text.closing, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, before=6, after=12)
    _closing_block(document, text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _draft_mark(document: DocxDocument, mark: str) -> None:
    """The draft's mark, the first paragraph of the first page: bold, red, boxed, so that a
    printed draft cannot pass for the notice in force (and the Office deletes one line)."""
    paragraph = _para(document, mark, bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    paragraph.runs[0].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "2"), ("w:color", "C00000")):
            edge.set(qn(key), value)
        borders.append(edge)
    # The schema's order: the borders go before spacing and alignment, or Word refuses the file.
    later = ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:contextualSpacing", "w:jc", "w:rPr")
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *later)


def _heading(document: DocxDocument, text: NoticeText) -> None:
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, (7.5, 9.0))
    left, right = table.rows[0].cells
    _cell_para(left, text.parent, size=14, first=True)
    _cell_para(left, text.issuer, bold=True, size=14)
    _cell_para(left, "*", size=14)
    _cell_para(left, text.number_line, size=14)
    _cell_para(right, text.party, bold=True, underline=True, size=15, first=True)
    _cell_para(right, "", size=8)
    _cell_para(right, text.date_line, italic=True, size=14)


def _cell_para(
    cell: _Cell,
    value: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float = 12,
    first: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
) -> Paragraph:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(xml_safe(value))
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    return paragraph


def _para(
    document: DocxDocument,
    value: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = 14,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
    indent: bool = False,
    before: float = 0,
    after: float = 0,
) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    run = paragraph.add_run(xml_safe(value))
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)
    return paragraph


def _table(document: DocxDocument, text: NoticeText) -> None:
    table = document.add_table(rows=1, cols=len(text.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_header(header)
    for cell, title in zip(header.cells, text.headers, strict=True):
        _cell_para(cell, title, bold=True, size=12, first=True)
    for values in text.rows:
        cells = table.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.CENTER if i in (0, 1) else WD_ALIGN_PARAGRAPH.LEFT
            for n, part in enumerate(value.split("\n") or [""]):
                _cell_para(cell, part, size=12, first=n == 0, align=align)
    _widths(table, WIDTHS_CM)


def _closing_block(document: DocxDocument, text: NoticeText) -> None:
    table = document.add_table(rows=1, cols=2)
    _widths(table, (8.0, 8.5))
    left, right = table.rows[0].cells
    _cell_para(left, "Nơi nhận:", bold=True, italic=False, size=12, first=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for recipient in text.recipients:
        _cell_para(left, f"- {recipient}", size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(right, text.sign_mode_line, bold=True, size=14, first=True)
    _cell_para(right, text.signer_position, bold=True, size=14)
    for _ in range(4):
        _cell_para(right, "", size=14)
    _cell_para(right, text.signer_name, bold=True, size=14)


def _widths(table: Table, widths: tuple[float, ...]) -> None:
    """Column widths in the grid (LibreOffice reads these) and on every cell (Word does)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _repeat_header(row: _Row) -> None:
    """The table's header row is repeated on every page (python-docx has no API for it)."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _page_number(paragraph: Paragraph) -> None:
    """A PAGE field: Word and LibreOffice fill it in (python-docx has no field API)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    label = OxmlElement("w:t")
    label.text = "2"
    run.append(label)
    field.append(run)
    paragraph._p.append(field)
