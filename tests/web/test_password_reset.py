"""Password reset and e-mail change by a mailed link: single-use, one hour, the same answer
for every address, limited per address and per client, every session ended, audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from exhibit.audit import AuditEvent
from exhibit.db import db
from exhibit.mail.outbox import OutboxMessage
from exhibit.timeutil import utcnow
from tests.conftest import make_app
from tests.factories import PASSWORD, make_exhibition, make_exhibitor, make_user
from tests.web.test_accounts import csrf_token, login

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def user(app):
    exhibition = make_exhibition()
    return make_user("a@example.ru", exhibitor=make_exhibitor(exhibition, "Ирбит"))


def mails(**filters) -> list[OutboxMessage]:
    db.session.commit()
    return list(db.session.scalars(db.select(OutboxMessage).filter_by(**filters)))


def ask_reset(client, email: str):
    token = csrf_token(client, "/password/forgot")
    return client.post("/password/forgot", data={"email": email, "csrf_token": token})


def link_in(message: OutboxMessage) -> str:
    return re.search(r"http://127\.0\.0\.1:5000(/\S+)", message.text_body).group(1)


def set_password(client, path: str, password: str = NEW_PASSWORD):
    token = csrf_token(client, path)
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": token})


def test_the_answer_is_the_same_whether_the_address_has_an_account(app, user):
    pages = []
    for address in ("a@example.ru", "nobody@example.ru"):
        client = app.test_client()
        response = ask_reset(client, address)
        assert response.status_code == 302 and response.location == "/login"
        page = client.get(response.location).text  # with the flashed answer
        pages.append(re.sub(r'value="[^"]*"', "", page))  # CSRF tokens differ, nothing else
    assert "ссылка для смены" in pages[0]
    assert pages[0] == pages[1]
    (message,) = mails(kind="password.reset")
    assert message.recipient == "a@example.ru"
    assert mails(recipient="nobody@example.ru") == []


def test_a_reset_sets_the_password_ends_every_session_and_is_audited(app, user):
    elsewhere = app.test_client()
    assert login(elsewhere, "a@example.ru").status_code == 302
    assert elsewhere.get("/account").status_code == 200
    ask_reset(app.test_client(), "a@example.ru")
    path = link_in(mails(kind="password.reset")[0])
    client = app.test_client()
    assert client.get(path).status_code == 200
    assert set_password(client, path).status_code == 302
    assert elsewhere.get("/account").status_code == 302  # signed out
    assert login(app.test_client(), "a@example.ru", PASSWORD).status_code == 200  # refused
    assert login(app.test_client(), "a@example.ru", NEW_PASSWORD).status_code == 302
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"user.password_reset_requested", "user.password_reset"} <= actions
    # Single use: the same link no longer works.
    again = app.test_client().get(path)
    assert again.status_code == 302 and again.location.endswith("/password/forgot")


def test_a_link_expires_after_an_hour(app, user):
    ask_reset(app.test_client(), "a@example.ru")
    path = link_in(mails(kind="password.reset")[0])
    client = app.test_client()
    token = csrf_token(client, path)  # the page opened in time …
    with freeze_time(utcnow() + timedelta(minutes=61)):  # … the form sent too late
        response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                           "csrf_token": token})  # fmt: skip
    assert response.status_code == 302 and response.location.endswith("/password/forgot")
    assert login(app.test_client(), "a@example.ru", PASSWORD).status_code == 302


def test_a_link_stops_working_once_the_password_changes(app, user):
    ask_reset(app.test_client(), "a@example.ru")
    path = link_in(mails(kind="password.reset")[0])
    client = app.test_client()
    login(client, "a@example.ru")
    token = csrf_token(client, "/account")
    client.post("/account", data={"pw-current_password": PASSWORD, "pw-password": NEW_PASSWORD,
                                  "pw-confirm": NEW_PASSWORD, "csrf_token": token})  # fmt: skip
    assert login(app.test_client(), "a@example.ru", NEW_PASSWORD).status_code == 302
    assert app.test_client().get(path).status_code == 302
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert app.test_client().get(forged).status_code == 302


def test_at_most_three_links_an_hour_go_to_one_address(app, user):
    for _ in range(5):
        assert ask_reset(app.test_client(), "a@example.ru").status_code == 302
    assert len(mails(kind="password.reset")) == 3


def test_each_client_is_limited(app, user, tmp_path):
    limited = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, RATELIMIT_ENABLED=True)
    client = limited.test_client()
    with limited.app_context():
        statuses = [ask_reset(client, f"x{i}@example.ru").status_code for i in range(6)]
        db.engine.dispose()
    assert statuses[:5] == [302] * 5 and statuses[5] == 429


def test_changing_the_address_takes_a_link_sent_to_the_new_one(app, user):
    client = app.test_client()
    login(client, "a@example.ru")
    token = csrf_token(client, "/account")
    response = client.post("/account", data={"em-email": "new@example.ru",
                                             "em-current_password": PASSWORD,
                                             "csrf_token": token})  # fmt: skip
    assert response.status_code == 302
    (message,) = mails(kind="email.change")
    assert message.recipient == "new@example.ru"
    db.session.refresh(user)
    assert user.email == "a@example.ru"  # not before the link is opened
    path = link_in(message)
    page = client.get(path)
    assert page.status_code == 200 and "new@example.ru" in page.text
    token = csrf_token(client, path)
    assert client.post(path, data={"csrf_token": token}).status_code == 302
    db.session.refresh(user)
    assert user.email == "new@example.ru"
    (notice,) = mails(kind="email.changed")
    assert notice.recipient == "a@example.ru"
    assert "user.email_changed" in set(db.session.scalars(db.select(AuditEvent.action)))
    assert client.get(path).status_code == 302  # used: the address changed


def test_a_malformed_address_is_refused_at_registration(app, user):
    client = app.test_client()
    token = csrf_token(client, "/test/register")
    response = client.post("/test/register", data={
        "organisation": "Реж", "kind": "municipality", "email": "reж@@example",
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token})  # fmt: skip
    assert response.status_code == 200
    assert mails(kind="registration_received") == []


def test_registration_writes_its_notices_in_the_visitors_language(app, user):
    make_user("org@example.ru", "organiser")
    client = app.test_client()
    client.get("/lang/en")
    token = csrf_token(client, "/test/register")
    response = client.post("/test/register", data={
        "organisation": "Реж", "kind": "municipality", "email": "rezh@example.ru",
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token})  # fmt: skip
    assert response.status_code == 302
    (received,) = mails(kind="registration_received")
    assert received.language == "en" and received.subject.startswith("The application of")
    (organisers,) = mails(kind="organiser.registration")
    assert organisers.recipient == "org@example.ru" and organisers.language == "ru"
