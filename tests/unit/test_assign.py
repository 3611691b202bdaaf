"""Automatic booth assignment (pure): optimum, hard rules, merging, errors, determinism.

Costs are recomputed here from the formulas in the module docstring, independently of the
solver's matrices, and brute force over every assignment gives the optimum to compare.
"""

from __future__ import annotations

import functools
import itertools
import math
import random

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from exhibit.booking.assign import (
    HARD_PENALTY,
    Application,
    AssignmentInputError,
    FreeBooth,
    TrackZone,
    Weights,
    assign,
)

W = Weights()
ENTRANCE = Point(0, -3)


def row_hall(
    widths: list[list[float]], depth: float = 3.0, aisle: float = 3.0, kinds=None
) -> list[FreeBooth]:
    """Rows of booths side by side (x), rows ``depth + aisle`` apart (y); numbers R-k."""
    booths = []
    for r, row in enumerate(widths):
        x = 0.0
        y = r * (depth + aisle)
        for k, w in enumerate(row):
            poly = box(x, y, x + w, y + depth)
            kind = "corner" if k in (0, len(row) - 1) else "linear"
            if kinds is not None:
                kind = kinds[r][k]
            booths.append(
                FreeBooth(
                    number=f"{chr(65 + r)}-{k + 1}",
                    polygon=poly,
                    area_m2=w * depth,
                    kind=kind,
                    distance_to_entrance=poly.centroid.distance(ENTRANCE),
                )
            )
            x += w
    return booths


def halves(booths: list[FreeBooth], tracks=("t1", "t2")) -> list[TrackZone]:
    """Two zones: the left and the right half of the hall."""
    x0, y0, x1, y1 = shapely.total_bounds([b.polygon for b in booths])
    mid = (x0 + x1) / 2
    return [
        TrackZone(tracks[0], box(x0 - 1, y0 - 1, mid, y1 + 1)),
        TrackZone(tracks[1], box(mid, y0 - 1, x1 + 1, y1 + 1)),
    ]


# ----------------------------------------------------------------- independent cost model


def linear_cost(app: Application, booth: FreeBooth, zones: list[TrackZone]) -> float:
    """One applicant in one single booth, by the documented formulas; inf if not allowed."""
    if booth.area_m2 < app.requested_area * 0.9 - 0.01:
        return math.inf
    zone = shapely.union_all([z.polygon for z in zones if z.track == app.track])
    cost = 0.0
    if not zone.intersects(booth.polygon.centroid):
        cost += W.zone + W.zone_per_10m * booth.polygon.distance(zone) / 10
    cost += W.area * abs(booth.area_m2 - app.requested_area) / app.requested_area
    if app.wish_kind and booth.kind != app.wish_kind:
        cost += W.kind
    if app.step_free:
        cost += W.access_per_10m * booth.distance_to_entrance / 10
    if app.current_booths:
        cur = set(app.current_booths)
        inter = len(cur & {booth.number})
        cost += W.move * (1 - inter / len(cur | {booth.number}))
    return cost


@functools.cache
def permutations(m: int, n: int) -> np.ndarray:
    """Every injective map of n applicants to m booths, one per row."""
    flat = itertools.chain.from_iterable(itertools.permutations(range(m), n))
    return np.fromiter(flat, dtype=np.int16).reshape(-1, n)


def brute_force(apps, booths, zones, pairwise: bool = False) -> float:
    """Least total cost over all assignments placing everyone (hard rule as a filter)."""
    n, m = len(apps), len(booths)
    cost = np.array([[linear_cost(a, b, zones) for b in booths] for a in apps])
    perms = permutations(m, n)
    total = cost[np.arange(n), perms].sum(axis=1)
    if pairwise:
        names = {a.exhibitor: i for i, a in enumerate(apps)}
        xy = np.array([b.polygon.centroid.coords[0] for b in booths])
        dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        near = shapely.distance(
            np.array([b.polygon for b in booths])[:, None],
            np.array([b.polygon for b in booths])[None, :],
        )
        near = near <= 2.0
        pairs = {tuple(sorted((i, names[p]))) for i, a in enumerate(apps) for p in a.partners}
        rivals = {tuple(sorted((i, names[p]))) for i, a in enumerate(apps) for p in a.competitors}
        for i, j in sorted(pairs):
            total = total + W.partner_per_10m * dist[perms[:, i], perms[:, j]] / 10
        for i, j in sorted(rivals):
            total = total + np.where(near[perms[:, i], perms[:, j]], math.inf, 0.0)
    return float(total.min())


