"""Paging of the lists: ``?limit=&offset=``, the total in ``X-Total-Count`` and the
neighbouring pages in a ``Link`` header (RFC 8288, ``rel="next"`` / ``rel="prev"``).

Each list has a default page and a documented maximum. The defaults keep what the lists
answered before paging came: the directory lists (communes, delegates, places, roads,
meetings, users) show up to 1000 rows — a province's directory at once — and the audit
log and the jobs the newest 100; older rows are reached with ``offset``.
"""

# No ``from __future__ import annotations``: the query parameters of :func:`paging` are
# annotated with its local ``default``, which FastAPI must see evaluated.

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Query, Request, Response
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

#: The most rows of one page, for every list.
MAX_LIMIT = 1000
#: The first page of the audit log and of the jobs (the newest).
RECENT = 100
#: The largest offset asked for: beyond, no table of this service has rows.
MAX_OFFSET = 10_000_000

T = TypeVar("T")

#: What stays as it is in a URI: its reserved characters and escapes already made.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%"


@dataclass(frozen=True)
class Page:
    """The page a request asks for, and where it came from (for the ``Link`` header)."""

    limit: int
    offset: int
    request: Request
    response: Response

    def rows(self, session: Session, query: Select[T]) -> Sequence[T]:
        """This page of ``query`` (ordered by the caller), the headers set from its total."""
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        self.headers(total)
        return session.scalars(query.limit(self.limit).offset(self.offset)).all()

    def items(self, items: Sequence[T]) -> Sequence[T]:
        """This page of a list already in memory, the headers set from its length."""
        self.headers(len(items))
        return items[self.offset : self.offset + self.limit]

    def headers(self, total: int) -> None:
        self.response.headers["X-Total-Count"] = str(total)
        links = []
        if self.offset + self.limit < total:
            links.append(self._link(self.offset + self.limit, "next"))
        if self.offset > 0:
            links.append(self._link(max(0, self.offset - self.limit), "prev"))
        if links:
            self.response.headers["Link"] = ", ".join(links)

    def _link(self, offset: int, rel: str) -> str:
        url = self.request.url.include_query_params(limit=self.limit, offset=offset)
        # A header carries Latin-1 only, and a URI in it is ASCII (RFC 8288 § 3): ids in the
        # path may be Vietnamese, so non-ASCII characters go percent-encoded.
        return f'<{quote(str(url), safe=_URI_SAFE)}>; rel="{rel}"'


def paging(default: int) -> Callable[..., Page]:
    """A dependency reading ``limit`` (1–:data:`MAX_LIMIT`, ``default`` when absent) and
    ``offset`` (from 0)."""

    def page(
        request: Request,
        response: Response,
        limit: Annotated[
            int,
            Query(ge=1, le=MAX_LIMIT, description=f"Số dòng một trang (mặc định {default}, tối đa {MAX_LIMIT})"),
        ] = default,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Bỏ qua bao nhiêu dòng đầu")] = 0,
    ) -> Page:
        return Page(limit, offset, request, response)

    return page


#: The headers a paged list answers with, for the OpenAPI.
PAGED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "X-Total-Count": {"description": "Tổng số dòng (mọi trang)", "schema": {"type": "integer"}},
            "Link": {"description": 'Trang kế và trang trước: rel="next", rel="prev"', "schema": {"type": "string"}},
        }
    }
}

#: A directory list's page (all of it by default, up to the maximum).
DirectoryPage = Annotated[Page, Depends(paging(MAX_LIMIT))]
#: The audit log's and the jobs' page (the newest by default).
RecentPage = Annotated[Page, Depends(paging(RECENT))]
