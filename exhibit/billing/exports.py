"""Spreadsheets for organisers: exhibitors with requisites, reservations, invoices with their
payments, service orders — as XLSX (openpyxl: typed cells, frozen header) or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit.accounts.models import User
from exhibit.billing import orders as orders_module
from exhibit.billing.models import Requisites
from exhibit.billing.services import _require_organiser, documents, is_overdue, settings_of
from exhibit.booking.services import list_reservations, price_of
from exhibit.catalogue.models import Exhibitor
from exhibit.errors import InvalidParameter, tr
from exhibit.floorplan.models import Exhibition

WHAT = ("exhibitors", "reservations", "invoices", "orders")
FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "DD.MM.YYYY"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text, int, number, money, date, datetime, bool


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: list[list[Any]]


def _exhibitors(session: Session, exhibition: Exhibition, user: User) -> Table:
    found = session.scalars(select(Exhibitor).where(Exhibitor.exhibition_id == exhibition.id,
                                                    Exhibitor.deleted_at.is_(None))
                            .order_by(Exhibitor.name))  # fmt: skip
    reqs = {r.exhibitor_id: r for r in session.scalars(select(Requisites).where(
        Requisites.exhibitor_id.is_not(None)))}  # fmt: skip
    cols = [Column("ID", "int"), Column("Наименование"), Column("Тип"), Column("Одобрен", "bool"),
            Column("Юр. наименование"), Column("ИНН"), Column("КПП"), Column("ОГРН"),
            Column("Адрес"), Column("Банк"), Column("БИК"), Column("Корр. счёт"),
            Column("Расч. счёт"), Column("Подписант"),
            Column("Зарегистрирован", "datetime")]  # fmt: skip
    rows = []
    for e in found:
        r = reqs.get(e.id)
        fields = r.as_dict() if r else {}
        rows.append([e.id, e.name, e.kind, e.approved] + [fields.get(k, "") for k in (
            "name", "inn", "kpp", "ogrn", "address", "bank", "bik", "corr_account", "account",
            "signatory")] + [e.created_at])  # fmt: skip
    return Table("Экспоненты", cols, rows)


def _reservations(session: Session, exhibition: Exhibition, user: User) -> Table:
    cols = [Column("ID", "int"), Column("Стенд"), Column("Зал"), Column("Площадь, м²", "number"),
            Column("Тип стенда"), Column("Экспонент"), Column("Состояние"),
            Column("Цена", "money"), Column("Создано", "datetime"),
            Column("Истекает", "datetime")]  # fmt: skip
    rows = [[r.id, r.booth.number, r.booth.hall.name, r.booth.area_m2, r.booth.kind,
             r.exhibitor.name, r.status, price_of(r.booth, exhibition), r.created_at,
             r.expires_at]
            for r in list_reservations(session, user, exhibition=exhibition)]  # fmt: skip
    return Table("Бронирования", cols, rows)


def _invoices(session: Session, exhibition: Exhibition, user: User) -> Table:
    cols = [Column("Номер"), Column("Дата", "date"), Column("Экспонент"), Column("ИНН"),
            Column("Стенд"), Column("Сумма", "money"), Column("НДС", "money"),
            Column("Оплачено", "money"), Column("Оплата"), Column("Срок оплаты", "date"),
            Column("Просрочен", "bool"), Column("Статус"),
            Column("Платежи")]  # fmt: skip
    rows = []
    for d in reversed(documents(session, user, exhibition=exhibition, kind="invoice")):
        paid = [f"{p.paid_on:%d.%m.%Y} {p.amount}" for p in d.payments if p.state == "matched"]
        rows.append([d.number, d.issued_on, d.exhibitor.name, d.content["buyer"].get("inn", ""),
                     d.reservation.booth.number, d.total, d.vat, d.paid, d.payment_state,
                     d.due_on, is_overdue(d), d.status, "; ".join(paid)])  # fmt: skip
    return Table("Счета", cols, rows)


def _orders(session: Session, exhibition: Exhibition, user: User) -> Table:
    cols = [Column("ID", "int"), Column("Стенд"), Column("Экспонент"), Column("Услуга"),
            Column("Раздел"), Column("Подрядчик"), Column("Количество", "number"),
            Column("Ед."), Column("Цена", "money"), Column("Сумма", "money"),
            Column("После срока", "bool"), Column("X, м", "number"), Column("Y, м", "number"),
            Column("Заказано", "datetime")]  # fmt: skip
    rows = [[o.id, o.reservation.booth.number, o.reservation.exhibitor.name, o.item.name,
             o.item.category, o.item.contractor, o.quantity, o.item.unit, o.unit_price,
             o.amount, o.late, o.point_x, o.point_y, o.created_at]
            for o in orders_module.orders(session, user, exhibition=exhibition)]  # fmt: skip
    return Table("Заказы услуг", cols, rows)


BUILDERS: dict[str, Callable[[Session, Exhibition, User], Table]] = {
    "exhibitors": _exhibitors, "reservations": _reservations, "invoices": _invoices,
    "orders": _orders,
}  # fmt: skip


def table(session: Session, exhibition: Exhibition, what: str, user: User | None) -> Table:
    organiser = _require_organiser(user)
    if what not in BUILDERS:
        raise InvalidParameter(tr("Выгрузить можно: %(what)s", what=", ".join(WHAT)))
    settings_of(session, exhibition)
    return BUILDERS[what](session, exhibition, organiser)


def to_xlsx(tables: list[Table]) -> bytes:
    """A workbook, one sheet per table: typed cells, the header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for t in tables:
        sheet = book.create_sheet(t.name[:31])
        sheet.append([c.title for c in t.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in t.rows:
            sheet.append([_xlsx_value(v, c) for v, c in zip(row, t.columns, strict=True)])
        for index, column in enumerate(t.columns, start=1):
            letter = get_column_letter(index)
            fmt = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "datetime": "DD.MM.YYYY HH:MM",
                   "number": "0.##", "int": "0"}.get(column.kind)  # fmt: skip
            if fmt:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = fmt
            width = max([len(column.title)] + [len(str(r[index - 1] or "")) for r in t.rows[:200]])
            sheet.column_dimensions[letter].width = min(60, width + 2)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value: Any, column: Column) -> Any:
    if value is None:
        return None
    if column.kind in ("money", "number") and isinstance(value, Decimal):
        return float(value)
    return value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def to_csv(t: Table) -> bytes:
    """CSV in UTF-8 with a BOM (spreadsheets then read Cyrillic right), ISO dates, numbers
    with a decimal point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.title for c in t.columns])
    for row in t.rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export(
    session: Session, exhibition: Exhibition, what: str, fmt: str, user: User | None
) -> bytes:
    if fmt not in FORMATS:
        raise InvalidParameter(tr("Формат выгрузки: xlsx или csv"))
    t = table(session, exhibition, what, user)
    return to_xlsx([t]) if fmt == "xlsx" else to_csv(t)


def contractor_table(contractor: str, rows: list[dict[str, Any]]) -> Table:
    """One contractor's technical list as a sheet."""
    cols = [Column("Стенд"), Column("Зал"), Column("Экспонент"), Column("Позиция"),
            Column("Количество", "number"), Column("Ед."), Column("Точка")]  # fmt: skip
    keys = ("booth", "hall", "exhibitor", "item", "quantity", "unit", "position")
    name = "".join(ch for ch in contractor if ch not in "[]:*?/\\")[:31] or "—"
    return Table(name, cols, [[r[k] for k in keys] for r in rows])