def random_case(seed: int, n: int, widths: list[list[float]], current: bool = False):
    rng = random.Random(seed)
    booths = row_hall(widths)
    zones = halves(booths)
    large = sum(b.area_m2 >= 16.2 for b in booths)  # booths for requests above 9 m²
    apps = []
    for i in range(n):
        area = rng.choice([9.0, 9.0, 12.0, 18.0])
        if area > 9 and large == 0:
            area = 9.0
        large -= area > 9
        apps.append(
            Application(
                exhibitor=f"E{i}",
                requested_area=area,
                track=rng.choice(["t1", "t2"]),
                wish_kind=rng.choice([None, None, "corner", "linear"]),
                step_free=rng.random() < 0.3,
                current_booths=[rng.choice(booths).number]
                if current and rng.random() < 0.4
                else [],
            )
        )
    return apps, booths, zones


def placeable(apps, booths) -> bool:
    """Every applicant fits (Hall's condition on nested area thresholds)."""
    need = sorted((a.requested_area * 0.9 - 0.01 for a in apps), reverse=True)
    areas = sorted((b.area_m2 for b in booths), reverse=True)
    return len(need) <= len(areas) and all(a >= t for a, t in zip(areas, need, strict=False))


# ----------------------------------------------------------------- optimum vs brute force

WIDTHS_10 = [[3, 3, 6, 3, 3], [3, 6, 3, 3, 3]]


@pytest.mark.parametrize("seed", range(6))
def test_linear_objective_equals_brute_force_optimum(seed):
    n = 8 if seed < 3 else 6
    apps, booths, zones = random_case(seed, n, WIDTHS_10, current=seed % 2 == 1)
    if not placeable(apps, booths):
        pytest.skip("generated demand does not fit")
    result = assign(apps, booths, zones)
    assert not result.unplaced
    optimum = brute_force(apps, booths, zones)
    assert result.quality.objective == pytest.approx(optimum, abs=1e-9)
    assert result.quality.lower_bound <= optimum + 1e-9
    assert sum(a.total for a in result.assignments) == pytest.approx(optimum, abs=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_pairwise_objective_within_reported_gap(seed):
    rng = random.Random(100 + seed)
    apps, booths, zones = random_case(100 + seed, 6, [[3, 3, 3, 3], [3, 3, 6, 3]])
    names = [a.exhibitor for a in apps]
    with_pairs = []
    for i, app in enumerate(apps):
        others = [x for x in names if x != app.exhibitor]
        partner = [rng.choice(others)] if i % 2 == 0 else []
        rival = [x for x in [rng.choice(others)] if x not in partner and i % 3 == 0]
        with_pairs.append(
            Application(**{**app.__dict__, "partners": partner, "competitors": rival})
        )
    apps = with_pairs
    # a partner named by one side and a competitor by the other: drop such pairs here
    for i, app in enumerate(apps):
        bad = [p for p in app.partners if app.exhibitor in apps[names.index(p)].competitors]
        if bad:
            apps[i] = Application(**{**app.__dict__, "partners": []})
    if not placeable(apps, booths):
        pytest.skip("generated demand does not fit")
    optimum = brute_force(apps, booths, zones, pairwise=True)
    result = assign(apps, booths, zones)
    q = result.quality
    assert not result.unplaced
    assert q.lower_bound <= optimum + 1e-9 <= q.objective + 2e-9
    assert q.objective - optimum <= q.optimality_gap * max(abs(q.lower_bound), 1.0) + 1e-9
    if math.isfinite(optimum):
        assert q.competitor_adjacencies == 0


# ----------------------------------------------------------------- the hard rule


@st.composite
def tiny_cases(draw):
    cols = draw(st.integers(2, 4))
    rows = draw(st.integers(1, 2))
    widths = [[draw(st.sampled_from([3.0, 6.0])) for _ in range(cols)] for _ in range(rows)]
    aisle = draw(st.sampled_from([0.0, 1.0, 3.0]))
    booths = row_hall(widths, aisle=aisle)
    n = draw(st.integers(2, min(5, len(booths))))
    apps = []
    for i in range(n):
        apps.append(
            Application(
                exhibitor=f"E{i}",
                requested_area=draw(st.sampled_from([9.0, 18.0])),
                track=draw(st.sampled_from(["t1", "t2"])),
            )
        )
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n))
    rivals: dict[int, set[int]] = {}
    for i, j in pairs:
        if i != j:
            rivals.setdefault(i, set()).add(j)
    apps = [
        Application(**{**a.__dict__, "competitors": [f"E{j}" for j in sorted(rivals.get(i, ()))]})
        for i, a in enumerate(apps)
    ]
    return apps, booths, halves(booths)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_cases())
