"""The printed catalogue (PDF): cover, contents by track, one entry per exhibitor with its
booth and a QR code to its page, and indexes by region and by booth number.

Page numbers in the contents and the indexes are WeasyPrint's ``target-counter``: they
point at the page the entry actually landed on.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import segno
from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy.orm import Session

from exhibit.booking.rules import booth_number_key
from exhibit.booking.services import confirmed_booths
from exhibit.catalogue.services import exhibitors_by_region, list_exhibitors, list_tracks
from exhibit.floorplan.models import Exhibition
from exhibit.html_pdf import html_to_pdf

PAPERS = ("A4", "A5")


def _qr(url: str) -> Markup:
    # segno writes the SVG from the URL (our own address, not user text).
    return Markup(segno.make(url, error="m").svg_inline(scale=2, border=1, omitsize=True))


def catalogue_pdf(session: Session, exhibition: Exhibition, *, paper: str = "A4") -> bytes:
    """The exhibition's printed catalogue."""
    if paper not in PAPERS:
        raise ValueError(f"Формат «{paper}» для каталога: A4 или A5")
    exhibitors = list_exhibitors(session, exhibition.id)
    booths = confirmed_booths(session, (e.id for e in exhibitors))
    base = current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    tracks = list_tracks(session)
    by_track: dict[str, list] = defaultdict(list)
    for exhibitor in exhibitors:
        main = exhibitor.solutions[0].track_code if exhibitor.solutions else None
        by_track[main].append(exhibitor)
    entries = {
        e.id: {
            "exhibitor": e,
            "booths": [b.number for b in booths.get(e.id, [])],
            "qr": _qr(f"{base}/{exhibition.slug}/exhibitors/{e.id}"),
        }
        for e in exhibitors
    }
    booth_index = sorted(
        ((number, e) for e in exhibitors for number in entries[e.id]["booths"]),
        key=lambda item: booth_number_key(item[0]),
    )
    html = render_template(
        "print/catalogue.html",
        exhibition=exhibition,
        paper=paper,
        tracks=[(t, by_track[t.code]) for t in tracks if by_track.get(t.code)],
        entries=entries,
        regions=exhibitors_by_region(exhibitors),
        booth_index=booth_index,
        printed=datetime.now().strftime("%d.%m.%Y"),
    )
    return html_to_pdf(html)
