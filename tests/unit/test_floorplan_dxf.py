"""DXF import (sandboxed) and export: units, layers, numbers, round trips, bad files."""

from __future__ import annotations

import io
from pathlib import Path

import ezdxf
import pytest
from shapely.geometry import LineString, Polygon, box

from exhibit.floorplan.errors import PlanFormatError
from exhibit.floorplan.formats import load_plan, read_plan
from exhibit.floorplan.formats.dxf import _classify, parse_dxf, read_dxf_bytes, to_dxf
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature
from exhibit.floorplan.validate import validate_plan

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "floorplans" / "goroda-rossii-2025.geojson"


def dxf_bytes(doc) -> bytes:
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("utf-8")


def drawing_in_millimetres() -> bytes:
    """A 20 × 10 m hall drawn in millimetres, the way a venue would send it."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 4  # mm
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (20000, 0), (20000, 10000), (0, 10000)], close=True, dxfattribs={"layer": "HALL"}
    )
    # Booths: a closed polyline, a polyline closed by repeating its first point, an L-shape
    # and a hatch; numbers as TEXT and MTEXT.
    msp.add_lwpolyline(
        [(0, 7000), (3000, 7000), (3000, 10000), (0, 10000)],
        close=True,
        dxfattribs={"layer": "booths"},
    )
    msp.add_text("A1", height=300, dxfattribs={"layer": "NUMBERS"}).set_placement((1500, 8500))
    msp.add_lwpolyline(
        [(3000, 7000), (6000, 7000), (6000, 10000), (3000, 10000), (3000, 7000)],
        dxfattribs={"layer": "BOOTHS"},
    )
    msp.add_mtext("A2", dxfattribs={"layer": "NUMBERS", "insert": (4500, 8500), "char_height": 300})
    msp.add_lwpolyline(
        [(9000, 4000), (15000, 4000), (15000, 7000), (12000, 7000), (12000, 10000), (9000, 10000)],
        close=True,
        dxfattribs={"layer": "BOOTHS"},
    )
    msp.add_text("B1", height=300, dxfattribs={"layer": "BOOTHS"}).set_placement((10000, 5000))
    hatch = msp.add_hatch(dxfattribs={"layer": "BOOTHS"})
    hatch.paths.add_polyline_path([(17000, 0), (20000, 0), (20000, 3000), (17000, 3000)])
    msp.add_text("C1", height=300, dxfattribs={"layer": "0"}).set_placement((18500, 1500))
    # A round column, a door, an exit, a zone with its track in the layer name.
    msp.add_circle((5000, 3000), radius=300, dxfattribs={"layer": "COLUMNS"})
    msp.add_line((8000, 0), (12000, 0), dxfattribs={"layer": "ENTRANCES-MAIN"})
    msp.add_lwpolyline([(0, 4000), (0, 6000)], dxfattribs={"layer": "EXITS"})
    msp.add_lwpolyline(
        [(0, 7000), (6000, 7000), (6000, 10000), (0, 10000)],
        close=True,
        dxfattribs={"layer": "ZONES-tourism"},
    )
    # Furniture on an unknown layer is ignored.
    msp.add_lwpolyline(
        [(14000, 8000), (15000, 8000), (15000, 9000)], close=True, dxfattribs={"layer": "FURNITURE"}
    )
    return dxf_bytes(doc)


def test_a_drawing_in_millimetres_comes_out_in_metres():
    plan = read_plan(drawing_in_millimetres(), filename="hall.dxf")
    assert plan.hall.bounds == (0.0, 0.0, 20.0, 10.0)
    booths = {b.number: b.polygon for b in plan.booths}
    assert set(booths) == {"A1", "A2", "B1", "C1"}
    assert booths["A1"].area == pytest.approx(9.0)
    assert booths["B1"].area == pytest.approx(27.0)  # the L-shape
    assert booths["C1"].bounds == (17.0, 0.0, 20.0, 3.0)  # the hatch
    assert plan.obstacles[0].properties == {"type": "column"}
    assert plan.obstacles[0].geometry.area == pytest.approx(0.283, abs=0.01)
    assert plan.entrances[0].properties == {"main": True}
    assert plan.entrances[0].geometry.length == pytest.approx(4.0)
    assert plan.exits[0].geometry.length == pytest.approx(2.0)
    assert [(z.track, z.geometry.area) for z in plan.zones] == [("tourism", 18.0)]
    report = validate_plan(plan)
    assert report.valid, [e.message for e in report.errors]


@pytest.mark.parametrize(("code", "factor"), [(1, 0.0254), (2, 0.3048), (5, 0.01), (6, 1.0)])
def test_insunits_are_honoured(code, factor):
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = code
    doc.modelspace().add_lwpolyline(
        [(0, 0), (100, 0), (100, 50), (0, 50)], close=True, dxfattribs={"layer": "HALL"}
    )
    plan = read_dxf_bytes(dxf_bytes(doc), sandbox=False)
    assert plan.hall.bounds[2] == pytest.approx(100 * factor, abs=0.001)


def test_unitless_drawing_is_guessed_from_its_size():
    for width, expected in ((40, 40.0), (40000, 40.0)):
        doc = ezdxf.new("R2010")
        doc.header["$INSUNITS"] = 0
        doc.modelspace().add_lwpolyline(
            [(0, 0), (width, 0), (width, 10), (0, 10)], close=True, dxfattribs={"layer": "HALL"}
        )
        assert read_dxf_bytes(dxf_bytes(doc), sandbox=False).hall.bounds[2] == expected


def test_layer_map_and_zone_track_from_text():
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (30, 0), (30, 20), (0, 20)], close=True, dxfattribs={"layer": "Контур"}
    )
    msp.add_lwpolyline([(0, 0), (3, 0), (3, 3), (0, 3)], close=True, dxfattribs={"layer": "Стенды"})
    msp.add_text("Б-7", dxfattribs={"layer": "Стенды"}).set_placement((1.5, 1.5))
    msp.add_lwpolyline([(0, 0), (9, 0), (9, 9), (0, 9)], close=True, dxfattribs={"layer": "ZONES"})
    msp.add_text("living", dxfattribs={"layer": "ZONES"}).set_placement((6, 6))
    layer_map = {"Контур": "hall", "Стенды": "booth"}
    plan = read_dxf_bytes(dxf_bytes(doc), layer_map=layer_map, sandbox=False)
    assert [b.number for b in plan.booths] == ["Б-7"]
    assert plan.zones[0].track == "living"


def test_classify_layers():
    from exhibit.floorplan.formats.dxf import DEFAULT_LAYER_MAP

    assert _classify("booths", DEFAULT_LAYER_MAP) == ("booth", None)
    assert _classify("ZONES-human-capital", DEFAULT_LAYER_MAP) == ("zone", "human-capital")
    assert _classify("COLUMNS", DEFAULT_LAYER_MAP) == ("obstacle", "column")
    assert _classify("A-FURN", DEFAULT_LAYER_MAP) == ("unknown", None)
    assert _classify("FURN", {**DEFAULT_LAYER_MAP, "FURN": "ignore"}) == ("ignore", None)


def test_zone_without_track_is_an_error():
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (30, 0), (30, 20), (0, 20)], close=True, dxfattribs={"layer": "HALL"}
    )
    msp.add_lwpolyline([(0, 0), (9, 0), (9, 9), (0, 9)], close=True, dxfattribs={"layer": "ZONES"})
    with pytest.raises(PlanFormatError, match="без направления"):
        parse_dxf(dxf_bytes(doc))


def test_drawing_without_a_hall_is_an_error():
    doc = ezdxf.new("R2010")
    doc.modelspace().add_lwpolyline(
        [(0, 0), (3, 0), (3, 3)], close=True, dxfattribs={"layer": "BOOTHS"}
    )
    with pytest.raises(PlanFormatError, match="нет контура зала"):
        read_dxf_bytes(dxf_bytes(doc), sandbox=False)


DAMAGE = {
    "truncated": lambda d: d[: len(d) // 2],
    "end cut off": lambda d: d[:-40],
    "bad value": lambda d: (
        b"0\nSECTION\n2\nENTITIES\n0\nLWPOLYLINE\n8\nHALL\n90\nnot a number\n0\nEOF\n"
    ),
    "garbage": lambda d: bytes(range(256)) * 40,
    "empty": lambda d: b"",
}


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_damaged_dxf_through_the_sandbox_is_a_plan_format_error(damage):
    data = DAMAGE[damage](drawing_in_millimetres())
    with pytest.raises(PlanFormatError) as info:
        read_plan(data, filename="broken.dxf")
    assert "Traceback" not in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_dxf_is_a_plan_format_error_not_a_traceback(damage):
    data = DAMAGE[damage](drawing_in_millimetres())
    with pytest.raises(PlanFormatError) as info:
        read_dxf_bytes(data, sandbox=False)
    assert "\n" not in str(info.value)


def test_parsing_has_a_time_limit():
    with pytest.raises(PlanFormatError, match="не уложился"):
        read_dxf_bytes(drawing_in_millimetres(), time_limit=0.01)


def test_export_then_import_gives_the_same_plan(tmp_path):
    L = Polygon([(10, 10), (16, 10), (16, 13), (13, 13), (13, 16), (10, 16)])
    plan = Plan(
        hall=Polygon(
            [(0, 0), (40, 0), (40, 30), (0, 30)], [[(30, 20), (32, 20), (32, 22), (30, 22)]]
        ),
        booths=[
            PlanBooth("A1", box(0, 0, 3, 3)),
            PlanBooth("L-1", L),
            PlanBooth("Б2", box(20.0004, 5, 23.1234, 8.5)),
        ],
        obstacles=[PlanFeature("obstacle", box(5, 5, 5.6, 5.6), "К1", {"type": "column"})],
        zones=[PlanFeature("zone", box(9, 9, 17, 17), "Туризм", {"track": "tourism"})],
        entrances=[PlanFeature("entrance", LineString([(18, 0), (22, 0)]), "Вход", {"main": True})],
        exits=[PlanFeature("exit", LineString([(40, 10), (40, 12)]), "Выход")],
    )
    path = tmp_path / "plan.dxf"
    to_dxf(plan, path)
    again = load_plan(path)
    assert [b.number for b in again.booths] == ["A1", "L-1", "Б2"]
    for a, b in zip(plan.booths, again.booths, strict=True):
        assert abs(a.polygon.area - b.polygon.area) < 0.01
        assert a.polygon.symmetric_difference(b.polygon).area < 0.01
    assert len(again.hall.interiors) == 1
    assert again.zones[0].track == "tourism"
    assert again.entrances[0].properties.get("main") is True
    assert again.obstacles[0].properties == {"type": "column"}


def test_demo_plan_round_trips_through_dxf(tmp_path):
    plan = load_plan(DEMO)
    path = tmp_path / "demo.dxf"
    to_dxf(plan, path)
    again = read_dxf_bytes(path.read_bytes(), sandbox=False)
    before = {b.number: b.polygon.area for b in plan.booths}
    after = {b.number: b.polygon.area for b in again.booths}
    assert before.keys() == after.keys()
    assert all(abs(before[k] - after[k]) < 0.01 for k in before)
    assert len(again.zones) == 7 and len(again.exits) == 4 and len(again.entrances) == 2
    assert sorted((e.equipment_type, e.name) for e in again.equipment) == sorted(
        (e.equipment_type, e.name) for e in plan.equipment
    )
    assert validate_plan(again).valid
