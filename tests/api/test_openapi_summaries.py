"""The OpenAPI document speaks Vietnamese: every operation's summary is a Vietnamese
sentence (from its docstring), never FastAPI's English rendering of the function name."""

from __future__ import annotations

import re
import unicodedata

from api.app import create_app
from api.settings import Settings

# A letter only Vietnamese spelling has: any word of a real sentence carries one.
VIETNAMESE = re.compile("[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


def test_every_operation_has_a_vietnamese_summary(settings: Settings) -> None:
    document = create_app(settings).openapi()
    english = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            summary = operation.get("summary", "")
            if not VIETNAMESE.search(summary.lower()) or unicodedata.normalize("NFC", summary) != summary:
                english.append((method, path, summary))
    assert english == []
