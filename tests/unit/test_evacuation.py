"""Evacuation: walking distances to the nearest exits, the plan check's `exit-too-far` and
`single-exit-route`, the arrows of the fire-safety plan."""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest
import shapely
from shapely import BufferJoinStyle
from shapely.geometry import LineString, Point, box

from exhibit.floorplan.evacuation import DEFAULT_MAX_EXIT_DISTANCE, Evacuation
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature
from exhibit.floorplan.validate import validate_plan
from exhibit.floorplan.walk import CLEARANCE
from tests.real_show import REAL, real_show_booths


def door(x1, y1, x2, y2, name, kind="exit", **props):
    return PlanFeature(kind, LineString([(x1, y1), (x2, y2)]), name, props)


def small_plan(exits=None, obstacles=()) -> Plan:
    """A 16 × 10 m hall: an L of booths and a free-standing pair, exits east and west,
    the entrance in the south wall."""
    booths = [
        PlanBooth("A1", box(3, 7, 6, 10)),
        PlanBooth("A2", box(6, 7, 9, 10)),
        PlanBooth("A3", box(6, 4, 9, 7)),
        PlanBooth("B1", box(12, 3, 13, 6)),
    ]
    if exits is None:
        exits = [door(0, 4, 0, 6, "Запад"), door(16, 7, 16, 9, "Восток")]
    return Plan(
        hall=box(0, 0, 16, 10),
        booths=booths,
        obstacles=list(obstacles),
        entrances=[door(1, 0, 3, 0, "Вход", kind="entrance", main=True)],
        exits=exits,
    )


def grid_distances(plan: Plan, target: Point, h: float = 0.1) -> tuple[np.ndarray, tuple]:
    """Brute force: Dijkstra on a square grid of ``h`` metres over the free floor (built
    here from the plan, not taken from the walk graph), 16 neighbours (steps (1,0), (1,1),
    (2,1) and their turns), a step allowed when its segment lies in the free floor."""
    mitre = BufferJoinStyle.mitre
    grown = shapely.union_all(
        [shapely.buffer(b.polygon, CLEARANCE, join_style=mitre) for b in plan.booths]
        + [shapely.buffer(o.geometry, CLEARANCE, join_style=mitre) for o in plan.obstacles]
    )
    free = shapely.difference(shapely.buffer(plan.hall, -CLEARANCE, join_style=mitre), grown)
    free = shapely.buffer(free, 1e-6, join_style=mitre)
    minx, miny, maxx, maxy = plan.hall.bounds
    nx_, ny_ = round((maxx - minx) / h) + 1, round((maxy - miny) / h) + 1
    xs, ys = np.meshgrid(minx + h * np.arange(nx_), miny + h * np.arange(ny_), indexing="ij")
    inside = shapely.covers(free, shapely.points(xs, ys))
    steps = [(1, 0), (1, 1), (2, 1), (1, 2)]
    steps = {(sx * a, sy * b) for a, b in steps for sx in (1, -1) for sy in (1, -1)}
    steps |= {(b, a) for a, b in steps}
    start = (round((target.x - minx) / h), round((target.y - miny) / h))
    assert inside[start], "the exit's point must be on the grid's free floor"
    dist = np.full((nx_, ny_), np.inf)
    dist[start] = 0.0
    heap = [(0.0, start)]
    ok_step: dict[tuple, bool] = {}
    while heap:
        d, (i, j) = heapq.heappop(heap)
        if d > dist[i, j]:
            continue
        for di, dj in steps:
            a, b = i + di, j + dj
            if not (0 <= a < nx_ and 0 <= b < ny_) or not inside[a, b]:
                continue
            nd = d + h * math.hypot(di, dj)
            if nd >= dist[a, b]:
                continue
            key = (min((i, j), (a, b)), max((i, j), (a, b)))
            if key not in ok_step:
                seg = LineString([(xs[i, j], ys[i, j]), (xs[a, b], ys[a, b])])
                ok_step[key] = abs(di) + abs(dj) == 1 or free.covers(seg)
            if ok_step[key]:
                dist[a, b] = nd
                heapq.heappush(heap, (nd, (a, b)))
    return dist, (xs, ys, inside)


