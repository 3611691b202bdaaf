""" "You are here" posters: one page per point of the hall's plan, A4 or A3, with a QR code.

The QR code (segno, drawn inline as SVG) links to ``/<slug>/map?at=<point id>``: the map
opens at the point, turned so that the way the reader faces is up, and routes start there.
The link names the point, not its place, so a poster survives a new plan version: the map
looks the point up in the plan of the day (moved: the new place; removed: a notice).
"""

from __future__ import annotations

from html import escape

from exhibit.floorplan.models import Exhibition, Hall
from exhibit.floorplan.plan import PlanPoint
from exhibit.floorplan.services import hall_plan
from exhibit.html_pdf import html_to_pdf

#: Paper sizes a poster may have.
POSTER_PAPER = ("A4", "A3")

_KIND = {
    "entrance": "у входа",
    "column": "на колонне",
    "crossing": "на перекрёстке проходов",
    "other": "",
}


def poster_url(base_url: str, slug: str, point: PlanPoint) -> str:
    """The link a poster's QR code holds."""
    return f"{base_url.rstrip('/')}/{slug}/map?at={point.id}"


def _qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=1, border=2, dark="#000")


def _page(exhibition: Exhibition, hall: Hall, point: PlanPoint, url: str) -> str:
    kind = _KIND.get(point.type, "")
    return f"""
<section class="poster">
  <p class="show">{escape(exhibition.title)} · {escape(hall.name)}</p>
  <h1>Вы здесь</h1>
  <p class="name">{escape(point.name)}</p>
  <p class="kind">{escape(kind)} · точка {escape(point.id)}</p>
  <div class="qr">{_qr_svg(url)}</div>
  <p class="how">Наведите камеру телефона: карта откроется с этого места, повернутая так,
  как вы стоите, и маршрут к стендам начнётся отсюда. Есть маршрут без ступеней.</p>
  <p class="url">{escape(url)}</p>
</section>"""


def posters_html(exhibition: Exhibition, hall: Hall, base_url: str, paper: str = "A4") -> str:
    """The posters of every point of the hall's plan as one HTML document."""
    if paper not in POSTER_PAPER:
        raise ValueError(f"paper must be one of {', '.join(POSTER_PAPER)}, not {paper!r}")
    points = hall_plan(hall).points
    pages = "".join(
        _page(exhibition, hall, p, poster_url(base_url, exhibition.slug, p)) for p in points
    )
    scale = 1.0 if paper == "A4" else 1.41
    return f"""<!doctype html><html lang="ru"><head><meta charset="utf-8"><style>
@page {{ size: {paper} portrait; margin: 15mm; }}
body {{ font-family: 'DejaVu Sans', sans-serif; }}
.poster {{ page-break-after: always; text-align: center; }}
.show {{ font-size: {12 * scale:.0f}pt; color: #555; }}
h1 {{ font-size: {64 * scale:.0f}pt; margin: 6mm 0; color: #c8102e; }}
.name {{ font-size: {28 * scale:.0f}pt; font-weight: bold; }}
.kind {{ font-size: {14 * scale:.0f}pt; }}
.qr svg {{ width: {110 * scale:.0f}mm; height: {110 * scale:.0f}mm; }}
.how {{ font-size: {13 * scale:.0f}pt; margin: 6mm 10mm; }}
.url {{ font-size: {10 * scale:.0f}pt; color: #555; }}
</style></head><body>{pages}</body></html>"""


def posters_pdf(exhibition: Exhibition, hall: Hall, base_url: str, paper: str = "A4") -> bytes:
    """:func:`posters_html` as PDF (one page per point)."""
    return html_to_pdf(posters_html(exhibition, hall, base_url, paper))
