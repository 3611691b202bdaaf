"""Plan validation: every rule of PRODUCT.md §4 with a stable rule name, the booth and the place.

Rules (``Issue.rule``), errors unless marked:

- ``invalid-polygon`` — a self-intersecting or degenerate outline (hall, booth, obstacle,
  zone); the location is where GEOS finds the problem. Invalid booths skip the other rules.
- ``missing-number``, ``duplicate-number``.
- ``booth-outside-hall`` — more than 0.01 m² of the booth lies outside the hall.
- ``booth-over-obstacle`` — a booth covers more than 0.01 m² of an obstacle.
- ``booth-overlap`` — two booths share more than 0.01 m² (shared walls are fine).
- ``aisle-too-narrow`` — a passage narrower than ``min_aisle`` between two parts of the
  aisle network. Free floor = hall − booths − obstacles; its morphological opening by
  ``min_aisle``/2 (mitre joins, so right-angled corners survive) keeps what a person of that
  width can pass; a piece the opening loses that touches the kept floor in two or more
  places is a bottleneck. A free-standing column (an obstacle at most 1.5 m across) counts
  as part of the lost piece it stands in, so a narrow gap behind a column in a niche, or
  beside a column next to a wide passage, is not reported; a column that leaves less than
  the minimum on both sides is. A narrow dead end is not an aisle, and a gap under
  ``MIN_PASSAGE`` (0.9 m) is not a passage.
- ``no-entrance``; ``entrance-blocked`` — no aisle of the minimum width reaches the entrance.
- ``booth-unreachable`` — no open side of the booth faces the kept floor connected to an
  entrance.
- ``exit-blocked`` — a booth or obstacle on the exit or within ``exit_clearance`` in front
  of it.
- ``equipment-outside-hall`` — a piece of fire-safety equipment (extinguisher, hose cabinet,
  alarm call point, first aid) more than ``EQUIPMENT_TOLERANCE`` outside the hall's walls
  (on the wall is fine: that is where they hang); ``equipment-in-booth`` — one that stands
  inside a booth, where the booth's build would hide it (on the booth's wall is fine).
- ``point-outside-hall`` — a "you are here" point more than ``EQUIPMENT_TOLERANCE``
  outside the hall's walls; ``point-in-booth`` — one inside a booth (nobody can stand there
  to read the poster; on the booth's wall is fine). A point on or in a column is fine: that
  is where a poster hangs. Duplicate point ids are refused when the file is read.
- ``exit-too-far`` — the walk along the aisles from the front of a booth (its access point,
  :mod:`exhibit.floorplan.walk`) to the nearest exit or entrance is longer than the hall's
  ``max_exit_distance`` (the plan's property, else :data:`~exhibit.floorplan.evacuation.
  DEFAULT_MAX_EXIT_DISTANCE`), or no exit can be reached from it at all
  (:mod:`exhibit.floorplan.evacuation`).
- warnings: ``no-exit``, ``exit-off-wall``, ``entrance-off-wall``, ``exit-unreachable``,
  ``zone-outside-hall``, ``passage-outside-hall`` (a marked step or narrow passage off the
  hall); ``single-exit-route`` — the booth is in a dead end: one spot
  blocked on its way to the nearest exit (a disc half the minimum aisle across) leaves it no
  way out; only in a hall with two ways out or more.

Messages are in Russian (the UI's first language) and name the booth and the rule.
Everything runs vectorised with STRtrees; no loops over pairs of booths.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from .evacuation import DEFAULT_MAX_EXIT_DISTANCE, Evacuation
from .geometry import (
    GRID,
    PROBE,
    SIDES,
    BoothFacts,
    edge_table,
    kind_from_open_sides,
    open_sides_of,
    snap_all,
)
from .plan import EQUIPMENT_TYPES, Plan
from .walk import RouteError

#: Areas below this (m²) are rounding noise, not overlaps.
AREA_TOLERANCE = 0.01
#: The opening is made this much narrower than half the aisle so that an aisle of exactly
#: the minimum width passes (metres).
WIDTH_TOLERANCE = 0.005
#: Gaps narrower than this (metres) are not passages (nobody walks through 0.6 m beside a
#: column), so they are not reported as narrow aisles.
MIN_PASSAGE = 0.9
#: Obstacles at most this big across (metres) are columns: they are walked round.
COLUMN_SIZE = 1.5
#: An entrance or exit further than this from the hall's wall is "off the wall" (metres).
WALL_TOLERANCE = 0.5
#: How far (metres) a piece of equipment may be off the hall or into a booth: drawing noise.
EQUIPMENT_TOLERANCE = 0.05


@dataclass(frozen=True)
class Issue:
    """One finding: a stable rule name, the booth it concerns (or ``None``), a message,
    where it is (``(x, y)`` in metres, or ``None``), the other booths it concerns and the
    geometry of the fault (the overlap, the part outside the hall, the whole narrow stretch
    of an aisle…; ``None``: the point ``location``)."""

    rule: str
    booth: str | None
    message: str
    location: tuple[float, float] | None = None
    #: Other booths concerned (the second booth of an overlap, the booths along a narrow aisle).
    related: tuple[str, ...] = field(default=(), compare=False)
    geometry: BaseGeometry | None = field(default=None, compare=False, repr=False)

    @property
    def booths(self) -> list[str]:
        """Every booth the finding names: its own first, then the others, once each."""
        return [n for n in dict.fromkeys([self.booth, *self.related]) if n]

    def geojson(self) -> dict[str, Any] | None:
        """The fault's geometry as a GeoJSON geometry (centimetres), or ``None``."""
        geometry = self.geometry
        if geometry is None or geometry.is_empty:
            if self.location is None:
                return None
            geometry = Point(self.location)
        return shapely.geometry.mapping(shapely.set_precision(geometry, 0.01))

    def to_dict(self) -> dict[str, Any]:
        """The §10 item: ``{"rule", "booth", "booths", "message", "location": [x, y] | null,
        "geometry": GeoJSON | null}``."""
        loc = None if self.location is None else [self.location[0], self.location[1]]
        return {
            "rule": self.rule,
            "booth": self.booth,
            "booths": self.booths,
            "message": self.message,
            "location": loc,
            "geometry": self.geojson(),
        }


