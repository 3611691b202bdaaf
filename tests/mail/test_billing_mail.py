"""The money side's mail against a real SMTP server (aiosmtpd on loopback): the documents
issued on confirmation arrive as PDFs, readable, with the invoice's number; over the size
limit only the links go; a payment's notice."""

from __future__ import annotations

import io

from pypdf import PdfReader

from exhibit import worker
from exhibit.billing import payments, services
from exhibit.booking import services as booking
from exhibit.db import db
from tests.factories import requisites
from tests.mail.smtpserver import SmtpServer


def confirmed_with_documents(world):
    services.save_requisites(
        db.session, world.exhibition, requisites("АНО «Города России»", 1), world.organiser
    )
    services.save_requisites(db.session, world.exhibitor, requisites("Ирбит", 2), world.user)
    reservation = booking.request_booth(
        db.session, world.exhibition, "A2", world.exhibitor, world.user
    )
    booking.confirm_reservation(db.session, reservation.id, world.organiser)
    return services.current_document(db.session, reservation.id, "invoice")


def _received(server, subject: str):
    (got,) = [r for r in server.received if str(r.message["Subject"]) == subject]
    return got.message


def test_the_invoice_and_contract_arrive_as_pdfs(app, world):
    invoice = confirmed_with_documents(world)
    payments.mark_paid(db.session, invoice.id, world.organiser, amount="1 000")
    with SmtpServer() as server:
        app.config["MAIL_URL"] = server.url
        worker.send_mail(app)
    message = _received(server, "Документы на стенд A2")
    assert message["To"] == "irbit@example.ru"
    contract = services.current_document(db.session, invoice.reservation_id, "contract")
    files = {a.get_filename(): a for a in message.iter_attachments()}
    assert set(files) == {f"schet-{invoice.number}.pdf", f"dogovor-{contract.number}.pdf"}
    pdf = files[f"schet-{invoice.number}.pdf"].get_payload(decode=True)
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert f"Счёт на оплату № {invoice.number}" in text and "Ирбит" in text
    assert f"/documents/{invoice.id}.pdf" in message.get_body(("plain",)).get_content()
    paid = _received(server, f"Оплата по счёту № {invoice.number} получена")
    assert "осталось оплатить" in paid.get_body(("plain",)).get_content()


def test_documents_over_the_size_limit_go_as_links(app, world):
    invoice = confirmed_with_documents(world)
    app.config["MAIL_MAX_ATTACHMENT"] = 1000
    with SmtpServer() as server:
        app.config["MAIL_URL"] = server.url
        worker.send_mail(app)
    message = _received(server, "Документы на стенд A2")
    assert list(message.iter_attachments()) == []
    text = message.get_body(("plain",)).get_content()
    assert f"/documents/{invoice.id}.pdf" in text and "слишком велик" in text
