"""Automatic layout: fill a hall (or a region of it) with rows of booths.

The pattern, in the frame of the rows (rows run along x; ``orientation="y"`` turns it):

- a single row along each wall (south and north rows span the whole width, west and east
  rows the height between them), backs to the wall;
- a ring aisle inside them;
- back-to-back double rows inside the ring, cut into blocks of at most ``block_length`` by
  cross aisles; the space left over is shared out so every aisle is at least ``aisle`` wide.

Every module (``module`` = width along the row × depth) that is not fully inside the hall
(or region), or that touches an obstacle grown by ``obstacle_margin``, an exit's clearance
zone or the space in front of an entrance, is dropped. The result is then checked with
:func:`validate_plan` and the booths it complains about (unreachable, beside a bottleneck,
blocking an exit) are removed until the plan has no errors, so the layout always passes
``plan check`` (unless the hall itself is broken, e.g. has no entrance).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from .geometry import GRID, snap_all
from .numbering import LETTERS, number_booths
from .plan import Plan, PlanBooth
from .validate import _door_zone, validate_plan

#: Errors the clean-up loop repairs by removing the booths concerned.
_FIXABLE = {
    "booth-unreachable",
    "aisle-too-narrow",
    "exit-blocked",
    "entrance-blocked",
    "booth-over-obstacle",
    "booth-outside-hall",
    "booth-overlap",
}


@dataclass
class LayoutResult:
    """A laid-out plan and how much of the hall is sold."""

    plan: Plan
    #: Booth area ÷ hall area.
    sellable_ratio: float
    #: Modules dropped by the clean-up after the first check.
    removed: int = 0
    orientation: str = "x"
    notes: list[str] = field(default_factory=list)

    @property
    def booth_count(self) -> int:
        """Number of booths in the result."""
        return len(self.plan.booths)


def _swap(geom: BaseGeometry) -> BaseGeometry:
    """Mirror x and y: the rows-along-y layout is the rows-along-x one in swapped space."""
    return shapely.transform(geom, lambda c: c[:, ::-1])


def _spread(
    lo: float, hi: float, sizes: list[float], gap: float, bias: float | None = None
) -> list[float] | None:
    """Start positions of consecutive pieces of ``sizes`` in [lo, hi] with at least ``gap``
    between them and at both ends. The slack is shared out evenly among the gaps, or, with
    ``bias`` in [0, 1], put at the two ends (``bias`` of it before the first piece)."""
    need = sum(sizes) + gap * (len(sizes) + 1)
    slack = hi - lo - need
    if slack < -1e-9:
        return None
    slack = max(slack, 0.0)
    if bias is None:
        extra, first = slack / (len(sizes) + 1), slack / (len(sizes) + 1)
    else:
        extra, first = 0.0, slack * bias
    pos, out = lo + gap + first, []
    for s in sizes:
        out.append(pos)
        pos += s + gap + extra
    return out


def _blocks(lo, hi, w: float, aisle: float, block_length: float, bias=None) -> list[tuple]:
    """Blocks along a row span: [(x0, modules)], separated by cross aisles."""
    span = hi - lo - 2 * aisle
    if span < w:
        return []
    per_block = max(1, int(block_length // w + 1e-9))
    b = 1
    while True:
        total = int((span - (b - 1) * aisle) // w + 1e-9)
        if total <= b * per_block or total <= 0:
            break
        b += 1
    if total <= 0:
        return []
    counts = [total // b + (1 if k < total % b else 0) for k in range(b)]
    counts = [c for c in counts if c]
    starts = _spread(lo, hi, [c * w for c in counts], aisle, bias)
    return list(zip(starts, counts, strict=True)) if starts else []


def _wall_cells(lo: float, hi: float, w: float) -> list[float]:
    """Cell starts along a wall from lo to hi, the leftover split at both ends."""
    n = int((hi - lo) // w + 1e-9)
    if n <= 0:
        return []
    start = lo + ((hi - lo) - n * w) / 2
    return [start + k * w for k in range(n)]


def _candidate_rows(bounds, w, d, aisle, block_length, ybias=None, xbias=None, fewer=0):
    """Rows of candidate module boxes in the rows-along-x frame: [(row id, [boxes])]."""
    minx, miny, maxx, maxy = bounds
    width, height = maxx - minx, maxy - miny
    rows: list[tuple[str, list[Polygon]]] = []
    if height < d or width < w:
        return rows
    two_walls = height >= 2 * d + aisle
    rows.append(("S", [box(x, miny, x + w, miny + d) for x in _wall_cells(minx, maxx, w)]))
    if not two_walls:
        return rows
    rows.append(("N", [box(x, maxy - d, x + w, maxy) for x in _wall_cells(minx, maxx, w)]))
    side_rows = width >= 2 * d + 2 * aisle + w
    if side_rows:
        # West and east rows stop an aisle short of the south and north rows, so that the
        # corner booths of those rows open onto the ring aisle.
        ys = _wall_cells(miny + d + aisle, maxy - d - aisle, w)
        rows.append(("W", [box(minx, y, minx + d, y + w) for y in ys]))
        rows.append(("E", [box(maxx - d, y, maxx, y + w) for y in ys]))
        inner_x = (minx + d, maxx - d)
    else:
        inner_x = (minx, maxx)
    blocks = _blocks(inner_x[0], inner_x[1], w, aisle, block_length, xbias)
    if not blocks:
        return rows
    lo, hi = miny + d, maxy - d
    n = int((hi - lo - aisle + 1e-9) // (2 * d + aisle)) - fewer
    bands = _spread(lo, hi, [2 * d] * n, aisle, ybias) if n > 0 else None
    if not bands and hi - lo >= d + 2 * aisle:
        bands, single = _spread(lo, hi, [d], aisle, ybias), True
    else:
        single = False
    for k, y0 in enumerate(bands or []):
        halves = [(y0, "s")] if single else [(y0, "s"), (y0 + d, "n")]
        for yy, tag in halves:
            cells = [
                box(x0 + j * w, yy, x0 + (j + 1) * w, yy + d)
                for x0, count in blocks
                for j in range(count)
            ]
            rows.append((f"I{k}{tag}", cells))
    return rows


def _forbidden(plan: Plan, hall, aisle, exit_clearance, margin) -> list:
    """Zones no booth may touch: obstacles (grown by ``margin``), exit clearances (at least
    an aisle deep, so that the door opens onto an aisle) and the space at entrances."""
    zones: list[BaseGeometry] = []
    for o in plan.obstacles:
        g = shapely.make_valid(o.geometry)
        zones.append(g.buffer(margin, join_style="mitre") if margin > 0 else g)
    for ex in plan.exits:
        zones.append(_door_zone(ex.geometry, max(exit_clearance, aisle), hall))
    for ent in plan.entrances:
        zones.append(_door_zone(ent.geometry, max(aisle, exit_clearance), hall))
    return [z for z in zones if not z.is_empty]


_BIASES = (None, 0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def _fill(plan, area, hall, w, d, aisle, exit_clearance, margin, block_length, kept, swap):
    """Candidate booths (``PlanBooth`` with temporary numbers) for one orientation.

    The rows are tried at several offsets (where the slack goes) and the one keeping the
    most modules clear of columns, exits and entrances wins.
    """
    area_f = _swap(area) if swap else area
    shapely.prepare(area)
    best: tuple[int, list[PlanBooth]] | None = None
    seen: set[tuple] = set()
    for fewer, ybias, xbias in itertools.product((0, 1), _BIASES, _BIASES):
        if True:
            rows = _candidate_rows(area_f.bounds, w, d, aisle, block_length, ybias, xbias, fewer)
            key = tuple(tuple(b.bounds for b in boxes[:3]) for _, boxes in rows)
            if key in seen:
                continue
            seen.add(key)
            booths = _filter(plan, area, hall, rows, aisle, exit_clearance, margin, kept, swap)
            score = _score(booths, plan, aisle)
            if best is None or score > best[0] + 1e-6:
                best = (score, booths)
    return best[1] if best else []


def _score(booths: list[PlanBooth], plan: Plan, aisle: float) -> float:
    """Booth area, less the booths near an obstacle standing in an aisle (it narrows the
    aisle, and the clean-up will remove booths round it)."""
    if not booths:
        return 0.0
    polys = np.asarray([b.polygon for b in booths], dtype=object)
    area = float(shapely.area(polys).sum())
    if not plan.obstacles:
        return area
    tree = shapely.STRtree(polys)
    for o in plan.obstacles:
        if len(tree.query(o.geometry, predicate="intersects")):
            continue  # inside a row: the booths round it make a niche
        near = tree.query(o.geometry.buffer(aisle, join_style="mitre"), predicate="intersects")
        area -= 2 * float(shapely.area(polys[near]).sum())
    return area


def _filter(plan, area, hall, rows, aisle, exit_clearance, margin, kept, swap):
    cells, row_ids = [], []
    for rid, boxes in rows:
        cells.extend(boxes)
        row_ids.extend([rid] * len(boxes))
    if not cells:
        return []
    arr = np.asarray(cells, dtype=object)
    if swap:
        arr = _swap(arr)
    arr = snap_all(arr)
    keep = shapely.covers(area, arr)
    blockers = _forbidden(plan, hall, aisle, exit_clearance, margin)
    blockers += [b.polygon for b in kept]
    if blockers:
        barr = np.asarray(blockers, dtype=object)
        pairs = shapely.STRtree(barr).query(arr, predicate="intersects")
        if pairs.shape[1]:
            inner = shapely.relate_pattern(arr[pairs[0]], barr[pairs[1]], "T********")
            keep[pairs[0][inner]] = False
    return [
        PlanBooth(number=f"_{k}", polygon=arr[k], properties={"row": row_ids[k]})
        for k in np.flatnonzero(keep)
    ]


def _clean(plan: Plan, new: set[str], aisle: float, exit_clearance: float, rounds: int = 30):
    """Drop new booths the checker complains about until it does not (or gives up)."""
    removed = 0
    for _ in range(rounds):
        report = validate_plan(plan, min_aisle=aisle, exit_clearance=exit_clearance)
        drop: set[str] = set()
        for issue in report.errors:
            if issue.rule not in _FIXABLE:
                continue
            names = {issue.booth} & new
            if not names or issue.rule == "booth-overlap":
                names |= set(issue.related) & new
            if not names and issue.location is not None:
                # An entrance or exit blocked with no booth named: clear round the place.
                x, y = issue.location
                spot = shapely.Point(x, y).buffer(aisle + 0.5)
                names = {
                    b.number for b in plan.booths if b.number in new and b.polygon.intersects(spot)
                }
            drop |= names
        if not drop:
            return plan, removed, report
        removed += len(drop)
        plan = replace(plan, booths=[b for b in plan.booths if b.number not in drop])
    return plan, removed, validate_plan(plan, min_aisle=aisle, exit_clearance=exit_clearance)


def _next_row(booths: list[PlanBooth]) -> int:
    used = -1
    for b in booths:
        m = re.match(r"^([A-Z]+)\d", b.number or "")
        if m:
            value = 0
            for ch in m.group(1):
                if ch not in LETTERS:
                    break
                value = value * len(LETTERS) + LETTERS.index(ch) + 1
            used = max(used, value - 1)
    return used + 1


def layout_hall(
    plan: Plan,
    *,
    module: tuple[float, float] = (3.0, 3.0),
    aisle: float = 3.0,
    region: Polygon | None = None,
    exit_clearance: float = 2.0,
    obstacle_margin: float = 0.5,
    block_length: float = 30.0,
    orientation: str = "auto",
    number: bool = True,
) -> LayoutResult:
    """Fill the hall (or ``region`` of it) with booths in rows; see the module docstring.

    ``module`` is (width along the row, depth) in metres. Without ``region`` the plan's
    booths are replaced; with it, booths outside the region are kept and the new ones are
    numbered after them. ``orientation`` is ``"x"`` (rows along x), ``"y"`` or ``"auto"``
    (whichever sells more). Returns the new plan and its sellable ratio (booth area ÷ hall
    area).
    """
    w, d = (float(module[0]), float(module[1]))
    if w <= 0 or d <= 0 or aisle <= 0:
        raise ValueError("Размеры модуля и ширина прохода должны быть больше нуля.")
    hall = plan.hall if plan.hall.is_valid else shapely.make_valid(plan.hall)
    hall = shapely.set_precision(hall, GRID)
    if region is not None:
        region = shapely.set_precision(shapely.make_valid(region), GRID)
        area = hall.intersection(region)
        kept = [b for b in plan.booths if b.polygon.intersection(region).area <= 0.01]
    else:
        area, kept = hall, []
    if area.is_empty or area.area <= 0:
        raise ValueError("Область раскладки не пересекается с залом.")
    orientations = ["x", "y"] if orientation == "auto" else [orientation]
    if any(o not in ("x", "y") for o in orientations):
        raise ValueError(f"Неизвестная ориентация рядов: {orientation!r} (x, y или auto).")

    best: LayoutResult | None = None
    for orient in orientations:
        fresh = _fill(
            plan,
            area,
            hall,
            w,
            d,
            aisle,
            exit_clearance,
            obstacle_margin,
            block_length,
            kept,
            swap=orient == "y",
        )
        trial = replace(plan, hall=hall, booths=kept + fresh)
        new = {b.number for b in fresh}
        trial, removed, report = _clean(trial, new, aisle, exit_clearance)
        sold = sum(b.polygon.area for b in trial.booths)
        result = LayoutResult(
            plan=trial,
            sellable_ratio=sold / hall.area if hall.area else 0.0,
            removed=removed,
            orientation=orient,
        )
        if report.errors:
            result.notes = [e.message for e in report.errors[:5]]
        if best is None or (not result.notes, result.sellable_ratio) > (
            not best.notes,
            best.sellable_ratio,
        ):
            best = result
    assert best is not None
    if number:
        if region is None:
            best.plan = number_booths(best.plan)
        else:
            newbies = [b for b in best.plan.booths if (b.number or "").startswith("_")]
            numbered = number_booths(replace(best.plan, booths=newbies), first_row=_next_row(kept))
            best.plan = replace(best.plan, booths=kept + numbered.booths)
    return best


def parse_module(text: str) -> tuple[float, float]:
    """``"3x3"`` / ``"3×6"`` / ``"3*4.5"`` → (3.0, 3.0) etc."""
    parts = re.split(r"\s*[xх×*]\s*", text.strip().lower().replace(",", "."))
    try:
        if len(parts) == 1:
            w = d = float(parts[0])
        elif len(parts) == 2:
            w, d = float(parts[0]), float(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"Неверный размер модуля {text!r}: ожидается, например, 3x3.") from None
    if not (math.isfinite(w) and math.isfinite(d)) or w <= 0 or d <= 0:
        raise ValueError(f"Неверный размер модуля {text!r}: размеры должны быть больше нуля.")
    return w, d
