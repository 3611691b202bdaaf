"""Who may do what: decorators for views (sessions) and the API (bearer tokens)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, g, request
from flask_login import current_user

from exhibit.accounts.models import User
from exhibit.db import db

F = TypeVar("F", bound=Callable[..., Any])


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's loader: ``"<id>:<session version>"``; an outdated version is refused."""
    raw_id, _, version = user_id.partition(":")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def organiser_required(view: F) -> F:
    """Only signed-in organisers; others get 403 (anonymous users go to the login page)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            from exhibit.extensions import login_manager

            return login_manager.unauthorized()
        if not current_user.is_organiser:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def exhibitor_required(view: F) -> F:
    """Only signed-in users who represent an exhibitor (approved or not)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            from exhibit.extensions import login_manager

            return login_manager.unauthorized()
        if current_user.exhibitor is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def api_user() -> User | None:
    """The user of the request's ``Authorization: Bearer`` token (cached on ``g``)."""
    if "api_user" not in g:
        from exhibit.accounts.services import user_for_token

        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        g.api_user = (
            user_for_token(db.session, token.strip())
            if scheme.lower() == "bearer" and token
            else None
        )
    return g.api_user


def token_required(view: F) -> F:
    """API views that need a valid bearer token: 401 otherwise."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if api_user() is None:
            abort(401, description="Нужен действующий токен API: «Authorization: Bearer TOKEN»")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
