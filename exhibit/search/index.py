"""The search documents: written here, ranked by :mod:`exhibit.search.rank`.

Documents (:class:`SearchDocument`) hold stemmed text made by :mod:`exhibit.search.text`,
one column per field (title, tags, summary, description). The application ranks them in
Python (:mod:`exhibit.search.engine`), the same on both databases. The engines' own indexes
over them — an FTS5 table on SQLite (``search_fts``), a GIN index on a weighted ``tsvector``
on PostgreSQL — are still kept in step by migration 0002's triggers and index; :func:`query`
and :func:`vocabulary` below search them the way search worked before issue 17, for the
comparison in ``bench/search_quality.py`` only.

The documents follow the data by themselves: a session listener rewrites those of every
solution and exhibitor that a flush adds, changes or deletes, in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, event, func, insert, select, text
from sqlalchemy.orm import Session, selectinload

from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import unit_of_work
from exhibit.search.models import SearchDocument
from exhibit.search.text import QueryPlan, TypoIndex, fts5_match, to_index_text, tsquery

#: Column weights: title over summary over description.
WEIGHTS = (10.0, 4.0, 1.0)
#: The most documents one query looks at (a catalogue holds a few thousand).
MATCH_LIMIT = 5000
_SAFE_WORD = re.compile(r"^\w+$")


def _join(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p)


def solution_document(solution: Solution, exhibitor: Exhibitor) -> dict[str, Any]:
    region = exhibitor.region.name if exhibitor.region else ""
    return {
        "exhibition_id": exhibitor.exhibition_id,
        "kind": "solution",
        "ref_id": solution.id,
        "exhibitor_id": exhibitor.id,
        "title_terms": to_index_text(solution.title),
        "summary_terms": to_index_text(_join(solution.summary, " ".join(solution.tags or []))),
        "tags_terms": to_index_text(" ".join(solution.tags or [])),
        "body_terms": to_index_text(
            _join(solution.description, solution.results, exhibitor.name,
                  exhibitor.municipality, region)
        ),
    }  # fmt: skip


def exhibitor_document(exhibitor: Exhibitor) -> dict[str, Any]:
    region = exhibitor.region.name if exhibitor.region else ""
    return {
        "exhibition_id": exhibitor.exhibition_id,
        "kind": "exhibitor",
        "ref_id": exhibitor.id,
        "exhibitor_id": exhibitor.id,
        "title_terms": to_index_text(_join(exhibitor.name, exhibitor.short_name)),
        "summary_terms": to_index_text(_join(exhibitor.municipality, region)),
        "tags_terms": "",
        "body_terms": to_index_text(exhibitor.description),
    }


def _write(session: Session, exhibitors: Iterable[Exhibitor], solutions: Iterable[Solution],
           gone: Iterable[tuple[str, int]]) -> None:  # fmt: skip
    connection = session.connection()
    rows = [exhibitor_document(e) for e in exhibitors]
    rows += [solution_document(s, s.exhibitor) for s in solutions]
    keys = [(r["kind"], r["ref_id"]) for r in rows] + list(gone)
    for kind in ("solution", "exhibitor"):
        ids = [ref for k, ref in keys if k == kind]
        for start in range(0, len(ids), 500):
            connection.execute(
                delete(SearchDocument).where(
                    SearchDocument.kind == kind, SearchDocument.ref_id.in_(ids[start : start + 500])
                )
            )
    if rows:
        connection.execute(insert(SearchDocument), rows)


@unit_of_work
def reindex(session: Session, exhibition_id: int | None = None) -> int:
    """Rewrite every document (of one exhibition, or all); returns how many were written.

    Soft-deleted exhibitors and their solutions have no documents."""
    query = (
        select(Exhibitor)
        .where(Exhibitor.deleted_at.is_(None))
        .options(selectinload(Exhibitor.solutions), selectinload(Exhibitor.region))
    )
    if exhibition_id is not None:
        query = query.where(Exhibitor.exhibition_id == exhibition_id)
    exhibitors = list(session.scalars(query))
    stale = select(SearchDocument.id)
    if exhibition_id is not None:
        stale = stale.where(SearchDocument.exhibition_id == exhibition_id)
    session.execute(delete(SearchDocument).where(SearchDocument.id.in_(stale)))
    solutions = [s for e in exhibitors for s in e.solutions]
    _write(session, exhibitors, solutions, [])
    return len(exhibitors) + len(solutions)


@unit_of_work
def reindex_if_incomplete(session: Session) -> int:
    """Build the index when it lacks documents (a database from before the index) or their
    tags (from before migration 0004); returns how many were written (0: it was complete)."""
    documents = session.scalar(select(func.count()).select_from(SearchDocument)) or 0
    live = Exhibitor.deleted_at.is_(None)
    exhibitors = session.scalar(select(func.count(Exhibitor.id)).where(live)) or 0
    solutions = (
        session.scalar(select(func.count(Solution.id)).join(Solution.exhibitor).where(live)) or 0
    )
    untagged_documents = session.scalar(
        select(func.count())
        .select_from(SearchDocument)
        .where(SearchDocument.kind == "solution", SearchDocument.tags_terms == "")
    )
    tags = session.scalars(select(Solution.tags).join(Solution.exhibitor).where(live))
    untagged = sum(1 for solution_tags in tags if not solution_tags)
    if documents == exhibitors + solutions and untagged_documents == untagged:
        return 0
    return reindex(session)


@event.listens_for(Session, "after_flush")
def _follow_changes(session: Session, flush_context: Any) -> None:
    """Keep documents in step with the solutions and exhibitors this flush touched."""
    exhibitors: dict[int, Exhibitor] = {}
    solutions: dict[int, Solution] = {}
    gone: list[tuple[str, int]] = []
    for obj in session.deleted:
        if isinstance(obj, Solution | Exhibitor) and obj.id is not None:
            gone.append(("solution" if isinstance(obj, Solution) else "exhibitor", obj.id))
    deleted = {id(o) for o in session.deleted}
    for obj in list(session.new) + list(session.dirty):
        if id(obj) in deleted:
            continue
        if isinstance(obj, Exhibitor):
            if obj.deleted_at is not None:
                # A soft-deleted exhibitor leaves the index with its solutions.
                gone.append(("exhibitor", obj.id))
                gone.extend(("solution", s.id) for s in obj.solutions if s.id is not None)
                continue
            exhibitors[obj.id] = obj
            # Solution documents carry the exhibitor's name and place.
            solutions.update({s.id: s for s in obj.solutions if s.id is not None})
        elif isinstance(obj, Solution) and obj.exhibitor is not None:
            if obj.exhibitor.deleted_at is not None:
                gone.append(("solution", obj.id))
                continue
            solutions[obj.id] = obj
    if exhibitors or solutions or gone:
        _write(session, exhibitors.values(), solutions.values(), gone)


# --- querying ---------------------------------------------------------------------------


def _exact_words(plan: QueryPlan) -> list[str] | None:
    words = [t.variants[0].word for t in plan.terms]
    if not words or not all(_SAFE_WORD.match(w) for w in words):
        return None
    return words


def _fts5_exact(plan: QueryPlan) -> str | None:
    words = _exact_words(plan)
    return " AND ".join(f'"{w}"' for w in words) if words else None


def _ts_exact(plan: QueryPlan) -> str | None:
    words = _exact_words(plan)
    return " & ".join(f"'{w}'" for w in words) if words else None


_TSV = (
    "setweight(to_tsvector('simple', title_terms), 'A') || "
    "setweight(to_tsvector('simple', summary_terms), 'B') || "
    "setweight(to_tsvector('simple', body_terms), 'C')"
)


def _run(session: Session, exhibition_id: int, expression: str) -> list[int]:
    """Ids of the matching documents, best first (only ids: rows cost more than ranking)."""
    if session.get_bind().dialect.name == "sqlite":
        # The FTS5 table holds every exhibition; the caller keeps only its own documents.
        statement = text(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH :q "
            f"ORDER BY bm25(search_fts, {WEIGHTS[0]}, {WEIGHTS[1]}, {WEIGHTS[2]}) LIMIT :n"
        )
    else:
        statement = text(
            f"SELECT id FROM search_document WHERE ({_TSV}) @@ to_tsquery('simple', :q) "
            f"AND exhibition_id = :e ORDER BY ts_rank({_TSV}, to_tsquery('simple', :q)) DESC, id "
            "LIMIT :n"
        )
    parameters = {"q": expression, "e": exhibition_id, "n": MATCH_LIMIT}
    return list(session.scalars(statement, parameters))


def query(session: Session, exhibition_id: int, plan: QueryPlan) -> list[int]:
    """Ids of the documents matching the plan, best first: exact words, then word forms, then
    guesses; within a tier by weighted relevance (title over summary over description)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    tiers = [
        _fts5_exact(plan) if sqlite else _ts_exact(plan),
        fts5_match(plan, kinds=["typed"]) if sqlite else tsquery(plan, kinds=["typed"]),
        fts5_match(plan) if sqlite else tsquery(plan),
    ]
    ranked: dict[int, None] = {}
    done: set[str] = set()
    for expression in tiers:
        if not expression or expression in done:
            continue  # without guesses the last tier repeats the one before
        done.add(expression)
        for doc_id in _run(session, exhibition_id, expression):
            ranked.setdefault(doc_id, None)
    return list(ranked)


