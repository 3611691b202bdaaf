"""The money figures of the organisers' dashboard: invoiced, paid and overdue, in total and
by track (the booth's zone) and booth kind. Current invoices only (a corrected one counts
once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from exhibit.billing.models import Document
from exhibit.billing.services import is_overdue
from exhibit.booking.models import Reservation
from exhibit.floorplan.models import Exhibition


@dataclass
class Money:
    invoices: int = 0
    invoiced: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    overdue: Decimal = Decimal(0)

    def add(self, document: Document) -> None:
        self.invoices += 1
        self.invoiced += document.total
        self.paid += document.paid
        if is_overdue(document):
            self.overdue += document.total - document.paid


@dataclass
class MoneyFigures:
    total: Money = field(default_factory=Money)
    by_track: dict[str, Money] = field(default_factory=dict)
    by_kind: dict[str, Money] = field(default_factory=dict)


def money_figures(session: Session, exhibition: Exhibition) -> MoneyFigures:
    figures = MoneyFigures()
    documents = session.scalars(
        select(Document)
        .where(Document.exhibition_id == exhibition.id, Document.kind == "invoice",
               Document.status == "issued")
        .options(selectinload(Document.payments),
                 selectinload(Document.reservation).selectinload(Reservation.booth))
    )  # fmt: skip
    for document in documents:
        booth = document.reservation.booth
        figures.total.add(document)
        figures.by_track.setdefault(booth.zone_track or "", Money()).add(document)
        figures.by_kind.setdefault(booth.kind, Money()).add(document)
    return figures
