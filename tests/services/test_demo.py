"""The demo exhibition: loaded once, realistic, and what the issue promises."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from exhibit.audit import AuditEvent
from exhibit.booking.models import Reservation
from exhibit.booking.rules import RESERVATION_STATUSES
from exhibit.catalogue.models import Exhibitor, Solution, Track
from exhibit.catalogue.rules import SIZE_CLASSES
from exhibit.db import db
from exhibit.demo import DEMO_SLUG, load_demo
from exhibit.floorplan.models import Booth, Exhibition, Hall


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_exhibition_and_hall(demo_app):
    exhibition = db.session.scalar(select(Exhibition).where(Exhibition.slug == DEMO_SLUG))
    assert exhibition.title == "Города России — 2025"
    assert exhibition.is_demo
    assert exhibition.currency == "RUB"
    (hall,) = db.session.scalars(select(Hall)).all()
    minx, miny, maxx, maxy = hall.outline.bounds
    assert 90 <= maxx - minx <= 110 and 50 <= maxy - miny <= 70
    assert hall.plan_version == 1 and hall.current_plan is not None
    document = hall.current_plan.document
    kinds = Counter(f["properties"]["kind"] for f in document["features"])
    assert kinds["entrance"] == 2
    assert kinds["exit"] == 4
    assert kinds["equipment"] >= 10  # extinguishers, hose cabinets, call points, first aid
    assert kinds["obstacle"] >= 10  # the column grid
    tracks = {f["properties"].get("track") for f in document["features"]}
    assert {t.code for t in db.session.scalars(select(Track))} <= tracks


def test_demo_booths(demo_app):
    booths = db.session.scalars(select(Booth)).all()
    assert len(booths) >= 150
    assert all(9 <= float(b.area_m2) <= 54 for b in booths)
    assert len({b.number for b in booths}) == len(booths)
    assert {b.kind for b in booths} >= {"linear", "corner"}
    assert any(b.blocked for b in booths)


def test_demo_exhibitors_and_solutions(demo_app):
    exhibitors = db.session.scalars(select(Exhibitor)).all()
    assert len(exhibitors) >= 75
    municipalities = [e for e in exhibitors if e.kind == "municipality"]
    assert len(municipalities) >= 60
    assert len({e.region_code for e in municipalities}) >= 30
    assert {e.size_class for e in municipalities} == set(SIZE_CLASSES)
    names = {e.municipality for e in municipalities}
    assert {"Екатеринбург", "Ирбит"} <= names
    assert {"company", "university"} <= {e.kind for e in exhibitors}
    assert count(Solution) >= 150
    per_track = Counter(db.session.scalars(select(Solution.track_code)))
    assert len(per_track) == 7
    assert not any(e.approved for e in exhibitors[-3:])


def test_demo_reservations_in_every_state(demo_app):
    statuses = set(db.session.scalars(select(Reservation.status)))
    assert statuses == set(RESERVATION_STATUSES)
    active = db.session.execute(
        select(Reservation.booth_id, func.count())
        .where(Reservation.status.in_(("requested", "held", "confirmed")))
        .group_by(Reservation.booth_id)
    ).all()
    assert active and all(n == 1 for _, n in active)


def test_demo_twice_changes_nothing(demo_app):
    before = {m.__name__: count(m) for m in (Exhibitor, Solution, Booth, Reservation, AuditEvent)}
    result = load_demo(db.session)
    db.session.commit()
    assert not result.created
    assert "уже загружена" in result.message
    after = {m.__name__: count(m) for m in (Exhibitor, Solution, Booth, Reservation, AuditEvent)}
    assert after == before


def test_demo_load_is_audited(demo_app):
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"plan.imported", "demo.loaded"} <= actions


def test_demo_makes_accounts_to_try_it_with(demo_app):
    from exhibit.accounts.models import User

    users = {u.email: u for u in db.session.scalars(select(User))}
    assert users["organiser@example.ru"].role == "organiser"
    irbit = users["irbit@example.ru"]
    assert irbit.exhibitor.municipality == "Ирбит" and irbit.exhibitor.approved
    assert irbit.password_hash.startswith("$argon2id$")
