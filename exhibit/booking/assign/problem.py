"""The problem, its construction and its bounds (pure: NumPy, SciPy, Shapely).

``_Problem`` derives everything from the input once — booths and their neighbours, zones,
partner and competitor relations, who is admitted, the columns (single booths and merged
groups) and the linear cost matrices — then builds a solution (exact linear assignments
coupled by booth prices, competitor repair, partner majorisation, cluster moves), hands it
to :mod:`exhibit.booking.assign.improve` for the time that is left, and reports it with
the lower bound. The model, the cost terms, the method and its figures are explained in
docs/assignment.md.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import shapely
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse import coo_matrix
from scipy.spatial import cKDTree
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

#: Booth kinds by openness (number of open sides 0–1, 2, 3, 4).
BOOTH_KINDS = ("linear", "corner", "peninsula", "island")
KIND_NAMES = {
    "linear": "линейный",
    "corner": "угловой",
    "peninsula": "полуостровной",
    "island": "островной",
}
#: Cost charged per competitor pair left adjacent (only when capacity leaves no other way).
HARD_PENALTY = 1e4
#: Cost of an admitted applicant that could not be placed (plus up to as much again for
#: earlier applications, so that later ones drop first).
UNPLACED_PENALTY = 1e6
#: Area comparisons tolerate drawing noise (m²).
AREA_EPS = 0.01
#: Snapping grid for geometry comparisons (1 mm): real drawings carry ~1e-6 noise.
GRID = 0.001
#: Booths merge only along a shared wall longer than this (m).
MIN_SHARED_WALL = 0.5
#: "Next to a partner" in the explanations (m between centroids).
NEAR_PARTNER = 15.0
#: The exact MILP solves problems up to this many applicant × column pairs, and bounds
#: problems up to MILP_MAX_VARS (one call, ~0.3 s at 20,000).
MILP_SOLVE_VARS = 3_000
MILP_MAX_VARS = 3_000
#: Branch-and-bound nodes HiGHS may use (a node limit keeps results deterministic).
MILP_NODE_LIMIT = 1000

#: Cluster moves: free booths nearest to each member, and its cheapest, as candidates;
#: rounds of local search and cluster moves in turn.
CLUSTER_NEAR = 24
CLUSTER_CHEAP = 12
POLISH_ROUNDS = 1
#: Rounds of the subgradient method that prices booths between groups and single booths
#: (fewer above COUPLING_BIG applicant × booth cells, where a round costs ~0.3 s).
COUPLING_ROUNDS = 10
COUPLING_BIG = 1_000_000
COUPLING_ROUNDS_BIG = 3

#: Share of the time left after construction kept for the bound and the result.
BOUND_SHARE = 0.15

TERMS = ("zone", "area", "kind", "partners", "competitors", "access", "stability")


class AssignmentInputError(ValueError):
    """Bad input: nothing is assigned. ``exhibitor`` is None for a problem with the hall.

    ``problems`` lists every problem found as ``(exhibitor, message)``; the exception's own
    message is the first of them.
    """

    def __init__(
        self,
        exhibitor: str | None,
        message: str,
        problems: list[tuple[str | None, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.exhibitor = exhibitor
        self.message = message
        self.problems = problems or [(exhibitor, message)]


@dataclass(frozen=True)
class FreeBooth:
    """A booth that may be given away: not confirmed, not held, not blocked."""

    number: str
    polygon: Polygon
    area_m2: float
    kind: str  # one of BOOTH_KINDS
    zone_track: str | None = None  # the track zone it lies in, if the caller knows
    distance_to_entrance: float = 0.0  # metres, to the nearest entrance


@dataclass(frozen=True)
class TrackZone:
    """The part of the hall reserved for a track (several zones of one track are merged)."""

    track: str
    polygon: BaseGeometry


@dataclass(frozen=True)
class Application:
    """An exhibitor's request for "a booth, any"."""

    exhibitor: str  # unique name
    requested_area: float | None
    track: str
    wish_kind: str | None = None
    partners: Sequence[str] = ()
    competitors: Sequence[str] = ()
    step_free: bool = False
    current_booths: Sequence[str] = ()  # held from a previous run: kept when possible


@dataclass(frozen=True)
class Weights:
    """Weights of the cost terms (see the module docstring for the formulas).

    Defaults rank the wishes: staying in the track's zone first (10 + 1 per 10 m), then
    keeping a booth from an earlier run (6), the area (4 per 100 % off, so 25 % off = 1), the
    kind wish (1.5), and distances to partners and, for step-free access, to the entrance
    (1 per 10 m).
    """

    zone: float = 10.0
    zone_per_10m: float = 1.0
    area: float = 4.0
    kind: float = 1.5
    partner_per_10m: float = 1.0
    access_per_10m: float = 1.0
    move: float = 6.0


@dataclass(frozen=True)
class Assignment:
    """One applicant's booth(s), the cost by term, and why in plain Russian."""

    exhibitor: str
    booths: list[str]
    cost: dict[str, float]
    reasons: list[str]
    total: float


@dataclass(frozen=True)
class Unplaced:
    """An applicant left without a booth, and why."""

    exhibitor: str
    reason: str


@dataclass(frozen=True)
class Quality:
    """Figures to judge an assignment by.

    Area differences are relative (``|area − request| / request``); the partner distance is
    in metres between centroids, over partner pairs that are both placed. ``in_zone_share``
    counts placed applicants whose track has a zone in the hall; None when there are none.
    """

    placed_share: float
    in_zone_share: float | None
    mean_area_diff: float | None
    worst_area_diff: float | None
    competitor_adjacencies: int
    mean_partner_distance: float | None
    optimality_gap: float
    lower_bound: float
    objective: float


@dataclass(frozen=True)
class AssignmentResult:
    """The preview: assignments in application order, who is left out, quality, warnings."""

    assignments: list[Assignment]
    unplaced: list[Unplaced]
    quality: Quality
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``assign --json``: assignments, unplaced, quality."""
        q = self.quality
        return {
            "assignments": [
                {
                    "exhibitor": a.exhibitor,
                    "booths": list(a.booths),
                    "cost": {k: round(v, 4) for k, v in a.cost.items()},
                }
                for a in self.assignments
            ],
            "unplaced": [{"exhibitor": u.exhibitor, "reason": u.reason} for u in self.unplaced],
            "quality": {
                "placed_share": _round(q.placed_share),
                "in_zone_share": _round(q.in_zone_share),
                "mean_area_diff": _round(q.mean_area_diff),
                "worst_area_diff": _round(q.worst_area_diff),
                "competitor_adjacencies": q.competitor_adjacencies,
                "mean_partner_distance": _round(q.mean_partner_distance),
                "optimality_gap": _round(q.optimality_gap),
                "lower_bound": _round(q.lower_bound),
                "objective": _round(q.objective),
            },
        }


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


# --------------------------------------------------------------------------- entry point


def assign(
    applications: Sequence[Application],
    booths: Sequence[FreeBooth],
    zones: Sequence[TrackZone],
    *,
    weights: Weights = Weights(),
    area_tolerance: float = 0.1,
    adjacency: Mapping[str, Collection[str]] | None = None,
    competitor_gap: float = 2.0,
    known_tracks: Collection[str] | None = None,
    placed: Mapping[str, BaseGeometry] | None = None,
    method: Literal["optimal", "greedy"] = "optimal",
    time_limit: float = 5.0,
    phases: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> AssignmentResult:
    """Assign free booths to applications, minimising the documented cost.

    ``applications`` are in priority order (earlier applications are placed first when
    booths run short). ``adjacency`` maps a booth number to the booths that count as its
    neighbours for the competitor rule (default: outlines closer than ``competitor_gap``
    metres). ``known_tracks``, when given, makes an unknown track an input error.
    ``placed`` maps exhibitors that already hold booths (confirmed, held) to their booths'
    geometry: partners and competitors may name them. ``method="greedy"`` is the
    first-come-first-served baseline (each applicant in turn takes its cheapest free
    column), reported with the same figures.

    Raises :class:`AssignmentInputError` on bad input (nothing is assigned).
    """
    if not 0 <= area_tolerance < 1:
        raise ValueError("area_tolerance must be in [0, 1)")
    if competitor_gap < 0:
        raise ValueError("competitor_gap must be ≥ 0")
    if not time_limit > 0:
        raise ValueError("time_limit must be > 0 seconds")
    deadline = time.perf_counter() + time_limit
    placed = dict(placed or {})
    _validate(applications, booths, zones, known_tracks, placed)
    problem = _Problem(
        list(applications),
        booths,
        zones,
        weights,
        area_tolerance,
        adjacency,
        competitor_gap,
        placed,
    )
    return problem.run(method, deadline, phases, progress)


# --------------------------------------------------------------------------- validation


def _validate(
    applications: Sequence[Application],
    booths: Sequence[FreeBooth],
    zones: Sequence[TrackZone],
    known_tracks: Collection[str] | None,
    placed: Mapping[str, BaseGeometry],
) -> None:
    problems: list[tuple[str | None, str]] = []
    names = [a.exhibitor for a in applications]
    everyone = set(names) | set(placed)
    seen: set[str] = set()
    for app in applications:
        who = app.exhibitor
        pre = f"Участник «{who}»: "
        if not who or not who.strip():
            problems.append((who, "У заявки не указан участник"))
            continue
        if who in seen:
            problems.append((who, pre + "заявка указана дважды"))
        seen.add(who)
        if who in placed:
            problems.append(
                (who, pre + "уже занимает стенд и не может подать заявку «любой стенд»")
            )
        area = app.requested_area
        if area is None or (isinstance(area, float) and math.isnan(area)):
            problems.append((who, pre + "не указана запрошенная площадь стенда"))
        elif area <= 0:
            problems.append(
                (
                    who,
                    pre + f"запрошенная площадь должна быть больше нуля (указано {_num(area)} м²)",
                )
            )
        if not app.track:
            problems.append((who, pre + "не указано направление"))
        elif known_tracks is not None and app.track not in known_tracks:
            problems.append((who, pre + f"неизвестное направление «{app.track}»"))
        if app.wish_kind is not None and app.wish_kind not in BOOTH_KINDS:
            allowed = ", ".join(f"{k} ({KIND_NAMES[k]})" for k in BOOTH_KINDS)
            problems.append(
                (who, pre + f"неизвестный тип стенда «{app.wish_kind}» (допустимы: {allowed})")
            )
        both = sorted(set(app.partners) & set(app.competitors))
        for other in both:
            problems.append((who, pre + f"«{other}» указан и партнёром, и конкурентом"))
        for role, others in (("партнёр", app.partners), ("конкурент", app.competitors)):
            for other in others:
                if other == who:
                    problems.append((who, pre + f"указан сам себе как {role}"))
                elif other not in everyone:
                    problems.append(
                        (who, pre + f"{role} «{other}» не найден среди заявок и участников")
                    )
    numbers: set[str] = set()
    for booth in booths:
        pre = f"Стенд «{booth.number}»: "
        if booth.number in numbers:
            problems.append((None, pre + "номер повторяется"))
        numbers.add(booth.number)
        if booth.kind not in BOOTH_KINDS:
            problems.append((None, pre + f"неизвестный тип «{booth.kind}»"))
        if not booth.area_m2 > 0:
            problems.append((None, pre + "площадь должна быть больше нуля"))
        if booth.polygon is None or booth.polygon.is_empty or not booth.polygon.is_valid:
            problems.append((None, pre + "контур пуст или некорректен"))
    has_zones = any(not z.polygon.is_empty for z in zones) or any(b.zone_track for b in booths)
    if applications and not has_zones:
        problems.append(
            (
                None,
                "В зале не размечены зоны направлений: автоматическое размещение не может "
                "учесть направления участников. Разметьте зоны на плане зала.",
            )
        )
    if problems:
        exhibitor, message = problems[0]
        raise AssignmentInputError(exhibitor, message, problems)


# --------------------------------------------------------------------------- helpers


def _natural_key(number: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", number))


def _num(x: float) -> str:
    """A number the Russian way: 16,2 rather than 16.2; whole numbers without decimals."""
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",").replace("-", "−")


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _shared_wall_lengths(polys: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Length of wall shared by ``polys[left[k]]`` and ``polys[right[k]]``, vectorised.

    Every pair of exterior edges is tested for being collinear (within 5 mm, snapped input)
    and the overlap of their projections is summed per pair: no overlay operations, which
    cost ~80 µs a pair in GEOS.
    """
    out = np.zeros(left.size)
    if left.size == 0:
        return out
    coords, owner = shapely.get_coordinates(shapely.get_exterior_ring(polys), return_index=True)
    same = owner[:-1] == owner[1:]
    start_pt, end_pt, edge_owner = coords[:-1][same], coords[1:][same], owner[:-1][same]
    counts = np.bincount(edge_owner, minlength=len(polys))
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    na, nb = counts[left], counts[right]
    combos = na * nb
    pair = np.repeat(np.arange(left.size), combos)
    local = np.arange(combos.sum()) - np.repeat(np.cumsum(combos) - combos, combos)
    ea = first[left[pair]] + local // nb[pair]
    eb = first[right[pair]] + local % nb[pair]
    a0, a1, b0, b1 = start_pt[ea], end_pt[ea], start_pt[eb], end_pt[eb]
    u = a1 - a0
    length = np.hypot(u[:, 0], u[:, 1])
    u = u / np.maximum(length, 1e-12)[:, None]

    def across(p: np.ndarray) -> np.ndarray:  # distance of p from the line of edge a
        d = p - a0
        return np.abs(u[:, 0] * d[:, 1] - u[:, 1] * d[:, 0])

    def along(p: np.ndarray) -> np.ndarray:
        d = p - a0
        return u[:, 0] * d[:, 0] + u[:, 1] * d[:, 1]

    tol = 5 * GRID
    on_line = (across(b0) <= tol) & (across(b1) <= tol)
    t0, t1 = along(b0), along(b1)
    overlap = np.minimum(length, np.maximum(t0, t1)) - np.maximum(0.0, np.minimum(t0, t1))
    overlap = np.where(on_line, np.maximum(overlap, 0.0), 0.0)
    return np.bincount(pair, weights=overlap, minlength=left.size)


