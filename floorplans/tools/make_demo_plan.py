"""Generate the demo plan floorplans/goroda-rossii-2025.geojson (deterministic).

Run from the project root: ``python floorplans/tools/make_demo_plan.py [-o OUT]``.

«Павильон 1»: a 100 × 60 m hall with a 12.5 × 12 m grid of 0.6 m columns, the main entrance
in the south wall and a second one in the west wall, four emergency exits, the automatic
layout of 3 × 3 m modules with 3 m aisles, then modules merged into 3×6, 6×6, 6×9 and 3×9
booths, seven track zones over blocks of booths, numbered in walking order; fire-safety
equipment: an extinguisher and an alarm call point beside every emergency exit, hose cabinets
and extinguishers on columns, a first-aid kit by the west entrance; five "you are here" poster
points (the two entrances, a column, two aisle crossings), steps at the west entrance, a
raised cable duct across an aisle and a narrow place by a column, which the step-free route
avoids.
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import shapely
from shapely.geometry import LineString, Point, box

from exhibit.floorplan.formats.geojson import dumps_geojson
from exhibit.floorplan.layout import layout_hall
from exhibit.floorplan.numbering import merge_booths, number_booths
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature, PlanPoint
from exhibit.floorplan.validate import validate_plan

HALL_NAME = "Павильон 1"
TRACKS = {
    "governance": "Эффективное управление территорией",
    "economy": "Экономика муниципалитета",
    "society": "Власть, бизнес, общество",
    "tourism": "Туризм и городская привлекательность",
    "human-capital": "Человеческий капитал",
    "living": "Города для жизни",
    "platform": "Платформенная экономика",
}


def empty_hall() -> Plan:
    """The hall with its columns, doors and exits, and no booths yet."""
    columns = []
    for j, y in enumerate((12.0, 24.0, 36.0, 48.0), start=1):
        for i, x in enumerate((12.5, 25.0, 37.5, 50.0, 62.5, 75.0, 87.5), start=1):
            columns.append(
                PlanFeature(
                    "obstacle",
                    box(x - 0.3, y - 0.3, x + 0.3, y + 0.3),
                    name=f"К{i}/{j}",
                    properties={"type": "column"},
                )
            )
    entrances = [
        PlanFeature("entrance", LineString([(45, 0), (51, 0)]), "Главный вход", {"main": True}),
        PlanFeature("entrance", LineString([(0, 28), (0, 32)]), "Западный вход", {}),
    ]
    exits = [
        PlanFeature("exit", LineString([(20, 60), (22, 60)]), "Аварийный выход 1", {}),
        PlanFeature("exit", LineString([(78, 60), (80, 60)]), "Аварийный выход 2", {}),
        PlanFeature("exit", LineString([(100, 19), (100, 21.2)]), "Аварийный выход 3", {}),
        PlanFeature("exit", LineString([(100, 40), (100, 42.4)]), "Аварийный выход 4", {}),
    ]
    return Plan(
        hall=box(0, 0, 100, 60),
        obstacles=columns,
        entrances=entrances,
        exits=exits,
        name=HALL_NAME,
        properties={
            "name": HALL_NAME,
            "units": "m",
            "min_aisle": 3.0,
            "exhibition": "goroda-rossii-2025",
            "assembly_point": (
                "Площадка перед главным входом МВЦ «Екатеринбург-ЭКСПО», у флагштоков"
            ),
        },
    )


def _runs(booths: list[PlanBooth], axis: int) -> list[list[PlanBooth]]:
    """Booths of one row split into runs of modules that touch one another."""
    key = (lambda b: b.polygon.bounds[0]) if axis == 0 else (lambda b: b.polygon.bounds[1])
    ordered = sorted(booths, key=key)
    runs: list[list[PlanBooth]] = []
    for b in ordered:
        if runs and runs[-1][-1].polygon.intersection(b.polygon).length > 0.5:
            runs[-1].append(b)
        else:
            runs.append([b])
    return runs


def _merge(parts: list[PlanBooth], row: str) -> PlanBooth:
    return PlanBooth(None, merge_booths([p.polygon for p in parts]), {"row": row})


def mixed_sizes(plan: Plan, rng: random.Random) -> Plan:
    """Merge modules into booths of mixed sizes (9–54 m²)."""
    rows: dict[str, list[PlanBooth]] = defaultdict(list)
    for b in plan.booths:
        rows[b.properties["row"]].append(b)
    out: list[PlanBooth] = []
    used: set[int] = set()

    # Back-to-back pairs: a booth of the south half and the one behind it (north half).
    behind = {}
    tree_polys = [b.polygon for b in plan.booths]
    tree = shapely.STRtree(tree_polys)
    for i, b in enumerate(plan.booths):
        minx, miny, maxx, maxy = b.polygon.bounds
        for j in tree.query(box(minx + 0.1, maxy - 0.1, maxx - 0.1, maxy + 0.1)):
            other = plan.booths[int(j)]
            if (
                j != i
                and abs(other.polygon.bounds[1] - maxy) < 1e-6
                and (other.properties["row"] != b.properties["row"])
            ):
                behind[id(b)] = other

    for letter, booths in rows.items():
        minx, miny, maxx, maxy = shapely.union_all([b.polygon for b in booths]).bounds
        along_x = (maxx - minx) >= (maxy - miny)
        for run in _runs(booths, 0 if along_x else 1):
            k = 0
            while k < len(run):
                if id(run[k]) in used:
                    k += 1
                    continue
                width = rng.choice((1, 1, 1, 2, 2, 3))
                chunk = [b for b in run[k : k + width] if id(b) not in used]
                k += width
                backs = [behind.get(id(b)) for b in chunk]
                can_deep = all(x is not None and id(x) not in used for x in backs)
                if can_deep and len(chunk) >= 2 and rng.random() < 0.6:
                    parts = chunk + backs  # 6×6 or 9×6 over both halves
                elif can_deep and len(chunk) == 1 and rng.random() < 0.25:
                    parts = chunk + backs  # 3×6 through the double row
                else:
                    parts = chunk
                try:
                    merged = _merge(parts, letter) if len(parts) > 1 else None
                except ValueError:  # not side by side (a column gap): keep the modules
                    merged = None
                    parts = chunk[:1]
                    k -= width - 1
                used.update(id(p) for p in parts)
                if merged is None:
                    out.append(PlanBooth(None, parts[0].polygon, {"row": letter}))
                else:
                    out.append(merged)
    return replace(plan, booths=out)


def _intervals(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Merge 1-D intervals that touch or overlap."""
    out: list[list[float]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1] + 1e-6:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