def test_distances_equal_a_brute_force_shortest_path_on_a_grid():
    plan = small_plan()
    evac = Evacuation.from_plan(plan)
    rng = np.random.default_rng(7)
    h = 0.1
    for e in evac.usable:
        target = evac.exits[e].point
        # Put the exit's point on the nearest free grid node: the brute force starts there.
        near = [
            Point(round(target.x / h + i) * h, round(target.y / h + j) * h)
            for i in (-1, 0, 1)
            for j in (-1, 0, 1)
        ]
        snapped = min(
            (q for q in near if evac.graph.free.covers(q)), key=lambda q: q.distance(target)
        )
        evac.exits[e] = evac.exits[e].__class__(**{**evac.exits[e].__dict__, "point": snapped})
        evac._from_exit(e, evac.exits[e])
        grid, (xs, ys, inside) = grid_distances(plan, snapped, h)
        cells = np.argwhere(inside & np.isfinite(grid))
        sample = cells[rng.choice(len(cells), 60, replace=False)]
        xy = np.column_stack([xs[tuple(sample.T)], ys[tuple(sample.T)]])
        ours, _ = evac.distances(xy)
        brute = grid[tuple(sample.T)]
        # A 16-neighbour grid walk is at most ~2.7 % longer than the true shortest path,
        # never shorter (less a cell for points that hug a corner).
        assert np.all(ours[:, e] <= brute + 2 * h), (ours[:, e] - brute).max()
        assert np.all(ours[:, e] >= brute / 1.03 - 2 * h), (brute / ours[:, e]).max()


def test_a_walk_round_the_booths_is_longer_than_the_straight_line():
    plan = small_plan()
    evac = Evacuation.from_plan(plan)
    west = next(e for e, x in enumerate(evac.exits) if x.name == "Запад")
    # Behind the L of booths (north-west corner of A3's notch): round the booths, not through.
    p = np.array([[10.0, 7.5]])
    d, _ = evac.distances(p)
    straight = Point(p[0]).distance(evac.exits[west].point)
    assert d[0, west] > straight + 1.0
    route = evac.route(Point(p[0]), west)
    assert route.length == pytest.approx(d[0, west])
    for booth in plan.booths:
        assert route.intersection(booth.polygon).length < 1e-6


def test_exit_too_far_uses_the_halls_limit():
    plan = small_plan()
    assert validate_plan(plan).valid
    # A1 is 4,3 m from the west exit; A2, A3 and B1 a little over 6 m from theirs.
    report = validate_plan(plan, max_exit_distance=5.0)
    far = [e for e in report.errors if e.rule == "exit-too-far"]
    assert [e.booth for e in far] == ["A2", "A3", "B1"]
    assert "6,1 м" in far[0].message and "(Восток)" in far[0].message
    assert "(Вход)" in far[1].message  # the entrance is a way out too
    # The limit set on the plan itself is used when none is given.
    plan.properties["max_exit_distance"] = 5.0
    assert [e.booth for e in validate_plan(plan).errors if e.rule == "exit-too-far"] == [
        e.booth for e in far
    ]
    assert all("больше допустимых 5 м" in e.message for e in far)
    assert not validate_plan(plan, max_exit_distance=6.5).errors
    assert DEFAULT_MAX_EXIT_DISTANCE == 60.0


def test_exit_too_far_names_the_distance_and_the_exit():
    plan = small_plan()
    evac = Evacuation.from_plan(plan)
    report = validate_plan(plan, max_exit_distance=1.0)
    far = {e.booth: e for e in report.errors if e.rule == "exit-too-far"}
    assert set(far) == {"A1", "A2", "A3", "B1"}
    for number, issue in far.items():
        p = evac.graph.access_point(number)
        near = evac.nearest_two(np.array([[p.x, p.y]]))
        name = evac.exits[int(near["exit1"][0])].name
        assert f"({name})" in issue.message
        assert f"{near['d1'][0]:.1f}".replace(".", ",").rstrip("0").rstrip(",") in issue.message


def dead_end_plan() -> Plan:
    """A 20 × 12 m hall; a pocket 3 m wide and 7 m deep between two blocks of booths along
    the north wall, booth P1 at its far end. Exits east and west, entrance south."""
    booths = [
        PlanBooth("L1", box(5, 5, 8, 12)),
        PlanBooth("P1", box(8, 10, 11, 12)),
        PlanBooth("R1", box(11, 5, 14, 12)),
        PlanBooth("S1", box(15, 0, 18, 3)),
    ]
    return Plan(
        hall=box(0, 0, 20, 12),
        booths=booths,
        entrances=[door(1, 0, 3, 0, "Вход", kind="entrance", main=True)],
        exits=[door(0, 8, 0, 10, "Запад"), door(20, 8, 20, 10, "Восток")],
    )


def test_single_exit_route_in_a_dead_end_only():
    report = validate_plan(dead_end_plan())
    single = [w for w in report.warnings if w.rule == "single-exit-route"]
    assert [w.booth for w in single] == ["P1"]
    assert "через одно и то же место" in single[0].message
    assert report.valid  # a warning, not an error
    # Take the pocket's east side away: P1 opens onto the hall, no dead end.
    plan = dead_end_plan()
    plan.booths = [b for b in plan.booths if b.number != "R1"]
    assert "single-exit-route" not in {w.rule for w in validate_plan(plan).warnings}


