"""Check digits of Russian requisites: ИНН, ОГРН/ОГРНИП, КПП, БИК and bank accounts.

Pure: each check returns a problem code (or ``None``) that the services turn into a
message naming the field. The algorithms are the tax service's (ИНН, ОГРН) and the Bank of
Russia's (the key of an account number, weights 7-1-3 over the БИК's digits and the account).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: The fields of a party's requisites, in the order forms show them.
FIELDS = ("name", "inn", "kpp", "ogrn", "address", "bank", "bik", "corr_account", "account",
          "signatory")  # fmt: skip
#: Fields that must be filled.
REQUIRED = ("name", "inn", "address", "bank", "bik", "corr_account", "account")

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_ACCOUNT = ((7, 1, 3) * 8)[:23]  # 23 digits: three of the БИК, then the 20 of the account


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: ``code`` names the rule (``digits``, ``length``,
    ``check``, ``required``, ``corr_bik``)."""

    field: str
    code: str


def _control(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_problem(inn: str) -> str | None:
    """``None`` for a valid ИНН of an organisation (10 digits) or a person (12)."""
    if not inn.isdigit() or not inn.isascii():
        return "digits"
    if len(inn) == 10:
        return None if _control(inn, _INN10) == int(inn[9]) else "check"
    if len(inn) == 12:
        ok = _control(inn, _INN11) == int(inn[10]) and _control(inn, _INN12) == int(inn[11])
        return None if ok else "check"
    return "length"


def ogrn_problem(ogrn: str) -> str | None:
    """``None`` for a valid ОГРН (13 digits) or ОГРНИП (15 digits)."""
    if not ogrn.isdigit() or not ogrn.isascii():
        return "digits"
    if len(ogrn) == 13:
        return None if int(ogrn[:12]) % 11 % 10 == int(ogrn[12]) else "check"
    if len(ogrn) == 15:
        return None if int(ogrn[:14]) % 13 % 10 == int(ogrn[14]) else "check"
    return "length"


def kpp_problem(kpp: str) -> str | None:
    """A КПП: 9 characters, the 5th and 6th may be capital Latin letters."""
    if len(kpp) != 9:
        return "length"
    if not (kpp[:4].isdigit() and kpp[6:].isdigit() and kpp[4:6].isalnum() and kpp.isascii()):
        return "digits"
    return None


def bik_problem(bik: str) -> str | None:
    if not bik.isdigit() or not bik.isascii():
        return "digits"
    return None if len(bik) == 9 else "length"


def _key_ok(prefix: str, account: str) -> bool:
    return sum(int(d) * w for d, w in zip(prefix + account, _ACCOUNT, strict=True)) % 10 == 0


def with_account_key(account: str, bik: str, *, correspondent: bool = False) -> str:
    """``account`` with its key (the 9th digit) set to agree with the БИК (demo data, tests)."""
    prefix = "0" + bik[4:6] if correspondent else bik[-3:]
    for key in "0123456789":
        candidate = account[:8] + key + account[9:]
        if _key_ok(prefix, candidate):
            return candidate
    raise ValueError(account)  # pragma: no cover - some digit always fits


def account_problem(account: str, bik: str) -> str | None:
    """A settlement account (20 digits) whose key digit agrees with the bank's БИК."""
    if not account.isdigit() or not account.isascii():
        return "digits"
    if len(account) != 20:
        return "length"
    if bik_problem(bik) is None and not _key_ok(bik[-3:], account):
        return "check"
    return None


def corr_account_problem(corr: str, bik: str) -> str | None:
    """A correspondent account: 20 digits starting 301, ending with the БИК's last three,
    its key computed with "0" and the БИК's 5th–6th digits."""
    if not corr.isdigit() or not corr.isascii():
        return "digits"
    if len(corr) != 20:
        return "length"
    if bik_problem(bik) is None:
        if not corr.startswith("301") or corr[-3:] != bik[-3:]:
            return "corr_bik"
        if not _key_ok("0" + bik[4:6], corr):
            return "check"
    return None


def clean(fields: Mapping[str, object]) -> dict[str, str]:
    """The requisites' fields as stripped strings; spaces inside numbers are dropped."""
    numbers = {"inn", "kpp", "ogrn", "bik", "corr_account", "account"}
    result = {}
    for name in FIELDS:
        value = str(fields.get(name) or "").strip()
        if name in numbers:
            value = "".join(value.split())
        result[name] = value
    return result


def problems(fields: Mapping[str, str]) -> list[Problem]:
    """Every problem of cleaned requisites (:func:`clean`), field by field in form order."""
    found: list[Problem] = []
    for name in REQUIRED:
        if not fields.get(name):
            found.append(Problem(name, "required"))
    missing = {p.field for p in found}
    checks = {
        "inn": lambda v: inn_problem(v),
        "kpp": lambda v: kpp_problem(v),
        "ogrn": lambda v: ogrn_problem(v),
        "bik": lambda v: bik_problem(v),
        "corr_account": lambda v: corr_account_problem(v, fields.get("bik", "")),
        "account": lambda v: account_problem(v, fields.get("bik", "")),
    }
    for name, check in checks.items():
        value = fields.get(name, "")
        if value and name not in missing:
            code = check(value)
            if code:
                found.append(Problem(name, code))
    order = {name: i for i, name in enumerate(FIELDS)}
    return sorted(found, key=lambda p: order[p.field])


def complete_inn(start: str) -> str:
    """An ИНН from its first 9 (organisation) or 10 (person) digits, check digits added
    (demo data, tests)."""
    if len(start) == 9:
        return start + str(_control(start, _INN10))
    first = start + str(_control(start, _INN11))
    return first + str(_control(first, _INN12))


def complete_ogrn(start: str) -> str:
    """An ОГРН from its first 12 digits (or an ОГРНИП from 14), check digit added."""
    return start + str(int(start) % (11 if len(start) == 12 else 13) % 10)
