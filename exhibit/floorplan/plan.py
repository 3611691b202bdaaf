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
FEATURE_KINDS = (
    "hall",
    "booth",
    "obstacle",
    "zone",
    "entrance",
    "exit",
    "equipment",
    "point",
    "passage",
)

#: ``properties.type`` of a ``point`` ("you are here" poster spot): where the poster hangs.
POINT_TYPES = ("entrance", "column", "crossing", "other")

#: ``properties.type`` of a ``passage``: a place the step-free route avoids.
PASSAGE_TYPES = ("steps", "narrow")

#: How a point id is written: a short code (letters, digits, ``-``, ``_``; up to 16), used in
#: the poster's QR link.
POINT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$"

#: ``properties.type`` of an ``equipment`` point (fire-safety equipment, a Point in the hall):
#: its Russian name and the safety sign it stands for (ISO 7010; ГОСТ Р 12.4.026-2015).
EQUIPMENT_TYPES: dict[str, tuple[str, str, str]] = {
    "extinguisher": ("огнетушитель", "F001", "F04"),
    "hose": ("пожарный кран", "F002", "F02"),
    "alarm": ("ручной пожарный извещатель", "F005", "F10"),
    "first-aid": ("аптечка первой помощи", "E003", "EC01"),
}

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
    """Anything else drawn in the hall: an obstacle, a zone, an entrance, an exit or a piece
    of fire-safety equipment.

    ``geometry`` is a Polygon for obstacles and zones; entrances and exits may be a
    LineString (the door in the wall), a Point or a Polygon; equipment is a Point, with its
    ``type`` (see ``EQUIPMENT_TYPES``) in ``properties``.
    """

    kind: str
    geometry: BaseGeometry
    name: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def track(self) -> str | None:
        """The track code of a zone."""
        return self.properties.get("track")

    @property
    def equipment_type(self) -> str | None:
        """The ``type`` of a piece of equipment (``extinguisher``, ``hose``, …)."""
        return self.properties.get("type")

    @property
    def passage_type(self) -> str | None:
        """The ``type`` of a passage (``steps`` or ``narrow``)."""
        return self.properties.get("type")


@dataclass(frozen=True)
class PlanPoint:
    """A "you are here" point: where a poster hangs (an entrance, a column, an aisle
    crossing).

    ``id`` is the short code of the poster's QR link (``P1``), unique in the plan;
    ``facing`` is the direction (degrees clockwise, 0 = "up" on the plan, i.e. +y) that a
    person reading the poster faces; ``type`` one of ``POINT_TYPES``. ``properties`` keeps
    any other properties of the feature as they were.
    """

    id: str
    name: str
    position: tuple[float, float]
    facing: float = 0.0
    type: str = "other"
    properties: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def x(self) -> float:
        """The point's x (metres)."""
        return self.position[0]

    @property
    def y(self) -> float:
        """The point's y (metres)."""
        return self.position[1]


@dataclass
class Plan:
    """One hall: its outline and everything drawn inside it."""

    hall: Polygon
    booths: list[PlanBooth] = field(default_factory=list)
    obstacles: list[PlanFeature] = field(default_factory=list)
    zones: list[PlanFeature] = field(default_factory=list)
    entrances: list[PlanFeature] = field(default_factory=list)
    exits: list[PlanFeature] = field(default_factory=list)
    #: Fire-safety equipment: extinguishers, hose cabinets, alarm call points, first aid.
    equipment: list[PlanFeature] = field(default_factory=list)
    #: "You are here" points (poster spots), in plan order.
    points: tuple[PlanPoint, ...] = ()
    #: Steps and narrow passages (``type`` ``steps`` or ``narrow``; a LineString across the
    #: way or a Polygon over it): the step-free route avoids them.
    passages: list[PlanFeature] = field(default_factory=list)
    name: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    def point(self, point_id: str) -> PlanPoint | None:
        """The "you are here" point with this id (ids are compared as written), or ``None``."""
        return next((p for p in self.points if p.id == point_id), None)
