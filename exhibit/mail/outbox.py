"""The outbox: every notice is a row written in the same transaction as the change that
causes it, so a rolled-back change sends nothing and a committed one always has its notice.

A row is ``queued`` until the worker claims it (``sending``, with a lease), hands it to the
transport and marks it ``sent``; a permanent refusal marks it ``failed`` with the reason.
The Message-ID is made once, when the row is written, so every attempt sends the same
message. See :mod:`exhibit.mail.sending` for the claim-then-send protocol.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from exhibit.db import Base
from exhibit.timeutil import utcnow

STATUSES = ("queued", "sending", "sent", "failed")


class OutboxMessage(Base):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: What the notice is about, e.g. ``reservation.confirmed``, ``password.reset``.
    kind: Mapped[str] = mapped_column(String(60))
    #: ``<…@domain>``, made once: every attempt sends the same message.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    #: Notices that must go once only (a reminder per hold) carry a key; a second is refused.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The exhibitor the recipient represents (plain id, no key): mail to a deleted one stops.
    exhibitor_id: Mapped[int | None]
    language: Mapped[str] = mapped_column(String(5), default="ru")
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    #: Files made when the message is sent: ``[{"kind", "id", "filename", "link"}]``.
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None]
    #: Set just before the message's data goes to the server, cleared when the attempt ends:
    #: a row still carrying it after a crash may have been delivered.
    handed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        Index("ix_outbox_message_exhibitor_id", "exhibitor_id"),
    )

    @property
    def state(self) -> str:
        """What people are shown: a message being sent is still queued."""
        return "queued" if self.status == "sending" else self.status

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "to": self.recipient,
            "subject": self.subject,
            "state": self.state,
            "attempts": self.attempts,
            "created_at": self.created_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.state == "queued" else None,
            "reason": self.last_error if self.status != "sent" else None,
            "message_id": self.message_id,
        }


def one_line(text: str, limit: int = 300) -> str:
    """Text fit for a header: every run of whitespace (CR and LF included) one space."""
    return " ".join(text.split())[:limit]


def make_message_id(domain: str) -> str:
    return f"<{utcnow():%Y%m%d%H%M%S}.{secrets.token_hex(10)}@{domain}>"


def enqueue(
    session: Session,
    *,
    kind: str,
    recipient: str,
    subject: str,
    text_body: str,
    html_body: str,
    domain: str,
    language: str = "ru",
    user_id: int | None = None,
    exhibitor_id: int | None = None,
    attachments: list[dict[str, Any]] | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Add a message to the caller's transaction. With a ``dedupe_key`` already used, nothing
    is added (None). Line breaks in the recipient or the subject never reach a header."""
    if dedupe_key is not None:
        exists = session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if exists is not None:
            return None
    message = OutboxMessage(
        kind=kind,
        message_id=make_message_id(domain),
        dedupe_key=dedupe_key,
        recipient=one_line(recipient, 254),
        user_id=user_id,
        exhibitor_id=exhibitor_id,
        language=language,
        subject=one_line(subject),
        text_body=text_body,
        html_body=html_body,
        attachments=attachments or None,
        status="queued",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(message)
    return message


def stop_for_exhibitor(session: Session, exhibitor_id: int, reason: str) -> int:
    """Fail every queued message to the users of an exhibitor (it was deleted): returns how
    many. Runs in the caller's transaction."""
    rows = list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.exhibitor_id == exhibitor_id, OutboxMessage.status == "queued"
            )
        )
    )
    for row in rows:
        row.status = "failed"
        row.last_error = reason
    return len(rows)


def messages(
    session: Session, *, state: str | None = None, limit: int = 200
) -> list[OutboxMessage]:
    """The outbox, newest first (``state``: queued, sent or failed)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if state == "queued":
        query = query.where(OutboxMessage.status.in_(("queued", "sending")))
    elif state is not None:
        query = query.where(OutboxMessage.status == state)
    return list(session.scalars(query))
