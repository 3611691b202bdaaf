"""The GeoJSON plan format: schema, reading, writing, errors, and the demo plan."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from shapely.geometry import LineString, Polygon, box

from exhibit.floorplan.errors import PlanFormatError
from exhibit.floorplan.formats import MAX_PLAN_BYTES, detect_format, load_plan, read_plan
from exhibit.floorplan.formats.geojson import (
    dumps_geojson,
    from_geojson,
    parse_geojson,
    plan_schema,
    to_geojson,
)
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature
from exhibit.floorplan.validate import validate_plan

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "floorplans" / "goroda-rossii-2025.geojson"
TRACKS = {"governance", "economy", "society", "tourism", "human-capital", "living", "platform"}


def feature(kind, geometry, **props):
    return {"type": "Feature", "geometry": geometry, "properties": {"kind": kind, **props}}


def square(x, y, s=3):
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]],
    }


def doc(*features, **top):
    hall = feature("hall", square(0, 0, 30), name="Зал")
    return {"type": "FeatureCollection", "properties": top, "features": [hall, *features]}


def sample_plan() -> Plan:
    return Plan(
        hall=box(0, 0, 30, 20),
        booths=[
            PlanBooth("A1", box(0, 17, 3, 20), {"short_name": "Ирбит", "price": 150000}),
            PlanBooth("A2", Polygon([(3, 17), (9, 17), (9, 20), (3, 20)])),
        ],
        obstacles=[PlanFeature("obstacle", box(10, 10, 10.6, 10.6), "К1", {"type": "column"})],
        zones=[PlanFeature("zone", box(0, 15, 12, 20), "Туризм", {"track": "tourism"})],
        entrances=[PlanFeature("entrance", LineString([(13, 0), (17, 0)]), "Вход", {"main": True})],
        exits=[PlanFeature("exit", LineString([(0, 9), (0, 11)]), "Выход 1")],
        name="Павильон «Тест»",
        properties={"min_aisle": 3},
    )


def test_round_trip_keeps_everything():
    plan = sample_plan()
    again = parse_geojson(dumps_geojson(plan))
    assert again.name == plan.name
    assert [b.number for b in again.booths] == ["A1", "A2"]
    assert again.booths[0].properties == {"short_name": "Ирбит", "price": 150000}
    assert again.booths[1].polygon.equals(plan.booths[1].polygon)
    assert again.entrances[0].properties == {"main": True}
    assert again.zones[0].track == "tourism" and again.zones[0].name == "Туризм"
    assert again.obstacles[0].properties["type"] == "column"
    assert again.properties["min_aisle"] == 3 and again.properties["units"] == "m"


def test_written_plan_follows_the_schema_and_rfc7946_orientation():
    data = to_geojson(sample_plan())
    jsonschema.validate(data, plan_schema())
    ring = data["features"][0]["geometry"]["coordinates"][0]
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    assert area2 > 0  # counter-clockwise exterior


def test_coordinates_are_rounded_to_millimetres():
    plan = Plan(hall=box(0, 0, 10.00049999, 10), booths=[PlanBooth("A1", box(0.1 + 0.2, 0, 3, 3))])
    data = to_geojson(plan)
    hall_xs = {x for x, _ in data["features"][0]["geometry"]["coordinates"][0]}
    assert hall_xs == {0.0, 10.0}
    booth_xs = {x for x, _ in data["features"][1]["geometry"]["coordinates"][0]}
    assert booth_xs == {0.3, 3.0}


def test_cyrillic_is_written_as_is():
    text = dumps_geojson(sample_plan())
    assert "Павильон «Тест»" in text and "\\u" not in text
    json.loads(text)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (
            doc(feature("booth", square(1, 1), number=12)),
            ["features[1]", "properties.number", "строка"],
        ),
        (doc(feature("booth", square(1, 1))), ["features[1]", "number"]),
        (doc(feature("stand", square(1, 1))), ["features[1]", "properties.kind", "stand"]),
        (
            doc(feature("booth", {"type": "Point", "coordinates": [1, 1]}, number="A1")),
            ["features[1]", "geometry", "Polygon"],
        ),
        (doc(feature("zone", square(1, 1), track="sport")), ["features[1]", "track", "sport"]),
        (doc(feature("zone", square(1, 1))), ["features[1]", "track"]),
        (
            doc(
                feature(
                    "booth",
                    {"type": "Polygon", "coordinates": [[[0, 0], ["1", 0], [1, 1], [0, 0]]]},
                    number="A1",
                )
            ),
            ["features[1]", "coordinates", "число"],
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [feature("booth", square(1, 1), number="A1")],
            },
            ["нет зала"],
        ),
        (doc(feature("hall", square(0, 0, 10))), ["несколько залов", "features[1]"]),
        ({"type": "FeatureCollection"}, ["features"]),
        ([], ["FeatureCollection"]),
        (doc(feature("booth", square(1e7, 1), number="A1")), ["features[1]", "метрах"]),
        (doc(units="ft"), ["units"]),
    ],
)
def test_wrong_documents_get_a_clear_message(data, words):
    with pytest.raises(PlanFormatError) as info:
        from_geojson(data)
    message = str(info.value)
    for word in words:
        assert word in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b'{"type": "FeatureCollection", "features": [', ["обрывается"]),
        (b"\x00\x01garbage", ["JSON"]),
        (b"{nonsense}", ["JSON", "строка 1"]),
        (b'{"type": "FeatureCollection", "features": [], "x": NaN}', ["JSON"]),
        (b"\xff\xfe\x00", ["UTF-8"]),
        (b"[" * 100_000, ["JSON"]),
    ],
)
def test_garbage_geojson_is_a_plan_format_error(raw, words):
    with pytest.raises(PlanFormatError) as info:
        parse_geojson(raw)
    for word in words:
        assert word in str(info.value)


def test_format_detection():
    assert detect_format(b"{}", "plan.geojson") == "geojson"
    assert detect_format(b"0\nSECTION\n", "plan.DXF") == "dxf"
    assert detect_format(b'  {"type": 1}', None) == "geojson"
    assert detect_format(b"  0\r\nSECTION\r\n  2\r\nHEADER", None) == "dxf"
    with pytest.raises(PlanFormatError):
        detect_format(b"%PDF-1.7", "plan.pdf")


def test_files_over_20_mb_are_refused_before_reading(tmp_path):
    big = tmp_path / "big.geojson"
    with big.open("wb") as fh:
        fh.truncate(MAX_PLAN_BYTES + 1)
    with pytest.raises(PlanFormatError, match="слишком большой"):
        load_plan(big)
    with pytest.raises(PlanFormatError, match="слишком большой"):
        read_plan(b" " * (MAX_PLAN_BYTES + 1), filename="x.geojson")


def test_missing_file_is_a_plan_format_error(tmp_path):
    with pytest.raises(PlanFormatError, match="Не удаётся прочитать"):
        load_plan(tmp_path / "nope.geojson")


def test_plan_may_be_drafted_with_null_numbers_and_checked_later():
    plan = from_geojson(doc(feature("booth", square(1, 1), number=None)))
    assert plan.booths[0].number is None
    assert "missing-number" in {e.rule for e in validate_plan(plan).errors}


def test_demo_plan():
    plan = load_plan(DEMO)
    assert plan.name == "Павильон 1"
    minx, miny, maxx, maxy = plan.hall.bounds
    assert 90 <= maxx - minx <= 110 and 50 <= maxy - miny <= 70
    report = validate_plan(plan, min_aisle=3.0)
    assert report.valid, [e.message for e in report.errors[:5]]
    assert len(plan.booths) >= 150
    assert all(9 - 0.01 <= f.area_m2 <= 54 + 0.01 for f in report.booths)
    assert len(Counter(round(f.area_m2) for f in report.booths)) >= 4  # mixed sizes
    assert len(plan.entrances) == 2
    assert [e.properties.get("main") for e in plan.entrances].count(True) == 1
    assert len(plan.exits) == 4
    assert all(1.8 <= e.geometry.length <= 2.4 for e in plan.exits)
    assert {z.track for z in plan.zones} == TRACKS and len(plan.zones) == 7
    assert all(o.properties.get("type") == "column" for o in plan.obstacles)
    numbers = [b.number for b in plan.booths]
    assert numbers[0] == "A1" and len(set(numbers)) == len(numbers)
    text = DEMO.read_text(encoding="utf-8")
    jsonschema.validate(json.loads(text), plan_schema())
    for f in json.loads(text)["features"]:
        for x in (
            json.dumps(f["geometry"]["coordinates"]).replace("[", "").replace("]", "").split(",")
        ):
            assert len(x.strip().partition(".")[2]) <= 3  # millimetres


def test_demo_zones_cover_booths():
    plan = load_plan(DEMO)
    for zone in plan.zones:
        inside = [b for b in plan.booths if zone.geometry.covers(b.polygon)]
        assert len(inside) >= 5, zone.track
