"""Site-wide web glue: error pages, the language switch, template helpers."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_percent
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.wrappers import Response

from exhibit.errors import DomainError
from exhibit.i18n import current_locale, format_area, format_money, format_share, localised
from exhibit.maps.svg import door_label_anchor, inward_point, label_point, label_size


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)
    app.add_url_rule("/lang/<code>", "set_language", set_language)
    app.jinja_env.add_extension("jinja2.ext.do")
    # Block tags leave no blank lines behind: smaller pages, the same markup.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.context_processor(_default_exhibition)
    app.jinja_env.filters["area"] = format_area
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["local"] = localised
    app.jinja_env.tests["web_address"] = is_web_address
    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        format_percent=format_percent,
        format_share=format_share,
        current_locale=current_locale,
        door_label_anchor=door_label_anchor,
        inward_point=inward_point,
        label_point=label_point,
        label_size=label_size,
    )


def _default_exhibition() -> dict[str, Any]:
    """Pages that are not about one exhibition still show the newest one in the header."""
    from exhibit.db import db
    from exhibit.floorplan.services import newest_exhibition

    return {"exhibition": newest_exhibition(db.session)}


def set_language(code: str) -> Response:
    """Remember the visitor's language and go back where they were."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.referrer or url_for("catalogue.index")
    if not target.startswith(request.host_url):
        target = url_for("catalogue.index")
    return redirect(target)


def is_web_address(value: Any) -> bool:
    """Whether ``value`` may be a link: http(s) only (the forms and the import allow no other,
    and a ``javascript:`` address that got into the database some other way stays text)."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _domain_error(error: DomainError) -> Any:
    if _wants_json():
        from exhibit.api.errors import from_domain_error

        return from_domain_error(error)
    # A refusal the catalogue did not translate stays Russian: the page marks it so.
    return render_template(
        "errors/error.html", status=error.status, message=error.message, message_lang=error.lang
    ), error.status


def _http_error(error: HTTPException) -> Any:
    """Every HTTP error, and (as a 500) any unexpected exception: never a stack trace."""
    status = error.code or 500
    message = _error_message(status)
    if _wants_json():
        from exhibit.api.errors import from_http_exception

        return from_http_exception(error, message)
    try:
        return render_template("errors/error.html", status=status, message=message), status
    except Exception as exc:
        if status < 500:
            raise
        # The page itself failed (the database is gone?): a bare page, still no trace.
        if isinstance(exc, OperationalError | InterfaceError):
            current_app.logger.warning("The error page could not be rendered: %s", _reason(exc))
        else:
            current_app.logger.exception("The error page could not be rendered")
        return Response(
            _BARE_ERROR_PAGES.get(status, _BARE_500), status=status, mimetype="text/html"
        )


def _database_unavailable(error: OperationalError | InterfaceError) -> Any:
    """The database does not answer (restarting, unreachable): 503 with ``Retry-After``, the
    reason in one log line, never a trace. A worker's pool reconnects once it is back (the
    engine checks each connection before use: ``pool_pre_ping``)."""
    from contextlib import suppress

    from exhibit.db import db

    current_app.logger.warning("database unavailable: %s", _reason(error))
    with suppress(Exception):  # the connection is gone: nothing to roll back
        db.session.rollback()
    seconds = int(current_app.config["DATABASE_RETRY_AFTER"])
    answer = current_app.make_response(_http_error(ServiceUnavailable(retry_after=seconds)))
    answer.headers["Retry-After"] = str(seconds)
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _reason(error: Exception) -> str:
    orig = getattr(error, "orig", None) or error
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


_BARE_500 = (
    '<!doctype html><html lang="ru"><meta charset="utf-8"><title>500</title>'
    "<h1>Ошибка на сервере</h1><p>Internal server error</p></html>"
)
_BARE_ERROR_PAGES = {
    503: '<!doctype html><html lang="ru"><meta charset="utf-8"><title>503</title>'
    "<h1>Сайт ненадолго недоступен</h1><p>Повторите через несколько секунд. "
    "Service unavailable: try again in a few seconds.</p></html>",
}


def _error_message(status: int) -> str | None:
    """What the visitor can do about an error, when there is something to say."""
    if status == 413:
        limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
        if limit >= 1024 * 1024:
            size = _("%(n)s МБ", n=format_decimal(limit / (1024 * 1024), format="#,##0.#"))
        else:
            size = _("%(n)s КБ", n=format_decimal(limit / 1024, format="#,##0.#"))
        return _("Файл слишком большой: можно загрузить не больше %(size)s.", size=size)
    if status == 429:
        return _("Слишком много запросов. Подождите немного и повторите.")
    if status == 503:
        return _("Сайт ненадолго недоступен. Повторите через несколько секунд.")
    return None


def _csrf_error(error: CSRFError) -> Any:
    """A form without its token (or with a stale one): say what to do, change nothing."""
    message = _("Форма устарела или отправлена не с этого сайта: обновите страницу и повторите.")
    if _wants_json():
        from exhibit.api.errors import error_response

        return error_response(400, "csrf_failed", message)
    return render_template("errors/error.html", status=400, message=message), 400
