"""validate_plan: every rule on a small hand-made plan, a correct one and a broken one."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import LineString, Point, Polygon, box

from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature
from exhibit.floorplan.validate import ValidationReport, fmt, validate_plan


def make_plan(extra=(), *, booths=None, obstacles=(), entrances=None, exits=None) -> Plan:
    """A 30 × 20 m hall: a row of 4 booths against the north wall (A), a double row of
    2 × 4 in the middle (B, C), 3 m aisles or more everywhere; door in the south wall, an
    exit in the west wall. Valid as it is."""
    if booths is None:
        booths = [
            *(PlanBooth(f"A{i + 1}", box(3 + 3 * i, 17, 6 + 3 * i, 20)) for i in range(4)),
            *(PlanBooth(f"B{i + 1}", box(9 + 3 * i, 8, 12 + 3 * i, 11)) for i in range(4)),
            *(PlanBooth(f"C{i + 1}", box(9 + 3 * i, 11, 12 + 3 * i, 14)) for i in range(4)),
        ]
    if entrances is None:
        entrances = [
            PlanFeature("entrance", LineString([(13, 0), (17, 0)]), "Вход", {"main": True})
        ]
    if exits is None:
        exits = [PlanFeature("exit", LineString([(0, 9), (0, 11)]), "Выход 1")]
    return Plan(
        hall=box(0, 0, 30, 20),
        booths=[*booths, *extra],
        obstacles=list(obstacles),
        entrances=entrances,
        exits=exits,
        name="Тестовый зал",
    )


def rules(report: ValidationReport) -> list[str]:
    return sorted({e.rule for e in report.errors})


def column(x: float, y: float, name: str = "К1") -> PlanFeature:
    return PlanFeature(
        "obstacle", box(x - 0.3, y - 0.3, x + 0.3, y + 0.3), name, {"type": "column"}
    )


def test_the_base_plan_is_valid():
    report = validate_plan(make_plan())
    assert report.valid, report.errors
    assert report.errors == [] and report.warnings == []
    kinds = {f.number: f.kind for f in report.booths}
    assert kinds["A1"] == "corner" and kinds["A2"] == "linear"
    assert kinds["B1"] == "corner" and kinds["C2"] == "linear"


def test_report_json_has_exactly_the_contract_shape():
    plan = make_plan([PlanBooth("X1", box(10.5, 9, 13.5, 10))])
    doc = json.loads(json.dumps(validate_plan(plan).to_dict()))
    assert set(doc) == {"valid", "errors", "warnings", "booths"}
    assert doc["valid"] is False
    for issue in doc["errors"]:
        assert set(issue) == {"rule", "booth", "booths", "message", "location", "geometry"}
        assert issue["location"] is None or len(issue["location"]) == 2
        assert issue["booth"] is None or issue["booth"] == issue["booths"][0]
        assert issue["geometry"] is None or issue["geometry"]["type"] in (
            "Point", "LineString", "Polygon", "MultiPolygon", "MultiLineString"
        )  # fmt: skip
    assert set(doc["booths"][0]) == {"number", "area_m2", "kind", "open_sides"}
    assert doc["booths"][0] == {"number": "A1", "area_m2": 9.0, "kind": "corner", "open_sides": 2}


def test_invalid_polygon_says_where_it_crosses_itself():
    bowtie = Polygon([(24, 2), (27, 5), (27, 2), (24, 5)])
    report = validate_plan(make_plan([PlanBooth("X1", bowtie)]))
    (issue,) = [e for e in report.errors if e.rule == "invalid-polygon"]
    assert issue.booth == "X1"
    assert "самопересекается" in issue.message
    assert issue.location == (25.5, 3.5)
    assert report.booths[-1].number == "X1"  # still listed, with nothing computed


def test_invalid_hall_is_reported():
    plan = make_plan()
    plan.hall = Polygon([(0, 0), (30, 20), (30, 0), (0, 20)])
    report = validate_plan(plan)
    assert "invalid-polygon" in rules(report)


@pytest.mark.parametrize(
    ("booth", "expected"),
    [(box(27, 2, 30, 5), []), (box(28, 2, 31, 5), ["booth-outside-hall"])],
)
def test_booth_outside_hall(booth, expected):
    report = validate_plan(make_plan([PlanBooth("X1", booth)]))
    assert [r for r in rules(report) if r == "booth-outside-hall"] == expected
    if expected:
        issue = next(e for e in report.errors if e.rule == "booth-outside-hall")
        assert issue.booth == "X1" and "3 м²" in issue.message
        assert issue.location[0] > 30


def test_booth_over_obstacle():
    ok = validate_plan(make_plan(obstacles=[column(4, 4)]))
    assert ok.valid, ok.errors
    bad = validate_plan(make_plan(obstacles=[column(10.3, 9.3)]))
    issue = next(e for e in bad.errors if e.rule == "booth-over-obstacle")
    assert issue.booth == "B1" and "«К1»" in issue.message
    assert issue.location == pytest.approx((10.3, 9.3), abs=0.05)


def test_shared_walls_are_not_overlaps_but_overlaps_are():
    # B and C share walls everywhere: no overlap; X1 overlaps B1 and B2 by 1.5 m² each.
    assert "booth-overlap" not in rules(validate_plan(make_plan()))
    report = validate_plan(make_plan([PlanBooth("X1", box(10.5, 9, 13.5, 10))]))
    overlaps = [e for e in report.errors if e.rule == "booth-overlap"]
    assert len(overlaps) == 2
    assert "Стенд B1 пересекается со стендом X1 на 1,5 м²" in overlaps[0].message


def test_tiny_overlap_from_rounding_noise_is_tolerated():
    # Walls that should coincide differ by 1e-6 m, as in real drawings.
    nudged = [PlanBooth("X1", box(24, 5 - 1e-6, 27, 8)), PlanBooth("X2", box(24, 0, 27, 5 + 1e-6))]
    report = validate_plan(make_plan(nudged))
    assert report.valid, report.errors
    assert report.booths[-1].area_m2 == 15.0


def test_duplicate_and_missing_numbers():
    report = validate_plan(make_plan([PlanBooth("B1", box(27, 0, 30, 3))]))
    dup = next(e for e in report.errors if e.rule == "duplicate-number")
    assert dup.booth == "B1" and "B1" in dup.message
    report = validate_plan(make_plan([PlanBooth(None, box(27, 0, 30, 3))]))
    missing = next(e for e in report.errors if e.rule == "missing-number")
    assert missing.booth is None and missing.location == (28.5, 1.5)


def test_aisle_too_narrow_between_rows():
    # A row 2 m south of the B row, open at both ends: a narrow aisle.
    row = [PlanBooth(f"D{i + 1}", box(9 + 3 * i, 3, 12 + 3 * i, 6)) for i in range(4)]
    report = validate_plan(make_plan(row))
    issue = next(e for e in report.errors if e.rule == "aisle-too-narrow")
    assert "шириной 2 м" in issue.message and "меньше минимальных 3 м" in issue.message
    x, y = issue.location
    assert 9 <= x <= 21 and 6 <= y <= 8
    # The same plan with a 2 m minimum is fine.
    assert "aisle-too-narrow" not in rules(validate_plan(make_plan(row), min_aisle=2.0))


def test_a_narrow_aisle_is_one_finding_naming_every_booth_along_it_with_its_stretch():
    """Two rows of eight with 2 m between them, cut in two by a 3 m crossing: one finding,
    every booth of both rows named, and the narrow stretch as its geometry."""
    north = [
        PlanBooth(
            f"N{i + 1}",
            box(2 + 3 * i + (3 if i >= 4 else 0), 9, 5 + 3 * i + (3 if i >= 4 else 0), 12),
        )
        for i in range(8)
    ]
    south = [PlanBooth(f"S{i + 1}", box(2 + 3 * i + (3 if i >= 4 else 0), 4, 5 + 3 * i
                                        + (3 if i >= 4 else 0), 7)) for i in range(8)]  # fmt: skip
    plan = Plan(
        hall=box(-2, 0, 33, 16), booths=north + south,
        entrances=[PlanFeature("entrance", LineString([(13, 0), (17, 0)]), "Вход",
                               {"main": True})],
        exits=[PlanFeature("exit", LineString([(-2, 13), (-2, 15)]), "Выход")],
    )  # fmt: skip
    report = validate_plan(plan)
    narrow = [e for e in report.errors if e.rule == "aisle-too-narrow"]
    assert len(narrow) == 1, [e.message for e in narrow]
    (issue,) = narrow
    assert set(issue.booths) == {b.number for b in north + south}
    assert issue.geometry is not None
    # The stretch runs the length of both rows, between them.
    x0, y0, x1, y1 = issue.geometry.bounds
    assert x0 <= 3 and x1 >= 26 and y0 >= 7 and y1 <= 9
    doc = issue.to_dict()
    assert doc["booths"] == issue.booths and doc["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_aisle_of_exactly_the_minimum_passes_and_5_cm_less_does_not():
    # Between the A row (y ≥ 17) and the C row (y ≤ 14) the base plan has exactly 3 m.
    assert validate_plan(make_plan()).valid
    shifted = [
        PlanBooth(b.number, box(b.polygon.bounds[0], 16.95, b.polygon.bounds[2], 19.95))
        if b.number.startswith("A")
        else b
        for b in make_plan().booths
    ]
    report = validate_plan(make_plan(booths=shifted))
    issue = next(e for e in report.errors if e.rule == "aisle-too-narrow")
    # Named by the two booths facing each other across it.
    pair = {issue.booth[0], issue.related[0][0]}
    assert pair == {"A", "C"}, issue.message


def test_column_in_the_middle_of_an_aisle_narrows_it():
    report = validate_plan(make_plan(obstacles=[column(12, 15.5)]))
    issue = next(e for e in report.errors if e.rule == "aisle-too-narrow")
    assert "колонн" in issue.message and "1,2 м" in issue.message


@pytest.mark.parametrize("where", [(16, 4), (16, 7.0)])
def test_column_beside_a_wide_passage_is_fine(where):
    # In the middle of the 8 m space, or 0.7 m from a row with 7 m on the other side.
    assert validate_plan(make_plan(obstacles=[column(*where)])).valid


def test_column_in_a_niche_is_not_a_passage():
    booths = [b for b in make_plan().booths if b.number != "C2"]
    report = validate_plan(make_plan(booths=booths, obstacles=[column(13.5, 11.5)]))
    assert report.valid, report.errors


def test_booth_unreachable_when_enclosed():
    ring = [
        box(21, 0, 24, 3),
        box(24, 0, 27, 3),
        box(27, 0, 30, 3),
        box(21, 3, 24, 6),
        box(27, 3, 30, 6),
        box(21, 6, 24, 9),
        box(24, 6, 27, 9),
        box(27, 6, 30, 9),
    ]
    booths = [PlanBooth(f"R{i}", g) for i, g in enumerate(ring)]
    report = validate_plan(make_plan([*booths, PlanBooth("Z1", box(24, 3, 27, 6))]))
    unreachable = {e.booth for e in report.errors if e.rule == "booth-unreachable"}
    assert "Z1" in unreachable
    assert "R0" not in unreachable  # it opens onto the aisle
    assert report.booths[-1].open_sides == 0 and report.booths[-1].kind == "linear"


def test_booth_unreachable_behind_a_narrow_gap():
    # A booth in the corner reachable only through a 1 m gap.
    booths = [
        PlanBooth("W1", box(24, 14, 30, 17)),
        PlanBooth("W2", box(23, 17, 24, 20)),
        PlanBooth("Z1", box(25, 18, 30, 20)),
    ]
    report = validate_plan(make_plan(booths))
    assert "Z1" in {e.booth for e in report.errors if e.rule == "booth-unreachable"}


def test_no_entrance_and_blocked_entrance():
    report = validate_plan(make_plan(entrances=[]))
    assert "no-entrance" in rules(report)
    blocked = make_plan([PlanBooth("X1", box(12, 0, 18, 3))])
    report = validate_plan(blocked)
    assert "entrance-blocked" in rules(report)


def test_exit_blocked_by_a_booth_and_by_an_obstacle():
    report = validate_plan(make_plan([PlanBooth("X1", box(0, 7, 3, 10))]))
    issue = next(e for e in report.errors if e.rule == "exit-blocked")
    assert issue.booth == "X1" and "«Выход 1»" in issue.message
    # 1.5 m in front of the exit is not enough clearance (2 m needed), 2.5 m is.
    report = validate_plan(make_plan([PlanBooth("X1", box(1.5, 9, 4.5, 11))]))
    assert "exit-blocked" in rules(report)
    report = validate_plan(make_plan(obstacles=[column(1, 10)]))
    assert any(e.rule == "exit-blocked" and e.booth is None for e in report.errors)


def test_exit_clearance_is_configurable():
    plan = make_plan([PlanBooth("X1", box(1.5, 9, 4.5, 11))])
    assert "exit-blocked" not in rules(validate_plan(plan, exit_clearance=1.0))


def test_warnings_for_missing_or_misplaced_doors():
    report = validate_plan(make_plan(exits=[]))
    assert report.valid and [w.rule for w in report.warnings] == ["no-exit"]
    off = [PlanFeature("exit", Point(15, 5), "Где-то в зале")]
    report = validate_plan(make_plan(exits=off))
    assert "exit-off-wall" in {w.rule for w in report.warnings}


def test_zone_outside_hall_is_a_warning():
    plan = make_plan()
    plan.zones = [PlanFeature("zone", box(25, 15, 35, 25), "Туризм", {"track": "tourism"})]
    report = validate_plan(plan)
    assert report.valid
    assert [w.rule for w in report.warnings] == ["zone-outside-hall"]


def test_l_shaped_hall_and_booths():
    hall = Polygon([(0, 0), (30, 0), (30, 12), (12, 12), (12, 30), (0, 30)])
    l_booth = Polygon([(3, 3), (9, 3), (9, 6), (6, 6), (6, 9), (3, 9)])
    plan = Plan(
        hall=hall,
        booths=[PlanBooth("L1", l_booth), PlanBooth("R1", box(18, 3, 24, 6))],
        entrances=[PlanFeature("entrance", LineString([(20, 0), (24, 0)]), "Вход")],
        exits=[PlanFeature("exit", LineString([(0, 20), (0, 22)]), "Выход")],
    )
    report = validate_plan(plan)
    assert report.valid, report.errors
    assert report.booths[0].area_m2 == 27.0 and report.booths[0].kind == "island"


def test_empty_plan_is_valid_but_says_nothing_about_booths():
    report = validate_plan(make_plan(booths=[]))
    assert report.valid and report.booths == []


def test_fmt_writes_numbers_the_russian_way():
    assert fmt(1.5) == "1,5"
    assert fmt(3.0) == "3"
    assert fmt(0.004) == "0"
    assert fmt(2.345, 1) == "2,3"
    assert fmt(100, 0) == "100"
