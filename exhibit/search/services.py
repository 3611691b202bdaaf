"""Catalogue search: one box for everything, with facets and counts (PRODUCT.md §6).

Matching and ranking are :mod:`exhibit.search.rank`'s (over the exhibition's cached
:mod:`exhibit.search.engine`); this module adds booth numbers, facets, paging, «did you mean»
and the closest matches when nothing is found.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from exhibit.booking.services import confirmed_booths
from exhibit.catalogue.models import Exhibitor, Region, Track
from exhibit.catalogue.rules import EXHIBITOR_KINDS, SIZE_CLASSES, STAGES, russian_sort_key
from exhibit.errors import InvalidParameter, tr
from exhibit.floorplan.models import Booth, Exhibition
from exhibit.search import engine as engines
from exhibit.search import index
from exhibit.search.models import SearchDocument
from exhibit.search.rank import Alternative, Concept, Part, concepts
from exhibit.search.suggest import SuggestIndex, Suggestion
from exhibit.search.text import QueryPlan, query_terms, stem

FACETS = ("track", "region", "size", "kind", "stage", "tag")
MAX_LIMIT = 100


@dataclass(frozen=True)
class ExhibitorFacts:
    """What search needs of an exhibitor, as plain values (cached per worker)."""

    id: int
    name: str
    kind: str
    region_code: str | None
    region_name: str | None
    municipality: str | None
    size_class: str | None
    solution_ids: tuple[int, ...]


@dataclass(frozen=True)
class SolutionFacts:
    id: int
    title: str
    summary: str
    exhibitor_id: int
    track: str
    stage: str
    tags: tuple[str, ...]


@dataclass
class Result:
    type: str
    id: int
    title: str
    exhibitor: ExhibitorFacts
    booths: list[str]
    solution: SolutionFacts | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "title": self.title,
            "exhibitor": {"id": self.exhibitor.id, "name": self.exhibitor.name},
            "region": self.exhibitor.region_name,
            "booth": self.booths[0] if self.booths else None,
        }


@dataclass
class SearchResult:
    query: str
    total: int
    results: list[Result]
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)
    truncated: bool = False
    #: words of the query that no document holds («не найдено: …»)
    missing: tuple[str, ...] = ()
    #: a corrected query that finds something, when words were not found
    did_you_mean: str | None = None
    #: when nothing is found: the nearest documents (of the corrected or a looser query)
    closest: list[Result] = field(default_factory=list)
    #: the words found nothing at all, before any filter (what the zero-results log keeps)
    found_nothing: bool = False


@dataclass
class Catalogue:
    """The public catalogue of one exhibition as plain values, with its facet values."""

    exhibitors: dict[int, ExhibitorFacts]
    solutions: dict[int, SolutionFacts]
    values: dict[tuple[str, int], dict[str, frozenset[str]]]
    browse: list[tuple[str, int]]
    #: search document id → (kind, ref_id), for this exhibition's documents
    documents: dict[int, tuple[str, int]]
    #: every (facet, value) of a record, flat, for counting in one pass
    pairs: dict[tuple[str, int], tuple[tuple[str, str], ...]]
    #: reference data: track code → name (in the tracks' order), region code → name
    track_names: dict[str, str]
    region_names: dict[str, str]
    #: every public record once, in browsing order; its row number is its place here
    rows: list[tuple[str, int]] = field(default_factory=list)
    row_of: dict[tuple[str, int], int] = field(default_factory=dict)
    #: the (facet, value) pairs, numbered; ``codes[row]`` holds a row's pair numbers, padded
    #: with ``len(pairs_list)`` — facets are counted with one ``bincount`` over the matches
    pairs_list: list[tuple[str, str]] = field(default_factory=list)
    pair_code: dict[tuple[str, str], int] = field(default_factory=dict)
    codes: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), dtype=np.int32))
    #: for the rows of one search engine: its document number → row (−1: not public)
    _doc_rows: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def index_rows(self) -> None:
        """Number the rows and their facet pairs (once, when the catalogue is built)."""
        self.rows = list(self.browse)
        self.row_of = {key: i for i, key in enumerate(self.rows)}
        self.pairs_list = sorted({p for key in self.rows for p in self.pairs[key]})
        self.pair_code = {p: i for i, p in enumerate(self.pairs_list)}
        width = max((len(self.pairs[key]) for key in self.rows), default=0) or 1
        pad = len(self.pairs_list)
        codes = np.full((len(self.rows), width), pad, dtype=np.int32)
        for i, key in enumerate(self.rows):
            own = [self.pair_code[p] for p in self.pairs[key]]
            codes[i, : len(own)] = own
        self.codes = codes

    def doc_rows(self, engine: engines.Engine) -> np.ndarray:
        """The row of each of the engine's documents (−1 for a record that is not public)."""
        found = self._doc_rows.get(id(engine))
        if found is None:
            found = np.fromiter(
                (self.row_of.get(key, -1) for key in engine.index.keys),  # type: ignore[arg-type]
                dtype=np.int64,
                count=len(engine.index.keys),
            )
            self._doc_rows.clear()
            self._doc_rows[id(engine)] = found
        return found

    def having(self, name: str, value: str) -> np.ndarray:
        """A boolean mask of the rows with this facet value."""
        code = self.pair_code.get((name, value))
        if code is None:
            return np.zeros(len(self.rows), dtype=bool)
        return (self.codes == code).any(axis=1)


