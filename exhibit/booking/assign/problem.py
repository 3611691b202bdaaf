"""The instance: everything the solver derives from the input once (pure: NumPy, SciPy,
Shapely) — booths and their neighbours, zones, partner and competitor relations, who is
admitted, the columns (single booths and merged groups), the linear cost matrices, the
partner floors and the true objective.

An :class:`Instance` is immutable once built: its arrays are read-only, its lists tuples,
its mappings read-only, and setting an attribute fails. What a solve changes lives apart
(:mod:`~exhibit.booking.assign.state`); who is admitted after the solve is a new instance
(:meth:`Instance.with_admitted`). The construction (:mod:`~exhibit.booking.assign.construct`),
the bound (:mod:`~exhibit.booking.assign.bound`) and the report
(:mod:`~exhibit.booking.assign.explain`) take an instance; :mod:`~exhibit.booking.assign.solve`
runs them. The model, the cost terms, the method and its figures: docs/assignment.md.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from exhibit.booking.assign.constants import (
    AREA_EPS,
    HARD_PENALTY,
    MILP_MAX_VARS,
    MILP_SOLVE_VARS,
    MIN_SHARED_WALL,
    UNPLACED_PENALTY,
)
from exhibit.booking.assign.floors import PartnerFloors
from exhibit.booking.assign.inputs import Application, FreeBooth, TrackZone, Weights
from exhibit.booking.assign.reasons import area_taken, no_booth_large_enough, phrase
from exhibit.booking.assign.tools import natural_key, shared_wall_lengths

# Booth kinds by openness (0–1, 2, 3, 4 open sides) and the 1 mm snapping grid for geometry
# comparisons (real drawings carry ~1e-6 noise): the floor plan's own.
from exhibit.floorplan.geometry import GRID
from exhibit.floorplan.plan import BOOTH_KINDS

# --------------------------------------------------------------------------- the instance


def _frozen(value: Any) -> Any:
    """``value`` made read-only: arrays unwriteable, lists tuples, sets frozensets, dicts
    read-only mappings (deeply)."""
    if isinstance(value, np.ndarray):
        value.setflags(write=False)
        return value
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, set):
        return frozenset(value)
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    return value


class Instance:
    """Everything derived from the input once: columns, cost matrices, relations.

    Immutable once built (see the module docstring). Indices: ``i``, ``j`` an applicant
    (in application order), ``b`` a booth (in natural number order), ``c`` a column —
    ``0 … n_booths − 1`` the single booths, then the merged groups.

    - applicants: ``apps``, ``requested`` and ``threshold`` (least area allowed),
      ``needs_group`` (no single booth is large enough), ``admitted`` and ``left_out``
      (who is not, and why), ``partners`` / ``competitors`` (per applicant) and
      ``partner_pairs`` / ``comp_pairs``, the fixed ones (``fixed_partners``,
      ``fixed_comp_booths``: exhibitors already placed), ``wished_kind``, ``step_free``,
      ``current`` (booths held before), ``app_track``;
    - booths: ``booths``, ``area``, ``rank`` (kind), ``entrance``, ``booth_xy``, ``near``
      (competitor neighbours), ``merge`` (shared walls);
    - columns: ``members`` (a column's booths), ``column_booths`` (the same, padded with
      −1), ``col_area``, ``col_xy``, ``col_near``, ``col_in_zone``, ``booth_cols`` (the
      columns holding a booth);
    - costs: ``single_cost`` (``single_applicants`` × ``single_columns``) and
      ``group_cost`` (``group_applicants`` × ``group_columns``) — ``inf`` where not
      allowed; ``single_row`` / ``group_row`` (an applicant's row in them),
      ``unplaced_cost``, the partner floors (``floors``, :meth:`partner_floor`), and the
      true objective (:meth:`objective`).
    """

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
        self.weights = weights
        self.tolerance = tolerance
        self.warnings: list[str] = []
        self.n_applicants = len(apps)
        self.index = {a.exhibitor: i for i, a in enumerate(apps)}
        self.booths = sorted(booths, key=lambda b: natural_key(b.number))
        self.n_booths = len(self.booths)
        self.booth_index = {b.number: k for k, b in enumerate(self.booths)}
        self.requested = np.array([float(a.requested_area) for a in apps], dtype=float)  # type: ignore[arg-type]
        self.threshold = self.requested * (1 - tolerance) - AREA_EPS
        self._prepare_booths(adjacency, competitor_gap)
        self._prepare_zones(zones)
        self._prepare_relations(placed, competitor_gap)
        self._admit()
        self._prepare_columns()
        self._prepare_rows()
        for name, value in list(vars(self).items()):
            object.__setattr__(self, name, _frozen(value))
        object.__setattr__(self, "_built", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_built", False):
            raise AttributeError(
                f"an Instance is immutable ({name!r}): a solve keeps what it changes apart"
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"an Instance is immutable ({name!r})")

    def with_admitted(self, admitted: np.ndarray, left_out: Mapping[int, str]) -> Instance:
        """The same instance admitting only ``admitted`` (a subset of who it admits), with
        ``left_out`` (applicant → why) added to its reasons; the partner floors follow.
        Everything else — rows, columns, cost matrices — is shared (it is read-only)."""
        admitted = np.array(admitted, dtype=bool)
        if admitted.shape != self.admitted.shape or (admitted & ~self.admitted).any():
            raise ValueError("with_admitted: not a subset of the admitted applicants")
        changed = copy.copy(self)  # shares the read-only parts; bypasses __setattr__
        values = vars(changed)
        values["admitted"] = _frozen(admitted)
        values["left_out"] = _frozen({**self.left_out, **left_out})
        values["floors"] = PartnerFloors(changed)
        return changed

    def admitted_key(self) -> tuple[int, ...]:
        """Who is admitted, as the key of results cached per admitted set."""
        return tuple(np.flatnonzero(self.admitted).tolist())

    def _prepare_booths(
        self, adjacency: Mapping[str, Collection[str]] | None, competitor_gap: float
    ) -> None:
        n_booths = self.n_booths
        polys = np.array([b.polygon for b in self.booths], dtype=object)
        self.polys = polys
        # Coordinates rounded to the grid (fast); the few outlines rounding makes invalid
        # are snapped the robust way.
        self.snapped = shapely.set_precision(polys, GRID, mode="pointwise") if n_booths else polys
        if n_booths and not (valid := shapely.is_valid(self.snapped)).all():
            self.snapped[~valid] = shapely.set_precision(polys[~valid], GRID)
        self.area = np.array([b.area_m2 for b in self.booths], dtype=float)
        self.rank = np.array([BOOTH_KINDS.index(b.kind) for b in self.booths], dtype=np.int64)
        self.entrance = np.array([b.distance_to_entrance for b in self.booths], dtype=float)
        cents = shapely.centroid(polys) if n_booths else np.empty(0, dtype=object)
        self.booth_xy = (
            shapely.get_coordinates(cents).reshape(n_booths, 2) if n_booths else np.zeros((0, 2))
        )
        self.tree = shapely.STRtree(self.snapped) if n_booths else None
        # Competitor neighbours: booths closer than the gap (touching included), or the caller's.
        near: list[set[int]] = [set() for _ in range(n_booths)]
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
        elif n_booths:
            left, right = self.tree.query(
                self.snapped, predicate="dwithin", distance=competitor_gap
            )
            for a, b in zip(left.tolist(), right.tolist(), strict=True):
                if a != b:
                    near[a].add(b)
        self.near = [frozenset(near_set) for near_set in near]
        # Merge neighbours: a shared wall longer than MIN_SHARED_WALL; `touch` keeps every
        # pair that touches at all (needed for the simple-union test of triples).
        merge: list[list[int]] = [[] for _ in range(n_booths)]
        self.touch: set[tuple[int, int]] = set()
        if n_booths:
            left, right = self.tree.query(self.snapped, predicate="dwithin", distance=10 * GRID)
            keep = left < right
            left, right = left[keep], right[keep]
            self.touch = set(zip(left.tolist(), right.tolist(), strict=True))
            shared = shared_wall_lengths(self.snapped, left, right)
            for a, b in zip(
                left[shared > MIN_SHARED_WALL].tolist(),
                right[shared > MIN_SHARED_WALL].tolist(),
                strict=True,
            ):
                merge[a].append(b)
                merge[b].append(a)
        self.merge = [sorted(booth_neighbours) for booth_neighbours in merge]
        if n_booths:
            hull = shapely.area(shapely.convex_hull(self.snapped))
            real = shapely.area(self.snapped)
            self.convex = np.abs(hull - real) <= 1e-6 * np.maximum(real, 1.0)
            x0, y0, x1, y1 = shapely.bounds(self.snapped).T
            self.axis_box = np.abs((x1 - x0) * (y1 - y0) - real) <= 1e-6 * np.maximum(real, 1.0)
        else:
            self.convex = self.axis_box = np.zeros(0, dtype=bool)

    def _prepare_zones(self, zones: Sequence[TrackZone]) -> None:
        tracks = sorted(
            {zone.track for zone in zones if not zone.polygon.is_empty}
            | {b.zone_track for b in self.booths if b.zone_track}
        )
        self.tracks = tracks
        self.track_index = {track: k for k, track in enumerate(tracks)}
        geoms: list[BaseGeometry | None] = []
        for track in tracks:
            parts = [
                zone.polygon for zone in zones if zone.track == track and not zone.polygon.is_empty
            ]
            geoms.append(shapely.union_all(parts) if parts else None)
        self.zone_geoms = geoms
        n_booths, n_tracks = self.n_booths, len(tracks)
        in_zone = np.zeros((n_booths, n_tracks), dtype=bool)
        dist = np.zeros((n_booths, n_tracks), dtype=float)
        cents = shapely.points(self.booth_xy) if n_booths else np.empty(0, dtype=object)
        for track, geom in enumerate(geoms):
            if geom is not None and n_booths:
                in_zone[:, track] = shapely.intersects(geom, cents)
                dist[:, track] = shapely.distance(self.polys, geom)
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
        for track in missing:
            self.warnings.append(
                phrase(
                    "Зона направления «%(track)s» в зале не размечена: участники этого "
                    "направления размещены без учёта зоны.",
                    track=track,
                )
            )

    def _prepare_relations(self, placed: dict[str, BaseGeometry], competitor_gap: float) -> None:
        n_applicants = self.n_applicants
        partners: list[set[int]] = [set() for _ in range(n_applicants)]
        competitors: list[set[int]] = [set() for _ in range(n_applicants)]
        self.fixed_partners: list[list[tuple[str, np.ndarray]]] = [[] for _ in range(n_applicants)]
        self.fixed_comp_booths = np.zeros((n_applicants, self.n_booths), dtype=bool)
        self.fixed_comp_names: list[list[tuple[str, frozenset[int]]]] = [
            [] for _ in range(n_applicants)
        ]
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
                    competitors[i].add(j)
                    competitors[j].add(i)
                elif self.n_booths:
                    hits = self.tree.query(
                        placed[other], predicate="dwithin", distance=competitor_gap
                    )
                    self.fixed_comp_booths[i, hits] = True
                    self.fixed_comp_names[i].append((other, frozenset(hits.tolist())))
        # A pair named partner by one side and competitor by the other: the rule wins.
        for i in range(n_applicants):
            partners[i] -= competitors[i]
        self.partners = [sorted(others) for others in partners]
        self.competitors = [sorted(others) for others in competitors]
        self.partner_pairs = sorted(
            {(min(i, j), max(i, j)) for i in range(n_applicants) for j in partners[i]}
        )
        self.comp_pairs = sorted(
            {(min(i, j), max(i, j)) for i in range(n_applicants) for j in competitors[i]}
        )

    def _admit(self) -> None:
        """Decide, in application order, who can be placed at all (see module docstring).

        Capacity is checked per area threshold ``T`` (Hall's condition; exact for single
        booths because "area ≥ threshold" sets are nested): the admitted applicants needing
        booths of area ≥ ``T`` must not outnumber them. A group applicant counts, for each
        ``T``, the fewest booths of area ≥ ``T`` that any group large enough for it uses (so
        a 36 m² request that can merge 9 + 9 + 18 reserves one 18 m² booth, not two).
        """
        n_applicants, n_booths = self.n_applicants, self.n_booths
        max_single = float(self.area.max()) if n_booths else 0.0
        self.needs_group = self.threshold > max_single  # needs merged booths
        self.left_out: dict[int, str] = {}  # why, for who is left out
        self.admitted = np.zeros(n_applicants, dtype=bool)
        self.groups: list[tuple[int, ...]] = []
        if self.needs_group.any():
            self.groups = self._enumerate_groups(float(self.threshold[self.needs_group].min()))
        # thresholds[0] = -1 stands for "any booth": the total count.
        thresholds = np.unique(np.concatenate([[-1.0], self.threshold[~self.needs_group]]))
        cap = n_booths - np.searchsorted(np.sort(self.area), thresholds, side="left")
        need = np.zeros(len(thresholds), dtype=np.int64)
        group_areas = np.array([self.area[list(group)].sum() for group in self.groups])
        if self.groups:
            member_area = np.full((len(self.groups), 3), -np.inf)
            for number, group in enumerate(self.groups):
                member_area[number, : len(group)] = self.area[list(group)]
            # per_group[g, k]: booths of area ≥ thresholds[k] in group g
            per_group = (member_area[:, :, None] >= thresholds[None, None, :]).sum(axis=1)
        for i in range(n_applicants):
            low = float(self.requested[i] * (1 - self.tolerance))
            if self.needs_group[i]:
                fits = group_areas >= self.threshold[i] if self.groups else np.zeros(0, bool)
                if not fits.any():
                    self.left_out[i] = no_booth_large_enough(low)
                    continue
                add = per_group[fits].min(axis=0)
            else:
                add = (thresholds <= self.threshold[i]).astype(np.int64)
            if np.any(need + add > cap):
                self.left_out[i] = area_taken(low)
            else:
                self.admitted[i] = True
                need += add

    def _enumerate_groups(self, min_area: float) -> list[tuple[int, ...]]:
        """Sets of 2–3 booths joined by shared walls, large enough for some big request."""
        pairs = {(a, b) for a in range(self.n_booths) for b in self.merge[a] if a < b}
        triples: set[tuple[int, ...]] = set()
        for a, b in pairs:
            for c in (*self.merge[a], *self.merge[b]):
                if c != a and c != b:
                    triples.add(tuple(sorted((a, b, c))))
        candidates = sorted(pairs) + sorted(triples)
        candidates = [group for group in candidates if self.area[list(group)].sum() >= min_area]
        if not candidates:
            return []
        # One simple polygon? By the nerve theorem a union of convex sets is hole-free when
        # their intersection pattern has no cycle, or every three of them share a point:
        # for 2–3 convex booths that only fails for a triple touching pairwise without a
        # common point, which axis-parallel boxes cannot do (Helly). Anything else (concave
        # or rotated booths in a pairwise-touching triple) gets an exact overlay check.
        keep: list[tuple[int, ...]] = []
        exact: list[tuple[int, ...]] = []
        for group in candidates:
            convex = all(self.convex[list(group)])
            if len(group) == 2 and convex:
                keep.append(group)
            elif len(group) == 3 and convex:
                a, b, c = group
                cycle = (a, b) in self.touch and (b, c) in self.touch and (a, c) in self.touch
                if not cycle or all(self.axis_box[list(group)]):
                    keep.append(group)
                else:
                    exact.append(group)
            else:
                exact.append(group)
        for group in exact:
            union = shapely.union_all(self.snapped[list(group)], grid_size=GRID)
            if union.geom_type == "Polygon" and not union.interiors:
                keep.append(group)
        return sorted(keep, key=lambda group: (len(group), group))

    def _prepare_columns(self) -> None:
        n_booths = self.n_booths
        members = [(k,) for k in range(n_booths)] + list(self.groups)
        self.members = members
        self.n_columns = len(members)
        padded = np.full((self.n_columns, 3), -1, dtype=np.int64)
        for c, booths in enumerate(members):
            padded[c, : len(booths)] = booths
        self.column_booths = padded
        valid = padded >= 0
        safe = np.where(valid, padded, 0)
        self.col_size = valid.sum(axis=1)
        self.col_area = np.where(valid, self.area[safe], 0).sum(axis=1)
        self.col_rank = np.where(valid, self.rank[safe], -1).max(axis=1)
        self.col_entrance = np.where(valid, self.entrance[safe], np.inf).min(axis=1)
        w_area = np.where(valid, self.area[safe], 0)
        self.col_xy = (self.booth_xy[safe] * w_area[..., None]).sum(axis=1) / np.maximum(
            self.col_area, 1e-9
        )[:, None]
        n_tracks = len(self.tracks)
        in_zone = np.ones((self.n_columns, n_tracks), dtype=bool)
        dist = np.full((self.n_columns, n_tracks), np.inf)
        for k in range(3):
            present = valid[:, k]
            in_zone[present] &= self.booth_in_zone[safe[present, k]]
            dist[present] = np.minimum(dist[present], self.booth_zone_dist[safe[present, k]])
        if self.n_columns:
            dist[in_zone] = 0.0
        self.col_in_zone = in_zone
        self.col_zone_dist = dist
        weights = self.weights
        self.zone_cost = np.where(in_zone, 0.0, weights.zone + weights.zone_per_10m * dist / 10.0)
        # Competitor neighbourhood of a column: booths near any member, members excluded.
        col_near: list[frozenset[int]] = []
        for booths in members:
            near_set: set[int] = set()
            for b in booths:
                near_set |= self.near[b]
            col_near.append(frozenset(near_set.difference(booths)))
        self.col_near = col_near
        booth_cols: list[list[int]] = [[k] for k in range(n_booths)]
        for c in range(n_booths, self.n_columns):
            for b in members[c]:
                booth_cols[b].append(c)
        self.booth_cols = booth_cols
        self.booth_kdtree = cKDTree(self.booth_xy) if n_booths else None

    def _prepare_rows(self) -> None:
        n_applicants = self.n_applicants
        single_rows = [
            i for i in range(n_applicants) if self.admitted[i] and not self.needs_group[i]
        ]
        group_rows = [i for i in range(n_applicants) if self.admitted[i] and self.needs_group[i]]
        self.single_applicants = np.array(single_rows, dtype=np.int64)
        self.group_applicants = np.array(group_rows, dtype=np.int64)
        self.single_row = {int(i): k for k, i in enumerate(self.single_applicants)}
        self.group_row = {int(i): k for k, i in enumerate(self.group_applicants)}
        self.single_columns = np.arange(self.n_booths)
        self.group_columns = np.arange(self.n_booths, self.n_columns)
        self.current = np.zeros((n_applicants, self.n_booths), dtype=bool)
        self.current_size = np.zeros(n_applicants, dtype=np.int64)
        for i, app in enumerate(self.apps):
            for number in app.current_booths:
                k = self.booth_index.get(number)
                if k is not None:
                    self.current[i, k] = True
            self.current_size[i] = self.current[i].sum()
        self.wished_kind = np.array(
            [BOOTH_KINDS.index(a.wish_kind) if a.wish_kind else -1 for a in self.apps],
            dtype=np.int64,
        )
        self.step_free = np.array([bool(a.step_free) for a in self.apps], dtype=bool)
        slots = max((len(fixed) for fixed in self.fixed_partners), default=0)
        self.fixed_xy = np.full((n_applicants, slots, 2), np.nan)
        for i, fixed in enumerate(self.fixed_partners):
            for k, (_name, point) in enumerate(fixed):
                self.fixed_xy[i, k] = point
        self.unplaced_cost = UNPLACED_PENALTY * (
            1 + (n_applicants - np.arange(n_applicants)) / max(n_applicants, 1)
        )
        # Base (exact linear) cost; groups only for those who need them, singles only for others.
        self.single_cost = self.linear(
            self.single_applicants[:, None], self.single_columns[None, :]
        )
        self.group_cost = self.linear(self.group_applicants[:, None], self.group_columns[None, :])
        # How many admitted partners each applicant has.
        self.partner_count = np.array(
            [sum(bool(self.admitted[j]) for j in partners) for partners in self.partners],
            dtype=float,
        )
        self.floors = PartnerFloors(self)
        allowed = np.isfinite(self.single_cost).sum() + np.isfinite(self.group_cost).sum()
        # Small enough for the exact MILP to solve (construction) / to bound (MILP_* constants).
        self.milp_first = bool(allowed <= MILP_SOLVE_VARS)
        self.exact_affordable = bool(allowed <= MILP_MAX_VARS)
        self.xy_list = self.col_xy.tolist()  # plain floats: the local search is scalar code

    def terms(self, rows: np.ndarray, cols: np.ndarray, full: bool = True) -> dict[str, np.ndarray]:
        """Linear cost terms of applicant(s) ``rows`` in column(s) ``cols`` (broadcasting).

        With ``full=False`` a term may come back in a smaller, broadcastable shape.
        """
        weights = self.weights
        shape = np.broadcast_shapes(np.shape(rows), np.shape(cols))
        req = self.requested[rows]
        track = self.app_track[rows]
        zone = np.where(track >= 0, self.zone_cost[cols, np.maximum(track, 0)], 0.0)
        area = weights.area * np.abs(self.col_area[cols] - req) / req
        wish = self.wished_kind[rows]
        kind = weights.kind * ((wish >= 0) & (self.col_rank[cols] != wish))
        access = np.where(
            self.step_free[rows], weights.access_per_10m * self.col_entrance[cols] / 10.0, 0.0
        )
        stability = np.zeros(shape)
        if self.current_size.any():  # Jaccard distance to the booths held before
            inter = np.zeros(shape, dtype=np.int64)
            for slot in range(3):
                b = self.column_booths[cols, slot]
                inter = inter + ((b >= 0) & self.current[rows, np.maximum(b, 0)])
            cur = self.current_size[rows]
            union = self.col_size[cols] + cur - inter
            stability = np.where(cur > 0, weights.move * (1 - inter / np.maximum(union, 1)), 0.0)
        competitors = np.zeros(shape)
        if self.fixed_comp_booths.any():  # next to a competitor placed earlier
            near = np.zeros(shape, dtype=bool)
            for slot in range(3):
                b = self.column_booths[cols, slot]
                near = near | ((b >= 0) & self.fixed_comp_booths[rows, np.maximum(b, 0)])
            competitors = HARD_PENALTY * near
        partners = np.zeros(shape)
        xy = self.col_xy[cols]
        for slot in range(self.fixed_xy.shape[1]):  # one pass per partner slot, not per row
            point = self.fixed_xy[rows, slot]
            distance = np.hypot(xy[..., 0] - point[..., 0], xy[..., 1] - point[..., 1])
            partners = partners + np.nan_to_num(distance, nan=0.0)
        partners = weights.partner_per_10m * partners / 10.0
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
        return {name: np.broadcast_to(term, shape).astype(float) for name, term in terms.items()}

    def linear(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        if np.size(rows) == 0 or np.size(cols) == 0:
            return np.zeros(np.broadcast_shapes(np.shape(rows), np.shape(cols)))
        total = np.zeros(np.broadcast_shapes(np.shape(rows), np.shape(cols)))
        for term in self.terms(rows, cols, full=False).values():
            total += term
        allowed = self.col_area[cols] >= self.threshold[rows]
        return np.where(allowed, total, np.inf)

    def linear_cost(self, i: int, c: int) -> float:
        """Linear cost of applicant ``i`` in column ``c`` (from the base matrices)."""
        if self.needs_group[i]:
            return float(self.group_cost[self.group_row[i], c - self.n_booths])
        return float(self.single_cost[self.single_row[i], c])

    def partner_floor(self, rows: np.ndarray, cols: np.ndarray, strong: bool = False) -> np.ndarray:
        """Each partner pair's least possible distance, split between the two sides, for
        applicants ``rows`` in columns ``cols``; with ``strong`` the Gilmore–Lawler floor
        too (:meth:`PartnerFloors.floor`)."""
        return self.floors.floor(self, rows, cols, strong)

    _partner_floor = partner_floor  # the name the relaxation's code uses

    def columns_next_to(self, c: int, big: bool) -> list[int]:
        """Columns of the given family adjacent to column ``c`` (for a competitor)."""
        near = sorted(self.col_near[c])
        if not big:
            return near
        out: set[int] = set()
        for b in near:
            out.update(column for column in self.booth_cols[b] if column >= self.n_booths)
        return sorted(out)

    def violations(self, col: np.ndarray) -> list[tuple[int, int]]:
        """Adjacent competitor pairs among applicants (fixed ones are in the linear cost)."""
        owner = self.owners(col)
        out = []
        for i, j in self.comp_pairs:
            if col[i] >= 0 and col[j] >= 0 and any(owner[b] == j for b in self.col_near[col[i]]):
                out.append((i, j))
        return out

    def owners(self, col: np.ndarray) -> np.ndarray:
        owner = np.full(self.n_booths, -1, dtype=np.int64)
        for i, c in enumerate(col.tolist()):
            if c >= 0:
                owner[list(self.members[c])] = i
        return owner

    def objective(self, col: np.ndarray) -> float:
        """True objective: linear costs, partner pairs, hard and unplaced penalties."""
        total = 0.0
        for i in range(self.n_applicants):
            if not self.admitted[i]:
                continue
            total += self.linear_cost(i, int(col[i])) if col[i] >= 0 else self.unplaced_cost[i]
        total += self.pairs_cost(col)
        return total

    def pairs_cost(self, col: np.ndarray) -> float:
        total = 0.0
        per_metre = self.weights.partner_per_10m / 10.0
        for i, j in self.partner_pairs:
            if col[i] >= 0 and col[j] >= 0:
                total += per_metre * float(np.hypot(*(self.col_xy[col[i]] - self.col_xy[col[j]])))
        total += HARD_PENALTY * len(self.violations(col))
        return total


#: The old name: bench/ and older code build a ``Problem``.
Problem = Instance
