"""Who gets a notice, and the notices about accounts; every one is written to the outbox in
the caller's unit of work (``exhibit/mail/outbox.py``), in the recipient's language.

Exhibitors get every notice about their own account and reservations; the only ones they
may turn off are the reminders. Organisers choose which of theirs they get (all by default).
Mail to the users of a deleted exhibitor, or to a disabled user, is not written at all.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit.accounts.models import User
from exhibit.catalogue.models import Exhibitor
from exhibit.mail.message import domain_of
from exhibit.mail.outbox import OutboxMessage, enqueue
from exhibit.mail.render import link, render

#: Organisers' notices, each a setting (on unless turned off).
ORGANISER_NOTICES = {
    "organiser.registration": _l("Новая регистрация экспонента"),
    "organiser.request": _l("Новый запрос стенда"),
    "organiser.hold_expiring": _l("Удержание истекает, а бронирование не подтверждено"),
    "organiser.undeliverable": _l("Письмо не удалось доставить"),
}
#: The notices an exhibitor may turn off: the reminders only.
EXHIBITOR_OPTIONAL = {"reminders": _l("Напоминания: удержание истекает через 24 часа")}


def wants(user: User, key: str) -> bool:
    """Whether the user gets the notices of this setting (on unless turned off)."""
    return bool((user.notice_settings or {}).get(key, True))


def users_of(session: Session, exhibitor: Exhibitor) -> list[User]:
    """The active users of an exhibitor; nobody when it was deleted."""
    if exhibitor.is_deleted:
        return []
    return list(
        session.scalars(
            select(User).where(User.exhibitor_id == exhibitor.id, User.active.is_(True))
        )
    )


def organisers_for(session: Session, key: str) -> list[User]:
    """The active organisers who want this notice."""
    organisers = session.scalars(
        select(User).where(User.role == "organiser", User.active.is_(True)).order_by(User.id)
    )
    return [user for user in organisers if wants(user, key)]


def send(
    session: Session,
    user: User,
    name: str,
    *,
    kind: str | None = None,
    address: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    dedupe_key: str | None = None,
    final: bool = False,
    **context: Any,
) -> OutboxMessage | None:
    """Write the notice ``templates/mail/<name>.txt`` for the user to the outbox. A ``final``
    notice (the refusal of a registration) still goes after its exhibitor is deleted."""
    language = user.language if user.language in current_app.config["LANGUAGES"] else "ru"
    rendered = render(name, language, user=user, **context)
    return enqueue(
        session,
        kind=kind or name,
        recipient=address or user.email,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        domain=domain_of(current_app.config["MAIL_FROM"]),
        language=language,
        user_id=user.id,
        exhibitor_id=None if final else user.exhibitor_id,
        attachments=[{**a, "language": language} for a in attachments or []],
        dedupe_key=dedupe_key,
    )


def to_exhibitor(session: Session, exhibitor: Exhibitor, name: str, **context: Any) -> int:
    """The notice to every user of the exhibitor; how many were written."""
    users = users_of(session, exhibitor)
    for user in users:
        send(session, user, name, exhibitor=exhibitor, **context)
    return len(users)


def to_organisers(session: Session, key: str, name: str, **context: Any) -> int:
    users = organisers_for(session, key)
    for user in users:
        send(session, user, name, kind=key, **context)
    return len(users)


# --- the notices about accounts ---------------------------------------------------------


def registered(session: Session, user: User, exhibitor: Exhibitor, slug: str) -> None:
    """Registration received (to the new user) and a new registration (to organisers)."""
    send(session, user, "registration_received", exhibitor=exhibitor,
         url=link("booking.dashboard"))  # fmt: skip
    to_organisers(
        session, "organiser.registration", "organiser_registration",
        exhibitor=exhibitor, email=user.email,
        url=link("records.exhibitors", slug=slug),
    )  # fmt: skip


def approved(session: Session, exhibitor: Exhibitor, slug: str) -> None:
    to_exhibitor(session, exhibitor, "account_approved", url=link("booking.plan", slug=slug))


def refused(session: Session, exhibitor: Exhibitor, reason: str = "") -> None:
    """A registration the organisers deleted before approving it: its users are told, the
    last mail they get."""
    users = session.scalars(
        select(User).where(User.exhibitor_id == exhibitor.id, User.active.is_(True))
    )
    for user in users:
        send(session, user, "account_refused", final=True, exhibitor=exhibitor, reason=reason)


def undeliverable(session: Session, message: OutboxMessage) -> None:
    """Tell organisers that a message could not be delivered (never about such a notice)."""
    if message.kind == "organiser.undeliverable":
        return
    to_organisers(
        session, "organiser.undeliverable", "organiser_undeliverable",
        message=message, url=link("mail.outbox"),
    )  # fmt: skip
