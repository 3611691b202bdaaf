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


# --------------------------------------------------------------------------- schema messages
#
# Each kind of schema error the plan format has, in a plan with a few good booths around
# the broken one: the message must name the feature (its index, its kind and booth number)
# and the field, and say what is wrong in words, not in jsonschema's English.


def booths_around(broken, before=2, after=2, **top):
    """A plan with ``before`` good booths, then ``broken`` (a feature), then ``after``."""
    good = [feature("booth", square(3 * i, 10), number=f"A{i}") for i in range(before + after)]
    return doc(*good[:before], broken, *good[before:], **top)


BROKEN = 3  # the index of ``broken`` in booths_around(): hall, A0, A1, broken, …


@pytest.mark.parametrize(
    ("broken", "label", "field", "words"),
    [
        pytest.param(
            feature("booth", square(1, 1)),
            "(стенд)",
            "properties",
            ["нет обязательного поля «number»"],
            id="missing property",
        ),
        pytest.param(
            {"type": "Feature", "properties": {"kind": "booth", "number": "B1"}},
            "(стенд B1)",
            None,
            ["нет обязательного поля «geometry»"],
            id="missing geometry",
        ),
        pytest.param(
            feature("booth", square(1, 1), number=7),
            "(стенд)",
            "properties.number",
            ["ожидается строка или null, а не число"],
            id="wrong type",
        ),
        pytest.param(
            feature("booth", square(1, 1), number="B1", price="дорого"),
            "(стенд B1)",
            "properties.price",
            ["ожидается число или null, а не строка"],
            id="wrong type of an optional property",
        ),
        pytest.param(
            feature("booth", {"type": "Point", "coordinates": [1, 1]}, number="B1"),
            "(стенд B1)",
            "geometry.type",
            ["геометрия не того типа", "Polygon"],
            id="wrong geometry type",
        ),
        pytest.param(
            feature("booth", {"type": "Polygon"}, number="B1"),
            "(стенд B1)",
            "geometry",
            ["нет обязательного поля «coordinates»"],
            id="geometry without coordinates",
        ),
        pytest.param(
            feature(
                "booth",
                {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
                number="B1",
            ),
            "(стенд B1)",
            "geometry.coordinates[0]",
            ["в кольце многоугольника не меньше 4 точек"],
            id="ring too short",
        ),
        pytest.param(
            feature("booth", {"type": "Polygon", "coordinates": []}, number="B1"),
            "(стенд B1)",
            "geometry.coordinates",
            ["нет ни одного кольца"],
            id="polygon without rings",
        ),
        pytest.param(
            feature(
                "booth",
                {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1], [0, 0]]]},
                number="B1",
            ),
            "(стенд B1)",
            "geometry.coordinates[0][2]",
            ["у точки должно быть 2 или 3 координаты"],
            id="position too short",
        ),
        pytest.param(
            feature(
                "booth",
                {"type": "Polygon", "coordinates": [[[0, 0], [1, "0"], [1, 1], [0, 0]]]},
                number="B1",
            ),
            "(стенд B1)",
            "geometry.coordinates[0][1][1]",
            ["ожидается число, а не строка"],
            id="coordinate not a number",
        ),
        pytest.param(
            feature("zone", {"type": "Point", "coordinates": [1, 1]}, track="economy"),
            "(зона)",
            "geometry",
            ['геометрия не того типа "Point"', "Polygon или MultiPolygon"],
            id="zone with a point",
        ),
        pytest.param(
            feature(
                "zone",
                {"type": "MultiPolygon", "coordinates": [[[[0, 0], [9, 0], [9, "9"], [0, 0]]]]},
                track="economy",
            ),
            "(зона)",
            "geometry.coordinates[0][0][2][1]",
            ["ожидается число, а не строка"],
            id="zone multipolygon with a bad coordinate",
        ),
        pytest.param(
            feature("exit", {"type": "LineString", "coordinates": [[0, 5]]}),
            "(выход)",
            "geometry.coordinates",
            ["у линии не меньше 2 точек"],
            id="exit line of one point",
        ),
        pytest.param(
            feature("entrance", {"type": "MultiPolygon", "coordinates": []}),
            "(вход)",
            "geometry",
            ['не того типа "MultiPolygon"', "LineString, Point или Polygon"],
            id="entrance of a type no entrance has",
        ),
        pytest.param(
            feature("equipment", {"type": "Point", "coordinates": [1]}, type="hose"),
            "(оборудование)",
            "geometry.coordinates",
            ["у точки должно быть 2 или 3 координаты"],
            id="equipment point of one coordinate",
        ),
        pytest.param(
            feature("zone", square(1, 1), track="sport"),
            "(зона)",
            "properties.track",
            ['недопустимое значение "sport"', "tourism"],
            id="unknown track",
        ),
        pytest.param(
            feature("equipment", {"type": "Point", "coordinates": [1, 1]}, type="bomb"),
            "(оборудование)",
            "properties.type",
            ['недопустимое значение "bomb"', "extinguisher"],
            id="unknown equipment type",
        ),
        pytest.param(
            feature("obstacle", square(1, 1), type="tree"),
            "(препятствие)",
            "properties.type",
            ['недопустимое значение "tree"', "column"],
            id="unknown obstacle type",
        ),
        pytest.param(
            feature("stand", square(1, 1)),
            "",
            "properties.kind",
            ['неизвестный вид "stand"', "booth"],
            id="unknown kind",
        ),
        pytest.param(
            feature("booth", square(1, 1), number="B1", price=-5),
            "(стенд B1)",
            "properties.price",
            ["должно быть не меньше 0, а не -5"],
            id="below the minimum",
        ),
        pytest.param(
            feature("booth", square(1, 1), number="B" * 40),
            "(стенд " + "B" * 40 + ")",
            "properties.number",
            ["слишком длинное: 40 знаков (не больше 32)"],
            id="too long",
        ),
        pytest.param(
            feature("entrance", {"type": "Point", "coordinates": [1, 1]}, main="да"),
            "(вход)",
            "properties.main",
            ["ожидается логическое значение, а не строка"],
            id="wrong type of a flag",
        ),
        pytest.param(
            {"type": "Feature", "geometry": square(1, 1)},
            "",
            None,
            ["нет обязательного поля «properties»"],
            id="feature without properties",
        ),
        pytest.param("стенд", "", None, ["ожидается объект, а не строка"], id="not an object"),
    ],
)
def test_schema_errors_name_the_feature_and_the_field(broken, label, field, words):
    with pytest.raises(PlanFormatError) as info:
        from_geojson(booths_around(broken))
    error = info.value
    message = str(error)
    where = f"объект features[{BROKEN}]" + (f" {label}" if label else "")
    where += f", поле {field}:" if field else ":"
    assert message.startswith(f"Ошибка в плане: {where} "), message
    for word in words:
        assert word in message, message
    assert (error.feature, error.field) == (BROKEN, field)
    assert "\n" not in message and "Ещё" not in message  # one broken feature
    assert not any(english in message for english in ("is not", "is too", "minimum", "'"))


