"""The municipal thesaurus: synonyms, abbreviations and related terms — pure.

The format (``exhibit/data/thesaurus.txt``; organisers add lines of the same kind on the
thesaurus page, stored in the database):

* ``ЖКХ = жилищно-коммунальное хозяйство = коммунальное хозяйство`` — one thing said in
  several ways: each side finds the others, at :data:`SYNONYM_WEIGHT` of an exact match;
* ``освещение ~ фонари ~ светильники`` — related terms, at :data:`RELATED_WEIGHT`;
  ``освещение ~ подсветка ; 0.4`` sets a line's own weight (above 0, below 1);
* ``# …`` is a comment; blank lines are skipped.

A side may be several words; they are matched by their stems (:func:`exhibit.search.text.stem`),
so word forms meet («коммунального хозяйства» is «коммунальное хозяйство»), and stop words
are left out on both sides, as the query drops them. A query word or run of words that
equals a side gets the other sides as alternatives; a side of several words must then be
found whole in one document. Synonym lines that share a side join (``помойка = мусор`` and
``мусор = отходы``: помойка finds отходы); related lines do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

from exhibit.search.text import STOP_WORDS, stem, tokenise

__all__ = [
    "RELATED_WEIGHT",
    "SYNONYM_WEIGHT",
    "Entry",
    "Thesaurus",
    "ThesaurusError",
    "load_default",
    "parse",
    "parse_line",
]

#: What a synonym's match is worth against the word as typed (1.0).
SYNONYM_WEIGHT = 0.85
#: What a related term's match is worth unless its line says otherwise.
RELATED_WEIGHT = 0.5
#: Longest side, in words: longer ones are refused (a sentence is not a term).
MAX_SIDE_WORDS = 6
#: Most sides in one line.
MAX_SIDES = 12
MAX_LINE_CHARS = 500

_WEIGHT_RE = re.compile(r";\s*([0-9]+(?:[.,][0-9]+)?)\s*$")


class ThesaurusError(ValueError):
    """A line that cannot be read; ``line`` is its number (1-based) or 0 for a single line."""

    def __init__(self, message: str, line: int = 0, text: str = "") -> None:
        super().__init__(f"строка {line}: {message}" if line else message)
        self.message = message
        self.line = line
        self.text = text


@dataclass(frozen=True)
class Entry:
    """One line: its sides (each a tuple of stems), whether related, its weight."""

    sides: tuple[tuple[str, ...], ...]
    weight: float
    related: bool
    text: str


def _side(raw: str) -> tuple[str, ...]:
    words = tokenise(raw)
    meaningful = [w for w in words if w not in STOP_WORDS] or words
    return tuple(stem(w) for w in meaningful)


def parse_line(line: str, number: int = 0) -> Entry | None:
    """One line as an :class:`Entry`; None for a blank line or a comment.

    Raises :class:`ThesaurusError` naming what is wrong (no ``=`` or ``~``, both, an empty
    side, a weight out of range, a side too long)."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    if len(text) > MAX_LINE_CHARS:
        raise ThesaurusError(f"строка длиннее {MAX_LINE_CHARS} знаков", number, text)
    weight: float | None = None
    found = _WEIGHT_RE.search(text)
    if found:
        weight = float(found.group(1).replace(",", "."))
        text = text[: found.start()].rstrip()
    if "=" in text and "~" in text:
        raise ThesaurusError(
            "в одной строке и «=», и «~»: синонимы и связанные слова — разными строками",
            number,
            line,
        )
    if "=" not in text and "~" not in text:
        raise ThesaurusError("нужен знак «=» (синонимы) или «~» (связанные слова)", number, line)
    related = "~" in text
    raw_sides = [part.strip() for part in text.split("~" if related else "=")]
    if any(not part for part in raw_sides):
        raise ThesaurusError("пустая часть строки между знаками", number, line)
    if len(raw_sides) > MAX_SIDES:
        raise ThesaurusError(f"больше {MAX_SIDES} вариантов в одной строке", number, line)
    sides: list[tuple[str, ...]] = []
    for part in raw_sides:
        side = _side(part)
        if not side:
            raise ThesaurusError(f"в «{part}» нет слов", number, line)
        if len(side) > MAX_SIDE_WORDS:
            raise ThesaurusError(f"«{part}»: больше {MAX_SIDE_WORDS} слов", number, line)
        if side not in sides:
            sides.append(side)
    if len(sides) < 2:
        raise ThesaurusError("нужно хотя бы два разных варианта", number, line)
    if weight is None:
        weight = RELATED_WEIGHT if related else SYNONYM_WEIGHT
    elif not 0 < weight < 1:
        raise ThesaurusError("вес должен быть больше 0 и меньше 1", number, line)
    return Entry(tuple(sides), weight, related, line.strip())


