"""Pure rules: size classes, booth status and prices."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from exhibit.booking.rules import booth_price, booth_status
from exhibit.catalogue.rules import size_class


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (None, None),
        (0, "small"),
        (36_000, "small"),
        (49_999, "small"),
        (50_000, "medium"),
        (99_999, "medium"),
        (100_000, "large"),
        (249_999, "large"),
        (250_000, "big"),
        (999_999, "big"),
        (1_000_000, "largest"),
        (1_539_371, "largest"),
    ],
)
def test_size_class_bounds(population, expected):
    assert size_class(population) == expected


def test_size_class_refuses_negative_population():
    with pytest.raises(ValueError, match="negative"):
        size_class(-1)


NOW = datetime(2025, 11, 1, 12, 0)


@pytest.mark.parametrize(
    ("blocked", "active", "expires", "expected"),
    [
        (False, None, None, "available"),
        (True, None, None, "blocked"),
        (True, "confirmed", None, "blocked"),
        (False, "confirmed", None, "confirmed"),
        (False, "requested", NOW + timedelta(hours=1), "requested"),
        (False, "requested", NOW - timedelta(seconds=1), "available"),
        (False, "held", NOW, "available"),
        (False, "held", NOW + timedelta(days=1), "held"),
        # A confirmed reservation never lapses, whatever its old hold said.
        (False, "confirmed", NOW - timedelta(days=3), "confirmed"),
    ],
)
def test_booth_status(blocked, active, expires, expected):
    assert booth_status(blocked, active, expires, NOW) == expected


MULTIPLIERS = {"linear": 1.0, "corner": 1.1, "peninsula": 1.15, "island": 1.25}


def test_price_is_area_times_rate_times_kind_multiplier():
    assert booth_price(Decimal("9"), "linear", Decimal("12000"), MULTIPLIERS) == Decimal("108000")
    assert booth_price(Decimal("18"), "corner", Decimal("12000"), MULTIPLIERS) == Decimal("237600")
    assert booth_price(36.0, "island", Decimal("12000"), MULTIPLIERS) == Decimal("540000")


def test_price_rounds_to_whole_roubles_and_unknown_kind_is_plain():
    assert booth_price(Decimal("9.37"), "odd", Decimal("1000.55"), MULTIPLIERS) == Decimal("9375")


def test_price_override_wins():
    price = booth_price(Decimal("9"), "island", Decimal("12000"), MULTIPLIERS, Decimal("1"))
    assert price == Decimal("1")


def test_names_compare_without_case_yo_or_spacing():
    from exhibit.catalogue.rules import name_key

    assert name_key("Администрация  ЁЛКИНО") == name_key("администрация елкино")
    assert name_key("Ирбит") != name_key("Ирбитский район")


def test_russian_alphabetical_order_puts_yo_after_ye():
    from exhibit.catalogue.rules import russian_sort_key

    names = ["Ёлкино", "Жуковский", "Екатеринбург", "абакан", "Яр", "Еманжелинск"]
    assert sorted(names, key=russian_sort_key) == [
        "абакан", "Екатеринбург", "Еманжелинск", "Ёлкино", "Жуковский", "Яр",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 стенд"), (2, "2 стенда"), (5, "5 стендов"), (11, "11 стендов"), (12, "12 стендов"),
     (21, "21 стенд"), (22, "22 стенда"), (111, "111 стендов"), (184, "184 стенда"),
     (0, "0 стендов")],
)  # fmt: skip
def test_russian_plurals_on_the_command_line(count, expected):
    from exhibit.catalogue.rules import plural_ru

    assert plural_ru(count, "стенд", "стенда", "стендов") == expected


def test_translation_catalogues_are_complete():
    """Every interface string has an English translation and Russian plural forms."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2] / "exhibit" / "translations"
    with open(root / "en" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        english = read_po(fh, locale="en")
    with open(root / "ru" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        russian = read_po(fh, locale="ru")
    missing = [
        m.id
        for m in english
        if m.id and ("fuzzy" in m.flags or not (all(m.string) if m.pluralizable else m.string))
    ]
    assert missing == []
    assert [m.id for m in russian if m.pluralizable and not all(m.string)] == []

    # And the catalogues know every string the code and templates use (pybabel extract).
    from babel.messages.extract import extract_from_dir

    method_map = [("exhibit/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    used = {
        message if isinstance(message, str) else message[0]
        for _, _, message, *_ in extract_from_dir(
            root.parents[1],
            method_map,
            options,
            keywords={
                "_": None,
                "_l": None,
                "gettext": None,
                "ngettext": (1, 2),
                "lazy_gettext": None,
                "tr": None,  # the services' refusals (exhibit.errors.tr)
            },
        )
    }
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in english}
    assert sorted(used - known) == [], "run pybabel extract/update and translate"


def test_the_russian_catalogue_only_adds_plural_forms():
    """msgids are Russian: a Russian msgstr other than a plural form would replace the text."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parents[2] / "exhibit/translations/ru/LC_MESSAGES/messages.po"
    with open(path, "rb") as fh:
        russian = read_po(fh, locale="ru")
    assert [m.id for m in russian if m.id and not m.pluralizable and m.string] == []
