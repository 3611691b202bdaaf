"""``wsgi:app`` with the booking guard taken out, for the test that shows the race test can
see a race (gunicorn serves ``tests.concurrency.unguarded:app``; nothing here is on a
production path).

Writes no longer take the lock up front (no ``BEGIN IMMEDIATE``, no booth row lock), and
a request that found the booth free waits before it inserts until a second one has found
it free too (or a few seconds pass): on a busy machine a fixed pause alone may let the
requests run one after the other and show no race. The test also drops the database's
unique index.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from exhibit import db as database
from exhibit.booking import services
from wsgi import app

#: Where the requests that passed the check leave a mark (set by the test).
RACE_DIR = Path(os.environ.get("EXHIBIT_TEST_RACE_DIR", "/nonexistent"))
RACE_WINDOW = 5.0  # at most this long between the check and the insert


def _no_write_lock(session: object) -> None:
    pass


def _booth_without_lock(session, exhibition, number):  # type: ignore[no-untyped-def]
    booth = services.get_booth(session, exhibition, number, lock=False)
    services.expire_lapsed(session, [booth.id])
    return booth


_insert = services._insert_reservation


def _slow_insert(session, reservation, number):  # type: ignore[no-untyped-def]
    (RACE_DIR / uuid.uuid4().hex).touch()
    deadline = time.monotonic() + RACE_WINDOW
    while len(list(RACE_DIR.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    _insert(session, reservation, number)


database.begin_write = _no_write_lock  # unit_of_work looks it up when it runs
services._lock_booth = _booth_without_lock
services._insert_reservation = _slow_insert

__all__ = ["app"]