def test_competitors_never_adjacent_when_avoidable(case):
    apps, booths, zones = case
    result = assign(apps, booths, zones)
    used = [b for a in result.assignments for b in a.booths]
    assert len(used) == len(set(used))
    placed = {a.exhibitor for a in result.assignments}
    # Is there any assignment of the placed applicants (to booths they fit) with no
    # competitor pair closer than 2 m?
    by_name = {b.number: b for b in booths}
    sub = [a for a in apps if a.exhibitor in placed]
    allowed = [
        [k for k, b in enumerate(booths) if b.area_m2 >= a.requested_area * 0.9 - 0.01] for a in sub
    ]
    index = {a.exhibitor: i for i, a in enumerate(sub)}
    rival_pairs = [(index[a.exhibitor], index[r]) for a in sub for r in a.competitors if r in index]
    polys = [b.polygon for b in booths]
    feasible = False
    for combo in itertools.product(*allowed):
        if len(set(combo)) < len(combo):
            continue
        if all(polys[combo[i]].distance(polys[combo[j]]) > 2.0 for i, j in rival_pairs):
            feasible = True
            break
    if feasible and all(len(a.booths) == 1 for a in result.assignments):
        assert result.quality.competitor_adjacencies == 0
        where = {a.exhibitor: by_name[a.booths[0]].polygon for a in result.assignments}
        for a in sub:
            for r in a.competitors:
                if r in where:
                    assert where[a.exhibitor].distance(where[r]) > 2.0


def test_competitors_kept_apart_in_a_row():
    booths = row_hall([[3] * 6])
    zones = [TrackZone("t1", box(-1, -1, 19, 4))]
    apps = [
        Application("A", 9, "t1", competitors=["B"]),
        Application("B", 9, "t1", competitors=["C"]),
        Application("C", 9, "t1"),
    ]
    result = assign(apps, booths, zones)
    assert result.quality.competitor_adjacencies == 0
    pos = {a.exhibitor: int(a.booths[0].split("-")[1]) for a in result.assignments}
    assert abs(pos["A"] - pos["B"]) > 1 and abs(pos["B"] - pos["C"]) > 1
    assert "не соседствует с конкурентами" in result.assignments[0].reasons


def test_competitor_rule_gives_way_only_when_capacity_forces_it():
    booths = row_hall([[3, 3]])
    zones = [TrackZone("t1", box(-1, -1, 7, 4))]
    apps = [Application("A", 9, "t1", competitors=["B"]), Application("B", 9, "t1")]
    result = assign(apps, booths, zones)
    assert not result.unplaced  # placing both beats keeping them apart
    assert result.quality.competitor_adjacencies == 1
    assert result.quality.objective >= HARD_PENALTY
    assert any("рядом с конкурентом" in r for r in result.assignments[1].reasons)


# ----------------------------------------------------------------- single terms


def test_zone_preference():
    booths = row_hall([[3, 3, 3, 3]])
    zones = halves(booths)
    apps = [Application("L", 9, "t1"), Application("R", 9, "t2")]
    result = assign(apps, booths, zones)
    got = {a.exhibitor: a.booths[0] for a in result.assignments}
    assert got["L"] in ("A-1", "A-2") and got["R"] in ("A-3", "A-4")
    assert result.quality.in_zone_share == result.quality.in_zone_possible == 1.0
    assert "в зоне направления «t1»" in result.assignments[0].reasons
    assert result.assignments[0].cost["zone"] == 0


def test_outside_zone_costs_more_the_further_it_is():
    booths = row_hall([[3, 3, 3, 3, 3]])
    zones = [TrackZone("t1", box(-1, -1, 3.5, 4)), TrackZone("t2", box(3.5, -1, 16, 4))]
    apps = [Application("A", 9, "t1"), Application("B", 9, "t1")]
    result = assign(apps, booths, zones)
    got = sorted(a.booths[0] for a in result.assignments)
    assert got == ["A-1", "A-2"]  # the nearest booth outside the zone, not a far one
    outside = next(a for a in result.assignments if a.booths == ["A-2"])
    assert outside.cost["zone"] == pytest.approx(W.zone + W.zone_per_10m * 0.0)
    assert result.quality.in_zone_share == 0.5
    assert result.quality.in_zone_possible == 0.5  # the zone of t1 holds one booth


