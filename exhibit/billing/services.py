"""Billing services: requisites, settings, issuing documents with gapless numbers, payments.

Every service that writes is a unit of work and records an audit event carrying the
exhibitor and booth, so the log filtered by either shows the money side too. An issued
document is never changed: :func:`issue_invoice` on a reservation whose lines or parties
have changed issues a corrected document (``replaces`` the old one, which is kept as
``superseded``) and moves the old one's payments to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from exhibit import audit
from exhibit.accounts.models import User
from exhibit.billing import checks
from exhibit.billing.models import (
    BillingSettings,
    Document,
    DocumentCounter,
    Requisites,
    ServiceOrder,
)
from exhibit.billing.qr import payment_payload
from exhibit.billing.words import rubles_in_words
from exhibit.booking.models import Reservation
from exhibit.booking.services import price_of
from exhibit.catalogue.models import Exhibitor
from exhibit.db import unit_of_work
from exhibit.errors import Conflict, DomainError, Forbidden, NotFound, Refusal, tr
from exhibit.floorplan.models import Booth, Exhibition
from exhibit.timeutil import utcnow

CENT = Decimal("0.01")
KIND_NAMES = {"linear": "линейный", "corner": "угловой", "peninsula": "полуостров",
              "island": "остров"}  # fmt: skip
NUMBER_PREFIX = {"invoice": "", "contract": "Д-", "act": "А-"}


class CommandLine:
    """Who acts from the command line (``flask invoices …``, ``payments import`` without
    ``--by``): an organiser without an account. Its audit events carry no user but name the
    command line and the login that ran it (``exhibit.commands.common.database_command``)."""

    is_organiser = True
    id = None
    exhibitor_id = None


#: Pass as ``user`` from commands.
SYSTEM: Any = CommandLine()


class RequisitesInvalid(DomainError):
    code = "requisites_invalid"


class RequisitesMissing(Conflict):
    code = "requisites_missing"


# --- requisites --------------------------------------------------------------------------

_LABELS: dict[str, Callable[[], Refusal]] = {
    "name": lambda: tr("Наименование"),
    "inn": lambda: tr("ИНН"),
    "kpp": lambda: tr("КПП"),
    "ogrn": lambda: tr("ОГРН/ОГРНИП"),
    "address": lambda: tr("Юридический адрес"),
    "bank": lambda: tr("Банк"),
    "bik": lambda: tr("БИК"),
    "corr_account": lambda: tr("Корреспондентский счёт"),
    "account": lambda: tr("Расчётный счёт"),
    "signatory": lambda: tr("Подписант"),
}
_LENGTHS = {"inn": "10 / 12", "ogrn": "13 / 15", "kpp": "9", "bik": "9", "corr_account": "20",
            "account": "20"}  # fmt: skip


def field_label(name: str) -> str:
    return str(_LABELS[name]())


def problem_message(problem: checks.Problem, fields: dict[str, str]) -> Refusal:
    """A problem of a requisites field as a sentence naming the field."""
    field = field_label(problem.field)
    if problem.code == "required":
        return tr("%(field)s: нужно заполнить", field=field)
    if problem.code == "digits":
        return tr("%(field)s: только цифры", field=field)
    if problem.code == "length":
        return tr("%(field)s: нужно %(digits)s цифр", field=field,
                  digits=_LENGTHS[problem.field])  # fmt: skip
    if problem.code == "corr_bik":
        return tr("%(field)s: должен начинаться с 301 и кончаться тремя последними цифрами "
                  "БИК %(bik)s", field=field, bik=fields.get("bik", ""))  # fmt: skip
    if problem.field in ("account", "corr_account"):
        return tr("%(field)s: контрольный ключ не сходится с БИК %(bik)s — проверьте счёт "
                  "и БИК", field=field, bik=fields.get("bik", ""))  # fmt: skip
    return tr("%(field)s: контрольная цифра не сходится — проверьте номер", field=field)


def validate_requisites(values: dict[str, Any]) -> dict[str, str]:
    """The cleaned fields, or :class:`RequisitesInvalid` whose message names the first bad
    field and whose details map every bad field to its message."""
    fields = checks.clean(values)
    found = checks.problems(fields)
    if found:
        details = {p.field: str(problem_message(p, fields)) for p in found}
        raise RequisitesInvalid(problem_message(found[0], fields), details=details)
    return fields


def organiser_requisites(session: Session, exhibition: Exhibition) -> Requisites | None:
    return session.scalar(select(Requisites).where(Requisites.exhibition_id == exhibition.id))


def exhibitor_requisites(session: Session, exhibitor: Exhibitor) -> Requisites | None:
    return session.scalar(select(Requisites).where(Requisites.exhibitor_id == exhibitor.id))


def _require_organiser(user: User | None) -> User:
    if user is None or not user.is_organiser:
        raise Forbidden(tr("Это могут только организаторы"))
    return user


@unit_of_work
def save_requisites(
    session: Session,
    party: Exhibition | Exhibitor,
    values: dict[str, Any],
    user: User | None,
) -> Requisites:
    """Set the organiser's requisites of an exhibition (organisers only) or an exhibitor's
    (the exhibitor or an organiser). Check digits are verified first; nothing is saved when
    a field is wrong."""
    if isinstance(party, Exhibition):
        _require_organiser(user)
        current = organiser_requisites(session, party)
        owner = {"exhibition_id": party.id}
    else:
        if user is None or not (user.is_organiser or user.exhibitor_id == party.id):
            raise Forbidden(tr("Реквизиты экспонента меняют он сам и организаторы"))
        current = exhibitor_requisites(session, party)
        owner = {"exhibitor_id": party.id}
    fields = validate_requisites(values)
    before = current.as_dict() if current else None
    if current is None:
        current = Requisites(**owner, **fields)
        session.add(current)
    else:
        for name, value in fields.items():
            setattr(current, name, value)
    session.flush()
    audit.record(
        session, "requisites.saved", "requisites", current.id, before=before,
        after={**fields, **owner}, user_id=user.id if user else None,
        exhibitor_id=owner.get("exhibitor_id"),
    )  # fmt: skip
    return current


# --- settings ----------------------------------------------------------------------------


def settings_of(session: Session, exhibition: Exhibition) -> BillingSettings:
    """The exhibition's billing settings (defaults, unsaved, when never set: 20 % VAT)."""
    found = session.get(BillingSettings, exhibition.id)
    if found is not None:
        return found
    return BillingSettings(
        exhibition_id=exhibition.id, vat_rate=Decimal(20), payment_days=10,
        pay_to_confirm=False, order_deadline=None, late_policy="surcharge",
        late_surcharge_percent=Decimal(0),
    )  # fmt: skip


