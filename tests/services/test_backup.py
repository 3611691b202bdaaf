"""`backup` and `restore` on both backends: consistent while reservations go on, restored
into an empty database with the same rows; refusals change nothing."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, func, inspect, select, text

from exhibit import backup as backup_module
from exhibit.audit import AuditEvent
from exhibit.booking import services
from exhibit.booking.models import Reservation
from exhibit.booking.rules import ACTIVE_STATUSES
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.errors import DomainError
from exhibit.floorplan.services import newest_exhibition
from tests.conftest import make_app

#: Tables the writers add rows to during the backup; every other table must not change.
WRITTEN = {"reservation", "audit_event", "waitlist_entry", "outbox_message"}


def _value(value: object) -> object:
    return bytes(value) if isinstance(value, memoryview) else value


def table_rows(engine: Engine) -> dict[str, list[str]]:
    """Every table's rows as sorted reprs of the raw values (no model types in between)."""
    result = {}
    with engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            rows = connection.exec_driver_sql(f'SELECT * FROM "{name}"').fetchall()
            result[name] = sorted(repr(tuple(_value(v) for v in row)) for row in rows)
    return result


def checksum(rows: list[str]) -> str:
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def empty_database_url(databases, name: str) -> str:
    if databases.backend == "sqlite":
        return f"sqlite:///{databases.workdir / (name + '.sqlite3')}"
    databases.cluster.create_database(name)
    return databases.cluster.url(name)


@contextlib.contextmanager
def app_on_empty_database(databases, name: str, instance: Path | None = None) -> Iterator[Flask]:
    app = make_app(empty_database_url(databases, name), instance or databases.workdir)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


class Writers:
    """Threads requesting booths, one commit per reservation, until told to stop."""

    def __init__(self, app, pairs: list[tuple[str, int]], threads: int = 4) -> None:
        self.app = app
        self.pairs = pairs
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.commits: list[tuple[float, int]] = []
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def _run(self, index: int) -> None:
        with self.app.app_context():
            exhibition_id = newest_exhibition(db.session).id
            for number, exhibitor_id in self.pairs[index :: len(self.threads)]:
                if self.stop.is_set():
                    break
                try:
                    exhibition = newest_exhibition(db.session)
                    assert exhibition.id == exhibition_id
                    exhibitor = db.session.get(Exhibitor, exhibitor_id)
                    reservation = services.request_booth(
                        db.session, exhibition, number, exhibitor, None
                    )
                    db.session.commit()
                    with self.lock:
                        self.commits.append((time.monotonic(), reservation.id))
                except DomainError:
                    db.session.rollback()
                except BaseException as exc:  # pragma: no cover - reported by the test
                    db.session.rollback()
                    self.errors.append(exc)
                    break
            db.session.remove()

    def committed(self) -> int:
        with self.lock:
            return len(self.commits)

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.committed() < count:
            assert not self.errors, self.errors
            assert time.monotonic() < deadline, f"only {self.committed()} commits"
            time.sleep(0.01)


def backup_under_writes(demo_app, databases, tmp_path) -> list[str]:
    """Take a backup while threads make reservations, restore it into an empty database,
    compare; the problems found (none for a good backup)."""
    exhibition = newest_exhibition(db.session)
    free = [
        state.booth.number
        for hall in exhibition.halls
        for state in services.booth_states(db.session, hall)
        if state.status == "available"
    ]
    exhibitors = list(
        db.session.scalars(
            select(Exhibitor.id).where(
                Exhibitor.exhibition_id == exhibition.id, Exhibitor.is_public
            )
        )
    )
    pairs = [(number, exhibitors[i % len(exhibitors)]) for i, number in enumerate(free)]
    before_rows = table_rows(db.engine)
    db.session.commit()
    writers = Writers(demo_app, pairs)
    out = tmp_path / "exhibit.backup"
    for thread in writers.threads:
        thread.start()
    try:
        writers.wait_for(5)
        started = time.monotonic()
        result = demo_app.test_cli_runner().invoke(args=["backup", str(out)])
        finished = time.monotonic()
        assert result.exit_code == 0, result.output
        writers.wait_for(writers.committed() + 5)
    finally:
        writers.stop.set()
        for thread in writers.threads:
            thread.join(60)
    assert writers.errors == []
    # The writers were at work on both sides of the backup (a fast one may fall between
    # two of their commits).
    assert min(at for at, _ in writers.commits) < started
    assert max(at for at, _ in writers.commits) > finished

    live = table_rows(db.engine)
    with app_on_empty_database(databases, f"restored_{id(out)}") as target:
        result = target.test_cli_runner().invoke(args=["restore", str(out)])
        if result.exit_code != 0:
            return [f"restore failed: {result.output}"]
        restored = table_rows(db.engine)
        target_url = db.engine.url

    problems = []
    if restored.keys() != live.keys():
        problems.append(f"tables differ: {sorted(restored.keys() ^ live.keys())}")
    for name in live.keys() & restored.keys():
        if name in WRITTEN:
            # A snapshot of a moment: every restored row is in the live database as it is,
            # and rows written before the backup are all there.
            if not set(restored[name]) <= set(live[name]):
                problems.append(f"{name}: restored rows the live database does not have")
            if not set(before_rows[name]) <= set(restored[name]):
                problems.append(f"{name}: rows from before the backup are missing")
        elif checksum(restored[name]) != checksum(live[name]):
            problems.append(f"{name}: checksum differs")
    # The snapshot holds the reservations committed before the backup began, and writes
    # went on after it.
    committed_before = {rid for at, rid in writers.commits if at < started}

    engine = create_engine(target_url)
    with engine.connect() as connection:
        reservations = set(connection.scalars(select(Reservation.id)))
        requested = {
            int(i)
            for i in connection.scalars(
                select(AuditEvent.entity_id).where(AuditEvent.action == "reservation.requested")
            )
        }
        doubled = connection.execute(
            select(Reservation.booth_id)
            .where(Reservation.status.in_(ACTIVE_STATUSES))
            .group_by(Reservation.booth_id)
            .having(func.count() > 1)
        ).all()
    engine.dispose()
    if not committed_before <= reservations:
        problems.append(f"{len(committed_before - reservations)} reservations committed "
                        "before the backup began are missing")  # fmt: skip
    if not len(reservations) < len(live["reservation"]):
        problems.append("the backup holds reservations made after it finished")
    # No transaction cut in half: each new reservation with its audit event, and back.
    new = {rid for _, rid in writers.commits} & reservations
    if not new <= requested or not requested <= reservations:
        problems.append("a reservation without its audit event, or the reverse")
    if doubled:
        problems.append(f"booths with two active reservations: {doubled}")
    return problems


