"""Routes told in words, routes from a "you are here" point, and the step-free walk.

Directions
----------
A route's walk (:class:`~exhibit.maps.route.Route`, one leg per stop) becomes numbered
steps a screen-reader user can follow without the drawing:

    «Идите прямо 18 м по проходу между рядами F и G, у колонны К3/2 поверните налево»
    «Идите прямо 6 м по проходу F, стенд F14 справа»

Each leg is cut into straight stretches: bends under :data:`STRAIGHT` degrees are merged
(the shortest path hugs booth corners and bends by a few degrees at each), and stretches
shorter than :data:`MIN_STRETCH` m join the next. A stretch is one step: its length rounded
to metres, the aisle it runs along — the rows of the booths beside its middle (a booth's
``row`` property, else the letters of its number): one row, «по проходу F», two,
«между рядами F и G» — and, when another stretch follows, the turn (the signed angle
between the headings: «поверните налево/направо», under 45° «держитесь левее/правее»,
over 150° «развернитесь») at a landmark: the nearest column within :data:`LANDMARK_REACH`
m of the bend (obstacles of ``type: column``, by name), else the nearest booth. The last
stretch of a leg ends with the booth and its side (left, right or ahead, by the cross
product of the heading and the way to the booth's centre).

When the walk starts at a poster that faces a known way (``facing``: degrees clockwise from
"up" on the plan), the first step tells the reader how to turn from the way they face.

Step-free
---------
:func:`step_free_plan` turns every ``passage`` of the plan (steps and narrow places) into
an obstacle, so that the walk graph built from it goes round them. Entrances whose door is
within :data:`DOOR_STEPS_REACH` m of steps are not step-free; a step-free walk asked to start
at one starts at the nearest step-free entrance instead, and says so.

Pure: standard library and Shapely.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from exhibit.floorplan.plan import Plan, PlanFeature, PlanPoint

#: Bends smaller than this (degrees) are "straight on".
STRAIGHT = 25.0
#: Bends up to this (degrees) are "keep left/right"; beyond, a turn.
SLIGHT = 45.0
#: Bends beyond this (degrees) are a U-turn.
U_TURN = 150.0
#: Stretches shorter than this (metres) are merged into the next one.
MIN_STRETCH = 1.5
#: A landmark is named when it is at most this far (metres) from the bend.
LANDMARK_REACH = 3.5
#: Booths at most this far (metres) from a stretch's middle name its aisle.
AISLE_REACH = 3.0
#: A door with steps this close (metres) is not step-free.
DOOR_STEPS_REACH = 2.0
#: How far a passage is grown (metres) when it becomes an obstacle (a line has no area).
PASSAGE_WIDTH = 0.1

LANGUAGES = ("ru", "en")

_WORDS: dict[str, dict[str, str]] = {
    "ru": {
        "walk": "Идите прямо {d} м",
        "along_row": " по проходу {a}",
        "between": " по проходу между рядами {a} и {b}",
        "left": "поверните налево",
        "right": "поверните направо",
        "slight_left": "держитесь левее",
        "slight_right": "держитесь правее",
        "back": "развернитесь",
        "at_column": "у колонны {name}",
        "at_booth": "у стенда {name}",
        "booth_left": "стенд {name} слева",
        "booth_right": "стенд {name} справа",
        "booth_ahead": "стенд {name} впереди",
        "face_left": "Повернитесь налево",
        "face_right": "Повернитесь направо",
        "face_back": "Повернитесь кругом",
        "from": "Вы здесь: «{name}»",
        "arrived": "Вы у стенда {name}",
        "notice_steps": "У входа «{name}» ступени: маршрут без ступеней начинается от входа "
        "«{other}»",
    },
    "en": {
        "walk": "Walk straight on {d} m",
        "along_row": " along aisle {a}",
        "between": " along the aisle between rows {a} and {b}",
        "left": "turn left",
        "right": "turn right",
        "slight_left": "keep left",
        "slight_right": "keep right",
        "back": "turn round",
        "at_column": "at column {name}",
        "at_booth": "at booth {name}",
        "booth_left": "booth {name} is on your left",
        "booth_right": "booth {name} is on your right",
        "booth_ahead": "booth {name} is ahead",
        "face_left": "Turn left",
        "face_right": "Turn right",
        "face_back": "Turn round",
        "from": "You are here: “{name}”",
        "arrived": "You are at booth {name}",
        "notice_steps": "There are steps at “{name}”: the step-free route starts at “{other}”",
    },
}


@dataclass(frozen=True)
class Step:
    """One numbered step: its text in the page's language and how far it walks (metres)."""

    text: str
    distance_m: int

    def to_dict(self) -> dict[str, Any]:
        """``{"text", "distance_m"}`` as the route API returns it."""
        return {"text": self.text, "distance_m": self.distance_m}


