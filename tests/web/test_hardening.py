"""HTTP hardening: headers, size limit, rate limits behind (forged) proxies, sessions that
end, no debugger and no stack traces, settings from the environment, the health check."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time

from exhibit.accounts.services import issue_token
from exhibit.config import from_environment
from exhibit.db import db
from exhibit.errors import ConfigurationError
from exhibit.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import make_app
from tests.factories import make_exhibition, make_exhibitor, make_user
from tests.web.test_accounts import csrf_token, login


@pytest.fixture
def site(app):
    exhibition = make_exhibition(slug="hard")
    exhibitor = make_exhibitor(exhibition, "Ирбит")
    make_user("a@example.ru", exhibitor=exhibitor)
    make_user("org@example.ru", "organiser")
    return exhibition


def _directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in parts}


# --- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/hard/", "/hard/map", "/nowhere", "/api/v1/exhibitions"])
def test_every_response_has_the_security_headers(app, site, path):
    response = app.test_client().get(path)
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert "unsafe" not in csp["default-src"] and "unsafe" not in csp["style-src"]
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_only_style_attributes_are_allowed_inline():
    assert CONTENT_SECURITY_POLICY["style-src-attr"] == "'unsafe-inline'"
    assert "style-src-elem" not in CONTENT_SECURITY_POLICY  # <style> falls back to 'self'


def test_hsts_over_https_outside_debug(app, site):
    client = app.test_client()
    secure = client.get("/hard/", base_url="https://exhibit.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    app.debug = True
    try:
        debug = client.get("/hard/", base_url="https://exhibit.example")
    finally:
        app.debug = False
    assert "Strict-Transport-Security" not in debug.headers


def test_a_view_with_a_stricter_policy_keeps_it(app, site):
    logos = Path(app.instance_path) / "uploads" / "logos"
    logos.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".png"
    (logos / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    response = app.test_client().get(f"/logos/{name}")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    response.close()
    (logos / name).unlink()


# --- request size ---------------------------------------------------------------------------


def test_an_oversized_api_body_is_refused_with_the_json_error_shape(app, site):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    user = make_user("api@example.ru", exhibitor=make_exhibitor(site, "Тагил"))
    token = issue_token(db.session, user)
    db.session.commit()
    response = app.test_client().post(
        "/api/v1/exhibitions/hard/booths/A1/reservations",
        data=b"x" * 4096,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "request_entity_too_large"
    assert "не больше" in error["message"]
    from exhibit.booking.models import Reservation

    assert db.session.scalar(db.select(db.func.count()).select_from(Reservation)) == 0


def test_an_oversized_form_gets_a_page_that_says_so(app, site):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = app.test_client().post("/login", data={"email": "x" * 4096})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Файл слишком большой" in page and "<html" in page


# --- rate limits ----------------------------------------------------------------------------


def _limited_app(app, tmp_path, **settings):
    return make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, RATELIMIT_ENABLED=True, **settings
    )


def _logins(client, count: int, **request_options) -> list[int]:
    token = csrf_token(client, "/login")
    return [
        client.post(
            "/login",
            data={"email": "a@example.ru", "password": "wrong password!", "csrf_token": token},
            **request_options,
        ).status_code
        for _ in range(count)
    ]


def test_a_refused_login_says_when_to_come_back(app, site, tmp_path):
    limited = _limited_app(app, tmp_path)
    client = limited.test_client()
    with limited.app_context():
        assert _logins(client, 10) == [200] * 10
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"email": "a@example.ru", "csrf_token": token})
        db.engine.dispose()
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert "Слишком много запросов" in response.get_data(as_text=True)


def test_a_forged_forwarded_for_cannot_reset_the_login_limit_without_a_proxy(app, site, tmp_path):
    limited = _limited_app(app, tmp_path)  # PROXY_FIX = 0: X-Forwarded-For is not believed
    client = limited.test_client()
    with limited.app_context():
        codes = [
            _logins(client, 1, headers={"X-Forwarded-For": f"198.51.100.{i}"})[0] for i in range(12)
        ]
        db.engine.dispose()
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]


def test_a_forged_forwarded_for_cannot_reset_the_login_limit_behind_a_proxy(app, site, tmp_path):
    """Behind one proxy, only the address the proxy added (the last one) counts."""
    limited = _limited_app(app, tmp_path, PROXY_FIX=1)
    client = limited.test_client()
    with limited.app_context():
        codes = [
            # The client sends a made-up X-Forwarded-For; the proxy appends the real address.
            _logins(client, 1, headers={"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.7"})[0]
            for i in range(12)
        ]
        # Another real client (another address added by the proxy) has a bucket of its own:
        # the proxy's header is believed, so ProxyFix is really in place.
        other = _logins(client, 1, headers={"X-Forwarded-For": "203.0.113.8"})
        db.engine.dispose()
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]
    assert other == [200]


def test_forwarded_https_is_believed_only_behind_a_configured_proxy(app, site, tmp_path):
    headers = {"X-Forwarded-Proto": "https"}
    results = []
    for proxies in (0, 1):
        other = _limited_app(app, tmp_path, PROXY_FIX=proxies)
        with other.app_context():
            response = other.test_client().get("/healthz", headers=headers)
            db.engine.dispose()
        results.append("Strict-Transport-Security" in response.headers)
    assert results == [False, True]


def test_the_api_is_rate_limited_per_token_user_or_address(app, site, tmp_path):
    user = make_user("api@example.ru", exhibitor=make_exhibitor(site, "Тагил"))
    token = issue_token(db.session, user)
    db.session.commit()
    limited = _limited_app(app, tmp_path, API_RATELIMIT="3 per minute")
    client = limited.test_client()
    booths = "/api/v1/exhibitions/hard/booths"
    with limited.app_context():
        # One budget for the whole API: two routes draw on it.
        anonymous = [
            client.get("/api/v1/exhibitions").status_code,
            client.get(booths).status_code,
            client.get(booths).status_code,
        ]
        refused = client.get("/api/v1/exhibitions")
        # Made-up tokens do not buy a fresh budget: they count against the address.
        fake = client.get(booths, headers={"Authorization": f"Bearer {secrets.token_hex(16)}"})
        # A valid token's user has a budget of their own, wherever they come from.
        bearer = {"Authorization": f"Bearer {token}"}
        mine = [client.get(booths, headers=bearer).status_code for _ in range(4)]
        # Another address: its own budget too.
        elsewhere = client.get(booths, environ_base={"REMOTE_ADDR": "192.0.2.44"})
        # The pages are not part of the API's limit.
        page = client.get("/hard/")
        health = [client.get("/healthz").status_code for _ in range(5)]
        db.engine.dispose()
    assert anonymous == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert "Слишком много запросов" in refused.get_json()["error"]["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert fake.status_code == 429
    assert mine == [200, 200, 200, 429]
    assert elsewhere.status_code == 200
    assert page.status_code == 200
    assert health == [200] * 5


def test_the_health_check_is_exempt_even_from_a_default_limit(app, site, tmp_path):
    from exhibit.extensions import limiter

    try:
        limited = _limited_app(app, tmp_path, RATELIMIT_DEFAULT="2 per minute")
        client = limited.test_client()
        with limited.app_context():
            pages = [client.get("/lang/en").status_code for _ in range(3)]
            health = [client.get("/healthz").status_code for _ in range(5)]
            db.engine.dispose()
    finally:
        # The limiter is one object for every app of the test session: forget the default.
        limiter.limit_manager.set_default_limits([])
    assert pages == [302, 302, 429]  # the default limit is really on
    assert health == [200] * 5


# --- sessions -------------------------------------------------------------------------------


def test_an_organisers_session_ends_after_30_idle_minutes(app, site):
    client = app.test_client()
    with freeze_time("2025-05-20 09:00:00") as clock:
        assert login(client, "org@example.ru").status_code == 302
        for _ in range(4):  # busy: a request every 25 minutes keeps the session
            clock.tick(timedelta(minutes=25))
            assert client.get("/account").status_code == 200
        clock.tick(timedelta(minutes=31))  # away for more than 30 minutes
        response = client.get("/account")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert "Сеанс завершён" in client.get("/login").get_data(as_text=True)
        assert client.get("/account").status_code == 302  # and it stays ended


def test_every_session_ends_12_hours_after_sign_in(app, site):
    client = app.test_client()
    with freeze_time("2025-05-20 09:00:00") as clock:
        assert login(client, "a@example.ru").status_code == 302
        clock.tick(timedelta(hours=3))  # exhibitors may be idle for hours …
        assert client.get("/account").status_code == 200
        for _ in range(8):  # … and a busy session lives until 12 h after sign-in
            clock.tick(timedelta(minutes=59))
            assert client.get("/account").status_code == 200
        clock.tick(timedelta(hours=12) - timedelta(hours=3, minutes=8 * 59) + timedelta(minutes=1))
        assert client.get("/account").status_code == 302
        # Signing in again starts a new 12 hours.
        assert login(client, "a@example.ru").status_code == 302
        assert client.get("/account").status_code == 200


def test_the_organisers_session_also_ends_after_12_hours(app, site):
    client = app.test_client()
    with freeze_time("2025-05-20 09:00:00") as clock:
        login(client, "org@example.ru")
        for _ in range(24):
            clock.tick(timedelta(minutes=29))
            assert client.get("/account").status_code == 200
        clock.tick(timedelta(minutes=29))  # 12 h 29 min since sign-in, never idle
        assert client.get("/account").status_code == 302


# --- errors and debug -----------------------------------------------------------------------


def test_an_unexpected_error_is_a_page_without_a_stack_trace(app, site, tmp_path):
    broken = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, PROPAGATE_EXCEPTIONS=False)

    def explode():
        raise RuntimeError("secret detail from /srv/exhibit/db.py")

    broken.add_url_rule("/explode", "explode", explode)
    broken.add_url_rule("/api/v1/explode", "api_explode", explode)
    assert broken.debug is False
    client = broken.test_client()
    with broken.app_context():
        page = client.get("/explode")
        api = client.get("/api/v1/explode")
        db.engine.dispose()
    assert page.status_code == 500 and api.status_code == 500
    text = page.get_data(as_text=True)
    assert "Ошибка на сервере" in text
    for leak in ("Traceback", "RuntimeError", "secret detail", "db.py", "Werkzeug Debugger"):
        assert leak not in text
        assert leak not in api.get_data(as_text=True)
    assert api.get_json()["error"]["code"] == "internal_server_error"


def test_debug_is_off_unless_asked():
    assert from_environment({}).get("DEBUG") is None
    assert from_environment({"EXHIBIT_DEBUG": "0"})["DEBUG"] is False
    assert from_environment({"EXHIBIT_DEBUG": "false"})["DEBUG"] is False
    assert from_environment({"EXHIBIT_DEBUG": "1"})["DEBUG"] is True
    with pytest.raises(ConfigurationError, match="EXHIBIT_DEBUG"):
        from_environment({"EXHIBIT_DEBUG": "maybe"})


def test_the_app_runs_without_debug_by_default(app):
    assert app.debug is False
    assert app.config["SESSION_COOKIE_SECURE"] is False  # TestConfig; production below
    from exhibit.config import Config

    assert Config.SESSION_COOKIE_SECURE is True


def test_numbers_from_the_environment_are_numbers():
    settings = from_environment(
        {
            "EXHIBIT_MAX_CONTENT_LENGTH": "1048576",
            "EXHIBIT_PROXY_FIX": "2",
            "EXHIBIT_PAGECACHE_RECHECK": "0.5",
            "EXHIBIT_X": "y",
        }
    )
    assert settings == {
        "MAX_CONTENT_LENGTH": 1048576,
        "PROXY_FIX": 2,
        "PAGECACHE_RECHECK": 0.5,
        "X": "y",
    }
    with pytest.raises(ConfigurationError, match="EXHIBIT_PROXY_FIX"):
        from_environment({"EXHIBIT_PROXY_FIX": "yes"})
    with pytest.raises(ConfigurationError, match="EXHIBIT_PAGECACHE_RECHECK"):
        from_environment({"EXHIBIT_PAGECACHE_RECHECK": "soon"})


# --- health ---------------------------------------------------------------------------------


def test_healthz_checks_the_database(app, backend):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == backend
    assert body["schema"]  # the migration the database is at
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://exhibit:s3cret@127.0.0.1:1/nowhere?connect_timeout=2",
        "sqlite:////nonexistent-directory/s3cret/exhibit.sqlite3",
    ],
)
def test_healthz_says_503_when_the_database_is_unreachable(tmp_path, url):
    broken = make_app(url, tmp_path)
    with broken.app_context():
        response = broken.test_client().get("/healthz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
    assert "s3cret" not in response.get_data(as_text=True)


def test_healthz_says_503_without_a_schema(tmp_path):
    empty = make_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path)
    with empty.app_context():
        response = empty.test_client().get("/healthz")
        db.engine.dispose()
    assert response.status_code == 503
    assert json.loads(response.data)["database"] == "no schema"
