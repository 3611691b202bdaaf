"""Walking routes: the visibility graph of the aisles, access points and the tour order."""

from __future__ import annotations

import functools
import itertools
import math
import pickle
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from exhibit.floorplan.formats import load_plan
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature
from exhibit.maps.route import (
    CLEARANCE,
    MAX_STOPS,
    RouteError,
    WalkGraph,
    order_stops,
    tour_length,
    visit_route,
)

DEMO = Path(__file__).resolve().parents[2] / "floorplans" / "goroda-rossii-2025.geojson"
C = CLEARANCE


def door(x1, y1, x2, y2, name="Вход", main=False, kind="entrance"):
    return PlanFeature(kind, LineString([(x1, y1), (x2, y2)]), name, {"main": True} if main else {})


def column(x, y, size=0.6):
    return PlanFeature("obstacle", box(x, y, x + size, y + size), None, {"type": "column"})


def row(prefix, x0, y0, n, w=3.0, d=3.0):
    return [
        PlanBooth(f"{prefix}{i + 1}", box(x0 + i * w, y0, x0 + (i + 1) * w, y0 + d))
        for i in range(n)
    ]


def detour_plan() -> Plan:
    """A 30 × 24 m hall: a row of booths along the north wall, a wall of booths across the
    hall with one gap at the east end (the detour), a column in the south aisle."""
    return Plan(
        hall=box(0, 0, 30, 24),
        booths=row("A", 3, 21, 8) + row("W", 0, 10, 8) + row("S", 3, 3, 3),
        obstacles=[column(20, 5)],
        entrances=[door(13, 0, 17, 0, "Главный вход", main=True), door(0, 4, 0, 6, "Боковой")],
        exits=[door(30, 18, 30, 20, "Выход", kind="exit")],
    )


def assert_clear(plan: Plan, legs) -> None:
    """No leg enters a booth or an obstacle; every leg stays in the hall."""
    blockers = [b.polygon for b in plan.booths] + [o.geometry for o in plan.obstacles]
    tree = shapely.STRtree(blockers)
    for leg in legs:
        assert plan.hall.covers(leg)
        for k in tree.query(leg, predicate="intersects"):
            assert leg.intersection(blockers[k]).length < 1e-6
        # and keeps about a person's half-width off them
        assert min(leg.distance(b) for b in blockers) > C - 0.02


@functools.cache
def demo() -> tuple[Plan, WalkGraph]:
    plan = load_plan(DEMO)
    return plan, WalkGraph.from_plan(plan)


# Pairwise shortest paths


def test_empty_hall_path_is_the_straight_line():
    graph = WalkGraph.from_plan(Plan(hall=box(0, 0, 20, 10), entrances=[door(9, 0, 11, 0)]))
    length, line = graph.shortest_path(Point(2, 5), Point(18, 7))
    assert length == pytest.approx(math.hypot(16, 2), abs=1e-9)
    assert list(line.coords) == [(2, 5), (18, 7)]


def test_path_around_one_obstacle_is_the_known_detour():
    plan = Plan(hall=box(0, 0, 20, 10), obstacles=[PlanFeature("obstacle", box(9, 4, 11, 6))])
    graph = WalkGraph.from_plan(plan)
    length, line = graph.shortest_path(Point(5, 5), Point(15, 5))
    # Round the grown square [9 - c, 11 + c]²: to a corner, along a side, to the target.
    expected = 2 * math.hypot(9 - C - 5, 1 + C) + 2 + 2 * C
    assert length == pytest.approx(expected, rel=0.01)
    assert length == pytest.approx(line.length)
    assert_clear(plan, [line])


def test_points_outside_the_free_space_are_moved_in():
    graph = WalkGraph.from_plan(detour_plan())
    length, line = graph.shortest_path(Point(15, 0), Point(4.5, 11.5))  # a wall; inside W2
    start, end = Point(line.coords[0]), Point(line.coords[-1])
    assert start.distance(Point(15, C)) < 1e-9
    assert graph.free.buffer(1e-6).covers(end) and not box(3, 10, 6, 13).contains(end)
    assert length == pytest.approx(line.length)


def test_the_wall_of_booths_forces_a_detour_through_the_gap():
    plan = detour_plan()
    graph = WalkGraph.from_plan(plan)
    a, b = Point(5, 5), Point(5, 16)
    length, line = graph.shortest_path(a, b)
    assert max(x for x, _ in line.coords) >= 24 + C - 1e-6  # through the gap at the east end
    assert length > 2 * math.hypot(24 + C - 5, 3) + 3 - 1e-6  # at least round the wall's end
    assert_clear(plan, [line])


# Tours on small plans


def brute_force(dist: np.ndarray, end: int | None = None) -> float:
    stops = [i for i in range(1, len(dist)) if i != end]
    return min(tour_length(dist, p, end) for p in itertools.permutations(stops))


