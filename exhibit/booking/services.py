"""Booking services: requests, holds, confirmations, blocks, waitlists; never a double booking.

The guard against two winners is twofold: a partial unique index in the database (one
active reservation per booth) and, in :func:`request_booth` and friends, a write lock taken
before the booth's availability is read (``BEGIN IMMEDIATE`` on SQLite, ``SELECT … FOR
UPDATE`` on the booth row on PostgreSQL). Every change writes an audit event whose ``after``
is the full new state of the record, so that replaying the log gives the current state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from exhibit import audit
from exhibit.accounts.models import User
from exhibit.booking import notices
from exhibit.booking.models import Reservation, WaitlistEntry
from exhibit.booking.rules import ACTIVE_STATUSES, booth_number_key, booth_price, booth_status
from exhibit.catalogue.models import Exhibitor
from exhibit.db import unit_of_work
from exhibit.errors import BoothUnavailable, Conflict, Forbidden, NotFound, tr
from exhibit.floorplan.models import Booth, Exhibition, Hall
from exhibit.timeutil import utcnow


class LimitExceeded(Conflict):
    code = "limit_exceeded"


#: What other packages check before a confirmation (raising a ``DomainError`` refuses it) and
#: do after it, in the same unit of work: billing's pay-first rule and its invoice
#: (``exhibit.billing.hooks``, installed by ``create_app``).
BEFORE_CONFIRM: list[Callable[[Session, Reservation], None]] = []
AFTER_CONFIRM: list[Callable[[Session, Reservation, User], None]] = []
#: Called after every recorded change of a reservation (action, reservation, state before,
#: who), in the change's unit of work: billing annuls the documents of one that ended and
#: reissues those of one that moved.
AFTER_CHANGE: list[
    Callable[[Session, str, Reservation, dict[str, Any] | None, User | None], None]
] = []


@dataclass
class BoothState:
    """A booth as people see it now: status, price and who has it."""

    booth: Booth
    status: str
    reservation: Reservation | None
    price: Decimal

    @property
    def exhibitor(self) -> Exhibitor | None:
        return self.reservation.exhibitor if self.reservation else None


# --- reading -----------------------------------------------------------------------------


def price_of(booth: Booth, exhibition: Exhibition) -> Decimal:
    return booth_price(
        booth.area_m2,
        booth.kind,
        exhibition.base_rate,
        exhibition.kind_multipliers or {},
        booth.price_override,
    )


def _active_by_booth(session: Session, booth_ids: Iterable[int]) -> dict[int, Reservation]:
    ids = list(booth_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(Reservation)
        .where(Reservation.booth_id.in_(ids), Reservation.status.in_(ACTIVE_STATUSES))
        .options(selectinload(Reservation.exhibitor))
    )
    return {r.booth_id: r for r in rows}


def booth_states(session: Session, hall: Hall) -> list[BoothState]:
    """Every current booth of the hall with its status; a lapsed hold counts as available."""
    now = utcnow()
    booths = [b for b in hall.current_booths]
    active = _active_by_booth(session, (b.id for b in booths))
    states = []
    for booth in sorted(booths, key=lambda b: booth_number_key(b.number)):
        reservation = active.get(booth.id)
        status = booth_status(
            booth.blocked,
            reservation.status if reservation else None,
            reservation.expires_at if reservation else None,
            now,
        )
        if status == "available":
            reservation = None  # a lapsed hold is nobody's
        states.append(BoothState(booth, status, reservation, price_of(booth, hall.exhibition)))
    return states


def get_booth(
    session: Session, exhibition: Exhibition, number: str, *, lock: bool = False
) -> Booth:
    query = select(Booth).where(
        Booth.exhibition_id == exhibition.id, Booth.number == number, Booth.retired.is_(False)
    )
    if lock:
        query = query.with_for_update()
    booth = session.scalar(query)
    if booth is None:
        raise NotFound(tr("Стенда %(number)s нет на плане выставки", number=number))
    return booth


def get_reservation(session: Session, reservation_id: int) -> Reservation:
    reservation = session.get(Reservation, reservation_id)
    if reservation is None:
        raise NotFound(
            tr("Бронирование %(reservation_id)s не найдено", reservation_id=reservation_id)
        )
    return reservation


def reservations_of(session: Session, exhibitor: Exhibitor) -> list[Reservation]:
    return list(
        session.scalars(
            select(Reservation)
            .where(Reservation.exhibitor_id == exhibitor.id)
            .order_by(Reservation.created_at.desc(), Reservation.id.desc())
        )
    )


def confirmed_booths(session: Session, exhibitor_ids: Iterable[int]) -> dict[int, list[Booth]]:
    """The booths each exhibitor has confirmed, by booth number (what visitors are shown)."""
    ids = list(exhibitor_ids)
    result: dict[int, list[Booth]] = defaultdict(list)
    if not ids:
        return result
    rows = session.execute(
        select(Reservation.exhibitor_id, Booth)
        .join(Booth, Booth.id == Reservation.booth_id)
        .where(Reservation.exhibitor_id.in_(ids), Reservation.status == "confirmed")
        .order_by(Booth.number)
    )
    for exhibitor_id, booth in rows:
        result[exhibitor_id].append(booth)
    return result


def list_reservations(
    session: Session,
    user: User | None,
    *,
    exhibition: Exhibition | None = None,
    status: str | None = None,
) -> list[Reservation]:
    """Reservations a user may see, newest first: an organiser all, an exhibitor their own."""
    if user is None or (not user.is_organiser and user.exhibitor_id is None):
        raise Forbidden(tr("Бронирования видят организаторы и экспоненты"))
    query = (
        select(Reservation)
        .options(selectinload(Reservation.exhibitor), selectinload(Reservation.booth))
        .order_by(Reservation.created_at.desc(), Reservation.id.desc())
    )
    if not user.is_organiser:
        query = query.where(Reservation.exhibitor_id == user.exhibitor_id)
    if exhibition is not None:
        query = query.join(Booth, Booth.id == Reservation.booth_id).where(
            Booth.exhibition_id == exhibition.id
        )
    if status is not None:
        query = query.where(Reservation.status == status)
    return list(session.scalars(query))


def visible_reservation(session: Session, reservation_id: int, user: User | None) -> Reservation:
    """One reservation for its exhibitor or an organiser; to anybody else it does not exist."""
    reservation = session.get(Reservation, reservation_id)
    if user is None or (not user.is_organiser and user.exhibitor_id is None):
        raise Forbidden(tr("Бронирования видят организаторы и экспоненты"))
    if reservation is None or not (
        user.is_organiser or user.exhibitor_id == reservation.exhibitor_id
    ):
        raise NotFound(
            tr("Бронирование %(reservation_id)s не найдено", reservation_id=reservation_id)
        )
    return reservation


# --- state for the audit trail ----------------------------------------------------------


def reservation_state(reservation: Reservation) -> dict[str, Any]:
    return {
        "booth_id": reservation.booth_id,
        "exhibitor_id": reservation.exhibitor_id,
        "status": reservation.status,
        "expires_at": reservation.expires_at.isoformat() if reservation.expires_at else None,
    }


def booth_block_state(booth: Booth) -> dict[str, Any]:
    return {"blocked": booth.blocked, "reason": booth.blocked_reason}


def _record(
    session: Session,
    action: str,
    reservation: Reservation,
    before: dict[str, Any] | None,
    user: User | None,
) -> None:
    session.flush()
    audit.record(
        session,
        action,
        "reservation",
        reservation.id,
        before=before,
        after=reservation_state(reservation),
        user_id=user.id if user else None,
    )
    notices.reservation_changed(session, action, reservation, before)
    for follow_up in AFTER_CHANGE:
        follow_up(session, action, reservation, before, user)


# --- expiry and the waitlist ------------------------------------------------------------


@unit_of_work
def expire_lapsed(session: Session, booth_ids: Iterable[int] | None = None) -> int:
    """Mark requests and holds past their expiry as expired, and offer the booths on.

    Called before availability is decided (no background daemon is needed) and by the
    ``sweep-holds`` command. Returns how many reservations expired.
    """
    now = utcnow()
    # SKIP LOCKED (PostgreSQL): a reservation another transaction is expiring right now (the
    # sweep of a worker on another server) is left to it, never expired — and told of — twice.
    query = (
        select(Reservation)
        .where(Reservation.status.in_(("requested", "held")), Reservation.expires_at <= now)
        .with_for_update(skip_locked=True)
    )
    if booth_ids is not None:
        query = query.where(Reservation.booth_id.in_(list(booth_ids)))
    lapsed = list(session.scalars(query))
    for reservation in lapsed:
        before = reservation_state(reservation)
        reservation.status = "expired"
        reservation.decided_at = now
        _record(session, "reservation.expired", reservation, before, None)
    for reservation in lapsed:
        _offer_to_waitlist(session, reservation.booth)
    return len(lapsed)


def _offer_to_waitlist(session: Session, booth: Booth) -> Reservation | None:
    """Give a freed booth to the first exhibitor waiting for it (a hold for the hold time)."""
    if booth.blocked or _active_by_booth(session, [booth.id]):
        return None
    exhibition = booth.hall.exhibition
    entries = session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.booth_id == booth.id, WaitlistEntry.status == "waiting")
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    )
    for entry in entries:
        exhibitor = entry.exhibitor
        if not exhibitor.is_public:
            continue
        try:
            _check_limits(session, exhibition, exhibitor, booth)
        except LimitExceeded:
            continue
        reservation = Reservation(
            booth_id=booth.id,
            exhibitor_id=exhibitor.id,
            status="requested",
            expires_at=utcnow() + timedelta(hours=exhibition.hold_hours),
            note="waitlist",
        )
        session.add(reservation)
        session.flush()
        entry.status = "offered"
        entry.offered_reservation_id = reservation.id
        _record(session, "reservation.offered", reservation, None, None)
        return reservation
    return None


# --- exhibitors -------------------------------------------------------------------------


def _check_limits(
    session: Session, exhibition: Exhibition, exhibitor: Exhibitor, booth: Booth
) -> None:
    now = utcnow()
    held = [
        r
        for r in session.scalars(
            select(Reservation)
            .join(Booth, Booth.id == Reservation.booth_id)
            .where(
                Reservation.exhibitor_id == exhibitor.id,
                Reservation.status.in_(ACTIVE_STATUSES),
                Booth.exhibition_id == exhibition.id,
            )
        )
        if r.status == "confirmed" or r.expires_at is None or r.expires_at > now
    ]
    limit = exhibition.max_booths_per_exhibitor
    if limit is not None and len(held) + 1 > limit:
        raise LimitExceeded(
            f"Превышен лимит: не больше {limit} стендов на экспонента "
            f"(у «{exhibitor.name}» уже {len(held)})",
            details={"limit": "booths", "max": limit, "current": len(held)},
        )
    max_area = exhibition.max_area_per_exhibitor
    area = sum((r.booth.area_m2 for r in held), Decimal(0)) + booth.area_m2
    if max_area is not None and area > max_area:
        raise LimitExceeded(
            f"Превышен лимит площади: не больше {max_area} м² на экспонента "
            f"(с этим стендом было бы {area} м²)",
            details={"limit": "area", "max": str(max_area), "would_be": str(area)},
        )


def _lock_booth(session: Session, exhibition: Exhibition, number: str) -> Booth:
    """Take the booth's row (inside the unit of work's write lock), then settle lapsed
    holds on it."""
    booth = get_booth(session, exhibition, number, lock=True)
    expire_lapsed(session, [booth.id])
    return booth


def _insert_reservation(session: Session, reservation: Reservation, number: str) -> None:
    session.add(reservation)
    try:
        session.flush()
    except IntegrityError:
        # The database's guard caught a race the lock did not (or the lock was skipped).
        raise BoothUnavailable(tr("Стенд %(number)s уже занят", number=number)) from None


@unit_of_work
def request_booth(
    session: Session,
    exhibition: Exhibition,
    number: str,
    exhibitor: Exhibitor,
    user: User | None,
) -> Reservation:
    """An approved exhibitor asks for an available booth; it is held for the hold time.

    Two requests for one booth never both win: the write lock (``BEGIN IMMEDIATE`` on
    SQLite, the booth's row on PostgreSQL) orders them, and the database's unique index is
    the last guard (tests/concurrency proves both, and that the test sees a race without).
    """
    if exhibitor.exhibition_id != exhibition.id:
        raise Forbidden(tr("Экспонент не участвует в этой выставке"))
    # An organiser deleting this exhibitor right now holds its row: wait, then see it
    # (the exhibitor first, then the booth: the order deletion takes them in).
    session.refresh(exhibitor, with_for_update={"read": True})
    if exhibitor.is_deleted:
        raise Forbidden(tr("Экспонент «%(name)s» удалён организаторами", name=exhibitor.name))
    if not exhibitor.approved:
        raise Forbidden(tr("Организаторы ещё не одобрили заявку экспонента: бронировать рано"))
    booth = _lock_booth(session, exhibition, number)
    if booth.blocked:
        raise BoothUnavailable(tr("Стенд %(number)s не продаётся", number=number))
    if _active_by_booth(session, [booth.id]):
        raise BoothUnavailable(tr("Стенд %(number)s уже занят или удерживается", number=number))
    _check_limits(session, exhibition, exhibitor, booth)
    reservation = Reservation(
        booth_id=booth.id,
        exhibitor_id=exhibitor.id,
        status="requested",
        expires_at=utcnow() + timedelta(hours=exhibition.hold_hours),
        created_by_id=user.id if user else None,
    )
    _insert_reservation(session, reservation, number)
    _withdraw_waiting(session, booth, exhibitor)
    _record(session, "reservation.requested", reservation, None, user)
    return reservation


@unit_of_work
def join_waitlist(
    session: Session, exhibition: Exhibition, number: str, exhibitor: Exhibitor, user: User
) -> WaitlistEntry:
    """Queue for a booth that is taken; the first in line is offered it when it frees."""
    if exhibitor.is_deleted:
        raise Forbidden(tr("Экспонент «%(name)s» удалён организаторами", name=exhibitor.name))
    if not exhibitor.approved:
        raise Forbidden(tr("Организаторы ещё не одобрили заявку экспонента"))
    booth = _lock_booth(session, exhibition, number)
    active = _active_by_booth(session, [booth.id]).get(booth.id)
    if active is None and not booth.blocked:
        raise Conflict(
            tr("Стенд %(number)s свободен: его можно забронировать сразу", number=number)
        )
    if active is not None and active.exhibitor_id == exhibitor.id:
        raise Conflict(tr("Стенд %(number)s уже ваш", number=number))
    existing = session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.booth_id == booth.id,
            WaitlistEntry.exhibitor_id == exhibitor.id,
            WaitlistEntry.status == "waiting",
        )
    )
    if existing is not None:
        return existing
    entry = WaitlistEntry(booth_id=booth.id, exhibitor_id=exhibitor.id)
    session.add(entry)
    session.flush()
    audit.record(
        session, "waitlist.joined", "waitlist_entry", entry.id,
        after={"booth_id": booth.id, "exhibitor_id": exhibitor.id, "status": "waiting"},
        user_id=user.id,
    )  # fmt: skip
    return entry


@unit_of_work
def leave_waitlist(session: Session, entry_id: int, exhibitor: Exhibitor, user: User) -> None:
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None or entry.exhibitor_id != exhibitor.id:
        raise NotFound(tr("Запись в листе ожидания не найдена"))
    if entry.status == "waiting":
        entry.status = "withdrawn"
        audit.record(
            session, "waitlist.left", "waitlist_entry", entry.id,
            before={"status": "waiting"}, after={"status": "withdrawn"}, user_id=user.id,
        )  # fmt: skip


def _withdraw_waiting(session: Session, booth: Booth, exhibitor: Exhibitor) -> None:
    for entry in session.scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.booth_id == booth.id,
            WaitlistEntry.exhibitor_id == exhibitor.id,
            WaitlistEntry.status == "waiting",
        )
    ):
        entry.status = "withdrawn"


def waitlist_of(session: Session, exhibitor: Exhibitor) -> list[WaitlistEntry]:
    return list(
        session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.exhibitor_id == exhibitor.id, WaitlistEntry.status != "withdrawn")
            .order_by(WaitlistEntry.created_at.desc())
        )
    )


# --- organisers -------------------------------------------------------------------------


def _organiser(user: User | None) -> User:
    if user is None or not user.is_organiser:
        raise Forbidden(tr("Это могут только организаторы"))
    return user


def _locked_reservation(session: Session, reservation_id: int) -> Reservation:
    reservation = session.scalar(
        select(Reservation).where(Reservation.id == reservation_id).with_for_update()
    )
    if reservation is None:
        raise NotFound(
            tr("Бронирование %(reservation_id)s не найдено", reservation_id=reservation_id)
        )
    expire_lapsed(session, [reservation.booth_id])
    return reservation


@unit_of_work
def confirm_reservation(session: Session, reservation_id: int, user: User | None) -> Reservation:
    organiser = _organiser(user)
    reservation = _locked_reservation(session, reservation_id)
    if reservation.status == "confirmed":
        return reservation
    if reservation.status not in ("requested", "held"):
        raise Conflict(
            tr(
                "Бронирование %(reservation_id)s нельзя подтвердить: оно «%(status)s»",
                reservation_id=reservation_id,
                status=reservation.status,
            )
        )
    for check in BEFORE_CONFIRM:
        check(session, reservation)
    before = reservation_state(reservation)
    reservation.status = "confirmed"
    reservation.expires_at = None
    reservation.decided_at = utcnow()
    reservation.decided_by_id = organiser.id
    _record(session, "reservation.confirmed", reservation, before, organiser)
    for follow_up in AFTER_CONFIRM:
        follow_up(session, reservation, organiser)
    return reservation


@unit_of_work
def decline_reservation(session: Session, reservation_id: int, user: User | None) -> Reservation:
    organiser = _organiser(user)
    reservation = _locked_reservation(session, reservation_id)
    if reservation.status not in ("requested", "held"):
        raise Conflict(
            tr(
                "Бронирование %(reservation_id)s нельзя отклонить: оно «%(status)s»",
                reservation_id=reservation_id,
                status=reservation.status,
            )
        )
    return _finish(session, reservation, "declined", organiser)


@unit_of_work
def cancel_reservation(session: Session, reservation_id: int, user: User | None) -> Reservation:
    """The exhibitor cancels their own reservation, or an organiser cancels any."""
    reservation = _locked_reservation(session, reservation_id)
    if user is None:
        raise Forbidden(tr("Нужно войти"))
    if not user.is_organiser and user.exhibitor_id != reservation.exhibitor_id:
        # Someone else's reservation: as if it did not exist.
        raise NotFound(
            tr("Бронирование %(reservation_id)s не найдено", reservation_id=reservation_id)
        )
    if reservation.status not in ACTIVE_STATUSES:
        raise Conflict(
            tr(
                "Бронирование %(reservation_id)s уже завершено («%(status)s»)",
                reservation_id=reservation_id,
                status=reservation.status,
            )
        )
    return _finish(session, reservation, "cancelled", user)


def _finish(session: Session, reservation: Reservation, status: str, user: User) -> Reservation:
    before = reservation_state(reservation)
    reservation.status = status
    reservation.decided_at = utcnow()
    reservation.decided_by_id = user.id
    _record(session, f"reservation.{status}", reservation, before, user)
    _offer_to_waitlist(session, reservation.booth)
    return reservation


@unit_of_work
def hold_booth(
    session: Session,
    exhibition: Exhibition,
    number: str,
    exhibitor: Exhibitor,
    user: User | None,
    *,
    hours: int | None = None,
) -> Reservation:
    """An organiser holds an available booth for a named exhibitor."""
    organiser = _organiser(user)
    if exhibitor.exhibition_id != exhibition.id:
        raise NotFound(tr("Экспонент не найден в этой выставке"))
    if exhibitor.is_deleted:
        raise Forbidden(tr("Экспонент «%(name)s» удалён организаторами", name=exhibitor.name))
    booth = _lock_booth(session, exhibition, number)
    if booth.blocked:
        raise BoothUnavailable(
            tr("Стенд %(number)s заблокирован; сначала снимите блокировку", number=number)
        )
    if _active_by_booth(session, [booth.id]):
        raise BoothUnavailable(tr("Стенд %(number)s уже занят или удерживается", number=number))
    _check_limits(session, exhibition, exhibitor, booth)
    reservation = Reservation(
        booth_id=booth.id,
        exhibitor_id=exhibitor.id,
        status="held",
        expires_at=utcnow() + timedelta(hours=hours or exhibition.hold_hours),
        created_by_id=organiser.id,
    )
    _insert_reservation(session, reservation, number)
    _record(session, "reservation.held", reservation, None, organiser)
    return reservation


@unit_of_work
def block_booth(
    session: Session, exhibition: Exhibition, number: str, user: User | None, reason: str = ""
) -> Booth:
    """Take a booth off sale. A booth someone has must be freed first."""
    organiser = _organiser(user)
    booth = _lock_booth(session, exhibition, number)
    if booth.blocked:
        return booth
    if _active_by_booth(session, [booth.id]):
        raise Conflict(
            tr("Стенд %(number)s забронирован: сначала отмените бронирование", number=number)
        )
    before = booth_block_state(booth)
    booth.blocked = True
    booth.blocked_reason = reason.strip()[:200] or None
    audit.record(
        session, "booth.blocked", "booth", booth.id,
        before=before, after=booth_block_state(booth), user_id=organiser.id,
    )  # fmt: skip
    return booth


@unit_of_work
def unblock_booth(
    session: Session, exhibition: Exhibition, number: str, user: User | None
) -> Booth:
    organiser = _organiser(user)
    booth = _lock_booth(session, exhibition, number)
    if not booth.blocked:
        return booth
    before = booth_block_state(booth)
    booth.blocked = False
    booth.blocked_reason = None
    audit.record(
        session, "booth.unblocked", "booth", booth.id,
        before=before, after=booth_block_state(booth), user_id=organiser.id,
    )  # fmt: skip
    _offer_to_waitlist(session, booth)
    return booth


@unit_of_work
def move_reservation(
    session: Session, reservation_id: int, target_number: str, user: User | None
) -> Reservation:
    """Move an active reservation to another available booth of the same exhibition."""
    organiser = _organiser(user)
    reservation = _locked_reservation(session, reservation_id)
    if reservation.status not in ACTIVE_STATUSES:
        raise Conflict(
            tr(
                "Бронирование %(reservation_id)s завершено; переносить нечего",
                reservation_id=reservation_id,
            )
        )
    exhibition = reservation.booth.hall.exhibition
    source = reservation.booth
    target = get_booth(session, exhibition, target_number, lock=True)
    expire_lapsed(session, [target.id])
    if target.id == source.id:
        return reservation
    if target.blocked or _active_by_booth(session, [target.id]):
        raise BoothUnavailable(tr("Стенд %(number)s не свободен", number=target_number))
    before = reservation_state(reservation)
    reservation.booth_id = target.id
    try:
        session.flush()
    except IntegrityError:
        raise BoothUnavailable(tr("Стенд %(number)s не свободен", number=target_number)) from None
    session.refresh(reservation)
    _record(session, "reservation.moved", reservation, before, organiser)
    _offer_to_waitlist(session, source)
    return reservation


@unit_of_work
def release_all_of(
    session: Session, exhibitor: Exhibitor, user: User | None, reason: str
) -> list[dict[str, Any]]:
    """Cancel every active reservation of the exhibitor (an organiser's act, e.g. on its
    deletion) and withdraw it from the waitlists; each change is an audit event.

    The freed booths are offered to their waitlists. Returns what was released, as
    ``{"reservation_id", "booth_id", "booth", "status"}`` (the status before release).
    """
    organiser = _organiser(user)
    active = list(
        session.scalars(
            select(Reservation)
            .where(
                Reservation.exhibitor_id == exhibitor.id,
                Reservation.status.in_(ACTIVE_STATUSES),
            )
            .order_by(Reservation.booth_id)
        )
    )
    if active:
        # The booths' rows first, in one order, as request_booth locks them.
        session.scalars(
            select(Booth.id)
            .where(Booth.id.in_([r.booth_id for r in active]))
            .order_by(Booth.id)
            .with_for_update()
        ).all()
    released: list[dict[str, Any]] = []
    now = utcnow()
    for reservation in active:
        session.refresh(reservation, with_for_update=True)
        if reservation.status not in ACTIVE_STATUSES:
            continue  # finished meanwhile
        before = reservation_state(reservation)
        reservation.status = "cancelled"
        reservation.decided_at = now
        reservation.decided_by_id = organiser.id
        reservation.note = reason[:500]
        session.flush()
        audit.record(
            session, "reservation.released", "reservation", reservation.id,
            before=before, after={**reservation_state(reservation), "reason": reason},
            user_id=organiser.id,
        )  # fmt: skip
        for follow_up in AFTER_CHANGE:
            follow_up(session, "reservation.released", reservation, before, organiser)
        released.append(
            {
                "reservation_id": reservation.id,
                "booth_id": reservation.booth_id,
                "booth": reservation.booth.number,
                "status": before["status"],
            }
        )
    for entry in session.scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.exhibitor_id == exhibitor.id, WaitlistEntry.status == "waiting"
        )
    ):
        entry.status = "withdrawn"
        audit.record(
            session, "waitlist.withdrawn", "waitlist_entry", entry.id,
            before={"booth_id": entry.booth_id, "exhibitor_id": exhibitor.id, "status": "waiting"},
            after={"booth_id": entry.booth_id, "exhibitor_id": exhibitor.id,
                   "status": "withdrawn", "reason": reason},
            user_id=organiser.id,
        )  # fmt: skip
    session.flush()
    for reservation in active:
        if reservation.status == "cancelled":
            _offer_to_waitlist(session, reservation.booth)
    return released