@pytest.mark.parametrize(
    ("top", "field", "words"),
    [
        ({"units": "ft"}, "properties.units", ['должно быть "m"']),
        ({"min_aisle": 0}, "properties.min_aisle", ["должно быть больше 0, а не 0"]),
        ({"exit_clearance": -1}, "properties.exit_clearance", ["не меньше 0, а не -1"]),
        ({"version": 1.5}, "properties.version", ["строка или целое число, а не число"]),
        ({"name": ["Зал"]}, "properties.name", ["ожидается строка, а не массив"]),
    ],
)
def test_errors_of_the_plan_itself_name_the_field(top, field, words):
    with pytest.raises(PlanFormatError) as info:
        from_geojson(booths_around(feature("booth", square(1, 1), number="B1"), **top))
    message = str(info.value)
    assert message.startswith(f"Ошибка в плане: план, поле {field}: "), message
    assert (info.value.feature, info.value.field) == (None, field)
    for word in words:
        assert word in message, message


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"type": "FeatureCollection", "features": []}, "features", ["нет ни одного объекта"]),
        ({"type": "FeatureCollection", "features": {}}, "features", ["массив, а не объект"]),
        (
            {"type": "Collection", "features": [feature("hall", square(0, 0, 9))]},
            "type",
            ["FeatureCollection"],
        ),
    ],
)
def test_errors_of_the_feature_list_name_the_field(data, field, words):
    with pytest.raises(PlanFormatError) as info:
        from_geojson(data)
    assert info.value.field == field
    for word in words:
        assert word in str(info.value), str(info.value)


