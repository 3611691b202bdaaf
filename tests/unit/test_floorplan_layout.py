"""Automatic layout, numbering in walking order, splitting and merging booths."""

from __future__ import annotations

import re

import pytest
import shapely
from shapely.geometry import LineString, Polygon, box

from exhibit.floorplan.layout import layout_hall, parse_module
from exhibit.floorplan.numbering import (
    merge_booths,
    number_booths,
    row_letter,
    split_booth,
    walking_order,
)
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature
from exhibit.floorplan.validate import validate_plan


def empty_hall(width=60.0, height=40.0, columns=True) -> Plan:
    obstacles = []
    if columns:
        for x in range(12, int(width), 12):
            for y in range(12, int(height), 12):
                obstacles.append(
                    PlanFeature("obstacle", box(x - 0.3, y - 0.3, x + 0.3, y + 0.3), f"К{x}/{y}")
                )
    return Plan(
        hall=box(0, 0, width, height),
        obstacles=obstacles,
        entrances=[
            PlanFeature(
                "entrance",
                LineString([(width / 2 - 3, 0), (width / 2 + 3, 0)]),
                "Главный вход",
                {"main": True},
            ),
        ],
        exits=[
            PlanFeature("exit", LineString([(10, height), (12, height)]), "Выход 1"),
            PlanFeature("exit", LineString([(width, 20), (width, 22)]), "Выход 2"),
        ],
        name="Зал",
    )


def test_layout_fills_the_hall_and_passes_the_check():
    result = layout_hall(empty_hall())
    assert result.booth_count > 60
    assert 0.3 < result.sellable_ratio < 0.8
    report = validate_plan(result.plan, min_aisle=3.0)
    assert report.valid, [e.message for e in report.errors[:5]]
    areas = {round(b.polygon.area, 2) for b in result.plan.booths}
    assert areas == {9.0}
    area = sum(b.polygon.area for b in result.plan.booths)
    assert result.sellable_ratio == pytest.approx(area / result.plan.hall.area)


def test_layout_with_other_module_and_aisle():
    result = layout_hall(empty_hall(columns=False), module=(3.0, 2.0), aisle=4.0, orientation="y")
    report = validate_plan(result.plan, min_aisle=4.0)
    assert report.valid, [e.message for e in report.errors[:5]]
    assert {round(b.polygon.area, 2) for b in result.plan.booths} == {6.0}


def test_layout_keeps_clear_of_columns_and_exits():
    plan = empty_hall()
    result = layout_hall(plan)
    columns = shapely.union_all([o.geometry for o in plan.obstacles])
    for booth in result.plan.booths:
        assert booth.polygon.intersection(columns).area == 0
    for ex in plan.exits:
        zone = ex.geometry.buffer(2.0, cap_style="flat").intersection(plan.hall)
        assert all(b.polygon.intersection(zone).area < 1e-9 for b in result.plan.booths)


def test_layout_of_an_l_shaped_hall():
    hall = Polygon([(0, 0), (50, 0), (50, 20), (20, 20), (20, 45), (0, 45)])
    plan = Plan(
        hall=hall,
        entrances=[PlanFeature("entrance", LineString([(30, 0), (36, 0)]), "Вход", {"main": True})],
        exits=[PlanFeature("exit", LineString([(0, 40), (0, 42)]), "Выход")],
    )
    result = layout_hall(plan)
    assert result.booth_count > 30
    assert validate_plan(result.plan).valid


def test_layout_of_a_region_keeps_the_rest():
    plan = empty_hall(columns=False)
    plan.booths = [PlanBooth("A1", box(0, 37, 3, 40)), PlanBooth("A2", box(3, 37, 6, 40))]
    region = box(25, 0, 60, 40)
    result = layout_hall(plan, region=region)
    numbers = [b.number for b in result.plan.booths]
    assert numbers[:2] == ["A1", "A2"]
    new = result.plan.booths[2:]
    assert new and all(region.covers(b.polygon) for b in new)
    assert all(not b.number.startswith("A") for b in new)  # new rows continue after A
    assert validate_plan(result.plan).valid


def test_layout_rejects_nonsense():
    with pytest.raises(ValueError):
        layout_hall(empty_hall(), module=(0, 3))
    with pytest.raises(ValueError):
        layout_hall(empty_hall(), region=box(100, 100, 110, 110))


@pytest.mark.parametrize(
    ("text", "size"),
    [("3x3", (3.0, 3.0)), ("3×6", (3.0, 6.0)), ("2,5x4", (2.5, 4.0)), ("4", (4.0, 4.0))],
)
def test_parse_module(text, size):
    assert parse_module(text) == size


