"""Exhibitions, halls, plan versions and booths."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from shapely.geometry import Polygon
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exhibit.db import Base, Geometry
from exhibit.floorplan.plan import BOOTH_KINDS
from exhibit.timeutil import utcnow

if TYPE_CHECKING:
    from exhibit.booking.models import Reservation

DEFAULT_KIND_MULTIPLIERS = {"linear": 1.0, "corner": 1.1, "peninsula": 1.15, "island": 1.25}


class Exhibition(Base):
    __tablename__ = "exhibition"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    #: Price of one square metre of a linear booth, in ``currency``.
    base_rate: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    #: Price multiplier per booth kind, e.g. ``{"corner": 1.1}``.
    kind_multipliers: Mapped[dict[str, float]] = mapped_column(
        JSON, default=lambda: dict(DEFAULT_KIND_MULTIPLIERS)
    )
    hold_hours: Mapped[int] = mapped_column(default=72)
    max_booths_per_exhibitor: Mapped[int | None]
    max_area_per_exhibitor: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    min_aisle_m: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("3.00"))
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    halls: Mapped[list[Hall]] = relationship(
        back_populates="exhibition", order_by="Hall.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("hold_hours > 0", name="hold_positive"),
    )

    def __repr__(self) -> str:
        return f"<Exhibition {self.slug}>"


class Hall(Base):
    __tablename__ = "hall"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibition.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    outline: Mapped[Polygon] = mapped_column(Geometry)
    #: Number of the published plan version the booths reflect.
    plan_version: Mapped[int] = mapped_column(default=1)

    exhibition: Mapped[Exhibition] = relationship(back_populates="halls")
    #: Every booth ever in the hall's plans, retired ones included (see ``current_booths``).
    booths: Mapped[list[Booth]] = relationship(
        back_populates="hall", order_by="Booth.id", cascade="all, delete-orphan"
    )
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="hall", order_by="PlanVersion.number", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("exhibition_id", "name"),)

    @property
    def current_booths(self) -> list[Booth]:
        """The booths of the current plan version."""
        return [booth for booth in self.booths if not booth.retired]

    @property
    def current_plan(self) -> PlanVersion | None:
        """The published version the booths reflect."""
        return next((v for v in self.versions if v.number == self.plan_version), None)


class PlanVersion(Base):
    """A plan file as loaded: the whole GeoJSON document, kept for every version."""

    __tablename__ = "plan_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id", ondelete="CASCADE"))
    number: Mapped[int]
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_name: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    hall: Mapped[Hall] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("hall_id", "number"),)


class PlanDraft(Base):
    """An uploaded or laid-out plan waiting to be checked and published as a hall version.

    Kept (with its validation report) so that an organiser can look at the errors drawn on
    the plan, fix the file and upload again; publishing turns it into a :class:`PlanVersion`.
    """

    __tablename__ = "plan_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibition.id", ondelete="CASCADE"))
    hall_name: Mapped[str] = mapped_column(String(100))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_name: Mapped[str | None] = mapped_column(String(255))
    #: "upload" or "layout" (made by the automatic layout), with its figures in ``note``.
    origin: Mapped[str] = mapped_column(String(20), default="upload")
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_version: Mapped[int | None]

    @property
    def valid(self) -> bool:
        return bool(self.report.get("valid"))


class Booth(Base):
    __tablename__ = "booth"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised from the hall so the database can keep numbers unique per exhibition.
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibition.id", ondelete="CASCADE"))
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))
    polygon: Mapped[Polygon] = mapped_column(Geometry)
    area_m2: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    open_sides: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    #: The track of the zone the booth stands in (from the plan's zones), if any.
    zone_track: Mapped[str | None] = mapped_column(ForeignKey("track.code"))
    #: Set by an organiser to replace the computed price.
    price_override: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    #: Not for sale (an organiser's decision), independent of reservations.
    blocked: Mapped[bool] = mapped_column(default=False)
    blocked_reason: Mapped[str | None] = mapped_column(String(200))
    #: Dropped by a later plan version; the row stays for its reservation history.
    retired: Mapped[bool] = mapped_column(default=False)

    hall: Mapped[Hall] = relationship(back_populates="booths")
    reservations: Mapped[list[Reservation]] = relationship(
        back_populates="booth", order_by="Reservation.id"
    )

    __table_args__ = (
        UniqueConstraint("exhibition_id", "number"),
        CheckConstraint("area_m2 > 0", name="area_positive"),
        CheckConstraint("open_sides BETWEEN 0 AND 4", name="open_sides_range"),
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in BOOTH_KINDS) + ")", name="kind_known"
        ),
    )

    def __repr__(self) -> str:
        return f"<Booth {self.number}>"
