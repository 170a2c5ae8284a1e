"""``If-Match`` as RFC 7232 (section 3.1) defines it.

The header is ``*`` or a comma-separated list of entity tags. ``*`` holds whenever the
resource exists; a list holds when one of its tags equals the current ETag by the
strong comparison, in which a weak tag (``W/"…"``) never matches. A value that is
neither (a bare word, a tag without its quotes) is refused as malformed rather than
silently treated as stale. :func:`check` is the refusal every versioned change shares (a
page sends the ETag it rendered, the JSON API the client's header).
"""

from __future__ import annotations

import re

from models.errors import Issue
from services.errors import Invalid, PreconditionFailed, PreconditionRequired

_TAG = r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"'
_ANY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
# Empty list elements are allowed (RFC 7230, section 7): ", ," around the tags.
_LIST = re.compile(rf"[ \t,]*{_ANY_TAG}(?:[ \t]*,[ \t,]*{_ANY_TAG})*[ \t,]*")


class MalformedIfMatch(ValueError):
    """The header is neither ``*`` nor a list of entity tags."""


def if_match(header: str, current: str) -> bool:
    """Does ``If-Match: header`` hold for a resource whose strong ETag is ``current``?"""
    if header.strip(" \t") == "*":
        return True
    return any(not weak and tag == current for weak, tag in entity_tags(header))


def entity_tags(header: str) -> list[tuple[bool, str]]:
    """(weak, tag with its quotes) of each entity tag of the list, in order."""
    if not _LIST.fullmatch(header):
        raise MalformedIfMatch(header)
    return [(bool(weak), f'"{opaque}"') for weak, opaque in re.findall(_TAG, header)]


def check(
    header: str | None, current: str, what: str, example: str, *, required: bool = False, source: str = ""
) -> None:
    """Refuse a change made on a version other than ``current``, the strong ETag of ``what``
    (e.g. "lịch"), as ``If-Match: header`` says it: :class:`PreconditionRequired` when
    ``required`` and no header is given (``source`` says where to get one),
    :class:`PreconditionFailed` when it does not hold, :class:`Invalid` when it is not an
    If-Match value at all (``example`` shows one)."""
    if header is None:
        if required:
            raise PreconditionRequired(f"Cần tiêu đề If-Match với ETag của {what}{source}")
        return
    try:
        holds = if_match(header, current)
    except MalformedIfMatch:
        message = f'cần * hoặc danh sách ETag trong dấu ngoặc kép, cách nhau bởi dấu phẩy (ví dụ "{example}")'
        raise Invalid("Tiêu đề If-Match không đúng cú pháp", [Issue("header.If-Match", header, message)]) from None
    if not holds:
        weak = " (ETag yếu W/… không bao giờ khớp: If-Match so sánh mạnh)" if "W/" in header else ""
        raise PreconditionFailed(f"ETag {header} không khớp{weak}; {what} hiện là {current}: hãy tải lại")
