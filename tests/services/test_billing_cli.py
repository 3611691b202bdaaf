"""The money side's public contract on the demo: ``invoices list/pdf``, ``payments import``
(twice), ``export`` as XLSX and CSV (read back with openpyxl, and with LibreOffice where it
is installed); service orders, the deadline and the socket's point."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from exhibit.billing import orders, services
from exhibit.billing.models import Document, Payment, ServiceOrder
from exhibit.billing.sample import demo_statement
from exhibit.booking.models import Reservation
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.errors import Conflict, DomainError
from exhibit.floorplan.models import Exhibition


def demo() -> Exhibition:
    return db.session.scalar(select(Exhibition).where(Exhibition.slug == DEMO_SLUG))


def test_demo_has_invoices_in_every_state_and_orders(demo_app):
    invoices = db.session.scalars(select(Document).where(Document.kind == "invoice")).all()
    states = {d.payment_state for d in invoices if d.status == "issued"}
    assert {"unpaid", "partial", "paid", "overpaid"} <= states
    assert any(services.is_overdue(d) for d in invoices)
    assert any(d.status == "superseded" for d in invoices)
    # A cancelled booth's part-paid invoice: annulled, its money waiting for a decision.
    (annulled,) = [d for d in invoices if d.status == "cancelled"]
    assert annulled.settlement == "pending" and annulled.payment_state == "partial"
    assert db.session.scalar(select(func.count(ServiceOrder.id))) > 5
    assert len(orders.price_list(db.session, demo())) == 7
    # Every document shows its own exhibitor as the buyer, none another's.
    for document in db.session.scalars(select(Document)):
        assert document.content["buyer"]["name"] == document.exhibitor.name


def test_invoices_list_and_pdf(demo_app, tmp_path):
    runner = demo_app.test_cli_runner()
    result = runner.invoke(args=["invoices", "list", "--exhibition", DEMO_SLUG, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert set(rows[0]) >= {"number", "exhibitor", "total", "vat", "status", "issued"}
    numbers = [int(r["number"].split("-")[1]) for r in rows]
    assert numbers == list(range(1, len(rows) + 1))  # no gaps
    out = tmp_path / "inv.pdf"
    result = runner.invoke(args=["invoices", "pdf", rows[0]["number"], "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert f"Счёт на оплату № {rows[0]['number']}" in text and rows[0]["exhibitor"] in text
    missing = runner.invoke(args=["invoices", "pdf", "1999-0001", "-o", str(out)])
    assert missing.exit_code == 1 and "не найден" in missing.output


def test_payments_import_twice_changes_nothing(demo_app, tmp_path):
    path = tmp_path / "statement.txt"
    path.write_bytes(demo_statement(db.session, demo()))
    runner = demo_app.test_cli_runner()
    args = ["payments", "import", str(path), "--exhibition", DEMO_SLUG, "--json"]
    first = json.loads(runner.invoke(args=args).output)
    assert (len(first["matched"]), len(first["doubtful"]), len(first["unmatched"])) == (1, 2, 1)
    count = db.session.scalar(select(func.count(Payment.id)))
    second = json.loads(runner.invoke(args=args).output)
    assert second["matched"] == second["doubtful"] == second["unmatched"] == []
    db.session.commit()
    assert db.session.scalar(select(func.count(Payment.id))) == count
    broken = tmp_path / "broken.txt"
    broken.write_bytes(path.read_bytes()[:-40])
    result = runner.invoke(args=["payments", "import", str(broken), "--exhibition", DEMO_SLUG])
    assert result.exit_code == 1 and "Строка" in result.output


@pytest.mark.parametrize("what", ["exhibitors", "reservations", "invoices", "orders"])
def test_exports_are_typed_with_a_frozen_header(demo_app, tmp_path, what):
    runner = demo_app.test_cli_runner()
    xlsx, csv_path = tmp_path / f"{what}.xlsx", tmp_path / f"{what}.csv"
    for fmt, out in (("xlsx", xlsx), ("csv", csv_path)):
        result = runner.invoke(args=["export", "--exhibition", DEMO_SLUG, "--what", what,
                                     "--format", fmt, "-o", str(out)])  # fmt: skip
        assert result.exit_code == 0, result.output
    sheet = load_workbook(xlsx).active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    rows = list(csv.reader(io.StringIO(csv_path.read_text("utf-8-sig"))))
    assert rows[0] == header and len(rows) == sheet.max_row > 1
    second = [c for c in sheet[2]]
    by_title = dict(zip(header, second, strict=True))
    if what == "invoices":
        assert (
            isinstance(by_title["Сумма"].value, int | float)
            and by_title["Сумма"].number_format == "#,##0.00"
        )
        assert isinstance(by_title["Дата"].value, datetime)  # a date cell
        assert date.fromisoformat(rows[1][header.index("Дата")])
        assert Decimal(rows[1][header.index("Сумма")]) == Decimal(str(by_title["Сумма"].value))
    if what == "orders":
        assert isinstance(by_title["Количество"].value, int | float)
    if what == "exhibitors":
        assert "ИНН" in header and any(r[header.index("ИНН")] for r in rows[1:])


@pytest.mark.sqlite_only
def test_exports_open_in_libreoffice(demo_app, tmp_path):
    """LibreOffice reads the workbook's cells with their types: dates, money, yes/no."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    xlsx = tmp_path / "invoices.xlsx"
    args = ["export", "--exhibition", DEMO_SLUG, "--what", "invoices", "--format", "xlsx",
            "-o", str(xlsx)]  # fmt: skip
    demo_app.test_cli_runner().invoke(args=args)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir",
                    str(tmp_path / "lo"), str(xlsx)], check=True, timeout=300,
                   capture_output=True)  # fmt: skip
    rows = list(csv.reader(io.StringIO((tmp_path / "lo" / "invoices.csv").read_text("utf-8"))))
    header = [c.value for c in load_workbook(xlsx).active[1]]
    assert rows[0] == header and len(rows) > 20
    column = {title: i for i, title in enumerate(header)}
    for row in rows[1:]:
        assert datetime.strptime(row[column["Дата"]], "%d.%m.%Y")  # a date cell, shown as one
        assert float(row[column["Сумма"]].replace(",", "")) > 0  # a number, not text
        assert row[column["Просрочен"]] in ("TRUE", "FALSE")  # a boolean


