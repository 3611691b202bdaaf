"""A small world for the mail tests: an exhibition, an exhibitor with a user, an organiser."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from exhibit.accounts.models import User
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.floorplan.models import Exhibition
from exhibit.mail.outbox import OutboxMessage
from tests.factories import make_exhibition, make_exhibitor, make_user


@dataclass
class World:
    exhibition: Exhibition
    exhibitor: Exhibitor
    user: User
    organiser: User


@pytest.fixture
def world(app) -> World:
    exhibition = make_exhibition()
    exhibitor = make_exhibitor(exhibition, "Ирбит")
    user = make_user("irbit@example.ru", exhibitor=exhibitor)
    organiser = make_user("org@example.ru", "organiser")
    return World(exhibition, exhibitor, user, organiser)


def outbox(**filters) -> list[OutboxMessage]:
    db.session.commit()
    return list(db.session.scalars(db.select(OutboxMessage).filter_by(**filters).order_by(
        OutboxMessage.id)))  # fmt: skip


@pytest.fixture
def client_for(app):
    """A test client signed in as the given user."""
    from tests.web.test_accounts import login

    def signed_in(user: User, password: str | None = None):
        client = app.test_client()
        response = login(client, user.email, *(password,) if password else ())
        assert response.status_code == 302, response.text
        return client

    return signed_in
