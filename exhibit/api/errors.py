"""One shape for every error of the API: ``{"error": {"code", "message", "details"}}``.

``details`` is null or an object; a request that fails validation names each field and the
reason in ``details.fields`` (``{"limit": ["Must be …"]}``, body fields as dotted paths).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from exhibit.errors import DomainError

#: Headers of an HTTP error worth keeping (``Allow`` on 405, ``Retry-After`` on 429 …).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(
        required=True, metadata={"description": "Machine-readable reason, e.g. `not_found`"}
    )
    message = ma.fields.String(required=True, metadata={"description": "For people (Russian)"})
    details = ma.fields.Dict(
        required=True,
        allow_none=True,
        metadata={
            "description": "More about the error, or null; `fields` maps each invalid "
            "request field to its reasons"
        },
    )


class ErrorSchema(ma.Schema):
    """The body of every error response of the API."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": details}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_domain_error(error: DomainError) -> Response:
    details = error.details
    if isinstance(details, dict) and "field" in details and "fields" not in details:
        details = {**details, "fields": {details["field"]: [error.message]}}
    elif details is not None and not isinstance(details, dict):
        details = {"items": details}
    return error_response(error.status, error.code, error.message, details)


def _flatten(messages: Any, prefix: str) -> dict[str, list[str]]:
    """webargs' nested ``{field: [reasons] | {…}}`` as ``{"a.b": [reasons]}``."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            # marshmallow's "_schema" is about the whole object: name the object instead.
            name = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
        return flat
    reasons = messages if isinstance(messages, list) else [messages]
    return {prefix: [str(reason) for reason in reasons]}


def from_http_exception(error: HTTPException, message: str | None = None) -> Response:
    """Any HTTP error (404, 405, 413, 429, webargs' 422 …) in the one error shape;
    ``message`` says what the client can do, when the site has something to say."""
    status = error.code or 500
    headers = {
        name: value
        for name, value in error.get_headers()
        if name in _KEPT_HEADERS and value is not None
    }
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # webargs keys by location (query, json, …); people name the field, not the location.
        fields: dict[str, list[str]] = {}
        for location, reasons in messages.items():
            # Fields by name (``limit``, ``booth``, ``a.b``); a body that is not JSON or not
            # an object is named ``body``.
            label = "body" if location == "json" else location
            flat = _flatten(reasons, "")
            fields.update({name or label: why for name, why in flat.items()})
        names = ", ".join(sorted(fields))
        if status == 400:
            return error_response(
                400, "bad_request", f"Запрос не читается: {names}", {"fields": fields}, headers
            )
        return error_response(
            status,
            "invalid",
            f"Запрос не прошёл проверку: {names}",
            {"fields": fields},
            headers,
        )
    code = error.name.lower().replace(" ", "_")
    return error_response(status, code, message or error.description or error.name, None, headers)
