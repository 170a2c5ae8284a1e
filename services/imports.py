"""Importing a workbook (planners): every bad cell listed at once, nothing written unless all are good.

The reading and checking are :func:`models.storage.importer.import_workbook`'s; this is the
use case around them (who may, the audit line, one commit), shared by the JSON route and
the directory page. A refusal rolls the session back, so a half-read workbook writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.errors import InputError
from models.storage import audit, importer
from models.storage.excel import WorkbookError, located_message
from models.storage.tables import UserRow
from services.access import require_planner
from services.errors import Conflict


@dataclass(frozen=True)
class BadCell:
    """One fault of a workbook, where it is and what was expected."""

    sheet: str | None
    row: int | None
    column: str | None
    value: object
    message: str
    located: str


def bad_cells(error: InputError) -> list[BadCell]:
    """Each fault of ``error`` with its sheet, row and column (when the workbook says them)."""
    places = error.places if isinstance(error, WorkbookError) else [None] * len(error.issues)
    out = []
    for issue, place in zip(error.issues, places, strict=True):
        column = None
        if place is not None and issue.path != "$":
            column = place.columns.get(issue.path.rsplit(".", 1)[-1])
        out.append(
            BadCell(
                sheet=place.sheet if place else None,
                row=place.row if place else None,
                column=column,
                value=issue.value,
                message=issue.message,
                located=located_message(issue, place),
            )
        )
    return out


def import_workbook(session: Session, planner: UserRow, data: bytes) -> importer.ImportSummary:
    """Write the workbook's data (committed); :class:`InputError` (a :class:`WorkbookError`
    naming sheet and row) with every fault, or :class:`Conflict`, and nothing written."""
    require_planner(planner)
    try:
        summary = importer.import_workbook(session, data, planner.id)
        audit.record(session, planner, "import.workbook", "instance", None, {"rows": vars(summary)})
        session.commit()
    except InputError:
        session.rollback()
        raise
    except IntegrityError as error:
        session.rollback()
        raise Conflict(f"Dữ liệu xung đột với dữ liệu đã có: {type(error.orig).__name__}") from None
    return summary