def test_a_hall_with_one_way_out_says_so_once():
    plan = small_plan(exits=[])
    report = validate_plan(plan)
    assert [w.rule for w in report.warnings] == ["no-exit"]


def test_a_blocked_exit_does_not_count():
    # A room (obstacle) right in front of the east exit: the walk cannot end there.
    blocked = small_plan(obstacles=[PlanFeature("obstacle", box(14, 6, 16, 10), "Склад")])
    evac = Evacuation.from_plan(blocked)
    east = next(x for x in evac.exits if x.name == "Восток")
    assert east.point is None and east.index not in evac.usable
    report = validate_plan(blocked)
    assert "exit-blocked" in report.rules()


def test_arrows_run_inside_the_aisles_towards_the_nearest_exit():
    plan = small_plan()
    evac = Evacuation.from_plan(plan)
    arrows = evac.arrows(2.0)
    assert arrows
    free = shapely.buffer(evac.graph.free, 1e-6)
    for arrow in arrows:
        assert free.covers(arrow.line)
        start = np.array([arrow.line.coords[0]])
        d, _ = evac.distances(start)
        assert arrow.distance == pytest.approx(d[0, arrow.exit])
        # The arrow points where the distance falls.
        end = np.array([arrow.line.coords[-1]])
        assert evac.distances(end)[0][0, arrow.exit] < arrow.distance
        if not arrow.split:
            assert arrow.distance == pytest.approx(d[0].min())
    assert any(a.split for a in arrows)  # somewhere between the exits they split


def test_arrows_change_direction_when_an_exit_is_blocked():
    open_ = Evacuation.from_plan(small_plan())
    blocked_plan = small_plan(obstacles=[PlanFeature("obstacle", box(14.5, 6, 16, 10), "Склад")])
    blocked = Evacuation.from_plan(blocked_plan)
    east = next(e for e, x in enumerate(open_.exits) if x.name == "Восток")
    # Near the east exit everything ran east; now it runs west or to the entrance.
    before = [a for a in open_.arrows(2.0) if Point(a.line.coords[0]).x > 13]
    after = [a for a in blocked.arrows(2.0) if Point(a.line.coords[0]).x > 13]
    assert before and after
    assert all(a.exit == east for a in before if not a.split)
    assert all(blocked.exits[a.exit].name != "Восток" for a in after)
    dx_before = np.mean([a.line.coords[-1][0] - a.line.coords[0][0] for a in before])
    dx_after = np.mean([a.line.coords[-1][0] - a.line.coords[0][0] for a in after])
    assert dx_before > 0 > dx_after


def test_no_exit_no_route():
    plan = small_plan(exits=[])
    plan.entrances = []
    evac = Evacuation.from_plan(plan)
    assert evac.usable == [] and evac.arrows(2.0) == []
    d, _ = evac.distances(np.array([[8.0, 1.0]]))
    assert d.shape == (1, 0)


def real_show(exits: bool) -> Plan:
    booths = real_show_booths()
    b = shapely.union_all([b.polygon for b in booths]).bounds
    x0, y0, x1, y1 = b[0] - 5, b[1] - 5, b[2] + 5, b[3] + 5
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    doors = []
    if exits:  # one in the middle of each of the other three walls
        doors = [
            door(x0, my - 1, x0, my + 1, "Запад"),
            door(x1, my - 1, x1, my + 1, "Восток"),
            door(mx - 1, y1, mx + 1, y1, "Север"),
        ]
    return Plan(
        hall=box(x0, y0, x1, y1),
        booths=booths,
        entrances=[door(mx - 2, y0, mx + 2, y0, "Главный вход", kind="entrance", main=True)],
        exits=doors,
    )


@pytest.mark.skipif(not REAL.exists(), reason="the real show data is not on this machine")
def test_real_show_with_a_door_in_every_wall():
    """The real hall section (122 × 132 m with the 5 m margin), a door in the middle of
    of the other walls: seven booths are more than 60 m from the nearest door (the furthest,
    1943, 68,5 m from the east one), none is in a dead end."""
    report = validate_plan(real_show(exits=True))
    far = {e.booth: e.message for e in report.errors if e.rule == "exit-too-far"}
    assert sorted(far) == ["1837", "1937", "1939", "1943", "2036", "2037", "2038"], far
    assert "68,5 м" in far["1943"] and "(Восток)" in far["1943"]
    assert not [w for w in report.warnings if w.rule == "single-exit-route"]


