"""exhibit: floor plans, booth reservations, catalogue and printed maps for an exhibition."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from exhibit import config as config_module
from exhibit.errors import ConfigurationError
from exhibit.resources import resource_dir
from exhibit.web import security


def create_app(config: dict[str, Any] | type | None = None) -> Flask:
    """Build the application: configuration → extensions → blueprints → CLI.

    ``config`` is a mapping or a class of settings that override the defaults and the
    ``EXHIBIT_*`` environment (tests pass ``TestConfig`` plus a database URL).
    """
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        instance_relative_config=True,
        instance_path=os.environ.get("EXHIBIT_INSTANCE_PATH") or None,
    )
    app.config.from_object(config_module.Config)
    app.config.update(config_module.from_environment(os.environ))
    if isinstance(config, type):
        app.config.from_object(config)
    elif config:
        app.config.update(config)

    _finish_config(app)
    # JSON as people read it: Cyrillic as itself (UTF-8), not as \u escapes.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _finish_config(app: Flask) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = config_module.default_database_url(
            app.instance_path
        )
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        make_url(uri).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise ConfigurationError(
            f"EXHIBIT_DATABASE_URL is not a usable database URL ({exc}); "
            "expected e.g. sqlite:///path/exhibit.sqlite3 or postgresql+psycopg://user@host/db"
        ) from None
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite":
        # A local file needs no liveness check on every checkout (a server connection does).
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if uri.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "postgresql+psycopg://" + uri[len("postgresql://") :]
        )
    if app.config.get("MAIL_URL"):
        from exhibit.mail.url import parse_mail_url

        parse_mail_url(app.config["MAIL_URL"])  # a mistake stops the start, with the reason
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.instance_secret_key(app.instance_path)
    if app.debug:
        app.config["SESSION_COOKIE_SECURE"] = False


def _init_extensions(app: Flask) -> None:
    from flask_babel import Babel

    from exhibit.accounts.decorators import load_session_user
    from exhibit.db import configure_sqlite, db, release_session
    from exhibit.extensions import csrf, limiter, login_manager

    db.init_app(app)
    app.teardown_appcontext(release_session)  # before Flask-SQLAlchemy's: see its text
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    Babel(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.user_loader(load_session_user)
    csrf.init_app(app)
    _init_limiter(app, limiter)
    security.init_app(app)
    _import_models()


def _init_limiter(app: Flask, limiter: Any) -> None:
    """Flask-Limiter on ``RATELIMIT_STORAGE_URI``; a storage it cannot use stops the app with
    one line (an unreachable Redis does not: see ``extensions.check_rate_limit_storage``)."""
    from limits.errors import ConfigurationError as StorageError

    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        timeout = float(app.config["RATELIMIT_REDIS_TIMEOUT"])
        options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {
            **options, **app.config.get("RATELIMIT_STORAGE_OPTIONS", {})
        }  # fmt: skip
    # Flask-Limiter says when it falls back to memory (and back) on a logger of its own that
    # has no handler: give it the app's, so the line reaches the server's error log.
    from flask.logging import default_handler

    limiter.logger.addHandler(default_handler)  # once: a handler is added only once
    try:
        limiter.init_app(app)
    except StorageError as exc:
        from exhibit.extensions import without_password

        raise ConfigurationError(
            f"EXHIBIT_RATELIMIT_STORAGE_URI={without_password(uri)!r} is not a usable "
            f"rate-limit storage ({without_password(str(exc))}); expected memory:// or redis://host:6379/0"
        ) from None


def _import_models() -> None:
    """Import every model module so the metadata (and Alembic) sees all tables."""
    from exhibit import audit  # noqa: F401
    from exhibit.accounts import models as _accounts  # noqa: F401
    from exhibit.billing import hooks as _billing_hooks
    from exhibit.billing import models as _billing  # noqa: F401
    from exhibit.booking import models as _booking  # noqa: F401
    from exhibit.catalogue import models as _catalogue  # noqa: F401
    from exhibit.floorplan import models as _floorplan  # noqa: F401
    from exhibit.mail import outbox as _outbox  # noqa: F401
    from exhibit.search import index as _search_index  # noqa: F401  (keeps the index current)
    from exhibit.search import models as _search  # noqa: F401

    _billing_hooks.install()


def _select_locale() -> str:
    from flask import current_app, request, session

    languages = current_app.config["LANGUAGES"]
    # Russian first: English only when the visitor chose it (the choice is remembered).
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _register_blueprints(app: Flask) -> None:
    from exhibit.api.extension import init_app as init_api
    from exhibit.api.views import bp as api_bp
    from exhibit.extensions import csrf
    from exhibit.web import health, site
    from exhibit.web.accounts import bp as accounts_bp
    from exhibit.web.billing import bp as billing_bp
    from exhibit.web.booking import bp as booking_bp
    from exhibit.web.catalogue import bp as catalogue_bp
    from exhibit.web.mail import bp as mail_bp
    from exhibit.web.maps import bp as maps_bp
    from exhibit.web.plans import bp as plans_bp
    from exhibit.web.profile import bp as profile_bp
    from exhibit.web.records import bp as records_bp
    from exhibit.web.search import bp as search_bp

    csrf.exempt(api_bp)  # bearer tokens only, never cookies: see exhibit/api/views.py
    security.limit_the_api(api_bp)
    init_api(app, [api_bp])
    app.register_blueprint(accounts_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(billing_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(records_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(maps_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(profile_bp)
    app.register_blueprint(mail_bp)
    site.init_app(app)
    health.init_app(app)


def _register_cli(app: Flask) -> None:
    from exhibit.commands import register

    register(app)
