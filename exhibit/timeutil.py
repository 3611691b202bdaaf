"""Time helpers: the database keeps naive UTC datetimes, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time in UTC, without tzinfo (as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)
