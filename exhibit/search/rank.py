"""Ranking the catalogue for a query — pure: the standard library and NumPy.

How a document is scored
------------------------
A query (a :class:`~exhibit.search.text.QueryPlan`) becomes :class:`Concept` s, one per
word. A concept has :class:`Alternative` s, the ways a document can satisfy it, each with a
weight below that of the word as typed: the exact word (1.0), its stem as a prefix (0.9, so
that «транспорт» finds «транспортная»), a compound's parts (велодорожка → велосипед* +
дорожк*), the thesaurus's synonyms and related terms, typo / layout / transliteration
guesses, and neighbours by word meaning (embeddings, computed when the index is rebuilt).
An alternative of several words (ЖКХ → «коммунальное хозяйство») must be found whole in one
document; a run of query words that the thesaurus knows as one term («безопасность дорожного
движения» → «БДД») gives each of those words the run's alternatives.

For each concept and document the contribution is the best alternative's weight × the weight
of the best field it is found in (title 3, tags 2, summary 1.4, description 1), and the
concept is worth its inverse document frequency (BM25's ``log(1 + (N − df + 0.5) / (df +
0.5))``): rare words count more. Documents are ordered by how many concepts they cover, then
by the sum of the concepts' worth — so documents with every word come first, a word that
matches nothing leaves the others to rank, and that word is reported as
:attr:`Ranking.missing` («не найдено: …»).

Term frequency and length normalisation of BM25 are left out: catalogue fields are short,
and a word repeated in a description says little about what a solution is.

The index (:class:`RankIndex`) holds, for every term the search documents store, the
(document, field) pairs it occurs in, as NumPy arrays; a prefix is a range of the sorted
terms. Built from the ``search_document`` rows of one exhibition, it is cached per worker
until the index changes (see :mod:`exhibit.search.services`).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from exhibit.search.text import QueryPlan, TypoIndex, compound_parts, match_prefix, stem
from exhibit.search.thesaurus import Thesaurus

__all__ = [
    "EMBEDDING_WEIGHT",
    "FIELDS",
    "FIELD_WEIGHTS",
    "Alternative",
    "Concept",
    "Part",
    "RankIndex",
    "Ranking",
    "concepts",
]

FIELDS = ("title", "tags", "summary", "body")
FIELD_WEIGHTS = (3.0, 2.0, 1.4, 1.0)
#: Weights of a query word's own spellings (see :class:`exhibit.search.text.Variant`).
KIND_WEIGHTS = {"exact": 1.0, "typed": 0.9, "layout": 0.8, "translit": 0.8, "typo": 0.7}
COMPOUND_WEIGHT = 0.8
#: The most a neighbour by meaning is worth (× its similarity); below every other kind.
EMBEDDING_WEIGHT = 0.45
_PREFIX_END = "\U0010ffff"


@dataclass(frozen=True)
class Part:
    """An index term to look up: whole (``prefix`` False) or as a prefix."""

    match: str
    prefix: bool


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a concept: every part in one document, worth ``weight``."""

    parts: tuple[Part, ...]
    weight: float
    kind: str


@dataclass(frozen=True)
class Concept:
    """One query word and the ways a document may satisfy it."""

    word: str
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class Ranking:
    """Matching documents, best first, and what the query's words found."""

    #: document numbers (positions in :attr:`RankIndex.keys`), best first
    order: np.ndarray
    #: how many concepts each of them covers
    coverage: np.ndarray
    #: words of the query found in no document («не найдено: …»)
    missing: tuple[str, ...]
    #: how many documents cover every concept
    complete: int
    concepts: int
    index_keys: Sequence[Hashable] = field(repr=False, default=())

    @property
    def keys(self) -> list[Hashable]:
        """The matching documents' keys, best first."""
        return [self.index_keys[i] for i in self.order]


def _part(word_stem: str) -> Part:
    if len(word_stem) < 3:
        return Part(word_stem, False)
    return Part(match_prefix(word_stem), True)


def _side_alternative(side: Sequence[str], weight: float, kind: str) -> Alternative:
    return Alternative(tuple(_part(s) for s in side), weight, kind)


def concepts(
    plan: QueryPlan,
    thesaurus: Thesaurus | None = None,
    neighbours: Mapping[str, Sequence[tuple[str, float]]] | None = None,
) -> list[Concept]:
    """The plan's words as concepts with all their alternatives (see the module docstring).

    ``neighbours`` maps a stem to stems close in meaning with their similarity (0–1),
    computed offline from word embeddings over the catalogue's own words.
    """
    per_term: list[list[Alternative]] = []
    stems = [stem(t.word) for t in plan.terms]
    for term, word_stem in zip(plan.terms, stems, strict=True):
        alts: list[Alternative] = [Alternative((Part(term.word, False),), 1.0, "exact")]
        for v in term.variants:
            alts.append(Alternative((Part(v.match, v.prefix),), KIND_WEIGHTS[v.kind], v.kind))
        parts = compound_parts(term.word)
        if parts:
            alts.append(_side_alternative(parts, COMPOUND_WEIGHT, "compound"))
        if thesaurus is not None:
            # A word typed in the wrong layout or in Latin letters may be a known term too.
            for v in term.variants[1:]:
                if v.kind in ("layout", "translit"):
                    for side, weight in thesaurus.alternatives([stem(v.word)]).items():
                        alts.append(_side_alternative(side, weight * 0.9, "synonym"))
        if neighbours:
            for other, similarity in neighbours.get(word_stem, ()):
                alts.append(
                    Alternative((_part(other),), EMBEDDING_WEIGHT * similarity, "embedding")
                )
        per_term.append(alts)
    if thesaurus is not None:
        for i, j, others in thesaurus.spans(stems):
            for side, weight in others.items():
                kind = "synonym" if weight >= 0.8 else "related"
                alternative = _side_alternative(side, weight, kind)
                for k in range(i, j):
                    per_term[k].append(alternative)
    out = []
    for term, alts in zip(plan.terms, per_term, strict=True):
        best: dict[tuple[Part, ...], Alternative] = {}
        for a in alts:
            if a.parts not in best or best[a.parts].weight < a.weight:
                best[a.parts] = a
        out.append(Concept(term.word, tuple(best.values())))
    return out


