"""The notice of a draft: ``?schedule=ID`` prints that version of the month with the mark
"DỰ THẢO" (top of the first page in DOCX and PDF, across the PDF's pages); without it the
published version, unmarked; another month's version is a 422 naming ``schedule``, an
unknown one a 404."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

from docx import Document
from fastapi.testclient import TestClient
from pypdf import PdfReader

from models.storage.db import Database
from models.storage.tables import ScheduleRow
from tests.api.world import MONTH, World, build_world

OUT = Path(__file__).resolve().parents[2] / "out"
MARK = "DỰ THẢO"


def _pdf_text(body: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(body)).pages]


def test_a_drafts_notice_carries_the_mark_and_the_published_one_does_not(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    world: World = build_world(database, tiny_document)
    auth = world.auth("planner")
    draft = world.ids["draft"]
    docx = client.get(f"/months/{MONTH}/notice.docx", params={"schedule": draft}, headers=auth)
    assert docx.status_code == 200, docx.text
    document = Document(io.BytesIO(docx.content))
    first = document.paragraphs[0]
    assert first.text == MARK  # the first paragraph of the body: top of the first page
    assert first.runs[0].bold
    pdf = client.get(f"/months/{MONTH}/notice.pdf", params={"schedule": draft}, headers=auth)
    assert pdf.status_code == 200, pdf.text
    pages = _pdf_text(pdf.content)
    assert pages[0].startswith(MARK) or MARK in pages[0][:40], pages[0][:80]
    assert "Nguyễn Văn Kiên" in " ".join(pages)
    OUT.mkdir(exist_ok=True)
    (OUT / "notice-draft.pdf").write_bytes(pdf.content)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(OUT / "notice-draft.pdf"), str(OUT / "draft")],
            check=True,
        )

    published_docx = client.get(f"/months/{MONTH}/notice.docx", headers=auth)
    assert published_docx.status_code == 200
    body = Document(io.BytesIO(published_docx.content))
    texts = [p.text for p in body.paragraphs] + [c.text for t in body.tables for r in t.rows for c in r.cells]
    assert not any(MARK in t for t in texts)
    published_pdf = client.get(f"/months/{MONTH}/notice.pdf", headers=auth)
    assert MARK not in " ".join(_pdf_text(published_pdf.content))
    # The published version asked by its id: the same, unmarked notice.
    by_id = client.get(f"/months/{MONTH}/notice.pdf", params={"schedule": world.ids["published"]}, headers=auth)
    assert by_id.status_code == 200
    assert MARK not in " ".join(_pdf_text(by_id.content))


def test_another_months_version_is_422_and_an_unknown_one_404(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    world: World = build_world(database, tiny_document)
    auth = world.auth("planner")
    with database.transaction() as session:
        other = ScheduleRow(
            month="2025-12", version=1, status="draft", solver_status="OPTIMAL", score_total=0, terms={}
        )
        session.add(other)
        session.flush()
        other_id = other.id
    wrong = client.get(f"/months/{MONTH}/notice.docx", params={"schedule": other_id}, headers=auth)
    assert wrong.status_code == 422, wrong.text
    assert "schedule" in wrong.text
    assert "12/2025" in wrong.text
    missing = client.get(f"/months/{MONTH}/notice.pdf", params={"schedule": 999999}, headers=auth)
    assert missing.status_code == 404, missing.text
    assert client.get("/months/2025-12/notice.pdf", headers=auth).status_code == 409
    refused = client.get(
        f"/months/{MONTH}/notice.pdf", params={"schedule": world.ids["draft"]}, headers=world.auth("delegate")
    )
    assert refused.status_code == 403