def six_stops(graph: WalkGraph) -> list[Point]:
    numbers = ["A1", "A8", "W3", "S2", "S3", "A5"]
    return [graph.entrance_point(), *(graph.access_point(n) for n in numbers)]


def test_route_never_crosses_a_booth_or_obstacle_and_stays_in_the_hall():
    plan = detour_plan()
    graph = WalkGraph.from_plan(plan)
    route = visit_route(graph, None, ["A1", "A8", "W3", "S2", "S3", "A5"])
    assert sorted(route.order) == sorted(["A1", "A8", "W3", "S2", "S3", "A5"])
    assert len(route.legs) == 6
    assert_clear(plan, route.legs)
    assert route.length == pytest.approx(sum(leg.length for leg in route.legs))
    assert route.path.length == pytest.approx(route.length)
    assert route.start.distance(Point(15, C)) < 1e-9
    assert route.end == route.stops[-1]  # an open path: it ends at the last booth


def test_route_is_the_brute_force_optimum_for_six_stops():
    graph = WalkGraph.from_plan(detour_plan())
    dist, _ = graph.distance_matrix(six_stops(graph))
    best = brute_force(dist)
    route = visit_route(graph, None, ["A1", "A8", "W3", "S2", "S3", "A5"])
    assert route.length == pytest.approx(best, abs=1e-9)


def test_heuristic_is_within_five_percent_for_six_stops():
    graph = WalkGraph.from_plan(detour_plan())
    dist, _ = graph.distance_matrix(six_stops(graph))
    order = order_stops(dist, exact_limit=0)
    assert sorted(order) == [1, 2, 3, 4, 5, 6]
    assert tour_length(dist, order) <= 1.05 * brute_force(dist)
    route = visit_route(graph, None, ["A1", "A8", "W3", "S2", "S3", "A5"], exact_limit=0)
    assert route.length <= 1.05 * brute_force(dist)


def test_return_to_an_exit_ends_there():
    plan = detour_plan()
    graph = WalkGraph.from_plan(plan)
    route = visit_route(graph, "Боковой", ["A1", "W3", "S2"], return_to="Выход")
    assert len(route.legs) == 4
    assert route.start.distance(Point(C, 5)) < 1e-9
    assert route.end.distance(Point(30 - C, 19)) < 1e-9
    assert Point(route.path.coords[-1]) == route.end
    points = [graph.entrance_point(1), *(graph.access_point(n) for n in ["A1", "W3", "S2"])]
    dist, _ = graph.distance_matrix([*points, route.end])
    assert route.length == pytest.approx(brute_force(dist, end=4), abs=1e-9)
    assert_clear(plan, route.legs)


def test_entrances_by_name_index_and_default():
    graph = WalkGraph.from_plan(detour_plan())
    assert graph.entrance_point() == graph.entrance_point(0) == graph.entrance_point("Главный вход")
    assert graph.entrance_point("боковой") == graph.entrance_point(1)


def test_access_point_stands_in_the_aisle_in_front_of_the_booth():
    plan = detour_plan()
    graph = WalkGraph.from_plan(plan)
    for booth in plan.booths:
        p = graph.access_point(booth.number)
        assert graph.free.buffer(1e-6).covers(p)
        assert booth.polygon.distance(p) == pytest.approx(C + 0.05, abs=0.02)
    # A1 opens only to the south; W1 to the south and north: the side nearer the entrance.
    assert graph.access_point("A1").coords[0] == pytest.approx((4.5, 21 - C - 0.05))
    assert graph.access_point("W1").coords[0] == pytest.approx((1.5, 10 - C - 0.05))


def test_routes_are_deterministic_and_the_graph_pickles():
    plan = detour_plan()
    numbers = ["S1", "A3", "W8", "A6", "S3"]
    first = visit_route(WalkGraph.from_plan(plan), None, numbers)
    graph = pickle.loads(pickle.dumps(WalkGraph.from_plan(plan)))
    second = visit_route(graph, None, numbers)
    assert first.order == second.order
    assert first.path.equals_exact(second.path, 0)
    assert graph.graph.number_of_nodes() == len(graph.nodes)  # query nodes were removed


# Tour order on its own


@pytest.mark.parametrize("n", [1, 2, 6, 8])
def test_held_karp_equals_brute_force(n):
    rng = np.random.default_rng(n)
    xy = rng.uniform(0, 100, (n + 1, 2))
    dist = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))
    assert tour_length(dist, order_stops(dist)) == pytest.approx(brute_force(dist))
    if n >= 2:
        assert tour_length(dist, order_stops(dist, end=n), n) == pytest.approx(
            brute_force(dist, end=n)
        )