def parse(text: str) -> list[Entry]:
    """Every entry of a thesaurus text; the first bad line raises :class:`ThesaurusError`."""
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        entry = parse_line(line, number)
        if entry is not None:
            entries.append(entry)
    return entries


class Thesaurus:
    """Entries filed by each of their sides, for look-ups by the stems of query words."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._by_side: dict[tuple[str, ...], dict[tuple[str, ...], float]] = {}
        self.entries: list[Entry] = list(entries)
        self.longest = 1
        # Synonyms chain: «помойка = мусор» and «мусор = отходы» make помойка = отходы (at
        # the lower weight). Related terms do not chain: a relation of a relation drifts.
        parent: dict[tuple[str, ...], tuple[str, ...]] = {}

        def root(side: tuple[str, ...]) -> tuple[str, ...]:
            while parent.setdefault(side, side) != side:
                parent[side] = parent[parent[side]]
                side = parent[side]
            return side

        lowest: dict[tuple[str, ...], float] = {}
        for entry in self.entries:
            if entry.related:
                continue
            first = root(entry.sides[0])
            for side in entry.sides[1:]:
                other = root(side)
                if other != first:
                    parent[other] = first
                    lowest[first] = min(lowest.get(first, 1.0), lowest.get(other, 1.0))
            lowest[first] = min(lowest.get(first, 1.0), entry.weight)
        groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for side in list(parent):
            groups.setdefault(root(side), []).append(side)
        for top, members in groups.items():
            self._relate(members, lowest[root(top)])
        for entry in self.entries:
            if entry.related:
                self._relate(list(entry.sides), entry.weight)

    def _relate(self, sides: list[tuple[str, ...]], weight: float) -> None:
        for side in sides:
            others = self._by_side.setdefault(side, {})
            self.longest = max(self.longest, len(side))
            for other in sides:
                if other != side and others.get(other, 0.0) < weight:
                    others[other] = weight

    def __len__(self) -> int:
        return len(self.entries)

    def alternatives(self, stems: Sequence[str]) -> dict[tuple[str, ...], float]:
        """Other ways to say the run of words whose stems are ``stems``: side → weight."""
        return dict(self._by_side.get(tuple(stems), {}))

    def spans(self, stems: Sequence[str]) -> list[tuple[int, int, dict[tuple[str, ...], float]]]:
        """Every run ``stems[i:j]`` that is a side of some entry, with its alternatives."""
        found = []
        for i in range(len(stems)):
            for j in range(i + 1, min(len(stems), i + self.longest) + 1):
                others = self._by_side.get(tuple(stems[i:j]))
                if others:
                    found.append((i, j, dict(others)))
        return found

    def merged(self, entries: Iterable[Entry]) -> Thesaurus:
        """A thesaurus of these entries and then ``entries`` (the organisers' own)."""
        return Thesaurus([*self.entries, *entries])


def load_default() -> Thesaurus:
    """The curated thesaurus shipped with the application (``exhibit/data/thesaurus.txt``)."""
    text = resources.files("exhibit").joinpath("data", "thesaurus.txt").read_text("utf-8")
    return Thesaurus(parse(text))
