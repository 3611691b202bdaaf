"""Planted assignment instances: the assignment is chosen first, the demand derived from it,
so that the optimum is known exactly.

The hall is the benchmark's (:func:`make_hall`: back-to-back double rows of 3×3 and 3×6 m
booths, 3 m aisles, cross aisles every 30 m, 7 track zones as vertical strips). Then:

1. Every applicant is given a column first — a single booth, or for about 3 % of them a
   pair of booths sharing a wall with an 18 m² one among them (27 or 36 m², more than any
   single booth holds, so it must merge). The ``k`` booths nearest to the entrances are
   always taken, by single-booth applicants.
2. The demand is read off the planted columns:

   - the **track** is the zone the column lies in (zone cost 0);
   - the **requested area** is the column's area, with noise of up to ±9 % (below);
   - a **kind wish** (for 20 % of them) is the column's kind (kind cost 0);
   - **partners** are stars of 2–4 single-booth applicants whose booths' centroids are
     exactly ``d_min`` apart, the least centroid distance between any two booths of the
     hall (back to back, or side by side 3 m booths);
   - **competitors** (15 %) are pairs of the same track whose columns lie more than the
     competitor gap apart (the hard rule holds, cost 0);
   - **step-free access** is asked by the ``k`` applicants on the ``k`` booths nearest to
     an entrance.

Why the planted assignment is optimal. The objective is a sum of terms, each ≥ 0, and
each has a floor valid for *every* assignment that places everyone; the planted one meets
every floor at once, so nothing can be cheaper:

- zone, kind, competitors, stability: floor 0, planted cost 0;
- area: applicant by applicant, the least ``w.area · |A − r| / r`` over every area ``A``
  a column of its family could have (single booths: the booth areas; merged groups: every
  sum of 2 or 3 booth areas — a superset of the real groups) among those allowed
  (``A ≥ r · (1 − τ)``). The noise keeps the planted area the closest allowed one, which
  the generator checks;
- partners: every pair costs at least ``d_min`` (two distinct booths' centroids are never
  closer), and every planted pair is exactly ``d_min`` apart;
- access: the ``k`` step-free applicants hold ``k`` disjoint columns, and a column's
  entrance distance is its nearest booth's, so their sum is at least the sum of the ``k``
  least booth distances — what the planted assignment pays;
- unplaced: the planted assignment places everyone, so everyone is admitted.

Several assignments may share the optimum; its *value* is exact.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import box

from exhibit.booking.assign import Application, FreeBooth, TrackZone, Weights

TRACKS = ("gorod", "transport", "ekologiya", "zhkh", "turizm", "kultura", "tsifra")
DEPTH = 3.0
AISLE = 3.0
SEGMENT = 30.0  # metres of booths between cross aisles
TOLERANCE = 0.1  # the solver's default area tolerance
COMPETITOR_GAP = 2.0


def make_hall(n_booths: int, seed: int) -> tuple[list[FreeBooth], list[TrackZone]]:
    """``n_booths`` booths in back-to-back double rows; 7 zones as vertical strips."""
    rng = np.random.default_rng(seed)
    per_segment_pair = 2 * SEGMENT / (DEPTH * 1.35)  # booths in one double-row segment
    across = max(2, round(math.sqrt(n_booths / per_segment_pair * (2 * DEPTH + AISLE) / 33)))
    width = across * (SEGMENT + AISLE) + AISLE
    entrances = np.array([[width / 3, -AISLE], [2 * width / 3, -AISLE]])
    cells: list[tuple[float, float, float]] = []  # x0, y0, booth width
    row = 0
    while len(cells) < n_booths:
        for side in (0, 1):
            y0 = AISLE + row * (2 * DEPTH + AISLE) + side * DEPTH
            for seg in range(across):
                x = AISLE + seg * (SEGMENT + AISLE)
                end = x + SEGMENT
                while x + 3 <= end + 1e-9:
                    w = 6.0 if rng.random() < 0.35 and x + 6 <= end + 1e-9 else 3.0
                    cells.append((x, y0, w))
                    x += w
        row += 1
    cells = cells[:n_booths]
    booths = []
    for k, (x, y, w) in enumerate(cells):
        poly = box(x, y, x + w, y + DEPTH)
        seg_start = AISLE + math.floor((x - AISLE) / (SEGMENT + AISLE)) * (SEGMENT + AISLE)
        at_end = abs(x - seg_start) < 1e-6 or abs(x + w - (seg_start + SEGMENT)) < 1e-6
        centre = np.array([x + w / 2, y + DEPTH / 2])
        booths.append(
            FreeBooth(
                number=f"{1 + k // 100}-{k % 100 + 1:02d}",
                polygon=poly,
                area_m2=w * DEPTH,
                kind="corner" if at_end else "linear",
                distance_to_entrance=float(np.min(np.hypot(*(entrances - centre).T))),
            )
        )
    depth = max(b.polygon.bounds[3] for b in booths) + AISLE
    zones = [
        TrackZone(t, box(width * k / len(TRACKS), 0, width * (k + 1) / len(TRACKS), depth))
        for k, t in enumerate(TRACKS)
    ]
    return booths, zones


@dataclass(frozen=True)
class Planted:
    """A planted instance: the solver's input, the planted columns and the optimum."""

    applications: list[Application]
    booths: list[FreeBooth]
    zones: list[TrackZone]
    planted: dict[str, tuple[str, ...]]  # exhibitor → booth numbers
    optimum: float
    parts: dict[str, float]  # the optimum by term


