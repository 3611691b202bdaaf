"""What the solver takes: free booths, track zones, applications, weights — and their check.

Bad input raises :class:`AssignmentInputError` listing every problem found, each named by
exhibitor or booth (a :class:`~exhibit.booking.assign.reasons.Reason`); nothing is assigned.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from exhibit.booking.assign.reasons import phrase
from exhibit.floorplan.plan import BOOTH_KINDS


class AssignmentInputError(ValueError):
    """Bad input: nothing is assigned. ``exhibitor`` is None for a problem with the hall.

    ``problems`` lists every problem found as ``(exhibitor, message)``; the exception's own
    message is the first of them.
    """

    def __init__(
        self,
        exhibitor: str | None,
        message: str,
        problems: list[tuple[str | None, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.exhibitor = exhibitor
        self.message = message
        self.problems = problems or [(exhibitor, message)]


@dataclass(frozen=True)
class FreeBooth:
    """A booth that may be given away: not confirmed, not held, not blocked."""

    number: str
    polygon: Polygon
    area_m2: float
    kind: str  # one of BOOTH_KINDS
    zone_track: str | None = None  # the track zone it lies in, if the caller knows
    distance_to_entrance: float = 0.0  # metres, to the nearest entrance


@dataclass(frozen=True)
class TrackZone:
    """The part of the hall reserved for a track (several zones of one track are merged)."""

    track: str
    polygon: BaseGeometry


@dataclass(frozen=True)
class Application:
    """An exhibitor's request for "a booth, any"."""

    exhibitor: str  # unique name
    requested_area: float | None
    track: str
    wish_kind: str | None = None
    partners: Sequence[str] = ()
    competitors: Sequence[str] = ()
    step_free: bool = False
    current_booths: Sequence[str] = ()  # held from a previous run: kept when possible


@dataclass(frozen=True)
class Weights:
    """Weights of the cost terms (see the module docstring for the formulas).

    Defaults rank the wishes: staying in the track's zone first (10 + 1 per 10 m), then
    keeping a booth from an earlier run (6), the area (4 per 100 % off, so 25 % off = 1), the
    kind wish (1.5), and distances to partners and, for step-free access, to the entrance
    (1 per 10 m).
    """

    zone: float = 10.0
    zone_per_10m: float = 1.0
    area: float = 4.0
    kind: float = 1.5
    partner_per_10m: float = 1.0
    access_per_10m: float = 1.0
    move: float = 6.0


def validate(
    applications: Sequence[Application],
    booths: Sequence[FreeBooth],
    zones: Sequence[TrackZone],
    known_tracks: Collection[str] | None,
    placed: Mapping[str, BaseGeometry],
) -> None:
    problems: list[tuple[str | None, str]] = []
    names = [a.exhibitor for a in applications]
    everyone = set(names) | set(placed)
    seen: set[str] = set()
    for app in applications:
        who = app.exhibitor
        said: list[str] = []
        if not who or not who.strip():
            problems.append((who, phrase("У заявки не указан участник")))
            continue
        if who in seen:
            said.append(phrase("Участник «%(exhibitor)s»: заявка указана дважды", exhibitor=who))
        seen.add(who)
        if who in placed:
            said.append(
                phrase(
                    "Участник «%(exhibitor)s»: уже занимает стенд и не может подать заявку "
                    "«любой стенд»",
                    exhibitor=who,
                )
            )
        area = app.requested_area
        if area is None or (isinstance(area, float) and math.isnan(area)):
            said.append(
                phrase(
                    "Участник «%(exhibitor)s»: не указана запрошенная площадь стенда",
                    exhibitor=who,
                )
            )
        elif area <= 0:
            said.append(
                phrase(
                    "Участник «%(exhibitor)s»: запрошенная площадь должна быть больше нуля "
                    "(указано %(area)s м²)",
                    exhibitor=who,
                    area=float(area),
                )
            )
        if not app.track:
            said.append(phrase("Участник «%(exhibitor)s»: не указано направление", exhibitor=who))
        elif known_tracks is not None and app.track not in known_tracks:
            said.append(
                phrase(
                    "Участник «%(exhibitor)s»: неизвестное направление «%(track)s»",
                    exhibitor=who,
                    track=app.track,
                )
            )
        if app.wish_kind is not None and app.wish_kind not in BOOTH_KINDS:
            said.append(
                phrase(
                    "Участник «%(exhibitor)s»: неизвестный тип стенда «%(kind)s» (допустимы: "
                    "%(allowed)s)",
                    exhibitor=who,
                    kind=app.wish_kind,
                    allowed=", ".join(BOOTH_KINDS),
                )
            )
        for other in sorted(set(app.partners) & set(app.competitors)):
            said.append(
                phrase(
                    "Участник «%(exhibitor)s»: «%(other)s» указан и партнёром, и конкурентом",
                    exhibitor=who,
                    other=other,
                )
            )
        for others, itself, unknown in (
            (
                app.partners,
                phrase("Участник «%(exhibitor)s»: указан сам себе как партнёр"),
                phrase(
                    "Участник «%(exhibitor)s»: партнёр «%(other)s» не найден среди заявок "
                    "и участников"
                ),
            ),
            (
                app.competitors,
                phrase("Участник «%(exhibitor)s»: указан сам себе как конкурент"),
                phrase(
                    "Участник «%(exhibitor)s»: конкурент «%(other)s» не найден среди заявок "
                    "и участников"
                ),
            ),
        ):
            for other in others:
                if other == who:
                    said.append(phrase(itself.msgid, exhibitor=who))
                elif other not in everyone:
                    said.append(phrase(unknown.msgid, exhibitor=who, other=other))
        problems.extend((who, text) for text in said)
    numbers: set[str] = set()
    for booth in booths:
        number = booth.number
        if number in numbers:
            problems.append((None, phrase("Стенд «%(number)s»: номер повторяется", number=number)))
        numbers.add(number)
        if booth.kind not in BOOTH_KINDS:
            problems.append(
                (
                    None,
                    phrase(
                        "Стенд «%(number)s»: неизвестный тип «%(kind)s»",
                        number=number,
                        kind=booth.kind,
                    ),
                )
            )
        if not booth.area_m2 > 0:
            problems.append(
                (None, phrase("Стенд «%(number)s»: площадь должна быть больше нуля", number=number))
            )
        if booth.polygon is None or booth.polygon.is_empty or not booth.polygon.is_valid:
            problems.append(
                (None, phrase("Стенд «%(number)s»: контур пуст или некорректен", number=number))
            )
    has_zones = any(not z.polygon.is_empty for z in zones) or any(b.zone_track for b in booths)
    if applications and not has_zones:
        problems.append(
            (
                None,
                phrase(
                    "В зале не размечены зоны направлений: автоматическое размещение не может "
                    "учесть направления участников. Разметьте зоны на плане зала."
                ),
            )
        )
    if problems:
        exhibitor, message = problems[0]
        raise AssignmentInputError(exhibitor, message, problems)
