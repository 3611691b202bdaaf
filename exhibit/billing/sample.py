"""The demo's money side: the organiser's and exhibitors' requisites (check digits computed),
a price list, contracts and invoices in every payment state, service orders with sockets,
and a bank statement to import (:func:`demo_statement`)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit.billing import orders, payments, services
from exhibit.billing.checks import complete_inn, complete_ogrn, with_account_key
from exhibit.billing.models import Document
from exhibit.billing.statement import render
from exhibit.booking import services as booking
from exhibit.booking.models import Reservation
from exhibit.floorplan.models import Booth, Exhibition
from exhibit.timeutil import utcnow

BANK = {"bank": "ПАО Сбербанк", "bik": "044525225", "corr_account": "30101810400000000225"}
PRICES = (
    ("power-kw", "electricity", "Электричество, 1 кВт (розетка 220 В)", "кВт", "3500",
     "ООО «Энергомонтаж»"),
    ("table", "furniture", "Стол 120 × 60 см", "шт.", "1800", "ООО «Экспомебель»"),
    ("chair", "furniture", "Стул", "шт.", "600", "ООО «Экспомебель»"),
    ("counter", "furniture", "Информационная стойка", "шт.", "5200", "ООО «Экспомебель»"),
    ("badge", "badges", "Бейдж участника", "шт.", "400", "Оргкомитет"),
    ("wifi", "wifi", "Wi-Fi, выделенный канал на дни выставки", "усл.", "4500",
     "ООО «Связь-Экспо»"),
    ("cleaning", "cleaning", "Ежедневная уборка стенда", "усл.", "2500", "ООО «Чистый зал»"),
)  # fmt: skip


def party(name: str, n: int, signatory: str) -> dict[str, str]:
    return {"name": name, "inn": complete_inn(f"66{n:07d}"), "kpp": "667101001",
            "ogrn": complete_ogrn(f"102660{n:06d}"),
            "address": f"620014, Свердловская обл., г. Екатеринбург, ул. 8 Марта, д. {n % 200 + 1}",
            **BANK, "account": with_account_key(f"40702810{n:012d}", BANK["bik"]),
            "signatory": signatory}  # fmt: skip


def load(session: Session, exhibition: Exhibition) -> dict[str, int]:
    """Inside the demo's unit of work."""
    system = services.SYSTEM
    services.save_requisites(session, exhibition, party(
        "АНО «Дирекция форума „Города России“»", 1, "Петрова А. С., генеральный директор"),
        system)  # fmt: skip
    services.save_settings(session, exhibition, system, vat_rate=Decimal(20), payment_days=10,
                           late_policy="surcharge", late_surcharge_percent=Decimal(50))  # fmt: skip
    for code, category, name, unit, price, contractor in PRICES:
        orders.save_price_item(session, exhibition, system, code=code, category=category,
                               name=name, unit=unit, price=price,
                               contractor=contractor)  # fmt: skip
    active = list(session.scalars(
        select(Reservation).join(Booth, Booth.id == Reservation.booth_id)
        .where(Booth.exhibition_id == exhibition.id,
               Reservation.status.in_(("confirmed", "held")))
        .order_by(Reservation.id)))  # fmt: skip
    seen = set()
    for reservation in active:
        exhibitor = reservation.exhibitor
        if exhibitor.id not in seen:
            seen.add(exhibitor.id)
            fields = party(exhibitor.name, 100 + exhibitor.id, "Глава муниципального образования")
            services.save_requisites(session, exhibitor, fields, system)
    counts = {"invoices": 0, "orders": 0, "payments": 0}
    confirmed = [r for r in active if r.status == "confirmed"]
    for index, reservation in enumerate(confirmed):
        if index % 3 == 0:
            booth = reservation.booth
            centre = booth.polygon.representative_point()
            orders.place_order(session, reservation.id, system, item_code="power-kw",
                               quantity=2 + index % 3, point=(centre.x, centre.y))  # fmt: skip
            orders.place_order(session, reservation.id, system, item_code="chair", quantity=4)
            counts["orders"] += 2
        if index % 4 == 1:
            orders.place_order(session, reservation.id, system, item_code="badge", quantity=3)
            counts["orders"] += 1
        services.issue_contract(session, reservation.id, system)
        invoice = services.issue_invoice(session, reservation.id, system)
        counts["invoices"] += 1
        # Payment states cycle: paid, unpaid, partial, overdue, paid, overpaid, unpaid …
        state = ("paid", "unpaid", "partial", "overdue", "paid", "overpaid", "unpaid")[index % 7]
        if state == "overdue":
            invoice.issued_on = utcnow().date() - timedelta(days=30)
            invoice.due_on = invoice.issued_on + timedelta(days=10)
        elif state in ("paid", "partial", "overpaid"):
            amount = {"paid": invoice.total, "partial": (invoice.total / 2).quantize(Decimal(1)),
                      "overpaid": invoice.total + 1000}[state]  # fmt: skip
            payments.mark_paid(session, invoice.id, system, amount=amount)
            counts["payments"] += 1
    # A correction: one exhibitor ordered Wi-Fi after the invoice; the old one is kept.
    if confirmed:
        orders.place_order(session, confirmed[1].id, system, item_code="wifi", quantity=1)
        services.issue_invoice(session, confirmed[1].id, system)
        counts["orders"] += 1
    # The orders above came in time; from now on the deadline (two weeks before the opening)
    # applies, with a 50 % surcharge.
    services.save_settings(session, exhibition, system,
                           order_deadline=exhibition.starts_on - timedelta(days=14))  # fmt: skip
    # The held booths get invoices too (pay to confirm is off, but they may pay early).
    for reservation in [r for r in active if r.status == "held"][:2]:
        services.issue_invoice(session, reservation.id, system)
        counts["invoices"] += 1
    # A confirmed booth cancelled after part of its invoice was paid: its invoice and
    # contract are annulled, and the money waits on «Счета и платежи» for a refund or credit.
    partly_paid = [r for index, r in enumerate(confirmed) if index % 7 == 2]
    if partly_paid:
        booking.cancel_reservation(session, partly_paid[-1].id, system)
        counts["annulled"] = 1
    session.flush()
    return counts


