"""The audit trail: every change is recorded in the same transaction as the change itself."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, and_, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from exhibit.db import Base
from exhibit.timeutil import utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: What happened, e.g. ``reservation.requested``, ``plan.imported``.
    action: Mapped[str] = mapped_column(String(60))
    #: The changed record: ``booth``, ``reservation``, ``exhibitor`` … and its id.
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The booth and the exhibitor the event concerns, for filtering the log; plain ids
    #: without foreign keys, so the history outlives the records.
    booth_id: Mapped[int | None]
    exhibitor_id: Mapped[int | None]
    #: How the change was made when not through the site: ``cli:LOGIN`` for a command (run
    #: by that operating-system login), with or without a user (``--by EMAIL``).
    actor: Mapped[str | None] = mapped_column(String(60))

    __table_args__ = (
        Index("ix_audit_event_entity", "entity", "entity_id"),
        Index("ix_audit_event_booth_id", "booth_id"),
        Index("ix_audit_event_exhibitor_id", "exhibitor_id"),
        Index("ix_audit_event_user_id", "user_id"),
    )


#: Set by the command line around a command (:func:`acting`): every event recorded meanwhile
#: names it, so a change made by a command is never an anonymous «система».
_actor: ContextVar[str | None] = ContextVar("audit_actor", default=None)


@contextmanager
def acting(actor: str) -> Iterator[None]:
    """Events recorded inside name ``actor`` (e.g. ``cli:root``)."""
    token = _actor.set(actor[:60])
    try:
        yield
    finally:
        _actor.reset(token)


def record(
    session: Session,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    user_id: int | None = None,
    booth_id: int | None = None,
    exhibitor_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's transaction (committed or rolled back with it).

    The booth and exhibitor the event concerns are found from the entity and the recorded
    states (``booth_id`` / ``exhibitor_id`` keys) unless given.
    """
    found_booth, found_exhibitor = concerned(entity, entity_id, before, after)
    event = AuditEvent(
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        user_id=user_id,
        booth_id=booth_id if booth_id is not None else found_booth,
        exhibitor_id=exhibitor_id if exhibitor_id is not None else found_exhibitor,
        actor=_actor.get(),
    )
    session.add(event)
    return event


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def concerned(
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> tuple[int | None, int | None]:
    """(booth id, exhibitor id) an event is about: the entity itself, or the ids its states
    name (the state after the change first: a moved reservation is on its new booth)."""
    booth = _int(entity_id) if entity == "booth" else None
    exhibitor = _int(entity_id) if entity == "exhibitor" else None
    for state in (after, before):
        if not isinstance(state, dict):
            continue
        if booth is None:
            booth = _int(state.get("booth_id"))
        if exhibitor is None:
            exhibitor = _int(state.get("exhibitor_id"))
        if exhibitor is None and entity == "user":
            exhibitor = _int(state.get("exhibitor"))
    return booth, exhibitor


# --- reading the log --------------------------------------------------------------------

PAGE_SIZE = 50


@dataclass
class EventPage:
    events: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_newer(self) -> bool:
        return self.page > 1

    @property
    def has_older(self) -> bool:
        return self.page < self.pages


def events(
    session: Session,
    *,
    booth_ids: Collection[int] | None = None,
    exhibitor_id: int | None = None,
    user_id: int | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> EventPage:
    """Audit events, newest first, filtered by booth(s), exhibitor and user, one page.

    A booth's events include every event of the reservations that were ever on it (so a
    reservation moved away still shows its move under the booth it left).
    """
    conditions = []
    if booth_ids is not None:
        ids = list(booth_ids)
        reservations_there = select(AuditEvent.entity_id).where(
            AuditEvent.entity == "reservation", AuditEvent.booth_id.in_(ids)
        )
        conditions.append(
            or_(
                AuditEvent.booth_id.in_(ids),
                and_(
                    AuditEvent.entity == "reservation",
                    AuditEvent.entity_id.in_(reservations_there),
                ),
            )
        )
    if exhibitor_id is not None:
        conditions.append(AuditEvent.exhibitor_id == exhibitor_id)
    if user_id is not None:
        conditions.append(AuditEvent.user_id == user_id)
    total = session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
    page = max(1, page)
    rows = session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return EventPage(list(rows), total, page, per_page)
