"""The visitors' hall map: zoom and pan, search highlights, exhibitor cards, visit routes."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from sqlalchemy import select

from exhibit.booking.services import confirmed_booths
from exhibit.catalogue.models import Solution
from exhibit.db import db
from exhibit.errors import InvalidParameter, NotFound, tr
from exhibit.floorplan.models import Hall
from exhibit.floorplan.services import get_exhibition
from exhibit.maps.presenter import map_context
from exhibit.maps.route import MAX_STOPS, RouteError
from exhibit.maps.wayfinding import find_start, hall_walk
from exhibit.pagecache import cached_page
from exhibit.search.services import search

bp = Blueprint("maps", __name__)


@bp.get("/<slug>/map")
def hall_map(slug: str) -> str:
    return cached_page(lambda: _hall_map(slug))


def _hall_map(slug: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    if not exhibition.halls:
        raise NotFound(tr("В выставке ещё нет залов"))
    name = request.args.get("hall")
    hall = next((h for h in exhibition.halls if h.name == name), exhibition.halls[0])
    context = map_context(hall, slug)
    q = request.args.get("q", "").strip()
    highlighted: set[str] = set()
    found = None
    if q:
        found = search(db.session, exhibition, q, limit=100)
        highlighted = {number for r in found.results for number in r.booths}
    selected = request.args.get("booth", "")
    if selected:
        highlighted.add(selected)
    here, here_xy, here_view, notice = _here(hall, context, request.args.get("at", ""))
    return render_template(
        "maps/hall.html",
        here=here,
        here_xy=here_xy,
        here_view=here_view,
        notice=notice,
        exhibition=exhibition,
        **context,
        q=q,
        found=found,
        highlighted=highlighted,
        selected=selected,
    )


#: How much of the hall (metres across) the map shows round a "you are here" point.
HERE_VIEW = 40.0


def _here(hall: Hall, context: dict, asked: str) -> tuple:
    """The "you are here" point ``at`` names, where it is in the drawing, the view round it,
    and a notice when the plan no longer has it (a poster of an older plan version)."""
    asked = asked.strip()[:64]
    if not asked:
        return None, None, None, None
    start = find_start(hall, asked)
    if start.point is None:
        return None, None, None, start.notice
    frame = context["frame"]
    x, y = frame.point(*start.point.position)
    half = HERE_VIEW / 2
    view = f"{x - half:g} {y - half:g} {HERE_VIEW:g} {HERE_VIEW:g}"
    return start.point, (round(x, 3), round(y, 3)), view, None


def _solution_ids(raw: str) -> list[int]:
    ids = []
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise InvalidParameter(
                tr("Номер решения «%(number)s» — не число", number=part[:20]),
                details={"field": "solutions"},
            )
        ids.append(int(part))
    return list(dict.fromkeys(ids))[: MAX_STOPS * 3]


@bp.get("/<slug>/visit")
def visit(slug: str) -> str:
    """A visit plan: the chosen solutions' booths and the shortest walk to them."""
    exhibition = get_exhibition(db.session, slug)
    if not exhibition.halls:
        raise NotFound(tr("В выставке ещё нет залов"))
    hall = exhibition.halls[0]
    chosen = _solution_ids(request.args.get("solutions", ""))
    solutions = [
        s
        for s in db.session.scalars(select(Solution).where(Solution.id.in_(chosen)))
        if s.exhibitor.exhibition_id == exhibition.id and s.exhibitor.is_public
    ]
    solutions.sort(key=lambda s: chosen.index(s.id))
    booths = confirmed_booths(db.session, {s.exhibitor_id for s in solutions})
    stops: dict[str, list[Solution]] = {}
    unplaced = []
    for solution in solutions:
        numbers = [b.number for b in booths.get(solution.exhibitor_id, []) if b.hall_id == hall.id]
        if numbers:
            stops.setdefault(numbers[0], []).append(solution)
        else:
            unplaced.append(solution)
    context = map_context(hall, slug)
    plan = context["plan"]
    entrances = [e.name or f"Вход {i + 1}" for i, e in enumerate(plan.entrances)]
    entrance = request.args.get("entrance", "")
    step_free = request.args.get("step_free", "") in ("1", "on", "true")
    asked = request.args.get("from", "") or entrance
    start = find_start(hall, asked, step_free=step_free)
    route, error, steps = None, None, []
    if stops:
        try:
            walk = hall_walk(
                hall, list(stops)[:MAX_STOPS], start=start, step_free=step_free,
                lang=str(get_locale() or "ru"),
            )  # fmt: skip
            route, steps = walk.route, walk.steps
        except RouteError as exc:
            error = exc.message
    frame = context["frame"]
    return render_template(
        "maps/visit.html",
        exhibition=exhibition,
        **context,
        highlighted=set(stops),
        selected="",
        stops=stops,
        unplaced=unplaced,
        route=route,
        route_points=" ".join(
            f"{x:g},{y:g}" for x, y in (frame.point(*c) for c in route.path.coords)
        )
        if route
        else "",
        error=error,
        entrances=entrances,
        entrance=entrance,
        points=plan.points,
        start=start,
        step_free=step_free,
        steps=steps,
        chosen=[s.id for s in solutions],
    )
