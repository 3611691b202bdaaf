"""Billing's hooks into booking (``exhibit.booking.services``): the pay-first rule before a
confirmation, the contract and invoice after it, and the documents of a reservation that
ends (annulled) or moves (reissued). Installed once by ``create_app``."""

from __future__ import annotations

from exhibit.billing.services import (
    issue_on_confirm,
    on_reservation_change,
    require_paid_to_confirm,
)
from exhibit.booking import services as booking


def install() -> None:
    if require_paid_to_confirm not in booking.BEFORE_CONFIRM:
        booking.BEFORE_CONFIRM.append(require_paid_to_confirm)
    if issue_on_confirm not in booking.AFTER_CONFIRM:
        booking.AFTER_CONFIRM.append(issue_on_confirm)
    if on_reservation_change not in booking.AFTER_CHANGE:
        booking.AFTER_CHANGE.append(on_reservation_change)
