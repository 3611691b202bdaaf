"""Floor-plan services: exhibitions, halls and their plan versions in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from exhibit.errors import NotFound, tr
from exhibit.floorplan.formats.geojson import from_geojson
from exhibit.floorplan.models import Exhibition, Hall
from exhibit.floorplan.plan import Plan
from exhibit.floorplan.validate import ValidationReport, validate_plan


def get_exhibition(session: Session, slug: str) -> Exhibition:
    exhibition = session.scalar(select(Exhibition).where(Exhibition.slug == slug))
    if exhibition is None:
        raise NotFound(tr("Выставка «%(slug)s» не найдена", slug=slug))
    return exhibition


def newest_exhibition(session: Session) -> Exhibition | None:
    """The current (latest) exhibition: the forum is yearly, one exhibition a year."""
    return session.scalar(select(Exhibition).order_by(Exhibition.starts_on.desc()))


def get_hall(session: Session, exhibition: Exhibition, name: str) -> Hall:
    hall = session.scalar(
        select(Hall).where(Hall.exhibition_id == exhibition.id, Hall.name == name)
    )
    if hall is None:
        raise NotFound(
            tr("Зал «%(name)s» не найден в выставке «%(slug)s»", name=name, slug=exhibition.slug)
        )
    return hall


def check_plan(exhibition: Exhibition, plan: Plan) -> ValidationReport:
    """Validate a plan with the exhibition's rules (its minimum aisle width)."""
    return validate_plan(plan, min_aisle=float(exhibition.min_aisle_m))


def plan_document(hall: Hall) -> dict[str, Any]:
    """The GeoJSON document of the hall's current plan version."""
    current = hall.current_plan
    if current is None:
        raise NotFound(tr("У зала «%(name)s» нет плана", name=hall.name))
    return current.document


_plans: dict[tuple[str, int, int], Plan] = {}


def hall_plan(hall: Hall) -> Plan:
    """The hall's current plan (obstacles, zones, doors) as plain values.

    Cached per worker by plan version: a version never changes once stored.
    """
    key = (str(object_session(hall).get_bind().url), hall.id, hall.plan_version)
    if key not in _plans:
        if len(_plans) > 32:
            _plans.clear()
        # Stored documents were checked when they were imported.
        _plans[key] = from_geojson(plan_document(hall), trusted=True)
    return _plans[key]
