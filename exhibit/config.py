"""Configuration: defaults, overridden by ``EXHIBIT_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, ClassVar

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
    RATELIMIT_HEADERS_ENABLED = True
    #: Seconds a worker trusts the data version it read for its cache of anonymous pages
    #: (``exhibit/pagecache.py``): changes made by other workers show within this time.
    PAGECACHE_RECHECK = 1.0
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session


class TestConfig(Config):
    TESTING = True
    SESSION_COOKIE_SECURE = False
    SECRET_KEY = "test-secret-key-not-for-production"
    RATELIMIT_ENABLED = False


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Settings named ``EXHIBIT_<NAME>`` in the environment, by Flask name."""
    mapping = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}
    settings: dict[str, Any] = {}
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX) :]
            settings[mapping.get(name, name)] = value
    return settings


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
