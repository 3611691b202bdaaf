"""Configuration: defaults, overridden by ``EXHIBIT_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, ClassVar

from exhibit.errors import ConfigurationError

ENV_PREFIX = "EXHIBIT_"


class Config:
    """Defaults for a local installation (SQLite in the instance folder)."""

    SQLALCHEMY_DATABASE_URI: str | None = None  # set from the instance folder when not given
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}
    SECRET_KEY: str | None = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_DEFAULT_TIMEZONE = "Asia/Yekaterinburg"
    LANGUAGES = ("ru", "en")
    DEMO_SLUG = "goroda-rossii-2025"
    #: The site's public address, for links printed on paper (QR codes in the catalogue).
    PUBLIC_URL = "http://127.0.0.1:5000"
    #: Flask-Limiter storage; set a shared one (``redis://…``) when running several workers.
    RATELIMIT_STORAGE_URI = "memory://"
    #: When the shared storage stops answering, each worker counts in its own memory (one
    #: warning in the log) and goes back to the shared one when it answers again.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    #: Seconds to wait for Redis before a request counts in memory instead (never a hang).
    RATELIMIT_REDIS_TIMEOUT = 0.5
    #: What ``Retry-After`` says when the database cannot be reached (503), in seconds.
    DATABASE_RETRY_AFTER = 5
    RATELIMIT_HEADERS_ENABLED = True
    #: Seconds a worker trusts the data version it read for its cache of anonymous pages
    #: (``exhibit/pagecache.py``): changes made by other workers show within this time.
    PAGECACHE_RECHECK = 1.0
    #: One limit for every client of the JSON API (``/api/…``), per user of a valid bearer
    #: token, otherwise per address. Sign-in and registration have their own limits.
    API_RATELIMIT = "300 per minute"
    #: How many reverse proxies in front of the app set ``X-Forwarded-*`` headers (0: none,
    #: the headers are ignored). See docs/operations.md.
    PROXY_FIX = 0
    #: Sessions end after this long in any case (seconds) …
    SESSION_ABSOLUTE_TIMEOUT = 12 * 3600
    #: … and organisers' sessions after this long without a request.
    ORGANISER_IDLE_TIMEOUT = 30 * 60
    HSTS_MAX_AGE = 365 * 24 * 3600
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    #: Where mail goes (``EXHIBIT_MAIL_URL``): ``smtp://[user:password@]host[:port]``,
    #: ``smtp://…?starttls`` or ``smtps://…``; empty: ``.eml`` files in MAIL_FOLDER.
    MAIL_URL = ""
    #: The folder of the file transport (default: ``mail/`` in the instance folder).
    MAIL_FOLDER = ""
    MAIL_FROM = "noreply@localhost"
    MAIL_FROM_NAME = "Города России — 2025"
    #: Seconds: the SMTP conversation's timeout; how long a worker's claim on a message lasts.
    MAIL_TIMEOUT = 30.0
    MAIL_LEASE = 300
    #: Pauses between attempts grow from MAIL_RETRY_BASE seconds, doubling, up to
    #: MAIL_RETRY_MAX; after MAIL_MAX_ATTEMPTS the message is failed.
    MAIL_RETRY_BASE = 60
    MAIL_RETRY_MAX = 6 * 3600
    MAIL_MAX_ATTEMPTS = 20
    #: A bigger attachment is left out; the notice's link to it stays.
    MAIL_MAX_ATTACHMENT = 5 * 1024 * 1024
    #: The worker: seconds between looks at the outbox, and between runs of its jobs.
    WORKER_POLL = 5.0
    SWEEP_EVERY = 60
    REMINDERS_EVERY = 600


class TestConfig(Config):
    TESTING = True
    SESSION_COOKIE_SECURE = False
    SECRET_KEY = "test-secret-key-not-for-production"
    RATELIMIT_ENABLED = False


#: Settings that are yes/no although they are not in :class:`Config` (Flask's own).
BOOLEAN_SETTINGS = frozenset({"DEBUG", "TESTING", "RATELIMIT_ENABLED", "SQLALCHEMY_ECHO"})
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Settings named ``EXHIBIT_<NAME>`` in the environment, by Flask name.

    Values are text; settings whose default is a number or a yes/no become one (so that
    ``EXHIBIT_DEBUG=0`` means off and ``EXHIBIT_MAX_CONTENT_LENGTH=1048576`` is a number).
    """
    mapping = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}
    settings: dict[str, Any] = {}
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX):
            name = mapping.get(key[len(ENV_PREFIX) :], key[len(ENV_PREFIX) :])
            settings[name] = _typed(key, name, value)
    return settings


def _typed(variable: str, name: str, value: str) -> Any:
    default = getattr(Config, name, None)
    if isinstance(default, bool) or name in BOOLEAN_SETTINGS:
        if value.strip().lower() in _TRUE:
            return True
        if value.strip().lower() in _FALSE:
            return False
        raise ConfigurationError(
            f"{variable}={value!r}: expected 1/0, true/false, yes/no or on/off"
        )
    if isinstance(default, int):
        try:
            return int(value)
        except ValueError:
            raise ConfigurationError(f"{variable}={value!r}: expected a whole number") from None
    if isinstance(default, float):
        try:
            return float(value)
        except ValueError:
            raise ConfigurationError(f"{variable}={value!r}: expected a number") from None
    return value


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "exhibit.sqlite3")


def instance_secret_key(instance_path: str) -> str:
    """The secret key kept in the instance folder, made on first use (mode 0600)."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
