"""The reservation endpoints of §10: statuses and the error shape."""

from __future__ import annotations

import pytest

from exhibit.accounts.services import issue_token
from exhibit.db import db
from tests.factories import make_exhibition, make_exhibitor, make_user


@pytest.fixture
def api(app):
    exhibition = make_exhibition(slug="api")
    a = make_exhibitor(exhibition, "Ирбит")
    b = make_exhibitor(exhibition, "Тагил")
    pending = make_exhibitor(exhibition, "Шадринск", approved=False)
    tokens = {
        "a": issue_token(db.session, make_user("a@example.ru", exhibitor=a)),
        "b": issue_token(db.session, make_user("b@example.ru", exhibitor=b)),
        "pending": issue_token(db.session, make_user("p@example.ru", exhibitor=pending)),
        "org": issue_token(db.session, make_user("o@example.ru", "organiser")),
    }
    db.session.commit()
    client = app.test_client()

    def call(who: str | None, path: str):
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        return client.post(path, headers=headers)

    return call


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_request_confirm_and_cancel(api):
    response = api("a", "/api/v1/exhibitions/api/booths/A1/reservations")
    assert response.status_code == 201
    reservation = response.get_json()
    assert reservation["booth"] == "A1"
    assert reservation["status"] == "requested"
    assert reservation["exhibitor"]["name"] == "Ирбит"
    assert reservation["expires_at"].endswith("Z")

    taken = api("b", "/api/v1/exhibitions/api/booths/A1/reservations")
    assert taken.status_code == 409
    assert error_of(taken)["code"] == "booth_unavailable"

    confirmed = api("org", f"/api/v1/reservations/{reservation['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "confirmed"
    cancelled = api("a", f"/api/v1/reservations/{reservation['id']}/cancel")
    assert cancelled.get_json()["status"] == "cancelled"
    again = api("a", f"/api/v1/reservations/{reservation['id']}/cancel")
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("who", "path", "status", "code"),
    [
        (None, "/api/v1/exhibitions/api/booths/A1/reservations", 401, "unauthorized"),
        ("pending", "/api/v1/exhibitions/api/booths/A1/reservations", 403, "forbidden"),
        ("org", "/api/v1/exhibitions/api/booths/A1/reservations", 403, "forbidden"),
        ("a", "/api/v1/exhibitions/api/booths/Z9/reservations", 404, "not_found"),
        ("a", "/api/v1/exhibitions/nope/booths/A1/reservations", 404, "not_found"),
        ("a", "/api/v1/reservations/424242/confirm", 403, "forbidden"),
        ("org", "/api/v1/reservations/424242/confirm", 404, "not_found"),
    ],
)
def test_refusals_have_the_error_shape(api, who, path, status, code):
    response = api(who, path)
    assert response.status_code == status
    assert error_of(response)["code"] == code


def test_booths_are_geojson(app, api):
    api("a", "/api/v1/exhibitions/api/booths/A2/reservations")
    body = app.test_client().get("/api/v1/exhibitions/api/booths?hall=Зал 1").get_json()
    assert body["type"] == "FeatureCollection"
    features = {f["properties"]["number"]: f for f in body["features"]}
    assert set(features) == {f"A{i}" for i in range(1, 7)}
    a2 = features["A2"]
    assert a2["geometry"]["type"] == "Polygon"
    assert a2["properties"]["status"] == "requested"
    assert a2["properties"]["exhibitor"] is None  # only confirmed exhibitors are public
    assert set(a2["properties"]) == {
        "number", "hall", "kind", "area_m2", "price", "status", "exhibitor",
    }  # fmt: skip
