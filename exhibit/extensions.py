"""Flask extensions, created here and bound to the app in ``create_app``."""

from __future__ import annotations

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
