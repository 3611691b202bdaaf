"""The visitors' hall map: zoom and pan, search highlights, exhibitor cards, visit routes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import select

from exhibit.booking.services import booth_states
from exhibit.catalogue.models import Track
from exhibit.db import db
from exhibit.errors import NotFound
from exhibit.floorplan.services import get_exhibition, hall_plan
from exhibit.maps.svg import Frame
from exhibit.search.services import search

bp = Blueprint("maps", __name__)


def _card(state: Any, slug: str) -> dict[str, Any] | None:
    """What a visitor sees when they pick a booth (only confirmed exhibitors are public)."""
    if state.status != "confirmed" or state.exhibitor is None:
        return None
    exhibitor = state.exhibitor
    return {
        "name": exhibitor.name,
        "region": exhibitor.region.name if exhibitor.region else "",
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


@bp.get("/<slug>/map")
def hall_map(slug: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    if not exhibition.halls:
        raise NotFound("В выставке ещё нет залов")
    name = request.args.get("hall")
    hall = next((h for h in exhibition.halls if h.name == name), exhibition.halls[0])
    states = booth_states(db.session, hall)
    q = request.args.get("q", "").strip()
    highlighted: set[str] = set()
    found = None
    if q:
        found = search(db.session, exhibition, q, limit=100)
        highlighted = {number for r in found.results for number in r.booths}
    selected = request.args.get("booth", "")
    if selected:
        highlighted.add(selected)
    tracks = {t.code: t for t in db.session.scalars(select(Track).order_by(Track.position))}
    return render_template(
        "maps/hall.html",
        exhibition=exhibition,
        hall=hall,
        plan=hall_plan(hall),
        states=states,
        cards={s.booth.number: _card(s, slug) for s in states},
        tracks=tracks,
        frame=Frame.around(hall.outline, margin=2.5),
        q=q,
        found=found,
        highlighted=highlighted,
        selected=selected,
    )
