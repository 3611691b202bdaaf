"""Evacuation plans "you are here" (``map here``), measured inside the PDF: one sheet per
point, the plan turned the way the reader faces, the mark at its point, the walks to the
nearest exits."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pypdf import PdfReader
from shapely import affinity
from sqlalchemy import select

from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.evacuation import Evacuation
from exhibit.floorplan.models import Hall
from exhibit.floorplan.services import hall_plan
from exhibit.maps.here import point_routes, turned_plan
from tests.pdfpage import stroked_outlines, words

HALL = "Павильон 1"
pytestmark = pytest.mark.sqlite_only  # rendering does not depend on the database engine


def run(app, tmp_path, *options):
    out = tmp_path / "here.pdf"
    result = app.test_cli_runner().invoke(
        args=["map", "here", "--exhibition", DEMO_SLUG, "--hall", HALL, *options, "-o", str(out)]
    )
    return result, out


def test_one_turned_sheet_per_point_with_the_mark_at_its_point(demo_app, tmp_path):
    result, path = run(demo_app, tmp_path)
    assert result.exit_code == 0, result.output
    hall = db.session.scalar(select(Hall).where(Hall.name == HALL))
    plan = hall_plan(hall)
    reader = PdfReader(path)
    assert len(reader.pages) == len(plan.points) == 5
    for page, point in enumerate(plan.points):
        turned = turned_plan(plan, point.facing, point.position)
        outlines = stroked_outlines(path, page)
        # The hall is the largest outline drawn: its box on paper is the turned hall's box,
        # the same scale both ways (a plan turned by 90° is drawn on its side).
        drawn = max(outlines, key=lambda o: o.area)
        x0, y0, x1, y1 = drawn.bounds
        hx0, hy0, hx1, hy1 = turned.hall.bounds
        kx, ky = (x1 - x0) / (hx1 - hx0), (y1 - y0) / (hy1 - hy0)
        assert kx == pytest.approx(ky, rel=0.01), (point.id, kx, ky)
        # The mark: a diamond 6 mm across, centred where the point falls on the turned plan
        # (the legend's diamond is below the drawing).
        marks = [o for o in outlines if len(o.exterior.coords) == 5
                 and abs(o.bounds[2] - o.bounds[0] - 6) < 0.2
                 and abs(o.bounds[3] - o.bounds[1] - 6) < 0.2
                 and drawn.buffer(3).contains(o.centroid)]  # fmt: skip
        assert len(marks) == 1, (point.id, len(marks))
        want_x = x0 + (point.x - hx0) * kx  # the point does not move when the plan turns
        want_y = y0 + (hy1 - point.y) * ky  # paper y runs down
        centre = marks[0].centroid
        assert centre.x == pytest.approx(want_x, abs=0.5)
        assert centre.y == pytest.approx(want_y, abs=0.5)
        texts = {w.text for w in words(path, page)}
        assert {"ВЫ", "ЗДЕСЬ"} <= texts and f"{point.id}" in " ".join(texts)
    # P2 (the west entrance) faces east: its sheet is turned a quarter, the hall on its side.
    p2 = next(p for p, q in enumerate(plan.points) if q.id == "P2")
    drawn = max(stroked_outlines(path, p2), key=lambda o: o.area)
    w, h = plan.hall.bounds[2] - plan.hall.bounds[0], plan.hall.bounds[3] - plan.hall.bounds[1]
    aspect = (drawn.bounds[2] - drawn.bounds[0]) / (drawn.bounds[3] - drawn.bounds[1])
    assert aspect == pytest.approx(h / w, rel=0.01)


def test_a_point_that_is_not_on_the_plan_is_named_and_nothing_is_written(demo_app, tmp_path):
    result, path = run(demo_app, tmp_path, "--point", "P1", "--point", "P99")
    assert result.exit_code != 0
    assert "P99" in result.output and "P1" in result.output
    assert not path.exists()
    result, path = run(demo_app, tmp_path, "--point", "P3", "--paper", "A3")
    assert result.exit_code == 0, result.output
    assert len(PdfReader(path).pages) == 1


def test_the_walks_start_at_the_point_and_end_at_its_two_nearest_exits(demo_app):
    hall = db.session.scalar(select(Hall).where(Hall.name == HALL))
    plan = hall_plan(hall)
    evacuation = Evacuation.from_plan(plan)
    free = shapely.buffer(evacuation.graph.free, 1e-6)
    for point in plan.points:
        routes = point_routes(evacuation, point)
        assert len(routes) == 2 and routes[0].nearest and not routes[1].nearest
        assert routes[0].exit_name != routes[1].exit_name
        assert routes[0].metres <= routes[1].metres
        start = evacuation.graph.to_free(shapely.Point(point.position))
        d, _ = evacuation.distances(np.array([[start.x, start.y]]))
        assert routes[0].metres == pytest.approx(np.nanmin(d[0]))
        for route in routes:
            assert route.line.coords[0] == pytest.approx(point.position)
            exit_ = next(x for x in evacuation.exits if x.name == route.exit_name)
            assert route.line.coords[-1] == pytest.approx((exit_.point.x, exit_.point.y))
            # After the first step off the column or the wall, the walk keeps to the aisles.
            rest = shapely.LineString(route.line.coords[1:]) if len(route.line.coords) > 2 else None
            assert rest is None or free.covers(rest)


def test_turning_puts_the_way_the_reader_faces_up(demo_app):
    hall = db.session.scalar(select(Hall).where(Hall.name == HALL))
    plan = hall_plan(hall)
    point = next(p for p in plan.points if p.id == "P2")  # facing east (90°)
    turned = turned_plan(plan, point.facing, point.position)
    ahead = affinity.rotate(shapely.Point(point.x + 10, point.y), point.facing,
                            origin=point.position)  # fmt: skip
    # Ten metres east of the point lie ten metres straight up on the turned plan.
    assert ahead.x == pytest.approx(point.x) and ahead.y == pytest.approx(point.y + 10)
    assert turned.hall.area == pytest.approx(plan.hall.area)
    assert len(turned.booths) == len(plan.booths)