@dataclass
class ValidationReport:
    """The result of :func:`validate_plan`."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    booths: list[BoothFacts] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """No errors (warnings are allowed): the plan may be published."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """Exactly the JSON of ``plan check --json`` (PRODUCT.md §10)."""
        return {
            "valid": self.valid,
            "errors": [i.to_dict() for i in self.errors],
            "warnings": [i.to_dict() for i in self.warnings],
            "booths": [f.to_dict() for f in self.booths],
        }

    def rules(self) -> set[str]:
        """The rule names of all errors (handy in tests)."""
        return {i.rule for i in self.errors}


def fmt(value: float, digits: int = 2) -> str:
    """A number the Russian way: decimal comma, trailing zeros dropped (``1,5``, ``3``)."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").replace(".", ",")


def _loc(geom: BaseGeometry | None) -> tuple[float, float] | None:
    if geom is None or geom.is_empty:
        return None
    p = geom if isinstance(geom, Point) else geom.representative_point()
    return (round(p.x, 2), round(p.y, 2))


_POINT_RE = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)")


def _problem_location(geom: BaseGeometry) -> tuple[float, float] | None:
    """Where GEOS says a geometry is invalid (``Self-intersection[5 5]``)."""
    reason = shapely.is_valid_reason(geom) or ""
    m = _POINT_RE.search(reason)
    if m:
        try:
            return (round(float(m.group(1)), 2), round(float(m.group(2)), 2))
        except ValueError:
            pass
    return _loc(geom.envelope) if not geom.is_empty else None


def _reason_ru(geom: BaseGeometry) -> str:
    reason = (shapely.is_valid_reason(geom) or "").lower()
    if "self-intersection" in reason or "ring self" in reason:
        return "контур самопересекается"
    if "too few points" in reason:
        return "в контуре слишком мало точек"
    if "hole" in reason:
        return "дыра в контуре лежит неправильно"
    if "nested" in reason:
        return "вложенные контуры"
    return "неправильный контур"


def _largest_polygon(geom: BaseGeometry) -> Polygon:
    if isinstance(geom, Polygon):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    if not polys:
        parts = shapely.get_parts(geom)
        polys = [g for g in parts if isinstance(g, Polygon)]
    return max(polys, key=lambda g: g.area) if polys else Polygon()


def _label(number: str | None, index: int) -> str:
    return f"стенд {number}" if number else f"стенд без номера №{index + 1}"


def _Label(number: str | None, index: int) -> str:
    text = _label(number, index)
    return text[0].upper() + text[1:]


class _Check:
    """State shared by the rules of one run."""

    def __init__(self, plan: Plan, min_aisle: float, exit_clearance: float):
        self.plan = plan
        self.min_aisle = min_aisle
        self.exit_clearance = exit_clearance
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.numbers = [b.number for b in plan.booths]

    def error(
        self, rule: str, booth: str | None, message: str, location=None, related=(), geometry=None
    ):
        self.errors.append(Issue(rule, booth, message, location, tuple(related), geometry))

    def warn(
        self, rule: str, booth: str | None, message: str, location=None, related=(), geometry=None
    ):
        self.warnings.append(Issue(rule, booth, message, location, tuple(related), geometry))


def _prepare_hall(check: _Check) -> Polygon:
    hall = check.plan.hall
    if hall is None or hall.is_empty:
        check.error("no-hall", None, "В плане нет контура зала.")
        return Polygon()
    if not hall.is_valid:
        check.error(
            "invalid-polygon",
            None,
            f"Контур зала неправильный: {_reason_ru(hall)}.",
            _problem_location(hall),
        )
        hall = _largest_polygon(shapely.make_valid(hall))
    return shapely.set_precision(hall, GRID)


