"""Each domain error has one HTTP status, given in one place (api.errors)."""

from __future__ import annotations

import pytest

from api.errors import from_service
from models.errors import Issue
from services import errors


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.NotFound("x"), 404),
        (errors.Forbidden("x"), 403),
        (errors.Conflict("x"), 409),
        (errors.Invalid("x"), 422),
        (errors.TooLarge("x"), 413),
        (errors.TooMany("x", retry_after=5), 429),
        (errors.PreconditionFailed("x"), 412),
        (errors.PreconditionRequired("x"), 428),
    ],
)
def test_each_error_has_its_status(error: errors.ServiceError, status: int) -> None:
    """The mapping gives each kind of refusal its status."""
    assert from_service(error).status == status


def test_the_body_keeps_the_sentence_and_the_items() -> None:
    """A refusal's sentence becomes ``detail`` and each issue an item with path, value and message."""
    answer = from_service(errors.Invalid("Thiếu xã/phường", [Issue("$.commune", None, "thiếu trường bắt buộc")]))
    assert answer.detail == "Thiếu xã/phường"
    assert [(i.path, i.value, i.message) for i in answer.errors] == [("$.commune", None, "thiếu trường bắt buộc")]


def test_too_many_says_when_to_retry() -> None:
    """A refused solve is told when to try again."""
    assert from_service(errors.TooMany("x", retry_after=7)).headers == {"Retry-After": "7"}
