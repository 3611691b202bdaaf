"""Reservations: who has (or wants) which booth."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exhibit.booking.rules import ACTIVE_STATUSES, RESERVATION_STATUSES
from exhibit.db import Base
from exhibit.timeutil import utcnow

if TYPE_CHECKING:
    from exhibit.catalogue.models import Exhibitor
    from exhibit.floorplan.models import Booth

_ACTIVE_SQL = "status IN (" + ", ".join(f"'{s}'" for s in ACTIVE_STATUSES) + ")"


class Reservation(Base):
    __tablename__ = "reservation"

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="RESTRICT"))
    exhibitor_id: Mapped[int] = mapped_column(ForeignKey("exhibitor.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20))
    #: When a request or an organiser's hold lapses unless confirmed.
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(500))

    booth: Mapped[Booth] = relationship(back_populates="reservations")
    exhibitor: Mapped[Exhibitor] = relationship()

    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in RESERVATION_STATUSES) + ")",
            name="status_known",
        ),
        # The database's own guard against double booking: one active reservation per booth.
        Index(
            "uq_reservation_active_booth",
            "booth_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index("ix_reservation_exhibitor_id", "exhibitor_id"),
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def __repr__(self) -> str:
        return f"<Reservation {self.id} booth={self.booth_id} {self.status}>"


class WaitlistEntry(Base):
    """An exhibitor queueing for a booth someone else has; offered the booth when it frees."""

    __tablename__ = "waitlist_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"))
    exhibitor_id: Mapped[int] = mapped_column(ForeignKey("exhibitor.id", ondelete="CASCADE"))
    #: waiting → offered (a hold was made for them) | withdrawn
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    offered_reservation_id: Mapped[int | None] = mapped_column(
        ForeignKey("reservation.id", ondelete="SET NULL")
    )

    booth: Mapped[Booth] = relationship()
    exhibitor: Mapped[Exhibitor] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'offered', 'withdrawn')", name="status_known"),
        Index(
            "uq_waitlist_entry_waiting",
            "booth_id",
            "exhibitor_id",
            unique=True,
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
    )
