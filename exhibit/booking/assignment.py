"""Automatic assignment in the database: build the solver's input, preview, apply.

The solver (:mod:`exhibit.booking.assign`) is pure; this module turns the exhibition's
"any booth" applications and its free booths into its input and applies a result as
organiser holds, in one transaction with an audit event per hold. Booths that are
confirmed, held by an organiser, requested by an exhibitor or blocked are never offered;
holds made by an earlier assignment run are, with the exhibitor's current booths passed on
so that a re-run moves as few exhibitors as possible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from shapely.geometry import Polygon
from shapely.ops import unary_union
from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit import audit
from exhibit.booking import notices
from exhibit.booking.models import Reservation
from exhibit.booking.plans import merge_groups_draft, publish_draft
from exhibit.booking.rules import ACTIVE_STATUSES
from exhibit.booking.services import BoothState, booth_states, reservation_state
from exhibit.catalogue.models import Exhibitor, Track
from exhibit.db import unit_of_work
from exhibit.errors import DomainError, tr
from exhibit.floorplan.models import Booth, Exhibition, Hall
from exhibit.floorplan.services import hall_plan
from exhibit.i18n import say
from exhibit.timeutil import utcnow

#: ``progress(objective, bound, done)``: the best cost so far, the lower bound, the share
#: of the time limit used.
Progress = Callable[[float, float, float], None]

if TYPE_CHECKING:  # the solver imports SciPy: only when an assignment is computed
    from exhibit.booking.assign import Application, AssignmentResult, FreeBooth, TrackZone

#: Reservations made by an assignment run carry this note (and may be moved by the next run).
ASSIGNED = "assignment"


class AssignmentRefused(DomainError):
    """The applications cannot be assigned as they are (``details`` names who and why)."""


def _solver_input(session: Session, exhibition: Exhibition):
    from exhibit.booking.assign import Application, FreeBooth, Named, TrackZone

    # Track codes that the reasons say by the track's name in the reader's language.
    tracks = {
        t.code: Named(t.code, ru=t.name, en=t.name_en) for t in session.scalars(select(Track))
    }

    def track(code: str) -> str:
        return tracks.get(code, code)

    now = utcnow()
    active = list(
        session.scalars(
            select(Reservation)
            .join(Booth, Booth.id == Reservation.booth_id)
            .where(Booth.exhibition_id == exhibition.id, Reservation.status.in_(ACTIVE_STATUSES))
        )
    )
    live = [
        r for r in active
        if r.status == "confirmed" or r.expires_at is None or r.expires_at > now
    ]  # fmt: skip
    movable = {r.booth_id: r for r in live if r.note == ASSIGNED and r.status == "held"}
    taken = {r.booth_id for r in live} - set(movable)

    applicants = list(
        session.scalars(
            select(Exhibitor)
            .where(
                Exhibitor.exhibition_id == exhibition.id,
                Exhibitor.is_public,
                Exhibitor.application.is_not(None),
            )
            .order_by(Exhibitor.created_at, Exhibitor.id)
        )
    )
    holding = {r.exhibitor_id for r in live if r.booth_id in taken}
    current: dict[int, list[str]] = {}
    for reservation in movable.values():
        current.setdefault(reservation.exhibitor_id, []).append(reservation.booth.number)

    free, zones, placed = [], [], {}
    for hall in exhibition.halls:
        plan = hall_plan(hall)
        zones += [TrackZone(track(z.track), z.geometry) for z in plan.zones if z.track]
        entrance = unary_union([e.geometry for e in plan.entrances]) if plan.entrances else None
        for booth in hall.current_booths:
            if booth.blocked or booth.id in taken:
                continue
            free.append(
                FreeBooth(
                    number=booth.number,
                    polygon=booth.polygon,
                    area_m2=float(booth.area_m2),
                    kind=booth.kind,
                    zone_track=booth.zone_track,
                    distance_to_entrance=entrance.distance(booth.polygon) if entrance else 0.0,
                )
            )
    by_id = {e.id: e for e in session.scalars(
        select(Exhibitor).where(Exhibitor.exhibition_id == exhibition.id))}  # fmt: skip
    for reservation in live:
        if reservation.booth_id in taken:
            owner = by_id[reservation.exhibitor_id].name
            shapes = [placed[owner]] if owner in placed else []
            placed[owner] = unary_union([*shapes, reservation.booth.polygon])
    applications = [
        Application(
            exhibitor=e.name,
            requested_area=float((e.application or {}).get("requested_area") or 0),
            track=track((e.application or {}).get("track") or ""),
            wish_kind=(e.application or {}).get("wish_kind"),
            partners=tuple((e.application or {}).get("partners") or ()),
            competitors=tuple((e.application or {}).get("competitors") or ()),
            step_free=bool((e.application or {}).get("step_free")),
            current_booths=tuple(current.get(e.id, ())),
        )
        for e in applicants
        # A JSON column stores "no application" as JSON null, which `IS NOT NULL` lets
        # through: an exhibitor without one (e.g. whose booth was cancelled) is no applicant.
        if e.application and e.id not in holding  # holding: has a booth of its own choosing
    ]
    return applications, free, zones, placed, movable


#: Seconds the solver may search by default (it stops sooner when it finds nothing better).
TIME_LIMIT = 5.0


def preview(
    session: Session,
    exhibition: Exhibition,
    *,
    time_limit: float = TIME_LIMIT,
    progress: Progress | None = None,
) -> AssignmentResult:
    """The best assignment found within ``time_limit`` seconds (nothing stored);
    ``progress(objective, bound, done)`` is told how the search goes (for a terminal)."""
    applications, free, zones, placed, _ = _solver_input(session, exhibition)
    return _solve(session, applications, free, zones, placed, time_limit, progress)


def _solve(
    session: Session,
    applications: list[Application],
    free: list[FreeBooth],
    zones: list[TrackZone],
    placed: dict,
    time_limit: float = TIME_LIMIT,
    progress: Progress | None = None,
) -> AssignmentResult:
    from exhibit.booking.assign import AssignmentInputError, assign

    if not time_limit > 0:
        raise AssignmentRefused(tr("Время на поиск должно быть больше нуля секунд"))
    if not applications:
        raise AssignmentRefused(tr("Нет заявок «любой стенд» без стенда: назначать некого"))
    try:
        return assign(
            applications,
            free,
            zones,
            placed=placed,
            known_tracks=set(session.scalars(select(Track.code))),
            time_limit=time_limit,
            progress=progress,
        )
    except AssignmentInputError as error:
        problems = [say(message) for _exhibitor, message in error.problems]
        raise AssignmentRefused(
            tr("Заявки нельзя распределить: %(problems)s", problems="; ".join(problems[:5])),
            details=problems,
        ) from None


@dataclass(frozen=True)
class Merge:
    """Booths merged into one for an exhibitor: ``number`` survives (the first of them)."""

    exhibitor: str
    booths: list[str]
    number: str
    hall: str


@dataclass(frozen=True)
class Applied:
    """What :func:`apply` did: the result it applied, the holds it made, the merges."""

    result: AssignmentResult
    held: dict[str, str]  # booth number → exhibitor, holds made (or kept) by this run
    merges: list[Merge]
    released: int  # holds of earlier runs given up


def merged_number(booths: list[str]) -> str:
    """The number a merged booth keeps: the first of the group in the hall's numbering
    order (the solver lists a group's booths in that order), as on the plan page, where
    the booth a merge is started from keeps its number."""
    return booths[0]


@unit_of_work
def apply(
    session: Session,
    exhibition: Exhibition,
    *,
    user_id: int | None = None,
    time_limit: float = TIME_LIMIT,
    progress: Progress | None = None,
) -> Applied:
    """Compute the assignment and hold every assigned booth for its exhibitor, in one go.

    A merged group becomes one booth on the published plan first (a plan draft merging
    every group of the hall, published as the hall's next version: ``plan.drafted`` and
    ``plan.imported`` audit events), then it is held like any other booth. Anything
    refused on the way (a group that does not merge) raises and nothing is kept: callers
    roll back. Callers check who may do this (organisers on the web; operators on the
    command line).
    """
    applications, free, zones, placed, movable = _solver_input(session, exhibition)
    result = _solve(session, applications, free, zones, placed, time_limit, progress)
    names = {e.name: e for e in session.scalars(
        select(Exhibitor).where(Exhibitor.exhibition_id == exhibition.id))}  # fmt: skip
    booths = {b.number: b for hall in exhibition.halls for b in hall.current_booths}
    wanted = {a.booths[0]: a.exhibitor for a in result.assignments if len(a.booths) == 1}
    groups = [a for a in result.assignments if len(a.booths) > 1]
    # Earlier assignment holds that this run moves elsewhere (or that lie in a group about
    # to be merged) are released first.
    released = 0
    for reservation in movable.values():
        number = reservation.booth.number
        if wanted.get(number) != reservation.exhibitor.name:
            before = reservation_state(reservation)
            reservation.status = "cancelled"
            reservation.decided_at = utcnow()
            reservation.decided_by_id = user_id
            session.flush()
            audit.record(
                session, "reservation.cancelled", "reservation", reservation.id,
                before=before, after=reservation_state(reservation), user_id=user_id,
            )  # fmt: skip
            released += 1
    merges: list[Merge] = []
    by_hall: dict[int, list[Merge]] = {}
    for a in groups:
        hall = booths[a.booths[0]].hall
        merge = Merge(a.exhibitor, list(a.booths), merged_number(a.booths), hall.name)
        merges.append(merge)
        by_hall.setdefault(hall.id, []).append(merge)
    for hall in exhibition.halls:
        todo = by_hall.get(hall.id)
        if not todo:
            continue
        note = "Автоматическое размещение: " + "; ".join(
            f"{' + '.join(m.booths)} → {m.number} ({m.exhibitor})" for m in todo
        )
        draft = merge_groups_draft(
            session, exhibition, hall, [(m.booths, m.number) for m in todo], note[:500],
            user_id=user_id,
        )  # fmt: skip
        publish_draft(session, exhibition, draft.id, user_id=user_id)
    if merges:
        session.flush()
        booths = {b.number: b for hall in exhibition.halls for b in hall.current_booths}
        wanted.update({m.number: m.exhibitor for m in merges})
    reasons = {a.booths[0]: a.reasons for a in result.assignments if len(a.booths) == 1}
    reasons.update({m.number: a.reasons for m, a in zip(merges, groups, strict=True)})
    kept = {(r.booth.number, r.exhibitor.name) for r in movable.values() if r.status == "held"}
    expires = utcnow() + timedelta(hours=exhibition.hold_hours)
    for number, exhibitor_name in wanted.items():
        if (number, exhibitor_name) in kept:
            continue
        reservation = Reservation(
            booth_id=booths[number].id,
            exhibitor_id=names[exhibitor_name].id,
            status="held",
            expires_at=expires,
            created_by_id=user_id,
            note=ASSIGNED,
        )
        session.add(reservation)
        session.flush()
        audit.record(session, "reservation.held", "reservation", reservation.id,
                     after=reservation_state(reservation), user_id=user_id)  # fmt: skip
        notices.reservation_changed(
            session, "reservation.assigned", reservation, reasons=reasons.get(number, [])
        )
    audit.record(
        session, "assignment.applied", "exhibition", exhibition.id,
        after={**result.to_dict()["quality"],
               "merged": [{"booths": m.booths, "number": m.number} for m in merges]},
        user_id=user_id,
    )  # fmt: skip
    return Applied(result, dict(wanted), merges, released)


# --- the organiser page: the preview on the hall plans --------------------------------------


@dataclass(frozen=True)
class PlannedBooth:
    """A booth (or a merged group) on the "after" plan, with who gets it."""

    number: str  # the number it keeps (for a group: the surviving one)
    booths: list[str]  # the booths it is made of (one, or the group)
    polygon: Polygon
    exhibitor: str | None  # proposed by this run; None when untouched
    status: str  # status now (before the run)
    colour: str | None  # fill for the proposed exhibitor


@dataclass(frozen=True)
class HallPreview:
    hall: Hall
    states: list[BoothState]  # before: every booth with its status
    after: list[PlannedBooth]


def exhibitor_colour(index: int) -> str:
    """A light fill that tells neighbouring exhibitors apart (golden-angle hues)."""
    return f"hsl({(index * 137.508) % 360:.0f}, 70%, 72%)"


def plan_preview(
    session: Session, exhibition: Exhibition, result: AssignmentResult | None
) -> list[HallPreview]:
    """Each hall before (booths by status) and after the run (booths by proposed exhibitor,
    merged groups drawn as the one booth they will become); without a run (it was refused),
    the halls as they are."""
    if result is None:
        return [HallPreview(hall, booth_states(session, hall), []) for hall in exhibition.halls]
    owner = {n: (a.exhibitor, k) for k, a in enumerate(result.assignments) for n in a.booths}
    groups = {a.booths[0]: a for a in result.assignments if len(a.booths) > 1}
    tails = {n for a in groups.values() for n in a.booths[1:]}  # drawn with their group
    out = []
    for hall in exhibition.halls:
        states = booth_states(session, hall)
        by_number = {s.booth.number: s for s in states}
        after: list[PlannedBooth] = []
        for state in states:
            number = state.booth.number
            if number in tails:
                continue
            name, k = owner.get(number, (None, 0))
            members = list(groups[number].booths) if number in groups else [number]
            polygon = (
                unary_union([by_number[n].booth.polygon for n in members])
                if len(members) > 1
                else state.booth.polygon
            )
            after.append(
                PlannedBooth(
                    number=merged_number(members),
                    booths=members,
                    polygon=polygon,
                    exhibitor=name,
                    status=state.status,
                    colour=exhibitor_colour(k) if name else None,
                )
            )
        out.append(HallPreview(hall, states, after))
    return out