def test_backup_under_concurrent_reservations_restores_the_same_data(demo_app, databases, tmp_path):
    assert backup_under_writes(demo_app, databases, tmp_path) == []


@pytest.mark.sqlite_only
def test_the_comparison_catches_a_naive_file_copy(demo_app, databases, tmp_path, monkeypatch):
    """The switch that proves the test can fail: copying the database file while the app
    runs misses what is still in the write-ahead log."""
    monkeypatch.setattr(
        backup_module, "_backup_sqlite", lambda source, target: shutil.copyfile(source, target)
    )
    problems = backup_under_writes(demo_app, databases, tmp_path)
    assert any("committed before the backup began are missing" in p for p in problems)


def test_restore_refuses_a_database_that_is_not_empty(demo_app, tmp_path):
    out = tmp_path / "exhibit.backup"
    runner = demo_app.test_cli_runner()
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    before = table_rows(db.engine)
    result = runner.invoke(args=["restore", str(out)])
    assert result.exit_code == 1
    assert "не пуста" in result.output and "Ничего не изменено" in result.output
    assert table_rows(db.engine) == before


def test_restore_refuses_a_file_that_is_not_a_backup(databases, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    with app_on_empty_database(databases, f"empty_{id(bogus)}") as app:
        result = app.test_cli_runner().invoke(args=["restore", str(bogus)])
        assert result.exit_code == 1
        assert "не резервная копия" in result.output
        assert inspect(db.engine).get_table_names() == []


def test_restore_refuses_a_backup_of_the_other_backend(databases, tmp_path):
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" if databases.backend == "sqlite" else b"SQLite format 3\x00")
    with app_on_empty_database(databases, f"other_{id(other)}") as app:
        result = app.test_cli_runner().invoke(args=["restore", str(other)])
        assert result.exit_code == 1
        assert "восстанавливайте в базу того же вида" in result.output


@pytest.mark.sqlite_only
def test_a_missing_pg_dump_is_a_clear_error(app, monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup_module.glob, "glob", lambda pattern: [])
    with pytest.raises(backup_module.BackupError, match="apt-get install postgresql-client"):
        backup_module.find_pg_tool("pg_dump")


@pytest.mark.sqlite_only
def test_a_failed_backup_keeps_the_previous_file(app, tmp_path):
    out = tmp_path / "exhibit.backup"
    out.write_bytes(b"yesterday")
    with pytest.raises(backup_module.BackupError):
        backup_module.backup(create_engine(f"sqlite:///{tmp_path / 'missing.sqlite3'}"), out)
    assert out.read_bytes() == b"yesterday"
    assert list(tmp_path.iterdir()) == [out]


def test_the_backup_is_readable_by_the_engines_own_tools(demo_app, databases, tmp_path):
    out = tmp_path / "exhibit.backup"
    assert demo_app.test_cli_runner().invoke(args=["backup", str(out)]).exit_code == 0
    if databases.backend == "sqlite":
        engine = create_engine(f"sqlite:///{out}")
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM reservation")).scalar()
        engine.dispose()
        assert count == db.session.scalar(select(func.count(Reservation.id)))
    else:
        import subprocess

        listing = subprocess.run(
            [backup_module.find_pg_tool("pg_restore"), "--list", str(out)],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert "TABLE DATA public reservation" in listing
    assert Path(out).stat().st_size > 0


def test_uploaded_logos_travel_with_the_backup(demo_app, databases, tmp_path):
    logos = Path(demo_app.instance_path) / "uploads" / "logos"
    logos.mkdir(parents=True, exist_ok=True)
    (logos / "0123abcd.png").write_bytes(b"\x89PNG logo")
    out = tmp_path / "exhibit.backup"
    result = demo_app.test_cli_runner().invoke(args=["backup", str(out)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "exhibit.backup.uploads.tar").exists()
    instance = tmp_path / "new-instance"
    with app_on_empty_database(databases, f"logos_{id(out)}", instance) as target:
        result = target.test_cli_runner().invoke(args=["restore", str(out)])
        assert result.exit_code == 0, result.output
    assert (instance / "uploads" / "logos" / "0123abcd.png").read_bytes() == b"\x89PNG logo"
