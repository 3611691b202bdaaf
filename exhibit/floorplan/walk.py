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
#: Up to this many nodes the graph joins every pair of nodes that see each other (exact).
#: Larger halls join only nodes in neighbouring cells of :data:`WINDOW` metres: a straight
#: stretch of a shortest walk longer than that is then replaced by a walk through the
#: corners beside it (see the module docstring).
FULL_NODES = 1000
#: The side (metres) of the cells of a windowed graph.
WINDOW = 30.0
#: Cells of the raster that rejects segments cheaply: about this many over the free space.
RASTER_CELLS = 60_000
#: Points sampled along a segment, at most, by the raster filter.
RASTER_SAMPLES = 16


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


def _grow(part: Polygon, distance: float) -> BaseGeometry:
    """``part`` grown by ``distance`` (mitred): its outline grown, its holes shrunk, each as
    a simple polygon. GEOS buffers a polygon with many holes by a tiny distance unreliably:
    with coordinates that differ by 1e-15 it can drop most of the holes."""
    mitre = BufferJoinStyle.mitre
    shell = shapely.buffer(Polygon(part.exterior), distance, join_style=mitre)
    if not part.interiors:
        return shell
    holes = shapely.buffer(shapely.polygons(list(part.interiors)), -distance, join_style=mitre)
    # Shrunk holes of a valid polygon stay apart and inside its grown outline: the polygon is
    # built from the rings directly, with no overlay.
    rings = shapely.get_exterior_ring(shapely.get_parts(holes[~shapely.is_empty(holes)]))
    if shell.geom_type != "Polygon" or not len(rings):
        return shapely.difference(shell, shapely.union_all(holes))
    return shapely.polygons(shell.exterior, holes=rings)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.hypot(v[:, 0], v[:, 1]), 1e-12)[:, None]


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


