"""Booking rules: requests, holds, confirmations, limits, expiry, waitlists, blocks, moves."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from exhibit.audit import AuditEvent
from exhibit.booking import services
from exhibit.booking.models import Reservation, WaitlistEntry
from exhibit.db import db
from exhibit.errors import BoothUnavailable, Conflict, Forbidden, NotFound
from exhibit.floorplan.models import Hall
from tests.factories import make_exhibition, make_exhibitor, make_user


@pytest.fixture
def world(app):
    exhibition = make_exhibition(max_booths_per_exhibitor=2, max_area_per_exhibitor=Decimal(18))
    a = make_exhibitor(exhibition, "Ирбит")
    b = make_exhibitor(exhibition, "Нижний Тагил")
    pending = make_exhibitor(exhibition, "Шадринск", approved=False)
    organiser = make_user("org@example.ru", "organiser")
    user_a = make_user("a@example.ru", exhibitor=a)
    user_b = make_user("b@example.ru", exhibitor=b)
    return exhibition, a, b, pending, organiser, user_a, user_b


def status_of(exhibition, number: str) -> str:
    hall = db.session.scalar(select(Hall).where(Hall.exhibition_id == exhibition.id))
    return next(
        s.status for s in services.booth_states(db.session, hall) if s.booth.number == number
    )


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_request_holds_the_booth_for_the_hold_time(world):
    exhibition, a, _, _, _, user_a, _ = world
    reservation = services.request_booth(db.session, exhibition, "A1", a, user_a)
    db.session.commit()
    assert reservation.status == "requested"
    hold = reservation.expires_at - reservation.created_at
    assert timedelta(hours=47, minutes=59) < hold <= timedelta(hours=48, seconds=1)
    assert status_of(exhibition, "A1") == "requested"
    assert audit_actions()[-1] == "reservation.requested"


def test_a_taken_booth_cannot_be_requested_and_nothing_changes(world):
    exhibition, a, b, _, _, user_a, user_b = world
    services.request_booth(db.session, exhibition, "A1", a, user_a)
    db.session.commit()
    events = len(audit_actions())
    with pytest.raises(BoothUnavailable):
        services.request_booth(db.session, exhibition, "A1", b, user_b)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Reservation)) == 1
    assert len(audit_actions()) == events


@pytest.mark.parametrize(
    ("number", "error"),
    [("A99", NotFound), ("A2", BoothUnavailable)],
)
def test_unknown_or_blocked_booths(world, number, error):
    exhibition, a, _, _, organiser, user_a, _ = world
    services.block_booth(db.session, exhibition, "A2", organiser, "Пресс-центр")
    db.session.commit()
    with pytest.raises(error):
        services.request_booth(db.session, exhibition, number, a, user_a)
    db.session.rollback()


def test_an_unapproved_exhibitor_cannot_request(world):
    exhibition, _, _, pending, _, _, _ = world
    with pytest.raises(Forbidden):
        services.request_booth(db.session, exhibition, "A1", pending, None)


def test_limits_on_booths_and_area(world):
    exhibition, a, _, _, _, user_a, _ = world
    services.request_booth(db.session, exhibition, "A1", a, user_a)
    services.request_booth(db.session, exhibition, "A2", a, user_a)
    db.session.commit()
    with pytest.raises(services.LimitExceeded, match="не больше 2 стендов"):
        services.request_booth(db.session, exhibition, "A3", a, user_a)
    db.session.rollback()
    exhibition.max_booths_per_exhibitor = 5
    db.session.commit()
    with pytest.raises(services.LimitExceeded, match="площади"):
        services.request_booth(db.session, exhibition, "A3", a, user_a)
    db.session.rollback()


def test_an_expired_hold_frees_the_booth_when_read(world):
    exhibition, a, b, _, _, user_a, user_b = world
    first = services.request_booth(db.session, exhibition, "A1", a, user_a)
    first.expires_at = first.created_at - timedelta(minutes=1)
    db.session.commit()
    assert status_of(exhibition, "A1") == "available"
    second = services.request_booth(db.session, exhibition, "A1", b, user_b)
    db.session.commit()
    assert db.session.get(Reservation, first.id).status == "expired"
    assert second.status == "requested"
    assert "reservation.expired" in audit_actions()


def test_sweep_expires_lapsed_holds(world, app):
    exhibition, a, _, _, _, user_a, _ = world
    reservation = services.request_booth(db.session, exhibition, "A1", a, user_a)
    reservation.expires_at = reservation.created_at - timedelta(seconds=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["sweep-holds"])
    assert result.exit_code == 0, result.output
    assert "Истекло удержаний: 1" in result.output
    db.session.expire_all()
    assert db.session.get(Reservation, reservation.id).status == "expired"


# PostgreSQL only: on SQLite the write lock (BEGIN IMMEDIATE) orders two sweeps already.
@pytest.mark.parametrize("databases", ["postgresql"], indirect=True)
def test_two_sweeps_at_once_expire_a_hold_once(world, app):
    """Two workers' sweeps (on two servers) at the same moment: the second leaves what the
    first is expiring, so one audit event and one notice per hold. The first is held open
    by hand, mid-way, with the row locked."""
    import threading

    from exhibit.mail.outbox import OutboxMessage

    exhibition, a, _, _, _, user_a, _ = world
    reservation = services.request_booth(db.session, exhibition, "A1", a, user_a)
    reservation.expires_at = reservation.created_at - timedelta(seconds=1)
    db.session.commit()
    rid = reservation.id
    outbox_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    # The other worker's sweep, mid-way: it has the row and is expiring it.
    other = db.engine.connect()
    transaction = other.begin()
    other.execute(select(Reservation.id).where(Reservation.id == rid).with_for_update())
    result: list[int] = []

    def sweep() -> None:
        with app.app_context():
            result.append(services.expire_lapsed(db.session))
            db.session.remove()

    thread = threading.Thread(target=sweep)
    thread.start()
    thread.join(20)
    finished_while_held = not thread.is_alive()
    other.execute(
        Reservation.__table__.update().where(Reservation.id == rid).values(status="expired")
    )
    transaction.commit()
    other.close()
    thread.join(20)
    assert finished_while_held, "the sweep waited for the other one's row"
    assert result == [0]
    db.session.expire_all()
    assert db.session.get(Reservation, rid).status == "expired"
    assert "reservation.expired" not in audit_actions()  # the other (by hand) wrote none
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == outbox_before


def test_organiser_confirms_and_declines_exhibitors_cannot(world):
    exhibition, a, b, _, organiser, user_a, user_b = world
    first = services.request_booth(db.session, exhibition, "A1", a, user_a)
    second = services.request_booth(db.session, exhibition, "A2", b, user_b)
    db.session.commit()
    with pytest.raises(Forbidden):
        services.confirm_reservation(db.session, first.id, user_a)
    db.session.rollback()
    services.confirm_reservation(db.session, first.id, organiser)
    services.decline_reservation(db.session, second.id, organiser)
    db.session.commit()
    assert status_of(exhibition, "A1") == "confirmed"
    assert status_of(exhibition, "A2") == "available"
    assert db.session.get(Reservation, first.id).expires_at is None
    with pytest.raises(Conflict):
        services.decline_reservation(db.session, first.id, organiser)
    db.session.rollback()


def test_exhibitors_cancel_only_their_own(world):
    exhibition, a, _, _, _, user_a, user_b = world
    reservation = services.request_booth(db.session, exhibition, "A1", a, user_a)
    db.session.commit()
    with pytest.raises(NotFound):
        services.cancel_reservation(db.session, reservation.id, user_b)
    db.session.rollback()
    assert db.session.get(Reservation, reservation.id).status == "requested"
    services.cancel_reservation(db.session, reservation.id, user_a)
    db.session.commit()
    assert status_of(exhibition, "A1") == "available"


def test_waitlist_offers_a_released_booth_to_the_first_in_line(world):
    exhibition, a, b, _, organiser, user_a, user_b = world
    third = make_exhibitor(exhibition, "Ирбитский район")
    reservation = services.request_booth(db.session, exhibition, "A1", a, user_a)
    db.session.commit()
    entry = services.join_waitlist(db.session, exhibition, "A1", b, user_b)
    db.session.commit()
    services.join_waitlist(db.session, exhibition, "A1", third, organiser)
    db.session.commit()
    services.cancel_reservation(db.session, reservation.id, user_a)
    db.session.commit()
    offered = db.session.scalar(
        select(Reservation).where(
            Reservation.status == "requested", Reservation.booth_id == entry.booth_id
        )
    )
    assert offered.exhibitor_id == b.id
    assert offered.note == "waitlist"
    assert db.session.get(WaitlistEntry, entry.id).status == "offered"
    assert [e.status for e in services.waitlist_of(db.session, third)] == ["waiting"]


def test_waitlist_for_a_free_booth_is_refused(world):
    exhibition, _, b, _, _, _, user_b = world
    with pytest.raises(Conflict, match="свободен"):
        services.join_waitlist(db.session, exhibition, "A1", b, user_b)


def test_hold_for_a_named_exhibitor_and_block_rules(world):
    exhibition, a, _, _, organiser, user_a, _ = world
    hold = services.hold_booth(db.session, exhibition, "A3", a, organiser, hours=2)
    db.session.commit()
    assert hold.status == "held"
    assert status_of(exhibition, "A3") == "held"
    with pytest.raises(Conflict, match="забронирован"):
        services.block_booth(db.session, exhibition, "A3", organiser)
    db.session.rollback()
    with pytest.raises(Forbidden):
        services.block_booth(db.session, exhibition, "A4", user_a)
    db.session.rollback()
    services.block_booth(db.session, exhibition, "A4", organiser, "Кофе-брейк")
    db.session.commit()
    assert status_of(exhibition, "A4") == "blocked"
    services.unblock_booth(db.session, exhibition, "A4", organiser)
    db.session.commit()
    assert status_of(exhibition, "A4") == "available"


def test_move_reservation(world):
    exhibition, a, b, _, organiser, user_a, user_b = world
    first = services.request_booth(db.session, exhibition, "A1", a, user_a)
    services.request_booth(db.session, exhibition, "A2", b, user_b)
    db.session.commit()
    with pytest.raises(BoothUnavailable):
        services.move_reservation(db.session, first.id, "A2", organiser)
    db.session.rollback()
    services.move_reservation(db.session, first.id, "A5", organiser)
    db.session.commit()
    assert status_of(exhibition, "A1") == "available"
    assert status_of(exhibition, "A5") == "requested"
    assert audit_actions()[-1] == "reservation.moved"


def test_prices_follow_the_rules(world):
    assert world
    hall = db.session.scalar(select(Hall))
    states = services.booth_states(db.session, hall)
    first = next(s for s in states if s.booth.number == "A1")
    assert first.booth.kind == "corner"  # against the west end of the row and the aisle
    assert first.price == Decimal(9) * Decimal(10000) * Decimal("1.1")
