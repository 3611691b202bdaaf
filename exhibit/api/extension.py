"""flask-smorest set-up: the OpenAPI document, the request parser, documented errors.

The OpenAPI 3 document at ``/api/v1/openapi.json`` is generated from the views' marshmallow
schemas; the same schemas validate requests (422 with the field and the reason) and
serialise responses, so the document cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, ClassVar

import flask_smorest
import marshmallow as ma
from flask import Flask
from webargs.flaskparser import FlaskParser

from exhibit.api.errors import ErrorSchema

#: Statuses every operation may answer (a rate limit can hit any request).
COMMON_ERRORS = (429,)
BEARER = [{"bearerAuth": []}]


class Parser(FlaskParser):
    """Unknown query parameters and body fields are refused, not silently dropped: a typo
    (``?tarck=``) must not look like a search without a filter."""

    DEFAULT_UNKNOWN_BY_LOCATION: ClassVar[dict[str, str | None]] = {
        "json": ma.RAISE,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
        "headers": ma.EXCLUDE,
        "cookies": ma.EXCLUDE,
        "files": ma.EXCLUDE,
        "form": ma.RAISE,
        "json_or_form": ma.RAISE,
    }
    DEFAULT_VALIDATION_STATUS = 422


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

    def errors(self, *statuses: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document the error responses an operation can give (in the one error shape)."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            for status in sorted({*statuses, *COMMON_ERRORS}):
                view = self.alt_response(status, response=HTTPStatus(status).name)(view)
            return view

        return decorator


class ExhibitApi(flask_smorest.Api):
    """The API extension; errors are rendered by the app's own handlers (exhibit.web.site)."""

    ERROR_SCHEMA = ErrorSchema
    #: Every operation lists its own error statuses: no catch-all ``default`` response.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_responses(self) -> None:
        super()._register_responses()
        # A 429 says when to come back.
        self.spec.components.responses_lazy["TOO_MANY_REQUESTS"]["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before trying again",
                "schema": {"type": "integer"},
            }
        }

    def _register_error_handlers(self) -> None:
        # flask-smorest would answer every HTTP error of the app (HTML pages too) in JSON;
        # exhibit.web.site dispatches on the path instead.
        pass


SPEC_KWARGS = {
    "info": {
        "description": "Exhibitions, halls, booths (GeoJSON), exhibitors, solutions, "
        "search and reservations of «Города России». Errors are "
        '`{"error": {"code", "message", "details"}}`; lists are paged with `limit` and '
        "`offset` and tell the `total`. Authentication: `Authorization: Bearer TOKEN` "
        "(tokens from the account page or `flask --app exhibit users token EMAIL`).",
    },
}


def init_app(app: Flask, blueprints: Iterable[Blueprint]) -> ExhibitApi:
    """One :class:`ExhibitApi` per app (tests build many apps)."""
    app.config.setdefault("API_TITLE", "exhibit")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = ExhibitApi(app, spec_kwargs=SPEC_KWARGS)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token of an exhibitor's or an organiser's account",
        },
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    return api
