"""Domain errors: what services raise and views turn into messages or JSON errors."""

from __future__ import annotations

from typing import Any

import click


class DomainError(Exception):
    """A rule of the domain refused the action; nothing was changed."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidParameter(DomainError):
    """A request parameter that is not understood (unknown filter, not a number…)."""

    status = 400
    code = "bad_request"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class BoothUnavailable(Conflict):
    code = "booth_unavailable"


class PlanInvalid(DomainError):
    code = "plan_invalid"


class ConfigurationError(click.ClickException):
    """The app cannot start: a setting is wrong.

    A ``ClickException`` so that ``flask --app exhibit …`` prints its one-line message
    instead of a traceback.
    """
