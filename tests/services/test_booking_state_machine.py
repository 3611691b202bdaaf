"""A Hypothesis state machine over request / hold / block / confirm / decline / cancel /
expire, keeping the booking invariants on a real database.

Invariants after every step: at most one active reservation per booth; a booth's status
agrees with its reservations and block; and replaying the audit log from the start gives
exactly the reservations and blocks in the database.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete, select, update

from exhibit.audit import AuditEvent
from exhibit.booking import services
from exhibit.booking.models import Reservation, WaitlistEntry
from exhibit.booking.rules import ACTIVE_STATUSES
from exhibit.db import db
from exhibit.errors import DomainError
from exhibit.floorplan.models import Booth, Hall
from exhibit.timeutil import utcnow
from tests.factories import make_exhibition, make_exhibitor, make_user

BOOTHS = ("A1", "A2", "A3")


@pytest.fixture
def stage(app):
    exhibition = make_exhibition(booths=len(BOOTHS), hold_hours=2)
    exhibitors = [make_exhibitor(exhibition, name) for name in ("Ирбит", "Тагил", "Сысерть")]
    users = [make_user(f"u{i}@example.ru", exhibitor=e) for i, e in enumerate(exhibitors)]
    organiser = make_user("org@example.ru", "organiser")
    return exhibition, exhibitors, users, organiser


class Clock:
    """The services' idea of now, moved forward by the machine (time passing)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self):
        return utcnow() + self.offset


def test_booking_state_machine(stage, monkeypatch):
    exhibition, exhibitors, users, organiser = stage
    clock = Clock()
    monkeypatch.setattr(services, "utcnow", clock)

    class Booking(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            # Every example starts from free booths and an empty log.
            db.session.rollback()
            db.session.execute(delete(WaitlistEntry))
            db.session.execute(delete(Reservation))
            db.session.execute(delete(AuditEvent).where(AuditEvent.entity != "hall"))
            db.session.execute(update(Booth).values(blocked=False, blocked_reason=None))
            db.session.commit()
            clock.offset = timedelta(0)

        def attempt(self, action) -> None:
            try:
                action()
                db.session.commit()
            except DomainError:
                db.session.rollback()

        @rule(who=st.integers(0, 2), booth=st.sampled_from(BOOTHS))
        def request(self, who, booth):
            self.attempt(
                lambda: services.request_booth(
                    db.session, exhibition, booth, exhibitors[who], users[who]
                )
            )

        @rule(who=st.integers(0, 2), booth=st.sampled_from(BOOTHS))
        def hold(self, who, booth):
            self.attempt(
                lambda: services.hold_booth(
                    db.session, exhibition, booth, exhibitors[who], organiser
                )
            )

        @rule(booth=st.sampled_from(BOOTHS))
        def block(self, booth):
            self.attempt(lambda: services.block_booth(db.session, exhibition, booth, organiser))

        @rule(booth=st.sampled_from(BOOTHS))
        def unblock(self, booth):
            self.attempt(lambda: services.unblock_booth(db.session, exhibition, booth, organiser))

        @rule(who=st.integers(0, 2), booth=st.sampled_from(BOOTHS))
        def join_waitlist(self, who, booth):
            self.attempt(
                lambda: services.join_waitlist(
                    db.session, exhibition, booth, exhibitors[who], users[who]
                )
            )

        def some_reservation(self, pick: int) -> int | None:
            ids = db.session.scalars(select(Reservation.id).order_by(Reservation.id)).all()
            return ids[pick % len(ids)] if ids else None

        @rule(pick=st.integers(0, 50))
        def confirm(self, pick):
            if (rid := self.some_reservation(pick)) is not None:
                self.attempt(lambda: services.confirm_reservation(db.session, rid, organiser))

        @rule(pick=st.integers(0, 50))
        def decline(self, pick):
            if (rid := self.some_reservation(pick)) is not None:
                self.attempt(lambda: services.decline_reservation(db.session, rid, organiser))

        @rule(pick=st.integers(0, 50), who=st.integers(0, 3))
        def cancel(self, pick, who):
            user = organiser if who == 3 else users[who]
            if (rid := self.some_reservation(pick)) is not None:
                self.attempt(lambda: services.cancel_reservation(db.session, rid, user))

        @rule()
        def time_passes(self):
            clock.offset += timedelta(hours=3)  # longer than the hold

        @rule()
        def sweep(self):
            self.attempt(lambda: services.expire_lapsed(db.session))

        @invariant()
        def one_active_reservation_per_booth(self):
            active = db.session.scalars(
                select(Reservation.booth_id).where(Reservation.status.in_(ACTIVE_STATUSES))
            ).all()
            assert len(active) == len(set(active))

        @invariant()
        def status_agrees_with_the_records(self):
            hall = db.session.scalar(select(Hall).where(Hall.exhibition_id == exhibition.id))
            now = clock()
            for state in services.booth_states(db.session, hall):
                if state.booth.blocked:
                    assert state.status == "blocked"
                elif state.reservation is None:
                    assert state.status == "available"
                else:
                    assert state.reservation.status in ACTIVE_STATUSES
                    assert state.reservation.status == "confirmed" or (
                        state.reservation.expires_at > now
                    )

        @invariant()
        def replaying_the_audit_log_gives_the_current_state(self):
            reservations: dict[str, dict] = {}
            blocks: dict[str, bool] = {}
            for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
                if event.entity == "reservation":
                    reservations[event.entity_id] = event.after
                elif event.entity == "booth":
                    blocks[event.entity_id] = event.after["blocked"]
            actual = {
                str(r.id): services.reservation_state(r)
                for r in db.session.scalars(select(Reservation))
            }
            assert reservations == actual
            for booth in db.session.scalars(select(Booth)):
                assert blocks.get(str(booth.id), False) == booth.blocked

    run_state_machine_as_test(
        Booking,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
