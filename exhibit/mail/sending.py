"""Sending from the outbox: claim, hand over, mark — so that nothing is lost or sent twice.

1. **Claim** (its own committed transaction): the oldest due ``queued`` row becomes
   ``sending`` with a lease (``claimed_until``); on PostgreSQL the row is picked with
   ``FOR UPDATE SKIP LOCKED``, so several workers never take the same one (on SQLite the
   write lock orders them).
2. **Hand over**: right before the message's data goes out, ``handed_at`` is committed.
3. **Mark** ``sent`` (or, on a refusal, ``failed`` with the reason; on a temporary failure
   back to ``queued`` with a growing pause).

A worker that dies leaves its row ``sending``. When the lease has run out the row is
recovered: not yet handed over → queued again (nothing left the machine); handed over →
delivered if the transport can tell (a file exists), otherwise ``failed`` with the reason
"may have been delivered" for an organiser to check — never sent a second time behind
anybody's back. The Message-ID is the row's, so a resend (``mail retry``) is the same message.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit.db import unit_of_work
from exhibit.mail.message import Attachment, build
from exhibit.mail.outbox import OutboxMessage
from exhibit.mail.transport import PermanentFailure, TemporaryFailure, Transport
from exhibit.timeutil import utcnow

log = logging.getLogger("exhibit.mail")

UNCERTAIN = (
    "неизвестно, доставлено ли: обработчик почты остановился, передавая письмо серверу; "
    "проверьте журнал почтового сервера (Message-ID {message_id}) и при необходимости "
    "отправьте заново: flask --app exhibit mail retry {id}"
)


@dataclass
class Policy:
    """How the worker sends: leases, pauses between attempts, attachment size."""

    sender: Address
    lease: timedelta = timedelta(minutes=5)
    retry_base: timedelta = timedelta(minutes=1)
    retry_max: timedelta = timedelta(hours=6)
    max_attempts: int = 20
    max_attachment: int = 5 * 1024 * 1024
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def pause(self, attempts: int) -> timedelta:
        """The pause after the n-th failed attempt: 1, 2, 4, 8 … times the base, capped."""
        factor = 2 ** min(max(attempts - 1, 0), 30)
        return min(self.retry_base * factor, self.retry_max)


#: Makes an attachment described by an outbox row (``{"kind", "id", "filename"}``), or None.
AttachmentMaker = Callable[[Session, dict[str, Any]], Attachment | None]
#: Says why a message must not go any more (its exhibitor was deleted …), or None.
Refusal = Callable[[Session, OutboxMessage], str | None]
#: Called in the unit of work that marks a message failed (tells organisers).
OnFailure = Callable[[Session, OutboxMessage], None]


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0

    def __bool__(self) -> bool:
        return bool(self.sent or self.retried or self.failed or self.recovered)


# --- the steps, each its own unit of work ------------------------------------------------


@unit_of_work
def recover_stale(
    session: Session, transport: Transport, now: datetime, on_failure: OnFailure | None = None
) -> int:
    """Rows whose worker's lease ran out: queued again, or settled (see the module)."""
    stale = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now)
            .with_for_update(skip_locked=True)
        )
    )
    for row in stale:
        row.claimed_by = None
        row.claimed_until = None
        if row.handed_at is None:
            row.status = "queued"
            row.last_error = "обработчик почты остановился до отправки; письмо в очереди снова"
            log.warning("mail %s: its worker stopped before sending; queued again", row.id)
            continue
        delivered = transport.delivered(file_name(row))
        if delivered:
            row.status = "sent"
            row.sent_at = row.handed_at
            row.last_error = None
            log.info("mail %s: its worker stopped after delivering it; marked sent", row.id)
        elif delivered is False:
            row.status = "queued"
            row.handed_at = None
            log.warning("mail %s: its worker stopped before delivering it; queued again", row.id)
        else:
            row.status = "failed"
            row.last_error = UNCERTAIN.format(message_id=row.message_id, id=row.id)
            log.error("mail %s: may have been delivered before its worker stopped", row.id)
            if on_failure is not None:
                on_failure(session, row)
    return len(stale)


@unit_of_work
def claim(session: Session, policy: Policy, now: datetime) -> int | None:
    """Take the oldest due queued message for this worker; its id, or None."""
    row = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if row is None:
        return None
    row.status = "sending"
    row.claimed_by = policy.worker_id[:100]
    row.claimed_until = now + policy.lease
    row.attempts += 1
    row.handed_at = None
    return row.id


@unit_of_work
def mark_handed(session: Session, message_id: int) -> None:
    row = session.get(OutboxMessage, message_id)
    assert row is not None
    row.handed_at = utcnow()


@unit_of_work
def mark_sent(session: Session, message_id: int) -> None:
    row = session.get(OutboxMessage, message_id)
    assert row is not None
    row.status = "sent"
    row.sent_at = utcnow()
    row.claimed_by = row.claimed_until = None
    row.last_error = None


