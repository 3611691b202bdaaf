"""Every state-changing route refuses a request without a valid CSRF token, for every role.

The list of routes comes from the app's URL map, so a new POST/PUT/PATCH/DELETE route is
covered the day it is added. Only the JSON API under ``/api/`` is left out: it accepts
bearer tokens only, never the session cookie (tests/web/test_access_matrix.py proves that),
so a page on another site has nothing to forge there.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from exhibit.accounts.models import ApiToken, User
from exhibit.audit import AuditEvent
from exhibit.booking import services
from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from exhibit.mail.outbox import OutboxMessage
from tests.factories import make_exhibition, make_exhibitor, make_user
from tests.web.test_accounts import csrf_token, login

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
MESSAGE = "Форма устарела или отправлена не с этого сайта"


def state_changing_routes(app) -> list[tuple[str, str, object]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            continue
        for method in sorted((rule.methods or set()) & STATE_CHANGING):
            routes.append((rule.endpoint, method, rule))
    return sorted(routes, key=lambda r: (r[0], r[1]))


@pytest.fixture
def world(app):
    exhibition = make_exhibition(slug="csrf")
    exhibitor = make_exhibitor(exhibition, "Ирбит")
    user = make_user("a@example.ru", exhibitor=exhibitor)
    make_user("org@example.ru", "organiser")
    solution = Solution(exhibitor_id=exhibitor.id, title="Сквер", track_code="living", stage="idea")
    db.session.add(solution)
    db.session.commit()  # a unit of work starts clean: the world is committed before it
    reservation = services.request_booth(db.session, exhibition, "A1", exhibitor, user)
    db.session.commit()
    return {
        "slug": exhibition.slug, "hall_name": "Зал 1", "number": "A1", "code": "en",
        "exhibitor_id": exhibitor.id, "solution_id": solution.id,
        "reservation_id": reservation.id,
    }  # fmt: skip


def _url(rule, values: dict) -> str:
    arguments = {}
    for name in rule.arguments:
        if name in values:
            arguments[name] = values[name]
        elif isinstance(rule._converters[name], IntegerConverter):
            arguments[name] = 1
        else:
            arguments[name] = "x"
    return rule.build(arguments, append_unknown=False)[1]


def _fingerprint() -> tuple:
    return (
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        tuple(db.session.execute(select(Reservation.booth_id, Reservation.status))),
        tuple(db.session.scalars(select(User.session_version).order_by(User.id))),
        tuple(db.session.execute(select(Exhibitor.name, Exhibitor.logo, Exhibitor.approved))),
        db.session.scalar(select(func.count()).select_from(Solution)),
        db.session.scalar(select(func.count()).select_from(ApiToken)),
        tuple(db.session.execute(select(OutboxMessage.status).order_by(OutboxMessage.id))),
        tuple(db.session.execute(select(User.email, User.password_hash, User.language,
                                        User.notice_settings).order_by(User.id))),
    )  # fmt: skip


def test_the_list_of_routes_is_not_empty(app):
    endpoints = {endpoint for endpoint, _, _ in state_changing_routes(app)}
    # A sanity check on the generator, not the list itself: it must find the known forms.
    assert {"accounts.login", "accounts.logout", "booking.request_booth", "plans.upload",
            "profile.upload_logo", "profile.edit"} <= endpoints  # fmt: skip


@pytest.mark.parametrize("role", ["anonymous", "a@example.ru", "org@example.ru"])
def test_every_state_changing_route_refuses_a_missing_or_forged_csrf_token(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        assert login(client, role).status_code == 302
    other = app.test_client()  # a token that is valid, but for another visitor's session
    foreign_token = csrf_token(other, "/login")
    before = _fingerprint()
    failures = []
    for endpoint, method, rule in state_changing_routes(app):
        url = _url(rule, world)
        form = {"title": "X", "name": "X", "email": "a@example.ru", "password": "x" * 12}
        for label, data in (("missing", form), ("forged", {**form, "csrf_token": foreign_token})):
            response = client.open(url, method=method, data=data)
            text = response.get_data(as_text=True)
            if response.status_code != 400 or MESSAGE not in text:
                failures.append(f"{endpoint} {method} {url} ({label}): {response.status_code}")
    assert failures == []
    assert _fingerprint() == before
