"""Issued documents as PDF, in Russian: счёт на оплату (with the ГОСТ Р 56042-2014 payment QR
code), договор and акт. Each is drawn from what was kept when it was issued
(``Document.content``), so a document prints the same for ever; WeasyPrint through
``exhibit.html_pdf`` (memory-only resources: the QR code's SVG)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from flask import render_template

from exhibit.billing.models import Document
from exhibit.html_pdf import html_to_pdf

MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря")  # fmt: skip
TITLES = {"invoice": "Счёт на оплату", "contract": "Договор", "act": "Акт"}


def long_date(day: date | str) -> str:
    """«27 ноября 2025 г.»"""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year} г."


def money(value: Decimal | str | None) -> str:
    """«120 000,00»"""
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    whole, _, cents = f"{amount:,.2f}".partition(".")
    return whole.replace(",", "\u00a0") + "," + cents


def qr_svg(payload: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(payload, error="m", encoding="utf-8", micro=False).save(
        out, kind="svg", scale=4, border=2, xmldecl=False
    )
    return out.getvalue()


def file_name(document: Document) -> str:
    kinds = {"invoice": "schet", "contract": "dogovor", "act": "akt"}
    return f"{kinds[document.kind]}-{document.number}.pdf"


def document_pdf(document: Document) -> bytes:
    """The document as PDF, from its kept content."""
    content: dict[str, Any] = document.content
    resources = {}
    if document.kind == "invoice" and content.get("qr"):
        resources["memory:qr.svg"] = qr_svg(content["qr"])
    html = render_template(
        f"print/{document.kind}.html", document=document, c=content, money=money,
        long_date=long_date, title=TITLES[document.kind],
        superseded=document.status == "superseded",
        annulled=document.status == "cancelled" and document.cancelled_at is not None,
    )  # fmt: skip
    return html_to_pdf(html, resources)


def contractors_pdf(exhibition: Any, lists: dict[str, list[dict[str, Any]]]) -> bytes:
    """The technical lists per contractor (booth, item, quantity, socket point), one per
    page."""
    from exhibit.timeutil import utcnow

    html = render_template("print/contractors.html", exhibition=exhibition, lists=lists,
                           printed=utcnow().strftime("%d.%m.%Y %H:%M"))  # fmt: skip
    return html_to_pdf(html)
