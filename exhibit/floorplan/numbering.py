"""Booth numbers in walking order, and splitting and merging booths.

Walking order
-------------
The walk starts at the main entrance (the entrance with ``main: true``, else the first one,
else the hall's lower left corner) and goes *into* the hall, perpendicular to the wall the
entrance is on. Booths are grouped into rows: by their ``row`` property when every booth has
one (the automatic layout sets it), else by chains of booths standing side by side along the
entrance wall. Rows are lettered by how far their near end is from the entrance wall (A is
the closest), then by how far sideways they are from the entrance; within a row numbers grow
from the end nearer the entrance. Letters skip I and O (they read as 1 and 0); after Z come
AA, AB, …
"""

from __future__ import annotations

import itertools
import math
import string
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from .geometry import GRID
from .plan import Plan, PlanBooth

#: Row letters in order: the Latin alphabet without I and O.
LETTERS = [c for c in string.ascii_uppercase if c not in "IO"]


def row_letter(index: int) -> str:
    """The letter(s) of the row ``index`` (0 → A, 1 → B, …, 23 → Z, 24 → AA)."""
    if index < 0:
        raise ValueError("row index must be >= 0")
    n = len(LETTERS)
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, n)
        out = LETTERS[rem] + out
    return out


def main_entrance(plan: Plan) -> tuple[Point, np.ndarray]:
    """Where the walk starts and the unit vector pointing into the hall from there."""
    hall = plan.hall
    entrances = plan.entrances
    chosen = next((e for e in entrances if e.properties.get("main")), None)
    if chosen is None and entrances:
        chosen = entrances[0]
    if chosen is None:
        minx, miny, _, _ = hall.bounds
        return Point(minx, miny), np.array([0.0, 1.0])
    where = chosen.geometry.centroid
    # The wall the entrance is on: the hall edge nearest to it; inward is its normal.
    ring = shapely.orient_polygons(hall).exterior
    coords = np.asarray(ring.coords)
    segments = [LineString(coords[i : i + 2]) for i in range(len(coords) - 1)]
    nearest = min(segments, key=lambda s: s.distance(where))
    (x0, y0), (x1, y1) = nearest.coords
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    inward = np.array([-(y1 - y0) / length, (x1 - x0) / length])  # left of a CCW edge
    return where, inward


def _rows_from_property(plan: Plan) -> list[list[int]] | None:
    keys = [b.properties.get("row") for b in plan.booths]
    if any(k is None for k in keys):
        return None
    rows: dict[object, list[int]] = {}
    for i, key in enumerate(keys):
        rows.setdefault(key, []).append(i)
    return list(rows.values())


def _rows_by_chains(polys: np.ndarray, along: np.ndarray) -> list[list[int]]:
    """Chains of booths that stand side by side along ``along`` (sharing a wall across it)."""
    n = len(polys)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    cent = shapely.get_coordinates(shapely.centroid(polys))
    across = np.array([-along[1], along[0]])
    v = cent @ across
    bounds = shapely.bounds(polys)
    extent = np.where(
        abs(along[0]) >= abs(along[1]), bounds[:, 3] - bounds[:, 1], bounds[:, 2] - bounds[:, 0]
    )
    tree = shapely.STRtree(polys)
    pairs = tree.query(polys, predicate="touches")
    pairs = pairs[:, pairs[0] < pairs[1]]
    for a, b in pairs.T:
        # Same row: side by side (their centres differ mostly along the row) and level.
        du = abs(float((cent[b] - cent[a]) @ along))
        dv = abs(float(v[b] - v[a]))
        if dv < 0.5 * min(extent[a], extent[b]) and du > dv:
            parent[find(int(a))] = find(int(b))
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def walking_order(plan: Plan) -> list[list[int]]:
    """Rows of booth indices (into ``plan.booths``) in walking order, each row in order."""
    if not plan.booths:
        return []
    start, inward = main_entrance(plan)
    along = np.array([inward[1], -inward[0]])
    polys = np.asarray([b.polygon for b in plan.booths], dtype=object)
    rows = _rows_from_property(plan) or _rows_by_chains(polys, along)
    cent = shapely.get_coordinates(shapely.centroid(polys)) - np.array([start.x, start.y])
    depth = cent @ inward
    side = cent @ along

    # Where each row starts: its nearest booth to the entrance wall.
    def row_key(row: list[int]) -> tuple[float, float]:
        near = min(float(depth[i]) for i in row)
        return (round(near, 1), round(min(abs(float(side[i])) for i in row), 1))

    ordered = sorted(rows, key=row_key)
    out = []
    for row in ordered:
        spread_along = np.ptp(side[row]) if len(row) > 1 else 0.0
        spread_in = np.ptp(depth[row]) if len(row) > 1 else 0.0
        if spread_along >= spread_in:
            # A row along the entrance wall: start from the end nearer the entrance.
            sign = 1.0 if abs(side[row].min()) <= abs(side[row].max()) else -1.0
            row = sorted(row, key=lambda i: sign * side[i])
        else:
            row = sorted(row, key=lambda i: depth[i])
        out.append(row)
    return out


