"""Booth facts from the geometry: snapping, area, open sides and kind, a hit test.

Open sides
----------
Every edge of a booth outline (after snapping to 1 mm and merging collinear edges) is
probed along a line ``PROBE`` = 0.3 m outside the booth, parallel to the edge. The part of
that probe lying inside another booth, inside an obstacle or outside the hall is *covered*
(a neighbouring booth, an obstacle or a wall); the rest is free floor. An edge is **open**
when more than half of it is free (``OPEN_FRACTION``). Gaps narrower than the probe distance
(a service gap behind a row) count as closed.

``open_sides`` is the number of the booth's four sides (N, E, S, W) with at least one open
edge, so it stays in 0..4 for any outline: an L-shaped booth has six edges but still four
sides. Edges are assigned to a side by their outward normal, relative to the booth's own
frame (the direction of its longest edge), so a rotated booth is judged by its own sides;
for booths square to the hall the sides are the compass directions. The kind follows:
0 or 1 → linear, 2 → corner, 3 → peninsula, 4 → island.

Everything runs vectorised over all edges at once with an STRtree of booths and obstacles;
there are no pairwise loops.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from .plan import BOOTH_KINDS, Plan

#: Snapping grid, metres (1 mm): real drawings carry ~1e-6 noise between shared walls.
GRID = 0.001
#: How far outside an edge the probe line runs (metres).
PROBE = 0.3
#: An edge is open when more than this fraction of it is free floor.
OPEN_FRACTION = 0.5
#: Side names in the booth's frame, counter-clockwise from "east" (the frame's +x).
SIDES = ("E", "N", "W", "S")


def snap(geom: BaseGeometry, grid: float = GRID) -> BaseGeometry:
    """The geometry with coordinates rounded to ``grid`` (1 mm by default).

    Uses ``shapely.set_precision`` so that the result stays valid where it can.
    """
    return shapely.set_precision(geom, grid)


def snap_all(geoms: Sequence[BaseGeometry] | np.ndarray, grid: float = GRID) -> np.ndarray:
    """``snap`` for an array of geometries, vectorised.

    Rounds coordinates with NumPy (fast), then lets ``set_precision`` redo the few that
    rounding made invalid (a sliver collapsing, say). Invalid input stays as it is, for the
    checker to report.
    """
    arr = np.asarray(geoms, dtype=object)
    if arr.size == 0:
        return arr
    valid = shapely.is_valid(arr)
    out = arr.copy()
    rounded = shapely.transform(arr[valid], lambda c: np.round(c / grid) * grid)
    out[valid] = rounded
    broken = np.flatnonzero(valid)[~shapely.is_valid(rounded)]
    if len(broken):
        out[broken] = shapely.set_precision(arr[broken], grid)
    return out


def kind_from_open_sides(n: int) -> str:
    """Booth kind by its number of open sides: 1 linear, 2 corner, 3 peninsula, 4 island.

    A booth with no open side (enclosed) is still sold as linear.
    """
    n = int(n)
    if n < 0 or n > 4:
        raise ValueError(f"open sides must be 0..4, not {n}")
    return BOOTH_KINDS[max(n, 1) - 1]


@dataclass(frozen=True)
class BoothFacts:
    """What the geometry says about one booth."""

    number: str | None
    area_m2: float
    open_sides: int
    kind: str
    #: The open sides by name in the booth's frame (subset of N, E, S, W).
    sides: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        """The §10 ``booths`` item: number, area_m2, kind, open_sides."""
        return {
            "number": self.number,
            "area_m2": self.area_m2,
            "kind": self.kind,
            "open_sides": self.open_sides,
        }


@dataclass
class EdgeTable:
    """All booth edges of a plan, with the result of the open-side probe (arrays, one row
    per edge)."""

    booth: np.ndarray  # int index of the booth in the plan
    start: np.ndarray  # (n, 2)
    end: np.ndarray  # (n, 2)
    normal: np.ndarray  # (n, 2) unit outward normal
    side: np.ndarray  # int 0..3 index into SIDES
    length: np.ndarray
    free: np.ndarray  # free fraction 0..1
    is_open: np.ndarray  # bool

    def sample_points(self, fractions: Sequence[float], offset: float) -> np.ndarray:
        """Points along each edge at ``fractions`` of its length, ``offset`` m outside.

        Shape ``(n_edges, len(fractions), 2)``.
        """
        f = np.asarray(fractions, dtype=float)
        d = self.end - self.start
        return (
            self.start[:, None, :]
            + d[:, None, :] * f[None, :, None]
            + self.normal[:, None, :] * offset
        )


def _merge_collinear(polys: np.ndarray) -> np.ndarray:
    # Douglas-Peucker with a sub-millimetre tolerance drops vertices that only split a
    # straight wall in two (a booth drawn with an extra vertex on its side).
    return shapely.simplify(polys, 1e-4, preserve_topology=True)


def _edges(polys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and booth index of every exterior edge, rings oriented counter-clockwise."""
    rings = shapely.get_exterior_ring(shapely.orient_polygons(polys))
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    same = idx[:-1] == idx[1:]
    start, end, booth = coords[:-1][same], coords[1:][same], idx[:-1][same]
    keep = np.hypot(*(end - start).T) > GRID / 2
    return start[keep], end[keep], booth[keep]


