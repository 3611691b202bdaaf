"""Bank statements in the 1CClientBankExchange text format (windows-1251), read strictly.

Pure. A statement is ``Key=value`` lines: a header, account sections
(``СекцияРасчСчет`` … ``КонецРасчСчет``), documents (``СекцияДокумент=…`` …
``КонецДокумента``) and ``КонецФайла``. Anything that is not so — another encoding, another
format, a cut-off file, an amount that is not a number — raises :class:`StatementError`
naming the line, so that nothing of a bad file is recorded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

MAGIC = "1CClientBankExchange"
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class StatementError(ValueError):
    """The statement can't be read; ``line`` is 1-based (0: the file as a whole)."""

    def __init__(self, line: int, code: str, text: str = "") -> None:
        super().__init__(f"line {line}: {code} {text}".strip())
        self.line = line
        self.code = code
        self.text = text


@dataclass(frozen=True)
class StatementPayment:
    """One payment order of the statement."""

    line: int
    number: str
    day: date
    amount: Decimal
    payer: str
    payer_inn: str
    payer_account: str
    payee_inn: str
    payee_account: str
    purpose: str

    @property
    def key(self) -> str:
        """What makes a payment the same payment in another statement (or the same one
        loaded twice): its number, date, amount, payer's account and ИНН."""
        raw = "|".join(
            (self.number, self.day.isoformat(), str(self.amount), self.payer_account,
             self.payer_inn, self.payee_account)
        )  # fmt: skip
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


def parse_amount(text: str) -> Decimal:
    """An amount as banks and people write it: ``12345.67``, ``12 345,67``, ``12345``."""
    cleaned = _SPACES.sub("", text).replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None


def decode(data: bytes) -> list[str]:
    """The statement's lines, read as windows-1251; a file in UTF-8 (or with bytes that
    are no windows-1251 letters) is refused at its first such line."""
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=1):
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise StatementError(number, "utf8")
        try:
            raw.decode("cp1251")
        except UnicodeDecodeError:
            raise StatementError(number, "encoding") from None
    return [raw.decode("cp1251").rstrip("\r") for raw in lines]


def _date(text: str) -> date:
    return datetime.strptime(text.strip(), "%d.%m.%Y").date()


def parse(data: bytes) -> list[StatementPayment]:
    """Every payment document of a statement, in order."""
    if not data.strip():
        raise StatementError(1, "empty")
    lines = decode(data)
    if lines[0].lstrip("\ufeff").strip() != MAGIC:
        raise StatementError(1, "format", lines[0][:60])
    payments: list[StatementPayment] = []
    document: dict[str, str] | None = None
    start = 0
    section = False
    ended = False
    last = 1
    for number, line in enumerate(lines[1:], start=2):
        line = line.strip()
        if not line:
            continue
        last = number
        if ended:
            raise StatementError(number, "after_end", line[:60])
        if line == "КонецФайла":
            if document is not None:
                raise StatementError(start, "unfinished")
            ended = True
            continue
        if line == "СекцияРасчСчет":
            section = True
            continue
        if line == "КонецРасчСчет":
            section = False
            continue
        if line.startswith("СекцияДокумент"):
            if document is not None:
                raise StatementError(start, "unfinished")
            document, start = {}, number
            continue
        if line == "КонецДокумента":
            if document is None:
                raise StatementError(number, "format", line)
            payments.append(_payment(start, document))
            document = None
            continue
        if "=" not in line:
            raise StatementError(number, "format", line[:60])
        key, value = line.split("=", 1)
        if document is not None:
            document[key.strip()] = value.strip()
            document[f"__line_{key.strip()}"] = str(number)
        elif not section and key.strip() == "Кодировка" and value.strip() not in ("Windows", ""):
            raise StatementError(number, "encoding_declared", value.strip())
    if document is not None:
        raise StatementError(start, "unfinished")
    if not ended:
        raise StatementError(last, "truncated")
    return payments


def _payment(start: int, fields: dict[str, str]) -> StatementPayment:
    def line_of(key: str) -> int:
        return int(fields.get(f"__line_{key}", start))

    for key in ("Номер", "Дата", "Сумма"):
        if not fields.get(key):
            raise StatementError(start, "missing", key)
    try:
        amount = parse_amount(fields["Сумма"])
    except ValueError:
        raise StatementError(line_of("Сумма"), "amount", fields["Сумма"]) from None
    day_text = fields.get("ДатаПоступило") or fields["Дата"]
    try:
        day = _date(day_text)
    except ValueError:
        key = "ДатаПоступило" if fields.get("ДатаПоступило") else "Дата"
        raise StatementError(line_of(key), "date", day_text) from None
    return StatementPayment(
        line=start,
        number=fields["Номер"],
        day=day,
        amount=amount,
        payer=fields.get("Плательщик1") or fields.get("Плательщик", ""),
        payer_inn=fields.get("ПлательщикИНН", ""),
        payer_account=fields.get("ПлательщикСчет", "") or fields.get("ПлательщикРасчСчет", ""),
        payee_inn=fields.get("ПолучательИНН", ""),
        payee_account=fields.get("ПолучательСчет", "") or fields.get("ПолучательРасчСчет", ""),
        purpose=fields.get("НазначениеПлатежа", ""),
    )


def render(payments: list[dict[str, str]], *, account: str, start: date, end: date) -> bytes:
    """A statement of ``payments`` (dicts of the format's keys) in windows-1251 (the demo's
    file and the tests' are made with it)."""
    lines = [MAGIC, "ВерсияФормата=1.03", "Кодировка=Windows", "Отправитель=Бухгалтерия",
             "Получатель=", f"ДатаСоздания={end:%d.%m.%Y}", f"ДатаНачала={start:%d.%m.%Y}",
             f"ДатаКонца={end:%d.%m.%Y}", f"РасчСчет={account}", "Документ=Платежное поручение",
             "СекцияРасчСчет", f"ДатаНачала={start:%d.%m.%Y}", f"ДатаКонца={end:%d.%m.%Y}",
             f"РасчСчет={account}", "КонецРасчСчет"]  # fmt: skip
    for payment in payments:
        lines.append("СекцияДокумент=Платежное поручение")
        lines += [f"{key}={value}" for key, value in payment.items()]
        lines.append("КонецДокумента")
    lines.append("КонецФайла")
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")
