"""Catalogue search: one box for everything, with facets and counts (PRODUCT.md §6)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from exhibit.booking.services import confirmed_booths
from exhibit.catalogue.models import Exhibitor, Region, Solution, Track
from exhibit.catalogue.rules import EXHIBITOR_KINDS, SIZE_CLASSES, STAGES, russian_sort_key
from exhibit.errors import InvalidParameter
from exhibit.floorplan.models import Booth, Exhibition
from exhibit.search import index
from exhibit.search.text import query_terms

FACETS = ("track", "region", "size", "kind", "stage", "tag")
MAX_LIMIT = 100


@dataclass
class Result:
    type: str
    id: int
    title: str
    exhibitor: Exhibitor
    booths: list[str]
    solution: Solution | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "title": self.title,
            "exhibitor": {"id": self.exhibitor.id, "name": self.exhibitor.name},
            "region": self.exhibitor.region.name if self.exhibitor.region else None,
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


def _check_filters(session: Session, filters: dict[str, str]) -> dict[str, str]:
    """Only known facets with known values; a wrong one is a clear 400, not an empty page."""
    known = {
        "track": set(session.scalars(select(Track.code))),
        "region": set(session.scalars(select(Region.code))),
        "size": set(SIZE_CLASSES),
        "kind": set(EXHIBITOR_KINDS),
        "stage": set(STAGES),
    }
    clean = {}
    for name, value in filters.items():
        if not value:
            continue
        if name not in FACETS:
            raise InvalidParameter(f"Неизвестный фильтр «{name}»", details={"field": name})
        if name in known and value not in known[name]:
            raise InvalidParameter(
                f"Неизвестное значение фильтра «{name}»: «{value[:50]}»", details={"field": name}
            )
        clean[name] = value
    return clean


def _facet_values(solution: Solution | None, exhibitor: Exhibitor) -> dict[str, set[str]]:
    solutions = [solution] if solution else list(exhibitor.solutions)
    return {
        "track": {s.track_code for s in solutions},
        "stage": {s.stage for s in solutions},
        "tag": {t for s in solutions for t in (s.tags or [])},
        "region": {exhibitor.region_code} if exhibitor.region_code else set(),
        "size": {exhibitor.size_class} if exhibitor.size_class else set(),
        "kind": {exhibitor.kind},
    }


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
    """
    filters = _check_filters(session, filters or {})
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    plan = query_terms(q or "", index.vocabulary(session))

    approved = {
        e.id: e
        for e in session.scalars(
            select(Exhibitor)
            .where(Exhibitor.exhibition_id == exhibition.id, Exhibitor.approved.is_(True))
            .options(selectinload(Exhibitor.solutions), selectinload(Exhibitor.region))
        )
    }
    solutions = {s.id: s for e in approved.values() for s in e.solutions}
    ranked: list[tuple[str, int]] = []
    if plan.booths:
        # A booth number: the exhibitors standing there first, then their solutions.
        numbers = session.scalars(
            select(Booth.id).where(
                Booth.exhibition_id == exhibition.id, Booth.number.in_(plan.booths)
            )
        ).all()
        if numbers:
            booth_owner_ids = _owners(session, numbers)
            for exhibitor_id in booth_owner_ids:
                if exhibitor_id in approved:
                    ranked.append(("exhibitor", exhibitor_id))
                    ranked += [("solution", s.id) for s in approved[exhibitor_id].solutions]
    if plan.terms:
        ranked += [(h.kind, h.ref_id) for h in index.query(session, exhibition.id, plan)]
    elif not plan.booths:
        # No words: browse everything, exhibitors and solutions by name.
        ranked = [
            ("exhibitor", e.id)
            for e in sorted(approved.values(), key=lambda e: russian_sort_key(e.name))
        ]
        ranked += [
            ("solution", s.id)
            for s in sorted(solutions.values(), key=lambda s: russian_sort_key(s.title))
        ]

    seen: set[tuple[str, int]] = set()
    candidates: list[tuple[str, int, Exhibitor, Solution | None, dict[str, set[str]]]] = []
    for kind, ref in ranked:
        if (kind, ref) in seen:
            continue
        seen.add((kind, ref))
        solution = solutions.get(ref) if kind == "solution" else None
        exhibitor = solution.exhibitor if solution else approved.get(ref)
        if exhibitor is None or exhibitor.id not in approved:
            continue  # not public (awaiting approval) or from another exhibition
        candidates.append((kind, ref, exhibitor, solution, _facet_values(solution, exhibitor)))

    def passes(values: dict[str, set[str]], skip: str | None = None) -> bool:
        return all(v in values[name] for name, v in filters.items() if name != skip)

    matched = [c for c in candidates if passes(c[4])]
    facets: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for name in FACETS:
        for *_, values in candidates:
            if passes(values, skip=name):
                facets[name].update(values[name])
    page = matched[offset : offset + limit]
    booths = confirmed_booths(session, {c[2].id for c in page})
    results = [
        Result(
            type=kind,
            id=ref,
            title=solution.title if solution else exhibitor.name,
            exhibitor=exhibitor,
            booths=[b.number for b in booths.get(exhibitor.id, [])],
            solution=solution,
        )
        for kind, ref, exhibitor, solution, _ in page
    ]
    return SearchResult(
        query=plan.text,
        total=len(matched),
        results=results,
        facets=_label_facets(session, facets),
        filters=filters,
        truncated=plan.truncated,
    )


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
    session: Session, counts: dict[str, Counter[str]]
) -> dict[str, list[tuple[str, str, int]]]:
    """Facet values as (value, label, count): tracks in their order, the rest by count/name."""
    tracks = {t.code: t for t in session.scalars(select(Track).order_by(Track.position))}
    regions = {r.code: r.name for r in session.scalars(select(Region))}
    labelled: dict[str, list[tuple[str, str, int]]] = {}
    labelled["track"] = [
        (code, t.name, counts["track"][code]) for code, t in tracks.items() if counts["track"][code]
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
