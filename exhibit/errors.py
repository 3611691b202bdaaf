"""Domain errors: what services raise and views turn into messages or JSON errors."""

from __future__ import annotations

from typing import Any

import click
from flask import has_request_context
from flask_babel import get_locale, get_translations


class Refusal(str):
    """A refusal's text that knows its language (``lang``: a locale code such as "ru")."""

    lang: str

    def __new__(cls, text: str, lang: str) -> Refusal:
        self = super().__new__(cls, text)
        self.lang = lang
        return self

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return str(self), self.lang  # copies and pickles keep the language


def tr(message: str, **params: Any) -> Refusal:
    """Translate a refusal into the language of the current request.

    ``message`` is the Russian msgid with named placeholders (``"Стенд %(number)s уже
    занят"``), extracted by ``pybabel extract -k tr``. Outside a request (the command line,
    pure tests) the text stays Russian. The result's ``lang`` is the request's locale when the
    catalogue translated the text (or the locale is Russian), and "ru" when it did not, so a
    page can mark an untranslated refusal as Russian.
    """
    text, lang = message, "ru"
    if has_request_context():
        translated = get_translations().gettext(message)
        locale = str(get_locale() or "ru")
        if translated != message or locale == "ru":
            text, lang = translated, locale
    return Refusal(text % params if params else text, lang)


class DomainError(Exception):
    """A rule of the domain refused the action; nothing was changed.

    ``message`` is best built with :func:`tr`; ``lang`` is then its language ("ru" for a
    plain string: the services explain refusals in Russian).
    """

    status = 422
    code = "invalid"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.lang: str = getattr(message, "lang", "ru")
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