def _candidate_pairs(nodes: np.ndarray, component: np.ndarray):
    """Pairs ``(i, j)`` of nodes (``i < j``, same part of the free space) that may see each
    other, in chunks: every pair up to :data:`FULL_NODES` nodes, else pairs in the same or
    neighbouring cells of :data:`WINDOW` metres."""
    n = len(nodes)
    if n <= FULL_NODES:
        chunk = max(1, 200_000 // max(n, 1))
        for lo in range(0, n, chunk):
            i, j = np.nonzero(np.arange(n)[None, :] > np.arange(lo, min(lo + chunk, n))[:, None])
            i += lo
            keep = component[i] == component[j]
            yield i[keep], j[keep]
        return
    cells = _cells(nodes)
    batch: list[tuple[np.ndarray, np.ndarray]] = []
    size = 0
    for (cx, cy), here in cells.items():
        for dx, dy in ((0, 0), (1, -1), (1, 0), (1, 1), (0, 1)):
            there = cells.get((cx + dx, cy + dy))
            if there is None:
                continue
            i, j = np.meshgrid(here, there, indexing="ij")
            i, j = i.ravel(), j.ravel()
            keep = component[i] == component[j]
            if dx == dy == 0:
                keep &= i < j
            i, j = i[keep], j[keep]
            batch.append((np.minimum(i, j), np.maximum(i, j)))
            size += len(i)
        if size > 200_000:
            yield tuple(np.concatenate(parts) for parts in zip(*batch, strict=True))
            batch, size = [], 0
    if batch:
        yield tuple(np.concatenate(parts) for parts in zip(*batch, strict=True))


def _cells(xy: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """Indices of the points in each cell of :data:`WINDOW` metres."""
    key = np.floor(xy / WINDOW).astype(int)
    order = np.lexsort((key[:, 1], key[:, 0]))
    key = key[order]
    cut = np.flatnonzero(np.any(np.diff(key, axis=0) != 0, axis=1)) + 1
    return {
        (int(key[g[0], 0]), int(key[g[0], 1])): order[g]
        for g in np.split(np.arange(len(order)), cut)
        if len(g)
    }


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
        edges: tuple[np.ndarray, np.ndarray, np.ndarray],
        nodes: np.ndarray,
        prev: np.ndarray,
        nxt: np.ndarray,
        component: np.ndarray,
    ):
        self.plan = plan
        self.clearance = clearance
        self.free = free
        self.edges = edges
        self._graph: nx.Graph | None = None
        self.nodes = nodes
        self._prev = prev
        self._next = nxt
        self._component = component
        self._setup()

    def _setup(self) -> None:
        # Unit vectors from every node to its ring neighbours (the tangency test).
        self._uprev = _unit(self._prev - self.nodes)
        self._unext = _unit(self._next - self.nodes)
        self._parts = shapely.get_parts(self.free)
        self._test_parts = np.asarray([_grow(part, EPS) for part in self._parts], dtype=object)
        self._test = shapely.union_all(self._test_parts)
        shapely.prepare(self._test)
        shapely.prepare(self._test_parts)
        self._lock = threading.Lock()
        self._raster: tuple[float, float, float, np.ndarray] | None = None
        self._outline_tree: tuple[shapely.STRtree, np.ndarray, np.ndarray] | None = None
        self._booths = {}
        for booth in self.plan.booths:
            if booth.number is not None:
                self._booths.setdefault(booth.number, booth)
        self._access: dict[str, tuple[float, float] | None] = {}
        self._main: Point | bool | None = None  # the main entrance's point; False: none

    @property
    def graph(self) -> nx.Graph:
        """The graph as NetworkX (built on first use: NetworkX is slow to import and the
        plan check needs only :attr:`edges`, ``(i, j, metres)`` arrays with ``i < j``)."""
        if self._graph is None:
            import networkx as nx

            graph = nx.Graph()
            graph.add_nodes_from(
                (k, {"pos": (x, y)}) for k, (x, y) in enumerate(self.nodes.tolist())
            )
            i, j, w = self.edges
            graph.add_weighted_edges_from(zip(i.tolist(), j.tolist(), w.tolist(), strict=True))
            self._graph = graph
        return self._graph

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for key in ("_lock", "_test", "_test_parts", "_parts", "_raster", "_outline_tree"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        access = state.pop("_access")
        self.__dict__.update(state)
        self._setup()
        self._access = access

    # Building

    @classmethod
    def from_plan(
        cls,
        plan: Plan,
        *,
        clearance: float = CLEARANCE,
        blocked: BaseGeometry | None = None,
    ) -> WalkGraph:
        """Build the walk graph of ``plan`` for a person of half-width ``clearance`` m.

        ``blocked`` is the union of the booths and solid obstacles when the caller has it
        (the plan check does): growing the union is much faster than uniting the grown
        booths. Raises :class:`RouteError` (``no_free_space``) when nothing of the hall is
        left to walk on.
        """
        mitre = BufferJoinStyle.mitre
        if blocked is not None:
            extra = [o.geometry for o in plan.obstacles if not o.geometry.area > 0]
            grown = shapely.buffer(blocked, clearance, join_style=mitre)  # a valid union
            if extra:
                arr = shapely.make_valid(np.asarray(extra, dtype=object))
                arr = shapely.buffer(arr, clearance, join_style=mitre)
                grown = shapely.union_all([grown, *arr])
            grown = shapely.simplify(grown, SIMPLIFY)
        else:
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
        empty = (np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0))
        graph = cls(plan, clearance, free, empty, nodes, prev, nxt, component)
        found = [empty]
        for i, j in _candidate_pairs(nodes, component):
            keep = _tangent(nodes[i], nodes[j], prev[i], nxt[i]) & _tangent(
                nodes[j], nodes[i], prev[j], nxt[j]
            )
            i, j = i[keep], j[keep]
            ok = graph.sees(nodes[i], nodes[j])
            found.append((i[ok], j[ok], np.hypot(*(nodes[j[ok]] - nodes[i[ok]]).T)))
        graph.edges = tuple(np.concatenate(parts) for parts in zip(*found, strict=True))
        return graph

    def tangent_from(self, k: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:func:`_tangent` for segments from nodes ``k`` to ``points`` (fewer operations:
        the neighbours' directions are kept), and the segments' lengths."""
        d = points - self.nodes[k]
        length = np.hypot(d[:, 0], d[:, 1])
        up, un = self._uprev[k], self._unext[k]
        s1 = d[:, 0] * up[:, 1] - d[:, 1] * up[:, 0]
        s2 = d[:, 0] * un[:, 1] - d[:, 1] * un[:, 0]
        tol = 1e-9 * np.maximum(length, 1e-12)
        cut = ((s1 > tol) & (s2 < -tol)) | ((s1 < -tol) & (s2 > tol))
        return ~cut, length

    # Seeing

    def sees(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether each straight segment ``a[k]`` → ``b[k]`` (``(m, 2)`` arrays) lies in the
        free space. A raster of cells wholly off the free floor rejects most blocked
        segments in NumPy; the rest are tested exactly (``contains_properly`` on the free
        space grown by 1 µm — the fast prepared predicate: no segment end lies on its
        boundary)."""
        a = np.asarray(a, dtype=float).reshape(-1, 2)
        b = np.asarray(b, dtype=float).reshape(-1, 2)
        out = np.zeros(len(a), dtype=bool)
        if not len(a):
            return out
        length = np.hypot(*(b - a).T)
        out[length < 1e-9] = True
        k = np.flatnonzero((length >= 1e-9) & self._raster_clear(a, b, length))
        if len(k):
            segments = shapely.linestrings(np.stack([a[k], b[k]], axis=1))
            out[k] = shapely.contains_properly(self._test, segments)
        return out

    def _raster_clear(self, a: np.ndarray, b: np.ndarray, length: np.ndarray) -> np.ndarray:
        """False for segments that certainly leave the free space: a point sampled along
        them (every half cell, or :data:`RASTER_SAMPLES` evenly) lies in a cell no part of
        which is free."""
        x0, y0, h, blocked = self._raster_grid()
        # At most RASTER_SAMPLES points a segment: a weaker filter, never a wrong answer.
        steps = np.minimum(np.ceil(length / (h / 2)).astype(int) + 1, RASTER_SAMPLES)
        clear = np.ones(len(a), dtype=bool)
        for lo in range(0, len(a), 4096):  # bounded memory for long segments
            sl = slice(lo, min(lo + 4096, len(a)))
            n = steps[sl]
            seg = np.repeat(np.arange(len(n)), n)
            start = np.cumsum(n) - n
            t = (np.arange(len(seg)) - start[seg]) / np.maximum(n[seg] - 1, 1)
            xy = a[sl][seg] + t[:, None] * (b[sl] - a[sl])[seg]
            ix = np.floor((xy[:, 0] - x0) / h).astype(int)
            iy = np.floor((xy[:, 1] - y0) / h).astype(int)
            inside = (ix >= 0) & (iy >= 0) & (ix < blocked.shape[0]) & (iy < blocked.shape[1])
            hit = np.ones(len(seg), dtype=bool)
            hit[inside] = blocked[ix[inside], iy[inside]]
            clear[sl] = ~np.logical_or.reduceat(hit, start)
        return clear

    def maybe_sees(self, a: np.ndarray, b: np.ndarray, at=(0.25, 0.5, 0.75)) -> np.ndarray:
        """A quick first look for many segments: False where a point at the fractions ``at``
        of the segment lies in a raster cell wholly off the free floor (the segment is then
        certainly blocked); True means only "maybe" (:meth:`sees` decides)."""
        x0, y0, h, blocked = self._raster_grid()
        clear = np.ones(len(a), dtype=bool)
        d = b - a
        for t in at:
            ix = np.floor((a[:, 0] + t * d[:, 0] - x0) / h).astype(int)
            iy = np.floor((a[:, 1] + t * d[:, 1] - y0) / h).astype(int)
            inside = (ix >= 0) & (iy >= 0) & (ix < blocked.shape[0]) & (iy < blocked.shape[1])
            hit = ~inside
            hit[inside] = blocked[ix[inside], iy[inside]]
            clear &= ~hit
        return clear

    def _raster_grid(self) -> tuple[float, float, float, np.ndarray]:
        if self._raster is None:
            minx, miny, maxx, maxy = self.free.bounds
            h = max(0.2, math.sqrt((maxx - minx) * (maxy - miny) / RASTER_CELLS))
            x0, y0 = minx - h, miny - h
            nx_, ny_ = math.ceil((maxx - x0) / h) + 1, math.ceil((maxy - y0) / h) + 1
            xs, ys = np.meshgrid(
                x0 + h * (np.arange(nx_) + 0.5), y0 + h * (np.arange(ny_) + 0.5), indexing="ij"
            )
            # A cell is wholly off the free floor when its centre is further than half its
            # diagonal (and a margin) from it.
            near = shapely.union_all([_grow(part, h * 0.75) for part in self._parts])
            shapely.prepare(near)
            blocked = ~shapely.contains_xy(near, xs, ys)
            self._raster = (x0, y0, h, blocked)
        return self._raster

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
            self.access_points([number])
        point = self._access[number]
        if point is None:
            raise RouteError(
                f"К стенду «{number}» не подойти: со всех сторон он закрыт стендами, "
                "препятствиями или стенами",
                code="no_access",
                booth=number,
            )
        return Point(point)

    def access_points(self, numbers: Sequence[str]) -> np.ndarray:
        """:meth:`access_point` of many booths at once, ``(m, 2)``; a row of NaN for a booth
        that is not on the plan or has no open edge. Vectorised over every edge of every
        booth: the free stretch of each edge's probe line is found from where it crosses the
        free space's outline (an STRtree of the outline's segments), not by intersecting it
        with the whole free space."""
        out = np.full((len(numbers), 2), np.nan)
        todo = [k for k, n in enumerate(numbers) if str(n).strip() not in self._access]
        polygons = [self._booths.get(str(numbers[k]).strip()) for k in todo]
        known = [k for k, b in zip(todo, polygons, strict=True) if b is not None]
        found = self._find_access_many(
            [self._booths[str(numbers[k]).strip()].polygon for k in known]
        )
        for k, xy in zip(known, found.tolist(), strict=True):
            self._access[str(numbers[k]).strip()] = None if math.isnan(xy[0]) else tuple(xy)
        for k, n in enumerate(numbers):
            point = self._access.get(str(n).strip())
            if point is not None:
                out[k] = point
        return out

    def _find_access(self, polygon: Polygon) -> Point | None:
        xy = self._find_access_many([polygon])[0]
        return None if np.isnan(xy[0]) else Point(xy)

    def _find_access_many(self, polygons: Sequence[Polygon]) -> np.ndarray:
        out = np.full((len(polygons), 2), np.nan)
        if not len(polygons):
            return out
        arr = np.empty(len(polygons), dtype=object)
        arr[:] = list(polygons)
        arr = shapely.simplify(shapely.orient_polygons(shapely.make_valid(arr)), 1e-4)
        for k in np.flatnonzero((shapely.get_type_id(arr) != 3) | shapely.is_empty(arr)):
            parts = [g for g in shapely.get_parts(arr[k]) if g.geom_type == "Polygon"]
            arr[k] = shapely.orient_polygons(max(parts, key=lambda g: g.area)) if parts else None
        ok = np.flatnonzero(shapely.get_type_id(arr) == 3)
        if not len(ok):
            return out
        xy, owner = shapely.get_coordinates(shapely.get_exterior_ring(arr[ok]), return_index=True)
        same = owner[1:] == owner[:-1]
        start, end, booth = xy[:-1][same], xy[1:][same], ok[owner[:-1][same]]
        d = end - start
        length = np.hypot(d[:, 0], d[:, 1])
        good = length > 1e-6
        start, end, d, length, booth = start[good], end[good], d[good], length[good], booth[good]
        edge = np.arange(len(booth))
        normal = np.column_stack([d[:, 1], -d[:, 0]]) / length[:, None]
        offset = normal * (self.clearance + ACCESS_OFFSET)
        a, b = start + offset, end + offset
        lo, hi, free_len = self._free_stretches(a, b)
        # The point of each open edge's free stretch nearest the edge's middle.
        t = np.clip(0.5, lo, hi)
        points = a + t[:, None] * (b - a)
        open_ = free_len >= MIN_OPEN
        booth, edge, points, free_len = booth[open_], edge[open_], points[open_], free_len[open_]
        if not len(booth):
            return out
        nb = len(polygons)
        main = self._main_point()
        dmain = np.zeros(len(booth))
        if main is not None:
            # Prefer a side that opens onto the entrance's part of the hall.
            where = self.component_of(main)
            comp = np.full(len(booth), -1)
            for j, part in enumerate(self._test_parts):
                inside = shapely.contains_xy(part, points[:, 0], points[:, 1])
                comp[(comp < 0) & inside] = j
            pref = comp == where
            has_pref = np.zeros(nb, dtype=bool)
            np.logical_or.at(has_pref, booth, pref)
            allowed = pref | ~has_pref[booth]
            dmain = np.hypot(points[:, 0] - main.x, points[:, 1] - main.y)
        else:
            allowed = np.ones(len(booth), dtype=bool)
        best = np.full(nb, -np.inf)
        np.maximum.at(best, booth[allowed], free_len[allowed])
        tied = allowed & (free_len >= best[booth] - 0.01)
        k = np.flatnonzero(tied)
        k = k[np.lexsort((edge[k], dmain[k], booth[k]))]
        first = np.r_[True, booth[k][1:] != booth[k][:-1]]
        out[booth[k[first]]] = points[k[first]]
        return out

    def _free_stretches(
        self, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For segments ``a`` → ``b``: the free length, and the parameters ``lo``/``hi``
        (0…1) of the free stretch nearest each segment's middle (``lo > hi``: none)."""
        tree, c, e = self._outline()
        lines = shapely.linestrings(np.stack([a, b], axis=1))
        si, bj = tree.query(lines, predicate="intersects")
        u = b[si] - a[si]
        v = e[bj] - c[bj]
        w = c[bj] - a[si]
        den = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
        par = np.abs(den) < 1e-12
        with np.errstate(divide="ignore", invalid="ignore"):
            t_cross = (w[:, 0] * v[:, 1] - w[:, 1] * v[:, 0]) / den
            uu = (u * u).sum(axis=1)
            t_c = (w * u).sum(axis=1) / uu
            t_e = ((e[bj] - a[si]) * u).sum(axis=1) / uu
        ts = [np.where(par, t_c, t_cross), np.where(par, t_e, t_cross)]
        seg = np.concatenate([si, si, np.arange(len(a)), np.arange(len(a))])
        t = np.clip(np.concatenate([*ts, np.zeros(len(a)), np.ones(len(a))]), 0.0, 1.0)
        order = np.lexsort((t, seg))
        seg, t = seg[order], t[order]
        # Consecutive parameters of one segment bound a stretch; its middle says if it is free.
        same = seg[1:] == seg[:-1]
        s0, t0, t1 = seg[:-1][same], t[:-1][same], t[1:][same]
        keep = t1 - t0 > 1e-12
        s0, t0, t1 = s0[keep], t0[keep], t1[keep]
        mid = a[s0] + ((t0 + t1) / 2)[:, None] * (b[s0] - a[s0])
        free = shapely.contains_xy(self._test, mid[:, 0], mid[:, 1])
        s0, t0, t1 = s0[free], t0[free], t1[free]
        total = np.zeros(len(a))
        np.add.at(total, s0, (t1 - t0) * np.hypot(*(b[s0] - a[s0]).T))
        # The free stretch nearest the middle (0.5): the smallest gap, the earlier on ties.
        gap = np.maximum(np.maximum(t0 - 0.5, 0.5 - t1), 0.0)
        pick = np.lexsort((t0, gap, s0))
        s0, t0, t1 = s0[pick], t0[pick], t1[pick]
        first = np.r_[True, s0[1:] != s0[:-1]] if len(s0) else np.zeros(0, dtype=bool)
        lo, hi = np.ones(len(a)), np.zeros(len(a))
        lo[s0[first]], hi[s0[first]] = t0[first], t1[first]
        return lo, hi, total

    def _outline(self) -> tuple[shapely.STRtree, np.ndarray, np.ndarray]:
        """An STRtree of the free space's outline segments, and their ends."""
        if getattr(self, "_outline_tree", None) is None:
            xy, ring = shapely.get_coordinates(shapely.get_rings(self._parts), return_index=True)
            same = ring[1:] == ring[:-1]
            c, e = xy[:-1][same], xy[1:][same]
            tree = shapely.STRtree(shapely.linestrings(np.stack([c, e], axis=1)))
            self._outline_tree = (tree, c, e)
        return self._outline_tree

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
        ok = self.sees(np.broadcast_to(point, (len(k), 2)), self.nodes[k])
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
