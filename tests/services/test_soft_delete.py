"""Soft-deleted exhibitors: booths released with audit events, gone from every public list
and from the search index, undoable without re-reserving; the audit log's filters."""

from __future__ import annotations

import threading

import pytest
from alembic import command
from sqlalchemy import func, select, update

from exhibit import audit
from exhibit.audit import AuditEvent
from exhibit.booking import dashboard, services
from exhibit.booking.assignment import AssignmentRefused, _solver_input, preview
from exhibit.booking.deletion import delete_exhibitor, restore_exhibitor
from exhibit.booking.models import Reservation, WaitlistEntry
from exhibit.catalogue import services as catalogue
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db, migrations, unit_of_work
from exhibit.errors import Conflict, Forbidden, NotFound
from exhibit.floorplan.models import Booth, Exhibition, Hall
from exhibit.search.models import SearchDocument
from exhibit.search.services import search
from tests.factories import make_exhibition, make_exhibitor, make_user


@pytest.fixture
def world(app):
    exhibition = make_exhibition(booths=6)
    a = make_exhibitor(exhibition, "Ирбит")
    b = make_exhibitor(exhibition, "Нижний Тагил")
    organiser = make_user("org@example.ru", "organiser")
    user_a = make_user("a@example.ru", exhibitor=a)
    user_b = make_user("b@example.ru", exhibitor=b)
    a.solutions.append(Solution(title="Сквер у вокзала", track_code="living", stage="idea"))
    db.session.commit()  # the services below are units of work of their own

    first = services.request_booth(db.session, exhibition, "A1", a, user_a)
    services.confirm_reservation(db.session, first.id, organiser)
    services.request_booth(db.session, exhibition, "A2", a, user_a)
    services.request_booth(db.session, exhibition, "A3", b, user_b)
    services.join_waitlist(db.session, exhibition, "A1", b, user_b)
    services.join_waitlist(db.session, exhibition, "A3", a, user_a)
    db.session.commit()
    return exhibition, a, b, organiser, user_a


def active_booths(exhibitor_id: int) -> list[str]:
    return sorted(
        db.session.scalars(
            select(Booth.number)
            .join(Reservation, Reservation.booth_id == Booth.id)
            .where(
                Reservation.exhibitor_id == exhibitor_id,
                Reservation.status.in_(("requested", "held", "confirmed")),
            )
        )
    )


def documents_of(exhibitor_id: int) -> int:
    return db.session.scalar(
        select(func.count(SearchDocument.id)).where(SearchDocument.exhibitor_id == exhibitor_id)
    )


def test_deleting_releases_booths_with_audit_events_and_hides_the_exhibitor(world):
    exhibition, a, b, organiser, _ = world
    assert documents_of(a.id) == 2
    result = delete_exhibitor(db.session, exhibition, a.id, organiser)
    db.session.commit()

    assert sorted(result.booths) == ["A1", "A2"]
    assert active_booths(a.id) == []
    released = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "reservation.released")
    ).all()
    assert sorted(e.booth_id for e in released) == sorted(
        db.session.scalars(select(Booth.id).where(Booth.number.in_(["A1", "A2"])))
    )
    assert {e.before["status"] for e in released} == {"confirmed", "requested"}
    assert all(e.user_id == organiser.id and e.exhibitor_id == a.id for e in released)
    deleted = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exhibitor.deleted"))
    assert sorted(r["booth"] for r in deleted.after["released"]) == ["A1", "A2"]
    # Its own waitlist place is withdrawn; the booth it freed goes to the next in line.
    assert (
        db.session.scalar(select(WaitlistEntry.status).where(WaitlistEntry.exhibitor_id == a.id))
        == "withdrawn"
    )
    assert active_booths(b.id) == ["A1", "A3"]

    # Gone from the catalogue, the search index and search, the map.
    assert a.id not in [e.id for e in catalogue.list_exhibitors(db.session, exhibition.id)]
    with pytest.raises(NotFound):
        catalogue.get_exhibitor(db.session, a.id, exhibition.id)
    solution_id = db.session.scalar(select(Solution.id).where(Solution.exhibitor_id == a.id))
    with pytest.raises(NotFound):
        catalogue.get_solution(db.session, solution_id, exhibition.id)
    assert dashboard.exhibition_stats(db.session, exhibition.id).exhibitors == 1
    assert documents_of(a.id) == 0
    assert search(db.session, exhibition, "сквер").total == 0
    assert search(db.session, exhibition, "ирбит").total == 0
    hall = db.session.scalar(select(Hall))
    assert all(
        s.exhibitor is None or s.exhibitor.id != a.id
        for s in services.booth_states(db.session, hall)
    )


