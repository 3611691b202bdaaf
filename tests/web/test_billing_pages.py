"""The money side's pages: a wrong check digit named beside its field, a statement loaded
through the page, an order with the socket's point, documents only for their exhibitor."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from exhibit.accounts.models import User
from exhibit.billing import services
from exhibit.billing.models import Payment, Requisites, ServiceOrder
from exhibit.billing.sample import demo_statement
from exhibit.booking.models import Reservation
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Exhibition
from tests.factories import make_user, requisites
from tests.web.test_accounts import csrf_token, login


@pytest.fixture
def irbit(demo_app):
    """The demo's exhibitor account with a known password (the demo's is random)."""
    exhibition = db.session.scalar(select(Exhibition).where(Exhibition.slug == DEMO_SLUG))
    reservation = db.session.scalar(
        select(Reservation).where(Reservation.status == "confirmed").order_by(Reservation.id)
    )
    make_user("ex@example.ru", exhibitor=reservation.exhibitor)
    make_user("boss@example.ru", "organiser")
    return exhibition, reservation


def test_a_wrong_inn_is_named_beside_its_field(demo_app, irbit):
    _, reservation = irbit
    client = demo_app.test_client()
    login(client, "ex@example.ru")
    url = f"/{DEMO_SLUG}/profile/requisites"
    data = requisites("Администрация", 7) | {
        "inn": "6600000011",
        "csrf_token": csrf_token(client, url),
    }
    before = db.session.scalar(select(Requisites.inn).where(
        Requisites.exhibitor_id == reservation.exhibitor_id))  # fmt: skip
    page = client.post(url, data=data).get_data(as_text=True)
    assert re.search(r'id="inn-error">ИНН: контрольная цифра не сходится', page)
    db.session.commit()
    assert db.session.scalar(select(Requisites.inn).where(
        Requisites.exhibitor_id == reservation.exhibitor_id)) == before  # fmt: skip
    good = requisites("Администрация", 7) | {"csrf_token": csrf_token(client, url)}
    assert client.post(url, data=good).status_code == 302


def test_documents_and_orders_of_a_reservation(demo_app, irbit):
    _, reservation = irbit
    client = demo_app.test_client()
    login(client, "ex@example.ru")
    url = f"/reservations/{reservation.id}/billing"
    page = client.get(url).get_data(as_text=True)
    invoice = services.current_document(db.session, reservation.id, "invoice")
    assert f"/documents/{invoice.id}.pdf" in page and 'id="socket-drawing"' in page
    pdf = client.get(f"/documents/{invoice.id}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    booth = reservation.booth
    centre = booth.polygon.centroid
    count = db.session.scalar(select(func.count(ServiceOrder.id)))
    token = csrf_token(client, url)
    outside = client.post(f"/reservations/{reservation.id}/orders", data={
        "item": "power-kw", "quantity": "2", "x": str(centre.x + 100), "y": str(centre.y),
        "csrf_token": token}, follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert f"Розетка должна быть внутри стенда {booth.number}" in outside
    client.post(f"/reservations/{reservation.id}/orders", data={
        "item": "power-kw", "quantity": "2", "x": f"{centre.x:.2f}", "y": f"{centre.y:.2f}",
        "csrf_token": token})  # fmt: skip
    db.session.commit()
    assert db.session.scalar(select(func.count(ServiceOrder.id))) == count + 1
    # Another exhibitor's reservation and documents do not exist for this one.
    other = db.session.scalar(select(Reservation).where(
        Reservation.status == "confirmed",
        Reservation.exhibitor_id != reservation.exhibitor_id))  # fmt: skip
    assert client.get(f"/reservations/{other.id}/billing").status_code == 404
    theirs = services.current_document(db.session, other.id, "invoice")
    assert client.get(f"/documents/{theirs.id}.pdf").status_code == 404


def test_statement_through_the_page(demo_app, irbit):
    exhibition, _ = irbit
    client = demo_app.test_client()
    login(client, "boss@example.ru")
    url = f"/{DEMO_SLUG}/organiser/invoices"
    data = demo_statement(db.session, exhibition)
    page = client.post(f"/{DEMO_SLUG}/organiser/statement", data={
        "statement": (io.BytesIO(data), "statement.txt"), "csrf_token": csrf_token(client, url)},
        content_type="multipart/form-data").get_data(as_text=True)  # fmt: skip
    assert "Сопоставлены (1)" in page and "Под вопросом — подтвердите (2)" in page
    assert "Не сопоставлены (1)" in page
    broken = client.post(f"/{DEMO_SLUG}/organiser/statement", data={
        "statement": (io.BytesIO(data.decode("cp1251").encode()), "s.txt"),
        "csrf_token": csrf_token(client, url)}, content_type="multipart/form-data",
        follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "Строка 2: файл в UTF-8" in broken
    db.session.commit()
    assert (
        db.session.scalar(select(func.count(Payment.id)).where(Payment.source == "statement")) == 4
    )
    invoices = client.get(url).get_data(as_text=True)
    assert "Платежи под вопросом и несопоставленные" in invoices


def test_a_cancelled_paid_invoice_waits_on_the_invoices_page_for_a_decision(demo_app, irbit):
    from exhibit.billing.models import Document
    from exhibit.booking import services as booking

    paid = next(
        d for d in db.session.scalars(select(Document).where(
            Document.kind == "invoice", Document.status == "issued").order_by(Document.id))
        if d.payment_state == "paid" and d.reservation.status == "confirmed"
    )  # fmt: skip
    boss = db.session.scalar(select(User).where(User.email == "boss@example.ru"))
    booking.cancel_reservation(db.session, paid.reservation_id, boss)
    client = demo_app.test_client()
    login(client, "boss@example.ru")
    url = f"/{DEMO_SLUG}/organiser/invoices"
    page = client.get(url).get_data(as_text=True)
    assert "Аннулированные счета с оплатой" in page and "ждёт решения" in page
    assert f'action="/invoices/{paid.id}/settle"' in page
    token = csrf_token(client, url)
    refused = client.post(f"/invoices/{paid.id}/settle", data={
        "csrf_token": token, "decision": "credit", "credit_to": "1999-0001"})  # fmt: skip
    assert refused.status_code == 302
    db.session.commit()
    db.session.refresh(paid)
    assert paid.settlement == "pending"
    done = client.post(f"/invoices/{paid.id}/settle", data={
        "csrf_token": token, "decision": "refund", "note": "п/п 5"})  # fmt: skip
    assert done.status_code == 302
    db.session.commit()
    db.session.refresh(paid)
    assert (paid.settlement, paid.settlement_note) == ("refund", "п/п 5")
    page = client.get(url).get_data(as_text=True)
    assert f'action="/invoices/{paid.id}/settle"' not in page and "к возврату: п/п 5" in page
    assert "(аннулирован)" in page
