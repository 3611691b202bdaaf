"""The demo exhibition «Города России — 2025»: plan, exhibitors, solutions, reservations.

Deterministic (a fixed random seed), so every machine shows the same demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit import audit
from exhibit.billing import sample
from exhibit.booking.models import Reservation
from exhibit.booking.plans import import_plan
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.catalogue.rules import plural_ru
from exhibit.catalogue.services import read_data_file
from exhibit.db import unit_of_work
from exhibit.floorplan.formats import load_plan
from exhibit.floorplan.models import Booth, Exhibition
from exhibit.resources import resource_dir
from exhibit.timeutil import utcnow

DEMO_SLUG = "goroda-rossii-2025"
DEMO_PLAN = "goroda-rossii-2025.geojson"
#: Exhibitors whose registration the organisers have not approved yet.
PENDING_APPROVAL = 3


@dataclass
class DemoResult:
    created: bool
    exhibition: Exhibition
    message: str


@unit_of_work
def load_demo(session: Session) -> DemoResult:
    """Load the demo exhibition unless it is there already (then nothing changes)."""
    existing = session.scalar(select(Exhibition).where(Exhibition.slug == DEMO_SLUG))
    if existing is not None:
        return DemoResult(False, existing, f"Демо-выставка «{DEMO_SLUG}» уже загружена.")

    exhibition = Exhibition(
        slug=DEMO_SLUG,
        title="Города России — 2025",
        title_en="Russian Cities 2025",
        venue="МВЦ «Екатеринбург-ЭКСПО», павильон 1",
        city="Екатеринбург",
        starts_on=date(2025, 11, 27),
        ends_on=date(2025, 11, 28),
        currency="RUB",
        base_rate=Decimal("12000"),
        hold_hours=72,
        max_booths_per_exhibitor=3,
        max_area_per_exhibitor=Decimal("108"),
        min_aisle_m=Decimal("3.00"),
        is_demo=True,
    )
    session.add(exhibition)
    session.flush()

    plan = load_plan(resource_dir("floorplans") / DEMO_PLAN)
    hall = import_plan(
        session, exhibition, plan.name or "Павильон 1", plan, source_name=DEMO_PLAN
    ).hall
    exhibitors = _add_exhibitors(session, exhibition)
    counts = _add_reservations(session, hall.booths, exhibitors)
    audit.record(
        session,
        "demo.loaded",
        "exhibition",
        exhibition.id,
        after={"booths": len(hall.booths), "exhibitors": len(exhibitors), **counts},
    )
    accounts = _add_accounts(session, exhibitors)
    billing = sample.load(session, exhibition)
    message = (
        f"Демо-выставка «{exhibition.title}» загружена: "
        f"{plural_ru(len(hall.booths), 'стенд', 'стенда', 'стендов')}, "
        f"{plural_ru(len(exhibitors), 'экспонент', 'экспонента', 'экспонентов')}, "
        f"{plural_ru(sum(counts.values()), 'бронирование', 'бронирования', 'бронирований')}, "
        f"{plural_ru(billing['invoices'], 'счёт', 'счёта', 'счетов')}, "
        f"{plural_ru(billing['orders'], 'заказ услуг', 'заказа услуг', 'заказов услуг')}.\n"
        "Демо-учётные записи (пароли показаны один раз):\n"
        + "\n".join(f"  {role}: {email} / {password}" for role, email, password in accounts)
    )
    return DemoResult(True, exhibition, message)


def _add_accounts(session: Session, exhibitors: list[Exhibitor]) -> list[tuple[str, str, str]]:
    """An organiser and the user of an approved municipality, with random passwords.

    The passwords are printed once by ``demo`` and stored only as argon2 hashes: nothing
    secret is in the repository.
    """
    from exhibit.accounts.services import create_user

    irbit = next(e for e in exhibitors if e.municipality == "Ирбит" and e.approved)
    made = []
    for role, email, exhibitor in (
        ("организатор", "organiser@example.ru", None),
        ("экспонент", "irbit@example.ru", irbit),
    ):
        _, password = create_user(
            session, email, "organiser" if exhibitor is None else "exhibitor", exhibitor=exhibitor
        )
        made.append((role, email, password))
    return made


def _add_exhibitors(session: Session, exhibition: Exhibition) -> list[Exhibitor]:
    rows = read_data_file("demo_exhibitors.json")["exhibitors"]
    exhibitors = []
    for index, row in enumerate(rows):
        exhibitor = Exhibitor(
            exhibition_id=exhibition.id,
            name=row["name"],
            short_name=row.get("short_name"),
            kind=row["kind"],
            region_code=row.get("region"),
            municipality=row.get("municipality"),
            population=row.get("population"),
            description=row.get("description", ""),
            website=row.get("website"),
            contacts=row.get("contacts") or {},
            # The last few wait for an organiser's approval, as real registrations do.
            approved=index < len(rows) - PENDING_APPROVAL,
            application=row.get("application"),
            solutions=[
                Solution(
                    title=s["title"],
                    summary=s.get("summary", ""),
                    description=s.get("description", ""),
                    track_code=s["track"],
                    tags=s.get("tags", []),
                    stage=s["stage"],
                    results=s.get("results", ""),
                    size_classes=s.get("size_classes", []),
                )
                for s in row["solutions"]
            ],
        )
        session.add(exhibitor)
        exhibitors.append(exhibitor)
    session.flush()
    return exhibitors


def _add_reservations(
    session: Session, booths: list[Booth], exhibitors: list[Exhibitor]
) -> dict[str, int]:
    """Give exhibitors who chose their booth a booth in their track's zone, in every state."""
    rng = random.Random(2025)
    now = utcnow()
    free: dict[str | None, list[Booth]] = {}
    for booth in booths:
        free.setdefault(booth.zone_track, []).append(booth)
    for pool in free.values():
        rng.shuffle(pool)

    # The order of states cycles so that every state occurs; most are confirmed.
    cycle = ["confirmed", "confirmed", "requested", "confirmed", "held", "confirmed"]
    finished = ["declined", "cancelled", "expired"]
    counts: dict[str, int] = {}
    choosers = [e for e in exhibitors if e.approved and not e.application]
    for index, exhibitor in enumerate(choosers):
        track = exhibitor.solutions[0].track_code
        pool = free.get(track) or free.get(None) or []
        if not pool:
            continue
        booth = pool.pop()
        status = cycle[index % len(cycle)]
        if index < len(finished):
            # An earlier, finished reservation of the same booth by this exhibitor.
            _reserve(session, booth, exhibitor, finished[index], now - timedelta(days=20 + index))
            counts[finished[index]] = counts.get(finished[index], 0) + 1
        _reserve(session, booth, exhibitor, status, now - timedelta(days=rng.randint(1, 30)))
        counts[status] = counts.get(status, 0) + 1

    # A few booths are not for sale: the organisers keep them for the press and the café.
    for reason, pool_key in (("Пресс-центр", None), ("Кофе-брейк", None)):
        pool = free.get(pool_key) or next(p for p in free.values() if p)
        booth = pool.pop()
        booth.blocked = True
        booth.blocked_reason = reason
        counts["blocked"] = counts.get("blocked", 0) + 1
    session.flush()
    return counts


def _reserve(session: Session, booth: Booth, exhibitor: Exhibitor, status: str, when) -> None:
    expires = None
    if status in ("requested", "held"):
        expires = utcnow() + timedelta(hours=48)
    elif status == "expired":
        expires = when + timedelta(hours=72)
    session.add(
        Reservation(
            booth_id=booth.id,
            exhibitor_id=exhibitor.id,
            status=status,
            created_at=when,
            expires_at=expires,
            decided_at=when + timedelta(days=1) if status not in ("requested", "held") else None,
        )
    )
    session.flush()
