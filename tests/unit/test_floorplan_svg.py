"""SVG export: well-formed, escaped, north up, numbers as text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from shapely.geometry import LineString, box

from exhibit.floorplan.formats import load_plan
from exhibit.floorplan.formats.svg import to_svg, write_svg
from exhibit.floorplan.geometry import booth_facts
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature

NS = {"svg": "http://www.w3.org/2000/svg"}
DEMO = Path(__file__).resolve().parents[2] / "floorplans" / "goroda-rossii-2025.geojson"


def small_plan() -> Plan:
    return Plan(
        hall=box(0, 0, 20, 10),
        booths=[
            PlanBooth("A1", box(0, 7, 3, 10)),  # north-west corner
            PlanBooth('<script>alert("x")</script>&', box(17, 0, 20, 3)),
        ],
        zones=[PlanFeature("zone", box(0, 5, 10, 10), "Туризм", {"track": "tourism"})],
        entrances=[PlanFeature("entrance", LineString([(8, 0), (12, 0)]), "Вход «Главный»")],
        exits=[PlanFeature("exit", LineString([(20, 4), (20, 6)]))],
        name="Зал №1",
    )


def test_svg_is_well_formed_and_escapes_user_text():
    text = to_svg(small_plan())
    root = ET.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script>" not in text
    labels = [t.text for t in root.iterfind(".//svg:text", NS)]
    assert labels == ["A1", '<script>alert("x")</script>&']
    assert root.find("svg:title", NS).text == "Зал №1"


def test_north_is_up():
    root = ET.fromstring(to_svg(small_plan(), margin=0))
    assert root.get("viewBox") == "0 0 20 10"
    texts = {
        t.text: (float(t.get("x")), float(t.get("y"))) for t in root.iterfind(".//svg:text", NS)
    }
    # A1 is in the north-west corner of the plan: top left of the picture.
    x, y = texts["A1"]
    assert x < 5 and y < 5


def test_booths_carry_their_number_and_kind():
    plan = small_plan()
    root = ET.fromstring(to_svg(plan, booth_facts(plan)))
    booths = root.findall(".//svg:path[@data-number]", NS)
    assert booths[0].get("data-number") == "A1"
    assert "kind-corner" in booths[0].get("class")
    zone = root.find(".//svg:path[@data-track='tourism']", NS)
    assert zone is not None


def test_demo_svg_file(tmp_path):
    plan = load_plan(DEMO)
    out = tmp_path / "demo.svg"
    write_svg(plan, out, booth_facts(plan))
    root = ET.parse(out).getroot()
    assert len(root.findall(".//svg:path[@data-number]", NS)) == len(plan.booths)
    assert out.read_text(encoding="utf-8").startswith('<?xml version="1.0" encoding="UTF-8"?>')
