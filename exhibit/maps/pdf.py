"""Printed hall maps as PDF (WeasyPrint), in three editions: visitor, sales, fire safety.

The drawing is an SVG made from a Jinja2 template and handed to WeasyPrint as an image
(``memory:map.svg``), which spares it the HTML style cascade. WeasyPrint fetches nothing
else: the URL fetcher serves only that in-memory drawing, so no text an exhibitor typed can
make the renderer open a network address or a local file.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit.booking.services import booth_states
from exhibit.catalogue.models import Track
from exhibit.catalogue.rules import russian_sort_key
from exhibit.floorplan.models import Hall
from exhibit.floorplan.plan import EQUIPMENT_TYPES
from exhibit.floorplan.services import hall_plan
from exhibit.html_pdf import html_to_pdf
from exhibit.maps.printing import (
    EDITIONS,
    FOOTER,
    HEADER,
    MARGIN,
    PrintError,
    Sheet,
    aisle_dimensions,
    fit_label,
    scale_bar,
    sheet_for,
    text_width,
)
from exhibit.maps.svg import Frame, door_label_anchor, inward_point, label_point

EDITION_TITLES = {"visitor": "план для посетителей", "sales": "план продаж",
                  "fire": "план пожарной безопасности"}  # fmt: skip
STATUS_LEGEND = {
    "available": ("#ffffff", "свободен"),
    "requested": ("#fde7b0", "заявка"),
    "held": ("#e3d7f5", "удерживается"),
    "confirmed": ("#c9d6e3", "забронирован"),
    "blocked": ("#d0d0d0", "не продаётся"),
}
EXIT_CLEARANCE_M = 2.0
#: Size (mm) of a booth's track mark, the track's number in its top left corner.
MARK_MM = 1.6


def _money(value: Decimal) -> str:
    return f"{int(value):,}".replace(",", " ")


#: The stages of :func:`hall_map_pdf`, as it reports them (the index only for visitors).
MAP_STAGES = ("чертёж и подписи", "лист карты", "указатель экспонентов", "сборка PDF")


def hall_map_pdf(
    session: Session,
    hall: Hall,
    *,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> bytes:
    """The hall's map as a PDF (options of :func:`hall_map_document`); ``progress`` is told
    each of :data:`MAP_STAGES` as it begins.

    Raises :class:`PrintError` for choices that cannot work.
    """
    begin = progress or (lambda stage: None)
    drawing, sheet, index, joining = MAP_STAGES
    begin(drawing)
    sheet_svg, index_html = hall_map_document(session, hall, **options)
    begin(sheet)
    parts = [_drawing_pdf(sheet_svg)]
    if index_html is not None:
        begin(index)
        parts.append(html_to_pdf(index_html))
    begin(joining)
    return _concatenate(parts)


def _booth_item(
    booth: Any,
    frame: Frame,
    k: float,
    *,
    name: str | None = None,
    fill: str = "#ffffff",
    opacity: float = 1.0,
    mark: str | None = None,
    d: str | None = None,
) -> dict[str, Any]:
    """What ``print/_drawing.svg`` draws for one booth: outline, fill, fitted label, and the
    mark in its top left corner — left out when the booth is too small for both."""
    x, y = frame.point(*label_point(booth.polygon))
    mx, my = frame.point(booth.polygon.bounds[0], booth.polygon.bounds[3])
    label = fit_label(booth.number, name, booth.polygon, k)
    if mark is not None:
        # Both in mm from the booth's top left corner: the mark's box, the label's box.
        mark_box = (0.4, 0.3, 0.8 + text_width(mark, MARK_MM), 2.3)
        lx, ly = (x - mx) * k, (y - my) * k
        half_w, half_h = label.width_mm / 2 + 0.3, label.height_mm / 2 + 0.3
        apart = (mark_box[2] <= lx - half_w or mark_box[3] <= ly - half_h
                 or mark_box[0] >= lx + half_w)  # fmt: skip
        mark = mark if apart else None
    # Each line's middle (the text is centred on it) and size, round the label point.
    sizes = [label.first_mm] + [label.size_mm] * (len(label.lines) - 1)
    places = zip(label.centres(), label.lines, sizes, strict=True)
    lines = [(round(y + dy / k, 3), text, round(size / k, 4)) for dy, text, size in places]
    return {
        "d": frame.path(booth.polygon) if d is None else d, "fill": fill, "opacity": opacity,
        "x": x, "lines": lines, "label": label,
        "mark": mark, "mark_x": round(mx + 0.6 / k, 3), "mark_y": round(my + 2.0 / k, 3),
    }  # fmt: skip


def _door_label(door: Any, label: str, colour: str, frame: Frame, hall: Any) -> dict[str, Any]:
    """A door's word, a metre and a half into the hall, running away from the wall."""
    x, y = frame.point(*inward_point(door.geometry, hall, 1.5))
    anchor = door_label_anchor(door.geometry, hall)
    return {"x": x, "y": y, "label": label, "colour": colour, "anchor": anchor}


