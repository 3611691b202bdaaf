"""The printed catalogue (PDF): cover, contents by track, one entry per exhibitor with its
booth and a QR code to its page, and indexes by region and by booth number.

It is laid out in three parts, each once: the entries (the body), then the indexes, then the
cover and contents. The pages each track and exhibitor landed on are read from the laid-out
body and written into the indexes and the contents as plain numbers, so they point at the
right pages. WeasyPrint's ``target-counter`` would find them itself, but at the price of
laying out again every page that refers to another (the indexes two more times, with their
columns balanced each time), which was most of the catalogue's time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from sqlalchemy.orm import Session

from exhibit.booking.rules import booth_number_key
from exhibit.booking.services import confirmed_booths
from exhibit.catalogue.services import exhibitors_by_region, list_exhibitors, list_tracks
from exhibit.floorplan.models import Exhibition

PAPERS = ("A4", "A5")
#: How many times the contents may be laid out again because its own length changed.
_FRONT_TRIES = 3


def _qr_modules(url: str) -> tuple[bytes, ...]:
    """The QR code of ``url`` (our own address, not user text): its rows of modules, 1
    where dark, without the quiet zone."""
    import segno

    return tuple(bytes(row) for row in segno.make(url, error="m").matrix)


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
            "qr": _qr_modules(f"{base}/{exhibition.slug}/exhibitors/{e.id}"),
        }
        for e in exhibitors
    }
    booth_index = sorted(
        ((number, e) for e in exhibitors for number in entries[e.id]["booths"]),
        key=lambda item: booth_number_key(item[0]),
    )
    context = {
        "exhibition": exhibition,
        "paper": paper,
        "tracks": [(t, by_track[t.code]) for t in tracks if by_track.get(t.code)],
        "entries": entries,
        "regions": exhibitors_by_region(exhibitors),
        "booth_index": booth_index,
        "printed": datetime.now().strftime("%d.%m.%Y"),
    }
    return _paginate(context)


def _paginate(context: dict[str, Any]) -> bytes:
    """Lay out the three parts of ``print/catalogue.html`` and join their pages.

    The contents' own length decides where the body starts: it is laid out first with the
    numbers unknown, and again with them; should the numbers make it longer (a title that
    no longer fits its line), the body and indexes are laid out again after it.
    """
    from exhibit.html_pdf import documents_to_pdf, font_configuration, html_document

    fonts = font_configuration()

    def part(name: str, pages: dict[str, int], first_page: int = 1) -> Any:
        html = render_template("print/catalogue.html", part=name, pages=pages,
                               first_page=first_page, **context)  # fmt: skip
        return html_document(html, fonts=fonts)

    front_pages = len(part("front", {}).pages)
    for _ in range(_FRONT_TRIES):
        first = front_pages + 1
        # No track has an exhibitor: no entries, and no empty page for them.
        body = part("body", {}, first) if context["tracks"] else None
        body_pages = body.pages if body is not None else []
        pages = _anchor_pages(body_pages, first)
        back_first = first + len(body_pages)
        back = part("back", pages, back_first)
        pages |= _anchor_pages(back.pages, back_first)
        front = part("front", pages)
        if len(front.pages) == front_pages:
            break
        front_pages = len(front.pages)
    # Each entry's QR code goes where the entry starts (its anchor's page and corner).
    starts = _anchor_pages(body_pages, 0)
    places = []
    for id_, entry in context["entries"].items():
        index = starts.get(f"exhibitor-{id_}")
        if index is not None:
            page = body_pages[index]
            x, y = page.anchors[f"exhibitor-{id_}"][:2]
            places.append((len(front.pages) + index, page.height, x, y, entry["qr"]))
    documents = [front, *([body] if body is not None else []), back]
    return documents_to_pdf(documents, finisher=_QrCodes(places))


def _anchor_pages(laid_out: list[Any], first_page: int) -> dict[str, int]:
    """The page number each anchor (element id) is on in ``laid_out`` pages, numbered from
    ``first_page``; an element split between pages is on the first."""
    pages: dict[str, int] = {}
    for number, page in enumerate(laid_out, start=first_page):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


#: The side of a printed QR code (``.qr`` in the template), in CSS pixels, and its quiet
#: zone in modules.
QR_SIDE_PX, QR_BORDER = 22 / 25.4 * 96, 1


class _QrCodes:
    """Draws each exhibitor's QR code into its entry's ``.qr`` box, after WeasyPrint has
    written the pages (a ``write_pdf`` finisher).

    The code is vector, as before: a filled rectangle per run of dark modules on a row, in
    one path. Drawn by WeasyPrint as inline SVG, the codes cost a third of the catalogue's
    time (its SVG path parser reads every run of every code); written as PDF operators they
    cost nothing. The box is the entry's top left corner, where its anchor is.
    """

    def __init__(self, places: list[tuple[int, float, float, float, tuple[bytes, ...]]]) -> None:
        #: (page index, page height, x, y in CSS px from the page's top left, modules)
        self.places = places

    def __call__(self, document: Any, pdf: Any) -> None:
        import pydyf

        scale = 0.75  # PDF points per CSS pixel
        by_page: dict[int, list[bytes]] = defaultdict(list)
        for index, height, x, y, rows in self.places:
            module = QR_SIDE_PX / (len(rows) + 2 * QR_BORDER) * scale
            left = x * scale + QR_BORDER * module
            top = (height - y) * scale - QR_BORDER * module
            ops = [f"q {module:.4f} 0 0 {-module:.4f} {left:.3f} {top:.3f} cm 0 g".encode()]
            ops += [f"{start} {row} {length} 1 re".encode() for row, start, length in _runs(rows)]
            ops.append(b"f Q")
            by_page[index] += ops
        opening = pydyf.Stream([b"q"])
        pdf.add_object(opening)
        kids = pdf.pages["Kids"][::3]
        for index, ops in by_page.items():
            page = pdf.objects[kids[index]]
            # The page's own content in a saved state, then the codes in the page's space.
            codes = pydyf.Stream([b"Q", *ops], compress=True)
            pdf.add_object(codes)
            page["Contents"] = pydyf.Array([opening.reference, page["Contents"], codes.reference])


def _runs(rows: tuple[bytes, ...]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of every horizontal run of dark modules."""
    runs = []
    for r, row in enumerate(rows):
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return runs
