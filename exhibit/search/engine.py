"""The ranking engine of one exhibition, cached per worker until the search data changes.

It gathers what :mod:`exhibit.search.rank` needs from the database: the exhibition's search
documents (as a :class:`~exhibit.search.rank.RankIndex`), their terms (for typo guesses), the
thesaurus (the curated file plus the organisers' lines) and the neighbours by word meaning
computed at the last ``flask search-reindex``. Both engines read the same rows, so SQLite
and PostgreSQL rank alike.

The cache key is :func:`search_state`, read in one round trip: the documents' count and newest
id (a rewrite gives a document a new id), the thesaurus lines' count and newest id, and the
neighbours' count.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from exhibit.search.models import SearchDocument, SearchNeighbour, ThesaurusLine
from exhibit.search.rank import RankIndex
from exhibit.search.text import TypoIndex
from exhibit.search.thesaurus import Thesaurus, ThesaurusError, load_default, parse_line

log = logging.getLogger(__name__)

_STATE = text(
    "SELECT (SELECT count(*) FROM search_document),"
    " (SELECT coalesce(max(id), 0) FROM search_document),"
    " (SELECT count(*) FROM search_thesaurus_line),"
    " (SELECT coalesce(max(id), 0) FROM search_thesaurus_line),"
    " (SELECT count(*) FROM search_neighbour)"
)


def search_state(session: Session) -> tuple[int, ...]:
    """What the engine is built from, as numbers that change whenever it changes."""
    return tuple(int(v) for v in session.execute(_STATE).one())


@functools.cache
def default_thesaurus() -> Thesaurus:
    return load_default()


def organisers_thesaurus(session: Session) -> Thesaurus:
    """The curated thesaurus and the organisers' lines after it."""
    entries = []
    for line in session.scalars(select(ThesaurusLine.line).order_by(ThesaurusLine.id)):
        try:
            entry = parse_line(line)
        except ThesaurusError:
            log.warning("thesaurus line skipped: %r", line)  # checked on save; defensive
            continue
        if entry is not None:
            entries.append(entry)
    return default_thesaurus().merged(entries)


@dataclass
class Engine:
    index: RankIndex
    vocabulary: TypoIndex
    thesaurus: Thesaurus
    neighbours: dict[str, list[tuple[str, float]]]


_engines: dict[tuple, Engine] = {}


def engine(session: Session, exhibition_id: int, state: tuple[int, ...] | None = None) -> Engine:
    """The exhibition's engine, built once per search state in each worker."""
    state = state or search_state(session)
    key = (str(session.get_bind().url), exhibition_id, *state)
    found = _engines.get(key)
    if found is not None:
        return found
    rows = session.execute(
        select(
            SearchDocument.kind,
            SearchDocument.ref_id,
            SearchDocument.title_terms,
            SearchDocument.tags_terms,
            SearchDocument.summary_terms,
            SearchDocument.body_terms,
        )
        .where(SearchDocument.exhibition_id == exhibition_id)
        .order_by(SearchDocument.id)
    )
    index = RankIndex(((kind, ref), fields) for kind, ref, *fields in rows)
    neighbours: dict[str, list[tuple[str, float]]] = {}
    for term, other, similarity in session.execute(
        select(SearchNeighbour.term, SearchNeighbour.neighbour, SearchNeighbour.similarity)
    ):
        neighbours.setdefault(term, []).append((other, similarity))
    index.readable()  # built now, so that a query with a word found nowhere costs no more
    built = Engine(index, TypoIndex(index.terms), organisers_thesaurus(session), neighbours)
    if len(_engines) >= 8:
        _engines.clear()  # one or two exhibitions per process in practice; keep memory flat
    _engines[key] = built
    return built
