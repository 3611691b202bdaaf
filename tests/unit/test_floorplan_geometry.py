"""Booth facts: area, open sides and kind, snapping, the hit test."""

from __future__ import annotations

import pytest
import shapely
from shapely import affinity
from shapely.geometry import Polygon, box

from exhibit.floorplan.geometry import (
    BoothIndex,
    booth_facts,
    kind_from_open_sides,
    snap,
)
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature
from tests.real_show import REAL, real_show_booths, real_show_rows


def facts_of(*booths: tuple[str, Polygon], hall=None, obstacles=()) -> dict:
    plan = Plan(
        hall=hall or box(0, 0, 40, 30),
        booths=[PlanBooth(n, p) for n, p in booths],
        obstacles=[PlanFeature("obstacle", o) for o in obstacles],
    )
    return {f.number: f for f in booth_facts(plan)}


@pytest.mark.parametrize(
    ("n", "kind"),
    [(0, "linear"), (1, "linear"), (2, "corner"), (3, "peninsula"), (4, "island")],
)
def test_kind_from_open_sides(n, kind):
    assert kind_from_open_sides(n) == kind


def test_kind_from_open_sides_rejects_nonsense():
    with pytest.raises(ValueError):
        kind_from_open_sides(5)


def test_island_peninsula_corner_linear():
    facts = facts_of(
        ("island", box(10, 10, 13, 13)),
        # A row of three against the south wall: two corners and a linear one.
        ("w1", box(20, 0, 23, 3)),
        ("w2", box(23, 0, 26, 3)),
        ("w3", box(26, 0, 29, 3)),
        # A pair standing free: two peninsulas.
        ("p1", box(20, 15, 23, 18)),
        ("p2", box(23, 15, 26, 18)),
    )
    assert facts["island"].kind == "island" and facts["island"].open_sides == 4
    assert facts["w1"].kind == "corner" and facts["w1"].sides == ("N", "W")
    assert facts["w2"].kind == "linear" and facts["w2"].sides == ("N",)
    assert facts["p1"].kind == "peninsula" and facts["p2"].sides == ("N", "E", "S")
    assert facts["island"].area_m2 == 9.0


def test_booth_in_a_hall_corner_has_two_walls():
    facts = facts_of(("c", box(0, 0, 3, 3)))
    assert facts["c"].sides == ("N", "E") and facts["c"].kind == "corner"


def test_enclosed_booth_has_no_open_side_and_is_sold_as_linear():
    around = [
        box(x, y, x + 3, y + 3) for x in (9, 12, 15) for y in (9, 12, 15) if (x, y) != (12, 12)
    ]
    facts = facts_of(("mid", box(12, 12, 15, 15)), *((f"r{i}", g) for i, g in enumerate(around)))
    assert facts["mid"].open_sides == 0 and facts["mid"].kind == "linear"


def test_a_side_half_covered_is_not_open():
    # A 3 × 6 booth beside a 3 × 3 one: its east side is half covered (not > 50 % free).
    facts = facts_of(("deep", box(10, 10, 13, 16)), ("small", box(13, 10, 16, 13)))
    assert "E" not in facts["deep"].sides
    assert facts["deep"].open_sides == 3


def test_obstacle_closes_a_side():
    facts = facts_of(("b", box(10, 10, 13, 13)), obstacles=[box(13, 9, 14, 14)])
    assert facts["b"].sides == ("N", "S", "W")


def test_narrow_service_gap_counts_as_closed():
    # 0.2 m behind the booth to the wall: nobody walks there.
    facts = facts_of(("b", box(10, 0.2, 13, 3.2)))
    assert "S" not in facts["b"].sides


L_SHAPE = Polygon([(10, 10), (16, 10), (16, 13), (13, 13), (13, 16), (10, 16)])


def test_l_shaped_booth_free_standing_is_an_island():
    facts = facts_of(("L", L_SHAPE))
    assert facts["L"].area_m2 == 27.0
    assert facts["L"].open_sides == 4 and facts["L"].kind == "island"


