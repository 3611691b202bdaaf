"""Payments: marked by an organiser, or read from a 1CClientBankExchange bank statement.

A statement is read whole before anything is written (:mod:`exhibit.billing.statement`
refuses a bad file naming its line). Each incoming payment is matched to the open invoices
(:mod:`exhibit.billing.matching`); one already loaded (the same number, date, amount and
accounts) is skipped, so loading a statement twice changes nothing. A payment counts towards
its invoice only when matched; a doubtful one waits for an organiser's confirmation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from exhibit import audit
from exhibit.accounts.models import User
from exhibit.billing import matching, notices, services
from exhibit.billing.models import Document, Payment
from exhibit.billing.services import (
    RequisitesMissing,
    _require_organiser,
    organiser_requisites,
    settings_of,
)
from exhibit.billing.statement import StatementError, StatementPayment, parse, parse_amount
from exhibit.booking import services as booking
from exhibit.db import unit_of_work
from exhibit.errors import Conflict, DomainError, NotFound, Refusal, tr
from exhibit.floorplan.models import Exhibition
from exhibit.timeutil import utcnow


class StatementInvalid(DomainError):
    code = "statement_invalid"


def amount_from_text(text: str | Decimal) -> Decimal:
    """An amount typed by a person («12 345,67») or given as a number; refused otherwise."""
    if isinstance(text, Decimal):
        value = text
    else:
        try:
            value = parse_amount(str(text))
        except ValueError:
            raise DomainError(tr("Сумма «%(text)s» — не число рублей с копейками",
                                 text=str(text)[:40])) from None  # fmt: skip
    if value <= 0:
        raise DomainError(tr("Сумма должна быть больше нуля"))
    return value.quantize(Decimal("0.01"))


def payment_state(payment: Payment) -> dict[str, Any]:
    document = payment.document
    return {
        "amount": str(payment.amount), "paid_on": payment.paid_on.isoformat(),
        "state": payment.state, "source": payment.source, "payer_inn": payment.payer_inn,
        "invoice": document.number if document else None,
        "exhibitor_id": document.exhibitor_id if document else None,
        "booth_id": document.reservation.booth_id if document else None,
        "overpaid": str(payment.overpaid),
        # How the invoice stands after this payment (the audit log shows the payment state).
        "invoice_state": document.payment_state if document else None,
    }  # fmt: skip


def _after_paid(session: Session, document: Document, user: User | None) -> None:
    """A paid invoice confirms its hold when the exhibition takes payment first."""
    reservation = document.reservation
    settings = settings_of(session, reservation.booth.hall.exhibition)
    if (
        settings.pay_to_confirm
        and document.payment_state in ("paid", "overpaid")
        and reservation.status in ("requested", "held")
    ):
        booking.confirm_reservation(session, reservation.id, user)


def _invoice(session: Session, document_id: int) -> Document:
    document = session.scalar(
        select(Document).where(Document.id == document_id, Document.kind == "invoice")
        .with_for_update()
    )  # fmt: skip
    if document is None:
        raise NotFound(tr("Счёт %(id)s не найден", id=document_id))
    return document


@unit_of_work
def mark_paid(
    session: Session,
    document_id: int,
    user: User | None,
    *,
    amount: str | Decimal | None = None,
    paid_on: date | None = None,
) -> Payment:
    """An organiser records a payment of an invoice: the outstanding rest when no amount is
    given (paid in full), or a part of it."""
    organiser = _require_organiser(user)
    document = _invoice(session, document_id)
    if document.status == "cancelled":
        raise Conflict(tr("Счёт № %(number)s аннулирован: бронирование завершено",
                          number=document.number))  # fmt: skip
    if document.status != "issued":
        raise Conflict(tr("Счёт № %(number)s заменён исправленным; отметьте оплату в нём",
                          number=document.number))  # fmt: skip
    outstanding = document.total - document.paid
    value = outstanding if amount in (None, "") else amount_from_text(amount)  # type: ignore[arg-type]
    if value <= 0:
        raise Conflict(tr("Счёт № %(number)s уже оплачен", number=document.number))
    payment = Payment(
        exhibition_id=document.exhibition_id, document_id=document.id, amount=value,
        paid_on=paid_on or utcnow().date(), source="manual", state="matched",
        overpaid=max(value - outstanding, Decimal(0)), created_by_id=organiser.id,
        payer=document.content["buyer"].get("name", ""),
        payer_inn=document.content["buyer"].get("inn", ""),
    )  # fmt: skip
    session.add(payment)
    session.flush()
    session.refresh(document)
    audit.record(session, "payment.recorded", "payment", payment.id,
                 after=payment_state(payment), user_id=organiser.id)  # fmt: skip
    notices.payment_received(session, payment)
    _after_paid(session, document, organiser)
    return payment


@unit_of_work
def confirm_payment(
    session: Session, payment_id: int, user: User | None, document_id: int | None = None
) -> Payment:
    """An organiser confirms a doubtful (or assigns an unmatched) payment to an invoice."""
    organiser = _require_organiser(user)
    payment = session.scalar(select(Payment).where(Payment.id == payment_id).with_for_update())
    if payment is None:
        raise NotFound(tr("Платёж %(id)s не найден", id=payment_id))
    if payment.state == "matched":
        raise Conflict(tr("Платёж %(id)s уже учтён по счёту", id=payment_id))
    target_id = document_id or payment.document_id
    if target_id is None:
        raise DomainError(tr("Укажите счёт, который оплачивает платёж %(id)s", id=payment_id))
    document = _invoice(session, target_id)
    if document.exhibition_id != payment.exhibition_id or document.status != "issued":
        raise Conflict(tr("Счёт %(id)s не из этой выставки или заменён", id=target_id))
    before = payment_state(payment)
    outstanding = document.total - document.paid
    payment.document_id = document.id
    payment.state = "matched"
    payment.overpaid = max(payment.amount - max(outstanding, Decimal(0)), Decimal(0))
    session.flush()
    session.refresh(document)
    audit.record(session, "payment.confirmed", "payment", payment.id, before=before,
                 after=payment_state(payment), user_id=organiser.id)  # fmt: skip
    notices.payment_received(session, payment)
    _after_paid(session, document, organiser)
    return payment


@unit_of_work
def settle(
    session: Session,
    document_id: int,
    user: User | None,
    decision: str,
    *,
    credit_to: str | None = None,
    note: str = "",
) -> Document:
    """An organiser decides what happens to the money of an annulled invoice: ``refund``
    (paid back; recorded with a note) or ``credit`` (the payments counted towards the
    exhibitor's current invoice ``credit_to`` of the same exhibition)."""
    organiser = _require_organiser(user)
    document = _invoice(session, document_id)
    if document.settlement != "pending":
        raise Conflict(tr("Счёт № %(number)s не ждёт решения о возврате или зачёте",
                          number=document.number))  # fmt: skip
    before = services.document_state(document)
    target = None
    if decision == "credit":
        target = session.scalar(
            select(Document).where(
                Document.number == (credit_to or "").strip(), Document.kind == "invoice",
                Document.status == "issued", Document.exhibitor_id == document.exhibitor_id,
                Document.exhibition_id == document.exhibition_id,
            ).with_for_update()
        )  # fmt: skip
        if target is None:
            raise DomainError(
                tr("Зачесть можно только в действующий счёт того же экспонента: счёта "
                   "№ %(number)s у него нет", number=(credit_to or "").strip()[:30] or "—")
            )  # fmt: skip
        moved = [p for p in document.payments if p.state == "matched"]
        amount = sum((p.amount for p in moved), Decimal(0))
        for payment in moved:
            payment.document_id = target.id
        note = (f"зачтено {amount} в счёт № {target.number}. " + note.strip()).strip()
    elif decision != "refund":
        raise DomainError(tr("Решение: возврат или зачёт"))
    document.settlement = decision
    document.settlement_note = note.strip()[:300] or None
    session.flush()
    session.refresh(document)
    audit.record(session, f"invoice.{decision}", "billing_document", document.id,
                 before=before, after=services.document_state(document)
                 | {"credited_to": target.number if target else None},
                 user_id=organiser.id)  # fmt: skip
    notices.settled(session, document, target)
    if target is not None:
        session.refresh(target)
        _after_paid(session, target, organiser)
    return document


def statement_message(error: StatementError) -> Refusal:
    line, text = error.line, error.text
    messages = {
        "utf8": lambda: tr("Строка %(line)s: файл в UTF-8, а выписка 1С должна быть в "
                           "windows-1251", line=line),
        "encoding": lambda: tr("Строка %(line)s: байты не в кодировке windows-1251", line=line),
        "encoding_declared": lambda: tr("Строка %(line)s: кодировка «%(text)s», а нужна "
                                        "Windows", line=line, text=text),
        "empty": lambda: tr("Файл выписки пуст"),
        "format": lambda: tr("Строка %(line)s: не формат 1CClientBankExchange («%(text)s»)",
                             line=line, text=text),
        "unfinished": lambda: tr("Строка %(line)s: документ не закончен (нет КонецДокумента) — "
                                 "файл обрезан?", line=line),
        "truncated": lambda: tr("Строка %(line)s: файл кончился без КонецФайла — он обрезан",
                                line=line),
        "after_end": lambda: tr("Строка %(line)s: текст после КонецФайла", line=line),
        "missing": lambda: tr("Строка %(line)s: в документе нет поля %(text)s", line=line,
                              text=text),
        "amount": lambda: tr("Строка %(line)s: сумма «%(text)s» — не число", line=line,
                             text=text),
        "date": lambda: tr("Строка %(line)s: дата «%(text)s» не в виде ДД.ММ.ГГГГ", line=line,
                           text=text),
    }  # fmt: skip
    return messages[error.code]()


def read_statement(data: bytes) -> list[StatementPayment]:
    try:
        return parse(data)
    except StatementError as error:
        raise StatementInvalid(
            statement_message(error), details={"line": error.line, "problem": error.code}
        ) from None


def _open_invoices(session: Session, exhibition: Exhibition) -> list[matching.OpenInvoice]:
    rows = session.scalars(
        select(Document).where(Document.exhibition_id == exhibition.id,
                               Document.kind == "invoice", Document.status == "issued")
        .options(selectinload(Document.payments)).order_by(Document.id)
    )  # fmt: skip
    return [
        matching.OpenInvoice(d.number, d.content["buyer"].get("inn", ""), d.total - d.paid, d.id)
        for d in rows
    ]


@unit_of_work
def import_statement(
    session: Session, exhibition: Exhibition, data: bytes, user: User | None
) -> dict[str, list[dict[str, Any]]]:
    """Load a bank statement: ``{"matched", "doubtful", "unmatched", "skipped"}`` lists of
    payments (``skipped``: loaded before, or not paid to the organiser's account)."""
    organiser = _require_organiser(user)
    seller = organiser_requisites(session, exhibition)
    if seller is None:
        raise RequisitesMissing(tr("Сначала заполните реквизиты организатора выставки"))
    payments = read_statement(data)
    known = set(session.scalars(select(Payment.key).where(
        Payment.exhibition_id == exhibition.id, Payment.key.is_not(None))))  # fmt: skip
    invoices = _open_invoices(session, exhibition)
    result: dict[str, list[dict[str, Any]]] = {"matched": [], "doubtful": [], "unmatched": [],
                                               "skipped": []}  # fmt: skip
    touched: set[int] = set()
    for item in payments:
        summary = {"line": item.line, "number": item.number, "date": item.day.isoformat(),
                   "amount": str(item.amount), "payer": item.payer, "payer_inn": item.payer_inn,
                   "purpose": item.purpose}  # fmt: skip
        incoming = item.payee_account == seller.account or (
            not item.payee_account and item.payee_inn == seller.inn
        )
        if not incoming or item.key in known:
            summary["reason"] = "already loaded" if incoming else "not to the organiser"
            result["skipped"].append(summary)
            continue
        known.add(item.key)
        found = matching.match(item.purpose, item.payer_inn, item.amount, invoices)
        payment = Payment(
            exhibition_id=exhibition.id, document_id=found.invoice.id if found.invoice else None,
            amount=item.amount, paid_on=item.day, payer=item.payer[:300],
            payer_inn=item.payer_inn[:12], purpose=item.purpose[:500], number=item.number[:20],
            source="statement", key=item.key, state=found.state, overpaid=found.overpaid,
            created_by_id=organiser.id,
        )  # fmt: skip
        session.add(payment)
        session.flush()
        if payment.document_id is not None:
            session.refresh(payment)
            session.refresh(payment.document)
        audit.record(session, f"payment.{found.state}", "payment", payment.id,
                     after=payment_state(payment), user_id=organiser.id)  # fmt: skip
        summary |= {"payment_id": payment.id,
                    "invoice": found.invoice.number if found.invoice else None,
                    "overpaid": str(found.overpaid) if found.overpaid else None}  # fmt: skip
        result[found.state].append(summary)
        if found.state == "matched" and found.invoice:
            touched.add(found.invoice.id)
            notices.payment_received(session, payment)
    for document_id in sorted(touched):
        document = session.get(Document, document_id)
        assert document is not None
        session.refresh(document)
        _after_paid(session, document, organiser)
    return result


def payments_of(
    session: Session, user: User | None, exhibition: Exhibition | None = None
) -> list[Payment]:
    """Payments an organiser sees (all) or an exhibitor (those of their invoices)."""
    from exhibit.billing.services import documents

    if user is not None and not user.is_organiser:
        ids = [d.id for d in documents(session, user, exhibition=exhibition, kind="invoice")]
        query = select(Payment).where(Payment.document_id.in_(ids))
    else:
        _require_organiser(user)
        query = select(Payment)
        if exhibition is not None:
            query = query.where(Payment.exhibition_id == exhibition.id)
    return list(session.scalars(query.order_by(Payment.paid_on.desc(), Payment.id.desc())))