DEFAULT_WEIGHTS = Weights()
KINDS = ("linear", "corner", "peninsula", "island")


def planted_instance(
    n: int,
    m: int,
    seed: int,
    *,
    partners: bool = True,
    weights: Weights = DEFAULT_WEIGHTS,
    step_free_share: float = 0.05,
) -> Planted:
    """``n`` applicants on ``m`` booths (``n`` ≤ about 0.95 ``m``) with a known optimum."""
    booths, zones = make_hall(m, seed)
    rng = np.random.default_rng(seed + 7919)
    polys = np.array([b.polygon for b in booths], dtype=object)
    xy = shapely.get_coordinates(shapely.centroid(polys))
    area = np.array([b.area_m2 for b in booths])
    entrance = np.array([b.distance_to_entrance for b in booths])
    zone_of = np.full(m, -1)
    for t, z in enumerate(zones):
        inside = shapely.intersects(z.polygon, shapely.points(xy)) & (zone_of < 0)
        zone_of[inside] = t
    used = np.zeros(m, dtype=bool)
    columns: list[tuple[int, ...]] = []
    step_free: list[bool] = []
    # The booths nearest to the entrances: step-free applicants, single booths.
    n_step = max(1, round(step_free_share * n))
    for b in np.lexsort((np.arange(m), entrance))[:n_step].tolist():
        used[b] = True
        columns.append((b,))
        step_free.append(True)
    # Merged groups: neighbours sharing a wall, same zone, one of them 18 m².
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    walls = []
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a < b and zone_of[a] == zone_of[b] and max(area[a], area[b]) >= 18 - 1e-9:
            shared = polys[a].boundary.intersection(polys[b].boundary).length
            if shared > 0.5 + 1e-9:
                walls.append((a, b))
    n_groups = round(0.03 * n)
    for k in rng.permutation(len(walls)).tolist():
        if n_groups == 0:
            break
        a, b = walls[k]
        if not used[a] and not used[b]:
            used[a] = used[b] = True
            columns.append((a, b))
            step_free.append(False)
            n_groups -= 1
    free = np.flatnonzero(~used)
    singles = rng.choice(free, size=n - len(columns), replace=False)
    for b in sorted(singles.tolist()):
        used[b] = True
        columns.append((b,))
        step_free.append(False)
    col_area = np.array([area[list(c)].sum() for c in columns])
    col_xy = np.array([xy[list(c)].T @ area[list(c)] / area[list(c)].sum() for c in columns])

    # Partners: stars around a centre, leaves at exactly d_min.
    d_min = float(cKDTree(xy).query(xy, k=2)[0][:, 1].min())
    holder = {c[0]: i for i, c in enumerate(columns) if len(c) == 1}
    pairs: list[tuple[int, int]] = []
    in_cluster = np.zeros(len(columns), dtype=bool)
    if partners:
        near = cKDTree(xy).query_ball_point(xy, r=d_min + 1e-6)
        target = 0.3 * n
        for i in rng.permutation(len(columns)).tolist():
            if in_cluster.sum() >= target:
                break
            if len(columns[i]) > 1 or in_cluster[i]:
                continue
            b = columns[i][0]
            leaves = [
                holder[o]
                for o in sorted(near[b])
                if o != b and o in holder and not in_cluster[holder[o]]
                and abs(math.dist(xy[o], xy[b]) - d_min) < 1e-6
            ]  # fmt: skip
            if not leaves:
                continue
            take = int(rng.integers(1, 4))
            chosen = [leaves[k] for k in rng.permutation(len(leaves))[:take].tolist()]
            in_cluster[i] = True
            for j in chosen:
                in_cluster[j] = True
                pairs.append((i, j))
    partner_of: list[list[int]] = [[] for _ in columns]
    for i, j in pairs:
        partner_of[i].append(j)
        partner_of[j].append(i)

    # Competitors: same track, columns more than the gap apart.
    track = np.array([zone_of[c[0]] for c in columns])
    rivals: list[list[int]] = [[] for _ in columns]
    outline = [shapely.union_all(polys[list(c)]) for c in columns]
    for i in rng.permutation(len(columns))[: round(0.15 * n)].tolist():
        same = np.flatnonzero(track == track[i])
        j = int(rng.choice(same))
        if j == i or j in partner_of[i] or j in rivals[i]:
            continue
        if outline[i].distance(outline[j]) > COMPETITOR_GAP + 0.5:
            rivals[i].append(j)

    # Requested areas: the column's, with noise that keeps it the closest allowed area.
    single_areas = np.unique(area)
    group_areas = np.unique(
        [sum(p) for r in (2, 3) for p in itertools.combinations_with_replacement(single_areas, r)]
    )
    max_single = float(single_areas.max())
    requested = np.empty(len(columns))
    area_cost = 0.0
    for i, c in enumerate(columns):
        for _ in range(100):
            r = round(float(col_area[i] * (1 + rng.uniform(-0.09, 0.09))), 1)
            if rng.random() < 0.5:
                r = float(col_area[i])
            threshold = r * (1 - TOLERANCE) - 0.01
            big = threshold > max_single
            if big != (len(c) > 1):
                continue
            family = group_areas if big else single_areas
            allowed = family[family >= threshold]
            best = np.abs(allowed - r).min()
            if abs(col_area[i] - r) <= best + 1e-9:
                break
        else:
            r = float(col_area[i])
        requested[i] = r
        area_cost += weights.area * abs(col_area[i] - r) / r

    names = [f"Город {k + 1:04d}" for k in range(len(columns))]
    order = rng.permutation(len(columns)).tolist()  # priority order of the applications
    applications = []
    for i in order:
        rank = max(KINDS.index(booths[b].kind) for b in columns[i])
        applications.append(
            Application(
                exhibitor=names[i],
                requested_area=float(requested[i]),
                track=zones[int(track[i])].track,
                wish_kind=KINDS[rank] if rng.random() < 0.2 else None,
                partners=[names[j] for j in partner_of[i]],
                competitors=[names[j] for j in rivals[i]],
                step_free=step_free[i],
            )
        )
    access = weights.access_per_10m * float(np.sort(entrance)[:n_step].sum()) / 10
    partner_cost = weights.partner_per_10m * d_min * len(pairs) / 10
    planted_partner = sum(
        weights.partner_per_10m * math.dist(col_xy[i], col_xy[j]) / 10 for i, j in pairs
    )
    assert abs(planted_partner - partner_cost) < 1e-6
    parts = {"area": area_cost, "partners": partner_cost, "access": access}
    return Planted(
        applications,
        booths,
        zones,
        {names[i]: tuple(booths[b].number for b in c) for i, c in enumerate(columns)},
        float(sum(parts.values())),
        parts,
    )
