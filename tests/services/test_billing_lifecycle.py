"""A reservation's documents follow it: cancelled, declined or expired → the invoice and the
contract are annulled (kept, numbers kept); money on an annulled invoice waits for a refund
or credit decision; a move reissues them for the new booth. Each step mails the exhibitor
in the same unit of work."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from exhibit.audit import AuditEvent
from exhibit.billing import dashboard, orders, payments, services
from exhibit.billing.models import Document, PriceItem
from exhibit.booking import services as booking
from exhibit.booking.models import Reservation
from exhibit.db import db
from exhibit.errors import Conflict, DomainError
from exhibit.mail.outbox import OutboxMessage
from exhibit.timeutil import utcnow
from tests.services.test_billing import YEAR, billing_world, confirmed


@pytest.fixture
def world(app):
    return billing_world()


def mail(kind: str, to: str = "a@example.ru") -> list[OutboxMessage]:
    db.session.commit()
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.recipient == to)
        .order_by(OutboxMessage.id)
    ))  # fmt: skip


def invoice_of(reservation: Reservation) -> Document:
    return db.session.scalars(
        select(Document).where(Document.reservation_id == reservation.id,
                               Document.kind == "invoice").order_by(Document.id.desc())
    ).first()  # fmt: skip


def test_a_cancelled_reservations_unpaid_invoice_is_annulled_and_numbers_stay(world):
    exhibition, a, *_ = world
    user_a = world[4]
    reservation = confirmed(world, "A2")
    db.session.commit()
    invoice, contract = invoice_of(reservation), services.current_document(
        db.session, reservation.id, "contract")  # fmt: skip
    content = dict(invoice.content)
    booking.cancel_reservation(db.session, reservation.id, user_a)  # the exhibitor cancels
    db.session.commit()
    db.session.refresh(invoice)
    db.session.refresh(contract)
    assert (invoice.status, contract.status) == ("cancelled", "cancelled")
    assert invoice.number == f"{YEAR}-0001" and invoice.content == content
    assert invoice.settlement is None and invoice.cancelled_at is not None
    assert not services.is_overdue(invoice, utcnow().date() + timedelta(days=365))
    assert dashboard.money_figures(db.session, exhibition).total.invoices == 0
    assert services.booth_payment_states(db.session, exhibition) == {}
    # Kept, never deleted; the next invoice takes the next number: no gap, no reuse.
    second = confirmed(world, "A3")
    db.session.commit()
    assert invoice_of(second).number == f"{YEAR}-0002"
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.in_(("invoice.annulled", "contract.annulled")))).all()  # fmt: skip
    assert {e.action for e in events} == {"invoice.annulled", "contract.annulled"}
    assert all(e.user_id == user_a.id and e.exhibitor_id == a.id for e in events)
    assert events[0].after["reason"] == "cancelled"
    (notice,) = mail("billing.annulled")
    assert f"№ {YEAR}-0001" in notice.text_body and "не нужно" in notice.text_body
    with pytest.raises(Conflict, match="аннулирован"):
        payments.mark_paid(db.session, invoice.id, world[3])


def test_declined_and_expired_holds_annul_their_invoices(world):
    exhibition, a, b, organiser, *_ = world
    held = booking.hold_booth(db.session, exhibition, "A2", a, organiser)
    first = services.issue_invoice(db.session, held.id, organiser)
    lapsing = booking.hold_booth(db.session, exhibition, "A3", b, organiser, hours=1)
    second = services.issue_invoice(db.session, lapsing.id, organiser)
    db.session.commit()
    booking.decline_reservation(db.session, held.id, organiser)
    lapsing.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert booking.expire_lapsed(db.session) == 1
    db.session.commit()
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.status, second.status) == ("cancelled", "cancelled")
    reasons = db.session.scalars(select(AuditEvent.after).where(
        AuditEvent.action == "invoice.annulled").order_by(AuditEvent.id)).all()  # fmt: skip
    assert [r["reason"] for r in reasons] == ["declined", "expired"]


def test_money_on_an_annulled_invoice_waits_for_refund_or_credit(world):
    _exhibition, _a, _b, organiser, user_a, _ = world
    paid = confirmed(world, "A2")
    other = confirmed(world, "A4")
    foreign = confirmed(world, "A6", 1)
    db.session.commit()
    invoice, target = invoice_of(paid), invoice_of(other)
    payments.mark_paid(db.session, invoice.id, organiser, amount="30 000")
    booking.cancel_reservation(db.session, paid.id, organiser)
    db.session.commit()
    db.session.refresh(invoice)
    assert invoice.status == "cancelled" and invoice.settlement == "pending"
    assert invoice.paid == Decimal(30000)
    notice = mail("billing.annulled")[-1]
    assert "30" in notice.text_body and "вернуть" in notice.text_body
    # Only the same exhibitor's current invoice takes a credit; a wrong one changes nothing.
    with pytest.raises(DomainError, match=invoice_of(foreign).number):
        payments.settle(db.session, invoice.id, organiser, "credit",
                        credit_to=invoice_of(foreign).number)  # fmt: skip
    with pytest.raises(Exception) as caught:
        payments.settle(db.session, invoice.id, user_a, "refund")
    assert caught.value.status == 403
    payments.settle(db.session, invoice.id, organiser, "credit", credit_to=target.number)
    db.session.commit()
    db.session.refresh(invoice)
    db.session.refresh(target)
    assert invoice.settlement == "credit" and target.number in invoice.settlement_note
    assert invoice.paid == 0 and target.paid == Decimal(30000)
    assert target.payment_state == "partial"
    with pytest.raises(Conflict, match="не ждёт решения"):
        payments.settle(db.session, invoice.id, organiser, "refund")
    (settled,) = mail("billing.settled")
    assert f"зачтена в счёт № {target.number}" in settled.subject
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "invoice.credit")
                               ).one()  # fmt: skip
    assert event.user_id == organiser.id and event.after["credited_to"] == target.number


def test_a_refund_is_recorded_with_its_note(world):
    *_, organiser, _, _ = world
    reservation = confirmed(world, "A2")
    db.session.commit()
    invoice = invoice_of(reservation)
    payments.mark_paid(db.session, invoice.id, organiser)
    booking.cancel_reservation(db.session, reservation.id, organiser)
    with pytest.raises(DomainError):
        payments.settle(db.session, invoice.id, organiser, "keep")
    payments.settle(db.session, invoice.id, organiser, "refund", note="п/п 17 от 05.12")
    db.session.commit()
    db.session.refresh(invoice)
    assert (invoice.settlement, invoice.settlement_note) == ("refund", "п/п 17 от 05.12")
    assert invoice.paid == invoice.total  # the money stays on record against the invoice
    assert "будет возвращена" in mail("billing.settled")[0].subject


def test_a_move_reissues_the_documents_for_the_new_booth(world):
    exhibition, _a, _, organiser, user_a, _ = world
    db.session.add(PriceItem(exhibition_id=exhibition.id, code="kw", category="electricity",
                             name="Электричество", unit="кВт", price=Decimal(3000)))  # fmt: skip
    db.session.commit()
    reservation = confirmed(world, "A2")  # x 5…8, y 17…20
    db.session.commit()
    socket = orders.place_order(db.session, reservation.id, user_a, item_code="kw",
                                quantity=2, point=(5.5, 19.5))  # fmt: skip
    edge = orders.place_order(db.session, reservation.id, user_a, item_code="kw",
                              quantity=1, point=(7.9, 17.1))  # fmt: skip
    old = services.issue_invoice(db.session, reservation.id, organiser)
    payments.mark_paid(db.session, old.id, organiser, amount="1000")
    old_contract = services.current_document(db.session, reservation.id, "contract")
    db.session.commit()
    before = len(mail("billing.documents"))
    booking.move_reservation(db.session, reservation.id, "A5", organiser)  # x 14…17
    db.session.commit()
    new = services.current_document(db.session, reservation.id, "invoice")
    contract = services.current_document(db.session, reservation.id, "contract")
    db.session.refresh(old)
    db.session.refresh(old_contract)
    assert new.id != old.id and new.replaces_id == old.id and old.status == "superseded"
    assert contract.replaces_id == old_contract.id and old_contract.status == "superseded"
    assert new.content["booth"]["number"] == "A5" and old.content["booth"]["number"] == "A2"
    assert new.content["contract"]["number"] == contract.number
    assert new.paid == Decimal(1000) and old.paid == 0  # the payment went with it
    db.session.refresh(socket)
    assert (socket.point_x, socket.point_y) == pytest.approx((14.5, 19.5))
    db.session.refresh(edge)  # (16.9, 17.1) is inside A5 too: same place in the booth
    assert edge.point_x == pytest.approx(16.9)
    notices = mail("billing.documents")
    assert len(notices) == before + 1
    assert notices[-1].subject == "Исправленные документы на стенд A5"
    assert f"вместо № {old.number}" in notices[-1].text_body
    assert {a["id"] for a in notices[-1].attachments} == {new.id, contract.id}


def test_a_socket_that_falls_outside_the_new_booth_is_cleared(world):
    from exhibit.floorplan.models import Booth

    exhibition, _a, _, organiser, user_a, _ = world
    db.session.add(PriceItem(exhibition_id=exhibition.id, code="kw", category="electricity",
                             name="Электричество", unit="кВт", price=Decimal(3000)))  # fmt: skip
    db.session.commit()
    reservation = confirmed(world, "A2")
    db.session.commit()
    order = orders.place_order(db.session, reservation.id, user_a, item_code="kw",
                               quantity=1, point=(5.1, 17.1))  # fmt: skip
    target = db.session.scalar(select(Booth).where(Booth.number == "A6"))
    from shapely.geometry import box

    target.polygon = box(17, 18, 19, 20)  # smaller: the shifted corner point is outside
    db.session.commit()
    booking.move_reservation(db.session, reservation.id, "A6", organiser)
    db.session.commit()
    db.session.refresh(order)
    assert order.point_x is None
    (row,) = orders.contractor_lists(db.session, exhibition, organiser)["—"]
    assert row["position"] == "место розетки не отмечено"


def test_confirmation_and_payment_mail_the_documents(world):
    *_, organiser, _, _ = world
    reservation = confirmed(world, "A2")
    (issued,) = mail("billing.documents")
    invoice = invoice_of(reservation)
    assert issued.subject == "Документы на стенд A2"
    assert f"Счёт на оплату № {invoice.number}" in issued.text_body
    assert f"/documents/{invoice.id}.pdf" in issued.text_body
    assert [a["kind"] for a in issued.attachments] == ["billing_document"] * 2
    payments.mark_paid(db.session, invoice.id, organiser, amount="40000")
    payments.mark_paid(db.session, invoice.id, organiser)
    first, second = mail("billing.payment")
    assert "осталось оплатить" in first.text_body and "оплачен полностью" in second.text_body
    assert mail("billing.payment", "b@example.ru") == []  # nobody else's


def test_a_correction_keeps_the_due_date_and_the_audit_log_shows_payment_state(world):
    *_, organiser, _, _ = world
    reservation = confirmed(world, "A2")
    db.session.commit()
    invoice = invoice_of(reservation)
    invoice.due_on = utcnow().date() - timedelta(days=3)  # issued long ago, not paid
    db.session.commit()
    assert services.is_overdue(invoice)
    payments.mark_paid(db.session, invoice.id, organiser, amount="1000")
    booking.move_reservation(db.session, reservation.id, "A5", organiser)
    db.session.commit()
    corrected = services.current_document(db.session, reservation.id, "invoice")
    assert corrected.id != invoice.id and corrected.due_on == invoice.due_on
    assert services.is_overdue(corrected)  # a move does not restart the payment term
    booth = corrected.reservation.booth_id
    assert services.booth_payment_states(db.session, world[0])[booth].state == "overdue"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "payment.recorded")
                               ).one()  # fmt: skip
    assert event.after["invoice_state"] == "partial" and event.after["invoice"] == invoice.number