def test_area_tolerance():
    booths = [
        FreeBooth("S", box(0, 0, 4, 4), 16.0, "linear", "t1"),
        FreeBooth("L", box(10, 0, 15.25, 4), 21.0, "linear", "t1"),
    ]
    zones = [TrackZone("t1", box(-1, -1, 17, 5))]
    apps = [Application("A", 18, "t1")]
    strict = assign(apps, booths, zones, area_tolerance=0.1)  # 16 < 18 · 0.9 = 16.2
    assert strict.assignments[0].booths == ["L"]
    loose = assign(apps, booths, zones, area_tolerance=0.15)  # 16 ≥ 15.3, and closer
    assert loose.assignments[0].booths == ["S"]
    assert "площадь 16 м² при запросе 18 м²" in loose.assignments[0].reasons
    two = assign([*apps, Application("B", 18, "t1")], booths, zones)
    assert [u.exhibitor for u in two.unplaced] == ["B"]
    assert two.unplaced[0].reason == (
        "свободные стенды площадью от 16,2 м² заняты участниками с более ранней заявкой"
    )


def test_kind_wish():
    booths = row_hall([[3, 3, 3]])
    zones = [TrackZone("t1", box(-1, -1, 10, 4))]
    apps = [Application("A", 9, "t1", wish_kind="linear"), Application("B", 9, "t1")]
    result = assign(apps, booths, zones)
    a = result.assignments[0]
    assert a.booths == ["A-2"]
    assert "линейный, как просили" in a.reasons
    apps = [Application("A", 9, "t1", wish_kind="island")]
    missed = assign(apps, booths, zones).assignments[0]
    assert missed.cost["kind"] == W.kind
    assert any(r.startswith("просили островной") for r in missed.reasons)


def test_step_free_near_the_entrance():
    booths = row_hall([[3, 3, 3], [3, 3, 3], [3, 3, 3]])
    zones = [TrackZone("t1", box(-1, -1, 10, 20))]
    apps = [Application(f"X{i}", 9, "t1") for i in range(6)]
    apps.append(Application("Wheel", 9, "t1", step_free=True))
    result = assign(apps, booths, zones)
    mine = next(a for a in result.assignments if a.exhibitor == "Wheel")
    nearest = min(booths, key=lambda b: b.distance_to_entrance)
    assert mine.booths == [nearest.number]
    assert any("нужен доступ без ступеней" in r for r in mine.reasons)


def test_partners_placed_together():
    booths = row_hall([[3] * 8, [3] * 8])
    zones = [TrackZone("t1", box(-1, -1, 25, 10))]
    apps = [Application(f"X{i}", 9, "t1") for i in range(4)]
    apps += [
        Application("P", 9, "t1", partners=["Q", "R"], step_free=True),
        Application("Q", 9, "t1"),
        Application("R", 9, "t1"),
    ]
    result = assign(apps, booths, zones)
    assert result.quality.mean_partner_distance == pytest.approx(3.0)
    p = next(a for a in result.assignments if a.exhibitor == "P")
    assert "рядом с партнёром Q (3 м)" in p.reasons


def test_placed_exhibitors_attract_partners_and_repel_competitors():
    booths = row_hall([[3] * 8])
    zones = [TrackZone("t1", box(-1, -1, 25, 4))]
    placed = {"Old": box(24, 0, 27, 3)}  # right of A-8
    near = assign([Application("P", 9, "t1", partners=["Old"])], booths, zones, placed=placed)
    assert near.assignments[0].booths == ["A-8"]
    far = assign(
        [Application("C", 9, "t1", competitors=["Old"], wish_kind="corner")],
        booths,
        zones,
        placed=placed,
    )
    assert far.assignments[0].booths == ["A-1"]  # A-8 is a corner too, but next to Old


# ----------------------------------------------------------------- merging


