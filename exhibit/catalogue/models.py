"""Reference data (regions, tracks) and who exhibits what (exhibitors, solutions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exhibit.catalogue.rules import EXHIBITOR_KINDS, STAGES, size_class
from exhibit.db import Base
from exhibit.timeutil import utcnow


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Region(Base):
    """A subject of the Russian Federation."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    federal_district: Mapped[str] = mapped_column(String(60))

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class Track(Base):
    """One of the forum's seven tracks, used as the exhibition's themes."""

    __tablename__ = "track"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str] = mapped_column(String(7))
    pattern: Mapped[str] = mapped_column(String(20))


class Exhibitor(Base):
    __tablename__ = "exhibitor"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibition.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    municipality: Mapped[str | None] = mapped_column(String(120))
    population: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(300))
    logo: Mapped[str | None] = mapped_column(String(100))
    contacts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    approved: Mapped[bool] = mapped_column(default=False)
    #: "Any booth" application for automatic assignment (area, track, wishes), or None.
    application: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Soft deletion: a deleted exhibitor is kept (with its history) but shown nowhere.
    #: (who deleted it, and what was released, is in the audit log).
    deleted_at: Mapped[datetime | None]

    region: Mapped[Region | None] = relationship()
    solutions: Mapped[list[Solution]] = relationship(
        back_populates="exhibitor", order_by="Solution.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(_in("kind", EXHIBITOR_KINDS), name="kind_known"),
        CheckConstraint("population IS NULL OR population >= 0", name="population_positive"),
        # Imports and partner lists refer to exhibitors by name within an exhibition.
        UniqueConstraint("exhibition_id", "name"),
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @hybrid_property
    def is_public(self) -> bool:
        """Shown to visitors: approved and not deleted (also a SQL condition)."""
        return self.approved and self.deleted_at is None

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> ColumnElement[bool]:
        return and_(cls.approved.is_(True), cls.deleted_at.is_(None))

    @property
    def size_class(self) -> str | None:
        """Size class of the municipality, from its population."""
        return size_class(self.population)

    def __repr__(self) -> str:
        return f"<Exhibitor {self.id} {self.name}>"


class Solution(Base):
    """What an exhibitor shows."""

    __tablename__ = "solution"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibitor_id: Mapped[int] = mapped_column(ForeignKey("exhibitor.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(250))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    track_code: Mapped[str] = mapped_column(ForeignKey("track.code"))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    stage: Mapped[str] = mapped_column(String(20))
    results: Mapped[str] = mapped_column(Text, default="")
    size_classes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    exhibitor: Mapped[Exhibitor] = relationship(back_populates="solutions")
    track: Mapped[Track] = relationship()

    __table_args__ = (CheckConstraint(_in("stage", STAGES), name="stage_known"),)

    def __repr__(self) -> str:
        return f"<Solution {self.id} {self.title[:30]}>"
