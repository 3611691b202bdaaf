"""The audit trail: every change is recorded in the same transaction as the change itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
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

    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)


def record(
    session: Session,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    user_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's transaction (committed or rolled back with it)."""
    event = AuditEvent(
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        user_id=user_id,
    )
    session.add(event)
    return event
