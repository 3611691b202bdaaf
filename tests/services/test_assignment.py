"""`assign`: preview and apply the automatic assignment on the demo exhibition."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from exhibit.audit import AuditEvent
from exhibit.booking.assignment import ASSIGNED
from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.demo import DEMO_SLUG


def run(app, *extra):
    return app.test_cli_runner().invoke(args=["assign", "--exhibition", DEMO_SLUG, *extra])


def holds() -> list[tuple[int, int]]:
    db.session.rollback()
    return sorted(
        db.session.execute(
            select(Reservation.booth_id, Reservation.exhibitor_id).where(
                Reservation.note == ASSIGNED, Reservation.status == "held"
            )
        ).all()
    )


def test_preview_json_changes_nothing(demo_app):
    before = db.session.scalar(select(func.count()).select_from(Reservation))
    result = run(demo_app, "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert set(body) == {"assignments", "unplaced", "quality"}
    assert {"placed_share", "in_zone_share", "mean_area_diff", "competitor_adjacencies",
            "optimality_gap"} <= set(body["quality"])  # fmt: skip
    assert body["assignments"] and set(body["assignments"][0]) == {"exhibitor", "booths", "cost"}
    assert body["quality"]["competitor_adjacencies"] == 0
    assert db.session.scalar(select(func.count()).select_from(Reservation)) == before


def test_apply_holds_the_booths_and_a_rerun_moves_nobody(demo_app):
    confirmed = set(
        db.session.scalars(select(Reservation.booth_id).where(Reservation.status == "confirmed"))
    )
    result = run(demo_app, "--apply")
    assert result.exit_code == 0, result.output
    first = holds()
    assert first
    assert not {booth for booth, _ in first} & confirmed  # confirmed booths are never touched
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "assignment.applied")
        )
        == 1
    )
    again = run(demo_app, "--apply")
    assert again.exit_code == 0, again.output
    assert holds() == first


def test_a_bad_application_is_named_and_nothing_is_applied(demo_app):
    exhibitor = db.session.scalar(select(Exhibitor).where(Exhibitor.application.is_not(None)))
    exhibitor.application = {**exhibitor.application, "requested_area": 0}
    db.session.commit()
    result = run(demo_app, "--apply")
    assert result.exit_code != 0
    assert exhibitor.name in result.output
    assert holds() == []


def test_time_limit_must_be_positive_and_bounds_the_search(demo_app):
    before = holds()
    for bad in ("0", "-1"):
        result = run(demo_app, "--time-limit", bad, "--apply")
        assert result.exit_code != 0
        assert "--time-limit" in result.output
    assert holds() == before  # nothing applied
    result = run(demo_app, "--json", "--time-limit", "0.5")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["assignments"]


def test_an_exhibitor_without_an_application_is_no_applicant(demo_app):
    """No application is stored as JSON null, which `IS NOT NULL` lets through: such an
    exhibitor without a booth (a new one, or one whose booth was cancelled) must neither be
    placed nor stop the assignment of everybody else."""
    exhibition_id = db.session.scalar(select(Exhibitor.exhibition_id).limit(1))
    db.session.add(Exhibitor(exhibition_id=exhibition_id, kind="municipality", approved=True,
                             name="Администрация города Без Заявки"))  # fmt: skip
    db.session.commit()
    result = run(demo_app, "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    named = {a["exhibitor"] for a in body["assignments"]} | {
        u if isinstance(u, str) else u.get("exhibitor") for u in body["unplaced"]
    }
    assert body["assignments"] and "Администрация города Без Заявки" not in named
