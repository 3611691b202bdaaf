"""Plan versions: a new version never silently drops or reshapes a reserved booth."""

from __future__ import annotations

from datetime import date

import pytest
from shapely.geometry import LineString, Polygon, box
from sqlalchemy import select

from exhibit.audit import AuditEvent
from exhibit.booking.models import Reservation
from exhibit.booking.plans import import_plan
from exhibit.catalogue.models import Exhibitor
from exhibit.commands.plans import IMPORT_STAGES
from exhibit.db import db
from exhibit.errors import Conflict, PlanInvalid
from exhibit.floorplan.formats.geojson import dumps_geojson
from exhibit.floorplan.models import Booth, Exhibition, Hall
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature


def small_plan(booths: dict[str, Polygon]) -> Plan:
    """A 40 × 20 m hall with a door in the south wall, booths along the north wall."""
    return Plan(
        hall=box(0, 0, 40, 20),
        booths=[PlanBooth(number, polygon) for number, polygon in booths.items()],
        entrances=[
            PlanFeature("entrance", LineString([(18, 0), (22, 0)]), properties={"main": True})
        ],
        exits=[PlanFeature("exit", LineString([(0, 8), (0, 10)]))],
        name="Зал 1",
    )  # fmt: skip


def row(count: int, width: float = 3.0, start: float = 5.0) -> dict[str, Polygon]:
    return {
        f"A{i + 1}": box(start + i * width, 17, start + (i + 1) * width, 20) for i in range(count)
    }


@pytest.fixture
def exhibition(app) -> Exhibition:
    exhibition = Exhibition(
        slug="test", title="Тест", venue="Зал", city="Екатеринбург",
        starts_on=date(2025, 11, 27), ends_on=date(2025, 11, 28),
    )  # fmt: skip
    db.session.add(exhibition)
    db.session.commit()
    return exhibition


def reserve(exhibition: Exhibition, number: str, status: str = "confirmed") -> Reservation:
    exhibitor = Exhibitor(exhibition_id=exhibition.id, name=f"Экспонент {number}", kind="company")
    db.session.add(exhibitor)
    db.session.flush()
    booth = db.session.scalar(select(Booth).where(Booth.number == number))
    reservation = Reservation(booth_id=booth.id, exhibitor_id=exhibitor.id, status=status)
    db.session.add(reservation)
    db.session.commit()
    return reservation


def test_first_import_creates_the_hall_at_version_1(exhibition):
    result = import_plan(db.session, exhibition, "Зал 1", small_plan(row(4)))
    db.session.commit()
    hall = db.session.scalar(select(Hall))
    assert result.version == hall.plan_version == 1
    assert sorted(b.number for b in hall.current_booths) == ["A1", "A2", "A3", "A4"]
    assert {float(b.area_m2) for b in hall.current_booths} == {9.0}


def test_a_plan_with_errors_is_refused_and_nothing_is_stored(exhibition):
    overlapping = {"A1": box(5, 17, 8, 20), "A2": box(7, 17, 10, 20)}
    with pytest.raises(PlanInvalid) as error:
        import_plan(db.session, exhibition, "Зал 1", small_plan(overlapping))
    db.session.rollback()
    assert any(e["rule"] == "booth-overlap" for e in error.value.details)
    assert db.session.scalar(select(Hall)) is None


def test_new_version_adds_reshapes_and_retires_free_booths(exhibition):
    import_plan(db.session, exhibition, "Зал 1", small_plan(row(4)))
    db.session.commit()
    booths = row(3)
    booths["A3"] = box(11, 17, 15, 20)  # wider
    booths["B1"] = box(30, 17, 33, 20)
    result = import_plan(db.session, exhibition, "Зал 1", small_plan(booths))
    db.session.commit()
    assert result.version == 2
    assert result.added == ["B1"]
    assert result.reshaped == ["A3"]
    assert result.retired == ["A4"]
    hall = db.session.scalar(select(Hall))
    assert sorted(b.number for b in hall.current_booths) == ["A1", "A2", "A3", "B1"]
    assert [v.number for v in hall.versions] == [1, 2]