def _drawing_pdf(svg: str) -> bytes:
    """An SVG sheet as a one-page PDF of its own size.

    CairoSVG lays out SVG text about four times faster than WeasyPrint's SVG renderer (the
    cost of a map is its thousands of labels). The drawing holds no links or images, only
    shapes and escaped text, so there is nothing for the renderer to fetch.
    """
    import cairosvg

    return cairosvg.svg2pdf(bytestring=svg.encode("utf-8"))


def _concatenate(parts: list[bytes]) -> bytes:
    """One PDF from several (appending pages, not merging content: that is cheap)."""
    if len(parts) == 1:
        return parts[0]
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def hall_map_document(
    session: Session,
    hall: Hall,
    *,
    paper: str = "A1",
    landscape: bool = False,
    edition: str = "visitor",
    scale: int | None = None,
) -> tuple[str, str | None]:
    """The sheet as SVG (title, drawing, legend, scale bar) and, for the visitor edition,
    the index of exhibitors as HTML for the following pages."""
    if edition not in EDITIONS:
        raise PrintError(f"Издание «{edition}» неизвестно: visitor, sales или fire")
    states = booth_states(session, hall)
    if not states:
        raise PrintError(f"В зале «{hall.name}» нет стендов: печатать нечего")
    plan = hall_plan(hall)
    # A metre round the hall keeps its walls (and their stroke) inside the drawing.
    frame = Frame.around(hall.outline, margin=1.0)
    # The sales edition keeps its totals table on the sheet, below the drawing.
    footer = FOOTER + (30 if edition == "sales" else 0)
    sheet = sheet_for(paper, landscape, frame.width, frame.height, scale, footer_mm=footer)
    tracks = {t.code: t for t in session.scalars(select(Track).order_by(Track.position))}
    track_numbers = {code: n for n, code in enumerate(tracks, start=1)}

    booths, index = [], defaultdict(list)
    totals: dict[str, dict[str, Any]] = {}
    outlines = frame.paths([state.booth.polygon for state in states])
    for state, outline in zip(states, outlines, strict=True):
        booth = state.booth
        name = None
        fill, opacity, mark = "#ffffff", 1.0, None
        if edition == "visitor":
            exhibitor = state.exhibitor if state.status == "confirmed" else None
            if exhibitor is not None:
                name = exhibitor.short_name or exhibitor.name
                index[exhibitor.name].append(booth.number)
            track = tracks.get(booth.zone_track or "")
            if track is not None:
                fill, opacity = track.color, 0.22
                mark = str(track_numbers[track.code])
        elif edition == "sales":
            fill = STATUS_LEGEND[state.status][0]
            name = f"{float(booth.area_m2):g} м² · {_money(state.price)} ₽"
            row = totals.setdefault(state.status, {"booths": 0, "area": 0.0, "money": 0})
            row["booths"] += 1
            row["area"] += float(booth.area_m2)
            row["money"] += int(state.price)
        booths.append(
            _booth_item(
                booth, frame, sheet.k, name=name, fill=fill, opacity=opacity, mark=mark, d=outline
            )
        )
    for row in totals.values():
        row["area"] = f"{row['area']:g}"
        row["money"] = _money(Decimal(row["money"]))

    bar_m, bar_mm = scale_bar(sheet.k)
    printed = datetime.now().strftime("%d.%m.%Y %H:%M")
    footer = f"{hall.exhibition.title} · {hall.name} · версия {hall.plan_version} · {printed}"
    # (colour, opacity, text, symbol): a swatch, or a sign drawn instead of it.
    legend: list[tuple[str, float, str, str | None]]
    if edition == "visitor":
        legend = [
            (t.color, 0.22, f"{track_numbers[c]} — {t.name}", None) for c, t in tracks.items()
        ]
    elif edition == "sales":
        legend = [(colour, 1, title, None) for colour, title in STATUS_LEGEND.values()]
    else:
        legend = [
            ("#b00020", 1, "эвакуационный выход", None),
            (
                "#b00020",
                0.15,
                f"зона свободного прохода {EXIT_CLEARANCE_M:g} м перед выходом",
                None,
            ),
            ("#0b4f8a", 1, "ширина прохода, м", "dimension"),
            ("#444444", 1, "колонны и препятствия", None),
            ("#1e7b34", 1, "вход", None),
        ]
        present = {item.equipment_type for item in plan.equipment}
        for kind, (title, iso, gost) in EQUIPMENT_TYPES.items():
            if kind in present:
                legend.append(("", 1, f"{title} ({iso}; {gost})", kind))
    doors = [_door_label(d, "ВХОД", "#1e7b34", frame, hall.outline) for d in plan.entrances]
    doors += [_door_label(d, "ВЫХОД", "#b00020", frame, hall.outline) for d in plan.exits]

    def clearance(door: Any) -> Any:
        return door.buffer(EXIT_CLEARANCE_M, cap_style="flat").intersection(hall.outline)

    dimensions = []
    if edition == "fire":
        solids = [o.geometry for o in plan.obstacles]
        for d in aisle_dimensions([s.booth.polygon for s in states], solids, hall.outline):
            (x0, y0), (x1, y1) = frame.point(*d.start), frame.point(*d.end)
            dimensions.append({"x0": x0, "y0": y0, "x1": x1, "y1": y1,
                               "across": abs(x1 - x0) > abs(y1 - y0),
                               "label": f"{d.width:.1f} м".replace(".", ",")})  # fmt: skip
    sheet_svg = render_template(
        "print/sheet.svg",
        dimensions=dimensions, sheet=sheet, frame=frame, hall=hall, plan=plan, booths=booths,
        tracks=tracks, edition=edition, clearance=clearance, margin=MARGIN, header=HEADER,
        exhibition=hall.exhibition, edition_title=EDITION_TITLES[edition], printed=printed,
        footer=footer, bar_m=bar_m, bar_mm=bar_mm, legend=legend, doors=doors,
        totals={s: totals[s] for s in STATUS_LEGEND if s in totals}, status_legend=STATUS_LEGEND,
    )  # fmt: skip
    index_html = None
    if index:
        index_html = render_template(
            "print/map_index.html", exhibition=hall.exhibition, hall=hall, sheet=sheet,
            margin=MARGIN, footer=footer,
            index=sorted(index.items(), key=lambda item: russian_sort_key(item[0])),
        )  # fmt: skip
    return sheet_svg, index_html


