"""Evacuation: the walking distance from any point of the aisles to the nearest exit, and to
the nearest *other* exit; the routes, and the arrows of the fire-safety plan.

Distances run along the aisles, on the walk graph of :mod:`exhibit.floorplan.walk` (the
visibility graph of the free floor, for a person of half-width ``clearance``): from each
usable exit, Dijkstra gives every graph node its distance to that exit and the next node on
the way. The distance from any free point ``p`` to exit ``e`` is then exact:

    D_e(p) = min over nodes k visible from p of |p − k| + D_e(k)   (or |p − x_e| if p sees
    the exit's point directly)

computed for many points at once: the candidates ``|p − k| + D_e(k)`` are sorted and tested
for visibility in rounds (one vectorised ``covers`` per round), and the first visible one is
the answer — a smaller candidate would be a real, shorter path. Most points stop after a
round or two.

Entrances are ways out too (people leave the way they came in, and a hall's entrance doors
are on its evacuation plan), so "exits" below means both, exits first.

An exit is *usable* when the free floor comes within ``clearance`` + :data:`DOOR_REACH` of
its door: a door behind a booth or an obstacle is not an evacuation exit, however close it
is as the crow flies.

Rules that use this (``exhibit.floorplan.validate``): ``exit-too-far`` (the walk from the
front of a booth to its nearest exit is longer than the hall's limit, or there is none) and
``single-exit-route`` (one blocked spot on the way to the nearest exit leaves the booth no
way out: a dead end).

Pure: standard library, NumPy, Shapely and NetworkX.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from .plan import Plan
from .walk import (
    CLEARANCE,
    FULL_NODES,
    RouteError,
    WalkGraph,
    _cells,
    _door_point,
)

#: The longest walk (metres) from the front of a booth to the nearest exit, when the plan
#: does not set its own ``max_exit_distance``. Source and reasoning: floorplans/README.md.
DEFAULT_MAX_EXIT_DISTANCE = 60.0
#: How far (metres, beyond ``clearance``) the free floor may stop short of an exit's door
#: for the exit to count as reachable.
DOOR_REACH = 0.6
#: Two exits are "about equally near" when the further is at most this fraction longer…
SPLIT_RATIO = 0.1
#: …or at most this many metres longer.
SPLIT_METRES = 3.0
#: Two routes share a point when they come this close (metres) away from their start.
SHARED = 0.05
#: Radius (metres) of the spot that blocks a route in ``single_route``: half a 3 m aisle.
BLOCK = 1.5
#: Slack (metres) when asking whether a part of the free floor holds an exit's point.
EPS_REACH = 1e-3
#: Points are handled in chunks of this many (memory: chunk × graph nodes floats).
CHUNK = 512


@dataclass(frozen=True)
class Exit:
    """A way out of the hall: an exit (``kind`` ``"exit"``, ``index`` in ``plan.exits``) or
    an entrance (``"entrance"``, in ``plan.entrances``); its name (or «выход N»), the door's
    geometry, and where a walk ends (the door's middle moved onto the free floor) —
    ``None`` when the exit cannot be reached at all."""

    index: int
    kind: str
    name: str
    door: object
    point: Point | None
    component: int | None


@dataclass(frozen=True)
class Arrow:
    """One arrow of the evacuation plan: the first stretch of a route, pointing to ``exit``
    (an index in ``Evacuation.exits``). ``split`` is set when another exit is about as near
    and a second arrow from the same place points to it."""

    line: LineString
    exit: int
    distance: float
    split: bool = False


class Evacuation:
    """Distances and routes to the exits of one hall (see the module docstring).

    Build with :meth:`from_plan` (or :meth:`from_graph` to share a walk graph). ``exits``
    lists every exit of the plan; ``node_distance[e, k]`` is the walk from graph node ``k``
    to exit ``e`` (``inf`` where it cannot be reached) and ``next_hop[e, k]`` the next node
    on the way (``-1``: the exit's point itself).
    """

    def __init__(self, graph: WalkGraph, exits: list[Exit]):
        self.graph = graph
        self.exits = exits
        self._pockets: dict[float, BaseGeometry] = {}
        self._neighbours = _neighbours(len(graph.nodes), graph.edges)
        self._seeds: dict[int, tuple[Exit, list[int], list[float]]] = {}
        self._per_exit: tuple[np.ndarray, np.ndarray] | None = None
        self._nearest: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._rings: tuple[shapely.STRtree, np.ndarray, np.ndarray] | None = None

    @property
    def node_distance(self) -> np.ndarray:
        return self._exit_fields()[0]

    @property
    def next_hop(self) -> np.ndarray:
        return self._exit_fields()[1]

    def _exit_fields(self) -> tuple[np.ndarray, np.ndarray]:
        """One Dijkstra per exit (on first use: the plan check needs only the nearest)."""
        if self._per_exit is None:
            n, count = len(self.graph.nodes), len(self.exits)
            self._per_exit = (np.full((count, n), np.inf), np.full((count, n), -2, dtype=int))
            for e, ex in enumerate(self.exits):
                if ex.point is not None:
                    self._from_exit(e, ex)
        return self._per_exit

    @classmethod
    def from_plan(
        cls, plan: Plan, *, clearance: float = CLEARANCE, blocked: BaseGeometry | None = None
    ) -> Evacuation:
        """Raises :class:`~exhibit.floorplan.walk.RouteError` (``no_free_space``) when the
        hall has no floor left to walk on. ``blocked``: see
        :meth:`~exhibit.floorplan.walk.WalkGraph.from_plan`."""
        return cls.from_graph(WalkGraph.from_plan(plan, clearance=clearance, blocked=blocked))

    @classmethod
    def from_graph(cls, graph: WalkGraph) -> Evacuation:
        exits = []
        doors = [("exit", k, f) for k, f in enumerate(graph.plan.exits)]
        doors += [("entrance", k, f) for k, f in enumerate(graph.plan.entrances)]
        for kind, k, feature in doors:
            name = feature.name or (f"выход {k + 1}" if kind == "exit" else f"вход {k + 1}")
            door = feature.geometry
            point: Point | None = None
            component = None
            if door is not None and not door.is_empty:
                free = graph.to_free(_door_point(feature))
                if door.distance(free) <= graph.clearance + DOOR_REACH:
                    point, component = free, graph.component_of(free)
            exits.append(Exit(k, kind, name, door, point, component))
        return cls(graph, exits)

    @property
    def usable(self) -> list[int]:
        """Indices of the exits a walk can end at."""
        return [e for e, ex in enumerate(self.exits) if ex.point is not None]

    def _from_exit(self, e: int, ex: Exit) -> None:
        """Dijkstra from the exit's point over the walk graph (``heapq``: the graph is a few
        thousand corners; NetworkX would cost more to import than to run)."""
        distance, next_hop = self._exit_fields()
        seeds, lengths = self._exit_seeds(e, ex)
        dist, hop, _ = _dijkstra(self._neighbours, seeds, lengths)
        distance[e] = dist
        next_hop[e] = hop
        self._nearest = {}

    def _exit_seeds(self, e: int, ex: Exit | None = None) -> tuple[list[int], list[float]]:
        """The graph nodes the exit's point sees, and how far they are."""
        ex = self.exits[e] if ex is None else ex
        cached = self._seeds.get(e)
        if cached is None or cached[0] is not ex:
            assert ex.point is not None and ex.component is not None
            k, d = self.graph._visible_nodes(np.array([ex.point.x, ex.point.y]), ex.component)
            cached = self._seeds[e] = (ex, k.tolist(), d.tolist())
        return cached[1], cached[2]

    def _nearest_field(
        self, exits: tuple[int, ...] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each node's walk to the nearest of ``exits`` (all usable ones by default), the
        next node on it and that exit: one Dijkstra from all of them at once."""
        exits = tuple(self.usable) if exits is None else exits
        if exits not in self._nearest:
            seeds, lengths, labels = [], [], []
            for e in exits:
                k, d = self._exit_seeds(e)
                seeds += k
                lengths += d
                labels += [e] * len(k)
            dist, hop, label = _dijkstra(self._neighbours, seeds, lengths, labels)
            self._nearest[exits] = (np.asarray(dist), np.asarray(hop), np.asarray(label))
        return self._nearest[exits]

    # Distances

    def components(self, xy: np.ndarray) -> np.ndarray:
        """The free-floor part of each point (``-1``: outside the free floor)."""
        out = np.full(len(xy), -1)
        for j, part in enumerate(self.graph._test_parts):
            inside = shapely.contains_xy(part, xy[:, 0], xy[:, 1])  # grown by 1 µm
            out[(out < 0) & inside] = j
        return out

    def distances(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Walking distances from the free points ``xy`` (``(m, 2)``) to every exit.

        Returns ``(distance, first)``, both ``(m, exits)``: the metres (``inf`` when the exit
        cannot be reached from there) and the first graph node of the route (``-1``: straight
        to the exit's point). Points off the free floor get ``inf``."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        m, count = len(xy), len(self.exits)
        dist = np.full((m, count), np.inf)
        first = np.full((m, count), -2, dtype=int)
        comp = self.components(xy)
        n = len(self.graph.nodes)
        for e in self.usable:
            d, col = self._first_visible(xy, comp, self.node_distance[e], [e])
            dist[:, e] = d
            first[:, e] = np.where(col >= n, -1, col)
        return dist, first

    def nearest(
        self, xy: np.ndarray, exclude: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The walk from each free point to the nearest exit — but ``exclude[i]`` for point
        ``i``, when given (``-1``: none) — in one pass over all exits at once: the metres
        (``inf`` when none can be reached), the exit (``-1``: none) and the first graph node
        of the walk (``-1``: straight to the exit, ``-2``: none)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        m = len(xy)
        d, exit_, first = np.full(m, np.inf), np.full(m, -1), np.full(m, -2)
        exclude = np.full(m, -1) if exclude is None else np.asarray(exclude)
        comp = self.components(xy)
        n = len(self.graph.nodes)
        for skip in np.unique(exclude).tolist():
            rows = np.flatnonzero(exclude == skip)
            exits = tuple(e for e in self.usable if e != skip)
            if not exits:
                continue
            values, _, label = self._nearest_field(exits)
            dd, col = self._first_visible(xy[rows], comp[rows], values, list(exits))
            got = np.isfinite(dd)
            via = label[np.clip(col, 0, max(n - 1, 0))] if n else np.full(len(col), -1)
            d[rows] = dd
            exit_[rows] = np.where(got, np.where(col >= n, col - n, via), -1)
            first[rows] = np.where(got, np.where(col >= n, -1, col), -2)
        return d, exit_, first

    def _first_visible(
        self, p: np.ndarray, pc: np.ndarray, values: np.ndarray, exits: list[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per point, the smallest ``|p − k| + values[k]`` over the graph nodes ``k`` it sees
        (tangent there), or ``|p − x_e|`` over the points of ``exits`` it sees, and that
        candidate's column (node index; ``n + e`` for exit ``e``; ``-2`` for none). Candidates
        are sorted and tested for visibility in rounds, the first visible one per point is
        the answer (see the module docstring)."""
        g = self.graph
        nodes, n = g.nodes, len(g.nodes)
        m = len(p)
        best = np.full(m, np.inf)
        col = np.full(m, -2, dtype=int)
        targets = np.concatenate([nodes, np.zeros((len(self.exits), 2))])
        for e in exits:
            targets[n + e] = (self.exits[e].point.x, self.exits[e].point.y)
        exit_comp = np.array([self.exits[e].component for e in exits], dtype=int)
        for chunk, rows, cols in _point_pairs(p, pc, nodes, g._component, np.isfinite(values)):
            keep, length = g.tangent_from(cols, p[rows])
            rows, cols, length = rows[keep], cols[keep], length[keep]
            # Most candidates lie behind a block: a glance at the raster drops them.
            keep = g.maybe_sees(p[rows], nodes[cols])
            rows, cols = rows[keep], cols[keep]
            total = length[keep] + values[cols]
            # The exits' points themselves, straight.
            er, ek = np.nonzero(pc[chunk][:, None] == exit_comp[None, :])
            er = chunk[er]
            ec = n + np.asarray(exits, dtype=int)[ek]
            rows = np.concatenate([rows, er])
            cols = np.concatenate([cols, ec])
            total = np.concatenate([total, np.hypot(*(targets[ec] - p[er]).T)])
            if not len(rows):
                continue
            # Sorted by row, then by total (one float key: rows are whole, totals < span).
            span = float(total.max()) + 1.0
            order = np.argsort(rows * span + total, kind="stable")
            rows, cols, total = rows[order], cols[order], total[order]
            start = np.searchsorted(rows, np.arange(m))
            end = np.searchsorted(rows, np.arange(m), side="right")
            ptr = start.copy()
            open_rows = np.flatnonzero(ptr < end)
            while len(open_rows):
                c = ptr[open_rows]
                seen = g.sees(p[open_rows], targets[cols[c]])
                hit, c_hit = open_rows[seen], c[seen]
                improve = total[c_hit] < best[hit]
                best[hit[improve]] = total[c_hit[improve]]
                col[hit[improve]] = cols[c_hit[improve]]
                rest = open_rows[~seen]
                ptr[rest] += 1
                open_rows = rest[ptr[rest] < end[rest]]
        return best, col

    def route(
        self, point: Point, exit: int, first: int | None = None, hops: np.ndarray | None = None
    ) -> LineString | None:
        """The shortest walk from ``point`` (on the free floor) to exit ``exit``; ``None``
        when there is none. ``first`` (from :meth:`distances`) saves looking it up; ``hops``
        are the next nodes of a field that leads to ``exit`` from ``first`` (from
        :meth:`nearest`: the nearest-exit field), else the exit's own."""
        if first is None:
            d, f = self.distances(np.array([[point.x, point.y]]))
            if not np.isfinite(d[0, exit]):
                return None
            first = int(f[0, exit])
        if first == -2:
            return None
        coords = [(point.x, point.y)]
        hops = self.next_hop[exit] if hops is None else hops
        k = first
        while k >= 0:
            coords.append(tuple(self.graph.nodes[k]))
            k = int(hops[k])
        ex = self.exits[exit]
        coords.append((ex.point.x, ex.point.y))
        return LineString(coords)

    # What the plan check and the printed plan need

    def nearest_two(self, xy: np.ndarray) -> dict[str, np.ndarray]:
        """For each point: the nearest exit and its distance, and the nearest other exit and
        its distance (``-1`` / ``inf`` when there is none), and the first nodes of both."""
        dist, first = self.distances(xy)
        m = len(dist)
        out = {
            "exit1": np.full(m, -1),
            "d1": np.full(m, np.inf),
            "exit2": np.full(m, -1),
            "d2": np.full(m, np.inf),
        }
        if dist.shape[1] == 0:
            return out
        order = np.argsort(dist, axis=1)
        rows = np.arange(m)
        e1 = order[:, 0]
        d1 = dist[rows, e1]
        out["exit1"] = np.where(np.isfinite(d1), e1, -1)
        out["d1"] = d1
        if dist.shape[1] > 1:
            e2 = order[:, 1]
            d2 = dist[rows, e2]
            out["exit2"] = np.where(np.isfinite(d2), e2, -1)
            out["d2"] = d2
        out["dist"], out["first"] = dist, first
        return out

    def may_be_dead_end(self, xy: np.ndarray, block: float = BLOCK) -> np.ndarray:
        """Whether each free point can be in a dead end at all (``single_route`` can only be
        true for these; it is exact but costs a polygon operation per spot).

        The free floor less a disc falls apart exactly when the disc meets one piece of what
        bounds the floor — a block of booths, or the walls with what stands against them —
        in two places (Euler's formula: the floor less a disc has ``1 + c − t`` parts when
        the disc meets ``t`` pieces in ``c`` places). A convex block cannot be met twice by
        a disc, and the pocket a disc cuts off against a block lies in the convex hull of the
        block and the disc, so within ``2 · block`` of the block's hull. So a point can be in
        a dead end only near a block that is not convex, anywhere in a part of the floor
        whose outline is not convex or is narrower than ``2 · block`` somewhere, or in a part
        of the floor with one usable exit."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        zone = self._pocket_zone(block)
        out = shapely.contains_xy(zone, xy[:, 0], xy[:, 1]) if not zone.is_empty else None
        if out is None:
            out = np.zeros(len(xy), dtype=bool)
        comp = self.components(xy)
        per_part = np.zeros(len(self.graph._parts) + 1, dtype=int)
        for e in self.usable:
            per_part[self.exits[e].component] += 1
        return out | ((comp >= 0) & (per_part[comp] == 1))

    def _may_cut(self, disc: Polygon) -> bool:
        """Whether the floor less ``disc`` can fall apart: only if the disc meets one ring
        of the floor's outline in two separate arcs (a piece of what bounds the floor is met
        twice; see :meth:`may_be_dead_end`), or rings of two parts of the floor."""
        if self._rings is None:
            rings, part = shapely.get_rings(self.graph._parts, return_index=True)
            self._rings = (shapely.STRtree(rings), rings, part)
        tree, rings, part = self._rings
        hit = tree.query(disc, predicate="intersects")
        if not len(hit):
            return False
        if len(np.unique(part[hit])) > 1:
            return True
        arcs = shapely.get_num_geometries(shapely.intersection(rings[hit], disc))
        # A ring's first point inside the disc splits one arc in two.
        starts = shapely.get_point(rings[hit], 0)
        arcs = arcs - (shapely.intersects(disc, starts) & (arcs > 1))
        return bool((arcs > 1).any())

    def _pocket_zone(self, block: float) -> BaseGeometry:
        if block not in self._pockets:
            mitre = shapely.BufferJoinStyle.mitre
            zones = []
            for part in self.graph._parts:
                outline = shapely.Polygon(part.exterior)
                r = block - 1e-3
                opened = shapely.buffer(
                    shapely.buffer(outline, -r, join_style=mitre), r, join_style=mitre
                )
                thin = shapely.difference(outline, opened).area > 1e-6
                if thin or outline.convex_hull.area - outline.area > 1e-6:
                    zones.append(shapely.buffer(part, 1e-3, join_style=mitre))
                    continue
                islands = shapely.polygons(list(part.interiors))
                if not len(islands):
                    continue
                hulls = shapely.convex_hull(islands)
                bent = shapely.area(hulls) - shapely.area(islands) > 1e-6
                zones.extend(shapely.buffer(hulls[bent], 2 * block, join_style=mitre))
            zone = shapely.union_all(zones) if zones else shapely.Polygon()
            shapely.prepare(zone)
            self._pockets[block] = zone
        return self._pockets[block]

    def dead_ends(self, xy: np.ndarray, block: float = BLOCK) -> dict[int, bool]:
        """The points of ``xy`` in a dead end (:meth:`single_route`), tested only where
        :meth:`may_be_dead_end`; for each, whether the other exits cannot be reached at all
        (``True``) or only through the same spot (``False``)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        suspects = np.flatnonzero(self.may_be_dead_end(xy, block))
        if not len(suspects):
            return {}
        p = xy[suspects]
        _, e1, f1 = self.nearest(p)
        _, e2, f2 = self.nearest(p, exclude=e1)
        out = {}
        for row, k in enumerate(suspects.tolist()):
            if e1[row] < 0:
                continue
            if e2[row] < 0:
                out[k] = True
                continue
            hops1 = self._nearest_field()[1]
            hops2 = self._nearest_field(tuple(e for e in self.usable if e != e1[row]))[1]
            point = Point(p[row])
            r1 = self.route(point, int(e1[row]), int(f1[row]), hops1)
            r2 = self.route(point, int(e2[row]), int(f2[row]), hops2)
            if r1 is not None and r2 is not None and self._cut_off(point, r1, r2, block):
                out[k] = False
        return out

    def single_route(
        self, point: Point, dist: np.ndarray, first: np.ndarray, block: float = BLOCK
    ) -> bool:
        """Whether one blocked spot on the way to the nearest exit leaves ``point`` no way
        out (or only one exit can be reached at all): a dead end. A spot is a disc of radius
        ``block`` (half an aisle: smoke or a fallen stand fills the aisle there) anywhere on
        the route to the nearest exit, not on ``point`` itself. ``dist``/``first`` are the
        point's rows of :meth:`distances`.

        Only spots that also touch the route to the next nearest exit can cut both; for each
        of those, 1 m apart, that can cut the floor at all (:meth:`_may_cut`), the free floor
        less the disc must still join ``point`` to an exit (an exact test on the polygons)."""
        reachable = [e for e in np.argsort(dist).tolist() if np.isfinite(dist[e])]
        if len(reachable) < 2:
            return len(reachable) == 1
        r1 = self.route(point, reachable[0], int(first[reachable[0]]))
        r2 = self.route(point, reachable[1], int(first[reachable[1]]))
        if r1 is None or r2 is None:
            return False
        return self._cut_off(point, r1, r2, block)

    def _cut_off(self, point: Point, r1: LineString, r2: LineString, block: float) -> bool:
        """Whether a disc of radius ``block`` on ``r1`` (1 m apart, beyond ``point``'s own
        spot) that also touches ``r2`` leaves ``point`` no exit on the free floor."""
        free = self.graph.free
        ends = shapely.points([[self.exits[e].point.x, self.exits[e].point.y] for e in self.usable])
        s = block + self.graph.clearance
        while s < r1.length:
            q = r1.interpolate(s)
            s += 1.0
            if q.distance(r2) > block:
                continue  # the second route goes round this spot
            disc = q.buffer(block, quad_segs=4)
            if not self._may_cut(disc):
                continue
            parts = shapely.get_parts(shapely.difference(free, disc))
            if len(parts) < 2:
                continue  # the disc did not cut the floor
            mine = parts[shapely.dwithin(parts, point, 1e-6)]
            if len(mine) and not shapely.dwithin(mine[0], ends, EPS_REACH).any():
                return True
        return False

    def arrows(self, spacing: float, length: float | None = None) -> list[Arrow]:
        """Arrows over the whole free floor, about ``spacing`` metres apart, each the first
        ``length`` metres (default ``0.6 · spacing``) of the route from its place to the
        nearest exit; where another exit is about equally near (:data:`SPLIT_RATIO`,
        :data:`SPLIT_METRES`), a second arrow from the same place points to it.

        Places are a grid of ``spacing / 3`` over the free floor, thinned so that no two are
        closer than ``spacing`` — narrow aisles get arrows too."""
        if not self.usable:
            return []
        length = 0.6 * spacing if length is None else length
        xy = _grid(self.graph.free, spacing / 3)
        if not len(xy):
            return []
        near = self.nearest_two(xy)
        keep = np.isfinite(near["d1"])
        xy = xy[keep]
        d1, e1, d2, e2 = (near[k][keep] for k in ("d1", "exit1", "d2", "exit2"))
        first = near["first"][keep]
        chosen = _thin(xy, spacing)
        arrows = []
        for i in chosen:
            p = Point(xy[i])
            split = bool(np.isfinite(d2[i]) and d2[i] <= d1[i] * (1 + SPLIT_RATIO) + SPLIT_METRES)
            for e, d in [(int(e1[i]), float(d1[i]))] + (
                [(int(e2[i]), float(d2[i]))] if split else []
            ):
                line = self.route(p, e, int(first[i, e]))
                if line is None or line.length < 1e-6:
                    continue
                arrows.append(Arrow(_head(line, length), e, d, split))
        return arrows


def _point_pairs(
    p: np.ndarray, pc: np.ndarray, nodes: np.ndarray, node_comp: np.ndarray, usable: np.ndarray
):
    """Chunks ``(points, rows, cols)``: a set of point indices and the (point, node) pairs
    that may be the first stretch of their walks — every usable node of the same part of the
    free space, or, in a windowed graph (over :data:`~exhibit.floorplan.walk.FULL_NODES`
    nodes), those in the point's and the neighbouring cells."""
    m, n = len(p), len(nodes)
    ok = np.flatnonzero(usable)
    if n <= FULL_NODES:
        per = max(1, 400_000 // max(len(ok), 1))
        for lo in range(0, m, per):
            chunk = np.arange(lo, min(lo + per, m))
            rows, cols = np.repeat(chunk, len(ok)), np.tile(ok, len(chunk))
            keep = pc[rows] == node_comp[cols]
            yield chunk, rows[keep], cols[keep]
        return
    cells = {key: ok[k] for key, k in _cells(nodes[ok]).items()} if len(ok) else {}
    none = np.zeros(0, dtype=int)
    batch: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    size = 0
    for (cx, cy), here in _cells(p).items():
        near = [cells.get((cx + dx, cy + dy), none) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        near = np.concatenate(near)
        rows, cols = np.repeat(here, len(near)), np.tile(near, len(here))
        keep = pc[rows] == node_comp[cols]
        batch.append((here, rows[keep], cols[keep]))
        size += len(here) * len(near)
        if size > 400_000:
            yield tuple(np.concatenate(parts) for parts in zip(*batch, strict=True))
            batch, size = [], 0
    if batch:
        yield tuple(np.concatenate(parts) for parts in zip(*batch, strict=True))


def _neighbours(n: int, edges: tuple[np.ndarray, np.ndarray, np.ndarray]):
    """Adjacency lists ``[(node, metres), …]`` of the walk graph's ``n`` nodes."""
    out: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    i, j, w = edges
    for a, b, d in zip(i.tolist(), j.tolist(), w.tolist(), strict=True):
        out[a].append((b, d))
        out[b].append((a, d))
    return out


def _dijkstra(
    neighbours: list[list[tuple[int, float]]],
    seeds: list[int],
    lengths: list[float],
    labels: list[int] | None = None,
) -> tuple[list[float], list[int], list[int]]:
    """Shortest distances from sources that reach the nodes ``seeds`` straight, at
    ``lengths``; each node's next node towards its source (``-1``: the source itself,
    ``-2``: unreachable) and the ``labels`` entry of its source (``-1``: none)."""
    import heapq

    n = len(neighbours)
    dist = [math.inf] * n
    hop = [-2] * n
    label = [-1] * n
    labels = labels if labels is not None else [0] * len(seeds)
    heap = []
    for k, d, tag in zip(seeds, lengths, labels, strict=True):
        if d < dist[k]:
            dist[k], hop[k], label[k] = d, -1, tag
            heap.append((d, k))
    heapq.heapify(heap)
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        tag = label[u]
        for v, w in neighbours[u]:
            nd = d + w
            if nd < dist[v]:
                dist[v], hop[v], label[v] = nd, u, tag
                heapq.heappush(heap, (nd, v))
    return dist, hop, label


def _head(line: LineString, length: float) -> LineString:
    """The first ``length`` metres of ``line`` (all of it when shorter)."""
    if line.length <= length:
        return line
    from shapely.ops import substring

    return substring(line, 0, length)


def _grid(free, step: float) -> np.ndarray:
    """Points of a square grid of ``step`` metres that lie on the free floor."""
    minx, miny, maxx, maxy = free.bounds
    xs, ys = np.meshgrid(
        np.arange(minx, maxx, step) + step / 2, np.arange(miny, maxy, step) + step / 2
    )
    xs, ys = xs.ravel(), ys.ravel()
    inside = shapely.contains_xy(free, xs, ys)
    return np.column_stack([xs[inside], ys[inside]])


def _thin(xy: np.ndarray, spacing: float) -> list[int]:
    """Indices of points kept greedily (in grid order) so that no two are closer than
    ``spacing``: a hash of cells of ``spacing`` holds the kept ones."""
    cells: dict[tuple[int, int], list[int]] = {}
    kept = []
    for i, (x, y) in enumerate(xy.tolist()):
        cx, cy = math.floor(x / spacing), math.floor(y / spacing)
        clash = any(
            (xy[j, 0] - x) ** 2 + (xy[j, 1] - y) ** 2 < spacing * spacing
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for j in cells.get((cx + dx, cy + dy), ())
        )
        if not clash:
            kept.append(i)
            cells.setdefault((cx, cy), []).append(i)
    return kept


__all__ = [
    "DEFAULT_MAX_EXIT_DISTANCE",
    "Arrow",
    "Evacuation",
    "Exit",
    "RouteError",
]
