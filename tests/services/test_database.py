"""The database layer on both backends: schema from migrations, guards, geometry type."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from shapely.geometry import Polygon
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError

from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor, Region, Track
from exhibit.db import Base, begin_write, db, unit_of_work
from exhibit.errors import DomainError
from exhibit.floorplan.models import Booth, Exhibition, Hall


def make_booth(number: str = "A1") -> Booth:
    exhibition = Exhibition(
        slug=f"test-{number}",
        title="Тест",
        venue="Зал",
        city="Екатеринбург",
        starts_on=date(2025, 11, 27),
        ends_on=date(2025, 11, 28),
    )
    hall = Hall(
        exhibition=exhibition, name="Зал 1", outline=Polygon([(0, 0), (30, 0), (30, 20), (0, 20)])
    )
    db.session.add(hall)
    db.session.flush()
    booth = Booth(
        exhibition_id=exhibition.id,
        hall=hall,
        number=number,
        polygon=Polygon([(0, 0), (3, 0), (3, 3), (0, 3)]),
        area_m2=9,
        open_sides=1,
        kind="linear",
    )
    db.session.add(booth)
    db.session.flush()
    return booth


def make_exhibitor(exhibition_id: int, name: str) -> Exhibitor:
    exhibitor = Exhibitor(exhibition_id=exhibition_id, name=name, kind="company", approved=True)
    db.session.add(exhibitor)
    db.session.flush()
    return exhibitor


def _not_search_engine_object(obj, name, type_, reflected, compare_to) -> bool:
    """The FTS5 tables (SQLite) and the tsvector index (PostgreSQL) live outside the models."""
    return not (name or "").startswith(("search_fts", "search_vocab", "ix_search_document_tsv"))


def test_migrations_create_exactly_the_models_schema(app):
    """The Alembic history and the models agree: no difference left to migrate."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _not_search_engine_object}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_reference_data_is_loaded(app):
    assert db.session.scalar(select(db.func.count()).select_from(Region)) == 89
    tracks = db.session.scalars(select(Track).order_by(Track.position)).all()
    assert [t.code for t in tracks] == [
        "governance", "economy", "society", "tourism", "human-capital", "living", "platform",
    ]  # fmt: skip
    assert db.session.get(Region, "66").name == "Свердловская область"


def test_polygons_round_trip_as_shapely_geometries(app):
    booth_id = make_booth().id
    db.session.commit()
    db.session.expunge_all()
    loaded = db.session.scalar(select(Booth))
    assert isinstance(loaded.polygon, Polygon)
    assert loaded.polygon.equals(Polygon([(0, 0), (3, 0), (3, 3), (0, 3)]))
    assert loaded.hall.outline.area == pytest.approx(600)
    assert booth_id == loaded.id


def test_one_active_reservation_per_booth_is_enforced_by_the_database(app):
    booth = make_booth()
    first = make_exhibitor(booth.exhibition_id, "Первый")
    second = make_exhibitor(booth.exhibition_id, "Второй")
    db.session.add(Reservation(booth_id=booth.id, exhibitor_id=first.id, status="requested"))
    db.session.commit()
    db.session.add(Reservation(booth_id=booth.id, exhibitor_id=second.id, status="confirmed"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_finished_reservations_do_not_count_as_active(app):
    booth = make_booth()
    exhibitor = make_exhibitor(booth.exhibition_id, "Первый")
    for status in ("declined", "cancelled", "expired", "expired", "confirmed"):
        db.session.add(Reservation(booth_id=booth.id, exhibitor_id=exhibitor.id, status=status))
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(Reservation)) == 5


def test_foreign_keys_are_enforced(app):
    db.session.add(Reservation(booth_id=999_999, exhibitor_id=999_999, status="requested"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_check_constraints_refuse_unknown_values(app):
    booth = make_booth()
    exhibitor = make_exhibitor(booth.exhibition_id, "Первый")
    db.session.add(Reservation(booth_id=booth.id, exhibitor_id=exhibitor.id, status="maybe"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.sqlite_only
def test_sqlite_connections_have_foreign_keys_and_busy_timeout(app):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.sqlite_only
def test_write_transactions_begin_immediate_on_sqlite(app):
    statements: list[str] = []

    def remember(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        db.session.scalar(text("SELECT 1"))
        db.session.commit()
        begin_write(db.session)
        db.session.scalar(text("SELECT 1"))
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]


def test_writers_queue_on_the_lock_instead_of_failing(app):
    """Two writers at once: the second waits for the first and both succeed."""
    booth = make_booth()
    exhibitor_id = make_exhibitor(booth.exhibition_id, "Первый").id
    db.session.commit()
    booth_id = booth.id
    flask_app = app
    errors: list[BaseException] = []
    order: list[str] = []

    def writer(name: str, hold: float) -> None:
        try:
            with flask_app.app_context():
                begin_write(db.session)
                db.session.execute(
                    text("UPDATE booth SET blocked_reason = :r WHERE id = :id"),
                    {"r": name, "id": booth_id},
                )
                time.sleep(hold)
                order.append(name)
                db.session.commit()
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    first = threading.Thread(target=writer, args=("first", 0.5))
    second = threading.Thread(target=writer, args=("second", 0))
    first.start()
    time.sleep(0.15)
    second.start()
    first.join(10)
    second.join(10)
    assert errors == []
    assert order == ["first", "second"]
    db.session.rollback()  # end this session's read snapshot
    assert db.session.get(Booth, booth_id).blocked_reason == "second"
    assert exhibitor_id


@unit_of_work
def _add_exhibitor(session, exhibition_id: int, name: str, refuse: bool = False) -> Exhibitor:
    exhibitor = make_exhibitor(exhibition_id, name)
    if refuse:
        raise DomainError(f"{name}: refused")
    return exhibitor


@unit_of_work
def _add_two(session, exhibition_id: int, second_refused: bool) -> None:
    _add_exhibitor(session, exhibition_id, "Первый")
    _add_exhibitor(session, exhibition_id, "Второй", refuse=second_refused)


def _names(exhibition_id: int) -> list[str]:
    db.session.rollback()  # read what is committed, not what the session holds
    query = select(Exhibitor.name).where(Exhibitor.exhibition_id == exhibition_id)
    return sorted(db.session.scalars(query))


def test_a_unit_of_work_commits_what_it_did_and_rolls_back_a_refusal(app):
    exhibition_id = make_booth().exhibition_id
    db.session.commit()
    _add_exhibitor(db.session, exhibition_id, "Сохранён")
    assert not db.session().in_transaction()
    with pytest.raises(DomainError):
        _add_exhibitor(db.session, exhibition_id, "Отказ", refuse=True)
    assert _names(exhibition_id) == ["Сохранён"]


def test_a_unit_of_work_inside_another_joins_it(app):
    exhibition_id = make_booth().exhibition_id
    db.session.commit()
    with pytest.raises(DomainError):
        _add_two(db.session, exhibition_id, second_refused=True)
    assert _names(exhibition_id) == []  # the first was not committed on its own
    _add_two(db.session, exhibition_id, second_refused=False)
    assert _names(exhibition_id) == ["Второй", "Первый"]
