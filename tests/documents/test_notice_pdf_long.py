"""The notice PDF of inputs valid but long, as a tester found them: gap reasons that list
dozens of delegates, a theme of a thousand characters, thirty recipients of two hundred.
A table row or the recipients' block taller than a page must go on to the next pages (the
header row repeated) instead of stopping the build with reportlab's LayoutError; every
word is still printed once, and the signature is never cut."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from models.documents.content import lines_from_solution
from models.documents.notice import (
    RECIPIENT_MAX,
    RECIPIENTS_MAX,
    TABLE_HEADERS,
    NoticeSettings,
    NoticeText,
    compose,
)
from models.documents.notice_pdf import notice_pdf
from models.io import instance_from_document
from scenarios.generator import generate
from solver.facade import solve

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

SIGNER = "Nguyễn Thị Đường"


def _pages(pdf: bytes, folder: Path) -> list[str]:
    """The text of each page, as pdftotext reads it, words joined by single spaces."""
    path = folder / "thong-bao.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True, timeout=60)
    return [" ".join(unicodedata.normalize("NFC", page).split()) for page in out.stdout.split("\f") if page.strip()]


def _squash(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def _words_in_order(content: str, value: str) -> None:
    """Every word of ``value`` in ``content``, in order: a cell cut at a page's end is read
    with that page's number and the repeated header between its parts."""
    position = 0
    for word in _squash(value).split():
        found = content.find(word, position)
        assert found >= 0, f"{word!r} of {value[:60]!r}… missing or out of order"
        position = found + len(word)


def _signed_on_one_page(pages: list[str]) -> bool:
    return any("T/M BAN TUYÊN GIÁO" in p and "TRƯỞNG BAN" in p and SIGNER in p for p in pages)


def _notice(document: dict[str, object], settings: NoticeSettings) -> NoticeText:
    instance = instance_from_document(document)
    solution = solve(instance, time_limit=30, workers=1).to_solution(instance)
    lines = lines_from_solution(
        instance,
        solution.pairs(),
        [(v.meeting, v.delegate, v.team) for v in solution.visits],
        [(g.meeting, g.reason) for g in solution.unfilled],
    )
    return compose(settings, "2025-11", lines, dt.date(2025, 10, 27))


def test_gap_reasons_naming_dozens_of_delegates_go_on_to_the_next_page(tmp_path: Path) -> None:
    """Reproduction A: all but two delegates capped at 0 meetings, so the gaps' reasons list
    the others by name, a cell taller than a page; it runs on under the repeated header."""
    document = generate(communes=8, months=1, seed=3)
    for delegate in document["delegates"][2:]:
        delegate["max_per_month"] = 0
    text = _notice(document, NoticeSettings(signer_name=SIGNER))
    gaps = [row[5] for row in text.rows if "Còn thiếu đại biểu" in row[5]]
    assert gaps
    assert max(len(g) for g in gaps) > 600, "the instance no longer makes long gap reasons"
    pages = _pages(notice_pdf(text), tmp_path)
    content = " ".join(pages)
    for gap in gaps:
        _words_in_order(content, gap)
    closing = next(i for i, page in enumerate(pages) if "Đề nghị các đồng chí" in page)
    assert closing >= 2
    for page in pages[1:closing]:
        assert " ".join(TABLE_HEADERS) in page
    assert _signed_on_one_page(pages)


def test_a_theme_of_a_thousand_characters_is_printed_to_its_end(tmp_path: Path) -> None:
    """Reproduction B: one meeting's theme 1,000 characters long (the contract allows 2,000)."""
    document = generate(communes=8, months=1, seed=3)
    theme = ("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; " * 20)[:985] + " hết chủ đề dài"
    document["meetings"][0]["theme"] = theme
    text = _notice(document, NoticeSettings(signer_name=SIGNER))
    pages = _pages(notice_pdf(text), tmp_path)
    content = " ".join(pages)
    assert content.count("hết chủ đề dài") == 1
    _words_in_order(content, theme)
    assert _signed_on_one_page(pages)


def test_thirty_long_recipients_run_on_with_the_signature_whole(tmp_path: Path) -> None:
    """Reproduction C: thirty recipients of the most characters the settings allow (the
    last the "Lưu …" line), a "Nơi nhận" block of pages; the signature stays whole beside
    its start."""
    document = generate(communes=8, months=1, seed=3)
    recipients = [
        (
            ("Lưu " if k == RECIPIENTS_MAX else f"Nơi nhận số {k:02d}: ")
            + "Đảng ủy, Ủy ban nhân dân, Ban Tuyên vận xã, phường, thị trấn; " * 4
        )[: RECIPIENT_MAX - 8]
        + f" cuối {k:02d}"
        for k in range(1, RECIPIENTS_MAX + 1)
    ]
    assert {len(r) for r in recipients} == {RECIPIENT_MAX}
    text = _notice(document, NoticeSettings(signer_name=SIGNER, recipients=recipients))
    pages = _pages(notice_pdf(text), tmp_path)
    content = " ".join(pages)
    for k, recipient in enumerate(recipients, start=1):
        assert content.count(f"cuối {k:02d}") == 1, recipient
    assert content.index("Nơi nhận:") < content.index("cuối 30")
    assert _signed_on_one_page(pages)
    # Wherever the block falls on its page, the signature is never cut in two.
    for extra in range(12):
        rows = text.rows + text.rows[:1] * extra
        assert _signed_on_one_page(_pages(notice_pdf(dataclasses.replace(text, rows=rows)), tmp_path))