def edge_table(
    booths: Sequence[Polygon] | np.ndarray,
    obstacles: Sequence[BaseGeometry] | np.ndarray,
    hall: BaseGeometry,
    *,
    probe: float = PROBE,
    open_fraction: float = OPEN_FRACTION,
) -> EdgeTable:
    """Probe every edge of every booth (see the module docstring); vectorised.

    ``booths`` must be polygons (invalid or empty ones simply yield no useful edges).
    """
    polys = _merge_collinear(np.asarray(booths, dtype=object))
    obst = np.asarray(obstacles, dtype=object)
    n_booths = len(polys)
    if n_booths == 0:
        empty2 = np.zeros((0, 2))
        empty = np.zeros(0)
        return EdgeTable(
            np.zeros(0, int), empty2, empty2, empty2, np.zeros(0, int), empty, empty, empty > 0
        )
    start, end, booth = _edges(polys)
    d = end - start
    length = np.hypot(d[:, 0], d[:, 1])
    unit = d / length[:, None]
    normal = np.column_stack([unit[:, 1], -unit[:, 0]])  # outward for a CCW ring

    # The booth's own frame: the angle of its longest edge, modulo 90°, in [-45°, 45°).
    angle = np.arctan2(d[:, 1], d[:, 0])
    order = np.lexsort((-length, booth))
    first = np.ones(len(order), bool)
    first[1:] = booth[order][1:] != booth[order][:-1]
    frame = np.zeros(n_booths)
    frame[booth[order][first]] = np.mod(angle[order][first] + np.pi / 4, np.pi / 2) - np.pi / 4
    normal_angle = np.arctan2(normal[:, 1], normal[:, 0]) - frame[booth]
    side = np.mod(np.rint(normal_angle / (np.pi / 2)).astype(int), 4)

    # Probe lines: parallel to the edge, `probe` outside, trimmed by 1 mm at both ends so
    # that they do not graze the booths around the corner.
    trim = np.minimum(GRID, length / 4)[:, None]
    a = start + unit * trim + normal * probe
    b = end - unit * trim + normal * probe
    lines = shapely.linestrings(np.stack([a, b], axis=1))
    probe_len = shapely.length(lines)

    covered = np.zeros(len(lines))
    blockers = np.concatenate([polys, obst]) if len(obst) else polys
    tree = shapely.STRtree(blockers)
    pairs = tree.query(lines, predicate="intersects")
    pairs = pairs[:, pairs[1] != booth[pairs[0]]]
    if pairs.shape[1]:
        overlap = shapely.length(shapely.intersection(lines[pairs[0]], blockers[pairs[1]]))
        covered += np.bincount(pairs[0], weights=overlap, minlength=len(lines))

    # Outside the hall counts as covered (a wall). Most probes lie inside: test cheaply first.
    if hall is not None and not hall.is_empty:
        shapely.prepare(hall)
        outside = ~shapely.covers(hall, lines)
        if outside.any():
            inside_len = shapely.length(shapely.intersection(lines[outside], hall))
            covered[outside] += probe_len[outside] - inside_len

    free = np.clip(1.0 - covered / np.maximum(probe_len, 1e-12), 0.0, 1.0)
    return EdgeTable(
        booth=booth,
        start=start,
        end=end,
        normal=normal,
        side=side,
        length=length,
        free=free,
        # A side exactly half free is closed, whatever the floating-point noise says.
        is_open=free > open_fraction + 1e-4,
    )