def number_booths(plan: Plan, *, first_row: int = 0) -> Plan:
    """A copy of the plan with booths renumbered in walking order (``A1, A2, … B1, …``).

    Booths are reordered to walking order too; each keeps its other properties, and its
    ``row`` property becomes the row letter.
    """
    booths: list[PlanBooth] = []
    for r, row in enumerate(walking_order(plan)):
        letter = row_letter(first_row + r)
        for k, i in enumerate(row, start=1):
            old = plan.booths[i]
            props = dict(old.properties)
            props["row"] = letter
            booths.append(PlanBooth(number=f"{letter}{k}", polygon=old.polygon, properties=props))
    return replace(plan, booths=booths)


def _snap(geom):
    return shapely.set_precision(geom, GRID)


def split_booth(polygon: Polygon, parts: int = 2, direction: str = "auto") -> list[Polygon]:
    """Cut a booth into ``parts`` pieces of equal area by parallel straight cuts.

    ``direction`` is the axis along which the booth is divided: ``"x"`` (cuts are vertical
    lines), ``"y"`` (horizontal cuts) or ``"auto"`` (across the longer side of the booth's
    bounding box, so a 3×6 booth gives two 3×3). Raises ``ValueError`` when a cut would leave
    a piece in two parts (a U-shaped booth) or ``parts`` < 2.
    """
    if parts < 2:
        raise ValueError("Стенд можно разделить на 2 части и больше.")
    if not isinstance(polygon, Polygon) or polygon.is_empty or not polygon.is_valid:
        raise ValueError("Разделить можно только правильный многоугольник стенда.")
    minx, miny, maxx, maxy = polygon.bounds
    if direction == "auto":
        direction = "x" if (maxx - minx) >= (maxy - miny) else "y"
    if direction not in ("x", "y"):
        raise ValueError(f"Неизвестное направление разреза: {direction!r} (x, y или auto).")
    lo, hi = (minx, maxx) if direction == "x" else (miny, maxy)
    total = polygon.area

    def below(t: float) -> Polygon:
        cut = (
            box(minx - 1, miny - 1, t, maxy + 1)
            if direction == "x"
            else box(minx - 1, miny - 1, maxx + 1, t)
        )
        return polygon.intersection(cut)

    cuts = []
    for k in range(1, parts):
        target = total * k / parts
        a, b = lo, hi
        for _ in range(60):  # bisection to well below a millimetre
            mid = (a + b) / 2
            if below(mid).area < target:
                a = mid
            else:
                b = mid
        cuts.append(round((a + b) / 2, 3))
    edges = [lo - 1, *cuts, hi + 1]
    pieces = []
    for a, b in itertools.pairwise(edges):
        strip = box(a, miny - 1, b, maxy + 1) if direction == "x" else box(minx - 1, a, maxx + 1, b)
        piece = _snap(polygon.intersection(strip))
        if not isinstance(piece, Polygon) or piece.is_empty:
            raise ValueError(
                "Стенд нельзя разделить так: одна из частей получается из двух кусков."
            )
        pieces.append(piece)
    return pieces


def merge_booths(polygons: Sequence[Polygon]) -> Polygon:
    """Merge adjacent booths into one simple polygon (the caller decides which number stays).

    Every booth must share a wall (not just a corner) with the group; the union must be one
    polygon without holes. Raises ``ValueError`` with a clear message otherwise.
    """
    polys = [_snap(p) for p in polygons]
    if len(polys) < 2:
        raise ValueError("Для объединения нужны хотя бы два стенда.")
    for i, p in enumerate(polys):
        if not isinstance(p, Polygon) or p.is_empty or not p.is_valid:
            raise ValueError(f"Стенд №{i + 1} из объединяемых — неправильный многоугольник.")
    arr = np.asarray(polys, dtype=object)
    tree = shapely.STRtree(arr)
    pairs = tree.query(arr, predicate="intersects")
    pairs = pairs[:, pairs[0] < pairs[1]]
    parent = list(range(len(polys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs.T:
        if polys[a].intersection(polys[b]).area > 0.01:
            raise ValueError(f"Стенды №{a + 1} и №{b + 1} перекрываются — объединять нечего.")
        shared = polys[a].boundary.intersection(polys[b].boundary).length
        if shared > 0.01:
            parent[find(int(a))] = find(int(b))
    if len({find(i) for i in range(len(polys))}) > 1:
        raise ValueError("Стенды не примыкают друг к другу общей стеной — объединить нельзя.")
    merged = shapely.union_all(arr, grid_size=GRID)
    merged = shapely.simplify(merged, 1e-4, preserve_topology=True)
    if not isinstance(merged, Polygon):
        raise ValueError("Объединение стендов не даёт одного многоугольника.")
    if merged.interiors:
        raise ValueError("Объединение стендов даёт многоугольник с дырой — объединить нельзя.")
    return merged
