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
from shapely.geometry import LineString, Point

from .plan import Plan
from .walk import CLEARANCE, RouteError, WalkGraph, _door_point, _tangent

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
        n, count = len(graph.nodes), len(exits)
        self.node_distance = np.full((count, n), np.inf)
        self.next_hop = np.full((count, n), -2, dtype=int)
        for e, ex in enumerate(exits):
            if ex.point is not None:
                self._from_exit(e, ex)

    @classmethod
    def from_plan(cls, plan: Plan, *, clearance: float = CLEARANCE) -> Evacuation:
        """Raises :class:`~exhibit.floorplan.walk.RouteError` (``no_free_space``) when the
        hall has no floor left to walk on."""
        return cls.from_graph(WalkGraph.from_plan(plan, clearance=clearance))

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
        import networkx as nx

        graph = self.graph
        assert ex.point is not None
        with graph._lock:
            (node,) = graph._insert([ex.point], [-1 if ex.component is None else ex.component])
            try:
                lengths, paths = nx.single_source_dijkstra(graph.graph, node, weight="weight")
            finally:
                graph.graph.remove_nodes_from([node])
        for k, length in lengths.items():
            if k == node:
                continue
            self.node_distance[e, k] = length
            path = paths[k]
            self.next_hop[e, k] = path[-2] if path[-2] != node else -1

    # Distances

    def components(self, xy: np.ndarray) -> np.ndarray:
        """The free-floor part of each point (``-1``: outside the free floor)."""
        out = np.full(len(xy), -1)
        for j, part in enumerate(self.graph._test_parts):
            inside = shapely.contains_xy(part, xy[:, 0], xy[:, 1]) | shapely.covers(
                part, shapely.points(xy)
            )
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
        nodes = self.graph.nodes
        node_comp = self.graph._component
        for lo in range(0, m, CHUNK):
            sl = slice(lo, min(lo + CHUNK, m))
            p, pc = xy[sl], comp[sl]
            gap = np.hypot(p[:, None, 0] - nodes[None, :, 0], p[:, None, 1] - nodes[None, :, 1])
            same = pc[:, None] == node_comp[None, :]
            # Only nodes a path from p can bend round (tangent there) can come first.
            rows, cols = np.nonzero(same)
            g = self.graph
            same[rows, cols] = _tangent(nodes[cols], p[rows], g._prev[cols], g._next[cols])
            for e in self.usable:
                ex = self.exits[e]
                direct = np.hypot(p[:, 0] - ex.point.x, p[:, 1] - ex.point.y)
                direct = np.where(pc == ex.component, direct, np.inf)
                total = np.where(same, gap + self.node_distance[e][None, :], np.inf)
                total = np.concatenate([total, direct[:, None]], axis=1)
                targets = np.concatenate([nodes, [[ex.point.x, ex.point.y]]])
                d, f = self._first_visible(p, pc, total, targets)
                f = np.where(f == len(nodes), -1, f)
                dist[sl, e], first[sl, e] = d, f
        return dist, first

    def _first_visible(
        self, p: np.ndarray, pc: np.ndarray, total: np.ndarray, targets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per row, the smallest ``total`` whose target the point sees (see the module
        docstring), and that target's column."""
        m = len(p)
        best = np.full(m, np.inf)
        col = np.full(m, -2, dtype=int)
        order = np.argsort(total, axis=1)
        open_rows = np.flatnonzero(pc >= 0)
        test = self.graph._test
        for r in range(total.shape[1]):
            if not len(open_rows):
                break
            c = order[open_rows, r]
            value = total[open_rows, c]
            done = ~np.isfinite(value)
            rows, c, value = open_rows[~done], c[~done], value[~done]
            segments = shapely.linestrings(np.stack([p[rows], targets[c]], axis=1))
            length = np.hypot(*(targets[c] - p[rows]).T)
            seen = (length < 1e-9) | shapely.covers(test, segments)
            best[rows[seen]], col[rows[seen]] = value[seen], c[seen]
            open_rows = rows[~seen]
        return best, col

    def route(self, point: Point, exit: int, first: int | None = None) -> LineString | None:
        """The shortest walk from ``point`` (on the free floor) to exit ``exit``; ``None``
        when there is none. ``first`` (from :meth:`distances`) saves looking it up."""
        if first is None:
            d, f = self.distances(np.array([[point.x, point.y]]))
            if not np.isfinite(d[0, exit]):
                return None
            first = int(f[0, exit])
        if first == -2:
            return None
        coords = [(point.x, point.y)]
        k = first
        while k >= 0:
            coords.append(tuple(self.graph.nodes[k]))
            k = int(self.next_hop[exit, k])
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

    def single_route(
        self, point: Point, dist: np.ndarray, first: np.ndarray, block: float = BLOCK
    ) -> bool:
        """Whether one blocked spot on the way to the nearest exit leaves ``point`` no way
        out (or only one exit can be reached at all): a dead end. A spot is a disc of radius
        ``block`` (half an aisle: smoke or a fallen stand fills the aisle there) anywhere on
        the route to the nearest exit, not on ``point`` itself. ``dist``/``first`` are the
        point's rows of :meth:`distances`.

        Only spots that also touch the route to the next nearest exit can cut both; for each
        of those, 1 m apart, the free floor less the disc must still join ``point`` to an
        exit (an exact test on the polygons)."""
        reachable = [e for e in np.argsort(dist).tolist() if np.isfinite(dist[e])]
        if len(reachable) < 2:
            return len(reachable) == 1
        r1 = self.route(point, reachable[0], int(first[reachable[0]]))
        r2 = self.route(point, reachable[1], int(first[reachable[1]]))
        if r1 is None or r2 is None:
            return False
        free = self.graph.free
        ends = shapely.points([[self.exits[e].point.x, self.exits[e].point.y] for e in reachable])
        s = block + self.graph.clearance
        while s < r1.length:
            q = r1.interpolate(s)
            s += 1.0
            if q.distance(r2) > block:
                continue  # the second route goes round this spot
            disc = q.buffer(block, quad_segs=4)
            parts = shapely.get_parts(shapely.difference(free, disc))
            mine = [g for g in parts if g.distance(point) < 1e-6]
            if mine and not shapely.covers(shapely.buffer(mine[0], EPS_REACH), ends).any():
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