_catalogues: dict[tuple, Catalogue] = {}


def catalogue_facts(
    session: Session, exhibition_id: int, state: tuple[int, int] | None = None
) -> Catalogue:
    """The public (approved, not deleted) exhibitors and their solutions, cached per worker.

    The key is the search index's state (document count and newest id): every change of an
    exhibitor (approval included) or a solution rewrites its documents, so the key moves.
    """
    state = state or index.index_state(session)
    key = (str(session.get_bind().url), exhibition_id, *state)
    if key in _catalogues:
        return _catalogues[key]
    regions = {r.code: r.name for r in session.scalars(select(Region))}
    exhibitors: dict[int, ExhibitorFacts] = {}
    solutions: dict[int, SolutionFacts] = {}
    rows = session.scalars(
        select(Exhibitor)
        .where(Exhibitor.exhibition_id == exhibition_id, Exhibitor.is_public)
        .options(selectinload(Exhibitor.solutions))
    )
    for e in rows:
        for s in e.solutions:
            solutions[s.id] = SolutionFacts(
                s.id, s.title, s.summary or "", e.id, s.track_code, s.stage, tuple(s.tags or ())
            )
        exhibitors[e.id] = ExhibitorFacts(
            e.id, e.name, e.kind, e.region_code, regions.get(e.region_code or ""),
            e.municipality, e.size_class, tuple(s.id for s in e.solutions),
        )  # fmt: skip
    values: dict[tuple[str, int], dict[str, frozenset[str]]] = {}
    for e in exhibitors.values():
        own = [solutions[i] for i in e.solution_ids]
        common = {
            "region": frozenset([e.region_code] if e.region_code else []),
            "size": frozenset([e.size_class] if e.size_class else []),
            "kind": frozenset([e.kind]),
        }
        values[("exhibitor", e.id)] = {
            **common,
            "track": frozenset(s.track for s in own),
            "stage": frozenset(s.stage for s in own),
            "tag": frozenset(t for s in own for t in s.tags),
        }
        for s in own:
            values[("solution", s.id)] = {
                **common,
                "track": frozenset([s.track]),
                "stage": frozenset([s.stage]),
                "tag": frozenset(s.tags),
            }
    browse = [
        ("exhibitor", e.id)
        for e in sorted(exhibitors.values(), key=lambda e: russian_sort_key(e.name))
    ]
    browse += [
        ("solution", s.id)
        for s in sorted(solutions.values(), key=lambda s: russian_sort_key(s.title))
    ]
    if len(_catalogues) > 16:
        _catalogues.clear()
    documents = {
        doc_id: (kind, ref_id)
        for doc_id, kind, ref_id in session.execute(
            select(SearchDocument.id, SearchDocument.kind, SearchDocument.ref_id).where(
                SearchDocument.exhibition_id == exhibition_id
            )
        )
    }
    pairs = {
        k: tuple((name, v) for name in FACETS for v in facet_values[name])
        for k, facet_values in values.items()
    }
    track_names = {t.code: t.name for t in session.scalars(select(Track).order_by(Track.position))}
    built = Catalogue(exhibitors, solutions, values, browse, documents, pairs, track_names, regions)
    built.index_rows()
    _catalogues[key] = built
    return built