def _prepare_booths(check: _Check) -> tuple[np.ndarray, np.ndarray]:
    """Snapped booth polygons and a mask of the usable (valid, non-empty) ones."""
    raw = np.asarray([b.polygon for b in check.plan.booths], dtype=object)
    n = len(raw)
    ok = np.zeros(n, bool)
    polys = np.empty(n, dtype=object)
    if n == 0:
        return polys, ok
    is_poly = np.array([isinstance(g, Polygon) for g in raw])
    valid = is_poly & shapely.is_valid(raw)
    polys[:] = Polygon()
    if valid.any():
        polys[valid] = snap_all(raw[valid])
    ok = valid & ~shapely.is_empty(polys) & (shapely.area(np.where(valid, polys, None)) > 0)
    for i in np.flatnonzero(~ok):
        number = check.numbers[i]
        geom = raw[i]
        if not is_poly[i]:
            why = "это не многоугольник"
            where = _loc(geom)
        elif not valid[i]:
            why = _reason_ru(geom)
            where = _problem_location(geom)
        else:
            why = "контур вырожден (нулевая площадь)"
            where = _loc(geom.envelope)
        check.error("invalid-polygon", number, f"{_Label(number, i)}: {why}.", where)
    return polys, ok


def _prepare_features(check: _Check, items, what: str) -> list[BaseGeometry]:
    """Snapped geometries of obstacles or zones, aligned with ``items`` (empty stays empty)."""
    out = []
    for k, item in enumerate(items):
        geom = item.geometry
        if geom is None or geom.is_empty:
            out.append(Polygon())
            continue
        if not geom.is_valid:
            name = f"«{item.name}»" if item.name else f"№{k + 1}"
            check.error(
                "invalid-polygon",
                None,
                f"{what} {name}: {_reason_ru(geom)}.",
                _problem_location(geom),
            )
            geom = shapely.make_valid(geom)
        out.append(shapely.set_precision(geom, GRID))
    return out


def _is_column(geom: BaseGeometry) -> bool:
    """A free-standing column: a small obstacle (at most ``COLUMN_SIZE`` across)."""
    if geom.is_empty:
        return False
    minx, miny, maxx, maxy = geom.bounds
    return max(maxx - minx, maxy - miny) <= COLUMN_SIZE


def _check_numbers(check: _Check, ok: np.ndarray, centroids: np.ndarray) -> None:
    seen: dict[str, int] = {}
    for i, number in enumerate(check.numbers):
        where = (round(float(centroids[i, 0]), 2), round(float(centroids[i, 1]), 2))
        if not number:
            check.error("missing-number", None, f"У стенда №{i + 1} в плане нет номера.", where)
            continue
        if number in seen:
            check.error(
                "duplicate-number",
                number,
                f"Номер {number} повторяется: так уже назван другой стенд.",
                where,
                related=(number,),
            )
        else:
            seen[number] = i


def _check_outside(check: _Check, polys: np.ndarray, idx: np.ndarray, hall: Polygon) -> None:
    if hall.is_empty or not len(idx):
        return
    shapely.prepare(hall)
    inside = shapely.covers(hall, polys[idx])
    out_idx = idx[~inside]
    if not len(out_idx):
        return
    outside = shapely.difference(polys[out_idx], hall)
    areas = shapely.area(outside)
    for i, part, area in zip(out_idx, outside, areas, strict=True):
        if area > AREA_TOLERANCE:
            number = check.numbers[i]
            check.error(
                "booth-outside-hall",
                number,
                f"{_Label(number, i)} выходит за стены зала на {fmt(area)} м².",
                _loc(part),
                geometry=part,
            )


def _check_obstacles(check, polys, idx, obstacles, names) -> None:
    if not obstacles or not len(idx):
        return
    obst = np.asarray(obstacles, dtype=object)
    tree = shapely.STRtree(obst)
    pairs = tree.query(polys[idx], predicate="intersects")
    if not pairs.shape[1]:
        return
    inter = shapely.intersection(polys[idx[pairs[0]]], obst[pairs[1]])
    areas = shapely.area(inter)
    for (b, o), part, area in zip(pairs.T, inter, areas, strict=True):
        if area > AREA_TOLERANCE:
            i = idx[b]
            number = check.numbers[i]
            check.error(
                "booth-over-obstacle",
                number,
                f"{_Label(number, i)} стоит на препятствии {names[o]} ({fmt(area)} м²).",
                _loc(part),
                geometry=part,
            )


