"""Accounts on the web: sign-in, sessions that really end, registration, CSRF, tokens."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from exhibit.accounts.models import ApiToken, User
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from tests.conftest import make_app
from tests.factories import PASSWORD, make_exhibition, make_exhibitor, make_user


def csrf_token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def site(app: Flask):
    exhibition = make_exhibition()
    exhibitor = make_exhibitor(exhibition, "Ирбит")
    make_user("a@example.ru", exhibitor=exhibitor)
    make_user("org@example.ru", "organiser")
    return exhibition


def test_login_and_logout(app, site):
    client = app.test_client()
    response = login(client, "a@example.ru")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    token = csrf_token(client, "/account")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/account").status_code == 302  # to the login page


def test_wrong_password_says_so_and_keeps_the_email(app, site):
    client = app.test_client()
    response = login(client, "a@example.ru", "wrong password!")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Неверная почта или пароль" in page
    assert 'value="a@example.ru"' in page


def test_a_replayed_cookie_after_logout_is_refused(app, site):
    client = app.test_client()
    login(client, "a@example.ru")
    stolen = client.get_cookie("session").value
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/account").status_code == 302


def test_changing_the_password_ends_other_sessions(app, site):
    first, second = app.test_client(), app.test_client()
    login(first, "a@example.ru")
    login(second, "a@example.ru")
    token = csrf_token(first, "/account")
    response = first.post(
        "/account",
        data={
            "csrf_token": token,
            "pw-csrf_token": token,
            "pw-current_password": PASSWORD,
            "pw-password": "a new and long password",
            "pw-confirm": "a new and long password",
        },
    )
    assert response.status_code == 302
    assert first.get("/account").status_code == 200  # this session goes on
    assert second.get("/account").status_code == 302  # the other one ended
    assert login(app.test_client(), "a@example.ru", "a new and long password").status_code == 302


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, site):
    client = app.test_client()
    response = client.post(f"/{site.slug}/register", data={
        "organisation": "Камышлов", "kind": "municipality", "email": "k@example.ru",
        "password": PASSWORD, "confirm": PASSWORD,
    })  # fmt: skip
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "k@example.ru")) is None


def test_registration_creates_an_unapproved_exhibitor(app, site):
    client = app.test_client()
    token = csrf_token(client, f"/{site.slug}/register")
    response = client.post(f"/{site.slug}/register", data={
        "csrf_token": token, "organisation": "Администрация Камышлова", "kind": "municipality",
        "email": "K@Example.ru", "password": PASSWORD, "confirm": PASSWORD,
    })  # fmt: skip
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "k@example.ru"))
    assert user.role == "exhibitor"
    assert user.exhibitor.name == "Администрация Камышлова"
    assert not user.exhibitor.approved
    assert user.password_hash.startswith("$argon2id$")


def test_registration_errors_stay_next_to_their_fields(app, site):
    client = app.test_client()
    token = csrf_token(client, f"/{site.slug}/register")
    response = client.post(f"/{site.slug}/register", data={
        "csrf_token": token, "organisation": "Ирбит", "kind": "municipality",
        "email": "new@example.ru", "password": "short", "confirm": "other",
    })  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in page
    assert "Пароли не совпадают" in page
    assert 'value="new@example.ru"' in page
    assert db.session.scalar(select(Exhibitor).where(Exhibitor.name == "new")) is None


def test_tokens_are_shown_once_stored_hashed_and_revocable(app, site):
    client = app.test_client()
    login(client, "a@example.ru")
    token = csrf_token(client, "/account")
    page = client.post(
        "/account", data={"csrf_token": token, "tok-csrf_token": token, "tok-label": "сайт"}
    ).get_data(as_text=True)
    shown = re.search(r'<code class="token">(exh_[^<]+)</code>', page).group(1)
    row = db.session.scalar(select(ApiToken))
    assert shown not in row.token_hash and len(row.token_hash) == 64
    headers = {"Authorization": f"Bearer {shown}"}
    assert client.post("/api/v1/reservations/999/cancel", headers=headers).status_code == 404
    client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": token})
    assert client.post("/api/v1/reservations/999/cancel", headers=headers).status_code == 401


def test_session_cookie_flags(app, site):
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    response = login(client, "a@example.ru")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_login_is_rate_limited(app, site, tmp_path):
    limited = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, RATELIMIT_ENABLED=True)
    client = limited.test_client()
    with limited.app_context():
        codes = [login(client, "a@example.ru", "wrong password!").status_code for _ in range(12)]
        db.engine.dispose()
    assert codes[:10] == [200] * 10
    assert codes[10] == 429
