"""Routes of a hall for pages and the API: from a "you are here" poster or an entrance,
step-free or not, with directions in words.

The walk graphs (ordinary and step-free) and the describer are built once per plan version
in each worker. ``from`` is a poster point's id (``P1``) or an entrance's name; a point that
a newer plan version removed is not an error: the walk starts at the main entrance and the
answer carries a ``notice`` saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import Point

from exhibit.db import db
from exhibit.errors import tr
from exhibit.floorplan.models import Hall
from exhibit.floorplan.plan import PlanPoint
from exhibit.floorplan.services import hall_plan
from exhibit.maps.directions import (
    Describer,
    Step,
    door_has_steps,
    point_has_steps,
    step_free_entrance,
    step_free_plan,
)
from exhibit.maps.route import MAX_STOPS, Route, RouteError, WalkGraph, visit_route

_graphs: dict[tuple[str, int, int, bool], WalkGraph] = {}
_describers: dict[tuple[str, int, int], Describer] = {}


def walk_graph(hall: Hall, *, step_free: bool = False) -> WalkGraph:
    """The hall's walking graph (step-free: round every marked step and narrow place),
    built once per plan version in each worker (~0.1–0.2 s)."""
    key = (str(db.engine.url), hall.id, hall.plan_version, step_free)
    if key not in _graphs:
        if len(_graphs) > 16:
            _graphs.clear()
        plan = hall_plan(hall)
        _graphs[key] = WalkGraph.from_plan(step_free_plan(plan) if step_free else plan)
    return _graphs[key]


def describer(hall: Hall) -> Describer:
    """The hall's :class:`Describer`, once per plan version in each worker."""
    key = (str(db.engine.url), hall.id, hall.plan_version)
    if key not in _describers:
        if len(_describers) > 16:
            _describers.clear()
        _describers[key] = Describer(hall_plan(hall))
    return _describers[key]


@dataclass
class Start:
    """Where a walk starts: a poster ``point``, else an entrance (``entrance``: its index,
    ``None`` for the main one). ``notice``: what the visitor should know (a point no longer
    on the plan, an entrance with steps on a step-free walk)."""

    point: PlanPoint | None = None
    entrance: int | None = None
    notice: str | None = None
    #: The ``from`` as asked, for links.
    asked: str = ""


def find_start(hall: Hall, asked: str | None, *, step_free: bool = False) -> Start:
    """Resolve ``from``: a poster point's id, an entrance's name, or nothing (the main
    entrance). Unknown values give the main entrance and a notice, never an error."""
    plan = hall_plan(hall)
    asked = (asked or "").strip()[:64]
    start = Start(asked=asked)
    if asked:
        point = plan.point(asked) or next(
            (p for p in plan.points if p.id.casefold() == asked.casefold()), None
        )
        names = [(e.name or "").strip() for e in plan.entrances]
        if point is not None:
            start.point = point
        elif asked in names:
            start.entrance = names.index(asked)
        else:
            start.notice = tr(
                "Точки «%(point)s» больше нет на плане зала: маршрут начинается от главного входа.",
                point=asked,
            )
    if step_free:
        _step_free_start(plan, start)
    return start


def _step_free_start(plan, start: Start) -> None:
    """Move a step-free walk's start off an entrance (or a poster by one) with steps."""
    if start.point is not None:
        if not point_has_steps(plan, start.point):
            return
        here = start.point.name
        wanted = min(
            plan.entrances,
            key=lambda e: e.geometry.distance(Point(start.point.position)),
            default=None,
        )
    else:
        wanted = step_free_entrance(plan, None) if start.entrance is None else None
        wanted = plan.entrances[start.entrance] if start.entrance is not None else wanted
        if wanted is None or not door_has_steps(plan, wanted):
            return
        here = wanted.name or ""
    other = step_free_entrance(plan, wanted)
    if other is None:
        return
    start.notice = tr(
        "У «%(here)s» ступени: маршрут без ступеней начинается от входа «%(other)s».",
        here=here,
        other=other.name or "",
    )
    start.point = None
    start.entrance = list(plan.entrances).index(other)


@dataclass
class Walk:
    """A route and everything pages and the API show of it."""

    route: Route
    steps: list[Step]
    start: Start
    step_free: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def length_m(self) -> int:
        """The walk's length rounded to metres."""
        return round(self.route.length)

    def to_dict(self) -> dict[str, Any]:
        """The route API's answer: ``length_m``, ``steps``, ``geometry`` (a GeoJSON
        LineString in the plan's metres), the stops in visiting ``order``, ``start``,
        ``step_free`` and ``notice``."""
        coords = [[round(x, 2), round(y, 2)] for x, y in self.route.path.coords]
        start = self.start
        return {
            "length_m": self.length_m,
            "steps": [s.to_dict() for s in self.steps],
            "geometry": {"type": "LineString", "coordinates": coords},
            "order": list(self.route.order),
            "start": start.point.id if start.point is not None else "entrance",
            "step_free": self.step_free,
            "notice": str(start.notice) if start.notice else None,
        }


def hall_walk(
    hall: Hall,
    numbers: list[str],
    *,
    start: Start | None = None,
    step_free: bool = False,
    lang: str = "ru",
) -> Walk:
    """The shortest walk through the booths ``numbers`` from ``start`` (see
    :func:`find_start`), told in words in ``lang``. Raises :class:`RouteError`."""
    start = start or find_start(hall, None, step_free=step_free)
    graph = walk_graph(hall, step_free=step_free)
    at = None
    if start.point is not None:
        at = (start.point.name, Point(start.point.position))
    route = visit_route(graph, start.entrance, numbers[:MAX_STOPS], start_at=at)
    steps = describer(hall).steps(
        route.legs,
        route.order,
        lang=lang,
        facing=start.point.facing if start.point is not None else None,
        start_name=start.point.name if start.point is not None else None,
    )
    return Walk(route=route, steps=steps, start=start, step_free=step_free)


__all__ = ["RouteError", "Start", "Walk", "describer", "find_start", "hall_walk", "walk_graph"]