def _lsa(cost: np.ndarray, unplaced: np.ndarray) -> np.ndarray:
    """Exact assignment of every row to a column or to "unplaced" (-1).

    Each row may fall to an unplaced column at ``unplaced[row]``, so the problem is always
    feasible; forbidden cells are ``inf``.
    """
    rows, cols = cost.shape
    out = np.full(rows, -1, dtype=np.int64)
    if rows == 0:
        return out
    full = np.hstack([cost, np.broadcast_to(unplaced[:, None], (rows, rows))])
    r, c = linear_sum_assignment(full)
    c = np.where(c < cols, c, -1)
    out[r] = c
    return out


# --------------------------------------------------------------------------- the problem


class _Problem:
    """Everything derived from the input once: columns, cost matrices, relations."""

    def __init__(
        self,
        apps: list[Application],
        booths: Sequence[FreeBooth],
        zones: Sequence[TrackZone],
        weights: Weights,
        tolerance: float,
        adjacency: Mapping[str, Collection[str]] | None,
        competitor_gap: float,
        placed: dict[str, BaseGeometry],
    ) -> None:
        self.apps = apps
        self.w = weights
        self.tol = tolerance
        self.warnings: list[str] = []
        self.n = len(apps)
        self.index = {a.exhibitor: i for i, a in enumerate(apps)}
        self.booths = sorted(booths, key=lambda b: _natural_key(b.number))
        self.m = len(self.booths)
        self.booth_index = {b.number: k for k, b in enumerate(self.booths)}
        self.req = np.array([float(a.requested_area) for a in apps], dtype=float)  # type: ignore[arg-type]
        self.threshold = self.req * (1 - tolerance) - AREA_EPS
        self._prepare_booths(adjacency, competitor_gap)
        self._prepare_zones(zones)
        self._prepare_relations(placed, competitor_gap)
        self._admit()
        self._prepare_columns()
        self._prepare_rows()

    # ---- booths and their neighbours

    def _prepare_booths(
        self, adjacency: Mapping[str, Collection[str]] | None, competitor_gap: float
    ) -> None:
        m = self.m
        polys = np.array([b.polygon for b in self.booths], dtype=object)
        self.polys = polys
        self.snapped = shapely.set_precision(polys, GRID) if m else polys
        self.area = np.array([b.area_m2 for b in self.booths], dtype=float)
        self.rank = np.array([BOOTH_KINDS.index(b.kind) for b in self.booths], dtype=np.int64)
        self.entrance = np.array([b.distance_to_entrance for b in self.booths], dtype=float)
        cents = shapely.centroid(polys) if m else np.empty(0, dtype=object)
        self.booth_xy = shapely.get_coordinates(cents).reshape(m, 2) if m else np.zeros((0, 2))
        self.tree = shapely.STRtree(self.snapped) if m else None
        # Competitor neighbours: booths closer than the gap (touching included), or the caller's.
        near: list[set[int]] = [set() for _ in range(m)]
        if adjacency is not None:
            for number, others in adjacency.items():
                a = self.booth_index.get(number)
                if a is None:
                    continue
                for other in others:
                    b = self.booth_index.get(other)
                    if b is not None and b != a:
                        near[a].add(b)
                        near[b].add(a)
        elif m:
            left, right = self.tree.query(
                self.snapped, predicate="dwithin", distance=competitor_gap
            )
            for a, b in zip(left.tolist(), right.tolist(), strict=True):
                if a != b:
                    near[a].add(b)
        self.near = [frozenset(s) for s in near]
        # Merge neighbours: a shared wall longer than MIN_SHARED_WALL; `touch` keeps every
        # pair that touches at all (needed for the simple-union test of triples).
        merge: list[list[int]] = [[] for _ in range(m)]
        self.touch: set[tuple[int, int]] = set()
        if m:
            left, right = self.tree.query(self.snapped, predicate="dwithin", distance=10 * GRID)
            keep = left < right
            left, right = left[keep], right[keep]
            self.touch = set(zip(left.tolist(), right.tolist(), strict=True))
            shared = _shared_wall_lengths(self.snapped, left, right)
            for a, b in zip(
                left[shared > MIN_SHARED_WALL].tolist(),
                right[shared > MIN_SHARED_WALL].tolist(),
                strict=True,
            ):
                merge[a].append(b)
                merge[b].append(a)
        self.merge = [sorted(x) for x in merge]
        if m:
            hull = shapely.area(shapely.convex_hull(self.snapped))
            real = shapely.area(self.snapped)
            self.convex = np.abs(hull - real) <= 1e-6 * np.maximum(real, 1.0)
            x0, y0, x1, y1 = shapely.bounds(self.snapped).T
            self.axis_box = np.abs((x1 - x0) * (y1 - y0) - real) <= 1e-6 * np.maximum(real, 1.0)
        else:
            self.convex = self.axis_box = np.zeros(0, dtype=bool)

    # ---- zones

    def _prepare_zones(self, zones: Sequence[TrackZone]) -> None:
        tracks = sorted(
            {z.track for z in zones if not z.polygon.is_empty}
            | {b.zone_track for b in self.booths if b.zone_track}
        )
        self.tracks = tracks
        self.track_index = {t: k for k, t in enumerate(tracks)}
        geoms: list[BaseGeometry | None] = []
        for t in tracks:
            parts = [z.polygon for z in zones if z.track == t and not z.polygon.is_empty]
            geoms.append(shapely.union_all(parts) if parts else None)
        self.zone_geoms = geoms
        m, nt = self.m, len(tracks)
        in_zone = np.zeros((m, nt), dtype=bool)
        dist = np.zeros((m, nt), dtype=float)
        cents = shapely.points(self.booth_xy) if m else np.empty(0, dtype=object)
        for t, geom in enumerate(geoms):
            if geom is not None and m:
                in_zone[:, t] = shapely.intersects(geom, cents)
                dist[:, t] = shapely.distance(self.polys, geom)
        for k, booth in enumerate(self.booths):
            if booth.zone_track:
                in_zone[k, :] = False
                in_zone[k, self.track_index[booth.zone_track]] = True
        dist[in_zone] = 0.0
        self.booth_in_zone = in_zone
        self.booth_zone_dist = dist
        self.app_track = np.array(
            [self.track_index.get(a.track, -1) for a in self.apps], dtype=np.int64
        )
        missing = sorted({a.track for a in self.apps if a.track not in self.track_index})
        for t in missing:
            self.warnings.append(
                f"Зона направления «{t}» в зале не размечена: участники этого направления "
                "размещены без учёта зоны."
            )

    # ---- partners, competitors, exhibitors placed earlier

    def _prepare_relations(self, placed: dict[str, BaseGeometry], competitor_gap: float) -> None:
        n = self.n
        partners: list[set[int]] = [set() for _ in range(n)]
        comps: list[set[int]] = [set() for _ in range(n)]
        self.fixed_partners: list[list[tuple[str, np.ndarray]]] = [[] for _ in range(n)]
        self.fixed_comp_booths = np.zeros((n, self.m), dtype=bool)
        self.fixed_comp_names: list[list[tuple[str, frozenset[int]]]] = [[] for _ in range(n)]
        fixed_xy = {
            name: np.array(shapely.get_coordinates(shapely.centroid(geom))[0])
            for name, geom in sorted(placed.items())
        }
        for i, app in enumerate(self.apps):
            for other in sorted(set(app.partners)):
                j = self.index.get(other)
                if j is not None:
                    partners[i].add(j)
                    partners[j].add(i)
                else:
                    self.fixed_partners[i].append((other, fixed_xy[other]))
            for other in sorted(set(app.competitors)):
                j = self.index.get(other)
                if j is not None:
                    comps[i].add(j)
                    comps[j].add(i)
                elif self.m:
                    hits = self.tree.query(
                        placed[other], predicate="dwithin", distance=competitor_gap
                    )
                    self.fixed_comp_booths[i, hits] = True
                    self.fixed_comp_names[i].append((other, frozenset(hits.tolist())))
        # A pair named partner by one side and competitor by the other: the rule wins.
        for i in range(n):
            partners[i] -= comps[i]
        self.partners = [sorted(s) for s in partners]
        self.comps = [sorted(s) for s in comps]
        self.partner_pairs = sorted({(min(i, j), max(i, j)) for i in range(n) for j in partners[i]})
        self.comp_pairs = sorted({(min(i, j), max(i, j)) for i in range(n) for j in comps[i]})

    # ---- who gets in

    def _admit(self) -> None:
        """Decide, in application order, who can be placed at all (see module docstring).

        Capacity is checked per area threshold ``T`` (Hall's condition; exact for single
        booths because "area ≥ threshold" sets are nested): the admitted applicants needing
        booths of area ≥ ``T`` must not outnumber them. A group applicant counts, for each
        ``T``, the fewest booths of area ≥ ``T`` that any group large enough for it uses (so
        a 36 m² request that can merge 9 + 9 + 18 reserves one 18 m² booth, not two).
        """
        n, m = self.n, self.m
        max_single = float(self.area.max()) if m else 0.0
        self.is_big = self.threshold > max_single  # needs merged booths
        self.reason: dict[int, str] = {}
        self.admitted = np.zeros(n, dtype=bool)
        self.groups: list[tuple[int, ...]] = []
        if self.is_big.any():
            self.groups = self._enumerate_groups(float(self.threshold[self.is_big].min()))
        # thresholds[0] = -1 stands for "any booth": the total count.
        thresholds = np.unique(np.concatenate([[-1.0], self.threshold[~self.is_big]]))
        cap = m - np.searchsorted(np.sort(self.area), thresholds, side="left")
        need = np.zeros(len(thresholds), dtype=np.int64)
        group_areas = np.array([self.area[list(g)].sum() for g in self.groups])
        if self.groups:
            member_area = np.full((len(self.groups), 3), -np.inf)
            for k, g in enumerate(self.groups):
                member_area[k, : len(g)] = self.area[list(g)]
            # per_group[g, k]: booths of area ≥ thresholds[k] in group g
            per_group = (member_area[:, :, None] >= thresholds[None, None, :]).sum(axis=1)
        for i in range(n):
            low = _num(self.req[i] * (1 - self.tol))
            if self.is_big[i]:
                fits = group_areas >= self.threshold[i] if self.groups else np.zeros(0, bool)
                if not fits.any():
                    self.reason[i] = (
                        f"нет свободного стенда площадью от {low} м², и соседние свободные стенды "
                        "не складываются в такую площадь"
                    )
                    continue
                add = per_group[fits].min(axis=0)
            else:
                add = (thresholds <= self.threshold[i]).astype(np.int64)
            if np.any(need + add > cap):
                self.reason[i] = _taken(low)
            else:
                self.admitted[i] = True
                need += add

    def _enumerate_groups(self, min_area: float) -> list[tuple[int, ...]]:
        """Sets of 2–3 booths joined by shared walls, large enough for some big request."""
        pairs = {(a, b) for a in range(self.m) for b in self.merge[a] if a < b}
        triples: set[tuple[int, ...]] = set()
        for a, b in pairs:
            for c in (*self.merge[a], *self.merge[b]):
                if c != a and c != b:
                    triples.add(tuple(sorted((a, b, c))))
        candidates = sorted(pairs) + sorted(triples)
        candidates = [g for g in candidates if self.area[list(g)].sum() >= min_area]
        if not candidates:
            return []
        # One simple polygon? By the nerve theorem a union of convex sets is hole-free when
        # their intersection pattern has no cycle, or every three of them share a point:
        # for 2–3 convex booths that only fails for a triple touching pairwise without a
        # common point, which axis-parallel boxes cannot do (Helly). Anything else (concave
        # or rotated booths in a pairwise-touching triple) gets an exact overlay check.
        keep: list[tuple[int, ...]] = []
        exact: list[tuple[int, ...]] = []
        for g in candidates:
            convex = all(self.convex[list(g)])
            if len(g) == 2 and convex:
                keep.append(g)
            elif len(g) == 3 and convex:
                a, b, c = g
                cycle = (a, b) in self.touch and (b, c) in self.touch and (a, c) in self.touch
                if not cycle or all(self.axis_box[list(g)]):
                    keep.append(g)
                else:
                    exact.append(g)
            else:
                exact.append(g)
        for g in exact:
            union = shapely.union_all(self.snapped[list(g)], grid_size=GRID)
            if union.geom_type == "Polygon" and not union.interiors:
                keep.append(g)
        return sorted(keep, key=lambda g: (len(g), g))

    # ---- columns: single booths then merged groups

    def _prepare_columns(self) -> None:
        m = self.m
        members = [(k,) for k in range(m)] + list(self.groups)
        self.members = members
        self.K = len(members)
        pad = np.full((self.K, 3), -1, dtype=np.int64)
        for c, mem in enumerate(members):
            pad[c, : len(mem)] = mem
        self.pad = pad
        valid = pad >= 0
        safe = np.where(valid, pad, 0)
        self.col_size = valid.sum(axis=1)
        self.col_area = np.where(valid, self.area[safe], 0).sum(axis=1)
        self.col_rank = np.where(valid, self.rank[safe], -1).max(axis=1)
        self.col_entrance = np.where(valid, self.entrance[safe], np.inf).min(axis=1)
        w_area = np.where(valid, self.area[safe], 0)
        self.col_xy = (self.booth_xy[safe] * w_area[..., None]).sum(axis=1) / np.maximum(
            self.col_area, 1e-9
        )[:, None]
        nt = len(self.tracks)
        in_zone = np.ones((self.K, nt), dtype=bool)
        dist = np.full((self.K, nt), np.inf)
        for k in range(3):
            ok = valid[:, k]
            in_zone[ok] &= self.booth_in_zone[safe[ok, k]]
            dist[ok] = np.minimum(dist[ok], self.booth_zone_dist[safe[ok, k]])
        if self.K:
            dist[in_zone] = 0.0
        self.col_in_zone = in_zone
        self.col_zone_dist = dist
        w = self.w
        self.zone_cost = np.where(in_zone, 0.0, w.zone + w.zone_per_10m * dist / 10.0)
        # Competitor neighbourhood of a column: booths near any member, members excluded.
        col_near: list[frozenset[int]] = []
        for mem in members:
            s: set[int] = set()
            for b in mem:
                s |= self.near[b]
            col_near.append(frozenset(s.difference(mem)))
        self.col_near = col_near
        booth_cols: list[list[int]] = [[k] for k in range(m)]
        for c in range(m, self.K):
            for b in members[c]:
                booth_cols[b].append(c)
        self.booth_cols = booth_cols
        self.booth_kdtree = cKDTree(self.booth_xy) if m else None

    def _nearest_disjoint(self, targets: np.ndarray) -> np.ndarray:
        """Distance from each column's centroid to the nearest of the ``targets`` columns that
        shares no booth with it (0 when there is none: a safe floor)."""
        out = np.zeros(self.K)
        if targets.size == 0 or self.K < 2:
            return out
        tree = cKDTree(self.col_xy[targets])
        todo = np.arange(self.K)
        k = 4
        while todo.size:
            kk = min(k, targets.size)
            dists, idx = tree.query(self.col_xy[todo], k=kk)
            dists, cand = dists.reshape(todo.size, kk), targets[idx.reshape(todo.size, kk)]
            mine = self.pad[todo][:, None, :, None]
            theirs = self.pad[cand][:, :, None, :]
            shared = ((mine == theirs) & (mine >= 0)).any(axis=(2, 3))
            ok = ~shared & (cand != todo[:, None])
            found = ok.any(axis=1)
            out[todo[found]] = dists[found, ok[found].argmax(axis=1)]
            if kk == targets.size:
                break
            todo = todo[~found]
            k *= 4
        return out

    def _nearest_disjoint_k(self, sources: np.ndarray, targets: np.ndarray, k: int) -> np.ndarray:
        """The ``k`` least distances (ascending) from each of the ``sources`` columns'
        centroids to distinct ``targets`` columns that share no booth with it; 0 where fewer
        exist (a safe floor)."""
        out = np.zeros((sources.size, k))
        if targets.size == 0 or sources.size == 0 or k == 0:
            return out
        tree = cKDTree(self.col_xy[targets])
        todo = np.arange(sources.size)
        kk = k + 4  # margin for the column itself and groups sharing its booths
        while todo.size:
            kk = min(kk, targets.size)
            src = sources[todo]
            dists, idx = tree.query(self.col_xy[src], k=kk)
            dists, cand = dists.reshape(todo.size, kk), targets[idx.reshape(todo.size, kk)]
            mine = self.pad[src][:, None, :, None]
            theirs = self.pad[cand][:, :, None, :]
            shared = ((mine == theirs) & (mine >= 0)).any(axis=(2, 3))
            ok = ~shared & (cand != src[:, None])
            found = (ok.sum(axis=1) >= k) | (kk == targets.size)
            best = np.sort(np.where(ok, dists, np.inf), axis=1)[:, :k]
            if best.shape[1] < k:
                best = np.pad(best, ((0, 0), (0, k - best.shape[1])), constant_values=np.inf)
            out[todo[found]] = np.where(np.isfinite(best[found]), best[found], 0.0)
            todo = todo[~found]
            kk *= 4
        return out

    # ---- rows: the two assignment problems

    def _prepare_rows(self) -> None:
        n = self.n
        rows_s = [i for i in range(n) if self.admitted[i] and not self.is_big[i]]
        rows_b = [i for i in range(n) if self.admitted[i] and self.is_big[i]]
        self.rows_s = np.array(rows_s, dtype=np.int64)
        self.rows_b = np.array(rows_b, dtype=np.int64)
        self.srow = {int(i): k for k, i in enumerate(self.rows_s)}
        self.grow = {int(i): k for k, i in enumerate(self.rows_b)}
        self.cols_s = np.arange(self.m)
        self.cols_b = np.arange(self.m, self.K)
        self.current = np.zeros((n, self.m), dtype=bool)
        self.current_size = np.zeros(n, dtype=np.int64)
        for i, app in enumerate(self.apps):
            for number in app.current_booths:
                k = self.booth_index.get(number)
                if k is not None:
                    self.current[i, k] = True
            self.current_size[i] = self.current[i].sum()
        self.wish = np.array(
            [BOOTH_KINDS.index(a.wish_kind) if a.wish_kind else -1 for a in self.apps],
            dtype=np.int64,
        )
        self.step = np.array([bool(a.step_free) for a in self.apps], dtype=bool)
        slots = max((len(f) for f in self.fixed_partners), default=0)
        self.fixed_xy = np.full((n, slots, 2), np.nan)
        for i, fixed in enumerate(self.fixed_partners):
            for k, (_name, point) in enumerate(fixed):
                self.fixed_xy[i, k] = point
        self.unplaced_cost = UNPLACED_PENALTY * (1 + (n - np.arange(n)) / max(n, 1))
        # Base (exact linear) cost; groups only for those who need them, singles only for others.
        self.S = self._linear(self.rows_s[:, None], self.cols_s[None, :])
        self.G = self._linear(self.rows_b[:, None], self.cols_b[None, :])
        self.mobile_deg = np.array(
            [sum(bool(self.admitted[j]) for j in p) for p in self.partners], dtype=float
        )
        self._prepare_partner_floor()
        allowed = np.isfinite(self.S).sum() + np.isfinite(self.G).sum()
        self.small = bool(allowed <= MILP_SOLVE_VARS)
        self.exact_affordable = bool(allowed <= MILP_MAX_VARS)
        self.scarcity = np.zeros(self.cols_b.size)  # extra cost of groups: Σ booth_price
        self.booth_price = np.zeros(self.m)
        self.xy_list = self.col_xy.tolist()  # plain floats: the local search is scalar code

    def _prepare_partner_floor(self) -> None:
        """Least centroid distance from each column to any column a partner may take.

        A partner ``j`` may only take columns of its family (single booths or groups) with
        area ≥ its threshold, so the floor is per class (family, threshold): ``nn[k, c]``.
        ``deg[i, k]`` counts ``i``'s admitted partners of class ``k``.
        """
        classes: dict[tuple[bool, float], int] = {}
        self.partner_deg = np.zeros((self.n, 0))
        keys = []
        for i in range(self.n):
            for j in self.partners[i]:
                if self.admitted[j]:
                    key = (bool(self.is_big[j]), float(self.threshold[j]))
                    if key not in classes:
                        classes[key] = len(classes)
                    keys.append((i, classes[key]))
        deg = np.zeros((self.n, len(classes)))
        for i, k in keys:
            deg[i, k] += 1
        nn = np.zeros((len(classes), self.K))
        for (big, threshold), k in classes.items():
            family = self.cols_b if big else self.cols_s
            nn[k] = self._nearest_disjoint(family[self.col_area[family] >= threshold])
        self.partner_deg = deg
        self.partner_nn = nn
        self.partner_classes = classes
        self._gl_cache = None

    def _prepare_partner_gl(self) -> None:
        """Gilmore–Lawler floor of each applicant's own partner distances, per column.

        ``i``'s admitted partners take ``|P_i|`` distinct columns that share no booth with
        ``i``'s column ``c`` (nor with each other), each one a column its partner may take;
        so ``Σ_{j ∈ P_i} d(c, c_j)`` is at least the sum of the ``|P_i|`` smallest
        distances from ``c`` to other columns, disjoint from ``c``, in the union of the
        partners' classes. ``partner_gl[key, c]`` holds that sum, ``gl_key[i]`` says which
        row is ``i``'s (row 0: no partners, zeros). Computed once per admitted set.
        """
        key = tuple(np.flatnonzero(self.admitted).tolist())
        if self._gl_cache == key:
            return
        classes = self.partner_classes
        # (i's family, its partners' classes) -> most partners of anyone with them; only
        # the columns of i's own family are ever charged, so only those are computed.
        need: dict[tuple[bool, tuple[int, ...]], int] = {}
        sets: list[tuple[tuple[bool, tuple[int, ...]], int] | None] = []
        for i in range(self.n):
            mine = sorted(
                {
                    classes[(bool(self.is_big[j]), float(self.threshold[j]))]
                    for j in self.partners[i]
                    if self.admitted[j]
                }
            )
            deg = sum(bool(self.admitted[j]) for j in self.partners[i])
            if not deg or not self.admitted[i]:
                sets.append(None)
                continue
            cls = (bool(self.is_big[i]), tuple(mine))
            need[cls] = max(need.get(cls, 0), deg)
            sets.append((cls, deg))
        rows: list[np.ndarray] = [np.zeros(self.K)]
        index: dict[tuple[tuple[bool, tuple[int, ...]], int], int] = {}
        for cls in sorted(need):
            sources = self.cols_b if cls[0] else self.cols_s
            targets = np.unique(
                np.concatenate(
                    [
                        (family := self.cols_b if big else self.cols_s)[
                            self.col_area[family] >= threshold
                        ]
                        for (big, threshold), k in classes.items()
                        if k in cls[1]
                    ]
                )
            )
            sums = np.cumsum(self._nearest_disjoint_k(sources, targets, need[cls]), axis=1)
            for deg in range(1, need[cls] + 1):
                index[(cls, deg)] = len(rows)
                rows.append(np.zeros(self.K))
                rows[-1][sources] = sums[:, deg - 1]
        self.partner_gl = np.array(rows)
        self.gl_key = np.array([0 if s is None else index[s] for s in sets], dtype=np.int64)
        self._gl_cache = key

    def _terms(self, r: np.ndarray, c: np.ndarray, full: bool = True) -> dict[str, np.ndarray]:
        """Linear cost terms of applicant(s) ``r`` in column(s) ``c`` (broadcasting).

        With ``full=False`` a term may come back in a smaller, broadcastable shape.
        """
        w = self.w
        shape = np.broadcast_shapes(np.shape(r), np.shape(c))
        req = self.req[r]
        track = self.app_track[r]
        zone = np.where(track >= 0, self.zone_cost[c, np.maximum(track, 0)], 0.0)
        area = w.area * np.abs(self.col_area[c] - req) / req
        wish = self.wish[r]
        kind = w.kind * ((wish >= 0) & (self.col_rank[c] != wish))
        access = np.where(self.step[r], w.access_per_10m * self.col_entrance[c] / 10.0, 0.0)
        stability = np.zeros(shape)
        if self.current_size.any():  # Jaccard distance to the booths held before
            inter = np.zeros(shape, dtype=np.int64)
            for k in range(3):
                b = self.pad[c, k]
                inter = inter + ((b >= 0) & self.current[r, np.maximum(b, 0)])
            cur = self.current_size[r]
            union = self.col_size[c] + cur - inter
            stability = np.where(cur > 0, w.move * (1 - inter / np.maximum(union, 1)), 0.0)
        competitors = np.zeros(shape)
        if self.fixed_comp_booths.any():  # next to a competitor placed earlier
            near = np.zeros(shape, dtype=bool)
            for k in range(3):
                b = self.pad[c, k]
                near = near | ((b >= 0) & self.fixed_comp_booths[r, np.maximum(b, 0)])
            competitors = HARD_PENALTY * near
        partners = np.zeros(shape)
        xy = self.col_xy[c]
        for k in range(self.fixed_xy.shape[1]):  # one pass per partner slot, not per row
            point = self.fixed_xy[r, k]
            d = np.hypot(xy[..., 0] - point[..., 0], xy[..., 1] - point[..., 1])
            partners = partners + np.nan_to_num(d, nan=0.0)
        partners = w.partner_per_10m * partners / 10.0
        terms = {
            "zone": zone,
            "area": area,
            "kind": kind,
            "partners": partners,
            "competitors": competitors,
            "access": access,
            "stability": stability,
        }
        if not full:
            return terms
        return {k: np.broadcast_to(v, shape).astype(float) for k, v in terms.items()}

    def _linear(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        if np.size(r) == 0 or np.size(c) == 0:
            return np.zeros(np.broadcast_shapes(np.shape(r), np.shape(c)))
        total = np.zeros(np.broadcast_shapes(np.shape(r), np.shape(c)))
        for term in self._terms(r, c, full=False).values():
            total += term
        allowed = self.col_area[c] >= self.threshold[r]
        return np.where(allowed, total, np.inf)

    def lin(self, i: int, c: int) -> float:
        """Linear cost of applicant ``i`` in column ``c`` (from the base matrices)."""
        if self.is_big[i]:
            return float(self.G[self.grow[i], c - self.m])
        return float(self.S[self.srow[i], c])

    # ---- solving

    def run(
        self,
        method: str,
        deadline: float = math.inf,
        phases: int | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> AssignmentResult:
        col = self._greedy() if method == "greedy" else self._optimise()
        if method == "optimal":
            from exhibit.booking.assign.improve import improve

            # What is left of the time limit, less a share for the bound and the result.
            spare = (deadline - time.perf_counter()) * (1 - BOUND_SHARE)
            col, self.search = improve(
                self, col, self.objective(col), time_limit=max(spare, 0.0), max_phases=phases,
                progress=progress,
            )  # fmt: skip
        # Admitted applicants that found no place after all (groups took the booths they
        # needed) join the unplaced; objective and bound then both concern exactly the
        # applicants placed, so neither carries the unplaced penalty.
        dropped = np.flatnonzero(self.admitted & (col < 0)).tolist()
        for i in dropped:
            self.admitted[i] = False
            self.reason[i] = _taken(_num(self.req[i] * (1 - self.tol)))
        if dropped:
            self._prepare_partner_floor()
        return self._result(col, self._lower_bound())

    def _partner_floor(
        self, rows: np.ndarray, cols: np.ndarray, strong: bool = False
    ) -> np.ndarray:
        """Each partner pair's least possible distance, split between the two sides.

        With ``strong``: per applicant and column the larger of that and half its
        Gilmore–Lawler floor (``_prepare_partner_gl``); both bound the same half-sum."""
        half = self.w.partner_per_10m / 10.0 * 0.5
        floor = half * (self.partner_deg[rows] @ self.partner_nn[:, cols])
        if strong and self.partner_pairs:
            self._prepare_partner_gl()
            gl = self.partner_gl[self.gl_key[rows]][:, cols]
            floor = np.maximum(floor, half * gl)
        return floor

    def _lower_bound(self) -> float:
        """The best of the valid bounds (see the module docstring)."""
        strong = bool(self.partner_pairs)
        bound = self._lagrangian(np.zeros(self.m), strong)  # the decomposed relaxation
        if self.rows_b.size:
            bound = max(bound, self._lagrangian(self._coupling_prices(), strong))
            coupled = getattr(self, "coupled_bound", None)
            if coupled is not None and coupled[0] == tuple(np.flatnonzero(self.admitted).tolist()):
                bound = max(bound, coupled[1])
                if strong:  # the subgradient rounds' best prices, with the stronger floor
                    bound = max(bound, self._lagrangian(self.coupled_price, strong))
        if self.partner_pairs or self.comp_pairs or self.rows_b.size:
            _, exact = self._exact()
            if exact is not None:
                bound = max(bound, exact)
        return bound

    def _shadow_prices(self, cost: np.ndarray, unplaced: np.ndarray) -> np.ndarray:
        """What losing each booth would cost the single-booth applicants (≥ 0, per booth).

        From the optimal assignment of ``cost`` (rows × booths): a free booth costs nothing;
        a taken booth costs the cheapest chain of moves that frees it — its holder moves to
        another booth, whose holder moves on … until a free booth is reached (or someone
        drops out). Those are the dual prices of the booth constraints (shortest paths in
        the residual graph), found by vectorised Bellman–Ford; chains are short when booths
        are spare, so it converges in a few rounds.
        """
        price = np.zeros(self.m)
        if cost.size == 0:
            return price
        chosen = _lsa(cost, unplaced)
        rows = np.flatnonzero(chosen >= 0)
        held = chosen[rows]
        step = cost[rows] - cost[rows, held][:, None]
        leave = unplaced[rows] - cost[rows, held]
        price[held] = np.inf
        for _ in range(self.m + 1):
            new = np.minimum((step + price[None, :]).min(axis=1), leave)
            if np.allclose(new, price[held], rtol=0, atol=1e-9):
                break
            price[held] = new
        return np.maximum(price, 0.0)

    def _lagrangian(self, price: np.ndarray, strong: bool = False) -> float:
        """Lagrangian bound: "each booth once" between groups and single booths relaxed
        with a price per booth: ``LSA(S + p) + LSA(G + Σ p) − Σ p`` (valid for any p ≥ 0);
        ``strong``: partner floors with the Gilmore–Lawler term (``_partner_floor``)."""
        total = 0.0 - float(price.sum())  # 0.0 - 0.0 is 0.0, not -0.0
        for rows, cols, base in (
            (self.rows_s, self.cols_s, self.S),
            (self.rows_b, self.cols_b, self.G),
        ):
            keep = self.admitted[rows]
            rows, base = rows[keep], base[keep]
            if rows.size == 0:
                continue
            pad = self.pad[cols]
            extra = np.where(pad >= 0, price[np.maximum(pad, 0)], 0.0).sum(axis=1)
            cost = base + self._partner_floor(rows, cols, strong) + extra[None, :]
            col = _lsa(cost, self.unplaced_cost[rows])
            placed = col >= 0
            total += float(cost[np.flatnonzero(placed), col[placed]].sum())
            total += float(self.unplaced_cost[rows[~placed]].sum())
        return total

    def _lagrangian_parts(
        self, price: np.ndarray, extra_s: np.ndarray | None, extra_g: np.ndarray | None
    ) -> tuple[float, np.ndarray]:
        """``LSA(S' + p) + LSA(G' + Σp) − Σp`` and how often each booth is used by the two
        relaxed solutions (``S'``, ``G'``: the cost matrices plus ``extra_*``)."""
        total = 0.0 - float(price.sum())
        usage = np.zeros(self.m)
        for rows, cols, base, extra in (
            (self.rows_s, self.cols_s, self.S, extra_s),
            (self.rows_b, self.cols_b, self.G, extra_g),
        ):
            if rows.size == 0:
                continue
            pad = self.pad[cols]
            cost = base + np.where(pad >= 0, price[np.maximum(pad, 0)], 0.0).sum(axis=1)
            if extra is not None:
                cost = cost + extra
            col = _lsa(cost, self.unplaced_cost[rows])
            placed = np.flatnonzero(col >= 0)
            total += float(cost[placed, col[placed]].sum())
            total += float(self.unplaced_cost[rows[col < 0]].sum())
            members = pad[col[placed]]
            np.add.at(usage, members[members >= 0], 1.0)
        return total, usage

    def _linear_value(
        self, col: np.ndarray, extra_s: np.ndarray | None, extra_g: np.ndarray | None
    ) -> float:
        """Cost of a solution under the linear costs plus ``extra_*`` (what step 2 bounds)."""
        total = 0.0
        for i in np.flatnonzero(self.admitted).tolist():
            c = int(col[i])
            if c < 0:
                total += float(self.unplaced_cost[i])
                continue
            total += self.lin(i, c)
            if self.is_big[i]:
                extra, row, k = extra_g, self.grow[i], c - self.m
            else:
                extra, row, k = extra_s, self.srow[i], c
            if extra is not None:
                total += float(extra[row, k])
        return total

    def _coordinate(
        self, extra_s: np.ndarray | None, extra_g: np.ndarray | None, forbid: dict
    ) -> np.ndarray:
        """Booth prices shared by groups and single booths, by subgradient optimisation.

        Groups and single-booth applicants compete for the same booths; the shadow prices
        of step 2 are marginal (what losing *one* booth costs), so several groups can still
        take booths the others need. Each round solves both relaxed problems with prices
        ``p`` (a valid bound, kept in ``self.coupled_bound``), builds a solution (groups at
        those prices, single booths on what is left) and moves ``p`` along the subgradient
        ``usage − 1`` with Polyak's step ``θ (best solution − bound) / ‖g‖²``. The prices of
        the best solution stay in ``self.booth_price`` for the later solves. A fixed number
        of rounds keeps it deterministic.
        """
        price = self.booth_price.copy()
        best_col = self._solve_linear(extra_s, extra_g, forbid)
        best_ub = self._linear_value(best_col, extra_s, extra_g)
        best_price, best_lb = self.booth_price.copy(), -np.inf
        lb_price = price.copy()
        theta, stall = 1.0, 0
        big = self.rows_s.size * self.m > COUPLING_BIG
        for _ in range(COUPLING_ROUNDS_BIG if big else COUPLING_ROUNDS):
            lb, usage = self._lagrangian_parts(price, extra_s, extra_g)
            if lb > best_lb + 1e-9:
                best_lb, stall, lb_price = lb, 0, price.copy()
            else:
                stall += 1
                if stall >= 2:
                    theta, stall = theta / 2, 0
            if best_ub - best_lb <= 1e-4 * max(abs(best_lb), 1.0):
                break
            g = usage - 1.0
            g[(price <= 0) & (g < 0)] = 0.0
            norm = float(g @ g)
            if norm == 0:
                break
            price = np.maximum(0.0, price + theta * (best_ub - lb) / norm * g)
            self.booth_price = price.copy()
            self._price_groups()
            col = self._solve_linear(extra_s, extra_g, forbid)
            value = self._linear_value(col, extra_s, extra_g)
            if value < best_ub - 1e-9:
                best_col, best_ub, best_price = col, value, self.booth_price.copy()
        self.booth_price = best_price
        self._price_groups()
        self.coupled_bound = (tuple(np.flatnonzero(self.admitted).tolist()), best_lb)
        self.coupled_price = lb_price
        return best_col

    def _coupling_prices(self) -> np.ndarray:
        """Shadow prices of the booths for the admitted single-booth applicants."""
        rows = self.rows_s[self.admitted[self.rows_s]]
        if rows.size == 0 or self.rows_b.size == 0:
            return np.zeros(self.m)
        cost = self.S[[self.srow[i] for i in rows.tolist()]] + self._partner_floor(
            rows, self.cols_s
        )
        return self._shadow_prices(cost, self.unplaced_cost[rows])

    def _solve_linear(
        self,
        extra_s: np.ndarray | None,
        extra_g: np.ndarray | None,
        forbid: dict[tuple[int, int], float],
    ) -> np.ndarray:
        """Groups first, then single booths on what the groups left.

        Groups are solved before single booths because they are the harder fit; when that
        leaves a single-booth applicant with nothing, the booths it could have used are
        priced up for groups (``self.booth_price``, kept for later solves while it helps) and
        both re-solved; the round leaving the fewest applicants out wins.
        """
        best: tuple[int, np.ndarray] | None = None
        start_price = best_price = self.booth_price.copy()
        first_drops = None
        for _ in range(8):
            col, used = self._solve_groups(extra_g, forbid)
            if self.rows_s.size:
                cost = self.S.copy() if extra_s is None else self.S + extra_s
                for (i, c), pen in forbid.items():
                    if not self.is_big[i]:
                        cost[self.srow[i], c] += pen
                if used:
                    cost[:, sorted(used)] = np.inf
                chosen = _lsa(cost, self.unplaced_cost[self.rows_s])
                col[self.rows_s] = chosen
            dropped = np.flatnonzero(self.admitted & (col < 0))
            if first_drops is None:
                first_drops = dropped.size
            if best is None or dropped.size < best[0]:
                best = (dropped.size, col)
                best_price = self.booth_price.copy()
            singles_dropped = dropped[~self.is_big[dropped]]
            if singles_dropped.size == 0 or not used:
                break
            # Booths the dropped applicants could use become dearer inside groups: a price
            # per booth, growing ×4 a round (from 2.5 × the zone weight) up to HARD_PENALTY.
            scarce = self.area >= self.threshold[singles_dropped].min()
            before = self.booth_price.copy()
            self.booth_price[scarce] = np.minimum(
                np.maximum(self.booth_price[scarce] * 4, 2.5 * self.w.zone), HARD_PENALTY
            )
            if np.array_equal(before, self.booth_price):
                break
            self._price_groups()
        # Keep prices only as far as they helped (fewer applicants left out).
        self.booth_price = best_price if best[0] < first_drops else start_price
        self._price_groups()
        return best[1]

    def _price_groups(self) -> None:
        pad = self.pad[self.cols_b]
        self.scarcity = np.where(pad >= 0, self.booth_price[np.maximum(pad, 0)], 0.0).sum(axis=1)

    def _solve_groups(
        self, extra_g: np.ndarray | None, forbid: dict[tuple[int, int], float]
    ) -> tuple[np.ndarray, set[int]]:
        """Merged groups for the applicants who need them; clashes go to the later one."""
        col = np.full(self.n, -1, dtype=np.int64)
        used: set[int] = set()
        if self.rows_b.size == 0:
            return col, used
        cost = self.G + self.scarcity[None, :]
        if extra_g is not None:
            cost += extra_g
        for (i, c), pen in forbid.items():
            if self.is_big[i]:
                cost[self.grow[i], c - self.m] += pen
        for _ in range(len(self.rows_b) + 1):
            chosen = _lsa(cost, self.unplaced_cost[self.rows_b])
            used = set()
            clashing = []
            for k, c in enumerate(chosen.tolist()):
                if c < 0:
                    continue
                mem = self.members[self.m + c]
                if used.intersection(mem):
                    clashing.append(k)
                else:
                    used.update(mem)
            if not clashing:
                break
            # A later applicant whose group overlaps an earlier one's may not use any group
            # touching the booths kept so far; re-solve.
            taken = sorted({x - self.m for b in used for x in self.booth_cols[b] if x >= self.m})
            for k in clashing:
                cost[k, taken] = np.inf
        for k, c in enumerate(chosen.tolist()):
            col[self.rows_b[k]] = self.m + c if c >= 0 else -1
        return col, used

    def _cols_next_to(self, c: int, big: bool) -> list[int]:
        """Columns of the given family adjacent to column ``c`` (for a competitor)."""
        near = sorted(self.col_near[c])
        if not big:
            return near
        out: set[int] = set()
        for b in near:
            out.update(x for x in self.booth_cols[b] if x >= self.m)
        return sorted(out)

    def _violations(self, col: np.ndarray) -> list[tuple[int, int]]:
        """Adjacent competitor pairs among applicants (fixed ones are in the linear cost)."""
        owner = self._owners(col)
        out = []
        for i, j in self.comp_pairs:
            if col[i] >= 0 and col[j] >= 0 and any(owner[b] == j for b in self.col_near[col[i]]):
                out.append((i, j))
        return out

    def _owners(self, col: np.ndarray) -> np.ndarray:
        owner = np.full(self.m, -1, dtype=np.int64)
        for i, c in enumerate(col.tolist()):
            if c >= 0:
                owner[list(self.members[c])] = i
        return owner

    def _solve_with_rules(
        self, extra_s: np.ndarray | None, extra_g: np.ndarray | None, forbid: dict
    ) -> np.ndarray:
        """Linear solve, then re-solve while new competitor adjacencies turn up.

        Small problems go to the exact MILP first (competitors as constraints); the
        heuristic re-solving is for large ones, or when capacity makes the rule infeasible.
        """
        if self.small:
            rows = np.flatnonzero(self.admitted).tolist()
            col, _ = self._milp(rows, extra_s, extra_g, competitors=True)
            if col is not None and (col[rows] >= 0).all():
                return col
            # Placing people beats the rule: if the rule would leave someone out, fall back
            # to the heuristic, which keeps them and reports the adjacency.
            loose, _ = self._milp(rows, extra_s, extra_g, competitors=False)
            if (
                col is not None
                and loose is not None
                and (loose[rows] < 0).sum() >= (col[rows] < 0).sum()
            ):
                return col
        col = self._solve_linear(extra_s, extra_g, forbid)
        for _ in range(30):
            new = False
            for i, j in self._violations(col):
                # The later application moves: earlier applications keep their choice.
                for c in self._cols_next_to(int(col[i]), bool(self.is_big[j])):
                    if (j, c) not in forbid:
                        forbid[(j, c)] = HARD_PENALTY
                        new = True
            if not new:
                break
            col = self._solve_linear(extra_s, extra_g, forbid)
        return col

    def objective(self, col: np.ndarray) -> float:
        """True objective: linear costs, partner pairs, hard and unplaced penalties."""
        total = 0.0
        for i in range(self.n):
            if not self.admitted[i]:
                continue
            total += self.lin(i, int(col[i])) if col[i] >= 0 else self.unplaced_cost[i]
        total += self._pairs_cost(col)
        return total

    def _pairs_cost(self, col: np.ndarray) -> float:
        total = 0.0
        wp = self.w.partner_per_10m / 10.0
        for i, j in self.partner_pairs:
            if col[i] >= 0 and col[j] >= 0:
                total += wp * float(np.hypot(*(self.col_xy[col[i]] - self.col_xy[col[j]])))
        total += HARD_PENALTY * len(self._violations(col))
        return total

    def _surrogate(self, col: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Linear upper bound of the partner cost around each cluster's current centre."""
        if not self.partner_pairs:
            return None, None
        uf = _UnionFind(self.n)
        for i, j in self.partner_pairs:
            uf.union(i, j)
        sums: dict[int, list] = {}
        for i in range(self.n):
            if col[i] >= 0 and self.partners[i]:
                # Members needing step-free access anchor the cluster: the others come to them.
                wt = 1.0 + 1e3 * self.step[i]
                s = sums.setdefault(uf.find(i), [np.zeros(2), 0])
                s[0] = s[0] + wt * self.col_xy[col[i]]
                s[1] += wt
        centre = np.full((self.n, 2), np.nan)
        for i in range(self.n):
            s = sums.get(uf.find(i))
            if s is not None and self.partners[i]:
                centre[i] = s[0] / s[1]
        wp = self.w.partner_per_10m / 10.0
        out = []
        for rows, cols in ((self.rows_s, self.cols_s), (self.rows_b, self.cols_b)):
            if rows.size == 0:
                out.append(None)
                continue
            z = centre[rows]
            has = ~np.isnan(z[:, 0])
            extra = np.zeros((rows.size, cols.size))
            if has.any():
                xy = self.col_xy[cols]
                d = np.hypot(xy[None, :, 0] - z[has, 0, None], xy[None, :, 1] - z[has, 1, None])
                extra[has] = wp * self.mobile_deg[rows[has]][:, None] * d
            out.append(extra)
        return out[0], out[1]

    def _optimise(self) -> np.ndarray:
        forbid: dict[tuple[int, int], float] = {}
        if self.rows_b.size:  # groups pay for the booths they take from others
            self.booth_price = self._coupling_prices()
            self._price_groups()
        floor_s = self._partner_floor(self.rows_s, self.cols_s) if self.partner_pairs else None
        floor_g = self._partner_floor(self.rows_b, self.cols_b) if self.partner_pairs else None
        if self.rows_b.size and not self.exact_affordable:  # else the exact MILP decides
            self._coordinate(floor_s, floor_g, {})
        col = self._solve_with_rules(floor_s, floor_g, forbid)
        best, best_obj = col, self.objective(col)
        for _ in range(8 if self.partner_pairs else 0):
            extra_s, extra_g = self._surrogate(best)
            col = self._solve_with_rules(extra_s, extra_g, forbid)
            obj = self.objective(col)
            if obj < best_obj - 1e-9:
                best, best_obj = col, obj
            else:
                break
        best = self._polish(best)
        if self._violations(best):
            rows = np.flatnonzero(best >= 0).tolist()
            repaired, _ = self._milp(rows, *self._surrogate(best), competitors=True)
            if repaired is not None and (repaired[rows] >= 0).all():
                best = self._polish(repaired)
        # Where the exact MILP is affordable its solution (partner floors in place of the
        # pairwise term) is polished too, and the better one kept; its bound is reused.
        exact, _ = self._exact()
        if exact is not None:
            exact = self._polish(exact)
            if self._rank(exact) < self._rank(best):
                best = exact
        return best

    def _rank(self, col: np.ndarray) -> tuple[int, float]:
        """Fewer admitted applicants left out first, then the objective."""
        return int((self.admitted & (col < 0)).sum()), self.objective(col)

    def _exact(self) -> tuple[np.ndarray | None, float | None]:
        """MILP of the linear problem with partner floors (cached per admitted set).

        The solution honours the competitor rule unless that would leave someone out; the
        bound is a valid lower bound of the true objective in either case.
        """
        rows = np.flatnonzero(self.admitted).tolist()
        key = tuple(rows)
        if getattr(self, "_exact_cache", (None,))[0] == key:
            return self._exact_cache[1], self._exact_cache[2]
        col = bound = None
        allowed = sum(
            np.isfinite(self.S[self.srow[i]]).sum()
            if not self.is_big[i]
            else np.isfinite(self.G[self.grow[i]]).sum()
            for i in rows
        )
        if rows and allowed <= MILP_MAX_VARS:
            fs = self._partner_floor(self.rows_s, self.cols_s)
            fg = self._partner_floor(self.rows_b, self.cols_b)
            col, bound = self._milp(rows, fs, fg, competitors=bool(self.comp_pairs))
            if col is None or (col[rows] < 0).any():
                # The rule cannot hold for everyone: bound the problem without it.
                col, bound = self._milp(rows, fs, fg, competitors=False)
        self._exact_cache = (key, col, bound)
        return col, bound

    # ---- local search

    def _local_cost(self, xs: Sequence[int], pos: Mapping[int, int], col: np.ndarray) -> float:
        def at(a: int) -> int:
            return pos.get(a, int(col[a]))

        total = 0.0
        wp = self.w.partner_per_10m / 10.0
        seen: set[tuple[int, int]] = set()
        for x in xs:
            cx = at(x)
            total += self.lin(x, cx)
            for p in self.partners[x]:
                key = (min(x, p), max(x, p))
                cp = at(p)
                if key in seen or cp < 0:
                    continue
                seen.add(key)
                (ax, ay), (bx, by) = self.xy_list[cx], self.xy_list[cp]
                total += wp * math.hypot(ax - bx, ay - by)
            for q in self.comps[x]:
                key = (-min(x, q) - 1, max(x, q))
                cq = at(q)
                if key in seen or cq < 0:
                    continue
                seen.add(key)
                near = self.col_near[cx]
                if any(b in near for b in self.members[cq]):
                    total += HARD_PENALTY
        return total

    def _polish(self, col: np.ndarray) -> np.ndarray:
        """Local search and cluster moves, in turn, while the true objective improves."""
        col = self._local_search(col)
        if not self.partner_pairs:
            return col
        obj = self.objective(col)
        for _ in range(POLISH_ROUNDS):
            moved = self._cluster_moves(col)
            moved = self._local_search(moved)
            new = self.objective(moved)
            if new >= obj - 1e-9:
                break
            col, obj = moved, new
        return col

    def _clusters(self) -> list[list[int]]:
        """Partner clusters (connected components) of admitted single-booth applicants."""
        uf = _UnionFind(self.n)
        for i, j in self.partner_pairs:
            if not (self.is_big[i] or self.is_big[j]) and self.admitted[i] and self.admitted[j]:
                uf.union(i, j)
        groups: dict[int, list[int]] = {}
        for i in range(self.n):
            if self.admitted[i] and not self.is_big[i] and self.partners[i]:
                groups.setdefault(uf.find(i), []).append(i)
        return [g for _, g in sorted(groups.items()) if len(g) > 1]

    def _cluster_moves(self, col: np.ndarray) -> np.ndarray:
        """Move whole partner clusters at once to their best free booths (best response).

        For each cluster, everyone else stays put: each member may take its own booth or a
        free one among the nearest to the members and its cheapest (competitor rule as a
        filter), and a min-sum dynamic programme over a spanning tree of the cluster finds
        the placement of least linear + partner cost (partners outside the tree's edges and
        outside the cluster are counted exactly afterwards). The move is kept when the true
        local cost falls.
        """
        col = col.copy()
        owner = self._owners(col)
        wp = self.w.partner_per_10m / 10.0
        for members in self._clusters():
            if any(col[x] < 0 for x in members):
                continue
            free = np.flatnonzero(owner < 0)
            own = np.array([col[x] for x in members], dtype=np.int64)
            pool = np.union1d(free, own)
            if pool.size == 0:
                continue
            tree = cKDTree(self.booth_xy[pool])
            centre = self.booth_xy[own].mean(axis=0)
            _, idx = tree.query(centre, k=min(pool.size, 4 * CLUSTER_NEAR))
            near_all = pool[np.atleast_1d(idx)]
            inside = set(members)
            cand: dict[int, np.ndarray] = {}
            unary: dict[int, np.ndarray] = {}
            for x in members:
                row = self.S[self.srow[x]]
                _, idx = tree.query(self.booth_xy[col[x]], k=min(pool.size, CLUSTER_NEAR))
                near = pool[np.atleast_1d(idx)]
                finite = pool[np.isfinite(row[pool])]
                cheap = finite[np.lexsort((finite, row[finite]))][:CLUSTER_CHEAP]
                c = np.unique(np.concatenate([near, near_all, cheap, [col[x]]]))
                c = c[np.isfinite(row[c])]
                # Competitors outside the cluster stay put: their neighbourhood is barred.
                bar: set[int] = set()
                for q in self.comps[x]:
                    if q not in inside and col[q] >= 0:
                        for b in self.members[col[q]]:
                            bar.update(self.near[b])
                if bar:
                    c = c[[b not in bar for b in c.tolist()]]
                u = row[c].copy()
                for q in self.partners[x]:  # partners outside the cluster (merged groups)
                    if q not in inside and col[q] >= 0:
                        u += wp * np.hypot(*(self.booth_xy[c] - self.col_xy[col[q]]).T)
                cand[x], unary[x] = c, u
            if any(cand[x].size == 0 for x in members):
                continue
            # Spanning tree (BFS from the first member), then leaves-to-root min-sum.
            root = members[0]
            order, parent = [root], {root: -1}
            for x in order:
                for y in self.partners[x]:
                    if y in inside and y not in parent:
                        parent[y] = x
                        order.append(y)
            total = {x: unary[x].copy() for x in members}
            message: dict[int, np.ndarray] = {}
            for x in reversed(order[1:]):
                par = parent[x]
                a, b = self.booth_xy[cand[par]], self.booth_xy[cand[x]]
                d = wp * np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
                d[cand[par][:, None] == cand[x][None, :]] = np.inf
                message[x] = d + total[x][None, :]
                total[par] = total[par] + message[x].min(axis=1)
            k = int(np.argmin(total[root]))
            if not np.isfinite(total[root][k]):
                continue
            # Top-down: each member takes its best booth given its parent's, among those
            # no other member has taken (the programme itself lets siblings share one).
            pick = {root: k}
            taken = {int(cand[root][k])}
            for x in order[1:]:
                row = message[x][pick[parent[x]]].copy()
                row[np.isin(cand[x], list(taken))] = np.inf
                pick[x] = int(np.argmin(row))
                if not np.isfinite(row[pick[x]]):
                    break
                taken.add(int(cand[x][pick[x]]))
            if len(taken) < len(members):
                continue
            pos = {x: int(cand[x][pick[x]]) for x in members}
            if all(pos[x] == col[x] for x in members):
                continue
            # Exact comparison: every partner and competitor term touching the cluster.
            touched = sorted(inside | {q for x in members for q in self.comps[x]})
            before = self._local_cost(touched, {}, col)
            after = self._local_cost(touched, pos, col)
            if after < before - 1e-9:
                for x in members:
                    owner[col[x]] = -1
                for x in members:
                    col[x] = pos[x]
                    owner[pos[x]] = x
        return col

    def _local_search(self, col: np.ndarray, passes: int = 8) -> np.ndarray:
        """Moves of single-booth holders near their partners or out of a violation.

        For applicant ``i`` and a candidate booth ``c`` (near a partner, or among its
        cheapest when next to a competitor): take ``c`` if free; else its holder ``k``
        either swaps into ``i``'s booth or moves on to its own cheapest free booth
        (an ejection chain of two). Each pass takes, per applicant, the best move that
        lowers the true objective; passes repeat until nothing improves.
        """
        col = col.copy()
        if self.m == 0 or (not self.partner_pairs and not self.comp_pairs):
            return col
        owner = self._owners(col)
        ranked: dict[int, list[int]] = {}

        def cheapest(x: int) -> list[int]:
            if x not in ranked:
                row = self.S[self.srow[x]]
                top = np.argpartition(row, min(self.m, 60) - 1)[: min(self.m, 60)]
                top = top[np.isfinite(row[top])]
                ranked[x] = top[np.lexsort((top, row[top]))].tolist()
            return ranked[x]

        for _ in range(passes):
            improved = False
            troubled = {x for pair in self._violations(col) for x in pair}
            for i in range(self.n):
                c0 = int(col[i])
                if c0 < 0 or self.is_big[i] or not (self.partners[i] or i in troubled):
                    continue
                cands: set[int] = set()
                for p in self.partners[i]:
                    if col[p] >= 0:
                        _, idx = self.booth_kdtree.query(self.col_xy[col[p]], k=min(self.m, 10))
                        cands.update(np.atleast_1d(idx).tolist())
                if i in troubled:
                    cands.update(cheapest(i)[:40])
                best_delta, best_move = -1e-9, None
                before_i = self._local_cost([i], {}, col)
                for c in sorted(cands):
                    if c == c0 or not np.isfinite(self.S[self.srow[i], c]):
                        continue
                    k = int(owner[c])
                    if k < 0:
                        moves = [(-1, -1)]
                    elif self.is_big[k]:
                        continue
                    else:
                        moves = []
                        if np.isfinite(self.S[self.srow[k], c0]):
                            moves.append((k, c0))
                        free = next(
                            (f for f in cheapest(k) if f != c and owner[f] < 0 and f != c0), None
                        )
                        if free is not None:
                            moves.append((k, free))
                    for k, dest in moves:
                        if k < 0:
                            delta = self._local_cost([i], {i: c}, col) - before_i
                        else:
                            delta = self._local_cost([i, k], {i: c, k: dest}, col)
                            delta -= self._local_cost([i, k], {}, col)
                        if delta < best_delta:
                            best_delta, best_move = delta, (c, k, dest)
                if best_move is not None:
                    c, k, dest = best_move
                    col[i] = c
                    owner[c0] = -1
                    owner[c] = i
                    if k >= 0:
                        col[k] = dest
                        owner[dest] = k
                    improved = True
            if not improved:
                break
        return col

    # ---- exact repair for small problems

    def _milp(
        self,
        rows: Sequence[int],
        extra_s: np.ndarray | None,
        extra_g: np.ndarray | None,
        competitors: bool,
    ) -> tuple[np.ndarray | None, float | None]:
        """Exact linear problem by ``scipy.optimize.milp`` (HiGHS), for small instances.

        Each of ``rows`` gets exactly one column or stays unplaced (``unplaced_cost``), each
        booth is used at most once, and with
        ``competitors`` the hard rule holds (``x_ic + Σ_{d next to c} x_jd ≤ 1``). Cost: the
        linear cost plus ``extra_*``. Returns the solution (None if too big or infeasible)
        and HiGHS's proven lower bound. A node limit, not a time limit, keeps it
        deterministic.
        """
        var_r, var_c = [], []
        for i in rows:
            if self.is_big[i]:
                cs = np.flatnonzero(np.isfinite(self.G[self.grow[i]])) + self.m
            else:
                cs = np.flatnonzero(np.isfinite(self.S[self.srow[i]]))
            var_r.extend([i] * len(cs))
            var_c.extend(cs.tolist())
        nv = len(var_r)
        if nv == 0 or nv > MILP_MAX_VARS:
            return None, None
        vr, vc = np.array(var_r), np.array(var_c)
        cost = np.empty(nv)
        big = self.is_big[vr]
        s_rows = np.array([self.srow.get(i, 0) for i in var_r])
        g_rows = np.array([self.grow.get(i, 0) for i in var_r])
        cost[~big] = self.S[s_rows[~big], vc[~big]]
        cost[big] = self.G[g_rows[big], vc[big] - self.m]
        if extra_s is not None:
            cost[~big] += extra_s[s_rows[~big], vc[~big]]
        if extra_g is not None:
            cost[big] += extra_g[g_rows[big], vc[big] - self.m]
        by_row: dict[int, list[int]] = {}
        for v, i in enumerate(var_r):
            by_row.setdefault(i, []).append(v)
        ri, ci, lo, hi = [], [], [], []
        k = 0
        for i in rows:  # each applicant exactly one column
            ri.extend([k] * len(by_row[i]))
            ci.extend(by_row[i])
            lo.append(1)
            hi.append(1)
            k += 1
        by_booth: dict[int, list[int]] = {}
        for v, c in enumerate(var_c):
            for b in self.members[c]:
                by_booth.setdefault(b, []).append(v)
        for b in sorted(by_booth):  # each booth at most once
            ri.extend([k] * len(by_booth[b]))
            ci.extend(by_booth[b])
            lo.append(0)
            hi.append(1)
            k += 1
        if competitors:
            inside = set(rows)
            var_at = {(i, c): v for v, (i, c) in enumerate(zip(var_r, var_c, strict=True))}
            for i, j in self.comp_pairs:
                if i not in inside or j not in inside:
                    continue
                for v in by_row[i]:
                    others = [
                        var_at[(j, d)]
                        for d in self._cols_next_to(var_c[v], bool(self.is_big[j]))
                        if (j, d) in var_at
                    ]
                    if others:
                        ri.extend([k] * (len(others) + 1))
                        ci.extend([v, *others])
                        lo.append(0)
                        hi.append(1)
                        k += 1
        # One "unplaced" slack per applicant keeps the model feasible.
        ri.extend(range(len(rows)))
        ci.extend(range(nv, nv + len(rows)))
        cost = np.concatenate([cost, self.unplaced_cost[np.asarray(rows, dtype=np.int64)]])
        a = coo_matrix((np.ones(len(ri)), (ri, ci)), shape=(k, nv + len(rows))).tocsr()
        res = milp(
            cost,
            constraints=LinearConstraint(a, np.array(lo, float), np.array(hi, float)),
            integrality=np.ones(nv + len(rows)),
            bounds=Bounds(0, 1),
            options={"node_limit": MILP_NODE_LIMIT},
        )
        bound = getattr(res, "mip_dual_bound", None)
        if res.status == 0:
            bound = res.fun if bound is None else bound
        if res.x is None:
            return None, (float(bound) if bound is not None and res.status != 2 else None)
        out = np.full(self.n, -1, dtype=np.int64)
        for v in np.flatnonzero(res.x[:nv] > 0.5).tolist():
            out[var_r[v]] = var_c[v]
        return out, (float(bound) if bound is not None else None)

    # ---- the greedy baseline

    def _greedy(self) -> np.ndarray:
        """First come, first served: each admitted applicant takes its cheapest free column."""
        col = np.full(self.n, -1, dtype=np.int64)
        taken = np.zeros(self.m, dtype=bool)
        wp = self.w.partner_per_10m / 10.0
        for i in range(self.n):
            if not self.admitted[i]:
                continue
            big = bool(self.is_big[i])
            cols = self.cols_b if big else self.cols_s
            row = (self.G[self.grow[i]] if big else self.S[self.srow[i]]).copy()
            if cols.size == 0:
                continue
            busy = np.any(
                np.where(self.pad[cols] >= 0, taken[np.maximum(self.pad[cols], 0)], False), axis=1
            )
            row[busy] = np.inf
            xy = self.col_xy[cols]
            for p in self.partners[i]:
                if col[p] >= 0:
                    row += wp * np.hypot(*(xy - self.col_xy[col[p]]).T)
            for q in self.comps[i]:
                if col[q] >= 0:
                    nxt = np.array(self._cols_next_to(int(col[q]), big), dtype=np.int64)
                    if nxt.size:
                        row[nxt - (self.m if big else 0)] += HARD_PENALTY
            k = int(np.argmin(row))
            if np.isfinite(row[k]):
                col[i] = cols[k]
                taken[list(self.members[cols[k]])] = True
        return col

    # ---- the result

    def _result(self, col: np.ndarray, bound: float) -> AssignmentResult:
        objective = self.objective(col)
        owner = self._owners(col)
        wp = self.w.partner_per_10m / 10.0
        assignments: list[Assignment] = []
        unplaced: list[Unplaced] = []
        viol = self._violations(col)
        viol_of: dict[int, list[int]] = {}
        for i, j in viol:
            viol_of.setdefault(i, []).append(j)
            viol_of.setdefault(j, []).append(i)
        area_diffs: list[float] = []
        in_zone = zone_known = 0
        partner_d: list[float] = []
        fixed_viol = 0
        placed_rows = np.flatnonzero(col >= 0)
        all_terms = self._terms(placed_rows, col[placed_rows])  # one vectorised call
        term_row = {int(i): k for k, i in enumerate(placed_rows)}
        for i, app in enumerate(self.apps):
            c = int(col[i])
            if c < 0:
                reason = self.reason.get(i) or _taken(_num(self.req[i] * (1 - self.tol)))
                unplaced.append(Unplaced(app.exhibitor, reason))
                continue
            terms = {k: float(v[term_row[i]]) for k, v in all_terms.items()}
            pair_cost = 0.0
            for p in self.partners[i]:
                if col[p] >= 0:
                    d = float(np.hypot(*(self.col_xy[c] - self.col_xy[col[p]])))
                    pair_cost += 0.5 * wp * d
                    if i < p:
                        partner_d.append(d)
            for _name, point in self.fixed_partners[i]:
                partner_d.append(float(np.hypot(*(self.col_xy[c] - point))))
            terms["partners"] += pair_cost
            fixed_viol += bool(terms["competitors"])  # so far only the fixed competitors
            terms["competitors"] += 0.5 * HARD_PENALTY * len(viol_of.get(i, []))
            cost = {k: terms[k] for k in TERMS}
            area_diffs.append(abs(self.col_area[c] - self.req[i]) / self.req[i])
            t = self.app_track[i]
            if t >= 0:
                zone_known += 1
                in_zone += bool(self.col_in_zone[c, t])
            numbers = [self.booths[b].number for b in self.members[c]]
            assignments.append(
                Assignment(
                    exhibitor=app.exhibitor,
                    booths=numbers,
                    cost=cost,
                    reasons=self._explain(i, c, col, owner, viol_of.get(i, [])),
                    total=float(sum(cost.values())),
                )
            )
        placed = len(assignments)
        quality = Quality(
            placed_share=placed / self.n if self.n else 1.0,
            in_zone_share=in_zone / zone_known if zone_known else None,
            mean_area_diff=float(np.mean(area_diffs)) if area_diffs else None,
            worst_area_diff=float(np.max(area_diffs)) if area_diffs else None,
            competitor_adjacencies=len(viol) + fixed_viol,
            mean_partner_distance=float(np.mean(partner_d)) if partner_d else None,
            optimality_gap=max(0.0, (objective - bound) / max(abs(bound), 1.0)),
            lower_bound=bound,
            objective=objective,
        )
        return AssignmentResult(assignments, unplaced, quality, list(self.warnings))

    def _explain(
        self, i: int, c: int, col: np.ndarray, owner: np.ndarray, rivals: list[int]
    ) -> list[str]:
        app = self.apps[i]
        out: list[str] = []
        t = self.app_track[i]
        if t < 0:
            out.append(f"зона направления «{app.track}» в зале не размечена")
        elif self.col_in_zone[c, t]:
            out.append(f"в зоне направления «{app.track}»")
        else:
            d = self.col_zone_dist[c, t]
            out.append(
                f"вне зоны направления «{app.track}» ({_num(d)} м от неё): "
                "в зоне не нашлось подходящего свободного стенда"
            )
        mem = self.members[c]
        if len(mem) > 1:
            numbers = " + ".join(self.booths[b].number for b in mem)
            out.append(
                f"объединены соседние стенды {numbers}: ни один свободный стенд не вмещает "
                f"{_num(self.req[i])} м²"
            )
        out.append(f"площадь {_num(self.col_area[c])} м² при запросе {_num(self.req[i])} м²")
        if app.wish_kind:
            got = BOOTH_KINDS[self.col_rank[c]]
            if got == app.wish_kind:
                out.append(f"{KIND_NAMES[got]}, как просили")
            else:
                out.append(f"просили {KIND_NAMES[app.wish_kind]}, достался {KIND_NAMES[got]}")
        for p in self.partners[i]:
            name = self.apps[p].exhibitor
            if col[p] < 0:
                out.append(f"партнёр {name} не размещён")
                continue
            d = float(np.hypot(*(self.col_xy[c] - self.col_xy[col[p]])))
            out.append(_partner_reason(name, d))
        for name, point in self.fixed_partners[i]:
            out.append(_partner_reason(name, float(np.hypot(*(self.col_xy[c] - point)))))
        near_fixed = [name for name, hits in self.fixed_comp_names[i] if hits.intersection(mem)]
        if rivals or near_fixed:
            names = ", ".join([self.apps[j].exhibitor for j in rivals] + near_fixed)
            out.append(f"рядом с конкурентом {names}: другого свободного места не хватило")
        elif self.comps[i] or self.fixed_comp_names[i]:
            out.append("не соседствует с конкурентами")
        if app.step_free:
            out.append(f"до входа {_num(self.col_entrance[c])} м (нужен доступ без ступеней)")
        if self.current_size[i]:
            kept = [self.booths[b].number for b in mem if self.current[i, b]]
            before = [self.booths[b].number for b in np.flatnonzero(self.current[i]).tolist()]
            if len(kept) == len(before) == len(mem):
                out.append("остаётся на прежнем стенде")
            elif kept:
                out.append(f"частично на прежнем месте ({', '.join(kept)})")
            else:
                out.append(f"перенесён с прежнего стенда {', '.join(before)}")
        return out


def _taken(low: str) -> str:
    return f"свободные стенды площадью от {low} м² заняты участниками с более ранней заявкой"


def _partner_reason(name: str, d: float) -> str:
    if d <= NEAR_PARTNER:
        return f"рядом с партнёром {name} ({_num(round(d))} м)"
    return f"партнёр {name} в {_num(round(d))} м: ближе свободных подходящих стендов не нашлось"