@unit_of_work
def save_settings(
    session: Session, exhibition: Exhibition, user: User | None, **values: Any
) -> BillingSettings:
    """Change billing settings: ``vat_rate`` (``None``: без НДС), ``payment_days``,
    ``pay_to_confirm``, ``order_deadline``, ``late_policy``, ``late_surcharge_percent``."""
    organiser = _require_organiser(user)
    current = session.get(BillingSettings, exhibition.id)
    if current is None:
        current = settings_of(session, exhibition)
        session.add(current)
    before = settings_state(current)
    for name, value in values.items():
        if name not in before:
            raise DomainError(tr("Неизвестная настройка: %(name)s", name=name))
        setattr(current, name, value)
    vat = current.vat_rate
    if vat is not None and not (Decimal(0) <= vat <= Decimal(50)):
        raise DomainError(tr("Ставка НДС: от 0 до 50 %%, или «без НДС»"))
    if current.late_policy not in ("surcharge", "refuse"):
        raise DomainError(tr("Поздние заказы: надбавка или отказ"))
    if (current.late_surcharge_percent or 0) < 0 or (current.payment_days or 0) <= 0:
        raise DomainError(tr("Срок оплаты и надбавка не могут быть отрицательными"))
    session.flush()
    audit.record(session, "billing.settings", "exhibition", exhibition.id, before=before,
                 after=settings_state(current), user_id=organiser.id)  # fmt: skip
    return current


def settings_state(settings: BillingSettings) -> dict[str, Any]:
    return {
        "vat_rate": None if settings.vat_rate is None else str(settings.vat_rate),
        "payment_days": settings.payment_days,
        "pay_to_confirm": bool(settings.pay_to_confirm),
        "order_deadline": settings.order_deadline.isoformat() if settings.order_deadline else None,
        "late_policy": settings.late_policy,
        "late_surcharge_percent": str(settings.late_surcharge_percent or 0),
    }


