"""The blank instance workbook a planner fills in (``phancong template``, the download).

One sheet per kind of row with Vietnamese headers, a filled example row on each, data
validation (lists for kind, flag, tier, seniority, pin kind and the cross-assignment
option; dates; whole numbers), and a sheet "Hướng dẫn" that explains every column. The
reader skips that sheet, so a filled template imports as it is.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from models.documents.sheets import Table, add_table

LAST_ROW = 5000
#: What each column holds, by sheet and key; also the explanation sheet's text.
HELP: dict[tuple[str, str], str] = {
    ("Thông tin chung", "key"): "Tên khóa (xem cột Giải thích); không đổi",
    ("Thông tin chung", "value"): "Giá trị của khóa",
    ("Xã phường", "id"): "Mã xã/phường, duy nhất (chữ, số, giữ số 0 ở đầu)",
    ("Xã phường", "name"): "Tên xã/phường (có dấu)",
    ("Xã phường", "kind"): "xã, phường hoặc thị trấn",
    ("Xã phường", "flag"): "0 ổn định, 1 cần quan tâm, 2 phức tạp",
    ("Tổ tuyên vận", "commune"): "Mã xã của tổ (trang Xã phường)",
    ("Đại biểu", "tier"): "1 Thường trực, 2 Ủy viên BTV, 3 lãnh đạo cơ quan, 4 chuyên viên",
    ("Đại biểu", "in_charge_of"): "Mã các xã phụ trách, cách nhau bởi dấu phẩy",
    ("Đại biểu", "max_per_month"): "Số hội nghị tối đa mỗi tháng (số nguyên, mặc định 4)",
    ("Ngày nghỉ", "from"): "Ngày bắt đầu nghỉ, dd/mm/yyyy",
    ("Ngày nghỉ", "to"): "Ngày kết thúc nghỉ (tính cả ngày này), dd/mm/yyyy",
    ("Hội nghị", "start"): "Ngày giờ bắt đầu, dd/mm/yyyy hh:mm",
    ("Hội nghị", "minutes"): "Thời lượng (phút, số nguyên, mặc định 180)",
    ("Hội nghị", "required"): "Số đại biểu cần (mặc định 1; 2 nếu xã mức 2)",
    ("Hội nghị", "senior_tier"): "1, 2, 3 hoặc 'không' (mặc định theo mức quan tâm)",
    ("Đường đi", "minutes"): "Thời gian đi đường (phút)",
    ("Lịch sử dự", "date"): "Ngày đã dự, dd/mm/yyyy",
    ("Ghim", "kind"): "ghim (bắt buộc), cấm, hoặc tham chiếu (lịch đã công bố)",
}
LISTS: dict[tuple[str, str], str] = {
    ("Xã phường", "kind"): '"xã,phường,thị trấn"',
    ("Xã phường", "flag"): '"0,1,2"',
    ("Đại biểu", "tier"): '"1,2,3,4"',
    ("Hội nghị", "senior_tier"): '"1,2,3,không"',
    ("Ghim", "kind"): '"ghim,cấm,tham chiếu"',
}
WHOLE = {"int"}
EXAMPLE: dict[str, Any] = {
    "format": "phancong-instance/1",
    "name": "Kế hoạch phân công tháng 3 năm 2024",
    "communes": [
        {
            "id": "001",
            "name": "Cốc Lếu",
            "kind": "phuong",
            "flag": 1,
            "teams": [{"id": "001-t1", "name": "Tổ dân phố số 1"}],
        }
    ],
    "delegates": [
        {
            "id": "d01",
            "name": "Nguyễn Thị Hà",
            "title": "Phó Trưởng Ban Tuyên giáo",
            "tier": 3,
            "agency": "Ban Tuyên giáo",
            "in_charge_of": [],
            "unavailable": [{"from": "2024-03-11", "to": "2024-03-15", "reason": "Học lớp bồi dưỡng"}],
        }
    ],
    "meetings": [
        {"id": "202403-001", "commune": "001", "start": "2024-03-06T08:00", "minutes": 180, "theme": "Chủ đề tháng"}
    ],
    "history": {"attendances": [{"date": "2024-02-05", "commune": "001", "delegate": "d01"}]},
}


def add_validations(ws: Worksheet, sheet: Any) -> None:
    """Data validation on the columns of ``sheet`` (a :class:`models.storage.excel.Sheet`)."""
    for number, column in enumerate(sheet.columns, start=1):
        letter = ws.cell(1, number).column_letter
        ref = f"{letter}2:{letter}{LAST_ROW}"
        rule: DataValidation | None = None
        if (sheet.title, column.key) in LISTS:
            rule = DataValidation(type="list", formula1=LISTS[(sheet.title, column.key)], allow_blank=True)
        elif column.kind in WHOLE:
            rule = DataValidation(type="whole", operator="between", formula1="0", formula2="100000", allow_blank=True)
        elif column.kind in ("date", "datetime"):
            rule = DataValidation(type="date", operator="between", formula1="1", formula2="109574", allow_blank=True)
        if rule is None:
            continue
        rule.error = HELP.get((sheet.title, column.key), "Giá trị không hợp lệ")
        rule.errorTitle = column.header
        rule.prompt = HELP.get((sheet.title, column.key), "")
        rule.showErrorMessage = True
        ws.add_data_validation(rule)
        rule.add(ref)


def add_guide(book: Workbook) -> None:
    from models.storage.excel import SHEETS

    lines = []
    for sheet in SHEETS:
        for column in sheet.columns:
            need = "bắt buộc" if column.required else ""
            lines.append(
                [sheet.title, column.header, need, HELP.get((sheet.title, column.key), _kind_help(column.kind))]
            )
    add_table(book, Table("Hướng dẫn", ["Trang", "Cột", "Bắt buộc", "Giải thích"], lines))


def _kind_help(kind: str) -> str:
    return {
        "int": "Số nguyên",
        "float": "Số",
        "date": "Ngày, dd/mm/yyyy",
        "datetime": "Ngày giờ, dd/mm/yyyy hh:mm",
        "list": "Danh sách, cách nhau bởi dấu phẩy",
    }.get(kind, "Chữ")


def template_workbook() -> bytes:
    from models.storage.excel import instance_workbook

    return instance_workbook(EXAMPLE, guide=True)
