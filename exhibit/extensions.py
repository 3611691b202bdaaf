"""Flask extensions, created here and bound to the app in ``create_app``."""

from __future__ import annotations

import logging
import re

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = None
login_manager.session_protection = "strong"

csrf = CSRFProtect()

#: Limits are counted per client address, in shared storage when configured
#: (``EXHIBIT_RATELIMIT_STORAGE_URI``, e.g. ``redis://…``) so that every worker sees them.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


log = logging.getLogger(__name__)


def without_password(uri: str) -> str:
    """A storage URI fit for a log line: ``redis://:secret@host`` → ``redis://…@host``."""
    return re.sub(r"//[^@/]*@", "//…@", uri)


def check_rate_limit_storage(app: Flask) -> bool:
    """Whether the rate-limit storage answers; a warning in the log when it does not.

    A server starts anyway: until the storage answers, each worker counts in its own memory
    (Flask-Limiter's fallback, ``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``)."""
    if not app.config.get("RATELIMIT_ENABLED", True):
        return True
    with app.app_context():
        storage = limiter.storage
        try:
            alive = bool(storage.check())
        except Exception:  # a storage that cannot even say is not answering
            alive = False
    if not alive:
        log.warning(
            "rate-limit storage %s does not answer: each worker counts limits in its own "
            "memory until it does",
            without_password(str(app.config.get("RATELIMIT_STORAGE_URI"))),
        )
    return alive
