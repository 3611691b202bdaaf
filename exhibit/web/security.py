"""HTTP hardening: security headers, proxies, the API's rate limit, sessions that end.

- Every response gets a Content-Security-Policy (scripts only from our own files, no
  plugins, no ``<base>``, never framed), ``nosniff``, a Referrer-Policy and, outside debug
  and over HTTPS, HSTS. A view that sets a stricter header of its own keeps it (the logos
  are served with ``default-src 'none'``).
- ``PROXY_FIX`` = the number of reverse proxies in front of the app: only then are their
  ``X-Forwarded-*`` headers believed (for the client's address, HTTPS and the host).
- Every route under ``/api/`` shares one rate limit per client: the user of a valid bearer
  token, otherwise the address (an invalid token does not buy a bucket of its own).
- Sessions end 12 hours after sign-in, and an organiser's after 30 minutes without a request.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user, user_logged_in
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

#: Style *attributes* are allowed, ``<style>`` elements and foreign stylesheets are not: the
#: catalogue colours each track with ``style="--track-color: …"`` (a colour from the
#: reference data). An attribute cannot run script, select other elements or load anything
#: outside ``img-src``/``font-src 'self'``, so this gives an injected attribute nothing
#: that matters; scripts stay strictly ``'self'`` (no inline code, no ``javascript:`` URLs).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
REFERRER_POLICY = "strict-origin-when-cross-origin"
#: How often (seconds) the time of an active session's last request is written back.
SEEN_GRANULARITY = 60


def content_security_policy() -> str:
    return "; ".join(f"{name} {value}" for name, value in CONTENT_SECURITY_POLICY.items())


def init_app(app: Flask) -> None:
    """Headers, proxies and session expiry (before the blueprints are registered)."""
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    app.before_request(_refuse_oversized_bodies)
    app.after_request(_security_headers)
    app.before_request(_end_stale_session)
    user_logged_in.connect(_stamp_sign_in, app)


def limit_the_api(blueprint: Blueprint) -> None:
    """One shared limit on every route of the API's blueprint (a route marked
    ``@limiter.exempt`` stays exempt)."""
    from exhibit.extensions import limiter

    limiter.shared_limit(api_rate_limit, scope="api", key_func=api_client)(blueprint)


def api_rate_limit() -> str:
    return str(current_app.config["API_RATELIMIT"])


def api_client() -> str:
    """Whom the API's limit counts: a valid token's user, otherwise the client's address."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    from exhibit.accounts.decorators import api_user
    from exhibit.db import db

    try:
        user = api_user()
    except (OperationalError, InterfaceError):
        # No database: count on the address, and let the view meet the outage (a 503).
        # Raised here, Flask-Limiter would take it for its own storage failing.
        g.pop("api_user", None)
        with contextlib.suppress(Exception):
            db.session.rollback()
        user = None
    if user is not None:
        return f"user:{user.id}"
    return f"addr:{get_remote_address()}"


def _refuse_oversized_bodies() -> None:
    """413 for a body announced larger than ``MAX_CONTENT_LENGTH``, before anything reads it.

    Werkzeug enforces the limit only when a view reads the body (a form, a file, JSON); this
    refuses it for every route, those that ignore their body included.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length is not None and request.content_length > limit:
        abort(413)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for older browsers
    if request.is_secure and not current_app.debug:
        # Only over HTTPS (RFC 6797 §7.2); behind a proxy that needs PROXY_FIX for the scheme.
        headers.setdefault(
            "Strict-Transport-Security", f"max-age={int(current_app.config['HSTS_MAX_AGE'])}"
        )
    return response


def _stamp_sign_in(sender: Any, user: Any, **extra: Any) -> None:
    now = int(time.time())
    session["signed_in_at"] = now
    session["seen_at"] = now


def _end_stale_session() -> None:
    """Sign out a session past its absolute lifetime, or an organiser's idle one."""
    if "_user_id" not in session:
        return
    config = current_app.config
    now = int(time.time())
    signed_in_at = session.get("signed_in_at")
    seen_at = session.get("seen_at", signed_in_at)
    expired = (
        not isinstance(signed_in_at, int)
        or not isinstance(seen_at, int)
        or now - signed_in_at > int(config["SESSION_ABSOLUTE_TIMEOUT"])
    )
    if not expired and now - seen_at > int(config["ORGANISER_IDLE_TIMEOUT"]):
        expired = bool(current_user.is_authenticated and current_user.is_organiser)
    if expired:
        language = session.get("lang")
        logout_user()
        session.clear()
        if language:
            session["lang"] = language
        flash(_("Сеанс завершён по времени: войдите снова."), "error")
    elif now - seen_at >= SEEN_GRANULARITY:
        session["seen_at"] = now