# --- numbers -----------------------------------------------------------------------------


def next_number(session: Session, organiser_inn: str, year: int, kind: str) -> int:
    """The next number of ``kind`` for the organiser and year, inside the caller's unit of
    work: the counter's row is created if missing (without failing when another transaction
    creates it first) and locked, so racing issuers queue and no number is skipped or
    given twice (a rolled-back issue gives its number back)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(DocumentCounter)
        .values(organiser_inn=organiser_inn, year=year, kind=kind, last=0)
        .on_conflict_do_nothing()
    )
    counter = session.scalar(
        select(DocumentCounter)
        .where(
            DocumentCounter.organiser_inn == organiser_inn,
            DocumentCounter.year == year,
            DocumentCounter.kind == kind,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert counter is not None
    counter.last += 1
    return counter.last


def format_number(kind: str, year: int, seq: int) -> str:
    return f"{NUMBER_PREFIX[kind]}{year}-{seq:04d}"


# --- what a document shows ---------------------------------------------------------------


def active_orders(session: Session, reservation: Reservation) -> list[ServiceOrder]:
    return list(
        session.scalars(
            select(ServiceOrder)
            .where(ServiceOrder.reservation_id == reservation.id, ServiceOrder.status == "active")
            .options(selectinload(ServiceOrder.item))
            .order_by(ServiceOrder.id)
        )
    )


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def document_lines(session: Session, reservation: Reservation) -> list[dict[str, Any]]:
    """The booth (number, area, kind, price) and every active service order."""
    booth = reservation.booth
    exhibition = booth.hall.exhibition
    price = price_of(booth, exhibition).quantize(CENT, rounding=ROUND_HALF_UP)
    area = booth.area_m2.normalize()
    lines = [{
        "name": f"Аренда выставочной площади: стенд {booth.number}, {area:f} м², "
                f"{KIND_NAMES.get(booth.kind, booth.kind)}, зал «{booth.hall.name}»",
        "quantity": "1", "unit": "усл.", "price": _money(price), "amount": _money(price),
        "booth": booth.number,
    }]  # fmt: skip
    for order in active_orders(session, reservation):
        lines.append({
            "name": order.item.name + (" (после срока заказа)" if order.late else ""),
            "quantity": f"{order.quantity.normalize():f}", "unit": order.item.unit,
            "price": _money(order.unit_price), "amount": _money(order.amount),
            "booth": booth.number,
        })  # fmt: skip
    return lines


def _party(requisites: Requisites | None, fallback_name: str) -> dict[str, str]:
    if requisites is None:
        return {name: "" for name in checks.FIELDS} | {"name": fallback_name}
    return requisites.as_dict()


def _content(
    session: Session, kind: str, reservation: Reservation, seller: Requisites
) -> dict[str, Any]:
    booth = reservation.booth
    exhibition = booth.hall.exhibition
    settings = settings_of(session, exhibition)
    lines = document_lines(session, reservation) if kind != "contract" else \
        document_lines(session, reservation)[:1]  # fmt: skip
    total = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    rate = settings.vat_rate
    vat = None if rate is None else (total * rate / (100 + rate)).quantize(CENT, ROUND_HALF_UP)
    buyer = _party(exhibitor_requisites(session, reservation.exhibitor), reservation.exhibitor.name)
    return {
        "seller": seller.as_dict(),
        "buyer": buyer,
        "exhibition": {
            "title": exhibition.title, "venue": exhibition.venue, "city": exhibition.city,
            "starts_on": exhibition.starts_on.isoformat(),
            "ends_on": exhibition.ends_on.isoformat(),
        },
        "booth": {"number": booth.number, "area": f"{booth.area_m2.normalize():f}",
                  "kind": KIND_NAMES.get(booth.kind, booth.kind), "hall": booth.hall.name},
        "lines": lines,
        "total": _money(total),
        "vat_rate": None if rate is None else f"{rate.normalize():f}",
        "vat": None if vat is None else _money(vat),
        "words": rubles_in_words(total),
    }  # fmt: skip


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("seller", "buyer", "booth", "lines", "total", "vat_rate", "exhibition")
    return all(a.get(k) == b.get(k) for k in keys)


def current_document(session: Session, reservation_id: int, kind: str) -> Document | None:
    return session.scalar(
        select(Document).where(
            Document.reservation_id == reservation_id,
            Document.kind == kind,
            Document.status == "issued",
        )
    )


def document_state(document: Document) -> dict[str, Any]:
    return {
        "number": document.number, "kind": document.kind, "status": document.status,
        "total": str(document.total), "exhibitor_id": document.exhibitor_id,
        "booth_id": document.reservation.booth_id, "reservation_id": document.reservation_id,
        "paid": str(document.paid), "payment_state": document.payment_state,
        "settlement": document.settlement,
    }  # fmt: skip


def _issue(session: Session, kind: str, reservation: Reservation, user: User | None) -> Document:
    """Issue a document of ``kind`` for the reservation, or return the current one when
    nothing it shows has changed; a change issues a correction and keeps the old one."""
    exhibition = reservation.booth.hall.exhibition
    seller = organiser_requisites(session, exhibition)
    if seller is None:
        raise RequisitesMissing(
            tr("Сначала заполните реквизиты организатора выставки «%(title)s»",
               title=exhibition.title)
        )  # fmt: skip
    content = _content(session, kind, reservation, seller)
    current = current_document(session, reservation.id, kind)
    if current is not None and _same(current.content, content):
        return current
    today = utcnow().date()
    seq = next_number(session, seller.inn, today.year, kind)
    number = format_number(kind, today.year, seq)
    settings = settings_of(session, exhibition)
    due = today + timedelta(days=settings.payment_days) if kind == "invoice" else None
    if due is not None and current is not None and current.due_on is not None:
        # A correction does not restart the term: what was owed stays owed from the first
        # invoice's due date (an overdue invoice stays overdue after a move or an order).
        due = min(due, current.due_on)
    if kind == "invoice":
        purpose = (
            f"Оплата по счёту № {number} от {today:%d.%m.%Y}, стенд {content['booth']['number']}"
        )
        purpose += "; без НДС" if content["vat"] is None else \
            f"; в т.ч. НДС {content['vat_rate']}% {content['vat']}"  # fmt: skip
        content["purpose"] = purpose
        content["qr"] = payment_payload(
            name=seller.name, account=seller.account, bank=seller.bank, bik=seller.bik,
            corr_account=seller.corr_account, amount=Decimal(content["total"]),
            purpose=purpose, inn=seller.inn, kpp=seller.kpp,
        )  # fmt: skip
    contract = current_document(session, reservation.id, "contract")
    content["contract"] = {"number": contract.number, "issued_on": contract.issued_on.isoformat()} \
        if contract is not None and kind != "contract" else None  # fmt: skip
    document = Document(
        kind=kind, exhibition_id=exhibition.id, exhibitor_id=reservation.exhibitor_id,
        reservation_id=reservation.id, organiser_inn=seller.inn, year=today.year, seq=seq,
        number=number, issued_on=today, due_on=due, issued_by_id=user.id if user else None,
        total=Decimal(content["total"]),
        vat=None if content["vat"] is None else Decimal(content["vat"]),
        content=content, replaces_id=current.id if current else None,
    )  # fmt: skip
    session.add(document)
    session.flush()
    if current is not None:
        current.status = "superseded"
        for payment in list(current.payments):
            payment.document_id = document.id
        session.flush()
        session.refresh(document)
        session.refresh(current)
        audit.record(session, f"{kind}.superseded", "billing_document", current.id,
                     after=document_state(current), user_id=user.id if user else None)  # fmt: skip
    audit.record(session, f"{kind}.issued", "billing_document", document.id,
                 after=document_state(document), user_id=user.id if user else None)  # fmt: skip
    return document


def _issue_and_tell(
    session: Session, kind: str, reservation: Reservation, user: User | None
) -> Document:
    """Issue (or correct) a document; a new one is mailed to the exhibitor."""
    from exhibit.billing import notices

    current = current_document(session, reservation.id, kind)
    document = _issue(session, kind, reservation, user)
    if document is not current:
        notices.documents_issued(session, reservation, [document])
    return document


def _reservation(session: Session, reservation_id: int) -> Reservation:
    reservation = session.get(Reservation, reservation_id)
    if reservation is None:
        raise NotFound(
            tr("Бронирование %(reservation_id)s не найдено", reservation_id=reservation_id)
        )
    return reservation


@unit_of_work
def issue_invoice(session: Session, reservation_id: int, user: User | None) -> Document:
    """The reservation's invoice: issued now, the current one, or a correction of it."""
    _require_organiser(user)
    reservation = _reservation(session, reservation_id)
    if reservation.status not in ("requested", "held", "confirmed"):
        raise Conflict(tr("Счёт выставляют на действующее бронирование"))
    return _issue_and_tell(session, "invoice", reservation, user)


