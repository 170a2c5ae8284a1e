"""The OpenAPI document, made exact where FastAPI's generation is not.

FastAPI documents a route's error models under the route's own media type as well as
JSON; for a route answering an event stream, a calendar or a workbook that would claim
errors come as ``text/event-stream`` (or ``text/calendar``). They are always JSON: only
the JSON entry is kept. Each operation's summary is the first line of its (Vietnamese)
docstring, not FastAPI's English rendering of the function's name.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_REF = "#/components/schemas/ErrorBody"


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _errors_as_json_only(document)
            _summaries_from_docstrings(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _summaries_from_docstrings(document: dict[str, Any]) -> None:
    # FastAPI's default summary is the function's name in English ("List Communes"); users
    # read Vietnamese, and every route's docstring opens with a Vietnamese sentence, which becomes the summary.
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            paragraph = operation.get("description", "").strip().split("\n\n", 1)[0]
            sentence = " ".join(paragraph.split()).split(". ", 1)[0]
            if sentence:
                operation["summary"] = sentence.rstrip(".")


def _errors_as_json_only(document: dict[str, Any]) -> None:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[0] in "45" and any(v.get("schema", {}).get("$ref") == ERROR_REF for v in content.values()):
                    response["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}
