"""A small steady load through nginx for the fault tests: readers and writers in threads.

Readers fetch the public pages and the API's booth list; writers (each an exhibitor with
an API token) request a booth and cancel what they got, again and again. Every answer is
recorded, with what a writer knows: the reservations it was told it has (201), the ones it
cancelled (200), and the requests whose outcome it could not know (a 5xx or a dropped
connection, after which the write may or may not have happened).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

READ_PATHS = ("/", "/{slug}/exhibitors/", "/{slug}/map", "/api/v1/exhibitions/{slug}/booths")


@dataclass
class Answer:
    method: str
    path: str
    status: int  # 599: no answer at all (connection refused or reset)
    at: float
    retry_after: str | None
    trace: bool  # a stack trace in the body


@dataclass
class Writer:
    token: str
    granted: set[int] = field(default_factory=set)  # 201 answers
    cancelled: set[int] = field(default_factory=set)  # 200 answers to a cancel
    unknown: int = 0  # writes whose outcome the writer could not know


class Load:
    """``readers`` threads reading and one writer thread per token, until :meth:`stop`."""

    def __init__(self, base: str, slug: str, booths: int, tokens: list[str], readers: int = 4):
        self.base, self.slug, self.booths = base, slug, booths
        self.writers = [Writer(token) for token in tokens]
        self.readers = readers
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _call(self, session: requests.Session, method: str, path: str, **kw) -> Answer:
        try:
            response = session.request(method, self.base + path, timeout=30, **kw)
            status, body = response.status_code, response.text
            retry_after = response.headers.get("Retry-After")
        except requests.RequestException:
            status, body, retry_after = 599, "", None
        answer = Answer(method, path, status, time.monotonic(), retry_after, "Traceback" in body)
        with self._lock:
            self.answers.append(answer)
        return answer

    def _read(self, seed: int) -> None:
        rng = random.Random(seed)
        with requests.Session() as session:
            while not self._stop.is_set():
                self._call(session, "GET", rng.choice(READ_PATHS).format(slug=self.slug))
                time.sleep(rng.uniform(0.02, 0.1))

    def _write(self, writer: Writer, seed: int) -> None:
        rng = random.Random(seed)
        headers = {"Authorization": f"Bearer {writer.token}"}
        with requests.Session() as session:
            while not self._stop.is_set():
                number = f"A{rng.randint(1, self.booths)}"
                path = f"/api/v1/exhibitions/{self.slug}/booths/{number}/reservations"
                try:
                    response = session.post(self.base + path, headers=headers, timeout=30)
                    status = response.status_code
                    rid = response.json().get("id") if status == 201 else None
                    answer_text = response.text
                except (requests.RequestException, ValueError):
                    status, rid, answer_text = 599, None, ""
                with self._lock:
                    self.answers.append(
                        Answer("POST", path, status, time.monotonic(), None,
                               "Traceback" in answer_text)
                    )  # fmt: skip
                if rid is not None:
                    writer.granted.add(rid)
                    time.sleep(rng.uniform(0.05, 0.2))
                    cancel = self._call(
                        session, "POST", f"/api/v1/reservations/{rid}/cancel", headers=headers
                    )
                    if cancel.status == 200:
                        writer.cancelled.add(rid)
                    elif cancel.status >= 500:
                        writer.unknown += 1
                elif status >= 500:
                    writer.unknown += 1
                time.sleep(rng.uniform(0.05, 0.2))

    def start(self) -> Load:
        self._threads = [
            threading.Thread(target=self._read, args=(i,), daemon=True) for i in range(self.readers)
        ] + [
            threading.Thread(target=self._write, args=(w, 100 + i), daemon=True)
            for i, w in enumerate(self.writers)
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def statuses(self, method: str | None = None) -> Counter[int]:
        return Counter(a.status for a in self.answers if method in (None, a.method))

    def summary(self) -> str:
        return f"GET {dict(self.statuses('GET'))}, POST {dict(self.statuses('POST'))}"


def newest_reservation(app) -> int:
    """The newest reservation's id (a load's own reservations are the ones after it)."""
    from sqlalchemy import func, select

    from exhibit.booking.models import Reservation
    from exhibit.db import db

    with app.app_context():
        newest = db.session.scalar(select(func.coalesce(func.max(Reservation.id), 0)))
        db.session.remove()
    return int(newest)


def reservation_problems(app, load: Load, since: int) -> list[str]:
    """What the database says against what the writers were told: none lost, none doubled.

    ``since``: the newest reservation before the load (:func:`newest_reservation`)."""
    from sqlalchemy import select

    from exhibit.audit import AuditEvent
    from exhibit.booking.models import Reservation
    from exhibit.booking.rules import ACTIVE_STATUSES
    from exhibit.db import db

    found = []
    with app.app_context():
        rows = db.session.execute(
            select(Reservation.id, Reservation.status, Reservation.booth_id)
        ).all()
        events = Counter(
            db.session.scalars(
                select(AuditEvent.entity_id).where(AuditEvent.action == "reservation.requested")
            )
        )
        db.session.remove()
    active = Counter(r.booth_id for r in rows if r.status in ACTIVE_STATUSES)
    if doubled := {booth: n for booth, n in active.items() if n > 1}:
        found.append(f"booths with more than one active reservation: {doubled}")
    status = {r.id: r.status for r in rows if r.id > since}
    granted = set().union(*(w.granted for w in load.writers))
    cancelled = set().union(*(w.cancelled for w in load.writers))
    unknown = sum(w.unknown for w in load.writers)
    if lost := granted - status.keys():
        found.append(f"reservations answered 201 but not in the database: {sorted(lost)}")
    if revived := {rid for rid in cancelled if status.get(rid) in ACTIVE_STATUSES}:
        found.append(f"cancelled (200) but active in the database: {sorted(revived)}")
    if (extra := len(status.keys() - granted)) > unknown:
        found.append(f"{extra} reservations nobody was told of, only {unknown} unknown answers")
    if odd := {rid: events[str(rid)] for rid in status if events[str(rid)] != 1}:
        found.append(f"reservations without exactly one reservation.requested event: {odd}")
    return found