@unit_of_work
def issue_contract(session: Session, reservation_id: int, user: User | None) -> Document:
    _require_organiser(user)
    reservation = _reservation(session, reservation_id)
    if reservation.status not in ("requested", "held", "confirmed"):
        raise Conflict(tr("Договор заключают на действующее бронирование"))
    return _issue_and_tell(session, "contract", reservation, user)


@unit_of_work
def issue_act(session: Session, reservation_id: int, user: User | None) -> Document:
    """The certificate of services rendered: after the exhibition, for a confirmed booth."""
    _require_organiser(user)
    reservation = _reservation(session, reservation_id)
    exhibition = reservation.booth.hall.exhibition
    if utcnow().date() < exhibition.ends_on:
        raise Conflict(tr("Акт составляют после выставки (она кончается %(day)s)",
                          day=exhibition.ends_on.strftime("%d.%m.%Y")))  # fmt: skip
    if reservation.status != "confirmed":
        raise Conflict(tr("Акт составляют только на подтверждённый стенд"))
    return _issue_and_tell(session, "act", reservation, user)


def issue_on_confirm(session: Session, reservation: Reservation, user: User) -> None:
    """After a confirmation: the contract and the invoice, when the organiser's requisites
    are set (without them the organiser issues later)."""
    exhibition = reservation.booth.hall.exhibition
    from exhibit.billing import notices

    if organiser_requisites(session, exhibition) is None:
        return
    before = {kind: current_document(session, reservation.id, kind)
              for kind in ("contract", "invoice")}  # fmt: skip
    made = [_issue(session, kind, reservation, user) for kind in ("contract", "invoice")]
    notices.documents_issued(session, reservation, [d for d in made if d is not before[d.kind]])