def demo_statement(session: Session, exhibition: Exhibition) -> bytes:
    """A bank statement (1CClientBankExchange, windows-1251) with a payment of each kind for
    the demo's unpaid invoices: one matched by number and ИНН, one doubtful (no number, the
    right ИНН and amount), one with a wrong ИНН, one unknown payer, and one not for us."""
    seller = services.organiser_requisites(session, exhibition)
    assert seller is not None
    unpaid = [d for d in session.scalars(
        select(Document).where(Document.exhibition_id == exhibition.id,
                               Document.kind == "invoice", Document.status == "issued")
        .order_by(Document.id)) if d.payment_state == "unpaid"]  # fmt: skip
    day = utcnow().date()
    rows = []

    def row(n: int, amount: Decimal | str, inn: str, payer: str, purpose: str,
            account: str = seller.account) -> None:  # fmt: skip
        rows.append({"Номер": str(n), "Дата": f"{day:%d.%m.%Y}",
                     "Сумма": str(amount).replace(".", ","),
                     "ПлательщикСчет": with_account_key(f"40204810{n:012d}", BANK["bik"]),
                     "Плательщик": payer, "ПлательщикИНН": inn, "ПолучательСчет": account,
                     "ПолучательИНН": seller.inn, "ДатаПоступило": f"{day:%d.%m.%Y}",
                     "НазначениеПлатежа": purpose})  # fmt: skip

    for n, document in enumerate(unpaid[:3], start=501):
        buyer = document.content["buyer"]
        if n == 501:
            row(
                n,
                document.total,
                buyer["inn"],
                buyer["name"],
                f"Оплата по счету № {document.number} за участие в выставке. НДС не облагается",
            )
        elif n == 502:
            row(n, document.total, buyer["inn"], buyer["name"], "Оплата участия в форуме")
        else:
            row(
                n,
                document.total,
                complete_inn("770000001"),
                "ООО «Посредник»",
                f"За {buyer['name']} по сч. {document.number}",
            )
    row(510, "12 345,67", complete_inn("780000002"), "ИП Сидоров", "Возврат займа")
    row(
        511,
        "1000,00",
        complete_inn("780000003"),
        "ООО «Другое»",
        "Не нам",
        account=with_account_key("40702810999999999999", BANK["bik"]),
    )
    start = day - timedelta(days=7)
    return render(rows, account=seller.account, start=start, end=day)
