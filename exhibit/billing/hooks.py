"""Billing's two hooks into confirmations (``exhibit.booking.services``): the pay-first rule
before, the contract and invoice after. Installed once by ``create_app``."""

from __future__ import annotations

from exhibit.billing.services import issue_on_confirm, require_paid_to_confirm
from exhibit.booking import services as booking


def install() -> None:
    if require_paid_to_confirm not in booking.BEFORE_CONFIRM:
        booking.BEFORE_CONFIRM.append(require_paid_to_confirm)
    if issue_on_confirm not in booking.AFTER_CONFIRM:
        booking.AFTER_CONFIRM.append(issue_on_confirm)