#: The reservation's changes that end it: its invoice and contract are annulled.
ENDED = ("reservation.cancelled", "reservation.declined", "reservation.expired",
         "reservation.released")  # fmt: skip


def on_reservation_change(
    session: Session,
    action: str,
    reservation: Reservation,
    before: dict[str, Any] | None,
    user: User | None,
) -> None:
    """Booking's ``AFTER_CHANGE`` hook: an ended reservation's documents are annulled, a
    moved one's are reissued for the new booth (in the change's unit of work)."""
    from exhibit.billing import notices

    if action in ENDED:
        annulled = annul_documents(session, reservation, user, action.split(".", 1)[1])
        notices.documents_annulled(session, reservation, annulled)
    elif action == "reservation.moved":
        from exhibit.billing.orders import follow_booth

        follow_booth(session, reservation, (before or {}).get("booth_id"), user)
        notices.documents_issued(session, reservation, reissue(session, reservation, user))


def annul_documents(
    session: Session, reservation: Reservation, user: User | None, reason: str
) -> list[Document]:
    """Annul the reservation's current invoice and contract: kept with their numbers (the
    sequence has no gaps), marked annulled, never deleted. An invoice with money on it waits
    for an organiser's decision: refund or credit (``settlement`` «pending»). Acts stay."""
    found = list(
        session.scalars(
            select(Document)
            .where(Document.reservation_id == reservation.id, Document.status == "issued",
                   Document.kind.in_(("invoice", "contract")))
            .order_by(Document.id)
            .with_for_update()
        )
    )  # fmt: skip
    now = utcnow()
    for document in found:
        before = document_state(document)
        document.status = "cancelled"
        document.cancelled_at = now
        if document.kind == "invoice" and document.paid > 0:
            document.settlement = "pending"
        session.flush()
        audit.record(session, f"{document.kind}.annulled", "billing_document", document.id,
                     before=before, after=document_state(document) | {"reason": reason},
                     user_id=user.id if user else None)  # fmt: skip
    return found


def reissue(session: Session, reservation: Reservation, user: User | None) -> list[Document]:
    """After a move: the contract and the invoice that exist are corrected for the new booth
    (the old ones kept as superseded, the payments carried over). Returns the new ones."""
    made = []
    for kind in ("contract", "invoice"):
        current = current_document(session, reservation.id, kind)
        if current is None:
            continue
        document = _issue(session, kind, reservation, user)
        if document is not current:
            made.append(document)
    return made