def test_a_deleted_exhibitor_cannot_reserve_and_is_not_assigned(world):
    exhibition, a, _, organiser, user_a = world
    delete_exhibitor(db.session, exhibition, a.id, organiser)
    db.session.commit()
    with pytest.raises(Forbidden, match="удалён"):
        services.request_booth(db.session, exhibition, "A4", a, user_a)
    db.session.rollback()
    with pytest.raises(Forbidden, match="удалён"):
        services.hold_booth(db.session, exhibition, "A4", a, organiser)
    db.session.rollback()
    applicant = make_exhibitor(exhibition, "Камышлов")
    applicant.application = {"requested_area": 9, "track": "living"}
    db.session.commit()
    assert [x.exhibitor for x in _solver_input(db.session, exhibition)[0]] == ["Камышлов"]
    delete_exhibitor(db.session, exhibition, applicant.id, organiser)
    db.session.commit()
    assert _solver_input(db.session, exhibition)[0] == []
    with pytest.raises(AssignmentRefused, match="назначать некого"):
        preview(db.session, exhibition)


def test_restoring_brings_it_back_without_re_reserving(world):
    exhibition, a, _, organiser, _ = world
    delete_exhibitor(db.session, exhibition, a.id, organiser)
    db.session.commit()
    result = restore_exhibitor(db.session, exhibition, a.id, organiser)
    db.session.commit()

    assert sorted(result.booths) == ["A1", "A2"]
    assert active_booths(a.id) == []  # not re-reserved
    assert a.id in [e.id for e in catalogue.list_exhibitors(db.session, exhibition.id)]
    assert documents_of(a.id) == 2
    assert "Сквер у вокзала" in [r.title for r in search(db.session, exhibition, "сквер").results]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exhibitor.restored"))
    assert sorted(r["booth"] for r in event.after["not_rereserved"]) == ["A1", "A2"]
    assert event.exhibitor_id == a.id and event.user_id == organiser.id


def test_refusals_change_nothing(world):
    exhibition, a, _, organiser, user_a = world
    other = make_exhibition(slug="other")
    count = db.session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(Forbidden):
        delete_exhibitor(db.session, exhibition, a.id, user_a)
    db.session.rollback()
    with pytest.raises(NotFound):
        delete_exhibitor(db.session, other, a.id, organiser)
    db.session.rollback()
    with pytest.raises(Conflict, match="не удалён"):
        restore_exhibitor(db.session, exhibition, a.id, organiser)
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuditEvent.id))) == count
    assert active_booths(a.id) == ["A1", "A2"]
    delete_exhibitor(db.session, exhibition, a.id, organiser)
    db.session.commit()
    with pytest.raises(Conflict, match="уже удалён"):
        delete_exhibitor(db.session, exhibition, a.id, organiser)
    db.session.rollback()


