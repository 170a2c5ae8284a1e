"""The pages: server-rendered Vietnamese HTML for planners, delegates and communes.

Served by the same FastAPI app as the JSON API (:func:`install`, called by
:func:`api.app.create_app`): Jinja2 templates with autoescape, a small hand-written
stylesheet, one small script (the workspace's progress bar, :mod:`web.workspace`) and nothing
fetched from another host. Sign-in is a session cookie
(:mod:`web.session`); every rule is a call into ``services/``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    """Mount the pages, their stylesheet and their HTML error pages on ``app``."""
    from web import directory, errors, inbox, loop, notice, pages, whatif, workspace, yearview

    app.include_router(pages.router)
    app.include_router(workspace.router)
    app.include_router(yearview.router)
    app.include_router(directory.router)
    app.include_router(whatif.router)
    app.include_router(loop.router)
    app.include_router(notice.router)
    app.include_router(inbox.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
