"""Exactly one winner: 50 exhibitors ask for one booth at once, against a real gunicorn.

The app runs under gunicorn with 4 sync workers on the test database (SQLite and
PostgreSQL); 50 threads released together each send the API request of a different
exhibitor. The second test serves the app with the guard taken out
(tests/concurrency/unguarded.py: no lock, a wider gap between check and insert; the test
drops the unique index) and shows that the same checks then fail: the test can see a race.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select, text

from exhibit.accounts.services import issue_token
from exhibit.audit import AuditEvent
from exhibit.booking.models import Reservation
from exhibit.db import db
from tests.factories import make_exhibition, make_exhibitor, make_user

ROOT = Path(__file__).resolve().parents[2]
EXHIBITORS = 50
WORKERS = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving wsgi:app on the given database, for the length of a with-block.

    ``--preload``, as in production: the workers are forked ready, so every one of them
    serves the storm (without it, the first worker to finish booting could take it all)."""

    def __init__(
        self, database_url: str, instance: Path, target: str = "wsgi:app", **env: str
    ) -> None:
        self.port = free_port()
        self.target = target
        self.env = {
            **os.environ,
            "EXHIBIT_DATABASE_URL": database_url,
            "EXHIBIT_INSTANCE_PATH": str(instance),
            "EXHIBIT_SECRET_KEY": "concurrency-test",
            "EXHIBIT_TESTING": "1",
            "EXHIBIT_RATELIMIT_ENABLED": "",
            **env,
        }

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b",
             f"127.0.0.1:{self.port}", "--timeout", "60", "--preload", self.target],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode()[-2000:])
            try:
                status, _ = self.request("GET", "/api/v1/exhibitions")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start in 60 s")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(30)
        self.process.stderr.close()

    def request(self, method: str, path: str, token: str | None = None) -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        try:
            return response.status, json.loads(body or b"{}")
        except ValueError:
            return response.status, {}


def prepare(app) -> list[str]:
    """An exhibition with booth A1 and 50 approved exhibitors, each with an API token."""
    exhibition = make_exhibition(slug="race")
    tokens = []
    for i in range(EXHIBITORS):
        exhibitor = make_exhibitor(exhibition, f"Экспонент {i:02d}")
        user = make_user(f"e{i}@example.ru", exhibitor=exhibitor)
        tokens.append(issue_token(db.session, user, "race"))
    db.session.commit()
    return tokens


def storm(server: Server, tokens: list[str]) -> Counter[int]:
    """All requests leave together (a barrier), each from a different exhibitor."""
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []
    lock = threading.Lock()

    def one(token: str) -> None:
        barrier.wait()
        try:
            status, _ = server.request(
                "POST", "/api/v1/exhibitions/race/booths/A1/reservations", token
            )
        except OSError:
            status = 599
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return Counter(statuses)


def problems(statuses: Counter[int]) -> list[str]:
    """What is wrong with the outcome (an empty list: exactly one winner, cleanly)."""
    db.session.rollback()
    found = []
    if statuses[201] != 1:
        found.append(f"{statuses[201]} requests won (201), not exactly one")
    if statuses[409] != EXHIBITORS - 1:
        found.append(f"{statuses[409]} refusals (409), not {EXHIBITORS - 1}")
    if errors := {s: n for s, n in statuses.items() if s >= 500}:
        found.append(f"server errors: {errors}")
    rows = db.session.scalar(select(func.count()).select_from(Reservation))
    if rows != 1:
        found.append(f"{rows} reservation rows, not one")
    events = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "reservation.requested")
    )
    if events != 1:
        found.append(f"{events} audit events, not one")
    return found


def test_fifty_simultaneous_requests_have_exactly_one_winner(app, tmp_path):
    tokens = prepare(app)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with Server(url, tmp_path) as server:
        statuses = storm(server, tokens)
    assert problems(statuses) == [], statuses


def test_the_race_test_fails_when_the_guard_is_off(app, tmp_path):
    tokens = prepare(app)
    db.session.execute(text("DROP INDEX uq_reservation_active_booth"))
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    marks = tmp_path / "race"
    marks.mkdir()
    with Server(
        url, tmp_path, target="tests.concurrency.unguarded:app", EXHIBIT_TEST_RACE_DIR=str(marks)
    ) as server:
        statuses = storm(server, tokens)
    assert problems(statuses) != [], f"no race seen without the guard: {statuses}"
