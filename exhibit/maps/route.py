"""Walking tours through a hall's aisles, on the walk graph of :mod:`exhibit.floorplan.walk`
(the visibility graph of the free space: how it is built, and where a booth is visited from).

Tours
-----
:func:`visit_route` walks from an entrance through up to :data:`MAX_STOPS` booths. The route
is an open path: it ends at the last booth (a visitor leaves from wherever they like), unless
``return_to`` names an entrance or exit to finish at. Distances between stops are the
shortest paths in the walk graph (Dijkstra from every stop); the order is exact (Held–Karp
dynamic programming) up to :data:`EXACT_LIMIT` stops and above that the best of several
nearest-neighbour starts improved by 2-opt and Or-opt, which is deterministic.

Pure: standard library, NumPy, Shapely and NetworkX.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString, Point

from exhibit.floorplan.walk import CLEARANCE, RouteError, WalkGraph

__all__ = [
    "CLEARANCE",
    "EXACT_LIMIT",
    "MAX_STOPS",
    "Route",
    "RouteError",
    "WalkGraph",
    "order_stops",
    "tour_length",
    "visit_route",
]

#: The most booths a visit plan may hold.
MAX_STOPS = 20
#: Up to this many stops the tour order is exact (Held–Karp); above it, a heuristic.
EXACT_LIMIT = 12
#: Perturbations (double bridges) tried after the local search of the heuristic.
KICKS = 30


@dataclass(frozen=True)
class Route:
    """A walking tour: booth numbers in visiting order and the walk itself.

    ``legs[0]`` runs from the entrance to the first booth, ``legs[i]`` from booth ``i - 1``
    to booth ``i``; with ``return_to`` one more leg runs from the last booth to that door.
    ``length`` (metres) is the sum of the legs and ``path`` their concatenation. ``start``
    is where the walk begins (just inside the entrance), ``stops`` the access points of the
    booths in ``order`` and ``end`` where the walk finishes.
    """

    order: list[str]
    legs: list[LineString]
    length: float
    path: LineString
    start: Point
    stops: list[Point]
    end: Point


# Tour order


def tour_length(dist: np.ndarray, order: Sequence[int], end: int | None = None) -> float:
    """Length of the walk 0 → ``order`` … (→ ``end``) under the distance matrix ``dist``."""
    seq = [0, *order] + ([end] if end is not None else [])
    return float(sum(dist[a, b] for a, b in itertools.pairwise(seq)))


def _held_karp(dist: np.ndarray, stops: list[int], end: int | None) -> list[int]:
    """Exact shortest open path from 0 through ``stops`` (then to ``end``): DP over subsets,
    vectorised over the last stop."""
    n = len(stops)
    d = dist[np.ix_(stops, stops)]
    tail = dist[stops, end] if end is not None else np.zeros(n)
    full = 1 << n
    bits = 1 << np.arange(n)
    cost = np.full((full, n), np.inf)
    parent = np.full((full, n), -1, dtype=int)
    cost[bits, np.arange(n)] = dist[0, stops]
    for mask in range(1, full):
        row = cost[mask]
        outside = np.flatnonzero((mask & bits) == 0)
        if not len(outside):
            continue
        via = row[:, None] + d[:, outside]
        k = via.argmin(axis=0)
        best = via[k, np.arange(len(outside))]
        new = mask | bits[outside]
        better = best < cost[new, outside]
        cost[new[better], outside[better]] = best[better]
        parent[new[better], outside[better]] = k[better]
    last = int(np.argmin(cost[full - 1] + tail))
    order = []
    mask = full - 1
    while last >= 0:
        order.append(stops[last])
        last, mask = int(parent[mask, last]), mask & ~(1 << last)
    return order[::-1]


def _improve(dist: np.ndarray, seq: list[int], fixed_end: bool) -> list[int]:
    """2-opt and Or-opt on an open path ``seq`` (``seq[0]`` fixed, and ``seq[-1]`` when
    ``fixed_end``), first improvement, until neither helps. Assumes a symmetric matrix."""
    seq = list(seq)

    def d(a: int, b: int | None) -> float:
        return 0.0 if b is None else float(dist[a, b])

    improved = True
    while improved:
        improved = False
        last = len(seq) - 2 if fixed_end else len(seq) - 1  # last movable position
        # 2-opt: reverse seq[i..j].
        for i in range(1, last):
            for j in range(i + 1, last + 1):
                nxt = seq[j + 1] if j + 1 < len(seq) else None
                delta = (
                    d(seq[i - 1], seq[j]) + d(seq[i], nxt) - d(seq[i - 1], seq[i]) - d(seq[j], nxt)
                )
                if delta < -1e-9:
                    seq[i : j + 1] = seq[i : j + 1][::-1]
                    improved = True
        # Or-opt: move a run of 1–3 stops elsewhere, either way round.
        for size in (1, 2, 3):
            i = 1
            while i + size - 1 <= last:
                run = seq[i : i + size]
                before = seq[i - 1]
                after = seq[i + size] if i + size < len(seq) else None
                gain = d(before, run[0]) + d(run[-1], after) - d(before, after)
                rest = seq[:i] + seq[i + size :]
                best_delta, best_at, best_run = -1e-9, -1, run
                stop = len(rest) - 1 if fixed_end else len(rest)
                for p in range(stop):
                    if p == i - 1:
                        continue
                    a, b = rest[p], rest[p + 1] if p + 1 < len(rest) else None
                    for r in (run, run[::-1]):
                        delta = d(a, r[0]) + d(r[-1], b) - d(a, b) - gain
                        if delta < best_delta:
                            best_delta, best_at, best_run = delta, p, r
                if best_at >= 0:
                    seq = rest[: best_at + 1] + best_run + rest[best_at + 1 :]
                    improved = True
                i += 1
    return seq


def _nearest_neighbour(dist: np.ndarray, first: int, stops: list[int]) -> list[int]:
    order, left = [first], [s for s in stops if s != first]
    while left:
        here = order[-1]
        nxt = min(left, key=lambda s: (dist[here, s], s))
        order.append(nxt)
        left.remove(nxt)
    return order


def order_stops(
    dist: np.ndarray, *, end: int | None = None, exact_limit: int = EXACT_LIMIT
) -> list[int]:
    """A shortest visiting order for a symmetric distance matrix ``dist``.

    Index 0 is the start; ``end`` (an index) is where the walk must finish, if anywhere;
    every other index is a stop. Returns the stops in order. Exact (Held–Karp) for up to
    ``exact_limit`` stops; above, the best of nearest-neighbour tours from every first stop,
    each improved by 2-opt and Or-opt, then :data:`KICKS` rounds of iterated local search
    (double-bridge kicks from a seeded generator, so the result is deterministic).
    """
    m = len(dist)
    stops = [i for i in range(1, m) if i != end]
    if len(stops) <= 1:
        return stops
    if len(stops) <= exact_limit:
        return _held_karp(dist, stops, end)
    tail = [end] if end is not None else []
    best, best_len = stops, math.inf
    for first in sorted(stops, key=lambda s: (dist[0, s], s)):
        seq = _improve(dist, [0, *_nearest_neighbour(dist, first, stops), *tail], bool(tail))
        order = seq[1 : len(seq) - len(tail)]
        length = tour_length(dist, order, end)
        if length < best_len - 1e-9:
            best, best_len = order, length
    # Then kick the best order out of its local optimum (a double bridge: swap two runs)
    # a fixed number of times with a seeded generator, keeping improvements.
    rng = random.Random(len(stops))
    for _ in range(KICKS):
        a, b, c = sorted(rng.sample(range(1, len(best)), 3)) if len(best) > 3 else (1, 1, 1)
        kicked = best[:a] + best[b:c] + best[a:b] + best[c:]
        seq = _improve(dist, [0, *kicked, *tail], bool(tail))
        order = seq[1 : len(seq) - len(tail)]
        length = tour_length(dist, order, end)
        if length < best_len - 1e-9:
            best, best_len = order, length
    return best


# The visit plan


def visit_route(
    graph: WalkGraph,
    start_entrance: str | int | None,
    booth_numbers: Sequence[str],
    *,
    return_to: str | int | None = None,
    exact_limit: int = EXACT_LIMIT,
    start_at: tuple[str, Point] | None = None,
) -> Route:
    """The shortest walk from an entrance through all the booths ``booth_numbers``.

    ``start_entrance`` is an entrance's name, its index in ``plan.entrances``, or ``None``
    for the main entrance; ``start_at`` (a name and a point, such as a "you are here"
    poster's) starts the walk there instead. The walk ends at the last booth (an open path); with
    ``return_to`` (a name of an entrance or exit, or an entrance index) it finishes there
    instead. Repeated numbers are visited once. See the module docstring for the method.

    Raises :class:`RouteError` for an empty list, more than :data:`MAX_STOPS` booths, an
    unknown booth number or entrance, a plan without entrances, and a booth that cannot be
    reached from the entrance (closed on all sides, or in an enclosed part of the hall).
    """
    numbers = list(dict.fromkeys(str(n).strip() for n in booth_numbers))
    if not numbers:
        raise RouteError("Не выбран ни один стенд", code="no_stops")
    if len(numbers) > MAX_STOPS:
        raise RouteError(
            f"В маршруте может быть не больше {MAX_STOPS} стендов, выбрано {len(numbers)}",
            code="too_many_stops",
        )
    if start_at is not None:
        start_name, start = start_at[0], graph.to_free(start_at[1])
    else:
        start_name, start = graph.find_door(start_entrance, exits=False)
    stops = [graph.access_point(n) for n in numbers]
    points = [start, *stops]
    end_index = None
    if return_to is not None:
        end_name, end_point = graph.find_door(return_to, exits=True)
        points.append(end_point)
        end_index = len(points) - 1
    where = graph.component_of(start)
    for number, stop in zip(numbers, stops, strict=True):
        if graph.component_of(stop) != where:
            raise RouteError(
                f"Стенд «{number}» недоступен: от входа «{start_name}» к нему нет прохода",
                code="unreachable",
                booth=number,
            )
    if end_index is not None and graph.component_of(points[end_index]) != where:
        raise RouteError(f"От входа «{start_name}» нет прохода к «{end_name}»", code="unreachable")
    dist, paths = graph.distance_matrix(points)
    if not np.isfinite(dist[0]).all():
        bad = int(np.flatnonzero(~np.isfinite(dist[0]))[0])
        number = numbers[bad - 1] if bad <= len(numbers) else None
        raise RouteError(
            f"Стенд «{number}» недоступен: от входа «{start_name}» к нему нет прохода"
            if number
            else f"От входа «{start_name}» нет прохода к выходу",
            code="unreachable",
            booth=number,
        )
    order = order_stops(dist, end=end_index, exact_limit=exact_limit)
    seq = [0, *order] + ([end_index] if end_index is not None else [])
    legs = []
    for a, b in itertools.pairwise(seq):
        leg = paths[a, b] if a < b else LineString(paths[b, a].coords[::-1])
        legs.append(leg)
    coords: list[tuple[float, float]] = []
    for leg in legs:
        for c in leg.coords:
            if not coords or c != coords[-1]:
                coords.append(c)
    if len(coords) == 1:
        coords *= 2
    return Route(
        order=[numbers[k - 1] for k in order],
        legs=legs,
        length=tour_length(dist, order, end_index),
        path=LineString(coords),
        start=start,
        stops=[stops[k - 1] for k in order],
        end=points[seq[-1]],
    )