def test_the_audit_log_filters_by_booth_exhibitor_and_user(world):
    exhibition, a, _, organiser, user_a = world
    delete_exhibitor(db.session, exhibition, a.id, organiser)
    db.session.commit()
    a1 = db.session.scalar(select(Booth.id).where(Booth.number == "A1"))
    by_booth = audit.events(db.session, booth_ids=[a1]).events
    assert [e.action for e in reversed(by_booth)] == [
        "reservation.requested", "reservation.confirmed", "waitlist.joined",
        "reservation.released", "reservation.offered",
    ]  # fmt: skip
    by_exhibitor = audit.events(db.session, exhibitor_id=a.id).events
    assert {e.action for e in by_exhibitor} >= {
        "reservation.requested", "reservation.released", "exhibitor.deleted", "user.created",
    }  # fmt: skip
    assert all(e.exhibitor_id == a.id for e in by_exhibitor)
    mine = audit.events(db.session, user_id=user_a.id).events
    assert mine and all(e.user_id == user_a.id for e in mine)
    both = audit.events(db.session, booth_ids=[a1], user_id=organiser.id).events
    assert {e.action for e in both} == {"reservation.confirmed", "reservation.released"}

    page_1 = audit.events(db.session, per_page=3)
    page_2 = audit.events(db.session, per_page=3, page=2)
    assert page_1.total == db.session.scalar(select(func.count(AuditEvent.id)))
    assert page_1.pages == -(-page_1.total // 3)
    assert [e.id for e in page_1.events] == sorted((e.id for e in page_1.events), reverse=True)
    assert page_1.events[-1].id > page_2.events[0].id


def test_a_moved_reservation_is_in_the_history_of_both_booths(world):
    organiser = world[3]
    reservation = db.session.scalar(
        select(Reservation).join(Booth).where(Booth.number == "A2", Reservation.status != "x")
    )
    services.move_reservation(db.session, reservation.id, "A5", organiser)
    db.session.commit()
    a2, a5 = (db.session.scalar(select(Booth.id).where(Booth.number == n)) for n in ("A2", "A5"))
    assert "reservation.moved" in [
        e.action for e in audit.events(db.session, booth_ids=[a2]).events
    ]
    assert "reservation.moved" in [
        e.action for e in audit.events(db.session, booth_ids=[a5]).events
    ]


def test_migration_0003_fills_in_booth_and_exhibitor_of_old_events(world):
    from flask import current_app

    total = db.session.scalar(select(func.count(AuditEvent.id)))
    expected = dict(
        db.session.execute(
            select(AuditEvent.id, AuditEvent.booth_id).where(AuditEvent.booth_id.is_not(None))
        ).all()
    )
    assert len(expected) >= 5
    db.session.execute(update(AuditEvent).values(booth_id=None, exhibitor_id=None))
    db.session.commit()
    config = migrations(current_app).get_config()
    db.session.remove()
    command.downgrade(config, "0002")
    command.upgrade(config, "0003")
    refilled = dict(
        db.session.execute(
            select(AuditEvent.id, AuditEvent.booth_id).where(AuditEvent.booth_id.is_not(None))
        ).all()
    )
    assert refilled == expected
    assert db.session.scalar(select(func.count(AuditEvent.id))) == total


def test_a_request_racing_the_deletion_waits_for_it_and_is_refused(app, world):
    """The exhibitor's row is the meeting point: a request that read the exhibitor before
    the deletion committed waits for it, then sees the exhibitor deleted."""
    exhibition, a, _b, organiser, _user_a = world
    exhibition_id, exhibitor_id = exhibition.id, a.id
    outcome: list[str] = []
    read = threading.Event()

    def request() -> None:
        with app.app_context():
            try:
                here = db.session.get(Exhibition, exhibition_id)
                exhibitor = db.session.get(Exhibitor, exhibitor_id)
                read.set()  # read while the deletion is still under way
                services.request_booth(db.session, here, "A4", exhibitor, None)
                outcome.append("reserved")
            except Forbidden as refusal:
                outcome.append(refusal.message)
            finally:
                db.session.remove()

    thread = threading.Thread(target=request)
    waited: list[bool] = []

    @unit_of_work
    def delete_and_hold(session) -> None:
        """The deletion inside a larger unit of work, which holds the exhibitor's row
        uncommitted while the request tries."""
        delete_exhibitor(session, exhibition, exhibitor_id, organiser)
        session.flush()
        thread.start()
        assert read.wait(10)
        thread.join(0.5)
        waited.append(thread.is_alive())

    delete_and_hold(db.session)  # commits when it returns
    thread.join(20)
    assert waited == [True], outcome  # the request waited for the deletion …
    assert outcome == ["Экспонент «Ирбит» удалён организаторами"]  # … and is refused
    assert active_booths(exhibitor_id) == []


def test_the_commands_delete_and_restore_for_an_organiser_only(app, world):
    exhibition, a, _b, organiser, user_a = world
    runner = app.test_cli_runner()
    args = [a.name, "--exhibition", exhibition.slug]

    refused = runner.invoke(args=["exhibitors", "delete", *args, "--by", user_a.email])
    assert refused.exit_code == 1 and "не учётная запись организатора" in refused.output
    assert active_booths(a.id) == ["A1", "A2"]

    deleted = runner.invoke(args=["exhibitors", "delete", *args, "--by", organiser.email])
    assert deleted.exit_code == 0, deleted.output
    assert "Экспонент «Ирбит» удалён; освобождены стенды: A1, A2." in deleted.output
    db.session.rollback()
    assert active_booths(a.id) == [] and db.session.get(Exhibitor, a.id).is_deleted

    restored = runner.invoke(args=["exhibitors", "restore", *args, "--by", organiser.email])
    assert restored.exit_code == 0, restored.output
    assert "Экспонент «Ирбит» восстановлен." in restored.output
    assert "не забронированы заново: A1, A2." in restored.output
    db.session.rollback()
    assert not db.session.get(Exhibitor, a.id).is_deleted