def metres(length: float) -> int:
    """A distance rounded half up to whole metres, at least 1."""
    return max(1, math.floor(length + 0.5))


def words(lang: str) -> dict[str, str]:
    """The phrases of ``lang`` (Russian for anything but English)."""
    return _WORDS["en" if lang == "en" else "ru"]


def bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The heading from ``a`` to ``b``: degrees clockwise from "up" on the plan (+y)."""
    return math.degrees(math.atan2(b[0] - a[0], b[1] - a[1])) % 360.0


def turn_angle(before: float, after: float) -> float:
    """The signed bend from heading ``before`` to ``after``: positive right, in (-180, 180]."""
    d = (after - before) % 360.0
    return d - 360.0 if d > 180.0 else d


def _stretches(coords: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """The polyline ``coords`` as straight stretches (see the module docstring)."""
    pts = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
    if len(pts) < 2:
        return []
    runs: list[list[tuple[float, float]]] = [[pts[0], pts[1]]]
    for c in pts[2:]:
        run = runs[-1]
        bend = turn_angle(bearing(run[0], run[-1]), bearing(run[-1], c))
        if abs(bend) < STRAIGHT:
            run.append(c)
        else:
            runs.append([run[-1], c])
    # Short stretches join the next one (the last joins the one before).
    merged: list[list[tuple[float, float]]] = []
    carry: list[tuple[float, float]] = []
    for run in runs:
        run = carry + run[1:] if carry else run
        carry = []
        if LineString(run).length < MIN_STRETCH:
            carry = run
            continue
        merged.append(run)
    if carry:
        if merged:
            merged[-1] = merged[-1] + carry[1:]
        else:
            merged.append(carry)
    # A jog merged away may leave two stretches running the same way: one stretch.
    out = merged[:1]
    for run in merged[1:]:
        last = out[-1]
        if abs(turn_angle(bearing(last[0], last[-1]), bearing(run[0], run[-1]))) < STRAIGHT:
            out[-1] = last + run[1:]
        else:
            out.append(run)
    return out


def row_of(number: str | None, properties: dict[str, Any]) -> str | None:
    """A booth's row: its ``row`` property, else the letters its number starts with."""
    row = properties.get("row")
    if isinstance(row, str) and row.strip():
        return row.strip()
    m = re.match(r"[^\W\d_]+", number or "")
    return m.group(0) if m else None


