"""Geometry for SVG drawings of a hall (pure: Shapely only).

SVG's y axis points down; plans are in metres with y up. Everything here converts plan
coordinates to drawing coordinates with ``y' = height − y``, so north stays up. The markup
itself is written by Jinja2 templates (autoescaped), never by concatenating user text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel


@dataclass(frozen=True)
class Frame:
    """The drawing's frame: the hall's bounds plus a margin, in metres."""

    minx: float
    miny: float
    maxx: float
    maxy: float

    @classmethod
    def around(cls, geometry: BaseGeometry, margin: float = 1.0) -> Frame:
        minx, miny, maxx, maxy = geometry.bounds
        return cls(minx - margin, miny - margin, maxx + margin, maxy + margin)

    @property
    def width(self) -> float:
        return self.maxx - self.minx

    @property
    def height(self) -> float:
        return self.maxy - self.miny

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.3f} {self.height:.3f}"

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Drawing coordinates of a plan point."""
        return (round(x - self.minx, 3), round(self.maxy - y, 3))

    def path(self, geometry: BaseGeometry) -> str:
        """SVG path data for a polygon (with holes), multipolygon or line."""
        parts: list[str] = []
        for part in getattr(geometry, "geoms", [geometry]):
            if isinstance(part, Polygon):
                for ring in (part.exterior, *part.interiors):
                    parts.append(self._ring(ring.coords, closed=True))
            else:
                parts.append(self._ring(part.coords, closed=False))
        return " ".join(parts)

    def paths(self, polygons: Sequence[BaseGeometry]) -> list[str]:
        """:meth:`path` of many geometries at once (the same text): polygons without holes
        go through one vectorised transform, the rest one by one."""
        out: list[str | None] = [None] * len(polygons)
        simple = [i for i, g in enumerate(polygons) if isinstance(g, Polygon) and not g.interiors]
        if simple:
            rings = shapely.get_exterior_ring(np.asarray([polygons[i] for i in simple], object))
            coords, owner = shapely.get_coordinates(rings, return_index=True)
            xs = np.round(coords[:, 0] - self.minx, 3).tolist()
            ys = np.round(self.maxy - coords[:, 1], 3).tolist()
            start = 0
            for i, count in zip(simple, np.bincount(owner, minlength=len(simple)).tolist(),
                                strict=True):  # fmt: skip
                end = start + count - 1  # a ring repeats its first point last
                head = f"M{xs[start]:g} {ys[start]:g}"
                out[i] = head + "".join([f"L{xs[j]:g} {ys[j]:g}" for j in range(start + 1, end)])
                out[i] += "Z"
                start += count
        return [d if d is not None else self.path(g) for d, g in zip(out, polygons, strict=True)]

    def _ring(self, coords, *, closed: bool) -> str:
        points = [self.point(x, y) for x, y, *_ in coords]
        if closed and len(points) > 1 and points[0] == points[-1]:
            points = points[:-1]
        head, *tail = points
        text = f"M{head[0]:g} {head[1]:g}" + "".join(f"L{x:g} {y:g}" for x, y in tail)
        return text + ("Z" if closed else "")


def label_point(polygon: Polygon) -> tuple[float, float]:
    """Where a label sits inside a polygon: its centre when that has as much room as the
    pole of inaccessibility (rectangles), else the pole (L shapes and other odd outlines)."""
    minx, miny, maxx, maxy = polygon.bounds
    rectangle = len(polygon.exterior.coords) == 5 and not polygon.interiors
    if rectangle and abs(polygon.area - (maxx - minx) * (maxy - miny)) < 1e-9:
        return ((minx + maxx) / 2, (miny + maxy) / 2)  # its centre, without polylabel
    centre = polygon.centroid
    if polygon.area <= 0:
        return (centre.x, centre.y)
    pole = polylabel(polygon, tolerance=0.05)
    room = polygon.exterior.distance(pole)
    if polygon.contains(centre) and polygon.exterior.distance(centre) >= 0.9 * room:
        return (centre.x, centre.y)
    return (pole.x, pole.y)


def label_size(polygon: Polygon, turned: bool = False) -> float:
    """A font size (metres) that fits a short label inside the polygon; ``turned``: for a
    label turned a quarter, running along the polygon's height."""
    inner = polygon.buffer(-0.2)
    if inner.is_empty:
        inner = polygon
    minx, miny, maxx, maxy = inner.bounds
    along, across = (maxy - miny, maxx - minx) if turned else (maxx - minx, maxy - miny)
    return round(max(0.3, min(1.0, along / 4, across / 2.5)), 2)


def inward_point(geometry: BaseGeometry, area: Polygon, distance: float) -> tuple[float, float]:
    """A point ``distance`` metres from ``geometry`` towards the inside of ``area``.

    Used to place a door's label inside the hall, where the drawing has room for it.
    """
    door = geometry.centroid
    centre = area.centroid
    dx, dy = centre.x - door.x, centre.y - door.y
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    return (door.x + dx / length * distance, door.y + dy / length * distance)


def door_label_anchor(geometry: BaseGeometry, area: Polygon) -> str:
    """SVG ``text-anchor`` for a door's label so that it runs into the hall, not out of it."""
    door, centre = geometry.centroid, area.centroid
    dx, dy = centre.x - door.x, centre.y - door.y
    if abs(dx) <= abs(dy):
        return "middle"
    return "start" if dx > 0 else "end"
