"""The notices about reservations: what booking services write to the outbox, in their own
unit of work, when a reservation changes (``services._record`` calls
:func:`reservation_changed`), and the reminders the worker sends before holds run out.

A notice names only the recipient's own booths and reservations: nothing about who had a
booth before or who else waits for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit.accounts import notices
from exhibit.booking.models import Reservation
from exhibit.floorplan.models import Booth
from exhibit.mail.render import link
from exhibit.timeutil import utcnow

#: Audit action → the exhibitor's notice (its template in templates/mail/).
EXHIBITOR_NOTICES = {
    "reservation.requested": "booth_requested",
    "reservation.held": "hold_granted",
    "reservation.expired": "hold_expired",
    "reservation.confirmed": "reservation_confirmed",
    "reservation.declined": "reservation_declined",
    "reservation.cancelled": "reservation_cancelled",
    "reservation.moved": "reservation_moved",
    "reservation.offered": "waitlist_offer",
    "reservation.assigned": "assignment_applied",
}
REMIND_BEFORE = timedelta(hours=24)


def _context(reservation: Reservation) -> dict[str, Any]:
    booth = reservation.booth
    exhibition = booth.hall.exhibition
    return {
        "reservation": reservation,
        "booth": booth,
        "hall": booth.hall,
        "exhibition": exhibition,
        "url": link("booking.mine", slug=exhibition.slug),
        "booth_url": link("booking.booth", slug=exhibition.slug, number=booth.number),
        "plan_url": link("booking.plan", slug=exhibition.slug),
        "account_url": link("accounts.account"),
    }


def reservation_changed(
    session: Session,
    action: str,
    reservation: Reservation,
    before: dict[str, Any] | None = None,
    **extra: Any,
) -> None:
    """Write the notices of a reservation's change (in the change's unit of work)."""
    name = EXHIBITOR_NOTICES.get(action)
    if name is None:
        return
    context = {**_context(reservation), **extra}
    attachments = None
    if action == "reservation.moved" and before is not None:
        context["from_booth"] = session.get(Booth, before.get("booth_id"))
    if action == "reservation.confirmed":
        filename = f"booth-{reservation.booth.number}-confirmation.pdf"
        context["pdf_url"] = link("booking.confirmation", reservation_id=reservation.id)
        attachments = [
            {"kind": "confirmation", "id": reservation.id, "filename": filename,
             "link": context["pdf_url"]}
        ]  # fmt: skip
    notices.to_exhibitor(
        session, reservation.exhibitor, name, kind=action, attachments=attachments, **context
    )
    if action == "reservation.requested":
        notices.to_organisers(
            session, "organiser.request", "organiser_request",
            exhibitor=reservation.exhibitor, **{**context, "url": link(
                "booking.organiser", slug=context["exhibition"].slug)},
        )  # fmt: skip


def send_reminders(session: Session, now: datetime | None = None) -> int:
    """Holds (and requests) that run out within 24 h: a reminder to the exhibitor's users who
    want reminders, and a notice to organisers; once per hold and deadline. Returns how many
    holds were reminded of now. Runs in the caller's unit of work."""
    now = now or utcnow()
    due = session.scalars(
        select(Reservation)
        .where(
            Reservation.status.in_(("requested", "held")),
            Reservation.expires_at > now,
            Reservation.expires_at <= now + REMIND_BEFORE,
        )
        .order_by(Reservation.expires_at, Reservation.id)
    )
    reminded = 0
    for reservation in due:
        key = f"{reservation.id}:{reservation.expires_at:%Y%m%dT%H%M%S}"
        context = {**_context(reservation), "exhibitor": reservation.exhibitor}
        organiser_url = link("booking.organiser", slug=context["exhibition"].slug)
        written = [
            notices.send(session, user, "hold_expiring", kind="reservation.reminder",
                         dedupe_key=f"reminder:{key}:{user.id}", **context)
            for user in notices.users_of(session, reservation.exhibitor)
            if notices.wants(user, "reminders")
        ] + [
            notices.send(session, user, "organiser_hold_expiring",
                         kind="organiser.hold_expiring",
                         dedupe_key=f"hold-expiring:{key}:{user.id}",
                         **{**context, "url": organiser_url})
            for user in notices.organisers_for(session, "organiser.hold_expiring")
        ]  # fmt: skip
        reminded += any(message is not None for message in written)
    return reminded