def overlapping_pairs(
    polys: np.ndarray, tolerance: float = AREA_TOLERANCE
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(i, j)`` (i < j, shape (2, k)) of polygons sharing more than ``tolerance``
    m², and their intersections.

    STRtree candidates (bounding boxes), then the boxes' own overlap area: two polygons
    cannot share more than their boxes do, so booths that merely share a wall (boxes
    overlapping by a line, or by 1e-6 m of noise) drop out without any geometry; the
    intersection area is computed only for the few pairs left.
    """
    empty = (np.zeros((2, 0), dtype=int), np.zeros(0, dtype=object))
    if len(polys) < 2:
        return empty
    tree = shapely.STRtree(polys)
    pairs = tree.query(polys)
    pairs = pairs[:, pairs[0] < pairs[1]]
    bounds = shapely.bounds(polys)
    a, b = bounds[pairs[0]], bounds[pairs[1]]
    w = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0])
    h = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1])
    pairs = pairs[:, (w > 0) & (h > 0) & (w * h > tolerance)]
    if not pairs.shape[1]:
        return empty
    inter = shapely.intersection(polys[pairs[0]], polys[pairs[1]])
    keep = shapely.area(inter) > tolerance
    return pairs[:, keep], inter[keep]


def _check_overlaps(check: _Check, polys: np.ndarray, idx: np.ndarray) -> bool:
    """Booth pairs whose interiors share more than 0.01 m²; returns whether any overlap."""
    pairs, inter = overlapping_pairs(polys[idx])
    for (a, b), part in zip(pairs.T, inter, strict=True):
        na, nb = check.numbers[idx[a]], check.numbers[idx[b]]
        check.error(
            "booth-overlap",
            na,
            f"{_Label(na, idx[a])} пересекается со стендом {nb or 'без номера'} "
            f"на {fmt(part.area)} м².",
            _loc(part),
            related=(nb,) if nb else (),
            geometry=part,
        )
    return bool(pairs.shape[1])


def _union(geoms: np.ndarray, disjoint: bool) -> BaseGeometry:
    """Union of booths and obstacles: the fast coverage union when they form a clean
    coverage (no overlaps, matching vertices), otherwise the general one."""
    if not len(geoms):
        return Polygon()
    if disjoint:
        try:
            merged = shapely.coverage_union_all(geoms)
            if merged.is_valid and abs(merged.area - float(shapely.area(geoms).sum())) < 1e-3:
                return merged
        except shapely.errors.GEOSException:
            pass
    return shapely.union_all(geoms)


def _free_and_opened(check, hall, blocked: BaseGeometry) -> tuple[BaseGeometry, BaseGeometry]:
    free = shapely.difference(hall, blocked) if not blocked.is_empty else hall
    r = check.min_aisle / 2 - WIDTH_TOLERANCE
    if r <= 0:
        return free, free
    eroded = shapely.buffer(free, -r, join_style="mitre", mitre_limit=2.0)
    opened = shapely.buffer(eroded, r, join_style="mitre", mitre_limit=2.0)
    # Dilation may bulge past the original near acute corners: clip back to the free floor.
    opened = shapely.intersection(opened, free)
    return free, opened


def _check_aisles(
    check: _Check,
    free: BaseGeometry,
    opened: BaseGeometry,
    polys: np.ndarray,
    idx: np.ndarray,
    obstacles: list[BaseGeometry],
    hall: Polygon,
) -> None:
    lost = shapely.difference(free, opened)
    if lost.is_empty:
        return
    # Drop the slivers the width tolerance leaves along walls of exactly minimum-width aisles.
    lost = shapely.buffer(shapely.buffer(lost, -0.02, join_style="mitre"), 0.02, join_style="mitre")
    booth_tree = shapely.STRtree(polys[idx]) if len(idx) else None
    obst = np.asarray(obstacles, dtype=object)
    is_col = np.array([_is_column(g) for g in obst], bool)
    # A column is walked round: it joins the lost pieces it touches instead of walling them.
    cols = obst[is_col] if len(obst) else obst
    if len(cols):
        touching = shapely.STRtree(cols).query(lost, predicate="intersects")
        if len(touching):
            lost = shapely.union_all([lost, *cols[touching]])
    pieces = [p for p in shapely.get_parts(lost) if p.area > 0.05]
    if not pieces:
        return
    col_tree = shapely.STRtree(cols) if len(cols) else None
    walls_arr = obst[~is_col] if len(obst) else obst
    wall_tree = shapely.STRtree(walls_arr) if len(walls_arr) else None
    hall_edge = hall.boundary
    found = []  # (piece, width, centre, booth indices, columns?, next to obstacles?)
    for piece in pieces:
        # Booths along the piece: within 5 cm (real drawings leave 1e-6 m gaps).
        near_booths = (
            booth_tree.query(piece, predicate="dwithin", distance=0.05) if booth_tree else []
        )
        near_walls = wall_tree.query(piece, predicate="intersects") if wall_tree else []
        columns = list(cols[col_tree.query(piece, predicate="covers")]) if col_tree else []
        walls = [polys[idx[j]] for j in near_booths] + [walls_arr[j] for j in near_walls]
        walls.append(hall_edge.intersection(piece.buffer(0.01)))
        solid = shapely.union_all(walls).buffer(0.06)
        contact = piece.boundary.difference(solid)
        contacts = [g for g in shapely.get_parts(shapely.line_merge(contact)) if g.length > 0.05]
        if len(contacts) < 2:
            continue  # a niche or a dead end, not a passage
        if columns:
            piece = piece.difference(shapely.union_all(columns))
        width, centre = _clear_width(piece, shapely.union_all([*walls, *columns]))
        if width < MIN_PASSAGE:
            continue
        found.append((piece, width, centre, list(near_booths), bool(columns), bool(near_walls)))
    for group in _stretches([f[0] for f in found], check.min_aisle):
        items = [found[g] for g in group]
        piece, width, centre, _, _, _ = min(items, key=lambda f: f[1])
        stretch = shapely.union_all([f[0] for f in items])
        near = list(dict.fromkeys(j for f in items for j in f[3]))
        names = _facing(check, polys, idx, near, centre)
        columns = any(f[4] for f in items)
        if columns and names:
            between = f"между колонной и стендом {names[0]}"
        elif len(names) >= 2:
            between = f"между стендами {names[0]} и {names[1]}"
        elif names:
            between = f"у стенда {names[0]}"
        else:
            between = "у препятствия" if any(f[5] for f in items) or columns else "у стены"
        check.error(
            "aisle-too-narrow",
            names[0] if names else None,
            f"Проход {between} шириной {fmt(width, 1)} м — меньше минимальных "
            f"{fmt(check.min_aisle, 1)} м."
            + (f" Вдоль него стоят стенды {', '.join(names)}." if len(names) > 2 else ""),
            _loc(centre),
            related=tuple(names[1:]),
            geometry=stretch,
        )


def _stretches(pieces: list[BaseGeometry], min_aisle: float) -> list[list[int]]:
    """Narrow pieces of floor grouped into aisles: pieces that run the same way (within
    10°) along one line, with less than three aisles' width between them (a crossing cuts a
    narrow aisle into pieces; it is still one aisle between two rows)."""
    n = len(pieces)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if n > 1:
        rects = shapely.oriented_envelope(np.asarray(pieces, dtype=object))
        axes = []
        for rect in rects:
            xy = np.asarray(rect.exterior.coords)[:4] if rect.geom_type == "Polygon" else None
            if xy is None:
                axes.append((0.0, 0.0, 0.0, 0.0))
                continue
            e1, e2 = xy[1] - xy[0], xy[2] - xy[1]
            long_, short = (e1, e2) if np.hypot(*e1) >= np.hypot(*e2) else (e2, e1)
            centre = xy.mean(axis=0)
            axes.append((math.atan2(long_[1], long_[0]) % math.pi, *centre, np.hypot(*short)))
        tree = shapely.STRtree(np.asarray(pieces, dtype=object))
        a, b = tree.query(
            np.asarray(pieces, dtype=object), predicate="dwithin", distance=3 * min_aisle
        )
        for i, j in zip(a.tolist(), b.tolist(), strict=True):
            if i >= j:
                continue
            ti, xi, yi, wi = axes[i]
            tj, xj, yj, wj = axes[j]
            turn = abs(ti - tj) % math.pi
            if min(turn, math.pi - turn) > math.radians(10):
                continue
            # j's centre lies on i's axis (within half their widths).
            off = abs(-(xj - xi) * math.sin(ti) + (yj - yi) * math.cos(ti))
            if off <= (wi + wj) / 2 + 0.1:
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _facing(check: _Check, polys, idx, near, centre: Point) -> list[str]:
    """The booths on the two sides of a narrow place: the nearest one, then the nearest
    that does not touch it (across the aisle), then the rest."""
    order = sorted(near, key=lambda j: polys[idx[j]].distance(centre))
    if len(order) > 1:
        first = polys[idx[order[0]]]
        across = next((j for j in order[1:] if not polys[idx[j]].intersects(first)), None)
        if across is not None:
            order.remove(across)
            order.insert(1, across)
    names = [check.numbers[idx[j]] for j in order]
    return [n for n in dict.fromkeys(names) if n]


def _clear_width(piece: BaseGeometry, solids: BaseGeometry) -> tuple[float, Point]:
    """The clear width of a narrow place: twice the largest distance from a point of the
    piece to the nearest wall, booth or column (sampled on a grid), and where that is."""
    minx, miny, maxx, maxy = piece.bounds
    step = max(0.05, (piece.area / 2000) ** 0.5)
    xs, ys = np.meshgrid(
        np.arange(minx, maxx, step) + step / 2, np.arange(miny, maxy, step) + step / 2
    )
    xs, ys = xs.ravel(), ys.ravel()
    inside = shapely.contains_xy(piece, xs, ys)
    centre = shapely.get_point(shapely.maximum_inscribed_circle(piece, 0.01), 0)
    pts = np.concatenate([shapely.points(xs[inside], ys[inside]), [centre]])
    dist = shapely.distance(solids, pts)
    best = int(np.argmax(dist))
    return 2 * float(dist[best]), pts[best]


def _door_zone(geom: BaseGeometry, depth: float, hall: Polygon) -> BaseGeometry:
    """The space in front of a door: ``depth`` m into the hall from the door."""
    if depth <= 0:
        return Polygon()
    if isinstance(geom, LineString):
        zone = geom.buffer(depth, cap_style="flat")
    elif isinstance(geom, Point):
        zone = geom.buffer(max(depth, 0.9))
    else:
        zone = geom.buffer(depth, join_style="mitre")
    return zone.intersection(hall)


def _feature_name(item, k: int, what: str) -> str:
    return f"{what} «{item.name}»" if item.name else f"{what} №{k + 1}"


def _check_doors(
    check: _Check,
    hall: Polygon,
    polys: np.ndarray,
    idx: np.ndarray,
    obstacles: list[BaseGeometry],
    opened: BaseGeometry,
    table,
) -> None:
    plan = check.plan
    hall_edge = hall.boundary
    booth_tree = shapely.STRtree(polys[idx]) if len(idx) else None
    obst = np.asarray(obstacles, dtype=object)
    obst_tree = shapely.STRtree(obst) if len(obst) else None

    parts = np.asarray(shapely.get_parts(opened), dtype=object) if not opened.is_empty else []
    part_tree = shapely.STRtree(parts) if len(parts) else None
    reach_ids: set[int] = set()

    # Entrances.
    if not plan.entrances:
        check.error("no-entrance", None, "В плане нет ни одного входа в зал.")
    for k, ent in enumerate(plan.entrances):
        geom = shapely.set_precision(ent.geometry, GRID)
        name = _feature_name(ent, k, "Вход")
        if not hall.is_empty and geom.distance(hall_edge) > WALL_TOLERANCE:
            check.warn("entrance-off-wall", None, f"{name} не на стене зала.", _loc(geom))
        touching = part_tree.query(geom.buffer(0.05), predicate="intersects") if part_tree else []
        if not len(touching):
            check.error(
                "entrance-blocked",
                None,
                f"{name} перекрыт: от него нет прохода шириной {fmt(check.min_aisle, 1)} м.",
                _loc(geom),
            )
        reach_ids.update(int(t) for t in touching)

    reach = shapely.union_all(parts[sorted(reach_ids)]) if reach_ids else Polygon()

    # Booths reachable: a point just outside an open edge lies in the reachable floor.
    if plan.entrances and len(idx):
        reachable = np.zeros(len(plan.booths), bool)
        if not reach.is_empty and len(table.booth):
            shapely.prepare(reach)
            sel = table.is_open
            pts = table.sample_points((0.1, 0.3, 0.5, 0.7, 0.9), PROBE / 2)[sel].reshape(-1, 2)
            hit = shapely.contains_xy(reach, pts[:, 0], pts[:, 1]).reshape(-1, 5).any(axis=1)
            reachable[table.booth[sel][hit]] = True
        for i in idx:
            if not reachable[i]:
                number = check.numbers[i]
                check.error(
                    "booth-unreachable",
                    number,
                    f"К стенду {number or 'без номера'} нельзя пройти от входа по проходам "
                    f"шириной не меньше {fmt(check.min_aisle, 1)} м.",
                    _loc(polys[i]),
                )

    # Exits.
    if not plan.exits:
        check.warn("no-exit", None, "В плане нет ни одного эвакуационного выхода.")
    for k, ex in enumerate(plan.exits):
        geom = shapely.set_precision(ex.geometry, GRID)
        name = _feature_name(ex, k, "Выход")
        if not hall.is_empty and geom.distance(hall_edge) > WALL_TOLERANCE:
            check.warn("exit-off-wall", None, f"{name} не на стене зала.", _loc(geom))
        zone = _door_zone(geom, check.exit_clearance, hall)
        probe = zone if not zone.is_empty else geom.buffer(0.05)
        hits = booth_tree.query(probe, predicate="intersects") if booth_tree else []
        for j in hits:
            i = idx[j]
            part = polys[i].intersection(probe)
            on_door = polys[i].intersection(geom).length > 0.01 if zone.is_empty else False
            if part.area > AREA_TOLERANCE or on_door:
                number = check.numbers[i]
                check.error(
                    "exit-blocked",
                    number,
                    f"{_Label(number, i)} загораживает {name[0].lower() + name[1:]}: перед "
                    f"выходом нужно {fmt(check.exit_clearance, 1)} м свободного места.",
                    _loc(part if not part.is_empty else geom),
                )
        obst_hits = obst_tree.query(probe, predicate="intersects") if obst_tree else []
        for j in obst_hits:
            part = obst[j].intersection(probe)
            if part.area > AREA_TOLERANCE:
                check.error(
                    "exit-blocked",
                    None,
                    f"Препятствие загораживает {name[0].lower() + name[1:]}: перед выходом нужно "
                    f"{fmt(check.exit_clearance, 1)} м свободного места.",
                    _loc(part),
                )
        if plan.entrances and not reach.is_empty and geom.distance(reach) > 0.05:
            check.warn(
                "exit-unreachable",
                None,
                f"К выходу {name[6:] if name.startswith('Выход ') else name} не ведёт проход "
                f"шириной {fmt(check.min_aisle, 1)} м от входа.",
                _loc(geom),
            )


def _check_equipment(check: _Check, hall: Polygon, polys: np.ndarray, idx: np.ndarray) -> None:
    items = check.plan.equipment
    if not items:
        return
    booth_tree = shapely.STRtree(polys[idx]) if len(idx) else None
    for k, item in enumerate(items):
        geom = item.geometry
        if geom is None or geom.is_empty:
            continue
        point = geom if isinstance(geom, Point) else geom.representative_point()
        what = EQUIPMENT_TYPES.get(item.equipment_type or "", ("оборудование",))[0]
        what = what[0].upper() + what[1:]
        name = f"{what} «{item.name}»" if item.name else f"{what} №{k + 1}"
        where = f"в точке ({fmt(point.x, 1)}; {fmt(point.y, 1)})"
        inside = _booths_around(point, hall, booth_tree, polys, idx)
        if inside is None:
            check.error(
                "equipment-outside-hall",
                None,
                f"{name} {where} стоит вне зала: пожарное оборудование должно быть в зале "
                "или на его стене.",
                _loc(point),
            )
            continue
        for i in inside:
            number = check.numbers[i]
            check.error(
                "equipment-in-booth",
                number,
                f"{name} {where} стоит внутри стенда {number or 'без номера'}: застройка "
                "стенда его закроет — перенесите его в проход или на стену.",
                _loc(point),
            )


def _booths_around(
    point: Point, hall: Polygon, booth_tree, polys: np.ndarray, idx: np.ndarray
) -> list[int] | None:
    """``None`` when ``point`` is more than ``EQUIPMENT_TOLERANCE`` outside the hall, else
    the booths (plan indices) it stands inside of, further than that from their walls."""
    if not hall.contains(point) and point.distance(hall.boundary) > EQUIPMENT_TOLERANCE:
        return None
    hits = booth_tree.query(point, predicate="within") if booth_tree else []
    return [
        int(idx[j]) for j in hits if polys[idx[j]].exterior.distance(point) > EQUIPMENT_TOLERANCE
    ]


def _check_points(check: _Check, hall: Polygon, polys: np.ndarray, idx: np.ndarray) -> None:
    """``point-outside-hall``, ``point-in-booth``; ``passage-outside-hall`` (warning)."""
    plan = check.plan
    booth_tree = shapely.STRtree(polys[idx]) if len(idx) and plan.points else None
    for item in plan.points:
        point = Point(item.position)
        name = f"Точка «вы здесь» {item.id} («{item.name}»)"
        where = f"в точке ({fmt(point.x, 1)}; {fmt(point.y, 1)})"
        inside = _booths_around(point, hall, booth_tree, polys, idx)
        if inside is None:
            check.error(
                "point-outside-hall",
                None,
                f"{name} {where} стоит вне зала: плакат должен висеть в зале или на его стене.",
                _loc(point),
            )
            continue
        for i in inside:
            number = check.numbers[i]
            check.error(
                "point-in-booth",
                number,
                f"{name} {where} стоит внутри стенда {number or 'без номера'}: у плаката "
                "должно быть место для посетителя — перенесите точку в проход.",
                _loc(point),
            )
    for k, passage in enumerate(plan.passages):
        geom = passage.geometry
        if hall.is_empty or geom is None or geom.is_empty:
            continue
        if not hall.buffer(EQUIPMENT_TOLERANCE).covers(geom):
            what = "Ступени" if passage.passage_type == "steps" else "Узкий проход"
            label = f"{what} «{passage.name}»" if passage.name else f"{what} №{k + 1}"
            check.warn("passage-outside-hall", None, f"{label} выходит за стены зала.", _loc(geom))


def _check_zones(check: _Check, hall: Polygon) -> None:
    for k, zone in enumerate(check.plan.zones):
        geom = zone.geometry
        if hall.is_empty or geom is None or geom.is_empty or not geom.is_valid:
            continue
        if geom.difference(hall).area > AREA_TOLERANCE:
            name = _feature_name(zone, k, "Зона")
            check.warn("zone-outside-hall", None, f"{name} выходит за стены зала.", _loc(geom))


def exit_distance_limit(plan: Plan) -> float:
    """The hall's limit on the walk to the nearest exit (metres): the plan's
    ``max_exit_distance`` when it sets one, else the default."""
    value = plan.properties.get("max_exit_distance")
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return DEFAULT_MAX_EXIT_DISTANCE


def _check_evacuation(
    check: _Check, idx: np.ndarray, limit: float, blocked: BaseGeometry | None = None
) -> None:
    """``exit-too-far`` and ``single-exit-route`` for every booth with an open side.

    One pass over all exits gives every booth its nearest exit; the dead-end test (exact,
    per booth) runs only for booths that can be in a pocket at all
    (:meth:`~exhibit.floorplan.evacuation.Evacuation.may_be_dead_end`)."""
    plan = check.plan
    if not (plan.exits or plan.entrances) or not len(idx):
        return
    try:
        evac = Evacuation.from_plan(plan, blocked=blocked)
    except RouteError:
        return  # no free floor at all: the aisle and reachability rules say why
    if not evac.usable:
        return  # entrance-blocked / exit-unreachable already name the doors
    numbers = [check.numbers[i] for i in idx if check.numbers[i]]
    xy = evac.graph.access_points(numbers)
    has = np.isfinite(xy[:, 0])  # closed on all sides: booth-unreachable says so
    numbers = [n for n, ok in zip(numbers, has.tolist(), strict=True) if ok]
    xy = xy[has]
    if not len(xy):
        return
    d1, e1, _ = evac.nearest(xy)
    # With one way out of the whole hall, `no-exit` says so once rather than per booth.
    several = len(evac.usable) > 1
    dead = evac.dead_ends(xy, check.min_aisle / 2) if several else {}
    for k, number in enumerate(numbers):
        d, e = float(d1[k]), int(e1[k])
        where = (round(float(xy[k, 0]), 2), round(float(xy[k, 1]), 2))
        if not math.isfinite(d):
            check.error(
                "exit-too-far",
                number,
                f"От стенда {number} по проходам не дойти ни до одного выхода.",
                where,
            )
            continue
        if d > limit + 1e-6:
            check.error(
                "exit-too-far",
                number,
                f"От стенда {number} до ближайшего выхода ({evac.exits[e].name}) "
                f"{fmt(d, 1)} м по проходам — больше допустимых {fmt(limit, 1)} м.",
                where,
            )
        if k in dead:
            why = (
                "к другим выходам пути нет"
                if dead[k]
                else "пути ко всем остальным выходам идут через одно и то же место (тупик)"
            )
            check.warn(
                "single-exit-route",
                number,
                f"От стенда {number} есть только один путь эвакуации — к выходу "
                f"«{evac.exits[e].name}»: {why}.",
                where,
            )


def validate_plan(
    plan: Plan,
    *,
    min_aisle: float = 3.0,
    exit_clearance: float = 2.0,
    max_exit_distance: float | None = None,
) -> ValidationReport:
    """Check a plan against every rule of the module docstring.

    ``min_aisle`` is the exhibition's minimum aisle width and ``exit_clearance`` the clear
    depth needed in front of an emergency exit (metres); ``max_exit_distance`` the longest
    walk to an exit (by default the plan's own, see :func:`exit_distance_limit`).
    """
    check = _Check(plan, min_aisle, exit_clearance)
    hall = _prepare_hall(check)
    polys, ok = _prepare_booths(check)
    idx = np.flatnonzero(ok)
    obstacles = _prepare_features(check, plan.obstacles, "Препятствие")
    obstacle_names = [
        f"«{o.name}»" if o.name else f"№{k + 1}" for k, o in enumerate(plan.obstacles)
    ]
    _prepare_features(check, plan.zones, "Зона")
    solid_obstacles = [g for g in obstacles if g.area > 0]

    n = len(plan.booths)
    centroids = np.zeros((n, 2))
    if n:
        bounds = shapely.bounds(np.asarray([b.polygon for b in plan.booths], dtype=object))
        centroids[:] = np.nan_to_num((bounds[:, :2] + bounds[:, 2:]) / 2)
    if len(idx):
        centroids[idx] = shapely.get_coordinates(shapely.centroid(polys[idx]))
    _check_numbers(check, ok, centroids)
    _check_outside(check, polys, idx, hall)
    _check_obstacles(check, polys, idx, obstacles, obstacle_names)
    overlapping = _check_overlaps(check, polys, idx)

    # Booth facts (open sides) — also what reachability is judged by.
    table = edge_table(polys[idx], solid_obstacles, hall)
    table.booth = idx[table.booth] if len(table.booth) else table.booth
    counts, matrix = open_sides_of(table, n)
    areas = np.zeros(n)
    if ok.any():
        areas[ok] = shapely.area(polys[ok])
    facts = []
    # Plain lists: indexing NumPy arrays item by item costs ~10 µs a booth.
    columns = [(s, SIDES.index(s)) for s in ("N", "E", "S", "W")]
    for booth, c, area, row in zip(
        plan.booths, counts.tolist(), areas.tolist(), matrix.tolist(), strict=True
    ):
        c = int(c)
        sides = tuple(s for s, j in columns if row[j])
        facts.append(BoothFacts(booth.number, round(area, 2), c, kind_from_open_sides(c), sides))

    if not hall.is_empty:
        solids = np.concatenate([polys[idx], np.asarray(solid_obstacles, dtype=object)])
        over_obstacle = any(e.rule == "booth-over-obstacle" for e in check.errors)
        blocked = _union(solids, disjoint=not overlapping and not over_obstacle)
        free, opened = _free_and_opened(check, hall, blocked)
        _check_aisles(check, free, opened, polys, idx, solid_obstacles, hall)
        _check_doors(check, hall, polys, idx, solid_obstacles, opened, table)
        _check_zones(check, hall)
        _check_equipment(check, hall, polys, idx)
        _check_points(check, hall, polys, idx)
        limit = max_exit_distance or exit_distance_limit(plan)
        _check_evacuation(check, idx, limit, blocked)
    return ValidationReport(errors=check.errors, warnings=check.warnings, booths=facts)
