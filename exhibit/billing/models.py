"""Requisites, billing settings, issued documents, payments, price lists and service orders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exhibit.db import Base
from exhibit.timeutil import utcnow

if TYPE_CHECKING:
    from exhibit.booking.models import Reservation
    from exhibit.catalogue.models import Exhibitor

DOCUMENT_KINDS = ("invoice", "contract", "act")
#: ``cancelled`` is shown as annulled: the reservation ended; the document is kept, its
#: number stays taken.
DOCUMENT_STATUSES = ("issued", "superseded", "cancelled")
#: What happens to the money of an annulled invoice: an organiser decides (``pending``),
#: then ``refund`` (paid back) or ``credit`` (moved to another invoice of the exhibitor).
SETTLEMENTS = ("pending", "refund", "credit")
PAYMENT_STATES = ("matched", "doubtful", "unmatched")
PRICE_CATEGORIES = ("electricity", "furniture", "badges", "wifi", "cleaning", "other")
LATE_POLICIES = ("surcharge", "refuse")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Requisites(Base):
    """A party's requisites: the organiser's of an exhibition, or an exhibitor's."""

    __tablename__ = "requisites"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int | None] = mapped_column(
        ForeignKey("exhibition.id", ondelete="CASCADE"), unique=True
    )
    exhibitor_id: Mapped[int | None] = mapped_column(
        ForeignKey("exhibitor.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(300))
    inn: Mapped[str] = mapped_column(String(12))
    kpp: Mapped[str] = mapped_column(String(9), default="")
    ogrn: Mapped[str] = mapped_column(String(15), default="")
    address: Mapped[str] = mapped_column(String(300))
    bank: Mapped[str] = mapped_column(String(200))
    bik: Mapped[str] = mapped_column(String(9))
    corr_account: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(20))
    signatory: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("(exhibition_id IS NULL) <> (exhibitor_id IS NULL)", name="one_party"),
    )

    def as_dict(self) -> dict[str, str]:
        from exhibit.billing.checks import FIELDS

        return {name: getattr(self, name) or "" for name in FIELDS}


class BillingSettings(Base):
    """An exhibition's billing rules: VAT, payment term, pay-first, the orders' deadline."""

    __tablename__ = "billing_settings"

    exhibition_id: Mapped[int] = mapped_column(
        ForeignKey("exhibition.id", ondelete="CASCADE"), primary_key=True
    )
    #: VAT in per cent (20, 22 …); ``None`` is «без НДС» (a simplified tax regime).
    vat_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    payment_days: Mapped[int] = mapped_column(default=10)
    #: A hold turns into a confirmation only when its invoice is paid.
    pay_to_confirm: Mapped[bool] = mapped_column(default=False)
    order_deadline: Mapped[date | None]
    late_policy: Mapped[str] = mapped_column(String(20), default="surcharge")
    late_surcharge_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))

    __table_args__ = (
        CheckConstraint(_in("late_policy", LATE_POLICIES), name="late_policy_known"),
        CheckConstraint("payment_days > 0", name="payment_days_positive"),
    )


class DocumentCounter(Base):
    """The last number given per organiser (ИНН), year and kind: numbers without gaps."""

    __tablename__ = "document_counter"

    organiser_inn: Mapped[str] = mapped_column(String(12), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Document(Base):
    """An issued invoice, contract or act: what was printed is kept (``content``) and never
    changed; a correction is a new document that ``replaces`` it."""

    __tablename__ = "billing_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibition.id", ondelete="CASCADE"))
    exhibitor_id: Mapped[int] = mapped_column(ForeignKey("exhibitor.id", ondelete="RESTRICT"))
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservation.id", ondelete="RESTRICT"))
    organiser_inn: Mapped[str] = mapped_column(String(12))
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(30))
    issued_on: Mapped[date]
    due_on: Mapped[date | None]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="issued")
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("billing_document.id", ondelete="RESTRICT")
    )
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    vat: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    #: Everything the document shows (both parties' requisites, lines, sums, QR text).
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: When the document was annulled (its reservation cancelled, declined or expired).
    cancelled_at: Mapped[datetime | None]
    settlement: Mapped[str | None] = mapped_column(String(10))
    settlement_note: Mapped[str | None] = mapped_column(String(300))

    exhibitor: Mapped[Exhibitor] = relationship()
    reservation: Mapped[Reservation] = relationship()
    payments: Mapped[list[Payment]] = relationship(back_populates="document", order_by="Payment.id")

    __table_args__ = (
        CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind_known"),
        CheckConstraint(_in("status", DOCUMENT_STATUSES), name="status_known"),
        CheckConstraint(_in("settlement", SETTLEMENTS), name="settlement_known"),
        UniqueConstraint("kind", "organiser_inn", "year", "seq"),
        Index("ix_billing_document_reservation_id", "reservation_id"),
        Index("ix_billing_document_exhibition_id", "exhibition_id"),
    )

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.state == "matched"), Decimal(0))

    @property
    def payment_state(self) -> str:
        """unpaid, partial, paid or overpaid (invoices only)."""
        paid = self.paid
        if paid <= 0:
            return "unpaid"
        if paid < self.total:
            return "partial"
        return "paid" if paid == self.total else "overpaid"


class Payment(Base):
    """Money received: marked by an organiser or read from a bank statement."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibition.id", ondelete="CASCADE"))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("billing_document.id", ondelete="RESTRICT")
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    paid_on: Mapped[date]
    payer: Mapped[str] = mapped_column(String(300), default="")
    payer_inn: Mapped[str] = mapped_column(String(12), default="")
    purpose: Mapped[str] = mapped_column(String(500), default="")
    number: Mapped[str] = mapped_column(String(20), default="")
    source: Mapped[str] = mapped_column(String(10), default="manual")
    #: The statement payment's identity (number, date, amount, accounts): loaded once.
    key: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(10), default="matched")
    overpaid: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    document: Mapped[Document | None] = relationship(back_populates="payments")

    __table_args__ = (
        CheckConstraint(_in("state", PAYMENT_STATES), name="state_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("exhibition_id", "key"),
        Index("ix_payment_document_id", "document_id"),
    )


class PriceItem(Base):
    """A service on an exhibition's price list (electricity per kW, a chair, a badge …)."""

    __tablename__ = "price_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibition.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20), default="шт.")
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    contractor: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        UniqueConstraint("exhibition_id", "code"),
        CheckConstraint(_in("category", PRICE_CATEGORIES), name="category_known"),
        CheckConstraint("price >= 0", name="price_not_negative"),
    )


class ServiceOrder(Base):
    """An exhibitor's order of a service for their booth."""

    __tablename__ = "service_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservation.id", ondelete="CASCADE"))
    price_item_id: Mapped[int] = mapped_column(ForeignKey("price_item.id", ondelete="RESTRICT"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    #: The price per unit when ordered, a late order's surcharge included.
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    late: Mapped[bool] = mapped_column(default=False)
    #: Where the socket goes (electricity), in the hall's metres, inside the booth.
    point_x: Mapped[float | None] = mapped_column(Float)
    point_y: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    item: Mapped[PriceItem] = relationship()
    reservation: Mapped[Reservation] = relationship()

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status IN ('active', 'cancelled')", name="status_known"),
        Index("ix_service_order_reservation_id", "reservation_id"),
    )

    @property
    def amount(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(Decimal("0.01"))
