"""The payment QR code's text of ГОСТ Р 56042-2014, which bank apps scan.

Pure. ``ST0001`` is the format, the next digit the encoding (2: UTF-8), then ``|``-separated
``Key=value`` pairs: the five required ones (Name, PersonalAcc, BankName, BIC, CorrespAcc)
first, then Sum in kopecks, Purpose, PayeeINN and KPP. A value may not contain the
separator, so ``|`` in a name or purpose becomes ``/``.
"""

from __future__ import annotations

from decimal import Decimal

HEADER = "ST00012"
#: The standard's limits on the lengths of the values we write.
LIMITS = {"Name": 160, "PersonalAcc": 20, "BankName": 45, "BIC": 9, "CorrespAcc": 20,
          "Sum": 18, "Purpose": 210, "PayeeINN": 12, "KPP": 9}  # fmt: skip


def _value(key: str, value: str) -> str:
    value = " ".join(str(value).replace("|", "/").split())
    return value[: LIMITS.get(key, 210)]


def payment_payload(
    *,
    name: str,
    account: str,
    bank: str,
    bik: str,
    corr_account: str,
    amount: Decimal,
    purpose: str,
    inn: str,
    kpp: str = "",
) -> str:
    """The QR text for paying ``amount`` roubles to the payee with ``purpose``."""
    kopecks = int((amount * 100).quantize(Decimal(1)))
    pairs = [
        ("Name", name), ("PersonalAcc", account), ("BankName", bank), ("BIC", bik),
        ("CorrespAcc", corr_account), ("Sum", str(kopecks)), ("Purpose", purpose),
        ("PayeeINN", inn),
    ]  # fmt: skip
    if kpp:
        pairs.append(("KPP", kpp))
    return "|".join([HEADER] + [f"{key}={_value(key, value)}" for key, value in pairs])


def parse_payload(text: str) -> dict[str, str]:
    """The pairs of a QR text (for tests and for reading a code back)."""
    header, *pairs = text.split("|")
    if header != HEADER:
        raise ValueError(f"not a ГОСТ Р 56042-2014 UTF-8 payload: {header!r}")
    return dict(pair.split("=", 1) for pair in pairs)