def test_big_request_gets_adjacent_booths_merged():
    booths = row_hall([[3, 3, 3, 3], [3, 3, 3, 3]])
    zones = [TrackZone("t1", box(-1, -1, 13, 10))]
    apps = [Application("Big", 18, "t1"), Application("Small", 9, "t1")]
    result = assign(apps, booths, zones)
    big = result.assignments[0]
    assert len(big.booths) == 2
    polys = {b.number: b.polygon for b in booths}
    union = shapely.union_all([polys[n] for n in big.booths], grid_size=0.001)
    assert union.geom_type == "Polygon" and not union.interiors
    assert union.area == pytest.approx(18)
    assert big.cost["area"] == 0
    assert any(r.startswith("объединены соседние стенды") for r in big.reasons)
    assert not set(big.booths) & set(result.assignments[1].booths)


def test_merge_needs_a_shared_wall_and_tolerates_drawing_noise():
    # Two rows 3 m apart never merge; noisy walls (1e-6) still do.
    noisy = [
        FreeBooth("N1", box(0, 0, 3, 3), 9, "linear", "t1"),
        FreeBooth("N2", box(3.000001, 0, 6, 3.0000004), 9, "linear", "t1"),
        FreeBooth("F1", box(0, 10, 3, 13), 9, "linear", "t1"),
        FreeBooth("F2", box(0, 16, 3, 19), 9, "linear", "t1"),
    ]
    zones = [TrackZone("t1", box(-1, -1, 10, 20))]
    result = assign([Application("Big", 18, "t1")], noisy, zones)
    assert result.assignments[0].booths == ["N1", "N2"]
    apart = assign([Application("Big", 18, "t1")], noisy[2:], zones)
    assert not apart.assignments
    assert apart.unplaced[0].reason.startswith("нет свободного стенда площадью от 16,2 м²")


def test_groups_whose_union_has_a_hole_are_not_offered():
    # A U-shaped booth and a bar closing it enclose a courtyard: not one simple polygon.
    u = Polygon([(0, 0), (6, 0), (6, 6), (4, 6), (4, 2), (2, 2), (2, 6), (0, 6)])
    bar = box(0, 6, 6, 8)
    booths = [
        FreeBooth("U", u, u.area, "island", "t1"),
        FreeBooth("Bar", bar, bar.area, "linear", "t1"),
    ]
    zones = [TrackZone("t1", box(-1, -1, 10, 10))]
    result = assign([Application("Big", 35, "t1")], booths, zones)  # U alone: 28 m²
    assert not result.assignments
    assert result.unplaced[0].exhibitor == "Big"


# ----------------------------------------------------------------- infeasible demand


def test_more_demand_than_booths_leaves_later_applications_out():
    booths = row_hall([[3, 3, 3]])
    zones = [TrackZone("t1", box(-1, -1, 10, 4))]
    apps = [Application(f"E{i}", 9, "t1") for i in range(5)]
    apps.insert(1, Application("Huge", 60, "t1"))
    result = assign(apps, booths, zones)
    assert [a.exhibitor for a in result.assignments] == ["E0", "E1", "E2"]
    assert [u.exhibitor for u in result.unplaced] == ["Huge", "E3", "E4"]
    assert result.unplaced[0].reason == (
        "нет свободного стенда площадью от 54 м², и соседние свободные стенды "
        "не складываются в такую площадь"
    )
    assert "заняты участниками с более ранней заявкой" in result.unplaced[1].reason
    assert result.unplaced[1].reason.params == {"area": pytest.approx(8.1)}  # for the page
    assert result.quality.placed_share == pytest.approx(3 / 6)


def test_no_free_booths_at_all():
    zones = [TrackZone("t1", box(0, 0, 10, 10))]
    result = assign([Application("A", 9, "t1")], [], zones)
    assert [u.exhibitor for u in result.unplaced] == ["A"]
    assert result.quality.placed_share == 0


# ----------------------------------------------------------------- bad input


def ok(name="A", **kw):
    return Application(**{"exhibitor": name, "requested_area": 9.0, "track": "t1", **kw})


