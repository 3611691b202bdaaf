"""The money side from the command line (PRODUCT.md §10): ``invoices list``, ``invoices pdf``,
``payments import`` and ``export``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from exhibit.commands.common import database_command, organiser_by_email
from exhibit.db import db

invoices_cli = AppGroup("invoices", help="Invoices issued to exhibitors.")
payments_cli = AppGroup("payments", help="Payments received.")


@invoices_cli.command("list")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@database_command
def invoices_list_command(slug: str, as_json: bool) -> None:
    """Invoices of an exhibition, oldest first, with their payment state."""
    from exhibit.billing.services import SYSTEM, documents
    from exhibit.floorplan.services import get_exhibition

    exhibition = get_exhibition(db.session, slug)
    rows = [
        {"number": d.number, "exhibitor": d.exhibitor.name, "total": str(d.total),
         "vat": None if d.vat is None else str(d.vat),
         "status": d.payment_state if d.status == "issued" else d.status,
         "issued": d.issued_on.isoformat(), "paid": str(d.paid),
         "due": d.due_on.isoformat() if d.due_on else None,
         "booth": d.reservation.booth.number, "settlement": d.settlement}
        for d in reversed(documents(db.session, SYSTEM, exhibition=exhibition, kind="invoice"))
    ]  # fmt: skip
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        click.echo(f"{row['number']}  {row['issued']}  {row['total']:>12}  {row['status']:<10}  "
                   f"{row['booth']:<6} {row['exhibitor']}")  # fmt: skip
    click.echo(f"Счетов: {len(rows)}.")


@invoices_cli.command("pdf")
@click.argument("number")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@database_command
def invoices_pdf_command(number: str, output: Path) -> None:
    """Write the invoice NUMBER (the latest of that number) as PDF."""
    from exhibit.billing.documents import document_pdf
    from exhibit.billing.services import SYSTEM, document_by_number

    document = document_by_number(db.session, number, SYSTEM)
    output.write_bytes(document_pdf(document))
    click.echo(f"Счёт № {document.number} записан в {output}.")


@payments_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--by", "email", help="E-mail of the organiser doing it (the audit log names "
              "them; without it, the command line and the login).")  # fmt: skip
@database_command
def payments_import_command(file: Path, slug: str, as_json: bool, email: str | None) -> None:
    """Load a bank statement (1CClientBankExchange, windows-1251); loading it again changes
    nothing."""
    from exhibit.billing.payments import import_statement
    from exhibit.floorplan.services import get_exhibition

    user = organiser_by_email(email)
    exhibition = get_exhibition(db.session, slug)
    result: dict[str, Any] = import_statement(db.session, exhibition, file.read_bytes(), user)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    for state, title in (("matched", "Сопоставлены"), ("doubtful", "Под вопросом"),
                         ("unmatched", "Не сопоставлены")):  # fmt: skip
        click.echo(f"{title}: {len(result[state])}")
        for p in result[state]:
            over = f", переплата {p['overpaid']}" if p.get("overpaid") else ""
            click.echo(f"  строка {p['line']}: {p['amount']} от {p['payer']} ({p['payer_inn']})"
                       f" → {p.get('invoice') or '—'}{over}")  # fmt: skip
    click.echo(f"Пропущены (уже загружены или не на счёт организатора): {len(result['skipped'])}")


@click.command("export")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--what", type=click.Choice(["exhibitors", "reservations", "invoices", "orders"]),
              required=True)  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@database_command
def export_command(slug: str, what: str, fmt: str, output: Path) -> None:
    """A spreadsheet for organisers: exhibitors with requisites, reservations, invoices with
    payments, or service orders."""
    from exhibit.billing.exports import export
    from exhibit.billing.services import SYSTEM
    from exhibit.floorplan.services import get_exhibition

    exhibition = get_exhibition(db.session, slug)
    output.write_bytes(export(db.session, exhibition, what, fmt, SYSTEM))
    click.echo(f"Выгрузка «{what}» записана в {output}.")
