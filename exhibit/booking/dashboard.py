"""The organisers' dashboard: occupancy, revenue, what needs a decision; the audit log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from exhibit import audit
from exhibit.accounts.models import User
from exhibit.booking.deletion import exhibitors_on_record
from exhibit.booking.models import Reservation
from exhibit.booking.services import BoothState, booth_states
from exhibit.catalogue.models import Exhibitor, Solution, Track
from exhibit.errors import tr
from exhibit.floorplan.models import Booth, Exhibition
from exhibit.timeutil import utcnow

#: Holds that lapse within this time are listed as "expiring".
EXPIRING_WITHIN = timedelta(hours=24)


@dataclass
class Tally:
    booths: int = 0
    area: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)

    def add(self, state: BoothState) -> None:
        self.booths += 1
        self.area += state.booth.area_m2
        self.revenue += state.price


@dataclass
class Summary:
    by_status: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    total: Tally = field(default_factory=Tally)
    confirmed_by_track: list[tuple[Track | None, Tally]] = field(default_factory=list)
    confirmed_by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    pending: list[Reservation] = field(default_factory=list)
    expiring: list[Reservation] = field(default_factory=list)
    awaiting_approval: list[Exhibitor] = field(default_factory=list)
    #: Approved "any booth" applications without a booth yet (for the automatic assignment).
    open_applications: int = 0

    @property
    def sold_share(self) -> float:
        sold = self.by_status["confirmed"].area
        return float(sold / self.total.area) if self.total.area else 0.0


def summary(session: Session, exhibition: Exhibition) -> Summary:
    result = Summary()
    by_track: dict[str | None, Tally] = defaultdict(Tally)
    now = utcnow()
    holders: set[int] = set()
    for hall in exhibition.halls:
        for state in booth_states(session, hall):
            if state.reservation is not None:
                holders.add(state.reservation.exhibitor_id)
            result.total.add(state)
            result.by_status[state.status].add(state)
            if state.status == "confirmed":
                by_track[state.booth.zone_track].add(state)
                result.confirmed_by_kind[state.booth.kind].add(state)
            elif state.status in ("requested", "held") and state.reservation is not None:
                result.pending.append(state.reservation)
                if (
                    state.reservation.expires_at
                    and state.reservation.expires_at - now <= EXPIRING_WITHIN
                ):
                    result.expiring.append(state.reservation)
    tracks = {t.code: t for t in session.scalars(select(Track).order_by(Track.position))}
    result.confirmed_by_track = [
        (tracks[code], by_track[code]) for code in tracks if code in by_track
    ]
    if None in by_track:
        result.confirmed_by_track.append((None, by_track[None]))
    result.pending.sort(key=lambda r: r.created_at)
    result.expiring.sort(key=lambda r: r.expires_at)
    result.awaiting_approval = list(
        session.scalars(
            select(Exhibitor)
            .where(
                Exhibitor.exhibition_id == exhibition.id,
                Exhibitor.approved.is_(False),
                Exhibitor.deleted_at.is_(None),
            )
            .order_by(Exhibitor.created_at)
        )
    )
    applicants = session.scalars(
        select(Exhibitor.id).where(
            Exhibitor.exhibition_id == exhibition.id,
            Exhibitor.is_public,
            Exhibitor.application.is_not(None),
        )
    )
    result.open_applications = len(set(applicants) - holders)
    return result


@dataclass
class AuditLog:
    """One page of the audit log, with what the organisers' page needs to show it."""

    page: audit.EventPage
    #: Filters that name nothing in this exhibition: the page shows them, and no events.
    problems: list[str]
    exhibitors: list[Exhibitor]  # deleted ones too: their history stays readable
    users: list[User]
    booth_numbers: dict[int, str]  # of the booths the page's events concern


def audit_log(
    session: Session,
    exhibition: Exhibition,
    *,
    booth_number: str = "",
    exhibitor_id: int | None = None,
    user_id: int | None = None,
    page: int = 1,
    per_page: int = audit.PAGE_SIZE,
) -> AuditLog:
    """The audit log filtered by booth number, exhibitor and user, newest first."""
    exhibitors = exhibitors_on_record(session, exhibition)
    users = list(session.scalars(select(User).order_by(User.email)))
    problems = []
    booth_ids = None
    if booth_number:
        booth_ids = list(
            session.scalars(
                select(Booth.id).where(
                    Booth.exhibition_id == exhibition.id, Booth.number == booth_number
                )
            )
        )
        if not booth_ids:
            problems.append(tr("Стенда %(number)s нет в этой выставке.", number=booth_number))
    if exhibitor_id is not None and exhibitor_id not in {e.id for e in exhibitors}:
        problems.append(tr("Такого экспонента нет в этой выставке."))
    if user_id is not None and user_id not in {u.id for u in users}:
        problems.append(tr("Такого пользователя нет."))
    if problems:
        events = audit.EventPage([], 0, 1, per_page)
    else:
        events = audit.events(
            session,
            booth_ids=booth_ids,
            exhibitor_id=exhibitor_id,
            user_id=user_id,
            page=page,
            per_page=per_page,
        )
    concerned = {e.booth_id for e in events.events if e.booth_id}
    numbers = session.execute(select(Booth.id, Booth.number).where(Booth.id.in_(concerned)))
    return AuditLog(events, problems, exhibitors, users, dict(numbers.all()))


@dataclass
class ExhibitionStats:
    booths: int
    booths_sold: int
    exhibitors: int
    municipalities: int
    regions: int
    solutions: int


def exhibition_stats(session: Session, exhibition_id: int) -> ExhibitionStats:
    """Headline figures for the exhibition's home page."""
    approved = (Exhibitor.exhibition_id == exhibition_id, Exhibitor.is_public)
    exhibitors = session.execute(
        select(
            func.count(Exhibitor.id),
            func.count(Exhibitor.id).filter(Exhibitor.kind == "municipality"),
            func.count(distinct(Exhibitor.region_code)),
        ).where(*approved)
    ).one()
    solutions = session.scalar(
        select(func.count(Solution.id)).join(Solution.exhibitor).where(*approved)
    )
    booths = session.scalar(
        select(func.count(Booth.id)).where(Booth.exhibition_id == exhibition_id)
    )
    sold = session.scalar(
        select(func.count(Reservation.id))
        .join(Booth, Booth.id == Reservation.booth_id)
        .where(Booth.exhibition_id == exhibition_id, Reservation.status == "confirmed")
    )
    return ExhibitionStats(
        booths=booths or 0,
        booths_sold=sold or 0,
        exhibitors=exhibitors[0],
        municipalities=exhibitors[1],
        regions=exhibitors[2],
        solutions=solutions or 0,
    )
