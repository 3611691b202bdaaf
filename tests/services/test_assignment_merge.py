"""`assign --apply` merges booths for an exhibitor who needs more than any single free booth."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from shapely.geometry import LineString, box
from sqlalchemy import select

from exhibit.audit import AuditEvent
from exhibit.booking import assignment
from exhibit.booking.assignment import ASSIGNED, AssignmentRefused
from exhibit.booking.models import Reservation
from exhibit.booking.plans import import_plan
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.floorplan.models import Booth, Exhibition, Hall
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature


def zoned_exhibition(booths: int = 6) -> Exhibition:
    """A row of 3 × 3 m booths A1…An in one zone of the track «living»."""
    exhibition = Exhibition(
        slug="merge", title="Выставка", venue="Зал", city="Екатеринбург",
        starts_on=date(2025, 11, 27), ends_on=date(2025, 11, 28), base_rate=Decimal("10000"),
    )  # fmt: skip
    db.session.add(exhibition)
    db.session.flush()
    plan = Plan(
        hall=box(0, 0, 40, 20),
        booths=[PlanBooth(f"A{i + 1}", box(2 + 3 * i, 17, 5 + 3 * i, 20)) for i in range(booths)],
        entrances=[
            PlanFeature("entrance", LineString([(18, 0), (22, 0)]), properties={"main": True})
        ],
        zones=[PlanFeature("zone", box(0, 10, 40, 20), properties={"track": "living"})],
    )
    import_plan(db.session, exhibition, "Зал 1", plan)
    db.session.commit()
    return exhibition


def applicant(exhibition: Exhibition, name: str, area: float, **extra) -> Exhibitor:
    exhibitor = Exhibitor(
        exhibition_id=exhibition.id, name=name, kind="municipality", approved=True,
        application={"requested_area": area, "track": "living", **extra},
    )  # fmt: skip
    db.session.add(exhibitor)
    db.session.commit()
    return exhibitor


def current(exhibition: Exhibition) -> dict[str, Booth]:
    hall = db.session.scalar(select(Hall).where(Hall.exhibition_id == exhibition.id))
    return {b.number: b for b in hall.current_booths}


def test_the_preview_proposes_a_merge_and_apply_makes_one_booth(app):
    exhibition = zoned_exhibition()
    big = applicant(exhibition, "Ирбит", 18)
    small = applicant(exhibition, "Тагил", 9)

    result = assignment.preview(db.session, exhibition)
    db.session.rollback()
    by_name = {a.exhibitor: a for a in result.assignments}
    group = by_name["Ирбит"].booths
    assert len(group) == 2
    assert any("объединены" in reason for reason in by_name["Ирбит"].reasons)
    assert len(current(exhibition)) == 6  # a preview changes nothing

    applied = assignment.apply(db.session, exhibition)
    db.session.commit()
    (merge,) = applied.merges
    assert merge.booths == group and merge.number == group[0]
    booths = current(exhibition)
    assert len(booths) == 5 and group[1] not in booths
    merged = booths[merge.number]
    assert float(merged.area_m2) == pytest.approx(18.0)
    assert merged.polygon.geom_type == "Polygon" and not merged.polygon.interiors
    holds = db.session.execute(
        select(Reservation.booth_id, Reservation.exhibitor_id).where(
            Reservation.note == ASSIGNED, Reservation.status == "held"
        )
    ).all()
    assert (merged.id, big.id) in holds
    assert len([h for h in holds if h[1] == big.id]) == 1  # one hold on the merged booth
    assert len([h for h in holds if h[1] == small.id]) == 1
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"plan.drafted", "plan.imported", "reservation.held", "assignment.applied"} <= actions
    hall = db.session.scalar(select(Hall).where(Hall.exhibition_id == exhibition.id))
    assert hall.plan_version == 2

    # A second run keeps the merged booth and the holds as they are.
    again = assignment.apply(db.session, exhibition)
    db.session.commit()
    assert again.merges == [] and again.released == 0
    assert hall.plan_version == 2
    assert again.held[merge.number] == "Ирбит"


def test_bad_input_merges_and_holds_nothing(app):
    exhibition = zoned_exhibition(booths=2)
    applicant(exhibition, "Ирбит", 18)  # would merge A1 + A2
    applicant(exhibition, "Тагил", 0)
    with pytest.raises(AssignmentRefused, match="Тагил"):
        assignment.apply(db.session, exhibition)
    db.session.rollback()
    assert len(current(exhibition)) == 2
    assert db.session.scalar(select(Reservation.id)) is None