class RankIndex:
    """Terms → (document, field) pairs of one exhibition's search documents.

    ``documents`` yields (key, fields) with the fields' index texts in :data:`FIELDS` order
    (space-separated terms, as :func:`exhibit.search.text.to_index_text` makes them).
    """

    def __init__(self, documents: Iterable[tuple[Hashable, Sequence[str]]]) -> None:
        self.keys: list[Hashable] = []
        postings: defaultdict[str, list[int]] = defaultdict(list)
        #: titles and tags as stored, for the readable words (:meth:`readable`)
        self._display: list[str] = []
        nfields = len(FIELDS)
        for d, (key, fields) in enumerate(documents):
            self.keys.append(key)
            base = d * nfields
            self._display.append(f"{fields[0]} | {fields[1]}")
            for f, text in enumerate(fields[:nfields]):
                code = base + f
                for term in set(text.split()):
                    postings[term].append(code)
        self.terms: list[str] = sorted(postings)
        self._postings = [np.asarray(postings[t], dtype=np.int64) for t in self.terms]
        self._field_weights = np.asarray(FIELD_WEIGHTS, dtype=np.float32)
        self.size = len(self.keys)
        self._readable: TypoIndex | None = None

    def __len__(self) -> int:
        return self.size

    def readable(self) -> TypoIndex:
        """The words of titles and tags as people write them, for «did you mean»: built on
        first use (a search with a word found nowhere) and kept with the index."""
        if self._readable is None:
            words: set[str] = set()
            for text in self._display:
                tokens = text.split()
                # A stem is stored just before its word when they differ: keep the words.
                words.update(
                    t
                    for t, after in zip(tokens, [*tokens[1:], ""], strict=False)
                    if t.isalpha() and not (after.startswith(t) and len(after) > len(t))
                )
            self._readable = TypoIndex(words, max_distance=2)
        return self._readable

    def _range(self, part: Part) -> tuple[int, int]:
        lo = bisect.bisect_left(self.terms, part.match)
        if not part.prefix:
            hi = lo + 1 if lo < len(self.terms) and self.terms[lo] == part.match else lo
        else:
            hi = bisect.bisect_left(self.terms, part.match + _PREFIX_END, lo)
        return lo, hi

    def has(self, part: Part) -> bool:
        lo, hi = self._range(part)
        return hi > lo

    def part_weights(self, part: Part) -> np.ndarray | None:
        """Per document, the weight of the best field holding the part; None if nowhere."""
        lo, hi = self._range(part)
        if hi == lo:
            return None
        codes = self._postings[lo] if hi == lo + 1 else np.concatenate(self._postings[lo:hi])
        nfields = len(FIELDS)
        weights = np.zeros(self.size, dtype=np.float32)
        np.maximum.at(weights, codes // nfields, self._field_weights[codes % nfields])
        return weights

    def rank(self, query: Sequence[Concept]) -> Ranking:
        """Documents covering any concept, best first (see the module docstring)."""
        n = self.size
        coverage = np.zeros(n, dtype=np.int32)
        score = np.zeros(n, dtype=np.float64)
        missing: list[str] = []
        cache: dict[Part, np.ndarray | None] = {}

        def weights_of(part: Part) -> np.ndarray | None:
            if part not in cache:
                cache[part] = self.part_weights(part)
            return cache[part]

        for concept in query:
            contribution = np.zeros(n, dtype=np.float32)
            for alternative in concept.alternatives:
                found = [weights_of(p) for p in alternative.parts]
                if any(f is None for f in found):
                    continue
                if len(found) == 1:
                    combined = found[0]
                else:
                    stacked = np.vstack(found)
                    combined = np.where(stacked.min(axis=0) > 0, stacked.mean(axis=0), 0)
                np.maximum(contribution, combined * alternative.weight, out=contribution)
            matched = contribution > 0
            df = int(np.count_nonzero(matched))
            if not df:
                missing.append(concept.word)
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            coverage += matched
            score += idf * contribution
        hits = np.flatnonzero(coverage)
        order = hits[np.lexsort((hits, -score[hits], -coverage[hits]))]
        total = len(query)
        return Ranking(
            order=order,
            coverage=coverage[order],
            missing=tuple(missing),
            complete=int(np.count_nonzero(coverage == total)) if total else 0,
            concepts=total,
            index_keys=self.keys,
        )
