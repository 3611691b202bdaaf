"""Which invoice a bank payment pays: by the invoice number in its purpose, the payer's ИНН
and the amount. Pure.

- **matched**: the purpose names exactly one open invoice and the payer's ИНН is that
  invoice's buyer's;
- **doubtful** (an organiser confirms): the purpose names an invoice but the ИНН differs,
  or names none while the payer's ИНН and the amount fit exactly one open invoice;
- **unmatched**: anything else (two invoices named, nothing fits).

An invoice's outstanding amount drops as payments match it, in statement order, so an
overpayment (more than was outstanding) is flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

MATCHED, DOUBTFUL, UNMATCHED = "matched", "doubtful", "unmatched"


@dataclass
class OpenInvoice:
    number: str
    buyer_inn: str
    outstanding: Decimal
    id: int = 0


@dataclass
class Match:
    state: str
    invoice: OpenInvoice | None = None
    overpaid: Decimal = Decimal(0)
    reasons: list[str] = field(default_factory=list)


def number_pattern(number: str) -> re.Pattern[str]:
    """An invoice number as people write it in a purpose: ``2025-0017`` also as
    ``2025-17`` or ``2025/17``; not inside a longer number."""
    year, _, seq = number.partition("-")
    body = rf"{re.escape(year)}\s*[-/]\s*0*{int(seq)}" if seq.isdigit() else re.escape(number)
    return re.compile(rf"(?<![\d]){body}(?![\d])")


def named_invoices(purpose: str, invoices: list[OpenInvoice]) -> list[OpenInvoice]:
    return [inv for inv in invoices if number_pattern(inv.number).search(purpose)]


def match(purpose: str, payer_inn: str, amount: Decimal, invoices: list[OpenInvoice]) -> Match:
    """Decide one payment against the open invoices (whose ``outstanding`` it then lowers
    when it is matched)."""
    named = named_invoices(purpose, invoices)
    if len(named) > 1:
        return Match(UNMATCHED, reasons=["several"])
    if len(named) == 1:
        invoice = named[0]
        if payer_inn and payer_inn == invoice.buyer_inn:
            return _apply(Match(MATCHED, invoice, reasons=["number", "inn"]), amount)
        return Match(DOUBTFUL, invoice, reasons=["number", "inn_differs"])
    fitting = [
        inv for inv in invoices
        if payer_inn and inv.buyer_inn == payer_inn and inv.outstanding == amount
    ]  # fmt: skip
    if len(fitting) == 1:
        return Match(DOUBTFUL, fitting[0], reasons=["inn", "amount"])
    return Match(UNMATCHED, reasons=["nothing"])


def _apply(result: Match, amount: Decimal) -> Match:
    assert result.invoice is not None
    invoice = result.invoice
    if amount > invoice.outstanding:
        result.overpaid = amount - max(invoice.outstanding, Decimal(0))
    invoice.outstanding -= amount
    return result