@pytest.mark.parametrize("seed", range(5))
def test_heuristic_is_close_to_the_exact_order(seed):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (13, 2))
    dist = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))
    exact = tour_length(dist, order_stops(dist))
    heuristic = order_stops(dist, exact_limit=0)
    assert sorted(heuristic) == list(range(1, 13))
    assert tour_length(dist, heuristic) <= 1.05 * exact


# Errors


def test_errors_are_clear():
    graph = WalkGraph.from_plan(detour_plan())
    with pytest.raises(RouteError, match="Стенд «Z9» не найден") as err:
        visit_route(graph, None, ["A1", "Z9"])
    assert err.value.code == "unknown_booth" and isinstance(err.value, ValueError)
    with pytest.raises(RouteError, match="Вход «Чёрный ход» не найден"):
        visit_route(graph, "Чёрный ход", ["A1"])
    with pytest.raises(RouteError, match="не больше 20 стендов") as err:
        visit_route(graph, None, [f"X{k}" for k in range(MAX_STOPS + 1)])
    assert err.value.code == "too_many_stops"
    with pytest.raises(RouteError, match="Не выбран ни один стенд"):
        visit_route(graph, None, [])
    assert visit_route(graph, None, ["A1", " A1", "A1"]).order == ["A1"]


def test_no_entrance():
    graph = WalkGraph.from_plan(Plan(hall=box(0, 0, 20, 10), booths=row("A", 3, 0, 3)))
    with pytest.raises(RouteError, match="нет ни одного входа") as err:
        visit_route(graph, None, ["A1"])
    assert err.value.code == "no_entrance"


def test_enclosed_booths_are_unreachable():
    # A ring of booths round a pocket [12, 18]² with booth P inside it, and booth M
    # surrounded by booths on every side.
    ring = [
        PlanBooth(f"R{k}", b)
        for k, b in enumerate(
            [box(9, 9, 21, 12), box(9, 18, 21, 21), box(9, 12, 12, 18), box(18, 12, 21, 18)]
        )
    ]
    grid = [
        PlanBooth(f"G{i}{j}", box(30 + 3 * i, 10 + 3 * j, 33 + 3 * i, 13 + 3 * j))
        for i in range(3)
        for j in range(3)
    ]
    plan = Plan(
        hall=box(0, 0, 50, 30),
        booths=[*ring, PlanBooth("P", box(14, 14, 16, 16)), *grid],
        entrances=[door(20, 0, 24, 0, main=True)],
    )
    graph = WalkGraph.from_plan(plan)
    with pytest.raises(RouteError, match="Стенд «P» недоступен") as err:
        visit_route(graph, None, ["R0", "P"])
    assert err.value.code == "unreachable" and err.value.booth == "P"
    with pytest.raises(RouteError, match="К стенду «G11» не подойти") as err:
        visit_route(graph, None, ["G11"])
    assert err.value.code == "no_access"
    with pytest.raises(RouteError, match="нет прохода"):
        graph.shortest_path(Point(5, 5), Point(15, 15.5))
    assert visit_route(graph, None, ["R0", "G00"]).order


def test_access_prefers_the_side_facing_the_entrance_part():
    # A wall of booths splits the hall; X's longer side faces the closed-off east part.
    plan = Plan(
        hall=box(0, 0, 30, 20),
        booths=[
            PlanBooth("N", box(10, 18, 13, 20)),
            PlanBooth("X", box(10, 2, 13, 18)),
            PlanBooth("S", box(10, 0, 13, 2)),
            PlanBooth("Y", box(7, 2, 10, 12)),
            PlanBooth("E", box(20, 8, 23, 11)),
        ],
        entrances=[door(0, 15, 0, 17, main=True)],
    )
    graph = WalkGraph.from_plan(plan)
    assert graph.access_point("X").x < 10
    assert visit_route(graph, None, ["X", "Y"]).length > 0
    with pytest.raises(RouteError, match="Стенд «E» недоступен"):
        visit_route(graph, None, ["X", "E"])


# The demo hall


def test_demo_route_through_ten_booths():
    started = time.perf_counter()
    plan = load_plan(DEMO)
    graph = WalkGraph.from_plan(plan)
    numbers = [b.number for b in plan.booths][3::17][:10]
    route = visit_route(graph, None, numbers)
    assert time.perf_counter() - started < 2.0
    assert sorted(route.order) == sorted(numbers)
    assert len(route.legs) == 10
    main = next(e for e in plan.entrances if e.properties.get("main"))
    assert route.start.distance(main.geometry) == pytest.approx(C, abs=1e-6)
    assert_clear(plan, route.legs)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_demo_routes_never_cross_a_booth_or_column(data):
    plan, graph = demo()
    numbers = [b.number for b in plan.booths]
    chosen = data.draw(st.lists(st.sampled_from(numbers), min_size=2, max_size=6, unique=True))
    route = visit_route(graph, None, chosen)
    assert sorted(route.order) == sorted(chosen)
    assert_clear(plan, route.legs)
