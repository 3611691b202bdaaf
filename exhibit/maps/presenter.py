"""What the pages that draw a hall need (the visitors' map, an exhibitor's excerpt): the
booth shapes of a plan version in a frame (computed once per worker), each booth's card,
and the context ``maps/_hall_svg.html`` draws from."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from exhibit.booking.services import booth_states
from exhibit.catalogue.models import Exhibitor, Track
from exhibit.db import db
from exhibit.floorplan.models import Hall
from exhibit.floorplan.services import hall_plan
from exhibit.i18n import localised
from exhibit.maps.svg import Frame, label_point, label_size


def _card(state: Any, slug: str) -> dict[str, Any] | None:
    """What a visitor sees when they pick a booth (only confirmed exhibitors are public)."""
    if state.status != "confirmed" or state.exhibitor is None:
        return None
    exhibitor = state.exhibitor
    return {
        "name": exhibitor.name,
        "region": localised(exhibitor.region),
        "url": url_for("catalogue.exhibitor", slug=slug, exhibitor_id=exhibitor.id),
        "solutions": [
            {
                "id": s.id,
                "title": s.title,
                "url": url_for("catalogue.solution", slug=slug, solution_id=s.id),
            }
            for s in exhibitor.solutions[:5]
        ],
    }


_shapes: dict[tuple[str, int, int, Frame], dict[str, tuple[str, float, float, float]]] = {}


def booth_shapes(hall: Hall, frame: Frame) -> dict[str, tuple[str, float, float, float, float]]:
    """Booth number → (SVG path, label x, label y, font size, font size of a label turned a
    quarter) in ``frame``: the geometry work of drawing a hall, done once per plan version
    and frame in each worker."""
    key = (str(db.engine.url), hall.id, hall.plan_version, frame)
    if key not in _shapes:
        if len(_shapes) > 64:
            _shapes.clear()
        _shapes[key] = {
            b.number: (
                frame.path(b.polygon),
                *frame.point(*label_point(b.polygon)),
                label_size(b.polygon),
                label_size(b.polygon, turned=True),
            )
            for b in hall.current_booths
        }
    return _shapes[key]


def map_context(
    hall: Hall, slug: str, *, around: Any = None, margin: float = 2.5
) -> dict[str, Any]:
    """What ``maps/_hall_svg.html`` needs to draw a hall, or an excerpt ``around`` a shape."""
    states = booth_states(db.session, hall)
    # The cards show each exhibitor's region and solutions: load them in two queries, not
    # two per booth.
    shown = {s.exhibitor.id for s in states if s.status == "confirmed" and s.exhibitor}
    if shown:
        db.session.scalars(
            select(Exhibitor)
            .where(Exhibitor.id.in_(shown))
            .options(selectinload(Exhibitor.region), selectinload(Exhibitor.solutions))
        ).all()
    frame = Frame.around(around if around is not None else hall.outline, margin=margin)
    return {
        "hall": hall,
        "shapes": booth_shapes(hall, frame),
        "plan": hall_plan(hall),
        "states": states,
        "cards": {s.booth.number: _card(s, slug) for s in states},
        "tracks": {t.code: t for t in db.session.scalars(select(Track).order_by(Track.position))},
        "frame": frame,
    }
