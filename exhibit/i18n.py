"""Interface language helpers shared below the web layer: the current locale, and numbers,
areas, money and reference names as the reader's language writes them.

They follow Flask-Babel's locale: the request's language on a page, and whatever
``flask_babel.force_locale`` says elsewhere (a mail in its recipient's language).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context
from flask_babel import format_decimal, get_locale, get_translations


def current_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def format_area(value: Any) -> str:
    """Square metres as people write them: «21,5 м²», «9 м²» (in English «21.5 m²»)."""
    from babel.units import format_unit

    return format_unit(
        value, "area-square-meter", length="short", format="#,##0.#", locale=current_locale()
    )


def localised(record: Any, field: str = "name") -> str:
    """A reference record's text in the visitor's language (``name_en`` in English)."""
    if record is None:
        return ""
    if current_locale() == "en":
        return getattr(record, f"{field}_en", None) or getattr(record, field)
    return getattr(record, field)


def format_share(value: float, digits: int = 1) -> str:
    """A share as a percentage with up to ``digits`` decimals, written as the visitor's
    language writes it: «9,5 %», «0,8 %»; «9.5%»."""
    from babel.numbers import format_percent as babel_percent

    return babel_percent(
        round(value, digits + 2), locale=current_locale(), decimal_quantization=False
    )


def format_money(value: Any, currency: str = "RUB") -> str:
    sign = "₽" if currency == "RUB" else currency
    return f"{format_decimal(value, format='#,##0')} {sign}"


def say(text: Any) -> Any:
    """A message from a pure module in the reader's language.

    A ``str`` that carries ``msgid`` and ``render`` (the assignment's reasons, warnings and
    input errors: :class:`exhibit.booking.assign.reasons.Reason`) is translated by the
    catalogue and its numbers written the reader's way; anything else comes back as it is.
    Outside a request (the command line) it stays Russian, as :func:`exhibit.errors.tr`.
    """
    render = getattr(text, "render", None)
    if render is None or not hasattr(text, "msgid") or not has_request_context():
        return text
    return render(
        get_translations().gettext,
        lambda number: format_decimal(number, "0.#"),
        current_locale(),
    )
