"""Reading the files a scenario names, with the operating system's complaint in Vietnamese
(:func:`models.io.os_reason`, shared with the other readers of files)."""

from __future__ import annotations

from pathlib import Path

from models.errors import InputError, Issue
from models.io import os_reason

__all__ = ["os_reason", "read_bytes"]  # os_reason: where scenario code has always found it


def read_bytes(path: Path, what: str, field: str = "$") -> bytes:
    """The file's bytes; an :class:`InputError` under ``what`` naming the path when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError([Issue(field, str(path), f"không mở được tệp: {os_reason(err)}")], what) from None