def open_sides_of(table: EdgeTable, n_booths: int) -> tuple[np.ndarray, np.ndarray]:
    """Per booth: the number of open sides (0..4) and a (n, 4) bool matrix of open sides."""
    matrix = np.zeros((n_booths, 4), bool)
    sel = table.is_open
    matrix[table.booth[sel], table.side[sel]] = True
    return matrix.sum(axis=1), matrix


def _usable(geoms) -> np.ndarray:
    """Invalid outlines repaired to their largest polygon (facts of a broken drawing are
    best-effort; the checker reports the outline itself)."""
    arr = np.asarray(geoms, dtype=object)
    for i in np.flatnonzero(~shapely.is_valid(arr)) if arr.size else []:
        parts = [
            g for g in shapely.get_parts(shapely.make_valid(arr[i])) if g.geom_type == "Polygon"
        ]
        arr[i] = max(parts, key=lambda g: g.area) if parts else Polygon()
    return arr


def booth_facts(plan: Plan) -> list[BoothFacts]:
    """Area, open sides and kind of every booth of the plan, in plan order.

    Areas are rounded to 0.01 m²; coordinates are snapped to 1 mm first.
    """
    if not plan.booths:
        return []
    polys = _usable(snap_all([b.polygon for b in plan.booths]))
    obstacles = _usable(snap_all([o.geometry for o in plan.obstacles]))
    hall = snap(plan.hall) if plan.hall.is_valid else _usable([plan.hall])[0]
    table = edge_table(polys, obstacles, hall)
    counts, matrix = open_sides_of(table, len(polys))
    areas = shapely.area(polys)
    facts = []
    for i, booth in enumerate(plan.booths):
        n = int(counts[i])
        sides = tuple(s for s in ("N", "E", "S", "W") if matrix[i, SIDES.index(s)])
        facts.append(
            BoothFacts(
                number=booth.number,
                area_m2=round(float(areas[i]), 2),
                open_sides=n,
                kind=kind_from_open_sides(n),
                sides=sides,
            )
        )
    return facts


class BoothIndex:
    """Which booth is under a point: an STRtree over the booth outlines.

    >>> BoothIndex(plan).booth_at(12.5, 7.0)  # doctest: +SKIP
    'A3'
    """

    def __init__(self, plan: Plan):
        self._numbers = [b.number for b in plan.booths]
        self._polys = np.asarray([b.polygon for b in plan.booths], dtype=object)
        self._tree = shapely.STRtree(self._polys)

    def booth_at(self, x: float, y: float) -> str | None:
        """The number of the booth covering (x, y), or ``None`` (an aisle, or a booth
        without a number). On a shared wall the first booth in plan order wins."""
        hits = self._tree.query(Point(x, y), predicate="intersects")
        if len(hits) == 0:
            return None
        return self._numbers[int(hits.min())]

    def booths_at(self, xs: Sequence[float], ys: Sequence[float]) -> list[str | None]:
        """``booth_at`` for many points at once (vectorised)."""
        pts = shapely.points(np.asarray(xs, float), np.asarray(ys, float))
        out: list[str | None] = [None] * len(pts)
        pairs = self._tree.query(pts, predicate="intersects")
        # Reverse order so that the lowest booth index is written last and wins.
        for p, b in zip(pairs[0][::-1], pairs[1][::-1], strict=True):
            out[int(p)] = self._numbers[int(b)]
        return out
