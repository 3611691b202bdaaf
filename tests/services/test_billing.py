"""Billing services: requisites, gapless invoice numbers (raced on PostgreSQL), documents as
PDF with the payment QR code, corrections, payments marked and read from statements."""

from __future__ import annotations

import subprocess
import threading
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from exhibit.accounts.models import User
from exhibit.audit import AuditEvent
from exhibit.billing import payments, services
from exhibit.billing.documents import document_pdf
from exhibit.billing.models import Document, Payment, PriceItem, Requisites, ServiceOrder
from exhibit.billing.qr import parse_payload
from exhibit.billing.statement import render
from exhibit.booking import services as booking
from exhibit.db import db
from exhibit.errors import Conflict, NotFound
from exhibit.timeutil import utcnow
from tests.factories import make_exhibition, make_exhibitor, make_user, requisites

YEAR = utcnow().year


@pytest.fixture
def world(app):
    return billing_world()


def billing_world():
    """An exhibition with the organiser's requisites and two exhibitors with theirs."""
    exhibition = make_exhibition(booths=8)
    a = make_exhibitor(exhibition, "Администрация г. Ирбит")
    b = make_exhibitor(exhibition, "Администрация г. Нижний Тагил")
    organiser = make_user("org@example.ru", "organiser")
    user_a = make_user("a@example.ru", exhibitor=a)
    user_b = make_user("b@example.ru", exhibitor=b)
    services.save_requisites(
        db.session, exhibition, requisites("АНО «Города России»", 1), organiser
    )
    services.save_requisites(db.session, a, requisites("Администрация г. Ирбит", 2), user_a)
    services.save_requisites(db.session, b, requisites("Администрация г. Нижний Тагил", 3), user_b)
    return exhibition, a, b, organiser, user_a, user_b


def confirmed(world, number: str, exhibitor_index: int = 0):
    exhibition, a, b, organiser, user_a, user_b = world
    exhibitor, user = ((a, user_a), (b, user_b))[exhibitor_index]
    reservation = booking.request_booth(db.session, exhibition, number, exhibitor, user)
    return booking.confirm_reservation(db.session, reservation.id, organiser)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


# --- requisites --------------------------------------------------------------------------


def test_a_wrong_check_digit_names_the_field_and_saves_nothing(world):
    _exhibition, a, _, _organiser, user_a, _ = world
    before = requisites("Администрация г. Ирбит", 2)
    bad = before | {"inn": before["inn"][:-1] + str((int(before["inn"][-1]) + 1) % 10),
                    "account": before["account"][:-1] + "9" if before["account"][-1] != "9"
                    else before["account"][:-1] + "8", "name": "Другое имя"}  # fmt: skip
    with pytest.raises(services.RequisitesInvalid) as caught:
        services.save_requisites(db.session, a, bad, user_a)
    assert caught.value.message.startswith("ИНН: контрольная цифра")
    assert set(caught.value.details) == {"inn", "account"}
    assert "БИК 044525225" in caught.value.details["account"]
    saved = services.exhibitor_requisites(db.session, a)
    assert saved.name == "Администрация г. Ирбит" and saved.inn == before["inn"]


def test_only_the_exhibitor_or_an_organiser_sets_requisites(world):
    exhibition, a, _, _organiser, user_a, user_b = world
    with pytest.raises(Exception) as caught:
        services.save_requisites(db.session, a, requisites("X", 9), user_b)
    assert caught.value.status == 403
    with pytest.raises(Exception) as caught:
        services.save_requisites(db.session, exhibition, requisites("X", 9), user_a)
    assert caught.value.status == 403


# --- invoices ----------------------------------------------------------------------------


def test_confirmation_issues_contract_and_invoice_numbered_in_sequence(world):
    first = confirmed(world, "A1")
    second = confirmed(world, "A2", 1)
    db.session.commit()
    invoices = db.session.scalars(
        select(Document).where(Document.kind == "invoice").order_by(Document.id)
    ).all()
    assert [d.number for d in invoices] == [f"{YEAR}-0001", f"{YEAR}-0002"]
    assert [d.reservation_id for d in invoices] == [first.id, second.id]
    contracts = db.session.scalars(select(Document).where(Document.kind == "contract")).all()
    assert sorted(d.number for d in contracts) == [f"Д-{YEAR}-0001", f"Д-{YEAR}-0002"]
    assert invoices[0].content["contract"]["number"] == f"Д-{YEAR}-0001"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.exhibitor_id == first.exhibitor_id)
    ).all()
    assert "invoice.issued" in actions and "contract.issued" in actions