def big_document(booths: int) -> dict:
    from exhibit.floorplan.samples import synthetic_hall

    return to_geojson(synthetic_hall(booths, noise=1e-6, seed=booths))


def booth_indices(data: dict) -> list[int]:
    return [i for i, f in enumerate(data["features"]) if f["properties"]["kind"] == "booth"]


def test_many_broken_features_name_the_first_and_count_the_rest():
    data = big_document(400)
    booths = booth_indices(data)
    for i in booths[150:]:
        data["features"][i]["properties"]["number"] = 7
    with pytest.raises(PlanFormatError) as info:
        from_geojson(data)
    message = str(info.value)
    first = booths[150]
    assert message.startswith(f"Ошибка в плане: объект features[{first}] (стенд), поле "), message
    assert info.value.feature == first and info.value.field == "properties.number"
    assert message.endswith(f" Ещё объектов с ошибками: {len(booths) - 151}."), message


def test_the_first_broken_feature_in_the_file_is_named():
    """Whatever is broken where: the first broken feature in file order is named (the one to
    fix first), with its most relevant error; the plan's own properties come before it."""
    data = big_document(300)
    booths = booth_indices(data)
    features = data["features"]
    features[booths[250]]["properties"]["number"] = 5  # shallow, late
    features[booths[10]]["geometry"]["coordinates"][0][1] = [1]  # deep, early
    features[booths[10]]["properties"]["price"] = -1  # shallower, same booth
    with pytest.raises(PlanFormatError) as info:
        from_geojson(data)
    number = features[booths[10]]["properties"]["number"]
    assert (info.value.feature, info.value.field) == (booths[10], "properties.price")
    assert f"(стенд {number}), поле properties.price: должно быть не меньше 0" in str(info.value)
    assert str(info.value).endswith(" Ещё объектов с ошибками: 1.")
    data["properties"]["min_aisle"] = "3 м"
    with pytest.raises(PlanFormatError) as info:
        from_geojson(data)
    assert (info.value.feature, info.value.field) == (None, "properties.min_aisle")


def test_the_compiled_validator_agrees_with_the_reference_one():
    """jsonschema-rs decides what is valid (the fast path); ``jsonschema`` explains. They must
    agree on valid documents and on every broken case above."""
    import jsonschema_rs

    fast = jsonschema_rs.Draft202012Validator(plan_schema())
    reference = jsonschema.Draft202012Validator(plan_schema())
    good = [json.loads(DEMO.read_text(encoding="utf-8")), big_document(200), doc()]
    for data in good:
        assert fast.is_valid(data) and reference.is_valid(data)
    cases = test_schema_errors_name_the_feature_and_the_field.pytestmark[0].args[1]
    for case in cases:
        data = booths_around(case.values[0])
        assert fast.is_valid(data) is reference.is_valid(data) is False, case.id


def test_a_valid_document_is_never_walked_by_the_slow_validator(monkeypatch):
    """The reference validator (pure Python, ~0.5 ms a feature) runs only to explain errors."""
    from exhibit.floorplan.formats import geojson

    def refuse(*args, **kwargs):
        raise AssertionError("the reference validator ran on a valid document")

    monkeypatch.setattr(geojson, "_validator", refuse)
    plan = from_geojson(big_document(2_000))
    assert len(plan.booths) == 2_000