def _check_filters(catalogue: Catalogue, filters: dict[str, str]) -> dict[str, str]:
    """Only known facets with known values; a wrong one is a clear 400, not an empty page."""
    known = {
        "track": set(catalogue.track_names),
        "region": set(catalogue.region_names),
        "size": set(SIZE_CLASSES),
        "kind": set(EXHIBITOR_KINDS),
        "stage": set(STAGES),
    }
    clean = {}
    for name, value in filters.items():
        if not value:
            continue
        if name not in FACETS:
            raise InvalidParameter(
                tr("Неизвестный фильтр «%(name)s»", name=name), details={"field": name}
            )
        if name in known and value not in known[name]:
            raise InvalidParameter(
                tr(
                    "Неизвестное значение фильтра «%(name)s»: «%(value)s»",
                    name=name,
                    value=value[:50],
                ),
                details={"field": name},
            )
        clean[name] = value
    return clean


def search(
    session: Session,
    exhibition: Exhibition,
    q: str = "",
    filters: dict[str, str] | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Search solutions and exhibitors; best first; facets counted over the matches.

    Counts for one facet ignore that facet's own filter (so other values stay choosable).
    Documents with every word of the query come first; a word found nowhere is reported in
    ``missing`` and the rest still match; when nothing matches, ``did_you_mean`` and
    ``closest`` offer a way on.
    """
    state = engines.search_state(session)
    catalogue = catalogue_facts(session, exhibition.id, state[:2])
    filters = _check_filters(catalogue, filters or {})
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    engine = engines.engine(session, exhibition.id, state)
    plan = query_terms(q or "", engine.vocabulary)

    rows = np.zeros(0, dtype=np.int64)
    missing: tuple[str, ...] = ()
    if plan.terms:
        ranking = engine.index.rank(concepts(plan, engine.thesaurus, engine.neighbours))
        rows = catalogue.doc_rows(engine)[ranking.order]
        rows = rows[rows >= 0]  # not public: awaiting approval
        missing = ranking.missing
    elif not plan.booths:
        rows = np.arange(len(catalogue.rows))  # no words: everything, by name
    if plan.booths:
        at_booths = [
            catalogue.row_of[k]
            for k in _at_booths(session, exhibition, catalogue, plan)
            if k in catalogue.row_of
        ]
        if at_booths:
            first = np.asarray(list(dict.fromkeys(at_booths)), dtype=np.int64)
            rows = np.concatenate([first, rows[~np.isin(rows, first)]])

    masks = {name: catalogue.having(name, value) for name, value in filters.items()}
    matched = rows
    if masks:
        keep = np.logical_and.reduce(list(masks.values()))
        matched = rows[keep[rows]]
    pad = len(catalogue.pairs_list)
    facets: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    if not masks:
        counted = np.bincount(catalogue.codes[matched].ravel(), minlength=pad + 1)
        for code in np.flatnonzero(counted[:pad]):
            name, value = catalogue.pairs_list[code]
            facets[name][value] = int(counted[code])
    else:
        # A facet's counts ignore its own filter, so its other values stay choosable.
        for name in FACETS:
            others = [m for n, m in masks.items() if n != name]
            chosen = rows[np.logical_and.reduce(others)[rows]] if others else rows
            counted = np.bincount(catalogue.codes[chosen].ravel(), minlength=pad + 1)
            for code in np.flatnonzero(counted[:pad]):
                facet, value = catalogue.pairs_list[code]
                if facet == name:
                    facets[name][value] = int(counted[code])
    page = [catalogue.rows[i] for i in matched[offset : offset + limit]]
    found_nothing = not plan.is_empty and not len(rows)
    did_you_mean = None
    closest: list[Result] = []
    if missing:
        did_you_mean = _correction(engine, catalogue, plan, missing)
    if found_nothing:
        closest = _closest(session, engine, catalogue, plan, did_you_mean)
    return SearchResult(
        query=plan.text,
        total=len(matched),
        results=_results(session, catalogue, page),
        facets=_label_facets(catalogue, facets),
        filters=filters,
        truncated=plan.truncated,
        missing=missing,
        did_you_mean=did_you_mean,
        closest=closest,
        found_nothing=found_nothing,
    )


def _at_booths(
    session: Session, exhibition: Exhibition, catalogue: Catalogue, plan: QueryPlan
) -> list[tuple[str, int]]:
    """The exhibitors standing at the plan's booth numbers, then their solutions."""
    booth_ids = session.scalars(
        select(Booth.id).where(Booth.exhibition_id == exhibition.id, Booth.number.in_(plan.booths))
    ).all()
    ranked: list[tuple[str, int]] = []
    for exhibitor_id in _owners(session, list(booth_ids)) if booth_ids else []:
        if exhibitor_id in catalogue.exhibitors:
            ranked.append(("exhibitor", exhibitor_id))
            ranked += [("solution", i) for i in catalogue.exhibitors[exhibitor_id].solution_ids]
    return ranked


def _results(session: Session, catalogue: Catalogue, page: list[tuple[str, int]]) -> list[Result]:
    owners = {
        (catalogue.solutions[ref].exhibitor_id if kind == "solution" else ref) for kind, ref in page
    }
    booths = confirmed_booths(session, owners)
    results = []
    for kind, ref in page:
        solution = catalogue.solutions[ref] if kind == "solution" else None
        exhibitor = catalogue.exhibitors[solution.exhibitor_id if solution else ref]
        results.append(
            Result(
                type=kind,
                id=ref,
                title=solution.title if solution else exhibitor.name,
                exhibitor=exhibitor,
                booths=[b.number for b in booths.get(exhibitor.id, [])],
                solution=solution,
            )
        )
    return results


def _correction(
    engine: engines.Engine, catalogue: Catalogue, plan: QueryPlan, missing: tuple[str, ...]
) -> str | None:
    """The query with each word that found nothing replaced by the nearest word of the
    catalogue's titles and tags (one edit in words of 5–8 letters, two from 9), or None when
    no such word has one."""
    readable = engine.index.readable()
    changed = False
    out = []
    for term in plan.terms:
        if term.word in missing:
            nearest = readable.candidates(term.word, limit=1)
            if nearest:
                out.append(nearest[0])
                changed = True
                continue
        out.append(term.word)
    return " ".join(out) if changed else None


#: How many closest matches a search that found nothing offers.
CLOSEST = 5


def _closest(
    session: Session,
    engine: engines.Engine,
    catalogue: Catalogue,
    plan: QueryPlan,
    correction: str | None,
) -> list[Result]:
    """The nearest documents for a query that found nothing: those of the corrected query,
    or else of each word's shorter stem (four letters or more)."""
    keys: list[tuple[str, int]] = []
    if correction:
        corrected = query_terms(correction, engine.vocabulary)
        ranking = engine.index.rank(concepts(corrected, engine.thesaurus, engine.neighbours))
        keys = ranking.keys  # type: ignore[assignment]
    if not keys:
        looser = []
        for term in plan.terms:
            root = stem(term.word)
            if len(root) >= 5 and root.isalpha():
                part = Part(root[: max(4, len(root) - 2)], True)
                looser.append(Concept(term.word, (Alternative((part,), 0.5, "typo"),)))
        if looser:
            keys = engine.index.rank(looser).keys  # type: ignore[assignment]
    public = [k for k in keys if k in catalogue.values][:CLOSEST]
    return _results(session, catalogue, public)


def _owners(session: Session, booth_ids: list[int]) -> list[int]:
    from exhibit.booking.models import Reservation

    return list(
        session.scalars(
            select(Reservation.exhibitor_id).where(
                Reservation.booth_id.in_(booth_ids), Reservation.status == "confirmed"
            )
        )
    )


SIZE_LABELS = {
    "small": "малый (до 50 тыс.)",
    "medium": "средний (50–100 тыс.)",
    "large": "большой (100–250 тыс.)",
    "big": "крупный (250 тыс. – 1 млн)",
    "largest": "крупнейший (более 1 млн)",
}
KIND_LABELS = {
    "municipality": "муниципалитет",
    "region": "регион",
    "company": "компания",
    "university": "университет",
    "federal-body": "федеральный орган",
}
STAGE_LABELS = {"idea": "идея", "pilot": "пилот", "operation": "работает", "scaled": "тиражируется"}


def _label_facets(
    catalogue: Catalogue, counts: dict[str, Counter[str]]
) -> dict[str, list[tuple[str, str, int]]]:
    """Facet values as (value, label, count): tracks in their order, the rest by count/name."""
    regions = catalogue.region_names
    labelled: dict[str, list[tuple[str, str, int]]] = {}
    labelled["track"] = [
        (code, name, counts["track"][code])
        for code, name in catalogue.track_names.items()
        if counts["track"][code]
    ]
    labelled["region"] = sorted(
        ((c, regions.get(c, c), n) for c, n in counts["region"].items()),
        key=lambda item: russian_sort_key(item[1]),
    )
    labelled["size"] = [
        (s, SIZE_LABELS[s], counts["size"][s]) for s in SIZE_CLASSES if counts["size"][s]
    ]
    labelled["kind"] = [
        (k, KIND_LABELS[k], counts["kind"][k]) for k in EXHIBITOR_KINDS if counts["kind"][k]
    ]
    labelled["stage"] = [
        (s, STAGE_LABELS[s], counts["stage"][s]) for s in STAGES if counts["stage"][s]
    ]
    labelled["tag"] = [
        (t, t, n) for t, n in sorted(counts["tag"].items(), key=lambda i: (-i[1], i[0]))[:30]
    ]
    return labelled


# --- suggestions as you type -------------------------------------------------------------

_suggesters: dict[tuple, SuggestIndex] = {}
_NEWEST_EVENT = text("SELECT coalesce(max(id), 0) FROM audit_event")


def suggestions(
    session: Session, exhibition: Exhibition, q: str, limit: int = 8
) -> list[Suggestion]:
    """Solutions, exhibitors, towns and booth numbers for what has been typed so far.

    The index is built once per worker and data version (search documents, and the newest
    audit event, which moves when a booth is confirmed or released)."""
    state = engines.search_state(session)
    key = (str(session.get_bind().url), exhibition.id, *state, session.scalar(_NEWEST_EVENT))
    index_ = _suggesters.get(key)
    if index_ is None:
        index_ = SuggestIndex(
            _suggestion_entries(session, catalogue_facts(session, exhibition.id, state[:2]))
        )
        if len(_suggesters) >= 8:
            _suggesters.clear()
        _suggesters[key] = index_
    return index_.lookup(q, limit=max(1, min(limit, 20)))


def _suggestion_entries(session: Session, catalogue: Catalogue) -> list[Suggestion]:
    entries = []
    for e in catalogue.exhibitors.values():
        entries.append(
            Suggestion("exhibitor", e.name, str(e.id), e.municipality or e.region_name or "")
        )
    towns: dict[str, str] = {}
    for e in catalogue.exhibitors.values():
        if e.municipality and e.municipality not in towns:
            towns[e.municipality] = e.region_name or ""
    entries += [Suggestion("town", town, town, region) for town, region in towns.items()]
    for s in catalogue.solutions.values():
        entries.append(
            Suggestion("solution", s.title, str(s.id), catalogue.exhibitors[s.exhibitor_id].name)
        )
    booths = confirmed_booths(session, set(catalogue.exhibitors))
    for exhibitor_id, held in booths.items():
        for booth in held:
            entries.append(
                Suggestion(
                    "booth", booth.number, booth.number, catalogue.exhibitors[exhibitor_id].name
                )
            )
    return entries