def test_dropping_a_reserved_booth_is_refused_with_the_reservations(exhibition):
    import_plan(db.session, exhibition, "Зал 1", small_plan(row(4)))
    db.session.commit()
    reservation = reserve(exhibition, "A4")
    with pytest.raises(Conflict) as error:
        import_plan(db.session, exhibition, "Зал 1", small_plan(row(3)))
    db.session.rollback()
    assert error.value.details == [
        {
            "reservation": reservation.id,
            "booth": "A4",
            "exhibitor": "Экспонент A4",
            "status": "confirmed",
            "reason": "dropped",
        }
    ]
    hall = db.session.scalar(select(Hall))
    assert hall.plan_version == 1
    assert len(hall.current_booths) == 4


def test_reshaping_a_reserved_booth_is_refused(exhibition):
    import_plan(db.session, exhibition, "Зал 1", small_plan(row(4)))
    db.session.commit()
    reserve(exhibition, "A2", status="requested")
    booths = row(4)
    booths["A2"] = box(8, 16, 11, 20)
    with pytest.raises(Conflict) as error:
        import_plan(db.session, exhibition, "Зал 1", small_plan(booths))
    db.session.rollback()
    assert [d["reason"] for d in error.value.details] == ["reshaped"]


def test_an_explicit_move_lets_the_new_version_through(exhibition):
    import_plan(db.session, exhibition, "Зал 1", small_plan(row(4)))
    db.session.commit()
    reservation = reserve(exhibition, "A4")
    booths = row(3)
    booths["B1"] = box(30, 17, 33, 20)
    result = import_plan(db.session, exhibition, "Зал 1", small_plan(booths), moves={"A4": "B1"})
    db.session.commit()
    assert result.moved == {reservation.id: "B1"}
    db.session.expire_all()
    assert db.session.get(Reservation, reservation.id).booth.number == "B1"
    moved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reservation.moved"))
    booths = {b.id: b.number for b in db.session.scalars(select(Booth))}
    assert booths[moved.before["booth_id"]] == "A4"
    assert booths[moved.after["booth_id"]] == "B1"


def test_a_move_onto_a_reserved_booth_is_refused(exhibition):
    import_plan(db.session, exhibition, "Зал 1", small_plan(row(4)))
    db.session.commit()
    reserve(exhibition, "A4")
    reserve(exhibition, "A1")
    with pytest.raises(Conflict, match="уже забронирован"):
        import_plan(db.session, exhibition, "Зал 1", small_plan(row(3)), moves={"A4": "A1"})
    db.session.rollback()


def test_finished_reservations_do_not_hold_a_booth_back(exhibition):
    import_plan(db.session, exhibition, "Зал 1", small_plan(row(4)))
    db.session.commit()
    reserve(exhibition, "A4", status="cancelled")
    result = import_plan(db.session, exhibition, "Зал 1", small_plan(row(3)))
    db.session.commit()
    assert result.retired == ["A4"]


def test_plan_import_command_shows_its_stages_and_refuses_a_bad_plan(app, exhibition, tmp_path):
    good, bad = tmp_path / "hall.geojson", tmp_path / "broken.geojson"
    good.write_text(dumps_geojson(small_plan(row(4))), encoding="utf-8")
    bad.write_text(
        dumps_geojson(small_plan({"A1": box(5, 17, 8, 20), "A2": box(7, 17, 10, 20)})),
        encoding="utf-8",
    )
    runner = app.test_cli_runner()
    args = ["plan", "import", "--exhibition", "test", "--hall", "Зал 1"]

    result = runner.invoke(args=[*args, str(good)])
    assert result.exit_code == 0, result.output
    assert "версия плана 1" in result.stdout
    for stage in IMPORT_STAGES:  # the progress bar, on stderr
        assert stage in result.stderr and stage not in result.stdout

    refused = runner.invoke(args=[*args, str(bad)])
    assert refused.exit_code == 1
    assert "booth-overlap" in refused.stderr or "пересека" in refused.stderr
    assert "запись" not in refused.stderr  # it stopped before writing anything
    db.session.rollback()
    assert db.session.scalar(select(Hall)).plan_version == 1