@unit_of_work
def mark_failed(
    session: Session, message_id: int, reason: str, on_failure: OnFailure | None = None
) -> None:
    row = session.get(OutboxMessage, message_id)
    assert row is not None
    row.status = "failed"
    row.last_error = reason[:2000]
    row.claimed_by = row.claimed_until = None
    row.handed_at = None
    if on_failure is not None:
        on_failure(session, row)


@unit_of_work
def mark_retry(
    session: Session,
    message_id: int,
    reason: str,
    policy: Policy,
    now: datetime,
    on_failure: OnFailure | None = None,
) -> bool:
    """Back to the queue after a pause; False when the attempts are used up (failed)."""
    row = session.get(OutboxMessage, message_id)
    assert row is not None
    if row.attempts >= policy.max_attempts:
        mark_failed(
            session,
            message_id,
            f"не доставлено за {row.attempts} попыток; последняя ошибка: {reason}",
            on_failure,
        )
        return False
    row.status = "queued"
    row.next_attempt_at = now + policy.pause(row.attempts)
    row.last_error = reason[:2000]
    row.claimed_by = row.claimed_until = None
    row.handed_at = None
    return True


@unit_of_work
def retry(session: Session, message_id: int) -> OutboxMessage:
    """An operator's resend of a failed message (the same Message-ID)."""
    from exhibit.errors import Conflict, NotFound, tr

    row = session.get(OutboxMessage, message_id, with_for_update=True)
    if row is None:
        raise NotFound(tr("Письма %(id)s нет в очереди", id=message_id))
    if row.status != "failed":
        raise Conflict(tr("Письмо %(id)s не отклонено: повторять нечего", id=message_id))
    row.status = "queued"
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.handed_at = None
    return row


# --- the loop's step ----------------------------------------------------------------------


def file_name(row: OutboxMessage) -> str:
    """The message's file name for the file transport: its id and a part of its Message-ID."""
    token = "".join(c for c in row.message_id.split("@")[0] if c.isalnum())[-12:]
    return f"{row.id:06d}-{token}"


def message_of(
    session: Session, row: OutboxMessage, policy: Policy, make: AttachmentMaker | None
) -> tuple[Any, list[str]]:
    """The MIME message of a row, and notes on attachments left out (too big, not made)."""
    attachments: list[Attachment] = []
    notes: list[str] = []
    for spec in row.attachments or []:
        made = make(session, spec) if make is not None else None
        if made is None:
            notes.append(f"{spec.get('filename')}: not made")
        elif len(made.content) > policy.max_attachment:
            notes.append(f"{made.filename}: {len(made.content)} bytes, sent as a link instead")
        else:
            attachments.append(made)
    message = build(
        sender=policy.sender,
        recipient=row.recipient,
        subject=row.subject,
        text=row.text_body,
        html=row.html_body,
        message_id=row.message_id,
        date=row.created_at,
        language=row.language,
        attachments=attachments,
    )
    return message, notes


def send_due(
    session: Session,
    transport: Transport,
    policy: Policy,
    *,
    now: Callable[[], datetime] = utcnow,
    limit: int | None = None,
    make_attachment: AttachmentMaker | None = None,
    refuse: Refusal | None = None,
    on_failure: OnFailure | None = None,
) -> Report:
    """Send what is due, one message at a time, until none is left (or ``limit``). Stops
    early when the server is unreachable (the rest waits for the next round)."""
    report = Report()
    report.recovered = recover_stale(session, transport, now(), on_failure)
    while limit is None or report.sent + report.failed + report.retried < limit:
        message_id = claim(session, policy, now())
        if message_id is None:
            break
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        reason = refuse(session, row) if refuse is not None else None
        if reason:
            mark_failed(session, message_id, reason)
            report.failed += 1
            log.info("mail %s (%s) not sent: %s", message_id, row.kind, reason)
            continue
        message, notes = message_of(session, row, policy, make_attachment)
        for note in notes:
            log.info("mail %s: attachment %s", message_id, note)
        recipient, sender, kind, name = (
            row.recipient,
            policy.sender.addr_spec,
            row.kind,
            file_name(row),
        )
        session.rollback()  # end the read transaction: nothing is held while the server talks
        try:
            transport.send(
                message,
                sender,
                recipient,
                functools.partial(mark_handed, session, message_id),
                name=name,
            )
        except PermanentFailure as exc:
            mark_failed(session, message_id, str(exc), on_failure)
            report.failed += 1
            log.error("mail %s to %s refused: %s", message_id, recipient, exc)
        except TemporaryFailure as exc:
            if mark_retry(session, message_id, str(exc), policy, now(), on_failure):
                report.retried += 1
                log.warning("mail %s to %s: %s; will try again", message_id, recipient, exc)
            else:
                report.failed += 1
                log.error("mail %s to %s: gave up: %s", message_id, recipient, exc)
            break  # the server is not taking mail now: the rest waits for the next round
        else:
            mark_sent(session, message_id)
            report.sent += 1
            log.info("mail %s (%s) sent to %s", message_id, kind, recipient)
    return report