class Describer:
    """Tells routes of one plan in words (build once per plan; it keeps a few lookups)."""

    def __init__(self, plan: Plan):
        import shapely

        self.plan = plan
        self._booths = [b for b in plan.booths if b.number]
        self._booth_polys = [b.polygon for b in self._booths]
        self._booth_tree = shapely.STRtree(self._booth_polys) if self._booth_polys else None
        columns = [o for o in plan.obstacles if o.properties.get("type") == "column" and o.name]
        self._columns = columns
        self._column_tree = shapely.STRtree([c.geometry for c in columns]) if columns else None
        self._by_number = {b.number: b for b in self._booths}

    def _nearest(self, tree, items, point: Point, reach: float):
        if tree is None:
            return None
        hit = tree.query_nearest(point, max_distance=reach)
        return items[int(hit[0])] if len(hit) else None

    def aisle(self, stretch: list[tuple[float, float]], w: dict[str, str]) -> str:
        """«по проходу F» / «по проходу между рядами F и G» for a stretch, or nothing."""
        if self._booth_tree is None:
            return ""
        line = LineString(stretch)
        middle = line.interpolate(0.5, normalized=True)
        hits = self._booth_tree.query(middle.buffer(AISLE_REACH), predicate="intersects")
        rows: list[str] = []
        for i in sorted(hits, key=lambda k: self._booth_polys[int(k)].distance(middle)):
            booth = self._booths[int(i)]
            row = row_of(booth.number, booth.properties)
            if row and row not in rows:
                rows.append(row)
        if not rows:
            return ""
        if len(rows) == 1:
            return w["along_row"].format(a=rows[0])
        a, b = sorted(rows[:2])
        return w["between"].format(a=a, b=b)

    def landmark(self, at: tuple[float, float], w: dict[str, str]) -> str:
        """«у колонны К3/2» (the nearest named column), else «у стенда F12», or nothing."""
        point = Point(at)
        column = self._nearest(self._column_tree, self._columns, point, LANDMARK_REACH)
        if column is not None:
            return w["at_column"].format(name=column.name)
        booth = self._nearest(self._booth_tree, self._booths, point, LANDMARK_REACH)
        if booth is not None:
            return w["at_booth"].format(name=booth.number)
        return ""

    def booth_side(
        self, number: str, last: tuple[float, float], heading: float, w: dict[str, str]
    ) -> str:
        """«стенд F14 справа» seen from ``last`` walking on ``heading``."""
        booth = self._by_number.get(number)
        if booth is None:
            return w["booth_ahead"].format(name=number)
        centre = booth.polygon.centroid
        to_booth = bearing(last, (centre.x, centre.y))
        angle = turn_angle(heading, to_booth)
        if abs(angle) < 30:
            return w["booth_ahead"].format(name=number)
        return w["booth_right" if angle > 0 else "booth_left"].format(name=number)

    def steps(
        self,
        legs: list[LineString],
        order: list[str],
        *,
        lang: str = "ru",
        facing: float | None = None,
        start_name: str | None = None,
    ) -> list[Step]:
        """The numbered steps of a walk whose ``legs`` end at the booths ``order`` (a leg
        past the last booth, to a door, ends with no booth). ``facing``: the way the walker
        faces at the start (a poster's), to begin with a turn; ``start_name`` names where
        they stand."""
        w = words(lang)
        out: list[Step] = []
        if start_name:
            out.append(Step(w["from"].format(name=start_name), 0))
        first = True
        for k, leg in enumerate(legs):
            stretches = _stretches(list(leg.coords))
            booth = order[k] if k < len(order) else None
            if not stretches:
                if booth:
                    out.append(Step(w["arrived"].format(name=booth), 0))
                continue
            for i, run in enumerate(stretches):
                heading = bearing(run[0], run[-1])
                face = (
                    _face(turn_angle(facing, heading), w) if first and facing is not None else None
                )
                if face:
                    out.append(Step(face, 0))
                first = False
                text = w["walk"].format(d=metres(LineString(run).length))
                text += self.aisle(run, w)
                if i + 1 < len(stretches):
                    nxt = stretches[i + 1]
                    turn = _turn(turn_angle(heading, bearing(nxt[0], nxt[-1])), w)
                    place = self.landmark(run[-1], w)
                    text += f", {place} {turn}" if place else f", {turn}"
                elif booth:
                    text += ", " + self.booth_side(booth, run[-1], heading, w)
                out.append(Step(text, metres(LineString(run).length)))
        return out


def _turn(angle: float, w: dict[str, str]) -> str:
    if abs(angle) > U_TURN:
        return w["back"]
    if abs(angle) <= SLIGHT:
        return w["slight_right" if angle > 0 else "slight_left"]
    return w["right" if angle > 0 else "left"]


def _face(angle: float, w: dict[str, str]) -> str | None:
    """How to turn from the way one faces to ``angle`` off it (``None``: no need)."""
    if abs(angle) < SLIGHT:
        return None
    if abs(angle) > 135:
        return w["face_back"]
    return w["face_right" if angle > 0 else "face_left"]


def step_free_plan(plan: Plan) -> Plan:
    """The plan with every passage (steps, narrow places) as an obstacle to walk round."""
    if not plan.passages:
        return plan
    blocks = [
        PlanFeature("obstacle", p.geometry.buffer(PASSAGE_WIDTH / 2), p.name, {"type": "other"})
        for p in plan.passages
    ]
    return replace(plan, obstacles=[*plan.obstacles, *blocks])


def door_has_steps(plan: Plan, door: PlanFeature | BaseGeometry) -> bool:
    """Whether ``door`` (an entrance) has marked steps within :data:`DOOR_STEPS_REACH` m."""
    geom = door.geometry if isinstance(door, PlanFeature) else door
    return any(
        p.passage_type == "steps" and p.geometry.distance(geom) <= DOOR_STEPS_REACH
        for p in plan.passages
    )


def step_free_entrance(plan: Plan, wanted: PlanFeature | None) -> PlanFeature | None:
    """The entrance a step-free walk starts at when ``wanted`` (``None``: the main one) was
    asked for: ``wanted`` itself when it has no steps, else the main entrance, else the
    first entrance without steps (``None`` when every entrance has steps)."""
    entrances = list(plan.entrances)
    main = next((e for e in entrances if e.properties.get("main")), None)
    wanted = wanted or main or (entrances[0] if entrances else None)
    if wanted is not None and not door_has_steps(plan, wanted):
        return wanted
    for candidate in [main, *entrances]:
        if candidate is not None and not door_has_steps(plan, candidate):
            return candidate
    return None


def point_has_steps(plan: Plan, point: PlanPoint) -> bool:
    """Whether a poster point stands within :data:`DOOR_STEPS_REACH` m of marked steps."""
    return door_has_steps(plan, Point(point.position))
