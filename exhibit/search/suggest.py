"""Suggestions as you type: solutions, exhibitors, towns and booth numbers — pure.

Every word of every label is filed, sorted, with its entry; each typed word must begin some
word of a label (in any order: «тагил нижн» finds «Нижний Тагил»), so a look-up is a few
binary searches and a set intersection, whatever the catalogue's size. When the words as
typed find nothing, the same look-up runs on their wrong-layout reading and on their Cyrillic
transliterations (``ghbdtn``, ``Irbit``). A query that is a booth number puts that booth
first.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from exhibit.search.text import (
    booth_number_candidates,
    fix_layout,
    tokenise,
    transliterate_to_cyrillic,
)

__all__ = ["KIND_ORDER", "SuggestIndex", "Suggestion"]

#: Shown in this order when they match equally well.
KIND_ORDER = {"booth": 0, "town": 1, "exhibitor": 2, "solution": 3}
#: At most this many of one kind (solutions may fill the rest).
PER_KIND = {"booth": 2, "town": 2, "exhibitor": 3, "solution": 6}
MAX_QUERY_WORDS = 6
_END = "\U0010ffff"


@dataclass(frozen=True)
class Suggestion:
    """One suggestion: what it is, what it says, what it refers to and a detail line."""

    kind: str
    label: str
    ref: str
    detail: str = ""


class SuggestIndex:
    def __init__(self, entries: Iterable[Suggestion]) -> None:
        self.entries: list[Suggestion] = list(entries)
        self._words: list[tuple[str, ...]] = [tuple(tokenise(e.label)) for e in self.entries]
        pairs = sorted((word, i) for i, words in enumerate(self._words) for word in set(words))
        self._keys = [w for w, _ in pairs]
        self._ids = [i for _, i in pairs]
        self._booths = {e.ref: i for i, e in enumerate(self.entries) if e.kind == "booth"}

    def __len__(self) -> int:
        return len(self.entries)

    def _starting(self, prefix: str) -> set[int]:
        lo = bisect.bisect_left(self._keys, prefix)
        hi = bisect.bisect_left(self._keys, prefix + _END, lo)
        return set(self._ids[lo:hi])

    def _match(self, words: list[str]) -> list[int]:
        if not words:
            return []
        # The longest word first: it narrows most; the others are checked on the few left.
        ordered = sorted(words, key=len, reverse=True)
        found = self._starting(ordered[0])
        for word in ordered[1:]:
            if not found:
                break
            found = {i for i in found if any(w.startswith(word) for w in self._words[i])}
        first = words[0]
        return sorted(
            found,
            key=lambda i: (
                not self._words[i][0].startswith(first) if self._words[i] else True,
                KIND_ORDER.get(self.entries[i].kind, 9),
                len(self.entries[i].label),
                self.entries[i].label,
            ),
        )

    def lookup(self, query: str, limit: int = 8) -> list[Suggestion]:
        """Up to ``limit`` suggestions for what has been typed so far."""
        words = tokenise(query[:200])[:MAX_QUERY_WORDS]
        if not words:
            return []
        booth_hits = [
            self._booths[number]
            for number in booth_number_candidates("".join(words))
            if number in self._booths
        ]
        hits = self._match(words)
        if not hits:
            readings = [fix_layout(query[:200]) or "", *transliterate_to_cyrillic(query[:200])[:3]]
            for reading in readings:
                hits = self._match(tokenise(reading)[:MAX_QUERY_WORDS])
                if hits:
                    break
        out: list[Suggestion] = []
        taken: dict[str, int] = {}
        for i in [*booth_hits, *hits]:
            entry = self.entries[i]
            if entry in out or taken.get(entry.kind, 0) >= PER_KIND.get(entry.kind, limit):
                continue
            taken[entry.kind] = taken.get(entry.kind, 0) + 1
            out.append(entry)
            if len(out) == limit:
                break
        return out