def index_state(session: Session) -> tuple[int, int]:
    """(document count, newest document id): changes whenever any document is rewritten."""
    count, newest = session.execute(
        select(func.count(SearchDocument.id), func.coalesce(func.max(SearchDocument.id), 0))
    ).one()
    return int(count), int(newest)


_vocabularies: dict[tuple[str, int, int], TypoIndex] = {}


def vocabulary(session: Session, state: tuple[int, int] | None = None) -> TypoIndex:
    """The index's own terms, for typo guesses; rebuilt when the documents change.

    Cached per process by (database, document count, newest document id): rewriting a
    document gives it a new id, so any change makes a new key.
    """
    bind = session.get_bind()
    key = (str(bind.url), *(state or index_state(session)))
    if key not in _vocabularies:
        if bind.dialect.name == "sqlite":
            terms = session.scalars(text("SELECT term FROM search_vocab"))
        else:
            terms = session.scalars(
                text(
                    "SELECT word FROM ts_stat('SELECT to_tsvector(''simple'', title_terms || '' '' "
                    "|| summary_terms || '' '' || body_terms) FROM search_document')"
                )
            )
        _vocabularies.clear()  # one database per process in practice; keep memory flat
        _vocabularies[key] = TypoIndex(list(terms))
    return _vocabularies[key]


@unit_of_work
def rebuild_neighbours(session: Session, vector: Any = None) -> int | None:
    """Recompute the neighbours by word meaning of every catalogue word; the number of
    pairs, or None when no embeddings are installed (and nothing changes).

    ``vector`` (word → vector or None) defaults to navec's, shipped by natasha."""
    from exhibit.search import neighbours
    from exhibit.search.models import SearchNeighbour

    if vector is None:
        vector = neighbours.load_vectors()
        if vector is None:
            return None
    words: set[str] = set()
    columns = (
        SearchDocument.title_terms,
        SearchDocument.tags_terms,
        SearchDocument.summary_terms,
        SearchDocument.body_terms,
    )
    for row in session.execute(select(*columns)):
        for field in row:
            words.update(field.split())
    pairs = neighbours.nearest(words, vector)
    session.execute(delete(SearchNeighbour))
    if pairs:
        session.execute(
            insert(SearchNeighbour),
            [{"term": a, "neighbour": b, "similarity": s} for a, b, s in pairs],
        )
    return len(pairs)
