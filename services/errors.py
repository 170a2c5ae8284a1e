"""Domain errors: why a use case refused, in Vietnamese, with the faulty fields.

Each error has a sentence (``detail``) and, when the fault is in the input or in data
that something still points at, one :class:`~models.errors.Issue` (path, value,
message) per fault. Nothing here knows HTTP: :mod:`api.errors` gives each class its
status, a page shows the sentence and the issues beside their fields, the command line
prints them and exits non-zero.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.errors import InputError, Issue


class ServiceError(Exception):
    """A refusal: nothing was written."""

    def __init__(self, detail: str, issues: Sequence[Issue] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.issues = list(issues)


class NotFound(ServiceError):
    """No such thing, or none this account may see (a refusal that tells nothing)."""


class Forbidden(ServiceError):
    """This account may not do this."""


class Conflict(ServiceError):
    """The request contradicts what is stored (taken id, published schedule, references…)."""


class Invalid(ServiceError):
    """The input (or the stored month built from it) breaks the data contract."""

    @classmethod
    def of(cls, error: InputError) -> Invalid:
        """The issues of an input document, headed by its first line."""
        return cls(error.render().splitlines()[0], error.issues)


class TooLarge(ServiceError):
    """A month larger than the service solves."""


class TooMany(ServiceError):
    """Too many solves running or waiting for this account; try again after ``retry_after`` s."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class PreconditionFailed(ServiceError):
    """The version the caller saw is no longer the current one (stale ETag)."""


class PreconditionRequired(ServiceError):
    """The caller must say which version it saw (an ETag) before this change."""
