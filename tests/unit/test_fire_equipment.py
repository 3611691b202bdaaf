"""Fire-safety equipment in plans: GeoJSON and its schema, validation, DXF, SVG, the demo."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import ezdxf
import jsonschema
import pytest
from shapely.geometry import LineString, Point, box

from exhibit.floorplan.errors import PlanFormatError
from exhibit.floorplan.formats import load_plan
from exhibit.floorplan.formats.dxf import equipment_type_of, parse_dxf, read_dxf_bytes, to_dxf
from exhibit.floorplan.formats.geojson import from_geojson, parse_geojson, plan_schema, to_geojson
from exhibit.floorplan.formats.svg import to_svg
from exhibit.floorplan.plan import EQUIPMENT_TYPES, Plan, PlanBooth, PlanFeature
from exhibit.floorplan.validate import validate_plan

DEMO = Path(__file__).resolve().parents[2] / "floorplans" / "goroda-rossii-2025.geojson"
NS = {"svg": "http://www.w3.org/2000/svg"}


def kit(kind: str, x: float, y: float, name: str | None = None) -> PlanFeature:
    return PlanFeature("equipment", Point(x, y), name, {"type": kind})


def plan_with(*equipment: PlanFeature) -> Plan:
    """A 30 × 20 m hall, a row of booths against the north wall, a door and an exit."""
    return Plan(
        hall=box(0, 0, 30, 20),
        booths=[PlanBooth(f"A{i + 1}", box(3 + 3 * i, 17, 6 + 3 * i, 20)) for i in range(4)],
        entrances=[PlanFeature("entrance", LineString([(13, 0), (17, 0)]), "Вход", {"main": True})],
        exits=[PlanFeature("exit", LineString([(0, 9), (0, 11)]), "Выход 1")],
        equipment=list(equipment),
        name="Зал",
    )


def test_schema_knows_exactly_the_equipment_types():
    schema = plan_schema()
    assert (
        "equipment"
        in schema["$defs"]["feature"]["properties"]["properties"]["properties"]["kind"]["enum"]
    )
    assert set(schema["$defs"]["equipmentType"]["enum"]) == set(EQUIPMENT_TYPES)


def test_geojson_round_trip_keeps_equipment():
    plan = plan_with(kit("extinguisher", 0, 5, "ОП-4 №1"), kit("first-aid", 15, 0.2))
    data = to_geojson(plan)
    jsonschema.validate(data, plan_schema())
    again = from_geojson(json.loads(json.dumps(data)))
    assert [(e.equipment_type, e.name, e.geometry.coords[0]) for e in again.equipment] == [
        ("extinguisher", "ОП-4 №1", (0.0, 5.0)),
        ("first-aid", None, (15.0, 0.2)),
    ]


@pytest.mark.parametrize(
    ("props", "geometry", "said"),
    [
        ({"type": "fire-truck"}, {"type": "Point", "coordinates": [1, 1]}, "fire-truck"),
        ({}, {"type": "Point", "coordinates": [1, 1]}, "нет обязательного поля «type»"),
        (
            {"type": "hose"},
            {"type": "LineString", "coordinates": [[1, 1], [2, 2]]},
            "ожидается Point",
        ),
    ],
)
def test_bad_equipment_is_a_clear_format_error(props, geometry, said):
    data = to_geojson(plan_with())
    data["features"].append(
        {"type": "Feature", "geometry": geometry, "properties": {"kind": "equipment", **props}}
    )
    with pytest.raises(PlanFormatError) as error:
        parse_geojson(json.dumps(data))
    assert "оборудование" in str(error.value) and said in str(error.value)


def test_equipment_on_the_wall_and_in_the_aisle_is_valid():
    report = validate_plan(plan_with(kit("extinguisher", 0, 5), kit("hose", 10, 10)))
    assert report.valid, report.errors


def test_equipment_inside_a_booth_is_an_error_naming_both():
    inside = kit("extinguisher", 4.5, 18.5, "ОП-4 №3")
    on_its_wall = kit("alarm", 6.0, 16.99)  # on the booth's front: reachable
    report = validate_plan(plan_with(inside, on_its_wall))
    (error,) = report.errors
    assert error.rule == "equipment-in-booth" and error.booth == "A1"
    assert "Огнетушитель «ОП-4 №3»" in error.message and "стенда A1" in error.message
    assert error.location == (4.5, 18.5)


def test_equipment_outside_the_hall_is_an_error():
    report = validate_plan(plan_with(kit("hose", 10, 10), kit("hose", 31, 5)))
    (error,) = report.errors
    assert error.rule == "equipment-outside-hall"
    assert "Пожарный кран №2" in error.message and "(31; 5)" in error.message


@pytest.mark.parametrize(
    ("text", "kind"),
    [("extinguisher", "extinguisher"), ("ОП-4", "extinguisher"), ("FIRE_EXTINGUISHER",
     "extinguisher"), ("ПК-2", "hose"), ("Пожарный кран", "hose"), ("F002", "hose"),
     ("ИПР", "alarm"), ("FIRE_FIRST_AID", "first-aid"), ("Аптечка", "first-aid"),
     ("Опора", None), ("Стенд", None)],
)  # fmt: skip
def test_equipment_type_from_drawing_text(text, kind):
    assert equipment_type_of(text) == kind


def test_dxf_export_then_import_keeps_equipment(tmp_path):
    plan = plan_with(
        kit("extinguisher", 0, 5, "ОП-4 №1"), kit("hose", 10, 10), kit("first-aid", 15, 0.2)
    )
    path = tmp_path / "plan.dxf"
    to_dxf(plan, path)
    doc = ezdxf.readfile(path)
    layers = {e.dxf.layer for e in doc.modelspace().query("INSERT")}
    assert layers == {"FIRE_EQUIPMENT-extinguisher", "FIRE_EQUIPMENT-hose",
                      "FIRE_EQUIPMENT-first-aid"}  # fmt: skip
    again = read_dxf_bytes(path.read_bytes(), sandbox=False)
    found = sorted((e.equipment_type, e.name, e.geometry.coords[0]) for e in again.equipment)
    assert found == [("extinguisher", "ОП-4 №1", (0.0, 5.0)), ("first-aid", None, (15.0, 0.2)),
                     ("hose", None, (10.0, 10.0))]  # fmt: skip
    assert [b.number for b in again.booths] == ["A1", "A2", "A3", "A4"]


def _drawing(*add) -> bytes:
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 4  # millimetres
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (30000, 0), (30000, 20000), (0, 20000)], close=True,
                       dxfattribs={"layer": "HALL"})  # fmt: skip
    for entity in add:
        entity(msp)
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode()


def test_dxf_points_typed_by_a_text_beside_them_in_millimetres():
    data = _drawing(
        lambda m: m.add_point((1000, 2000), dxfattribs={"layer": "FIRE_EQUIPMENT"}),
        lambda m: m.add_text("ОП-4", height=200, dxfattribs={"layer": "FIRE_EQUIPMENT"})
        .set_placement((1300, 2100)),
        lambda m: m.add_circle((5000, 5000), 250, dxfattribs={"layer": "fire_equipment-alarm"}),
    )  # fmt: skip
    plan = from_geojson(parse_dxf(data))
    found = sorted((e.equipment_type, e.geometry.coords[0]) for e in plan.equipment)
    assert found == [("alarm", (5.0, 5.0)), ("extinguisher", (1.0, 2.0))]


def test_dxf_point_of_unknown_kind_is_refused_with_its_place():
    data = _drawing(lambda m: m.add_point((1000, 2000), dxfattribs={"layer": "FIRE_EQUIPMENT"}))
    with pytest.raises(PlanFormatError, match=r"оборудование в точке \(1\.0; 2\.0\) без вида"):
        parse_dxf(data)


def test_svg_export_draws_each_piece_with_its_type():
    svg = to_svg(plan_with(kit("extinguisher", 0, 5, "ОП-4 №1"), kit("first-aid", 15, 0.2)))
    root = ET.fromstring(svg)
    rects = root.findall(".//svg:rect[@data-type]", NS)
    assert [r.get("data-type") for r in rects] == ["extinguisher", "first-aid"]
    assert rects[0].find("svg:title", NS).text == "огнетушитель «ОП-4 №1»"


def test_demo_plan_has_equipment_of_every_type_and_is_valid():
    plan = load_plan(DEMO)
    assert {e.equipment_type for e in plan.equipment} == set(EQUIPMENT_TYPES)
    assert len(plan.equipment) >= 10
    assert validate_plan(plan, min_aisle=3.0).valid
