"""The money side of the API: invoices, payments and orders, paged, each exhibitor's own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from exhibit.accounts.models import User
from exhibit.accounts.services import issue_token
from exhibit.db import db
from exhibit.demo import DEMO_SLUG


@pytest.fixture
def api(demo_app):
    org = db.session.scalar(select(User).where(User.role == "organiser"))
    irbit = db.session.scalar(select(User).where(User.email == "irbit@example.ru"))
    tokens = {"org": issue_token(db.session, org), "irbit": issue_token(db.session, irbit)}
    db.session.commit()
    client = demo_app.test_client()

    def call(who, path, method="GET", json=None):
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        return client.open(path, method=method, headers=headers, json=json)

    return call, irbit.exhibitor_id


def test_invoices_paged_and_an_exhibitor_sees_only_theirs(api):
    call, irbit_id = api
    everything = call("org", f"/api/v1/invoices?exhibition={DEMO_SLUG}&limit=100").get_json()
    assert everything["total"] > 20 and len(everything["items"]) == everything["total"]
    first = call("org", "/api/v1/invoices?limit=5&offset=5").get_json()
    assert [i["id"] for i in first["items"]] == [i["id"] for i in everything["items"][5:10]]
    item = everything["items"][0]
    assert {"number", "total", "vat", "paid", "payment_state", "lines", "pdf"} <= set(item)
    paid = call("org", "/api/v1/invoices?state=paid&limit=100").get_json()["items"]
    assert paid and all(i["payment_state"] == "paid" for i in paid)
    own = call("irbit", "/api/v1/invoices").get_json()
    assert all(i["exhibitor"]["id"] == irbit_id for i in own["items"])
    other = next(i for i in everything["items"] if i["exhibitor"]["id"] != irbit_id)
    assert call("irbit", f"/api/v1/invoices/{other['id']}").status_code == 404
    assert call("org", f"/api/v1/invoices/{other['id']}").get_json()["number"] == other["number"]
    assert call(None, "/api/v1/invoices").status_code == 401
    bad = call("org", "/api/v1/invoices?limit=0")
    assert bad.status_code == 422 and "limit" in str(bad.get_json()["error"]["details"])


def test_payments_and_orders(api):
    call, irbit_id = api
    payments = call("org", "/api/v1/payments?limit=100").get_json()
    assert payments["total"] > 0 and {p["source"] for p in payments["items"]} == {"manual"}
    orders = call("org", "/api/v1/orders?limit=100").get_json()
    assert orders["total"] > 0
    own = call("irbit", "/api/v1/orders").get_json()
    assert all(o["exhibitor"]["id"] == irbit_id for o in own["items"])


def test_placing_an_order_through_the_api(api):
    call, irbit_id = api
    orders = call("org", "/api/v1/orders?limit=100").get_json()["items"]
    someone_else = next(o for o in orders if o["exhibitor"]["id"] != irbit_id)
    refused = call("irbit", "/api/v1/orders", "POST",
                   {"reservation_id": someone_else["reservation_id"], "item": "chair",
                    "quantity": 1})  # fmt: skip
    assert refused.status_code == 404
    made = call("org", "/api/v1/orders", "POST",
                {"reservation_id": someone_else["reservation_id"], "item": "chair",
                 "quantity": "2"})  # fmt: skip
    assert made.status_code == 201 and made.get_json()["quantity"] == "2.00"
    outside = call("org", "/api/v1/orders", "POST",
                   {"reservation_id": someone_else["reservation_id"], "item": "power-kw",
                    "quantity": 1, "point": [-500, -500]})  # fmt: skip
    assert outside.status_code == 422 and "внутри стенда" in outside.get_json()["error"]["message"]