def _blocks(plan: Plan) -> list[list[shapely.Polygon]]:
    """The interior blocks (between the cross aisles and the aisles between double rows) as
    a grid of rectangles ``grid[band][column]`` from the south-west."""
    inner = [b.polygon for b in plan.booths if b.polygon.distance(plan.hall.exterior) > 1.0]
    xs = _intervals([(p.bounds[0], p.bounds[2]) for p in inner])
    ys = _intervals([(p.bounds[1], p.bounds[3]) for p in inner])
    return [[box(x0, y0, x1, y1) for x0, x1 in xs] for y0, y1 in ys]


def add_zones(plan: Plan) -> Plan:
    """Seven zones, one per track, each over whole blocks of booths (no zone overlaps)."""
    grid = _blocks(plan)
    assert len(grid) == 5 and all(len(band) == 3 for band in grid), "unexpected layout"
    groups = {
        "governance": [(0, 0), (1, 0)],
        "economy": [(0, 1), (1, 1)],
        "society": [(0, 2), (1, 2)],
        "tourism": [(2, 0), (2, 1), (2, 2)],
        "human-capital": [(3, 0), (3, 1)],
        "living": [(3, 2), (4, 2)],
        "platform": [(4, 0), (4, 1)],
    }
    zones = []
    for track, cells in groups.items():
        outline = shapely.union_all([grid[r][c] for r, c in cells]).envelope
        outline = shapely.set_precision(outline, 0.001)
        zones.append(PlanFeature("zone", outline, TRACKS[track], {"track": track}))
    return replace(plan, zones=zones)


