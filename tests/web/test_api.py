"""The API beyond reservations: the generated document, paging, validation, the error shape,
the catalogue records and the organisers' actions (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import TooManyRequests

from exhibit.accounts.services import issue_token
from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Solution
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from tests.factories import make_exhibition, make_exhibitor, make_user


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


@pytest.fixture
def world(app):
    exhibition = make_exhibition(slug="api")
    a = make_exhibitor(exhibition, "Ирбит")
    b = make_exhibitor(exhibition, "Тагил")
    pending = make_exhibitor(exhibition, "Шадринск", approved=False)
    db.session.add(Solution(exhibitor_id=a.id, title="Сквер", track_code="living", stage="idea"))
    db.session.commit()  # the services below are units of work of their own
    tokens = {
        "a": issue_token(db.session, make_user("a@example.ru", exhibitor=a)),
        "b": issue_token(db.session, make_user("b@example.ru", exhibitor=b)),
        "org": issue_token(db.session, make_user("o@example.ru", "organiser")),
    }
    db.session.commit()
    client = app.test_client()

    def call(method: str, path: str, who: str | None = None, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        return client.open(path, method=method, headers=headers, **kwargs)

    call.ids = {"a": a.id, "b": b.id, "pending": pending.id}
    return call


def test_the_openapi_document_is_generated_from_the_code(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for path in (
        "/api/v1/exhibitions",
        "/api/v1/exhibitions/{slug}/booths",
        "/api/v1/exhibitions/{slug}/search",
        "/api/v1/exhibitors/{exhibitor_id}",
        "/api/v1/solutions/{solution_id}",
        "/api/v1/exhibitions/{slug}/booths/{number}/reservations",
        "/api/v1/reservations/{reservation_id}/confirm",
        "/api/v1/reservations/{reservation_id}/cancel",
        "/api/v1/exhibitions/{slug}/halls/{hall_name}/map.pdf",
        "/api/v1/tracks",
        "/api/v1/regions",
    ):
        assert path in paths, path
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearerAuth"]["description"],
    }  # fmt: skip
    request = paths["/api/v1/exhibitions/{slug}/booths/{number}/reservations"]["post"]
    assert request["security"] == [{"bearerAuth": []}]
    assert {"201", "401", "403", "404", "409", "429"} <= set(request["responses"])
    assert "security" not in paths["/api/v1/exhibitions"]["get"]  # public
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(doc["components"]["schemas"]["ErrorBody"]["properties"]) == {
        "code", "message", "details",
    }  # fmt: skip
    too_many = doc["components"]["responses"]["TOO_MANY_REQUESTS"]
    assert "Retry-After" in too_many["headers"]
    names = {p["name"] for p in paths["/api/v1/exhibitions/{slug}/search"]["get"]["parameters"]}
    assert {"q", "track", "region", "size", "kind", "stage", "tag", "limit", "offset"} <= names


def test_lists_are_paged_with_totals(client):
    first = client.get("/api/v1/regions", query_string={"limit": 10}).get_json()
    assert first["total"] >= 89 and first["limit"] == 10 and first["offset"] == 0
    assert len(first["items"]) == 10
    rest = client.get("/api/v1/regions", query_string={"limit": 10, "offset": 10}).get_json()
    assert {r["code"] for r in rest["items"]}.isdisjoint({r["code"] for r in first["items"]})
    tracks = client.get("/api/v1/tracks").get_json()
    assert tracks["total"] == 7 and tracks["items"][0]["code"] == "governance"
    exhibitors = client.get(f"/api/v1/exhibitions/{DEMO_SLUG}/exhibitors?limit=5").get_json()
    assert exhibitors["total"] > 5 and len(exhibitors["items"]) == 5
    beyond = client.get(f"/api/v1/exhibitions/{DEMO_SLUG}/solutions?offset=100000").get_json()
    assert beyond["items"] == [] and beyond["total"] > 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("offset=100001", "offset"),
        ("colour=red", "colour"),
    ],
)
def test_bad_paging_is_422_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/exhibitions/{DEMO_SLUG}/exhibitors?{query}")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid" and list(error["details"]["fields"]) == [field]


def test_one_exhibitor_and_one_solution(world):
    response = world("GET", f"/api/v1/exhibitors/{world.ids['a']}")
    assert "Ирбит".encode() in response.data  # readable UTF-8, not \u escapes
    exhibitor = response.get_json()
    assert exhibitor["name"] == "Ирбит" and exhibitor["exhibition"] == "api"
    assert [s["title"] for s in exhibitor["solutions"]] == ["Сквер"]
    assert "contacts" not in exhibitor  # contacts are not public
    solution_id = exhibitor["solutions"][0]["id"]
    solution = world("GET", f"/api/v1/solutions/{solution_id}").get_json()
    assert solution["track"] == "living" and solution["exhibitor"]["id"] == world.ids["a"]
    assert world("GET", f"/api/v1/exhibitors/{world.ids['pending']}").status_code == 404
    missing = world("GET", "/api/v1/solutions/2147483647")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    assert world("GET", "/api/v1/solutions/2147483648").status_code == 404  # beyond 32 bits


def test_unapproved_exhibitors_are_not_public(world):
    listed = world("GET", "/api/v1/exhibitions/api/exhibitors").get_json()
    assert [e["name"] for e in listed["items"]] == ["Ирбит", "Тагил"]


def test_hold_move_decline_and_the_reservation_list(world):
    held = world("POST", "/api/v1/exhibitions/api/booths/A3/hold", "org",
                 json={"exhibitor_id": world.ids["b"], "hours": 2})  # fmt: skip
    assert held.status_code == 201, held.get_json()
    reservation = held.get_json()
    assert reservation["status"] == "held" and reservation["booth"] == "A3"
    assert reservation["expires_at"].endswith("Z")
    moved = world("POST", f"/api/v1/reservations/{reservation['id']}/move", "org",
                  json={"booth": "A4"})  # fmt: skip
    assert moved.status_code == 200 and moved.get_json()["booth"] == "A4"
    # b sees its own, a sees nothing of b's, the organiser sees all
    assert world("GET", "/api/v1/reservations", "b").get_json()["total"] == 1
    assert world("GET", "/api/v1/reservations", "a").get_json()["total"] == 0
    assert world("GET", f"/api/v1/reservations/{reservation['id']}", "a").status_code == 404
    assert world("GET", "/api/v1/reservations?status=held", "org").get_json()["total"] == 1
    declined = world("POST", f"/api/v1/reservations/{reservation['id']}/decline", "org")
    assert declined.get_json()["status"] == "declined"
    assert db.session.get(Reservation, reservation["id"]).status == "declined"
    again = world("POST", f"/api/v1/reservations/{reservation['id']}/decline", "org")
    assert again.status_code == 409 and error_of(again)["code"] == "conflict"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["exhibitor_id"]),
        ({"exhibitor_id": "one"}, ["exhibitor_id"]),
        ({"exhibitor_id": 1, "hours": 0}, ["hours"]),
        ({"exhibitor_id": 1, "colour": "red"}, ["colour"]),
        ([1, 2], ["body"]),
    ],
)
def test_bad_bodies_are_422_naming_the_field_and_change_nothing(world, body, fields):
    response = world("POST", "/api/v1/exhibitions/api/booths/A3/hold", "org", json=body)
    assert response.status_code == 422
    error = error_of(response)
    assert sorted(error["details"]["fields"]) == fields
    assert all(error["details"]["fields"][f] for f in fields)
    assert db.session.scalar(db.select(db.func.count()).select_from(Reservation)) == 0


def test_a_body_that_is_not_json_is_400(world):
    response = world("POST", "/api/v1/reservations/1/move", "org", data="{",
                     content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    assert error_of(response)["details"]["fields"] == {"body": ["Invalid JSON body."]}


def test_block_and_unblock(world):
    blocked = world("POST", "/api/v1/exhibitions/api/booths/A5/block", "org",
                    json={"reason": "Пресс-центр"})  # fmt: skip
    assert blocked.get_json()["properties"]["status"] == "blocked"
    refused = world("POST", "/api/v1/exhibitions/api/booths/A5/reservations", "a")
    assert refused.status_code == 409
    unblocked = world("POST", "/api/v1/exhibitions/api/booths/A5/unblock", "org")
    assert unblocked.get_json()["properties"]["status"] == "available"
    assert world("POST", "/api/v1/exhibitions/api/booths/A5/block", "a", json={}).status_code == 403


def test_errors_keep_their_headers_and_shape(world, app):
    @app.get("/api/v1/_limited")
    def limited():  # what Flask-Limiter raises when a limit is hit
        raise TooManyRequests(retry_after=30)

    unauthorised = world("GET", "/api/v1/reservations")
    assert unauthorised.status_code == 401
    assert unauthorised.headers["WWW-Authenticate"] == "Bearer"
    assert "Bearer" in error_of(unauthorised)["message"]
    wrong_method = world("DELETE", "/api/v1/tracks")
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]
    assert error_of(wrong_method)["code"] == "method_not_allowed"
    assert world("GET", "/api/v1/exhibitions/api%00x").status_code == 404

    response = world("GET", "/api/v1/_limited")
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    assert error_of(response)["code"] == "too_many_requests"
