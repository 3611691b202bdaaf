"""The plan of one hall as plain values: what every part of the floor-plan engine passes around.

Coordinates are planar metres: x to the right, y up, origin at the hall's lower left corner.
This module is pure (standard library and Shapely only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

#: ``properties.kind`` values of a plan feature (PRODUCT.md §4).
FEATURE_KINDS = ("hall", "booth", "obstacle", "zone", "entrance", "exit")

#: Booth kinds by number of open sides (1..4); 0 open sides is still sold as "linear".
BOOTH_KINDS = ("linear", "corner", "peninsula", "island")


@dataclass
class PlanBooth:
    """A booth as drawn: its number (``None`` when the drawing has none) and outline."""

    number: str | None
    polygon: Polygon
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlanFeature:
    """Anything else drawn in the hall: an obstacle, a zone, an entrance or an exit.

    ``geometry`` is a Polygon for obstacles and zones; entrances and exits may be a
    LineString (the door in the wall), a Point or a Polygon.
    """

    kind: str
    geometry: BaseGeometry
    name: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def track(self) -> str | None:
        """The track code of a zone."""
        return self.properties.get("track")


@dataclass
class Plan:
    """One hall: its outline and everything drawn inside it."""

    hall: Polygon
    booths: list[PlanBooth] = field(default_factory=list)
    obstacles: list[PlanFeature] = field(default_factory=list)
    zones: list[PlanFeature] = field(default_factory=list)
    entrances: list[PlanFeature] = field(default_factory=list)
    exits: list[PlanFeature] = field(default_factory=list)
    name: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
