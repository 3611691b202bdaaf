"""Catalogue vocabulary and pure rules (no Flask, no database)."""

from __future__ import annotations

EXHIBITOR_KINDS = ("municipality", "region", "company", "university", "federal-body")
STAGES = ("idea", "pilot", "operation", "scaled")

#: Size classes of towns by population: (code, lower bound inclusive), smallest first.
SIZE_CLASSES = ("small", "medium", "large", "big", "largest")
_SIZE_BOUNDS = ((1_000_000, "largest"), (250_000, "big"), (100_000, "large"), (50_000, "medium"))


def size_class(population: int | None) -> str | None:
    """Size class of a town (PRODUCT.md §3): small < 50k, medium 50–100k, large 100–250k,
    big 250k–1M, largest > 1M. ``None`` when the population is unknown."""
    if population is None:
        return None
    if population < 0:
        raise ValueError("population cannot be negative")
    for bound, name in _SIZE_BOUNDS:
        if population >= bound:
            return name
    return "small"


def name_key(name: str) -> str:
    """A name as people compare them: case, ё/е and spacing do not matter.

    Done in Python because SQLite's ``lower()`` folds only ASCII letters.
    """
    return " ".join(name.casefold().replace("ё", "е").split())


def russian_sort_key(text: str) -> tuple[str, str]:
    """Sort key for the Russian alphabet: ё right after е, case ignored, then exact text."""
    folded = text.casefold()
    # Map ё between е and ж: е = U+0435, ж = U+0436; "е\uffff" sorts after every "е…".
    return (folded.replace("ё", "е\U0010ffff"), text)


def plural_ru(count: int, one: str, few: str, many: str) -> str:
    """``count`` with the Russian word form it takes: 1 стенд, 2 стенда, 5 стендов, 21 стенд.

    For messages outside templates (the command line); templates use Flask-Babel's ngettext.
    """
    tail, tens = count % 10, count % 100
    if tail == 1 and tens != 11:
        word = one
    elif 2 <= tail <= 4 and not 12 <= tens <= 14:
        word = few
    else:
        word = many
    return f"{count} {word}"
