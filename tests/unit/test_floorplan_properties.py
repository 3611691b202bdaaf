"""Property tests (Hypothesis): what holds for any plan the checker accepts."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import affinity
from shapely.geometry import LineString, Polygon, box

from exhibit.floorplan.geometry import booth_facts, kind_from_open_sides
from exhibit.floorplan.layout import layout_hall
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature
from exhibit.floorplan.validate import validate_plan

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

millimetres = st.integers(-50_000, 50_000).map(lambda v: v / 1000)
half_metres = st.integers(min_value=0, max_value=56).map(lambda v: v / 2)


@st.composite
def booth_shapes(draw) -> Polygon:
    """A rectangle or an L-shape on a 0.5 m grid, sometimes a little off the grid."""
    x, y = draw(half_metres), draw(half_metres)
    w = draw(st.sampled_from([2.0, 3.0, 4.5, 6.0]))
    h = draw(st.sampled_from([2.0, 3.0, 6.0]))
    shape = box(x, y, x + w, y + h)
    if draw(st.booleans()) and w >= 3 and h >= 3:
        shape = shape.difference(box(x + w / 2, y + h / 2, x + w + 1, y + h + 1))
    if draw(st.booleans()):
        shape = affinity.translate(shape, draw(st.sampled_from([1e-6, -1e-6, 0.0004])), 0)
    return shape


@st.composite
def plans(draw) -> Plan:
    shapes = draw(st.lists(booth_shapes(), min_size=1, max_size=9))
    booths = [PlanBooth(f"A{i + 1}", s) for i, s in enumerate(shapes)]
    return Plan(
        hall=box(0, 0, 30, 30),
        booths=booths,
        entrances=[PlanFeature("entrance", LineString([(13, 0), (17, 0)]), "Вход")],
        exits=[PlanFeature("exit", LineString([(0, 14), (0, 16)]), "Выход")],
    )


def brute_force_overlaps(plan: Plan) -> list[tuple[int, int, float]]:
    out = []
    for (i, a), (j, b) in itertools.combinations(enumerate(plan.booths), 2):
        area = a.polygon.intersection(b.polygon).area
        if area > 0.01:
            out.append((i, j, area))
    return out


@SETTINGS
@given(plans())
def test_checker_finds_every_overlap_and_escape(plan):
    report = validate_plan(plan)
    rules = {e.rule for e in report.errors}
    overlaps = brute_force_overlaps(plan)
    outside = [b for b in plan.booths if b.polygon.difference(plan.hall).area > 0.01]
    assert bool(overlaps) == ("booth-overlap" in rules)
    assert bool(outside) == ("booth-outside-hall" in rules)
    if report.valid:
        # Any accepted plan: booths inside the hall, no two share floor.
        assert not overlaps and not outside


@SETTINGS
@given(plans())
def test_open_sides_and_kind_always_agree(plan):
    for facts in (booth_facts(plan), validate_plan(plan).booths):
        assert len(facts) == len(plan.booths)
        for f in facts:
            assert 0 <= f.open_sides <= 4
            assert f.kind == kind_from_open_sides(f.open_sides)
            assert len(f.sides) == f.open_sides


@SETTINGS
@given(plans(), st.sampled_from([0, 90, 180, 270]), millimetres, millimetres)
def test_facts_do_not_depend_on_where_the_hall_is(plan, angle, dx, dy):
    # Moves on the 1 mm grid (snapping is to that grid) and quarter turns.
    def move(g):
        return affinity.translate(affinity.rotate(g, angle, origin=(0, 0)), dx, dy)

    moved = Plan(
        hall=move(plan.hall), booths=[PlanBooth(b.number, move(b.polygon)) for b in plan.booths]
    )
    before, after = booth_facts(plan), booth_facts(moved)
    assert [f.open_sides for f in before] == [f.open_sides for f in after]
    for a, b in zip(before, after, strict=True):
        assert abs(a.area_m2 - b.area_m2) <= 0.0101  # rounding of x.xx5 may go either way


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(20, 45),
    st.integers(15, 35),
    st.sampled_from([(3.0, 3.0), (2.0, 3.0), (3.0, 2.0)]),
    st.sampled_from([3.0, 3.5]),
)
def test_any_layout_is_accepted(width, height, module, aisle):
    plan = Plan(
        hall=box(0, 0, width, height),
        obstacles=[
            PlanFeature("obstacle", box(width / 2, height / 2, width / 2 + 0.6, height / 2 + 0.6))
        ],
        entrances=[PlanFeature("entrance", LineString([(2, 0), (5, 0)]), "Вход", {"main": True})],
        exits=[
            PlanFeature("exit", LineString([(width, height - 4), (width, height - 2)]), "Выход")
        ],
    )
    result = layout_hall(plan, module=module, aisle=aisle)
    report = validate_plan(result.plan, min_aisle=aisle)
    assert report.valid, [e.message for e in report.errors[:3]]
    assert not brute_force_overlaps(result.plan)
    assert all(plan.hall.covers(b.polygon) for b in result.plan.booths)
    numbers = [b.number for b in result.plan.booths]
    assert len(set(numbers)) == len(numbers)