@pytest.mark.parametrize(
    ("apps", "who", "words"),
    [
        ([ok(requested_area=None)], "A", "не указана запрошенная площадь"),
        ([ok(requested_area=0)], "A", "больше нуля"),
        ([ok(requested_area=-5)], "A", "указано −5 м²"),
        ([ok(track="space")], "A", "неизвестное направление «space»"),
        ([ok(partners=["B"], competitors=["B"]), ok("B")], "A", "и партнёром, и конкурентом"),
        ([ok(partners=["Ghost"])], "A", "партнёр «Ghost» не найден"),
        ([ok(competitors=["Ghost"])], "A", "конкурент «Ghost» не найден"),
        ([ok(partners=["A"])], "A", "сам себе"),
        ([ok(), ok()], "A", "дважды"),
        ([ok(wish_kind="round")], "A", "неизвестный тип стенда «round»"),
    ],
)
def test_bad_input_names_the_exhibitor(apps, who, words):
    booths = row_hall([[3, 3]])
    zones = [TrackZone("t1", box(-1, -1, 7, 4))]
    with pytest.raises(AssignmentInputError) as err:
        assign(apps, booths, zones, known_tracks={"t1", "t2"})
    assert err.value.exhibitor == who
    assert f"«{who}»" in str(err.value) and words in str(err.value)


def test_hall_without_zones_is_an_error():
    booths = row_hall([[3, 3]])
    with pytest.raises(AssignmentInputError) as err:
        assign([ok()], booths, [])
    assert err.value.exhibitor is None
    assert "не размечены зоны направлений" in str(err.value)


def test_all_problems_are_listed():
    booths = row_hall([[3, 3]])
    zones = [TrackZone("t1", box(-1, -1, 7, 4))]
    with pytest.raises(AssignmentInputError) as err:
        assign([ok(requested_area=0), ok("B", track="x")], booths, zones, known_tracks={"t1"})
    assert [p[0] for p in err.value.problems] == ["A", "B"]


def test_track_without_zone_is_a_warning():
    booths = row_hall([[3, 3]])
    zones = [TrackZone("t1", box(-1, -1, 7, 4))]
    result = assign([ok(track="t9")], booths, zones)
    assert result.assignments and result.warnings
    assert "«t9»" in result.warnings[0]


# ----------------------------------------------------------------- determinism, stability


def bigger_case(seed: int = 7, n: int = 30):
    rng = random.Random(seed)
    booths = row_hall([[rng.choice([3, 3, 6]) for _ in range(10)] for _ in range(4)])
    zones = halves(booths)
    names = [f"Город {i}" for i in range(n)]
    apps = []
    for i, name in enumerate(names):
        apps.append(
            Application(
                exhibitor=name,
                requested_area=rng.choice([9.0, 9.0, 18.0, 27.0]),
                track=rng.choice(["t1", "t2"]),
                wish_kind=rng.choice([None, "corner"]),
                partners=[names[i - 1]] if i % 5 == 1 else [],
                competitors=[names[i - 2]] if i % 7 == 3 else [],
                step_free=i % 9 == 0,
            )
        )
    return apps, booths, zones


def test_determinism():
    apps, booths, zones = bigger_case()
    first = assign(apps, booths, zones).to_dict()
    again = assign(apps, booths, zones).to_dict()
    shuffled = list(booths)
    random.Random(1).shuffle(shuffled)
    other_order = assign(apps, shuffled, zones).to_dict()
    assert first == again == other_order


def test_stability_after_a_booth_is_withdrawn():
    apps, booths, zones = bigger_case(n=24)
    before = assign(apps, booths, zones)
    held = {a.exhibitor: a.booths for a in before.assignments}
    gone = before.assignments[3].booths[0]
    rerun_apps = [
        Application(**{**a.__dict__, "current_booths": held.get(a.exhibitor, [])}) for a in apps
    ]
    after = assign(rerun_apps, [b for b in booths if b.number != gone], zones)
    now = {a.exhibitor: a.booths for a in after.assignments}
    moved = [x for x in held if now.get(x) != held[x]]
    assert before.assignments[3].exhibitor in moved
    assert len(moved) <= 2
    kept = next(a for a in after.assignments if a.exhibitor not in moved)
    assert "остаётся на прежнем стенде" in kept.reasons
    assert kept.cost["stability"] == 0


