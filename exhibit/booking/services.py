"""Booking services: reservations and booth status."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit.booking.models import Reservation
from exhibit.floorplan.models import Booth


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
