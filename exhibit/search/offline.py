"""The compact search index a visitor's browser keeps for searching with no network.

One entry per public exhibitor and solution: its kind, title, a line under it, the booth,
the page and the other words it can be found by besides its title, normalised with
:func:`exhibit.search.text.tokenise` (casefolded, ё → е, accents off, each word once). The
browser matches a query's words as prefixes of the title's and these words
(``static/js/offline.js``), cutting the ending of a long query word so that «транспорта»
finds «транспортный»: no stemmer runs in the browser. What the online search adds besides,
the browser does too, with what the index gives it: ``t`` holds the stems of the thesaurus's
other ways to say the entry's terms (synonyms and related terms, the organisers' lines
included: «мусор» finds an entry about «отходы»), matched as prefixes either way; a query
typed in the wrong keyboard layout is read again in the other, and a query word of five
letters or more that finds nothing may differ by one letter (one edit).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy.orm import Session

from exhibit.booking.services import confirmed_booths
from exhibit.catalogue.models import Exhibitor
from exhibit.catalogue.services import list_exhibitors
from exhibit.floorplan.models import Exhibition
from exhibit.i18n import localised
from exhibit.search.engine import organisers_thesaurus
from exhibit.search.text import stems, tokenise
from exhibit.search.thesaurus import Thesaurus


def _words(*texts: Any, besides: str = "") -> str:
    """The words of ``texts``, each once, less those of ``besides`` (the title, which the
    browser reads from the entry's title itself)."""
    known = set(tokenise(besides))
    seen = dict.fromkeys(word for text in texts if text for word in tokenise(str(text)))
    return " ".join(word for word in seen if word not in known)


def _alternatives(thesaurus: Thesaurus, *texts: Any) -> str:
    """The stems of the thesaurus's other ways to say any term of ``texts``, each once,
    less the stems the texts have themselves."""
    own = [s for text in texts if text for s in stems(str(text))]
    known = set(own)
    found: dict[str, None] = {}
    for _start, _end, others in thesaurus.spans(own):
        for side in others:
            found.update(dict.fromkeys(s for s in side if s not in known))
    return " ".join(found)


def offline_index(session: Session, exhibition: Exhibition) -> list[dict[str, Any]]:
    """Entries for every public exhibitor of ``exhibition`` and every solution they show."""
    exhibitors: list[Exhibitor] = list_exhibitors(session, exhibition.id)
    booths = confirmed_booths(session, [e.id for e in exhibitors])
    slug = exhibition.slug
    thesaurus = organisers_thesaurus(session)
    entries: list[dict[str, Any]] = []
    for exhibitor in exhibitors:
        region = localised(exhibitor.region) if exhibitor.region else ""
        numbers = [b.number for b in booths.get(exhibitor.id, [])]
        booth = numbers[0] if numbers else ""
        place = _words(exhibitor.name, exhibitor.short_name, exhibitor.municipality, region)
        entries.append({
            "k": "e",
            "title": exhibitor.name,
            "sub": region,
            "booth": booth,
            "url": url_for("catalogue.exhibitor", slug=slug, exhibitor_id=exhibitor.id),
            "w": _words(place, " ".join(numbers), besides=exhibitor.name),
            "t": _alternatives(thesaurus, exhibitor.name, exhibitor.short_name),
        })  # fmt: skip
        for solution in exhibitor.solutions:
            entries.append({
                "k": "s",
                "id": solution.id,
                "title": solution.title,
                "sub": exhibitor.name,
                "booth": booth,
                "url": url_for("catalogue.solution", slug=slug, solution_id=solution.id),
                "w": _words(" ".join(solution.tags or []), solution.summary,
                            localised(solution.track), place, besides=solution.title),
                "t": _alternatives(thesaurus, solution.title, " ".join(solution.tags or []),
                                   solution.summary),
            })  # fmt: skip
    return entries