def require_paid_to_confirm(session: Session, reservation: Reservation) -> None:
    """With «pay first» set, a reservation is confirmed only when its invoice is paid."""
    settings = session.get(BillingSettings, reservation.booth.hall.exhibition.id)
    if settings is None or not settings.pay_to_confirm:
        return
    invoice = current_document(session, reservation.id, "invoice")
    if invoice is None or invoice.payment_state not in ("paid", "overpaid"):
        raise Conflict(
            tr("Стенд %(number)s подтверждается только после оплаты счёта",
               number=reservation.booth.number)
        )  # fmt: skip


# --- reading documents -------------------------------------------------------------------


def documents(
    session: Session,
    user: User | None,
    *,
    exhibition: Exhibition | None = None,
    kind: str | None = None,
    reservation_id: int | None = None,
    include_superseded: bool = True,
) -> list[Document]:
    """Documents a user may see: an organiser all, an exhibitor their own; newest first."""
    if user is None or (not user.is_organiser and user.exhibitor_id is None):
        raise Forbidden(tr("Документы видят организаторы и экспоненты"))
    query = select(Document).options(
        selectinload(Document.payments), selectinload(Document.exhibitor),
        selectinload(Document.reservation).selectinload(Reservation.booth),
    ).order_by(Document.issued_at.desc(), Document.id.desc())  # fmt: skip
    if not user.is_organiser:
        query = query.where(Document.exhibitor_id == user.exhibitor_id)
    if exhibition is not None:
        query = query.where(Document.exhibition_id == exhibition.id)
    if kind is not None:
        query = query.where(Document.kind == kind)
    if reservation_id is not None:
        query = query.where(Document.reservation_id == reservation_id)
    if not include_superseded:
        query = query.where(Document.status == "issued")
    return list(session.scalars(query))


def visible_document(session: Session, document_id: int, user: User | None) -> Document:
    """One document for its exhibitor or an organiser; to anybody else it does not exist."""
    if user is None or (not user.is_organiser and user.exhibitor_id is None):
        raise Forbidden(tr("Документы видят организаторы и экспоненты"))
    document = session.get(Document, document_id)
    if document is None or not (user.is_organiser or user.exhibitor_id == document.exhibitor_id):
        raise NotFound(tr("Документ %(id)s не найден", id=document_id))
    return document


def document_by_number(
    session: Session, number: str, user: User | None, kind: str = "invoice"
) -> Document:
    if user is not None and not user.is_organiser:
        raise Forbidden(tr("Это могут только организаторы"))
    found = list(session.scalars(
        select(Document).where(Document.number == number, Document.kind == kind)
        .order_by(Document.id)
    ))  # fmt: skip
    if not found:
        raise NotFound(tr("Счёт № %(number)s не найден", number=number))
    return found[-1]


def is_overdue(document: Document, today: date | None = None) -> bool:
    today = today or utcnow().date()
    return (
        document.kind == "invoice"
        and document.status == "issued"
        and document.due_on is not None
        and document.due_on < today
        and document.payment_state in ("unpaid", "partial")
    )


@dataclass
class BoothPayment:
    """How a booth stands with money, for the sales map: paid, partial, invoiced (unpaid,
    within its term) or overdue."""

    state: str
    number: str | None


def booth_payment_states(session: Session, exhibition: Exhibition) -> dict[int, BoothPayment]:
    """Booth id → payment state of its active reservation's current invoice."""
    rows = session.execute(
        select(Reservation.booth_id, Document)
        .join(Document, Document.reservation_id == Reservation.id)
        .join(Booth, Booth.id == Reservation.booth_id)
        .where(Booth.exhibition_id == exhibition.id, Document.kind == "invoice",
               Document.status == "issued",
               Reservation.status.in_(("requested", "held", "confirmed")))
        .options(selectinload(Document.payments))
    )  # fmt: skip
    result = {}
    today = utcnow().date()
    for booth_id, document in rows:
        state = document.payment_state
        label = {"unpaid": "invoiced", "overpaid": "paid"}.get(state, state)
        if is_overdue(document, today):
            label = "overdue"
        result[booth_id] = BoothPayment(label, document.number)
    return result