def test_l_shaped_booth_in_a_corner_with_its_notch_filled():
    # The L in the hall's corner, its notch holding another booth: open N (upper arm) and
    # E (lower arm) — a corner booth, although it has six edges.
    L = Polygon([(0, 0), (6, 0), (6, 3), (3, 3), (3, 6), (0, 6)])
    facts = facts_of(("L", L), ("notch", box(3, 3, 6, 6)))
    assert facts["L"].open_sides == 2 and facts["L"].sides == ("N", "E")
    assert facts["L"].kind == "corner"


def test_l_shaped_booth_with_extra_collinear_vertices():
    noisy = Polygon(
        [(10, 10), (13, 10), (16, 10), (16, 13), (13, 13), (13, 16), (10, 16), (10, 13)]
    )
    assert facts_of(("L", noisy))["L"].open_sides == 4


def test_rotated_booths_are_judged_in_their_own_frame():
    pair = [box(10, 10, 13, 13), box(13, 10, 16, 13)]
    rotated = [affinity.rotate(p, 30, origin=(13, 11.5)) for p in pair]
    facts = facts_of(("r1", rotated[0]), ("r2", rotated[1]))
    assert facts["r1"].open_sides == 3 and facts["r2"].open_sides == 3
    assert facts["r1"].area_m2 == pytest.approx(9.0)


def test_rounding_noise_does_not_open_shared_walls():
    facts = facts_of(("a", box(10, 10, 13, 13)), ("b", box(13.000001, 10, 16, 13.000001)))
    assert facts["a"].open_sides == 3 and facts["b"].open_sides == 3


def test_snap_rounds_to_millimetres():
    snapped = snap(box(0.00049, 0, 1.0004, 1.0006))
    assert snapped.bounds == (0.0, 0.0, 1.0, 1.001)


def test_hit_test():
    plan = Plan(
        hall=box(0, 0, 20, 20),
        booths=[
            PlanBooth("A1", box(0, 0, 3, 3)),
            PlanBooth("A2", box(3, 0, 6, 3)),
            PlanBooth("L", L_SHAPE),
        ],
    )
    index = BoothIndex(plan)
    assert index.booth_at(1, 1) == "A1"
    assert index.booth_at(4.5, 2) == "A2"
    assert index.booth_at(3, 1) == "A1"  # on the shared wall: the first in plan order
    assert index.booth_at(11, 15) == "L"
    assert index.booth_at(15, 15) is None  # in the L's notch
    assert index.booth_at(50, 50) is None
    assert index.booths_at([1, 4.5, 15, 3], [1, 2, 15, 1]) == ["A1", "A2", None, "A1"]


def test_empty_plan_has_no_facts():
    assert booth_facts(Plan(hall=box(0, 0, 10, 10))) == []


@pytest.mark.skipif(not REAL.exists(), reason="the real show data is not on this machine")
def test_real_show_booths_areas_and_no_false_overlaps():
    """The real hall section (feed units, 10 ft = 2.27353477 units): areas match the listed
    sizes, and booths that share walls with ~1e-6 noise are not overlaps."""
    from exhibit.floorplan.validate import validate_plan

    rows = real_show_rows()
    booths = real_show_booths()
    bounds = shapely.union_all([b.polygon for b in booths]).bounds
    hall = box(bounds[0] - 5, bounds[1] - 5, bounds[2] + 5, bounds[3] + 5)
    report = validate_plan(Plan(hall=hall, booths=booths))
    assert "booth-overlap" not in {e.rule for e in report.errors}
    listed = {r["number"]: r["size_sqft"] * 0.09290304 for r in rows}
    for f in report.booths:
        assert f.area_m2 == pytest.approx(listed[f.number], rel=0.01, abs=0.05)
    assert all(0 <= f.open_sides <= 4 for f in report.booths)