def test_export_refuses_an_unknown_table(demo_app):
    result = demo_app.test_cli_runner().invoke(
        args=["export", "--exhibition", DEMO_SLUG, "--what", "booths", "--format", "csv",
              "-o", "/dev/null"])  # fmt: skip
    assert result.exit_code == 2


# --- orders ------------------------------------------------------------------------------


def a_reservation() -> Reservation:
    return db.session.scalar(select(Reservation).where(Reservation.status == "confirmed")
                             .order_by(Reservation.id.desc()))  # fmt: skip


def test_the_socket_must_be_inside_the_booth(demo_app):
    reservation = a_reservation()
    booth = reservation.booth
    *_, maxx, maxy = booth.polygon.bounds
    with pytest.raises(DomainError, match=f"внутри стенда {booth.number}"):
        orders.place_order(db.session, reservation.id, services.SYSTEM, item_code="power-kw",
                           quantity=1, point=(maxx + 1, maxy + 1))  # fmt: skip
    with pytest.raises(DomainError, match="Отметьте"):
        orders.place_order(db.session, reservation.id, services.SYSTEM, item_code="power-kw",
                           quantity=1)  # fmt: skip
    centre = booth.polygon.centroid
    order = orders.place_order(db.session, reservation.id, services.SYSTEM, item_code="power-kw",
                               quantity="1,5", point=(centre.x, centre.y))  # fmt: skip
    assert order.quantity == Decimal("1.5")
    lists = orders.contractor_lists(db.session, demo(), services.SYSTEM)
    assert any(row["booth"] == booth.number and row["position"]
               for row in lists["ООО «Энергомонтаж»"])  # fmt: skip


def test_late_orders_follow_the_setting(demo_app):
    reservation = a_reservation()
    exhibition = demo()
    # The demo's deadline is two weeks before the opening, with a 50 % surcharge.
    with freeze_time("2025-11-01"):
        early = orders.place_order(db.session, reservation.id, services.SYSTEM,
                                   item_code="chair", quantity=2)  # fmt: skip
    with freeze_time("2025-11-20"):
        late = orders.place_order(db.session, reservation.id, services.SYSTEM,
                                  item_code="chair", quantity=2)  # fmt: skip
        assert (early.late, late.late) == (False, True)
        assert late.unit_price == early.unit_price * Decimal("1.5")
        services.save_settings(db.session, exhibition, services.SYSTEM, late_policy="refuse")
        with pytest.raises(Conflict, match="срок прошёл"):
            orders.place_order(db.session, reservation.id, services.SYSTEM, item_code="chair",
                               quantity=1)  # fmt: skip


