"""You-are-here points and passages in plans: schema, reading, writing, validation, demo."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest
from shapely.geometry import LineString, box

from exhibit.floorplan.errors import PlanFormatError
from exhibit.floorplan.formats.geojson import (
    dumps_geojson,
    from_geojson,
    parse_geojson,
    plan_schema,
    to_geojson,
)
from exhibit.floorplan.plan import (
    PASSAGE_TYPES,
    POINT_TYPES,
    Plan,
    PlanBooth,
    PlanFeature,
    PlanPoint,
)
from exhibit.floorplan.validate import validate_plan

DEMO = Path(__file__).resolve().parents[2] / "floorplans" / "goroda-rossii-2025.geojson"


def plan_with(points=(), passages=()) -> Plan:
    """A 30 × 20 m hall, a row of booths against the north wall, a column, a door, an exit."""
    return Plan(
        hall=box(0, 0, 30, 20),
        booths=[PlanBooth(f"A{i + 1}", box(3 + 3 * i, 17, 6 + 3 * i, 20)) for i in range(4)],
        obstacles=[PlanFeature("obstacle", box(20, 10, 20.6, 10.6), "К1", {"type": "column"})],
        entrances=[PlanFeature("entrance", LineString([(13, 0), (17, 0)]), "Вход", {"main": True})],
        exits=[PlanFeature("exit", LineString([(0, 9), (0, 11)]), "Выход 1")],
        points=tuple(points),
        passages=list(passages),
        name="Зал",
    )


def point_feature(**props):
    geometry = props.pop("geometry", {"type": "Point", "coordinates": [5, 5]})
    return {"type": "Feature", "geometry": geometry, "properties": {"kind": "point", **props}}


def with_features(*features) -> str:
    data = to_geojson(plan_with())
    data["features"].extend(features)
    return json.dumps(data)


def test_schema_knows_the_point_and_passage_types():
    defs = plan_schema()["$defs"]
    kinds = defs["feature"]["properties"]["properties"]["properties"]["kind"]["enum"]
    assert "point" in kinds and "passage" in kinds
    assert tuple(defs["pointType"]["enum"]) == POINT_TYPES
    assert tuple(defs["passageType"]["enum"]) == PASSAGE_TYPES


def test_round_trip_keeps_points_and_passages():
    plan = plan_with(
        points=[
            PlanPoint("P1", "Главный вход", (15.0, 1.5), 0.0, "entrance"),
            PlanPoint("K1", "Колонна К1", (20.3, 9.99), 90.0, "column", {"poster": "A3"}),
        ],
        passages=[
            PlanFeature("passage", LineString([(0.5, 8), (0.5, 12)]), "Ступени", {"type": "steps"}),
            PlanFeature("passage", box(20, 8, 21, 10), None, {"type": "narrow", "width": 1.1}),
        ],
    )
    data = to_geojson(plan)
    jsonschema.validate(data, plan_schema())
    again = parse_geojson(dumps_geojson(plan))
    assert again.points == plan.points
    assert again.points[1].properties == {"poster": "A3"}
    assert again.point("K1").position == (20.3, 9.99) and again.point("nope") is None
    assert [(p.name, p.passage_type, p.geometry.wkt) for p in again.passages] == [
        ("Ступени", "steps", "LINESTRING (0.5 8, 0.5 12)"),
        (None, "narrow", again.passages[1].geometry.wkt),
    ]
    assert again.passages[1].geometry.equals(box(20, 8, 21, 10))
    assert again.passages[1].properties["width"] == 1.1
    # Written again, nothing moves.
    assert to_geojson(again) == data


def test_points_are_frozen_values():
    point = PlanPoint("P1", "Вход", (1.0, 2.0), 45.0, "entrance")
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.facing = 90.0  # type: ignore[misc]
    assert (point.x, point.y) == (1.0, 2.0)


def test_facing_and_type_have_defaults_and_360_is_north():
    plan = parse_geojson(
        with_features(
            point_feature(id="P1", name="Вход"),
            point_feature(id="P2", name="Колонна", facing=360, type="column"),
        )
    )
    assert [(p.id, p.facing, p.type) for p in plan.points] == [
        ("P1", 0.0, "other"),
        ("P2", 0.0, "column"),
    ]


@pytest.mark.parametrize(
    ("props", "said"),
    [
        ({"name": "Вход"}, "нет обязательного поля «id»"),
        ({"id": "P1"}, "нет обязательного поля «name»"),
        ({"id": "P1", "name": ""}, "properties.name: пустая строка"),
        ({"id": "П1", "name": "Вход"}, "код точки \"П1\" не годится"),
        ({"id": "P 1", "name": "Вход"}, "латинские буквы, цифры"),
        ({"id": "P" * 17, "name": "Вход"}, "не длиннее 16"),
        ({"id": 1, "name": "Вход"}, "properties.id: ожидается строка, а не число"),
        ({"id": "P1", "name": "Вход", "facing": 400}, "не больше 360, а не 400"),
        ({"id": "P1", "name": "Вход", "facing": -5}, "не меньше 0, а не -5"),
        ({"id": "P1", "name": "Вход", "facing": "север"}, "ожидается число"),
        ({"id": "P1", "name": "Вход", "type": "kiosk"}, "\"kiosk\"; допустимы: entrance"),
        (
            {"id": "P1", "name": "Вход", "geometry": {"type": "LineString",
             "coordinates": [[1, 1], [2, 2]]}},
            "ожидается Point",
        ),
    ],
)  # fmt: skip
def test_bad_point_is_a_clear_format_error(props, said):
    with pytest.raises(PlanFormatError) as error:
        parse_geojson(with_features(point_feature(**props)))
    message = str(error.value)
    assert "точка «вы здесь»" in message and said in message, message


def test_duplicate_point_ids_name_both_features():
    raw = with_features(
        point_feature(id="P1", name="Вход"),
        point_feature(id="P2", name="Колонна"),
        point_feature(id="P1", name="Перекрёсток"),
    )
    n = len(json.loads(raw)["features"])
    with pytest.raises(PlanFormatError) as error:
        parse_geojson(raw)
    assert error.value.feature == n - 1 and error.value.field == "properties.id"
    assert f"features[{n - 1}]" in str(error.value) and f"features[{n - 3}]" in str(error.value)
    assert "«P1» уже занят" in str(error.value)


@pytest.mark.parametrize(
    ("props", "geometry", "said"),
    [
        ({}, {"type": "LineString", "coordinates": [[1, 1], [2, 2]]}, "нет обязательного поля"),
        ({"type": "ramp"}, {"type": "LineString", "coordinates": [[1, 1], [2, 2]]}, "ramp"),
        ({"type": "steps"}, {"type": "Point", "coordinates": [1, 1]}, "LineString или Polygon"),
        (
            {"type": "narrow", "width": 0},
            {"type": "LineString", "coordinates": [[1, 1], [2, 2]]},
            "properties.width: должно быть больше 0",
        ),
    ],
)
def test_bad_passage_is_a_clear_format_error(props, geometry, said):
    feature = {"type": "Feature", "geometry": geometry, "properties": {"kind": "passage", **props}}
    with pytest.raises(PlanFormatError) as error:
        parse_geojson(with_features(feature))
    message = str(error.value)
    assert "(проход)" in message and said in message, message


def test_points_in_the_aisle_on_the_wall_and_on_a_column_are_valid():
    report = validate_plan(
        plan_with(
            points=[
                PlanPoint("P1", "Вход", (15.0, 0.0), 0.0, "entrance"),  # on the wall
                PlanPoint("P2", "Колонна", (20.3, 10.3), 0.0, "column"),  # in the column
                PlanPoint("P3", "Перекрёсток", (10.0, 10.0), 0.0, "crossing"),
                PlanPoint("P4", "У стенда", (4.5, 17.0), 0.0, "other"),  # on a booth's front
            ]
        )
    )
    assert report.valid, report.errors
    assert not report.warnings


def test_point_inside_a_booth_or_outside_the_hall_is_an_error_naming_it():
    report = validate_plan(
        plan_with(
            points=[
                PlanPoint("P1", "За стендом", (4.5, 18.5)),
                PlanPoint("P2", "На улице", (31.0, 5.0)),
            ]
        )
    )
    first, second = report.errors
    assert first.rule == "point-in-booth" and first.booth == "A1"
    assert "P1" in first.message and "«За стендом»" in first.message
    assert "стенда A1" in first.message and first.location == (4.5, 18.5)
    assert second.rule == "point-outside-hall" and second.booth is None
    assert "P2" in second.message and "(31; 5)" in second.message


def test_passage_outside_the_hall_is_a_warning():
    inside = PlanFeature("passage", LineString([(0.5, 8), (0.5, 12)]), "Ступени", {"type": "steps"})
    outside = PlanFeature("passage", box(29, 5, 32, 6), None, {"type": "narrow"})
    report = validate_plan(plan_with(passages=[inside, outside]))
    assert report.valid
    (warning,) = report.warnings
    assert warning.rule == "passage-outside-hall" and "Узкий проход №2" in warning.message


def test_demo_plan_has_valid_points_of_every_type_but_other_and_passages():
    plan = parse_geojson(DEMO.read_bytes())
    assert [p.id for p in plan.points] == ["P1", "P2", "P3", "P4", "P5"]
    assert {p.type for p in plan.points} == {"entrance", "column", "crossing"}
    assert all(0 <= p.facing < 360 and p.name for p in plan.points)
    assert {p.passage_type for p in plan.passages} == {"steps", "narrow"}
    report = validate_plan(plan, min_aisle=3.0)
    assert report.valid, report.errors
    assert not {w.rule for w in report.warnings} & {"passage-outside-hall"}


def test_trusted_documents_keep_points():
    plan = plan_with(points=[PlanPoint("P1", "Вход", (15.0, 1.5), 0.0, "entrance")])
    again = from_geojson(json.loads(dumps_geojson(plan)), trusted=True)
    assert again.points == plan.points
