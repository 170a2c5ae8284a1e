"""Reading the files a scenario names, with the operating system's complaint in Vietnamese.

``OSError.strerror`` is English ("No such file or directory") and planners read
Vietnamese, so the usual causes get a sentence of their own and the rare ones their
error code, which is at least something to search for.
"""

from __future__ import annotations

import errno
from pathlib import Path

from models.errors import InputError, Issue

_REASONS: dict[int, str] = {
    errno.ENOENT: "không có tệp này",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.EACCES: "không có quyền đọc tệp",
    errno.EPERM: "không có quyền đọc tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENAMETOOLONG: "đường dẫn quá dài",
    errno.ELOOP: "đường dẫn có liên kết vòng",
}


#: What differs when the file was being written.
_WRITE_REASONS: dict[int, str] = {
    errno.ENOENT: "không có thư mục chứa tệp này",
    errno.EACCES: "không có quyền ghi tệp",
    errno.EPERM: "không có quyền ghi tệp",
    errno.ENOSPC: "hết chỗ trên đĩa",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
}


def os_reason(err: OSError, *, writing: bool = False) -> str:
    """Why the file could not be read (or written), in Vietnamese."""
    if writing and err.errno in _WRITE_REASONS:
        return _WRITE_REASONS[err.errno]
    if err.errno in _REASONS:
        return _REASONS[err.errno]
    code = errno.errorcode.get(err.errno, "") if err.errno is not None else ""
    return f"lỗi hệ thống {code}".rstrip()


def read_bytes(path: Path, what: str, field: str = "$") -> bytes:
    """The file's bytes; an :class:`InputError` under ``what`` naming the path when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError([Issue(field, str(path), f"không mở được tệp: {os_reason(err)}")], what) from None
