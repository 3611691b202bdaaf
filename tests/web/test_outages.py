"""When a part behind the app is down: the database (503 with Retry-After, never a trace),
the rate-limit storage (a wrong one stops the app with one line; an unreachable one is a
warning at start and limits are counted in memory, with a log line, until it answers).

The same faults on the real topology (two gunicorn servers, nginx, Redis, PostgreSQL
restarted under load) are in tests/cluster/.
"""

from __future__ import annotations

import logging
import socket

import pytest

from exhibit.db import db
from exhibit.errors import ConfigurationError
from exhibit.extensions import check_rate_limit_storage, limiter
from tests.conftest import make_app
from tests.web.test_accounts import csrf_token

UNREACHABLE_DATABASES = [
    "postgresql+psycopg://exhibit:s3cret@127.0.0.1:1/nowhere?connect_timeout=2",
    "sqlite:////nonexistent-directory/s3cret/exhibit.sqlite3",
]


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("url", UNREACHABLE_DATABASES)
def test_pages_and_the_api_answer_503_with_retry_after_when_the_database_is_down(
    tmp_path, url, caplog
):
    broken = make_app(url, tmp_path)
    client = broken.test_client()
    with broken.app_context():
        page = client.get("/")
        catalogue = client.get("/goroda-rossii-2025/exhibitors/")
        api = client.get("/api/v1/exhibitions")
        db.engine.dispose()
    for response in (page, catalogue, api):
        assert response.status_code == 503, response.get_data(as_text=True)[:300]
        assert response.headers["Retry-After"] == "5"
        body = response.get_data(as_text=True)
        assert "Traceback" not in body and "s3cret" not in body and "psycopg" not in body
    assert "недоступен" in page.get_data(as_text=True)
    assert api.get_json()["error"]["code"] == "service_unavailable"
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any(line.startswith("database unavailable: ") for line in lines), lines
    assert not any(r.exc_info for r in caplog.records), "a trace was logged"


def test_the_apis_rate_limit_does_not_take_a_database_outage_for_its_own(tmp_path, caplog):
    """The API's limit asks the database whose token it is: without a database that is the
    view's 503, not a 500 and not Flask-Limiter's «storage unreachable»."""
    broken = make_app(UNREACHABLE_DATABASES[0], tmp_path, RATELIMIT_ENABLED=True)
    client = broken.test_client()
    with broken.app_context():
        answers = [
            client.get("/api/v1/exhibitions", headers={"Authorization": "Bearer x"}),
            client.post(
                "/api/v1/exhibitions/x/booths/A1/reservations",
                headers={"Authorization": "Bearer x"},
            ),
        ]
        db.engine.dispose()
    assert [a.status_code for a in answers] == [503, 503]
    assert not any("falling back" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "uri", ["redis//cache:6379", "memcache://cache", "redis+sentinel//:s3cret@x"]
)
def test_a_wrong_rate_limit_storage_stops_the_app_with_one_line(tmp_path, uri):
    with pytest.raises(ConfigurationError) as raised:
        make_app(
            f"sqlite:///{tmp_path / 'x.sqlite3'}",
            tmp_path,
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=uri,
        )
    message = raised.value.message
    assert "\n" not in message
    assert message.startswith("EXHIBIT_RATELIMIT_STORAGE_URI=")
    assert "redis://host:6379/0" in message and "s3cret" not in message


@pytest.fixture
def unreachable_redis(app, tmp_path):
    """The app (its test database) with its limits in a Redis that does not answer."""
    from tests.factories import make_exhibition, make_exhibitor, make_user

    make_user("a@example.ru", exhibitor=make_exhibitor(make_exhibition(slug="r"), "Ирбит"))
    db.session.commit()
    limited = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=f"redis://:s3cret@127.0.0.1:{closed_port()}/0",
    )
    try:
        yield limited
    finally:
        # One limiter object serves every app of the test session: forget the dead storage.
        limiter._storage_dead = False


def test_an_unreachable_redis_is_a_warning_and_limits_fall_back_to_memory(
    unreachable_redis, caplog
):
    assert check_rate_limit_storage(unreachable_redis) is False
    warning = [r.getMessage() for r in caplog.records if "does not answer" in r.getMessage()]
    assert len(warning) == 1 and "s3cret" not in warning[0], warning

    client = unreachable_redis.test_client()
    with unreachable_redis.app_context():
        home = client.get("/", follow_redirects=True)
        token = csrf_token(client, "/login")
        statuses = [
            client.post(
                "/login",
                data={"email": "a@example.ru", "password": "wrong password", "csrf_token": token},
            ).status_code
            for _ in range(11)
        ]
        db.engine.dispose()
    assert home.status_code == 200
    # Sign-in allows 10 a minute: still counted (in this worker's memory), still refused.
    assert statuses == [200] * 10 + [429]
    assert any(
        "falling back to in-memory storage" in r.getMessage() and r.levelno == logging.WARNING
        for r in caplog.records
    )
