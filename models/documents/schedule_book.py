"""The schedule as a workbook and as CSV: one row per delegate at a meeting, in order.

Rows come sorted from :func:`models.documents.content.ordered` (date, then unit in
Vietnamese order); a meeting left without a delegate still has its row, with the gap in
the note. Dates and times are real cells (dd/mm/yyyy, hh:mm); the CSV is UTF-8 with a BOM,
which is what makes Excel read its diacritics right.

Each row carries the meeting's and the delegate's ids beside the names (id cells are text,
so ``007`` stays ``007``): the ids are what :func:`models.storage.excel.read_schedule`
reads back from a workbook a planner edited; the names, dates and units are for people.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from models.documents.content import ScheduleLine
from models.documents.sheets import (
    DATE_FORMAT,
    FORMULA_STARTS,
    TEXT_FORMAT,
    TIME_FORMAT,
    Table,
    tables_workbook,
    xml_safe,
)

MEETING_ID = "Mã hội nghị"
DELEGATE_ID = "Mã đại biểu"
DELEGATE_NAME = "Đại biểu"
HEADERS = (
    "STT",
    "Ngày",
    "Giờ",
    "Xã/phường",
    MEETING_ID,
    DELEGATE_ID,
    DELEGATE_NAME,
    "Chức vụ",
    "Tổ dự đột xuất (gợi ý)",
    "Chủ đề",
    "Ghi chú",
)
FORMATS = (None, DATE_FORMAT, TIME_FORMAT, None, TEXT_FORMAT, TEXT_FORMAT, None, None, None, None, None)


def rows(lines: Sequence[ScheduleLine]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for line in lines:
        people = line.delegates or (None,)
        for person in people:
            out.append(
                [
                    len(out) + 1,
                    line.start.date(),
                    line.start.time(),
                    line.unit,
                    line.meeting,
                    person.id if person else "",
                    person.name if person else "",
                    person.title if person else "",
                    ", ".join(line.teams),
                    line.theme,
                    line.note,
                ]
            )
    return out


def schedule_table(title: str, lines: Sequence[ScheduleLine], caption: str | None = None) -> Table:
    return Table(title, HEADERS, rows(lines), FORMATS, caption)


def schedule_workbook(
    title: str, lines: Sequence[ScheduleLine], extra: Sequence[Table] = (), caption: str = ""
) -> bytes:
    return tables_workbook([schedule_table(title, lines, caption or title), *extra])


def schedule_csv(lines: Sequence[ScheduleLine]) -> bytes:
    """UTF-8 with a BOM; dates dd/mm/yyyy; cells that a spreadsheet would evaluate are
    prefixed with an apostrophe (CSV has no text type to say it otherwise)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for line in rows(lines):
        writer.writerow([_csv_cell(v) for v in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    text = xml_safe(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text
