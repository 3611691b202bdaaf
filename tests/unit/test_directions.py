"""Directions in words, routes from a "you are here" point, and the step-free walk."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import LineString, Point, box

from exhibit.floorplan.formats import load_plan
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature, PlanPoint
from exhibit.maps.directions import (
    Describer,
    bearing,
    door_has_steps,
    step_free_entrance,
    step_free_plan,
    turn_angle,
)
from exhibit.maps.route import RouteError, WalkGraph, visit_route

DEMO = Path(__file__).resolve().parents[2] / "floorplans" / "goroda-rossii-2025.geojson"


def corridor() -> Plan:
    """An 11 × 30 m hall: row A on the west wall, row B on the east wall (six 3 m booths
    each, y 8..26), a 5 m aisle between them, a door in the south wall, a column up north."""
    booths = [PlanBooth(f"A{i + 1}", box(0, 8 + 3 * i, 3, 11 + 3 * i)) for i in range(6)]
    booths += [PlanBooth(f"B{i + 1}", box(8, 8 + 3 * i, 11, 11 + 3 * i)) for i in range(6)]
    return Plan(
        hall=box(0, 0, 11, 30),
        booths=booths,
        obstacles=[PlanFeature("obstacle", box(6.5, 28, 7.1, 28.6), "К1", {"type": "column"})],
        entrances=[PlanFeature("entrance", LineString([(4.5, 0), (6.5, 0)]), "Вход", {"main": 1})],
        points=(PlanPoint("P1", "У входа", (5.5, 2.0), 180.0, "entrance"),),
    )


def test_bearings_and_turns():
    assert bearing((0, 0), (0, 5)) == 0.0
    assert bearing((0, 0), (5, 0)) == 90.0
    assert bearing((0, 0), (-5, 0)) == 270.0
    assert turn_angle(0, 90) == 90.0 and turn_angle(0, 270) == -90.0
    assert turn_angle(350, 10) == pytest.approx(20.0)


def test_a_turn_at_a_column_then_the_booth_on_the_left():
    legs = [LineString([(5.5, 1), (5.5, 27.8), (1.0, 27.8)])]
    steps = Describer(corridor()).steps(legs, ["A6"])
    assert [s.text for s in steps] == [
        "Идите прямо 27 м по проходу между рядами A и B, у колонны К1 поверните налево",
        "Идите прямо 5 м по проходу A, стенд A6 слева",
    ]
    assert [s.distance_m for s in steps] == [27, 5]


def test_the_same_in_english():
    legs = [LineString([(5.5, 1), (5.5, 27.8), (1.0, 27.8)])]
    steps = Describer(corridor()).steps(legs, ["A6"], lang="en")
    assert steps[0].text == (
        "Walk straight on 27 m along the aisle between rows A and B, at column К1 turn left"
    )
    assert steps[1].text == "Walk straight on 5 m along aisle A, booth A6 is on your left"


def test_small_bends_are_straight_on_and_short_stretches_merge():
    # The shortest path bends by a few degrees at booth corners; a 0.5 m jog is no step.
    legs = [LineString([(5.5, 1), (5.6, 10), (5.5, 20), (5.0, 20.3), (5.4, 24.5)])]
    (step,) = Describer(corridor()).steps(legs, ["B6"])
    assert step.text.startswith("Идите прямо 24 м по проходу между рядами A и B")
    assert step.text.endswith("стенд B6 справа")


def test_a_real_route_from_a_poster_that_faces_away_starts_with_turning_round():
    plan = corridor()
    graph = WalkGraph.from_plan(plan)
    point = plan.point("P1")
    route = visit_route(graph, None, ["B6"], start_at=(point.name, Point(point.position)))
    steps = Describer(plan).steps(
        route.legs, route.order, facing=point.facing, start_name=point.name
    )
    texts = [s.text for s in steps]
    assert texts[0] == "Вы здесь: «У входа»"
    assert texts[1] == "Повернитесь кругом"
    assert texts[-1].endswith("стенд B6 справа")
    assert sum(s.distance_m for s in steps) == pytest.approx(route.length, abs=len(steps))


def test_step_free_route_goes_round_marked_passages():
    plan = load_plan(DEMO)
    assert plan.passages
    ordinary = WalkGraph.from_plan(plan)
    step_free = WalkGraph.from_plan(step_free_plan(plan))
    point = plan.point("P4")
    start = (point.name, Point(point.position))
    crossing = []
    for booth in plan.booths:
        route = visit_route(ordinary, None, [booth.number], start_at=start)
        if any(route.path.intersects(p.geometry) for p in plan.passages):
            crossing.append(booth.number)
    assert crossing, "the demo plan's passages lie on some shortest routes"
    for number in crossing[:10]:
        route = visit_route(step_free, None, [number], start_at=start)
        assert not any(route.path.intersects(p.geometry) for p in plan.passages), number
        assert route.length >= visit_route(ordinary, None, [number], start_at=start).length


def test_steps_at_a_door_make_it_not_step_free():
    plan = load_plan(DEMO)
    west = next(e for e in plan.entrances if e.name == "Западный вход")
    main = next(e for e in plan.entrances if e.properties.get("main"))
    assert door_has_steps(plan, west) and not door_has_steps(plan, main)
    assert step_free_entrance(plan, west) is main
    assert step_free_entrance(plan, None) is main


def test_a_booth_behind_steps_is_unreachable_step_free():
    plan = corridor()
    plan.passages = [
        PlanFeature("passage", LineString([(0, 5), (11, 5)]), "Порог", {"type": "steps"})
    ]
    graph = WalkGraph.from_plan(step_free_plan(plan))
    with pytest.raises(RouteError) as error:
        visit_route(graph, None, ["A1"])
    assert error.value.code == "unreachable"
