"""Evacuation plans "you are here" (ГОСТ Р 12.2.143-2009, ISO 23601): one sheet per point
of the hall's plan — the entrances, the exit corridors, the columns where the visitors'
posters hang (``plan.points``).

Each sheet is the fire-safety plan turned so that "up" on the paper is the way a reader at
the point faces (``PlanPoint.facing``, degrees clockwise from the plan's "up"): the whole
plan is rotated about the point before it is drawn, so the words stay upright. On it: a
red "you are here" mark at the point, the walk from the point to its nearest exit (a thick
green line with an arrow head) and to the nearest *other* exit (dashed), with their lengths,
the exit and safety signs at 8 mm, the legend, the assembly point and the plan version's
date — the same sheet template as the fire-safety edition (``print/sheet.svg``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

import numpy as np
from flask import render_template
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import substring

from exhibit.floorplan.evacuation import Evacuation
from exhibit.floorplan.models import Hall
from exhibit.floorplan.plan import Plan, PlanPoint
from exhibit.floorplan.services import hall_plan
from exhibit.floorplan.walk import RouteError
from exhibit.maps.pdf import (
    ARROW_HEAD_MM,
    EVACUATION_GREEN,
    SIGN_MM,
    FireEdition,
    LegendItem,
    PdfPages,
    _booth_item,
    _door_label,
    equipment_legend,
    exit_signs,
)
from exhibit.maps.printing import FOOTER, HEADER, MARGIN, PrintError, scale_bar, sheet_for
from exhibit.maps.svg import Frame

#: The colour of the "you are here" mark.
HERE_RED = "#d0021b"
#: Half the side of the "you are here" mark (a diamond), mm of paper.
HERE_MM = 3.0
#: Paper sizes of the sheets.
HERE_PAPER = ("A4", "A3")


@dataclass(frozen=True)
class HereRoute:
    """The walk from a point to one exit, in plan metres: the line, its length, the exit's
    name and whether it is the nearest."""

    line: LineString
    metres: float
    exit_name: str
    nearest: bool


def point_routes(evacuation: Evacuation, point: PlanPoint) -> list[HereRoute]:
    """The walks from ``point`` to its nearest exit and to the nearest other one (fewer
    when fewer can be reached). Entrances count as ways out, as in the plan check."""
    start = evacuation.graph.to_free(Point(point.x, point.y))
    dist, first = evacuation.distances(np.array([[start.x, start.y]]))
    order = [int(e) for e in np.argsort(dist[0]) if np.isfinite(dist[0, e])][:2]
    routes = []
    for rank, e in enumerate(order):
        line = evacuation.route(start, e, int(first[0, e]))
        if line is None:
            continue
        if start.distance(Point(point.x, point.y)) > 1e-6:  # from the point itself
            line = LineString([(point.x, point.y), *line.coords])
        routes.append(HereRoute(line, float(dist[0, e]), evacuation.exits[e].name, rank == 0))
    return routes


def turned_plan(plan: Plan, angle: float, origin: tuple[float, float]) -> Plan:
    """The plan rotated by ``angle`` degrees counter-clockwise about ``origin``."""

    def turn(geometry: Any) -> Any:
        return affinity.rotate(geometry, angle, origin=origin)

    def features(items: list) -> list:
        return [replace(f, geometry=turn(f.geometry)) for f in items]

    return replace(
        plan,
        hall=turn(plan.hall),
        booths=[replace(b, polygon=turn(b.polygon)) for b in plan.booths],
        obstacles=features(plan.obstacles),
        zones=features(plan.zones),
        entrances=features(plan.entrances),
        exits=features(plan.exits),
        equipment=features(plan.equipment),
        passages=features(plan.passages),
        points=tuple(
            replace(p, position=tuple(turn(Point(p.position)).coords[0])) for p in plan.points
        ),
    )


class HereEdition(FireEdition):
    """The fire-safety sheet of one point: the legend of the "you are here" plan."""

    name, title = "here", "план эвакуации"
    footer_mm = FOOTER + 22

    def __init__(self, routes: list[HereRoute]) -> None:
        super().__init__({})
        self.routes = routes

    def legend(self, plan: Plan) -> list[LegendItem]:
        legend = [LegendItem(HERE_RED, 1, "вы здесь", "here")]
        for route in self.routes:
            which = "ближайший выход" if route.nearest else "другой выход"
            metres = f"{route.metres:.0f}"
            text = f"путь: {which} «{route.exit_name}», {metres} м"
            legend.append(LegendItem(EVACUATION_GREEN, 1, text, "arrow"))
        legend += [
            LegendItem("", 1, "эвакуационный выход (E002; ГОСТ E01-01)", "exit"),
            LegendItem("#b00020", 1, "эвакуационный выход"),
            LegendItem("#444444", 1, "колонны и препятствия"),
            LegendItem("#1e7b34", 1, "вход"),
        ]
        return legend + equipment_legend(plan)


def _route_items(routes: list[HereRoute], frame: Frame, k: float) -> list[dict[str, Any]]:
    """Path data of the routes: a shaft and an arrow head at the exit."""
    head = ARROW_HEAD_MM * 1.5 / k
    half = ARROW_HEAD_MM * 0.6 / k
    out = []
    for route in routes:
        line = route.line
        if line.length < 2 * head:
            shaft, corners = line, None
        else:
            tip = line.coords[-1]
            base = line.interpolate(line.length - head)
            dx, dy = tip[0] - base.x, tip[1] - base.y
            norm = math.hypot(dx, dy) or 1.0
            nx_, ny_ = -dy / norm * half, dx / norm * half
            corners = Polygon([(base.x + nx_, base.y + ny_), tip, (base.x - nx_, base.y - ny_)])
            shaft = substring(line, 0, line.length - head * 0.6)
        out.append({
            "d": frame.path(shaft), "head": frame.path(corners) if corners else None,
            "nearest": route.nearest,
        })  # fmt: skip
    return out


def here_sheet(
    hall: Hall, plan: Plan, evacuation: Evacuation, point: PlanPoint, *, paper: str = "A4"
) -> str:
    """The "you are here" sheet of one point, as SVG (see the module docstring)."""
    from datetime import datetime

    routes = point_routes(evacuation, point)
    if not routes:
        raise PrintError(
            f"От точки «{point.name}» ({point.id}) не дойти ни до одного выхода: "
            "план эвакуации для неё не построить"
        )
    origin = (point.x, point.y)
    angle = point.facing  # counter-clockwise by the facing: the reader's way becomes "up"
    turned = turned_plan(plan, angle, origin)
    turned_routes = [replace(r, line=affinity.rotate(r.line, angle, origin=origin)) for r in routes]
    outline = turned.hall
    frame = Frame.around(outline, margin=1.0)
    look = HereEdition(turned_routes)
    landscape = frame.width > frame.height
    sheet = sheet_for(paper, landscape, frame.width, frame.height, None, footer_mm=look.footer_mm)
    k = sheet.k
    booths = [_booth_item(b, frame, k, min_mm=look.min_text_mm) for b in turned.booths if b.number]
    bar_m, bar_mm = scale_bar(k)
    printed = datetime.now().strftime("%d.%m.%Y %H:%M")
    version = hall.current_plan
    dated = version.created_at.strftime("%d.%m.%Y") if version is not None else None
    hall_view = SimpleNamespace(outline=outline, name=hall.name, plan_version=hall.plan_version)
    doors = [_door_label(d, "ВХОД", "#1e7b34", frame, outline) for d in turned.entrances]
    doors += [_door_label(d, "ВЫХОД", "#b00020", frame, outline) for d in turned.exits]
    hx, hy = frame.point(*origin)
    footer = (
        f"{hall.exhibition.title} · {hall.name} · точка {point.id} · "
        f"версия {hall.plan_version} · {printed}"
    )

    def clearance(door: Any) -> Any:
        return door.buffer(2.0, cap_style="flat").intersection(outline)

    return render_template(
        "print/sheet.svg",
        sheet=sheet, frame=frame, hall=hall_view, plan=turned, booths=booths, tracks={},
        edition=look, zones=False, safety=True, margin=MARGIN, header=HEADER,
        exhibition=hall.exhibition, printed=printed, footer=footer, bar_m=bar_m,
        bar_mm=bar_mm, legend=look.legend(turned), doors=doors, sign_mm=SIGN_MM,
        clearance=clearance, dimensions=[],
        exit_signs=exit_signs(turned, frame, outline, k),
        assembly_point=plan.properties.get("assembly_point"), version_date=dated,
        here={"x": hx, "y": hy, "mm": HERE_MM, "name": point.name, "id": point.id,
              "routes": _route_items(turned_routes, frame, k)},
    )  # fmt: skip


def here_pdf(
    hall: Hall, *, points: Sequence[str] | None = None, paper: str = "A4"
) -> tuple[bytes, int]:
    """The "you are here" sheets of the chosen points (ids; all the plan's points when
    ``None``) as one PDF, and how many sheets it has. Raises :class:`PrintError` for an
    unknown point, a plan without points or exits, or a point no exit can be reached from."""
    if paper not in HERE_PAPER:
        raise PrintError(f"Формат бумаги «{paper}» для плана «вы здесь»: A4 или A3")
    plan = hall_plan(hall)
    chosen = list(plan.points)
    if points:
        known = {p.id: p for p in plan.points}
        missing = [p for p in points if p not in known]
        if missing:
            raise PrintError(
                f"В плане зала «{hall.name}» нет точек «вы здесь» {', '.join(missing)}; "
                f"есть: {', '.join(known) or 'ни одной'}"
            )
        chosen = [known[p] for p in points]
    if not chosen:
        raise PrintError(f"В плане зала «{hall.name}» нет точек «вы здесь» (points)")
    if not plan.exits:
        raise PrintError(
            "В плане зала нет ни одного эвакуационного выхода: пути эвакуации не построить"
        )
    try:
        evacuation = Evacuation.from_plan(plan)
    except RouteError as error:
        raise PrintError(str(error)) from None
    pages = PdfPages(title=f"{hall.exhibition.title} — {hall.name}: планы эвакуации")
    for point in chosen:
        pages.svg(
            here_sheet(hall, plan, evacuation, point, paper=paper),
            alt=f"План эвакуации «вы здесь»: {point.name} ({point.id}), зал «{hall.name}»",
        )
    return pages.finish(), len(chosen)


__all__ = ["HERE_PAPER", "HereRoute", "here_pdf", "here_sheet", "point_routes", "turned_plan"]