def add_equipment(plan: Plan) -> Plan:
    """Fire-safety equipment on the walls beside the exits and on the columns' faces."""
    items = []

    def put(kind: str, x: float, y: float, name: str) -> None:
        items.append(PlanFeature("equipment", Point(x, y), name, {"type": kind}))

    # Beside every emergency exit, on the wall: an extinguisher on one side, a call point
    # on the other.
    beside = [((19.3, 60), (22.7, 60)), ((77.3, 60), (80.7, 60)),
              ((100, 18.3), (100, 21.9)), ((100, 39.3), (100, 43.1))]  # fmt: skip
    for n, (left, right) in enumerate(beside, start=1):
        put("extinguisher", *left, f"ОП-4 №{n}")
        put("alarm", *right, f"ИПР-{n}")
    # Hose cabinets and more extinguishers on the south faces of columns (in the aisles).
    for n, (x, y) in enumerate(((25.0, 12.0), (75.0, 12.0), (25.0, 48.0), (75.0, 48.0)), 1):
        put("hose", x, y - 0.3, f"ПК-{n}")
    for n, (x, y) in enumerate(((50.0, 24.0), (50.0, 36.0), (12.5, 36.0), (87.5, 24.0)), 5):
        put("extinguisher", x, y - 0.3, f"ОП-4 №{n}")
    put("alarm", 0, 27.3, "ИПР-5")
    put("first-aid", 0, 32.6, "Аптечка")
    return replace(plan, equipment=items)


def add_points(plan: Plan) -> Plan:
    """The "you are here" posters and the places the step-free route avoids."""
    points = (
        PlanPoint("P1", "Главный вход", (48.0, 2.0), 0.0, "entrance"),
        PlanPoint("P2", "Западный вход", (2.0, 30.0), 90.0, "entrance"),
        PlanPoint("P3", "Колонна К3/3", (37.5, 35.7), 0.0, "column"),
        PlanPoint("P4", "Перекрёсток в центре зала", (34.8, 24.9), 0.0, "crossing"),
        PlanPoint("P5", "Перекрёсток у восточных рядов", (64.8, 42.9), 270.0, "crossing"),
    )
    passages = [
        PlanFeature(
            "passage", LineString([(0.6, 28), (0.6, 32)]), "Ступени у западного входа",
            {"type": "steps"},
        ),
        PlanFeature(
            "passage", LineString([(56.0, 23.4), (56.0, 26.4)]), "Кабельный канал с порогом",
            {"type": "steps"},
        ),
        PlanFeature(
            "passage", box(74.4, 23.4, 75.6, 26.4), "Узко у колонны К6/2",
            {"type": "narrow", "width": 2.1},
        ),
    ]  # fmt: skip
    return replace(plan, points=points, passages=passages)


def make_demo_plan(seed: int = 2025) -> Plan:
    """The demo plan, checked: raises if it does not pass ``validate_plan``."""
    rng = random.Random(seed)
    laid = layout_hall(empty_hall(), module=(3.0, 3.0), aisle=3.0, orientation="x")
    plan = add_points(add_equipment(number_booths(add_zones(mixed_sizes(laid.plan, rng)))))
    report = validate_plan(plan, min_aisle=3.0)
    if not report.valid:
        raise SystemExit("demo plan has errors: " + "; ".join(e.message for e in report.errors))
    return plan


def main() -> None:
    """Write the demo plan."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1] / "goroda-rossii-2025.geojson"
    parser.add_argument("-o", "--output", type=Path, default=default)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    plan = make_demo_plan(args.seed)
    args.output.write_text(dumps_geojson(plan), encoding="utf-8")
    areas = [round(b.polygon.area) for b in plan.booths]
    print(f"{args.output}: {len(plan.booths)} booths, {min(areas)}–{max(areas)} m²")


if __name__ == "__main__":
    main()