def test_invoice_pdf_has_lines_vat_words_and_the_payment_qr(world, tmp_path):
    import zxingcpp
    from PIL import Image

    reservation = confirmed(world, "A3")
    db.session.commit()
    invoice = services.current_document(db.session, reservation.id, "invoice")
    # 3 × 3 m linear booth at 10 000 ₽/m²; VAT 20 % included by default.
    assert invoice.total == Decimal("90000.00") and invoice.vat == Decimal("15000.00")
    text = pdf_text(document_pdf(invoice), tmp_path)
    flat = " ".join(text.split())
    assert f"Счёт на оплату № {YEAR}-0001" in flat
    assert "Девяносто тысяч рублей 00 копеек" in flat
    assert "стенд A3, 9 м², линейный" in flat and "В том числе НДС 20%" in flat
    assert "Администрация г. Ирбит" in flat and "Нижний Тагил" not in flat
    (tmp_path / "doc.pdf").write_bytes(document_pdf(invoice))
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(tmp_path / "doc.pdf"),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    codes = [code.text for png in sorted(tmp_path.glob("page*.png"))
             for code in zxingcpp.read_barcodes(Image.open(png),
                                                formats=zxingcpp.BarcodeFormat.QRCode)]  # fmt: skip
    assert codes == [invoice.content["qr"]]
    pairs = parse_payload(codes[0])
    seller = requisites("АНО «Города России»", 1)
    assert pairs["Sum"] == "9000000" and pairs["PersonalAcc"] == seller["account"]
    assert pairs["PayeeINN"] == seller["inn"] and f"{YEAR}-0001" in pairs["Purpose"]


def test_without_vat(world, tmp_path):
    exhibition, *_, organiser, _, _ = world
    services.save_settings(db.session, exhibition, organiser, vat_rate=None)
    reservation = confirmed(world, "A1")
    db.session.commit()
    invoice = services.current_document(db.session, reservation.id, "invoice")
    assert invoice.vat is None
    assert "Без налога (НДС)" in pdf_text(document_pdf(invoice), tmp_path)
    assert "без НДС" in invoice.content["purpose"]


def test_a_change_issues_a_correction_and_keeps_the_old(world, tmp_path):
    exhibition, _a, _, organiser, _user_a, _ = world
    reservation = confirmed(world, "A1")
    db.session.commit()
    old = services.current_document(db.session, reservation.id, "invoice")
    old_content = dict(old.content)
    assert services.issue_invoice(db.session, reservation.id, organiser).id == old.id  # same
    item = PriceItem(exhibition_id=exhibition.id, code="chair", category="furniture",
                     name="Стул", price=Decimal("500"))  # fmt: skip
    db.session.add(item)
    db.session.flush()
    db.session.add(ServiceOrder(reservation_id=reservation.id, price_item_id=item.id,
                                quantity=Decimal(4), unit_price=Decimal(500)))  # fmt: skip
    db.session.commit()
    new = services.issue_invoice(db.session, reservation.id, organiser)
    db.session.commit()
    db.session.refresh(old)
    assert new.id != old.id and new.replaces_id == old.id and new.number == f"{YEAR}-0002"
    assert old.status == "superseded" and old.content == old_content
    assert new.total == old.total + Decimal("2000.00")
    assert "Заменён исправленным" in pdf_text(document_pdf(old), tmp_path)


def test_organiser_requisites_are_needed_to_issue(app):
    exhibition = make_exhibition()
    a = make_exhibitor(exhibition, "Ирбит")
    organiser = make_user("org@example.ru", "organiser")
    user_a = make_user("a@example.ru", exhibitor=a)
    reservation = booking.request_booth(db.session, exhibition, "A1", a, user_a)
    booking.confirm_reservation(db.session, reservation.id, organiser)  # no invoice yet
    assert db.session.scalar(select(func.count(Document.id))) == 0
    with pytest.raises(services.RequisitesMissing):
        services.issue_invoice(db.session, reservation.id, organiser)


