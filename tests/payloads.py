"""Hostile text for every free-text field an exhibitor fills, planted in the demo data.

Each payload is a classic way out of a text node or an attribute; :func:`poison` puts them
in one exhibitor with a confirmed booth (so they reach the catalogue, the hall map, the
printed map and the printed catalogue) and in one of its solutions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from exhibit.floorplan.models import Booth

SCRIPT = "<script>alert('xss-script')</script>"
ATTRIBUTE = "\"><img src=x onerror=alert('xss-attr')>"
SINGLE = "'><svg/onload=alert('xss-svg')>"
SVG = "<svg><script>alert('xss-svg-script')</script></svg>"
JAVASCRIPT_URL = "javascript:alert('xss-url')"
STYLE = "</style><script>alert('xss-style')</script>"

#: The exhibitor's name: unique, so it carries a plain word to find it by.
NAME = f"Ирбит {SCRIPT}"


@dataclass
class Poisoned:
    exhibitor_id: int
    solution_id: int
    booth: str
    region: str | None
    track: str


def poison() -> Poisoned:
    """Put the payloads in the exhibitor of the first confirmed booth and its first solution.

    Written straight to the database, past the forms: whatever validation the forms do,
    the pages must stay inert on their own (data can also come from an import or an API).
    """
    booth, exhibitor = db.session.execute(
        select(Booth.number, Exhibitor)
        .join(Reservation, Reservation.booth_id == Booth.id)
        .join(Exhibitor, Exhibitor.id == Reservation.exhibitor_id)
        .where(Reservation.status == "confirmed")
        .order_by(Booth.number)
    ).first()
    exhibitor.name = NAME
    exhibitor.short_name = ATTRIBUTE[:40]
    exhibitor.municipality = SINGLE
    exhibitor.description = f"{SVG} {ATTRIBUTE} {STYLE}"
    exhibitor.website = JAVASCRIPT_URL
    exhibitor.contacts = {"person": SCRIPT, "email": ATTRIBUTE, "phone": SINGLE}
    solution = db.session.scalars(
        select(Solution).where(Solution.exhibitor_id == exhibitor.id).order_by(Solution.id)
    ).first()
    if solution is None:
        solution = Solution(exhibitor_id=exhibitor.id, track_code="living", stage="idea")
        db.session.add(solution)
    solution.title = f"Сквер {ATTRIBUTE}"
    solution.summary = SINGLE
    solution.description = f"{SCRIPT} {SVG}"
    solution.results = STYLE
    solution.tags = [SCRIPT, ATTRIBUTE]
    db.session.commit()
    return Poisoned(exhibitor.id, solution.id, booth, exhibitor.region_code, solution.track_code)


#: What must never be in a page's markup: the payloads as live markup.
LIVE_MARKUP = (SCRIPT, "<img src=x", "<svg/onload", "<svg><script", 'href="javascript:')
