"""The app as bench/load.py serves it under gunicorn: rate limits off, cookies over http.

Every simulated user comes from 127.0.0.1, so a per-address rate limit would measure the
limiter, not the site; the session cookie must travel over plain http to the load tool.
"""

from exhibit import create_app

app = create_app({"RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False})
