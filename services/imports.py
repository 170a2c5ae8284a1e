"""Importing an instance document or a workbook (planners): every bad row or cell listed
at once, nothing written unless all are good.

The reading and checking are :mod:`models.storage.importer`'s (and the workbook reader's);
this is the use case around them (who may, the flags of the months already published, the
audit line, one commit), shared by the JSON routes and the directory page. A refusal rolls
the session back, so a half-read file writes nothing.

An import replaces the default flag of every commune it holds. As when a planner edits a
commune (:func:`services.communes.update`), the months already published keep the flag
they were planned with (:func:`services.flags.keep_published`, before the default is
overwritten) and the drafts of the months that follow the default are marked for a
re-plan (:func:`services.flags.default_changed`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.errors import InputError
from models.instance import Instance
from models.storage import audit, fit, importer
from models.storage.excel import WorkbookError, located_message, read_instance
from models.storage.tables import CommuneRow, UserRow
from services import flags as flag_service
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


def import_document(session: Session, planner: UserRow, document: Any) -> importer.ImportSummary:
    """Write a ``phancong-instance/1`` document (committed); :class:`InputError` with every
    fault (JSON paths), or :class:`Conflict`, and nothing written."""
    require_planner(planner)
    return _import(session, planner, "import.instance", lambda: importer.checked_document(session, document))


def import_workbook(session: Session, planner: UserRow, data: bytes) -> importer.ImportSummary:
    """Write the workbook's data (committed); :class:`InputError` (a :class:`WorkbookError`
    naming sheet and row) with every fault, or :class:`Conflict`, and nothing written."""
    require_planner(planner)
    return _import(
        session, planner, "import.workbook", lambda: read_instance(data, lambda doc: fit.document_issues(session, doc))
    )


def _import(session: Session, planner: UserRow, action: str, read: Callable[[], Instance]) -> importer.ImportSummary:
    try:
        instance = read()
        changed = _keep_published_flags(session, instance, planner.id)
        summary = importer.import_instance(session, instance, planner.id)
        for commune_id, before, after in changed:
            flag_service.default_changed(session, commune_id, before, after, planner.id)
        audit.record(session, planner, action, "instance", None, {"rows": vars(summary)})
        session.commit()
    except InputError:
        session.rollback()
        raise
    except IntegrityError as error:
        session.rollback()
        raise Conflict(f"Dữ liệu xung đột với dữ liệu đã có: {type(error.orig).__name__}") from None
    return summary


def _keep_published_flags(session: Session, instance: Instance, user_id: int) -> list[tuple[str, int, int]]:
    """Before the import overwrites them: the published months of each stored commune whose
    default flag or reason the instance changes keep the old default as their own. Returns
    (commune, old flag, new flag) of each of them."""
    stored = {row.id: row for row in session.scalars(select(CommuneRow))}
    changed: list[tuple[str, int, int]] = []
    for commune in instance.communes:
        row = stored.get(commune.id)
        if row is not None and (row.flag, row.flag_reason) != (commune.flag, commune.flag_reason):
            flag_service.keep_published(session, row, user_id)
            changed.append((row.id, row.flag, commune.flag))
    return changed