@pytest.mark.skipif(not REAL.exists(), reason="the real show data is not on this machine")
def test_real_show_with_the_entrance_alone():
    """Only the entrance: 201 of the 244 booths are over 60 m away from it (up to 146,5 m),
    and the hall has one way out (`no-exit`, not a warning per booth)."""
    report = validate_plan(real_show(exits=False))
    far = [e for e in report.errors if e.rule == "exit-too-far"]
    assert len(far) == 201
    assert any("146,5 м" in e.message for e in far)
    assert [w.rule for w in report.warnings if w.rule != "aisle-too-narrow"] == ["no-exit"]


def test_a_windowed_graph_gives_the_distances_of_the_full_one(monkeypatch):
    """Halls of more than FULL_NODES corners join only corners in neighbouring cells: on a
    hall small enough for both, the distances agree to a few centimetres."""
    from exhibit.floorplan import evacuation, walk
    from exhibit.floorplan.samples import synthetic_hall

    plan = synthetic_hall(600, noise=1e-6, seed=3)
    full = Evacuation.from_plan(plan)
    xy = full.graph.access_points([b.number for b in plan.booths])
    exact, _, _ = full.nearest(xy)
    monkeypatch.setattr(walk, "FULL_NODES", 0)
    monkeypatch.setattr(evacuation, "FULL_NODES", 0)
    windowed = Evacuation.from_plan(plan)
    near, _, _ = windowed.nearest(xy)
    assert len(windowed.graph.edges[0]) < len(full.graph.edges[0])
    assert np.all(near >= exact - 1e-6)  # a walk through corners is never shorter
    assert np.max(near - exact) < 0.05, np.max(near - exact)


@pytest.mark.parametrize("make", ["dead_end", "small", "real"])
def test_the_dead_end_test_is_skipped_only_where_no_disc_can_cut_a_pocket(make):
    """`dead_ends` (which skips booths no pocket can hold, and discs that cannot cut the
    floor) finds exactly what the plain per-booth test finds."""
    if make == "real" and not REAL.exists():
        pytest.skip("the real show data is not on this machine")
    plan = {"dead_end": dead_end_plan, "small": small_plan, "real": lambda: real_show(True)}[make]()
    evac = Evacuation.from_plan(plan)
    numbers = [b.number for b in plan.booths]
    xy = evac.graph.access_points(numbers)
    xy = xy[np.isfinite(xy[:, 0])]
    dist, first = evac.distances(xy)
    plain = {k for k in range(len(xy)) if evac.single_route(Point(xy[k]), dist[k], first[k], 1.5)}
    assert set(evac.dead_ends(xy, 1.5)) == plain
    if make == "dead_end":
        assert plain  # the pocket is found by both


@pytest.mark.parametrize("scale", [100, 200, 500])
def test_an_exit_sign_never_covers_an_equipment_sign(scale):
    """An extinguisher hung where the exit's sign would stand: the exit sign moves further
    into the hall until the two 8 mm squares are at least 1 mm apart on paper."""
    from dataclasses import replace

    from shapely import affinity

    from exhibit.maps.pdf import SIGN_MM, _exit_sign, exit_signs
    from exhibit.maps.svg import Frame

    k = 1000 / scale  # mm of paper per metre
    # The small hall three times as big: at 1:500 a sign stands for 4 m of floor.
    small = small_plan()

    def big(g):
        return affinity.scale(g, 3, 3, origin=(0, 0))

    plan = replace(
        small,
        hall=big(small.hall),
        booths=[replace(b, polygon=big(b.polygon)) for b in small.booths],
        exits=[replace(e, geometry=big(e.geometry)) for e in small.exits],
        entrances=[replace(e, geometry=big(e.geometry)) for e in small.entrances],
    )
    frame = Frame.around(plan.hall, margin=1.0)
    free_spot = _exit_sign(plan.exits[1], frame, plan.hall, k)["at"]
    plan.equipment = [PlanFeature("equipment", Point(free_spot), "ОП-4", {"type": "extinguisher"})]
    signs = exit_signs(plan, frame, plan.hall, k)
    assert len(signs) == len(plan.exits)
    squares = [Point(s["at"]).buffer(SIGN_MM / 2 / k, cap_style="square") for s in signs]
    squares.append(Point(free_spot).buffer(SIGN_MM / 2 / k, cap_style="square"))
    for i, a in enumerate(squares):
        for b in squares[i + 1 :]:
            assert a.distance(b) * k >= 1.0 - 1e-6
    assert all(plan.hall.contains(Point(s["at"])) for s in signs)