def test_an_order_puts_a_corrected_invoice_in_place(demo_app):
    reservation = a_reservation()
    old = services.current_document(db.session, reservation.id, "invoice")
    order = orders.place_order(db.session, reservation.id, services.SYSTEM, item_code="badge",
                               quantity=2)  # fmt: skip
    assert order.late and order.amount == 2 * 400 * Decimal("1.5")  # after the demo's deadline
    new = services.issue_invoice(db.session, reservation.id, services.SYSTEM)
    assert new.replaces_id == old.id and new.total == old.total + order.amount
    assert any("Бейдж" in line["name"] for line in new.content["lines"])


def test_sales_map_marks_payment_and_sockets(demo_app, tmp_path):
    from exhibit.billing.services import booth_payment_states

    out = tmp_path / "sales.pdf"
    result = demo_app.test_cli_runner().invoke(
        args=["map", "pdf", "--exhibition", DEMO_SLUG, "--hall", "Павильон 1", "--edition",
              "sales", "--paper", "A0", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    states = booth_payment_states(db.session, demo())
    paid = sum(1 for s in states.values() if s.state == "paid")
    overdue = sum(1 for s in states.values() if s.state == "overdue")
    assert overdue > 0  # the demo's overdue invoices are marked as such
    # Each mark is printed where the booth has room for it: at most one per booth of the
    # state (and once in the legend, drawn as on the booths).
    assert 0 < text.count("₽✓") - 1 <= paid
    assert 0 <= text.count("₽!") - 1 <= overdue
    squeezed = "".join(text.split())  # pypdf drops some spaces of the sheet's text
    assert "точкаподключенияэлектричества" in squeezed and "б/ссчётанет" in squeezed
    assert "₽!оплатапросрочена" in squeezed and "₽½оплаченчастично" in squeezed


def test_a_command_names_who_ran_it_in_the_audit_log(demo_app, tmp_path):
    import getpass

    from exhibit.accounts.models import User
    from exhibit.audit import AuditEvent
    from exhibit.billing.statement import render
    from tests.factories import make_user
    from tests.web.test_accounts import login

    actor = f"cli:{getpass.getuser()}"
    path = tmp_path / "statement.txt"
    path.write_bytes(demo_statement(db.session, demo()))
    runner = demo_app.test_cli_runner()
    args = ["payments", "import", str(path), "--exhibition", DEMO_SLUG]
    last = db.session.scalar(select(func.max(AuditEvent.id)))
    assert runner.invoke(args=args).exit_code == 0
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > last)).all()
    assert {e.action for e in events} >= {"payment.matched", "payment.doubtful"}
    assert {(e.user_id, e.actor) for e in events} == {(None, actor)}
    # --by names the organiser too; an address that is not an organiser's is refused.
    seller = services.organiser_requisites(db.session, demo())
    path.write_bytes(render([{
        "Номер": "901", "Дата": "03.11.2025", "Сумма": "1 000,00",
        "ПлательщикСчет": "40204810000000000001", "Плательщик": "Кто-то", "ПлательщикИНН": "",
        "ПолучательСчет": seller.account, "ПолучательИНН": seller.inn,
        "НазначениеПлатежа": "взнос",
    }], account=seller.account, start=date(2025, 11, 1), end=date(2025, 11, 30)))  # fmt: skip
    refused = runner.invoke(args=[*args, "--by", "nobody@example.ru"])
    assert refused.exit_code == 1 and "не учётная запись организатора" in refused.output
    last = db.session.scalar(select(func.max(AuditEvent.id)))
    result = runner.invoke(args=[*args, "--by", "organiser@example.ru"])
    assert result.exit_code == 0, result.output
    db.session.commit()
    organiser = db.session.scalar(select(User).where(User.email == "organiser@example.ru"))
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.id > last)).all()
    assert (event.action, event.user_id, event.actor) == ("payment.unmatched", organiser.id, actor)
    # The audit log page says so.
    make_user("auditor@example.ru", "organiser")
    client = demo_app.test_client()
    assert login(client, "auditor@example.ru").status_code == 302
    page = client.get(f"/{DEMO_SLUG}/organiser/audit").text
    assert f"командная строка ({getpass.getuser()})" in page
    assert f"organiser@example.ru · командная строка ({getpass.getuser()})" in page