def test_exhibitors_see_only_their_own_documents(world):
    *_, user_a, user_b = world
    reservation = confirmed(world, "A1")
    db.session.commit()
    invoice = services.current_document(db.session, reservation.id, "invoice")
    assert services.visible_document(db.session, invoice.id, user_a).id == invoice.id
    with pytest.raises(NotFound):
        services.visible_document(db.session, invoice.id, user_b)
    assert services.documents(db.session, user_b) == []


def test_acts_only_after_the_exhibition(world, tmp_path):
    from freezegun import freeze_time

    *_, organiser, _, _ = world
    with freeze_time("2025-11-20 10:00"):
        reservation = confirmed(world, "A3")
        db.session.commit()
        with pytest.raises(Conflict, match="после выставки"):
            services.issue_act(db.session, reservation.id, organiser)
    with freeze_time("2025-11-29 10:00"):
        act = services.issue_act(db.session, reservation.id, organiser)
        assert act.number == "А-2025-0001" and act.total == Decimal("90000.00")
        text = " ".join(pdf_text(document_pdf(act), tmp_path).split())
        assert "Акт № А-2025-0001 от 29 ноября 2025 г." in text
        assert "Договор № Д-2025-0001" in text


def test_racing_confirmations_number_invoices_without_gaps(world, backend):
    """Confirmations in parallel threads, each with its own session: on PostgreSQL the
    counter row's lock orders them (on SQLite, BEGIN IMMEDIATE)."""
    exhibition, a, b, organiser, user_a, user_b = world
    ids = []
    for i in range(8):
        exhibitor, user = ((a, user_a), (b, user_b))[i % 2]
        ids.append(booking.request_booth(db.session, exhibition, f"A{i + 1}", exhibitor, user).id)
    db.session.commit()
    from flask import current_app

    app = current_app._get_current_object()
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(ids), timeout=60)
    organiser_id = organiser.id

    def confirm(reservation_id: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, organiser_id)
                barrier.wait()
                booking.confirm_reservation(db.session, reservation_id, user)
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.commit()  # end the test's own read transaction: see what the threads wrote
    seqs = sorted(db.session.scalars(select(Document.seq).where(Document.kind == "invoice")))
    assert seqs == list(range(1, len(ids) + 1))
    assert db.session.scalar(select(func.count(Document.id)).where(
        Document.kind == "contract")) == len(ids)  # fmt: skip


# --- payments ----------------------------------------------------------------------------


def test_partial_then_full_payment(world):
    *_, organiser, _, _ = world
    reservation = confirmed(world, "A3")
    db.session.commit()
    invoice = services.current_document(db.session, reservation.id, "invoice")
    payments.mark_paid(db.session, invoice.id, organiser, amount="40 000,00")
    db.session.refresh(invoice)
    assert invoice.payment_state == "partial" and invoice.paid == Decimal(40000)
    payments.mark_paid(db.session, invoice.id, organiser)  # the rest
    db.session.refresh(invoice)
    assert invoice.payment_state == "paid" and invoice.paid == Decimal(90000)
    with pytest.raises(Conflict):
        payments.mark_paid(db.session, invoice.id, organiser)
    with pytest.raises(Exception, match="не число"):
        payments.mark_paid(db.session, invoice.id, organiser, amount="сорок")


def test_pay_first_confirms_only_when_paid(world):
    exhibition, a, _, organiser, _user_a, _ = world
    services.save_settings(db.session, exhibition, organiser, pay_to_confirm=True)
    reservation = booking.hold_booth(db.session, exhibition, "A2", a, organiser)
    with pytest.raises(Conflict, match="только после оплаты"):
        booking.confirm_reservation(db.session, reservation.id, organiser)
    invoice = services.issue_invoice(db.session, reservation.id, organiser)
    payments.mark_paid(db.session, invoice.id, organiser, amount="10000")
    db.session.refresh(reservation)
    assert reservation.status == "held"
    payments.mark_paid(db.session, invoice.id, organiser)
    db.session.refresh(reservation)
    assert reservation.status == "confirmed"
    # The invoice paid for stays the one: the confirmation issued no second one.
    assert services.current_document(db.session, reservation.id, "invoice").id == invoice.id


