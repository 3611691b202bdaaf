"""``wsgi:app`` with the booking guard taken out, for the test that shows the race test can
see a race (gunicorn serves ``tests.concurrency.unguarded:app``; nothing here is on a
production path).

Writes no longer take the lock up front (no ``BEGIN IMMEDIATE``, no booth row lock), and
the gap between the availability check and the insert is widened; the test also drops the
database's unique index.
"""

from __future__ import annotations

import time

from exhibit import db as database
from exhibit.booking import services
from wsgi import app

RACE_WINDOW = 0.3  # seconds between the check and the insert


def _no_write_lock(session: object) -> None:
    pass


def _booth_without_lock(session, exhibition, number):  # type: ignore[no-untyped-def]
    booth = services.get_booth(session, exhibition, number, lock=False)
    services.expire_lapsed(session, [booth.id])
    return booth


_insert = services._insert_reservation


def _slow_insert(session, reservation, number):  # type: ignore[no-untyped-def]
    time.sleep(RACE_WINDOW)
    _insert(session, reservation, number)


database.begin_write = _no_write_lock  # unit_of_work looks it up when it runs
services._lock_booth = _booth_without_lock
services._insert_reservation = _slow_insert

__all__ = ["app"]
