"""The exhibitor's mail about money, written to the outbox in the unit of work of the change
(``exhibit.accounts.notices``): documents issued or corrected (the PDFs attached, made when
the mail is sent; over the size limit only the link goes), documents annulled, a payment
received, the decision on an annulled invoice's money. Every notice names only the
recipient's own documents.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from exhibit.accounts import notices
from exhibit.billing.documents import file_name
from exhibit.billing.models import Document, Payment
from exhibit.booking.models import Reservation
from exhibit.mail.render import link


def _context(reservation: Reservation) -> dict[str, Any]:
    booth = reservation.booth
    return {
        "reservation": reservation,
        "booth": booth,
        "exhibition": booth.hall.exhibition,
        "url": link("billing.reservation", reservation_id=reservation.id),
    }


def _described(session: Session, document: Document) -> dict[str, Any]:
    old = session.get(Document, document.replaces_id) if document.replaces_id else None
    return {
        "kind": document.kind,
        "number": document.number,
        "total": document.total,
        "paid": document.paid,
        "replaces": old.number if old else None,
        "link": link("billing.document", document_id=document.id),
    }


def documents_issued(session: Session, reservation: Reservation, made: list[Document]) -> None:
    """New or corrected documents of a reservation: one notice, every PDF attached."""
    if not made:
        return
    listed = [_described(session, d) for d in made]
    attachments = [
        {"kind": "billing_document", "id": d.id, "filename": file_name(d), "link": item["link"]}
        for d, item in zip(made, listed, strict=True)
    ]
    notices.to_exhibitor(
        session, reservation.exhibitor, "documents_issued", kind="billing.documents",
        attachments=attachments, documents=listed,
        corrected=any(d.replaces_id is not None for d in made), **_context(reservation),
    )  # fmt: skip


def documents_annulled(
    session: Session, reservation: Reservation, annulled: list[Document]
) -> None:
    """The reservation ended: its invoice and contract are annulled (money paid: a refund
    or a credit is decided by the organisers)."""
    if not annulled:
        return
    paid = sum((d.paid for d in annulled if d.kind == "invoice"), Decimal(0))
    notices.to_exhibitor(
        session, reservation.exhibitor, "documents_annulled", kind="billing.annulled",
        documents=[_described(session, d) for d in annulled], paid=paid, **_context(reservation),
    )  # fmt: skip


def payment_received(session: Session, payment: Payment) -> None:
    """A payment counted towards an invoice: how much, and what remains."""
    document = payment.document
    if document is None or payment.state != "matched":
        return
    notices.to_exhibitor(
        session, document.exhibitor, "payment_received", kind="billing.payment",
        payment=payment, invoice=_described(session, document),
        rest=max(document.total - document.paid, Decimal(0)),
        **_context(document.reservation),
    )  # fmt: skip


def settled(session: Session, document: Document, target: Document | None) -> None:
    """The organisers' decision on an annulled invoice's money: refund, or credit to
    another invoice."""
    notices.to_exhibitor(
        session, document.exhibitor, "money_settled", kind="billing.settled",
        invoice=_described(session, document),
        target=_described(session, target) if target else None,
        note=document.settlement_note or "", decision=document.settlement,
        **_context(document.reservation),
    )  # fmt: skip