def statement_for(world, *docs: dict[str, str]) -> bytes:
    seller = requisites("АНО «Города России»", 1)
    rows = []
    for n, fields in enumerate(docs, start=1):
        rows.append(
            {
                "Номер": str(100 + n),
                "Дата": "03.11.2025",
                "Сумма": "90 000,00",
                "ПлательщикСчет": "40204810000000000001",
                "Плательщик": "Плательщик",
                "ПлательщикИНН": "",
                "ПолучательСчет": seller["account"],
                "ПолучательИНН": seller["inn"],
                "НазначениеПлатежа": "",
            }
            | fields
        )
    return render(rows, account=seller["account"], start=date(2025, 11, 1),
                  end=date(2025, 11, 30))  # fmt: skip


def test_statement_import_matches_flags_and_is_idempotent(world):
    exhibition, *_, organiser, _, _ = world
    inv_a = services.current_document(db.session, confirmed(world, "A3").id, "invoice")
    inv_b = services.current_document(db.session, confirmed(world, "A4", 1).id, "invoice")
    db.session.commit()
    inn_a, inn_b = requisites("", 2)["inn"], requisites("", 3)["inn"]
    data = statement_for(
        world,
        {"ПлательщикИНН": inn_a, "НазначениеПлатежа": f"Оплата по счету №{inv_a.number} НДС"},
        {"ПлательщикИНН": inn_a, "Сумма": "100", "НазначениеПлатежа": f"Доплата {inv_a.number}"},
        {"ПлательщикИНН": inn_b, "НазначениеПлатежа": "За участие в выставке"},
        {"ПлательщикИНН": "7707083893", "Сумма": "12 345,67", "НазначениеПлатежа": "Прочее"},
        {"ПолучательСчет": "40702810999999999999", "НазначениеПлатежа": "Не нам"},
    )
    result = payments.import_statement(db.session, exhibition, data, organiser)
    assert [p["invoice"] for p in result["matched"]] == [inv_a.number, inv_a.number]
    assert result["matched"][1]["overpaid"] == "100.00"
    assert [p["invoice"] for p in result["doubtful"]] == [inv_b.number]
    assert [p["amount"] for p in result["unmatched"]] == ["12345.67"]
    assert len(result["skipped"]) == 1
    db.session.refresh(inv_a)
    assert inv_a.payment_state == "overpaid"
    count = db.session.scalar(select(func.count(Payment.id)))
    again = payments.import_statement(db.session, exhibition, data, organiser)
    assert again["matched"] == again["doubtful"] == again["unmatched"] == []
    assert len(again["skipped"]) == 5
    assert db.session.scalar(select(func.count(Payment.id))) == count
    # The doubtful one is confirmed by an organiser, once.
    doubtful = db.session.get(Payment, result["doubtful"][0]["payment_id"])
    payments.confirm_payment(db.session, doubtful.id, organiser)
    db.session.refresh(inv_b)
    assert inv_b.payment_state == "paid"
    with pytest.raises(Conflict):
        payments.confirm_payment(db.session, doubtful.id, organiser)


def test_a_bad_statement_records_nothing(world):
    exhibition, *_, organiser, _, _ = world
    confirmed(world, "A1")
    db.session.commit()
    good = statement_for(world, {"НазначениеПлатежа": "x"}, {"Сумма": "12 345,6x"})
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(payments.StatementInvalid) as caught:
        payments.import_statement(db.session, exhibition, good, organiser)
    assert caught.value.message.startswith("Строка ") and "12 345,6x" in caught.value.message
    with pytest.raises(payments.StatementInvalid, match="UTF-8"):
        payments.import_statement(db.session, exhibition, good.decode("cp1251").encode(), organiser)
    assert db.session.scalar(select(func.count(Payment.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
    assert db.session.scalar(select(func.count(Requisites.id))) == 3