def confirmation_pdf(session: Session, reservation: Any) -> bytes:
    """An exhibitor's confirmation: their booth on an excerpt of the plan, its number, area,
    kind, price and the reservation's status."""
    booth = reservation.booth
    hall = booth.hall
    frame = Frame.around(booth.polygon, margin=8.0)
    k = min(170 / frame.width, 110 / frame.height)
    sheet = Sheet("A4", False, 210, 297, k, None, frame.width * k, frame.height * k)
    items = [
        _booth_item(other, frame, k, fill="#f2c94c" if other.id == booth.id else "#ffffff")
        for other in hall.current_booths
    ]
    svg = render_template(
        "print/map.svg", sheet=sheet, frame=frame, hall=hall, plan=hall_plan(hall),
        booths=items, tracks={}, edition="confirmation", clearance=lambda door: door,
    )  # fmt: skip
    states = {s.booth.id: s for s in booth_states(session, hall)}
    html = render_template(
        "print/confirmation.html",
        reservation=reservation,
        booth=booth,
        hall=hall,
        exhibition=hall.exhibition,
        state=states.get(booth.id),
        money=_money,
        printed=datetime.now().strftime("%d.%m.%Y %H:%M"),
        sheet=sheet,
    )

    return html_to_pdf(html, {"memory:map.svg": svg.encode("utf-8")})
