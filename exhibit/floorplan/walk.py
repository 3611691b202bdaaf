"""The walkable floor of a hall as a visibility graph: shortest walks along the aisles.

Free space
----------
The floor a visitor can walk on is ``hall − booths − obstacles``, shrunk by a person's
half-width ``clearance`` (0.45 m): the hall is buffered inwards and every booth and obstacle
outwards by ``clearance`` (mitred joins, so a rectangle stays a rectangle with four corners),
the grown blockers are merged (a row of booths becomes one block, the 1e-6 m noise of real
drawings disappears) and simplified by 1 cm. A path in this domain keeps at least
``clearance`` (less the 1 cm) off every wall, booth and column; around a corner it keeps up
to ``clearance·√2`` — slightly more than a round buffer would, never less.

Visibility graph
----------------
A shortest path in a polygonal domain is a polyline whose bends lie on *reflex* vertices of
the domain (the convex corners of the grown blockers). So the graph's nodes are those
vertices, and two nodes are joined when the straight segment between them lies in the free
space and is *tangent* at both ends (the path wraps round each corner rather than cutting
into it or bouncing off it — the reduced visibility graph). Shortest paths in this graph are
the exact geodesics of the free space; a medial-axis or grid graph would be simpler but 5–10 %
longer, and the visit plan promises the shortest walk.

Building is vectorised: the tangency test runs in NumPy on all node pairs, and the
remaining candidate segments are tested at once with ``shapely.covers`` against the prepared
free space (grown by 1 µm so that segments running along an edge or through a corner count
as inside). The demo hall (184 booths, 28 columns) builds in a few tens of milliseconds.
Build a :class:`WalkGraph` once per plan version and reuse it: queries never change it (they
insert their points into the NetworkX graph under a lock and take them out again), and it
pickles.

Points and booths
-----------------
A query point outside the free space (at a wall, inside a booth) is first moved to the
nearest free point. A booth is visited from its *access point*: in the aisle, just in front
(``clearance`` + 5 cm) of the middle of the free part of its longest open edge; an edge is
open as far as the line at that distance in front of it runs through free space (at least
:data:`MIN_OPEN`). Edges opening onto the part of the hall that holds the main entrance come
first; ties between equally long open edges go to the one nearer the main entrance.

Pure: standard library, NumPy, Shapely and NetworkX.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely import BufferJoinStyle
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from .plan import Plan, PlanFeature

if TYPE_CHECKING:  # NetworkX takes a fifth of a second to import: only when a route is walked
    import networkx as nx

#: A person's half-width, metres: paths keep this far off walls, booths and obstacles.
CLEARANCE = 0.45
#: How much further than ``clearance`` in front of its booth edge an access point stands.
ACCESS_OFFSET = 0.05
#: Shortest free stretch in front of an edge for it to count as open (metres).
MIN_OPEN = 0.2
#: Tolerance of the simplification of the grown blockers (metres).
SIMPLIFY = 0.01
#: The free space is grown by this much when testing segments (edges grazing a corner).
EPS = 1e-6


class RouteError(ValueError):
    """A visit plan cannot be made. ``message`` is one Russian sentence for the visitor;
    ``code`` says why for programs (``unknown_booth``, ``no_access``, ``unreachable``,
    ``no_entrance``, ``unknown_entrance``, ``no_stops``, ``too_many_stops``,
    ``no_free_space``) and ``booth`` names the booth concerned, if any."""

    def __init__(self, message: str, *, code: str, booth: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.booth = booth

    def __str__(self) -> str:
        return self.message


def _door_point(feature: PlanFeature) -> Point:
    """A representative point of an entrance or exit: the middle of a door line."""
    geom = feature.geometry
    if isinstance(geom, Point):
        return geom
    if geom.geom_type in ("LineString", "LinearRing"):
        return geom.interpolate(0.5, normalized=True)
    return geom.representative_point()


def _cross(ax, ay, bx, by):
    return ax * by - ay * bx


def _tangent(at: np.ndarray, towards: np.ndarray, prev: np.ndarray, nxt: np.ndarray) -> np.ndarray:
    """Whether segments leaving the reflex vertices ``at`` towards ``towards`` are tangent
    there: both ring neighbours of the vertex lie on one side of (or on) the segment's line.

    All arguments are ``(n, 2)``. A segment that is not tangent either cuts into the blocker
    or passes the corner without needing to bend there: no shortest path uses it.
    """
    d = towards - at
    d = d / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-12)[:, None]
    p = prev - at
    p = p / np.maximum(np.hypot(p[:, 0], p[:, 1]), 1e-12)[:, None]
    q = nxt - at
    q = q / np.maximum(np.hypot(q[:, 0], q[:, 1]), 1e-12)[:, None]
    s1 = _cross(d[:, 0], d[:, 1], p[:, 0], p[:, 1])
    s2 = _cross(d[:, 0], d[:, 1], q[:, 0], q[:, 1])
    tol = 1e-9
    return ~(((s1 > tol) & (s2 < -tol)) | ((s1 < -tol) & (s2 > tol)))


def _reflex_vertices(free: BaseGeometry) -> tuple[np.ndarray, ...]:
    """The reflex vertices of the free space: coordinates, ring neighbours and component.

    Rings are oriented with the free space on their left (exterior counter-clockwise,
    holes clockwise), so a reflex vertex is a right turn.
    """
    parts = shapely.get_parts(shapely.orient_polygons(free))
    rings, part = shapely.get_rings(parts, return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    closing = np.r_[ring[1:] != ring[:-1], True]
    xy, ring = xy[~closing], ring[~closing]
    _, first, count = np.unique(ring, return_index=True, return_counts=True)
    group = np.searchsorted(first, np.arange(len(ring)), side="right") - 1
    pos = np.arange(len(ring)) - first[group]
    prev_i = np.where(pos == 0, first[group] + count[group] - 1, np.arange(len(ring)) - 1)
    next_i = np.where(pos == count[group] - 1, first[group], np.arange(len(ring)) + 1)
    prev, nxt = xy[prev_i], xy[next_i]
    turn = _cross(*(xy - prev).T, *(nxt - xy).T)
    reflex = turn < -1e-9
    return xy[reflex], prev[reflex], nxt[reflex], part[ring[reflex]]


class WalkGraph:
    """The walkable floor of one hall as a visibility graph (see the module docstring).

    Attributes: ``plan``; ``clearance``; ``free`` (the free space, a Polygon or
    MultiPolygon — one part per connected area); ``graph`` (a NetworkX graph on the reflex
    vertices, node attribute ``pos``, edge attribute ``weight`` in metres); ``nodes``
    (their coordinates, ``(n, 2)``).
    """

    def __init__(
        self,
        plan: Plan,
        clearance: float,
        free: Polygon | MultiPolygon,
        graph: nx.Graph,
        nodes: np.ndarray,
        prev: np.ndarray,
        nxt: np.ndarray,
        component: np.ndarray,
    ):
        self.plan = plan
        self.clearance = clearance
        self.free = free
        self.graph = graph
        self.nodes = nodes
        self._prev = prev
        self._next = nxt
        self._component = component
        self._setup()

    def _setup(self) -> None:
        self._parts = shapely.get_parts(self.free)
        self._test = shapely.buffer(self.free, EPS, join_style=BufferJoinStyle.mitre)
        self._test_parts = shapely.buffer(self._parts, EPS, join_style=BufferJoinStyle.mitre)
        shapely.prepare(self._test)
        shapely.prepare(self._test_parts)
        self._lock = threading.Lock()
        self._booths = {}
        for booth in self.plan.booths:
            if booth.number is not None:
                self._booths.setdefault(booth.number, booth)
        self._access: dict[str, Point | None] = {}
        self._main: Point | bool | None = None  # the main entrance's point; False: none

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for key in ("_lock", "_test", "_test_parts", "_parts"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        access = state.pop("_access")
        self.__dict__.update(state)
        self._setup()
        self._access = access

    # Building

    @classmethod
    def from_plan(cls, plan: Plan, *, clearance: float = CLEARANCE) -> WalkGraph:
        """Build the walk graph of ``plan`` for a person of half-width ``clearance`` m.

        Raises :class:`RouteError` (``no_free_space``) when nothing of the hall is left to
        walk on.
        """
        mitre = BufferJoinStyle.mitre
        blockers = [b.polygon for b in plan.booths] + [o.geometry for o in plan.obstacles]
        arr = np.asarray(blockers, dtype=object)
        if len(arr):
            arr = shapely.make_valid(arr)
            grown = shapely.simplify(
                shapely.union_all(shapely.buffer(arr, clearance, join_style=mitre)), SIMPLIFY
            )
        else:
            grown = Polygon()
        hall = shapely.make_valid(plan.hall)
        free = shapely.difference(shapely.buffer(hall, -clearance, join_style=mitre), grown)
        polys = [g for g in shapely.get_parts(free) if g.geom_type == "Polygon" and g.area > 0]
        if not polys:
            raise RouteError(
                "В зале не осталось свободного прохода для посетителей", code="no_free_space"
            )
        free = polys[0] if len(polys) == 1 else MultiPolygon(polys)
        nodes, prev, nxt, component = _reflex_vertices(free)

        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from((k, {"pos": (x, y)}) for k, (x, y) in enumerate(nodes.tolist()))
        test = shapely.buffer(free, EPS, join_style=mitre)
        shapely.prepare(test)
        n = len(nodes)
        chunk = max(1, 200_000 // max(n, 1))
        for lo in range(0, n, chunk):
            i, j = np.nonzero(np.arange(n)[None, :] > np.arange(lo, min(lo + chunk, n))[:, None])
            i += lo
            keep = component[i] == component[j]
            i, j = i[keep], j[keep]
            keep = _tangent(nodes[i], nodes[j], prev[i], nxt[i]) & _tangent(
                nodes[j], nodes[i], prev[j], nxt[j]
            )
            i, j = i[keep], j[keep]
            segments = shapely.linestrings(np.stack([nodes[i], nodes[j]], axis=1))
            ok = shapely.covers(test, segments)
            lengths = np.hypot(*(nodes[j[ok]] - nodes[i[ok]]).T)
            graph.add_weighted_edges_from(
                zip(i[ok].tolist(), j[ok].tolist(), lengths.tolist(), strict=True)
            )
        return cls(plan, clearance, free, graph, nodes, prev, nxt, component)

    # Points

    def component_of(self, point: Point) -> int | None:
        """Index of the connected part of the free space holding ``point``, or ``None``."""
        hits = np.flatnonzero(shapely.covers(self._test_parts, point))
        return int(hits[0]) if len(hits) else None

    def to_free(self, point: Point) -> Point:
        """``point`` itself when it lies in the free space, else the nearest free point."""
        if self._test.covers(point):
            return Point(point.x, point.y)
        line = shapely.shortest_line(self.free, point)
        x, y = line.coords[0]
        return Point(x, y)

    def find_door(self, which: str | int | None, *, exits: bool = False) -> tuple[str, Point]:
        """The name of an entrance (or, with ``exits``, of an entrance or exit) and the point
        just inside it where a walk starts or ends: the middle of the door moved into the
        free space. ``which`` is a name (exact, else ignoring case), an index in
        ``plan.entrances``, or ``None`` for the main entrance (the first marked ``main``,
        else the first). Raises :class:`RouteError` (``no_entrance``,
        ``unknown_entrance``)."""
        entrances = list(self.plan.entrances)
        doors = entrances + (list(self.plan.exits) if exits else [])
        if not entrances and not (exits and doors):
            raise RouteError("На плане зала нет ни одного входа", code="no_entrance")
        feature: PlanFeature | None = None
        if which is None:
            feature = next((e for e in entrances if e.properties.get("main")), None)
            feature = feature or (entrances[0] if entrances else doors[0])
        elif isinstance(which, int) and not isinstance(which, bool):
            if 0 <= which < len(entrances):
                feature = entrances[which]
        else:
            name = str(which).strip()
            feature = next((d for d in doors if (d.name or "").strip() == name), None)
            feature = feature or next(
                (d for d in doors if (d.name or "").strip().casefold() == name.casefold()), None
            )
        if feature is None:
            raise RouteError(f"Вход «{which}» не найден на плане", code="unknown_entrance")
        label = feature.name or ("вход" if feature.kind == "entrance" else "выход")
        return label, self.to_free(_door_point(feature))

    def entrance_point(self, which: str | int | None = None) -> Point:
        """Where a walk from an entrance starts: just inside the door (its middle moved
        into the free space). ``which`` is the entrance's name, its index in
        ``plan.entrances``, or ``None`` for the main entrance (the first one marked
        ``main``, else the first). Raises :class:`RouteError` when there is no such
        entrance."""
        return self.find_door(which)[1]

    def access_point(self, booth_number: str) -> Point:
        """Where a visitor stands to visit the booth: in the aisle in front of its longest
        open edge (see the module docstring).

        Raises :class:`RouteError`: ``unknown_booth`` for a number not on the plan,
        ``no_access`` when no edge of the booth opens onto free space.
        """
        number = str(booth_number).strip()
        booth = self._booths.get(number)
        if booth is None:
            raise RouteError(f"Стенд «{booth_number}» не найден на плане", code="unknown_booth")
        if number not in self._access:
            self._access[number] = self._find_access(booth.polygon)
        point = self._access[number]
        if point is None:
            raise RouteError(
                f"К стенду «{number}» не подойти: со всех сторон он закрыт стендами, "
                "препятствиями или стенами",
                code="no_access",
                booth=number,
            )
        return point

    def _find_access(self, polygon: Polygon) -> Point | None:
        poly = shapely.simplify(shapely.orient_polygons(shapely.make_valid(polygon)), 1e-4)
        if poly.geom_type != "Polygon" or poly.is_empty:
            poly = max(
                (g for g in shapely.get_parts(poly) if g.geom_type == "Polygon"),
                key=lambda g: g.area,
                default=None,
            )
            if poly is None:
                return None
            poly = shapely.orient_polygons(poly)
        xy = np.asarray(poly.exterior.coords)
        start, end = xy[:-1], xy[1:]
        d = end - start
        length = np.hypot(d[:, 0], d[:, 1])
        good = length > 1e-6
        start, end, d, length = start[good], end[good], d[good], length[good]
        if not len(length):
            return None
        normal = np.column_stack([d[:, 1], -d[:, 0]]) / length[:, None]
        offset = normal * (self.clearance + ACCESS_OFFSET)
        probes = shapely.linestrings(np.stack([start + offset, end + offset], axis=1))
        free_parts = shapely.intersection(probes, self.free)
        free_len = shapely.length(free_parts)
        middles = shapely.points((start + end) / 2 + offset)
        edges = np.flatnonzero(free_len >= MIN_OPEN)
        if not len(edges):
            return None
        # The point of each open edge's free stretch nearest the edge's middle.
        points = {
            int(k): Point(shapely.shortest_line(free_parts[k], middles[k]).coords[0]) for k in edges
        }
        main = self._main_point()
        if main is not None:
            # Prefer a side that opens onto the entrance's part of the hall.
            where = self.component_of(main)
            near = [k for k in edges if self.component_of(points[int(k)]) == where]
            edges = np.asarray(near) if near else edges
        best = float(free_len[edges].max())
        tied = [int(k) for k in edges if free_len[k] >= best - 0.01]
        if main is not None:
            tied.sort(key=lambda k: points[k].distance(main))
        return points[tied[0]]

    def _main_point(self) -> Point | None:
        """The main entrance's point, or ``None`` when the plan has no entrance (cached)."""
        if self._main is None:
            try:
                self._main = self.entrance_point()
            except RouteError:
                self._main = False
        return self._main if isinstance(self._main, Point) else None

    # Paths

    def _visible_nodes(self, point: np.ndarray, component: int) -> tuple[np.ndarray, np.ndarray]:
        """Graph nodes visible from ``point`` (tangent at the node), and their distances."""
        k = np.flatnonzero(self._component == component)
        if not len(k):
            return k, np.zeros(0)
        here = np.broadcast_to(point, (len(k), 2))
        k = k[_tangent(self.nodes[k], here, self._prev[k], self._next[k])]
        d = np.hypot(*(self.nodes[k] - point).T)
        segments = shapely.linestrings(
            np.stack([np.broadcast_to(point, (len(k), 2)), self.nodes[k]], axis=1)
        )
        ok = (d < 1e-9) | shapely.covers(self._test, segments)
        return k[ok], d[ok]

    def _insert(self, points: Sequence[Point], components: Sequence[int]) -> list[int]:
        """Add query points to the graph as new nodes (call under the lock)."""
        ids = []
        base = len(self.nodes)
        xy = np.array([[p.x, p.y] for p in points], dtype=float)
        for m, (p, comp) in enumerate(zip(xy, components, strict=True)):
            node = base + m
            ids.append(node)
            self.graph.add_node(node, pos=(float(p[0]), float(p[1])))
            k, d = self._visible_nodes(p, comp)
            self.graph.add_weighted_edges_from(
                zip([node] * len(k), k.tolist(), d.tolist(), strict=True)
            )
        # Query points that see each other directly.
        for a in range(len(xy)):
            for b in range(a + 1, len(xy)):
                if components[a] != components[b]:
                    continue
                gap = float(np.hypot(*(xy[b] - xy[a])))
                if gap < 1e-9 or self._test.covers(LineString([xy[a], xy[b]])):
                    self.graph.add_edge(ids[a], ids[b], weight=gap)
        return ids

    def _line(self, path: Sequence[int]) -> LineString:
        coords = [self.graph.nodes[v]["pos"] for v in path]
        if len(coords) == 1:
            coords = coords * 2
        return LineString(coords)

    def _prepare(self, points: Sequence[Point]) -> tuple[list[Point], list[int]]:
        free = [self.to_free(p) for p in points]
        components = []
        for p in free:
            comp = self.component_of(p)
            components.append(-1 if comp is None else comp)
        return free, components

    def shortest_path(self, a: Point, b: Point) -> tuple[float, LineString]:
        """The shortest walk from ``a`` to ``b``: its length in metres and the polyline.

        Points outside the free space are first moved to the nearest free point (the
        polyline starts and ends there). A* on the walk graph with the straight-line
        distance as heuristic. Raises :class:`RouteError` (``unreachable``) when the two
        points lie in parts of the hall not connected by an aisle.
        """
        (fa, fb), (ca, cb) = self._prepare([a, b])
        if ca != cb:
            raise RouteError("Между этими точками зала нет прохода", code="unreachable")
        import networkx as nx

        with self._lock:
            ids = self._insert([fa, fb], [ca, cb])
            try:
                pos = self.graph.nodes

                def heuristic(u: int, v: int) -> float:
                    (x1, y1), (x2, y2) = pos[u]["pos"], pos[v]["pos"]
                    return math.hypot(x2 - x1, y2 - y1)

                try:
                    path = nx.astar_path(self.graph, ids[0], ids[1], heuristic, weight="weight")
                except nx.NetworkXNoPath:
                    raise RouteError(
                        "Между этими точками зала нет прохода", code="unreachable"
                    ) from None
                line = self._line(path)
            finally:
                self.graph.remove_nodes_from(ids)
        return float(line.length), line

    def distance_matrix(
        self, points: Sequence[Point]
    ) -> tuple[np.ndarray, dict[tuple[int, int], LineString]]:
        """Shortest walking distances between all ``points`` (Dijkstra from each).

        Returns the symmetric ``(m, m)`` matrix (``inf`` where no aisle connects two
        points) and the paths: ``paths[i, j]`` for ``i < j`` runs from point ``i`` to point
        ``j``. Points are moved into the free space first, as in :meth:`shortest_path`.
        """
        free, components = self._prepare(points)
        m = len(free)
        dist = np.full((m, m), np.inf)
        np.fill_diagonal(dist, 0.0)
        paths: dict[tuple[int, int], LineString] = {}
        import networkx as nx

        with self._lock:
            ids = self._insert(free, components)
            try:
                for i in range(m):
                    lengths, routes = nx.single_source_dijkstra(self.graph, ids[i], weight="weight")
                    for j in range(i + 1, m):
                        if ids[j] in lengths:
                            dist[i, j] = dist[j, i] = lengths[ids[j]]
                            paths[i, j] = self._line(routes[ids[j]])
            finally:
                self.graph.remove_nodes_from(ids)
        return dist, paths
