"""Booking vocabulary and pure rules: reservation states, booth status, prices."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

#: requested: an exhibitor asked and the booth is held until ``expires_at``;
#: held: an organiser holds it for a named exhibitor; confirmed: sold.
#: declined / cancelled / expired are final and free the booth.
RESERVATION_STATUSES = ("requested", "held", "confirmed", "declined", "cancelled", "expired")
ACTIVE_STATUSES = ("requested", "held", "confirmed")

#: What a visitor or an exhibitor sees for a booth.
BOOTH_STATUSES = ("available", "held", "requested", "confirmed", "blocked")


def booth_status(
    blocked: bool, active_status: str | None, expires_at: datetime | None, now: datetime
) -> str:
    """Status of a booth from its block flag and its active reservation (if any).

    A request or hold past its expiry no longer counts: the booth is available again even
    before a sweep has marked the reservation expired.
    """
    if blocked:
        return "blocked"
    if active_status is None or (
        active_status != "confirmed" and expires_at is not None and expires_at <= now
    ):
        return "available"
    return active_status


def booth_price(
    area_m2: Decimal | float,
    kind: str,
    base_rate: Decimal,
    multipliers: Mapping[str, float],
    override: Decimal | None = None,
) -> Decimal:
    """Price of a booth: base rate per m² × area × the kind's multiplier, unless overridden.

    Rounded to whole roubles: price lists and invoices use whole amounts.
    """
    if override is not None:
        return Decimal(override)
    multiplier = Decimal(str(multipliers.get(kind, 1.0)))
    price = Decimal(str(area_m2)) * Decimal(base_rate) * multiplier
    return price.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def booth_number_key(number: str) -> tuple[str, int, str]:
    """Sort key for booth numbers: row letters, then the number as a number (A2 before A10)."""
    letters = number.rstrip("0123456789")
    digits = number[len(letters) :]
    return (letters, int(digits) if digits else 0, number)
