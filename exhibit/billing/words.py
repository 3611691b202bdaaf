"""Amounts in Russian words, as invoices write them: «Сто двадцать тысяч рублей 00 копеек».

Pure. Checked against num2words in the tests (tests/unit/test_billing_pure.py).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_UNITS_M = ("", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_UNITS_F = ("", "одна", "две", *_UNITS_M[3:])
_TEENS = ("десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать",
          "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать")  # fmt: skip
_TENS = ("", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят",
         "восемьдесят", "девяносто")  # fmt: skip
_HUNDREDS = ("", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот",
             "восемьсот", "девятьсот")  # fmt: skip
#: (one, few, many, feminine) for each power of a thousand.
_SCALES = (
    ("", "", "", False),
    ("тысяча", "тысячи", "тысяч", True),
    ("миллион", "миллиона", "миллионов", False),
    ("миллиард", "миллиарда", "миллиардов", False),
    ("триллион", "триллиона", "триллионов", False),
)


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for ``n``: 1 рубль, 2 рубля, 5 рублей (11–14 take «many»)."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _triple(n: int, feminine: bool) -> list[str]:
    words = [_HUNDREDS[n // 100]]
    rest = n % 100
    if 10 <= rest < 20:
        words.append(_TEENS[rest - 10])
    else:
        words.append(_TENS[rest // 10])
        words.append((_UNITS_F if feminine else _UNITS_M)[rest % 10])
    return [w for w in words if w]


def integer_words(n: int) -> str:
    """A non-negative whole number in words, masculine («два», «двадцать один»)."""
    if n < 0:
        raise ValueError("a negative amount has no words on an invoice")
    if n == 0:
        return "ноль"
    groups = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    if len(groups) > len(_SCALES):
        raise ValueError("the amount is too large")
    words: list[str] = []
    for power in range(len(groups) - 1, -1, -1):
        group = groups[power]
        if not group:
            continue
        one, few, many, feminine = _SCALES[power]
        words += _triple(group, feminine)
        if power:
            words.append(plural(group, one, few, many))
    return " ".join(words)


def rubles_in_words(amount: Decimal) -> str:
    """«Сто двадцать тысяч рублей 00 копеек»: roubles in words, kopecks in figures."""
    value = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    rubles = int(value)
    kopecks = int((value - rubles) * 100)
    text = integer_words(rubles)
    text = text[0].upper() + text[1:]
    return (
        f"{text} {plural(rubles, 'рубль', 'рубля', 'рублей')} "
        f"{kopecks:02d} {plural(kopecks, 'копейка', 'копейки', 'копеек')}"
    )