def test_geometry_types_follow_the_schema():
    from exhibit.floorplan.formats.geojson import geometry_types

    assert geometry_types() == {
        "hall": ("Polygon",),
        "booth": ("Polygon",),
        "obstacle": ("Polygon",),
        "zone": ("Polygon", "MultiPolygon"),
        "entrance": ("LineString", "Point", "Polygon"),
        "exit": ("LineString", "Point", "Polygon"),
        "equipment": ("Point",),
        "point": ("Point",),
        "passage": ("LineString", "Polygon"),
    }


def test_non_finite_numbers_are_named():
    """Not JSON, but a document built in Python may hold them: jsonschema-rs refuses them,
    ``jsonschema`` would not; either way the feature and the field are named."""
    broken = feature("booth", square(1, 1), number="B1")
    broken["geometry"]["coordinates"][0][1] = [float("nan"), 0.0]
    with pytest.raises(PlanFormatError) as info:
        from_geojson(booths_around(broken))
    assert str(info.value) == (
        "Ошибка в плане: объект features[3] (стенд B1), поле geometry.coordinates[0][1][0]: "
        "не конечное число (nan)."
    )
    broken = feature("booth", square(1, 1), number="B1", price=float("inf"))
    with pytest.raises(PlanFormatError, match=r"поле properties.price: не конечное число"):
        from_geojson(booths_around(broken))


# --------------------------------------------------------------------------- building


def test_polygons_built_in_bulk_are_the_ones_shape_builds():
    """Booths are built in one vectorised go; the result must be what ``shape()`` gives,
    feature by feature, for holes, 3D positions and rings left open as well."""
    import shapely
    from shapely.geometry import shape

    holed = {
        "type": "Polygon",
        "coordinates": [
            [[0, 0], [6, 0], [6, 6], [0, 6], [0, 0]],
            [[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]],
        ],
    }
    in_3d = {"type": "Polygon", "coordinates": [[[7, 0, 1], [9, 0, 1], [9, 2, 1], [7, 0, 1]]]}
    left_open = {"type": "Polygon", "coordinates": [[[10, 0], [12, 0], [12, 2], [10, 2]]]}
    data = doc(
        feature("booth", holed, number="B1"),
        feature("booth", in_3d, number="B2"),
        feature("booth", left_open, number="B3"),
        feature("obstacle", square(20, 20, 1), type="column"),
        feature(
            "zone",
            {"type": "MultiPolygon", "coordinates": [square(0, 0, 9)["coordinates"]]},
            track="economy",
        ),
        feature("exit", {"type": "LineString", "coordinates": [[0, 5], [0, 7]]}),
    )
    plan = from_geojson(data)
    built = [plan.hall, *(b.polygon for b in plan.booths), plan.obstacles[0].geometry]
    sources = [data["features"][i]["geometry"] for i in (0, 1, 2, 3, 4)]
    for geom, source in zip(built, sources, strict=True):
        expected = shapely.force_2d(shape(source))
        assert geom.geom_type == "Polygon" and not geom.has_z
        assert geom.equals_exact(expected, 0), (geom.wkt, expected.wkt)
    assert len(plan.booths[0].polygon.interiors) == 1
    assert plan.zones[0].geometry.geom_type == "MultiPolygon"


def test_a_polygon_the_bulk_build_cannot_take_is_named_by_the_feature_by_feature_one():
    """Positions of mixed dimensions (2D and 3D in one ring) break the bulk build; the
    feature-by-feature build then names the feature, as it always did."""
    mixed = {"type": "Polygon", "coordinates": [[[0, 0], [3, 0, 5], [3, 3], [0, 0]]]}
    with pytest.raises(PlanFormatError) as info:
        from_geojson(
            doc(feature("booth", square(5, 5), number="B0"), feature("booth", mixed, number="B1"))
        )
    assert (info.value.feature, info.value.field) == (2, "geometry")
    assert "features[2]" in str(info.value)
