"""Billing's pure core: check digits, amounts in words, the payment QR text, 1C statements,
matching payments to invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from num2words import num2words

from exhibit.billing import checks, matching, qr, statement, words

# Published requisites of a real bank (ПАО Сбербанк): ИНН, ОГРН, БИК and its corr. account.
SBER = {"inn": "7707083893", "ogrn": "1027700132195", "bik": "044525225",
        "corr_account": "30101810400000000225"}  # fmt: skip


def test_real_requisites_pass_every_check():
    assert checks.inn_problem(SBER["inn"]) is None
    assert checks.ogrn_problem(SBER["ogrn"]) is None
    assert checks.corr_account_problem(SBER["corr_account"], SBER["bik"]) is None
    assert checks.inn_problem("500100732259") is None  # a person's ИНН, 12 digits
    assert checks.ogrn_problem("304500116000157") is None  # ОГРНИП, 15 digits


@pytest.mark.parametrize("position", range(10))
def test_any_wrong_digit_of_an_inn_is_caught(position):
    inn = SBER["inn"]
    wrong = inn[:position] + str((int(inn[position]) + 1) % 10) + inn[position + 1 :]
    assert checks.inn_problem(wrong) == "check"


def test_lengths_and_letters():
    assert checks.inn_problem("77070838") == "length"
    assert checks.inn_problem("770708389З") == "digits"
    assert checks.ogrn_problem("10277001321") == "length"
    assert checks.kpp_problem("7736010") == "length"
    assert checks.kpp_problem("7736AB001") is None
    assert checks.account_problem("4070281040000000000", SBER["bik"]) == "length"


@given(st.integers(min_value=0, max_value=10**11 - 1), st.integers(0, 9))
def test_account_key_agrees_with_the_bik_and_a_changed_digit_breaks_it(n, position):
    account = checks.with_account_key(f"40702810{n:012d}", SBER["bik"])
    assert checks.account_problem(account, SBER["bik"]) is None
    wrong = account[:position] + str((int(account[position]) + 1) % 10) + account[position + 1 :]
    assert checks.account_problem(wrong, SBER["bik"]) == "check"
    # The same account at another bank (another БИК) has another key.
    other = "044525974"
    assert checks.account_problem(account, other) in (None, "check")
    assert checks.with_account_key(account, other)[8] != account[8] or (
        checks.account_problem(account, other) is None
    )


def test_corr_account_must_end_with_the_bik():
    assert checks.corr_account_problem("30101810400000000225", "044525226") == "corr_bik"


def test_problems_name_each_field_in_form_order():
    fields = checks.clean({"name": "ООО «Ромашка»", "inn": "7707 083 894", "address": "Москва",
                           "bank": "Сбер", "bik": SBER["bik"], "corr_account": SBER["corr_account"],
                           "account": "40702810400000000001", "ogrn": "1027700132196"})  # fmt: skip
    assert fields["inn"] == "7707083894"  # spaces inside numbers dropped
    found = checks.problems(fields)
    assert [(p.field, p.code) for p in found] == [("inn", "check"), ("ogrn", "check"),
                                                  ("account", "check")]  # fmt: skip
    assert [p.field for p in checks.problems(checks.clean({}))] == list(checks.REQUIRED)


def test_generated_numbers_are_valid():
    for start in ("660000001", "123456789"):
        assert checks.inn_problem(checks.complete_inn(start)) is None
    assert checks.inn_problem(checks.complete_inn("6600000001")) is None
    assert checks.ogrn_problem(checks.complete_ogrn("102660000001")) is None
    assert checks.ogrn_problem(checks.complete_ogrn("30466000000001")) is None


# --- words -------------------------------------------------------------------------------


def test_the_issues_example():
    assert words.rubles_in_words(Decimal("120000")) == "Сто двадцать тысяч рублей 00 копеек"
    assert words.rubles_in_words(Decimal("2021.51")) == (
        "Две тысячи двадцать один рубль 51 копейка"
    )
    assert words.rubles_in_words(Decimal("0.02")) == "Ноль рублей 02 копейки"


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_whole_numbers_read_as_num2words_reads_them(n):
    assert words.integer_words(n) == num2words(n, lang="ru")


@given(st.integers(min_value=0, max_value=10**6))
def test_rouble_forms(n):
    form = words.rubles_in_words(Decimal(n)).split()[-3]
    expected = {1: "рубль", 2: "рубля", 3: "рубля", 4: "рубля"}.get(n % 10, "рублей")
    assert form == ("рублей" if 11 <= n % 100 <= 14 else expected)


# --- the QR text -------------------------------------------------------------------------


def test_payment_payload_is_the_standards_text():
    text = qr.payment_payload(
        name="АНО «Города | России»", account="40702810400000000001", bank="ПАО Сбербанк",
        bik=SBER["bik"], corr_account=SBER["corr_account"], amount=Decimal("120000.5"),
        purpose="Оплата по счёту № 2025-0001", inn=SBER["inn"], kpp="773601001",
    )  # fmt: skip
    assert text.startswith("ST00012|Name=АНО «Города / России»|PersonalAcc=40702810400000000001|")
    pairs = qr.parse_payload(text)
    assert pairs["Sum"] == "12000050"  # kopecks
    assert list(pairs)[:5] == ["Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc"]
    assert pairs["PayeeINN"] == SBER["inn"] and pairs["KPP"] == "773601001"


# --- statements --------------------------------------------------------------------------


def payment(**fields: str) -> dict[str, str]:
    base = {
        "Номер": "17",
        "Дата": "03.11.2025",
        "Сумма": "12 345,67",
        "ПлательщикСчет": "40204810000000000001",
        "Плательщик": "Администрация г. Ирбит",
        "ПлательщикИНН": "6611001234",
        "ПолучательСчет": "40702810400000000001",
        "ПолучательИНН": SBER["inn"],
        "НазначениеПлатежа": "Оплата по счёту 2025-0001",
    }
    return base | fields  # fmt: skip


def make(*payments: dict[str, str]) -> bytes:
    return statement.render(list(payments), account="40702810400000000001",
                            start=date(2025, 11, 1), end=date(2025, 11, 30))  # fmt: skip


def test_a_statement_is_read_with_amounts_written_the_russian_way():
    [one, two] = statement.parse(make(payment(), payment(Номер="18", Сумма="500.00")))
    assert one.amount == Decimal("12345.67") and two.amount == Decimal("500.00")
    assert one.payer == "Администрация г. Ирбит" and one.day == date(2025, 11, 3)
    assert one.key != two.key and one.key == statement.parse(make(payment()))[0].key


@pytest.mark.parametrize(
    ("data", "line", "code"),
    [
        (make(payment()).decode("cp1251").encode("utf-8"), 2, "utf8"),
        (b"Hello\r\nworld", 1, "format"),
        (b"", 1, "empty"),
        (make(payment()).replace("КонецФайла\r\n".encode("cp1251"), b""), 26, "truncated"),
        (make(payment()).split("КонецДокумента".encode("cp1251"))[0], 16, "unfinished"),
        (make(payment(Сумма="12 345,6x")), 19, "amount"),
        (make(payment(Дата="2025-11-03")), 18, "date"),
        (make(payment()).replace(b"\xc8\xcd\xcd", b"\x98\x98\x98", 1), None, "encoding"),
    ],
)
def test_bad_statements_name_the_line(data, line, code):
    with pytest.raises(statement.StatementError) as caught:
        statement.parse(data)
    assert caught.value.code == code
    if line is not None:
        assert caught.value.line == line
        if code in ("amount", "date"):
            text = data.decode("cp1251").split("\r\n")[line - 1]
            assert text.startswith(("Сумма=", "Дата="))


@pytest.mark.parametrize(
    ("text", "value"),
    [("12 345,67", "12345.67"), ("12\u00a0345,67", "12345.67"), ("12345.6", "12345.6"),
     ("100", "100")],
)  # fmt: skip
def test_amounts(text, value):
    assert statement.parse_amount(text) == Decimal(value)


@pytest.mark.parametrize("text", ["12,345,67", "-5", "1e3", "", "12.345"])
def test_not_amounts(text):
    with pytest.raises(ValueError):
        statement.parse_amount(text)


# --- matching ----------------------------------------------------------------------------


def invoices() -> list[matching.OpenInvoice]:
    return [matching.OpenInvoice("2025-0001", "6611001234", Decimal("1000"), 1),
            matching.OpenInvoice("2025-0002", "6622002345", Decimal("500"), 2),
            matching.OpenInvoice("2025-0010", "6611001234", Decimal("700"), 3)]  # fmt: skip


def test_number_and_inn_match_and_overpayment_is_flagged():
    open_ = invoices()
    first = matching.match("по счету №2025-1 за стенд", "6611001234", Decimal("600"), open_)
    assert first.state == "matched" and first.invoice.id == 1 and first.overpaid == 0
    second = matching.match("счёт 2025/0001", "6611001234", Decimal("600"), open_)
    assert second.state == "matched" and second.overpaid == Decimal("200")


def test_doubtful_and_unmatched():
    open_ = invoices()
    assert matching.match("счёт 2025-0002", "6611001234", Decimal(500), open_).state == "doubtful"
    by_amount = matching.match("за выставку", "6622002345", Decimal(500), open_)
    assert by_amount.state == "doubtful" and by_amount.invoice.id == 2
    assert matching.match("2025-0001 и 2025-0002", "6611001234", Decimal(1), open_).state == (
        "unmatched"
    )
    assert matching.match("за выставку", "6699999999", Decimal(500), open_).state == "unmatched"
    # 2025-0001 is not found inside 2025-00010 or 12025-0001.
    assert matching.named_invoices("счёт 2025-00010", open_)[0].id == 3
    assert matching.named_invoices("12025-0001", open_) == []
