"""``/healthz``: is this worker able to serve? (for the proxy, the monitoring, the load balancer)"""

from __future__ import annotations

import contextlib
import time

from flask import Flask, current_app, jsonify
from sqlalchemy import text
from werkzeug.wrappers import Response

from exhibit.db import db
from exhibit.extensions import limiter


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", limiter.exempt(healthz))


def healthz() -> tuple[Response, int]:
    """200 ``{"status": "ok", …}`` when the database answers, 503 when it does not.

    Never cached, never rate-limited, and the failure says what failed but not the
    connection details (the URL may hold a password): those go to the log.
    """
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means the same: no database
        _log_and_reset("the database does not answer", exc)
        return _answer({"status": "error", "database": "unreachable"}, 503)
    try:
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:
        _log_and_reset("the database has no schema (run init-db)", exc)
        return _answer({"status": "error", "database": "no schema"}, 503)
    db.session.rollback()
    return _answer(
        {
            "status": "ok",
            "database": db.engine.dialect.name,
            "schema": revision,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        },
        200,
    )


def _log_and_reset(what: str, exc: Exception) -> None:
    current_app.logger.error("healthz: %s: %s", what, exc)
    with contextlib.suppress(Exception):  # the connection is gone: nothing to roll back
        db.session.rollback()


def _answer(body: dict, status: int) -> tuple[Response, int]:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status