def test_to_dict_shape_and_quality():
    apps, booths, zones = bigger_case()
    result = assign(apps, booths, zones)
    data = result.to_dict()
    assert set(data) == {"assignments", "unplaced", "quality"}
    assert all(set(a) == {"exhibitor", "booths", "cost"} for a in data["assignments"])
    assert all(set(u) == {"exhibitor", "reason"} for u in data["unplaced"])
    for key in (
        "placed_share",
        "in_zone_share",
        "in_zone_possible",
        "mean_area_diff",
        "worst_area_diff",
        "competitor_adjacencies",
        "mean_partner_distance",
        "optimality_gap",
        "lower_bound",
        "objective",
    ):
        assert key in data["quality"]
    q = result.quality
    assert q.lower_bound <= q.objective + 1e-9
    assert q.competitor_adjacencies == 0
    total = sum(a.total for a in result.assignments)
    assert total == pytest.approx(q.objective)
    for a in result.assignments:
        assert set(a.cost) == {
            "zone",
            "area",
            "kind",
            "partners",
            "competitors",
            "access",
            "stability",
        }


def test_greedy_baseline_uses_the_same_figures():
    apps, booths, zones = bigger_case()
    optimal = assign(apps, booths, zones)
    greedy = assign(apps, booths, zones, method="greedy")
    assert len(greedy.assignments) <= len(optimal.assignments)
    if len(greedy.assignments) == len(optimal.assignments):  # the same problem, bound too
        assert greedy.quality.lower_bound == pytest.approx(optimal.quality.lower_bound)
        assert optimal.quality.objective <= greedy.quality.objective + 1e-9


def test_custom_adjacency_for_the_competitor_rule():
    booths = row_hall([[3, 3, 3, 3]])
    zones = [TrackZone("t1", box(-1, -1, 13, 4))]
    apps = [
        Application("A", 9, "t1", wish_kind="corner"),
        Application("B", 9, "t1", competitors=["A"], wish_kind="corner"),
    ]
    # The two end booths declared neighbours (e.g. facing across a narrow aisle).
    adjacency = {"A-1": ["A-4"], "A-4": ["A-1"]}
    result = assign(apps, booths, zones, adjacency=adjacency)
    assert result.assignments[0].booths == ["A-1"]
    assert result.assignments[1].booths != ["A-4"]


def test_reasons_are_russian_text_with_a_message_id_and_parameters():
    import copy
    import pickle

    from exhibit.booking.assign.reasons import KIND_NAMES, partner_reason, phrase

    wished = phrase("просили %(wished)s, достался %(kind)s", wished=KIND_NAMES["island"],
                    kind=KIND_NAMES["linear"])  # fmt: skip
    assert wished == "просили островной, достался линейный"
    english = {"просили %(wished)s, достался %(kind)s": "wished for %(wished)s, got %(kind)s",
               "островной": "island", "линейный": "inline"}  # fmt: skip
    assert wished.render(lambda m: english.get(m, m), str) == "wished for island, got inline"
    near = partner_reason("Q", 16.4)
    assert near == "партнёр Q в 16 м: ближе свободных подходящих стендов не нашлось"
    assert near.render(lambda m: m, lambda x: f"{x:.1f}").startswith("партнёр Q в 16.0 м")
    for copied in (copy.copy(near), pickle.loads(pickle.dumps(near))):
        assert copied == near and copied.msgid == near.msgid and copied.params == near.params


def test_a_named_track_is_its_code_to_the_solver_and_its_name_to_the_reader():
    import pickle

    from exhibit.booking.assign.reasons import Named, phrase

    living = Named("living", ru="Городская среда", en="Urban environment")
    assert living == "living" and {living: 1}["living"] == 1  # looked up as the code
    outside = phrase("вне зоны направления «%(track)s»", track=living)
    assert outside == "вне зоны направления «Городская среда»"
    english = {"вне зоны направления «%(track)s»": "outside the zone of the track “%(track)s”"}
    said = outside.render(lambda m: english.get(m, m), str, "en")
    assert said == "outside the zone of the track “Urban environment”"
    copied = pickle.loads(pickle.dumps(living))
    assert copied == living and copied.name("en") == "Urban environment"
    assert Named("x").name("en") == "x"  # no names: the code


def test_progress_is_told_the_best_cost_the_bound_and_the_time_used():
    from bench.planted import planted_instance

    p = planted_instance(80, 100, 1)
    told: list[tuple[float, float, float]] = []
    result = assign(p.applications, p.booths, p.zones, time_limit=20,
                    progress=lambda *args: told.append(args))  # fmt: skip
    assert told, "told at least after the construction"
    costs = [objective for objective, _, _ in told]
    assert costs == sorted(costs, reverse=True)  # the best so far only falls
    assert costs[-1] == pytest.approx(result.quality.objective)
    assert all(bound <= objective + 1e-9 and 0 <= done <= 1 for objective, bound, done in told)
