"""Factory helpers for tests: a small exhibition with a hall of booths, exhibitors, users."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shapely.geometry import LineString, box

from exhibit.accounts.models import User
from exhibit.accounts.services import create_user
from exhibit.booking.plans import import_plan
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.floorplan.models import Exhibition
from exhibit.floorplan.plan import Plan, PlanBooth, PlanFeature

PASSWORD = "correct horse battery"


def make_exhibition(slug: str = "test", booths: int = 6, **rules) -> Exhibition:
    """An exhibition with one 40 × 20 m hall «Зал 1» and a row of 3 × 3 m booths A1…An."""
    exhibition = Exhibition(
        slug=slug,
        title="Тестовая выставка",
        venue="Зал",
        city="Екатеринбург",
        starts_on=date(2025, 11, 27),
        ends_on=date(2025, 11, 28),
        base_rate=Decimal("10000"),
        hold_hours=rules.pop("hold_hours", 48),
        **rules,
    )
    db.session.add(exhibition)
    db.session.flush()
    plan = Plan(
        hall=box(0, 0, 40, 20),
        booths=[PlanBooth(f"A{i + 1}", box(2 + 3 * i, 17, 5 + 3 * i, 20)) for i in range(booths)],
        entrances=[
            PlanFeature("entrance", LineString([(18, 0), (22, 0)]), properties={"main": True})
        ],
        exits=[PlanFeature("exit", LineString([(0, 8), (0, 10)]))],
    )
    import_plan(db.session, exhibition, "Зал 1", plan)
    db.session.commit()
    return exhibition


def make_exhibitor(exhibition: Exhibition, name: str, *, approved: bool = True) -> Exhibitor:
    exhibitor = Exhibitor(
        exhibition_id=exhibition.id, name=name, kind="municipality", approved=approved
    )
    db.session.add(exhibitor)
    db.session.commit()
    return exhibitor


def make_user(email: str, role: str = "exhibitor", exhibitor: Exhibitor | None = None) -> User:
    user, _ = create_user(db.session, email, role, password=PASSWORD, exhibitor=exhibitor)
    db.session.commit()
    return user


BANK = {"bank": "ПАО Сбербанк", "bik": "044525225", "corr_account": "30101810400000000225"}


def requisites(name: str, n: int = 1, *, kind: str = "organisation") -> dict[str, str]:
    """Valid requisites (check digits computed) for a party named ``name``."""
    from exhibit.billing.checks import complete_inn, complete_ogrn, with_account_key

    inn = complete_inn(f"66{n:07d}") if kind == "organisation" else complete_inn(f"66{n:08d}")
    return {
        "name": name,
        "inn": inn,
        "kpp": "667101001" if kind == "organisation" else "",
        "ogrn": complete_ogrn(f"102660{n:06d}"),
        "address": f"620000, г. Екатеринбург, ул. Ленина, д. {n}",
        **BANK,
        "account": with_account_key(f"40702810{n:012d}", BANK["bik"]),
        "signatory": "Иванов И. И., директор",
    }