@pytest.mark.parametrize("text", ["", "3x", "ax3", "0x3", "3x3x3", "-1x2"])
def test_parse_module_rejects(text):
    with pytest.raises(ValueError):
        parse_module(text)


def test_row_letters_skip_i_and_o():
    assert [row_letter(i) for i in (0, 1, 7, 8, 12, 23, 24, 25)] == [
        "A",
        "B",
        "H",
        "J",
        "N",
        "Z",
        "AA",
        "AB",
    ]


def test_numbering_walks_from_the_main_entrance():
    # Two rows parallel to the south wall; the entrance is at the east end of that wall.
    booths = [PlanBooth(None, box(x, y, x + 3, y + 3)) for y in (20, 5) for x in (3, 6, 9, 12)]
    plan = Plan(
        hall=box(0, 0, 20, 30),
        booths=booths,
        entrances=[
            PlanFeature("entrance", LineString([(0, 25), (0, 28)]), "Боковой"),
            PlanFeature("entrance", LineString([(15, 0), (19, 0)]), "Главный", {"main": True}),
        ],
    )
    numbered = number_booths(plan)
    where = {b.number: b.polygon.bounds[:2] for b in numbered.booths}
    # Row A is nearest the entrance wall, numbered from the end nearer the door (east).
    assert where["A1"] == (12.0, 5.0) and where["A4"] == (3.0, 5.0)
    assert where["B1"] == (12.0, 20.0)
    assert [b.properties["row"] for b in numbered.booths] == ["A"] * 4 + ["B"] * 4
    assert walking_order(plan)[0] == [7, 6, 5, 4]


def test_numbering_of_the_layout_is_unique_and_well_formed():
    result = layout_hall(empty_hall())
    numbers = [b.number for b in result.plan.booths]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"[A-HJ-NP-Z]+[1-9]\d*", n) for n in numbers)
    assert numbers[0] == "A1"
    # The first booth is the nearest one in the row nearest the main entrance.
    first = result.plan.booths[0].polygon
    assert first.bounds[1] == min(b.polygon.bounds[1] for b in result.plan.booths)


def test_split_a_3x6_booth_into_two_3x3():
    parts = split_booth(box(0, 0, 6, 3))
    assert [p.bounds for p in parts] == [(0, 0, 3, 3), (3, 0, 6, 3)]
    parts = split_booth(box(0, 0, 3, 6), parts=3)
    assert [round(p.area, 3) for p in parts] == [6.0, 6.0, 6.0]
    assert split_booth(box(0, 0, 6, 6), direction="y")[0].bounds == (0, 0, 6, 3)


def test_split_an_l_shape_into_equal_areas():
    L = Polygon([(0, 0), (6, 0), (6, 3), (3, 3), (3, 6), (0, 6)])
    parts = split_booth(L, direction="x")
    assert [round(p.area, 2) for p in parts] == [13.5, 13.5]
    assert shapely.union_all(parts).equals(L)


def test_split_refuses_to_make_a_two_piece_part():
    U = Polygon([(0, 0), (9, 0), (9, 6), (6, 6), (6, 3), (3, 3), (3, 6), (0, 6)])
    with pytest.raises(ValueError, match="из двух кусков"):
        split_booth(U, parts=3, direction="y")
    with pytest.raises(ValueError):
        split_booth(box(0, 0, 3, 3), parts=1)


def test_merge_adjacent_booths():
    merged = merge_booths([box(0, 0, 3, 3), box(3, 0, 6, 3), box(0, 3, 6, 6)])
    assert merged.equals(box(0, 0, 6, 6))
    assert len(merged.exterior.coords) == 5  # collinear vertices dropped
    # With rounding noise on the shared wall.
    merged = merge_booths([box(0, 0, 3, 3), box(3.0000004, 0, 6, 3)])
    assert merged.area == pytest.approx(18.0)


@pytest.mark.parametrize(
    ("polys", "words"),
    [
        ([box(0, 0, 3, 3), box(4, 0, 7, 3)], "не примыкают"),
        ([box(0, 0, 3, 3), box(3, 3, 6, 6)], "не примыкают"),  # corner only
        ([box(0, 0, 3, 3), box(2, 0, 5, 3)], "перекрываются"),
        ([box(0, 0, 3, 3)], "хотя бы два"),
        (
            [box(0, 0, 9, 3), box(0, 3, 3, 6), box(6, 3, 9, 6), box(0, 6, 9, 9)],
            "дыр",
        ),
    ],
)
def test_merge_refuses(polys, words):
    with pytest.raises(ValueError, match=words):
        merge_booths(polys)
