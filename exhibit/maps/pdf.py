"""Printed hall maps as PDF, in three editions: visitor, sales, fire safety.

Every page is an SVG made from Jinja2 templates: the sheet (title, drawing, legend, scale
bar) and, in the visitor edition, the index of exhibitors on the pages after it. CairoSVG
draws them one after another onto one cairo PDF surface, which embeds subsets of the fonts
itself: no HTML renderer to import and no PDFs to join. The pages hold no links or images,
only shapes and escaped text, and the renderer's URL fetcher refuses every address, so no
text an exhibitor typed can make it open a network address or a local file.

An edition (:class:`Edition`) says how booths look, what the legend lists and what else the
sheet carries; :func:`hall_map_document` lays out what all editions share.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple

from flask import render_template
from shapely.geometry import Point, Polygon
from shapely.ops import substring
from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit.booking.services import BoothState, booth_states
from exhibit.catalogue.models import Track
from exhibit.catalogue.rules import russian_sort_key
from exhibit.floorplan.evacuation import Evacuation
from exhibit.floorplan.models import Hall
from exhibit.floorplan.plan import EQUIPMENT_TYPES, Plan
from exhibit.floorplan.services import hall_plan
from exhibit.floorplan.walk import RouteError
from exhibit.html_pdf import html_to_pdf
from exhibit.maps.printing import (
    EDITIONS,
    FOOTER,
    HEADER,
    INDEX_FOOTER_MM,
    MARGIN,
    PrintError,
    Sheet,
    TextLine,
    aisle_dimensions,
    fit_label,
    index_pages,
    scale_bar,
    sheet_for,
    text_width,
)
from exhibit.maps.svg import Frame, door_label_anchor, inward_point, label_point

STATUS_LEGEND = {
    "available": ("#ffffff", "свободен"),
    "requested": ("#fde7b0", "заявка"),
    "held": ("#e3d7f5", "удерживается"),
    "confirmed": ("#c9d6e3", "забронирован"),
    "blocked": ("#d0d0d0", "не продаётся"),
}
EXIT_CLEARANCE_M = 2.0
#: Side of a safety sign on the fire-safety plan, mm of paper (ГОСТ Р 12.2.143-2009, ISO 23601).
SIGN_MM = 8.0
#: The colour of evacuation routes and exit signs (ISO 3864-4 safe condition, ГОСТ 12.4.026).
EVACUATION_GREEN = "#00843d"
#: Arrows of the evacuation routes: about this far apart on paper, mm; shaft and head, mm.
ARROW_SPACING_MM = 24.0
ARROW_SHAFT_MM = 0.6
ARROW_HEAD_MM = 2.4
#: Size (mm) of a booth's track mark, the track's number in its top left corner.
MARK_MM = 1.6


def _money(value: Decimal) -> str:
    return f"{int(value):,}".replace(",", " ")


class BoothLook(NamedTuple):
    """How an edition shows one booth: its fill, the words under its number, its mark."""

    fill: str = "#ffffff"
    opacity: float = 1.0
    name: str | None = None
    mark: str | None = None


#: A white booth with its number alone.
PLAIN = BoothLook()


class LegendItem(NamedTuple):
    """One entry of the legend: a swatch (or a ``symbol`` drawn instead of it) and its text."""

    colour: str
    opacity: float
    text: str
    symbol: str | None = None


class Edition:
    """One edition of the printed map. The base draws plain white booths with their numbers,
    no legend entries and nothing else; each edition overrides what it shows."""

    name: ClassVar[str]
    #: Said after the hall's name in the sheet's title.
    title: ClassVar[str]
    #: Room below the drawing, mm: the legend and scale bar, and what the edition adds.
    footer_mm: ClassVar[float] = FOOTER
    #: Whether the track zones are tinted behind the booths.
    zones: ClassVar[bool] = True
    #: Whether exits' clearances, aisle widths and fire-safety equipment are drawn.
    safety: ClassVar[bool] = False
    #: Side of a safety sign on paper, mm.
    sign_mm: ClassVar[float] = 4.5
    #: The smallest booth number on paper, mm (0: as small as the booth needs).
    min_text_mm: ClassVar[float] = 0.0

    def __init__(self, tracks: dict[str, Track]) -> None:
        self.tracks = tracks
        #: Tracks are numbered in their order; a booth's mark is its zone's number.
        self.numbers = {code: n for n, code in enumerate(tracks, start=1)}

    def prepare(self, session: Session, hall: Hall) -> None:
        """Read what the edition needs beyond the booths' states (the sales edition: who
        has paid, where the sockets go)."""

    def booth(self, state: BoothState) -> BoothLook:
        return BoothLook()

    def legend(self, plan: Plan) -> list[LegendItem]:
        return []

    def extras(
        self, states: list[BoothState], plan: Plan, hall: Hall, frame: Frame, sheet: Sheet
    ) -> dict[str, Any]:
        """What else the sheet carries, as variables of ``print/sheet.svg``."""
        return {}

    def index(self, states: list[BoothState]) -> list[tuple[str, list[str]]]:
        """The index of exhibitors printed after the sheet: (name, booth numbers) in
        Russian alphabetical order; empty when the edition has none."""
        return []


class VisitorEdition(Edition):
    """For visitors: who stands where (confirmed exhibitors only), booths tinted and marked by
    their zone's track, and the index of exhibitors after the sheet."""

    name, title = "visitor", "план для посетителей"

    def booth(self, state: BoothState) -> BoothLook:
        exhibitor = state.exhibitor if state.status == "confirmed" else None
        name = (exhibitor.short_name or exhibitor.name) if exhibitor is not None else None
        track = self.tracks.get(state.booth.zone_track or "")
        if track is None:
            return BoothLook(name=name)
        return BoothLook(track.color, 0.22, name, str(self.numbers[track.code]))

    def legend(self, plan: Plan) -> list[LegendItem]:
        return [
            LegendItem(track.color, 0.22, f"{self.numbers[code]} — {track.name}")
            for code, track in self.tracks.items()
        ]

    def index(self, states: list[BoothState]) -> list[tuple[str, list[str]]]:
        entries: dict[str, list[str]] = defaultdict(list)
        for state in states:
            if state.status == "confirmed" and state.exhibitor is not None:
                entries[state.exhibitor.name].append(state.booth.number)
        return sorted(entries.items(), key=lambda item: russian_sort_key(item[0]))


class SalesEdition(Edition):
    """For the sales team: every booth's status, area and price, and the totals by status in
    a table below the legend."""

    name, title = "sales", "план продаж"
    footer_mm = FOOTER + 30
    #: A reserved booth's mark: how its invoice stands (issue 16).
    PAYMENT_MARKS: ClassVar[dict[str, str]] = {
        "paid": "₽✓", "partial": "₽½", "invoiced": "₽", "overdue": "₽!"}  # fmt: skip
    NOT_INVOICED = "б/с"
    MARK_TITLES: ClassVar[dict[str, str]] = {
        "₽✓": "оплачен", "₽½": "оплачен частично", "₽": "счёт не оплачен",
        "₽!": "оплата просрочена", "б/с": "счёта нет"}  # fmt: skip

    def prepare(self, session: Session, hall: Hall) -> None:
        from exhibit.billing.orders import power_points
        from exhibit.billing.services import booth_payment_states

        self.payments = booth_payment_states(session, hall.exhibition)
        self.sockets = [p for p in power_points(session, hall.exhibition)
                        if p["hall_id"] == hall.id]  # fmt: skip

    def booth(self, state: BoothState) -> BoothLook:
        area = f"{float(state.booth.area_m2):g} м²"
        mark = None
        if state.reservation is not None:
            payment = getattr(self, "payments", {}).get(state.booth.id)
            mark = self.PAYMENT_MARKS[payment.state] if payment else self.NOT_INVOICED
        return BoothLook(STATUS_LEGEND[state.status][0], name=f"{area} · {_money(state.price)} ₽",
                         mark=mark)  # fmt: skip

    def legend(self, plan: Plan) -> list[LegendItem]:
        # Each payment mark drawn as it is on the booths, the socket as the red dot it is.
        return [LegendItem(colour, 1, title) for colour, title in STATUS_LEGEND.values()] + [
            LegendItem("#000000", 1, title, f"mark:{mark}")
            for mark, title in self.MARK_TITLES.items()
        ] + [LegendItem("#d00000", 1, "точка подключения электричества", "point")]  # fmt: skip

    def extras(
        self, states: list[BoothState], plan: Plan, hall: Hall, frame: Frame, sheet: Sheet
    ) -> dict[str, Any]:
        totals: dict[str, dict[str, Any]] = {}
        for state in states:
            row = totals.setdefault(state.status, {"booths": 0, "area": 0.0, "money": 0})
            row["booths"] += 1
            row["area"] += float(state.booth.area_m2)
            row["money"] += int(state.price)
        for row in totals.values():
            row["area"] = f"{row['area']:g}"
            row["money"] = _money(Decimal(row["money"]))
        ordered = {status: totals[status] for status in STATUS_LEGEND if status in totals}
        sockets = [frame.point(p["x"], p["y"]) for p in getattr(self, "sockets", [])]
        return {"totals": ordered, "status_legend": STATUS_LEGEND, "power_points": sockets}


class FireEdition(Edition):
    """For the fire inspector: no commercial data, exits with their clearance, aisle widths
    and the fire-safety equipment, each kind in the legend."""

    name, title = "fire", "план пожарной безопасности"
    zones, safety = False, True
    #: ГОСТ Р 12.2.143-2009 / ISO 23601: signs on an evacuation plan at least 8 mm, text at
    #: least 2 mm.
    sign_mm = SIGN_MM
    min_text_mm = 2.0
    footer_mm = FOOTER + 12

    def legend(self, plan: Plan) -> list[LegendItem]:
        legend = [
            LegendItem(EVACUATION_GREEN, 1, "путь эвакуации к ближайшему выходу", "arrow"),
            LegendItem("", 1, "эвакуационный выход (E002; ГОСТ E01-01)", "exit"),
            LegendItem("#b00020", 1, "эвакуационный выход"),
            LegendItem(
                "#b00020", 0.15, f"зона свободного прохода {EXIT_CLEARANCE_M:g} м перед выходом"
            ),
            LegendItem("#0b4f8a", 1, "ширина прохода, м", "dimension"),
            LegendItem("#444444", 1, "колонны и препятствия"),
            LegendItem("#1e7b34", 1, "вход"),
        ]
        return legend + equipment_legend(plan)

    def extras(
        self, states: list[BoothState], plan: Plan, hall: Hall, frame: Frame, sheet: Sheet
    ) -> dict[str, Any]:
        solids = [o.geometry for o in plan.obstacles]
        dimensions = []
        for d in aisle_dimensions([s.booth.polygon for s in states], solids, hall.outline):
            (x0, y0), (x1, y1) = frame.point(*d.start), frame.point(*d.end)
            dimensions.append({"x0": x0, "y0": y0, "x1": x1, "y1": y1,
                               "across": abs(x1 - x0) > abs(y1 - y0),
                               "label": f"{d.width:.1f} м".replace(".", ",")})  # fmt: skip

        def clearance(door: Any) -> Any:
            return door.buffer(EXIT_CLEARANCE_M, cap_style="flat").intersection(hall.outline)

        version = hall.current_plan
        dated = version.created_at.strftime("%d.%m.%Y") if version is not None else None
        return {
            "dimensions": dimensions,
            "clearance": clearance,
            "arrows": evacuation_arrows(plan, frame, sheet.k),
            "exit_signs": exit_signs(plan, frame, hall.outline, sheet.k),
            "assembly_point": plan.properties.get("assembly_point"),
            "version_date": dated,
        }


#: The editions by name, in the order of :data:`exhibit.maps.printing.EDITIONS`.
EDITION_CLASSES: dict[str, type[Edition]] = {
    kind.name: kind for kind in (VisitorEdition, SalesEdition, FireEdition)
}


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
    document = hall_map_document(session, hall, **options)
    begin(sheet)
    pages = PdfPages(title=f"{hall.exhibition.title} — {hall.name}")
    pages.svg(document.sheet, alt=f"План зала «{hall.name}»")
    if document.pages:
        begin(index)
        for lines in document.pages:
            pages.text(document.width_mm, document.height_mm, lines)
    begin(joining)
    return pages.finish()


def _booth_item(
    booth: Any,
    frame: Frame,
    k: float,
    look: BoothLook = PLAIN,
    *,
    d: str | None = None,
    min_mm: float = 0.0,
) -> dict[str, Any]:
    """What ``print/_drawing.svg`` draws for one booth: outline, fill, fitted label, and the
    mark in its top left corner — left out when the booth is too small for both."""
    x, y = frame.point(*label_point(booth.polygon))
    mx, my = frame.point(booth.polygon.bounds[0], booth.polygon.bounds[3])
    label = fit_label(booth.number, look.name, booth.polygon, k, min_mm)
    mark = look.mark
    if mark is not None:
        # Both in mm from the booth's top left corner: the mark's box, the label's box.
        mark_box = (0.4, 0.3, 0.8 + text_width(mark, MARK_MM), 2.3)
        lx, ly = (x - mx) * k, (y - my) * k
        half_w, half_h = label.width_mm / 2 + 0.3, label.height_mm / 2 + 0.3
        apart = (mark_box[2] <= lx - half_w or mark_box[3] <= ly - half_h
                 or mark_box[0] >= lx + half_w)  # fmt: skip
        mark = mark if apart else None
    # Each line's middle (the text is centred on it) and size, round the label point.
    sizes = ([label.first_mm] + [label.size_mm] * (len(label.lines) - 1)) if label.lines else []
    places = zip(label.centres(), label.lines, sizes, strict=True)
    lines = [(round(y + dy / k, 3), text, round(size / k, 4)) for dy, text, size in places]
    return {
        "d": frame.path(booth.polygon) if d is None else d, "fill": look.fill,
        "opacity": look.opacity, "x": x, "lines": lines, "label": label,
        "mark": mark, "mark_x": round(mx + 0.6 / k, 3), "mark_y": round(my + 2.0 / k, 3),
    }  # fmt: skip


def evacuation_arrows(plan: Plan, frame: Frame, k: float) -> list[dict[str, Any]]:
    """The green arrows of the evacuation routes (see ``Evacuation.arrows``), as path data
    of the drawing: the shaft along the route and a head at its end, both kept inside the
    aisles. Raises :class:`PrintError` when the hall has no exit to lead to."""
    if not plan.exits:
        raise PrintError(
            "В плане зала нет ни одного эвакуационного выхода: пути эвакуации не построить"
        )
    try:
        evacuation = Evacuation.from_plan(plan)
    except RouteError as error:
        raise PrintError(str(error)) from None
    if not any(evacuation.exits[e].kind == "exit" for e in evacuation.usable):
        names = ", ".join(f"«{x.name}»" for x in evacuation.exits if x.kind == "exit")
        raise PrintError(f"К эвакуационным выходам {names} не подойти: они загорожены")
    spacing = max(3.0, ARROW_SPACING_MM / k)
    head = min(ARROW_HEAD_MM / k, 0.8)
    half = min(ARROW_HEAD_MM * 0.4 / k, 0.4)  # the head stays within the person's margin
    out = []
    for arrow in evacuation.arrows(spacing):
        line = arrow.line
        if line.length < 2 * head:
            continue
        tip = line.coords[-1]
        base = line.interpolate(line.length - head)
        dx, dy = tip[0] - base.x, tip[1] - base.y
        norm = math.hypot(dx, dy) or 1.0
        nx_, ny_ = -dy / norm * half, dx / norm * half
        corners = [(base.x + nx_, base.y + ny_), tip, (base.x - nx_, base.y - ny_)]
        shaft = substring(line, 0, line.length - head * 0.6)
        out.append({
            "d": frame.path(shaft), "head": frame.path(Polygon(corners)),
            "line": line, "polygon": Polygon(corners), "split": arrow.split,
        })  # fmt: skip
    return out


def _exit_sign(
    door: Any, frame: Frame, hall: Any, k: float, taken: list[tuple[float, float]] = ()
) -> dict[str, Any]:
    """Where an exit's sign stands: just inside the hall, beyond the word «ВЫХОД», and
    clear of the signs already placed (``taken``: their centres in plan metres) — moved a
    sign further in until it touches none (1 mm apart on paper)."""
    side = (SIGN_MM + 1.0) / k  # two signs closer than this (centre to centre) touch
    # Beyond the door's word (1.5 m in, 2.6 mm high): never on it.
    start = 1.5 + (SIGN_MM / 2 + 3.5) / k
    px, py = first = inward_point(door.geometry, hall, start)
    ax, ay = inward_point(door.geometry, hall, start + 1.0)
    ux, uy = ax - px, ay - py  # one metre inwards
    inside = hall.buffer(-SIGN_MM / 2 / k)
    spots = [(first[0] + (step * ux - across * uy) * side, first[1] + (step * uy + across * ux)
              * side) for step in range(6) for across in (0, 1, -1, 2, -2)]  # fmt: skip
    for qx, qy in spots:
        clear = all(max(abs(qx - tx), abs(qy - ty)) >= side for tx, ty in taken)
        if clear and inside.contains(Point(qx, qy)):
            px, py = qx, qy
            break
    x, y = frame.point(px, py)
    return {"x": x, "y": y, "at": (px, py)}


def exit_signs(plan: Plan, frame: Frame, hall: Any, k: float) -> list[dict[str, Any]]:
    """The exit signs of the fire-safety plan (:func:`_exit_sign`), none on an equipment
    sign or on another exit's sign."""
    taken = [(e.geometry.centroid.x, e.geometry.centroid.y) for e in plan.equipment]
    signs = []
    for door in plan.exits:
        sign = _exit_sign(door, frame, hall, k, taken)
        taken.append(sign["at"])
        signs.append(sign)
    return signs


def _door_label(door: Any, label: str, colour: str, frame: Frame, hall: Any) -> dict[str, Any]:
    """A door's word, a metre and a half into the hall, running away from the wall."""
    x, y = frame.point(*inward_point(door.geometry, hall, 1.5))
    anchor = door_label_anchor(door.geometry, hall)
    return {"x": x, "y": y, "label": label, "colour": colour, "anchor": anchor}


def equipment_legend(plan: Plan) -> list[LegendItem]:
    """A legend line with its sign for each type of fire and first-aid equipment on the plan."""
    present = {item.equipment_type for item in plan.equipment}
    return [
        LegendItem("", 1, f"{title} ({iso}; {gost})", kind)
        for kind, (title, iso, gost) in EQUIPMENT_TYPES.items()
        if kind in present
    ]


class PdfPages:
    """Pages drawn one after another onto one cairo PDF surface, each of its own size:
    SVG drawings (by CairoSVG) and pages of plain lines of text (by cairo itself).

    CairoSVG lays out SVG text several times faster than WeasyPrint (the cost of a map is
    its thousands of labels), though glyph by glyph; lines of an index are drawn whole, by
    cairo. One surface for all pages needs no joining of PDFs afterwards, and cairo embeds
    one subset of each font for all of them. CairoSVG makes a surface per drawing
    (``_create_surface``); here that is the next page of the shared surface.
    """

    def __init__(self, *, title: str = "", lang: str = "ru") -> None:
        import cairocffi
        from cairosvg.surface import PDFSurface

        self._cairo = cairocffi
        self._out = io.BytesIO()
        self._surface: Any = None
        self._tags: Any = None  # a context on the surface that opens and closes the tags
        self._figure = ""  # the alternative text of the next drawing
        self._alts: list[str] = []  # of every drawing, in order
        self.title, self.lang = title, lang
        pages = self

        class Page(PDFSurface):  # type: ignore[misc]
            def _create_surface(self, width: float, height: float) -> tuple[Any, float, float]:
                return pages._next_page(width, height), width, height

        self._svg_page = Page

    def _next_page(self, width: float, height: float, tag: str = "Figure") -> Any:
        """The surface, ready for a page of ``width`` × ``height`` points, the page's tag
        (a ``Figure`` with its alternative text, or a ``Div`` of lines) opened."""
        if self._surface is None:
            self._surface = self._cairo.PDFSurface(self._out, width, height)
            if self.title:
                self._surface.set_metadata(self._cairo.PDF_METADATA_TITLE, self.title)
            self._tags = self._cairo.Context(self._surface)
            self._tags.tag_begin("Document", "")
        else:
            self._tags.tag_end(self._page_tag)
            self._surface.show_page()
            self._surface.set_size(width, height)
        self._tags.tag_begin(tag, "")
        if tag == "Figure":
            self._alts.append(self._figure)
        self._page_tag = tag
        return self._surface

    def svg(self, svg: str, alt: str = "") -> None:
        """Add ``svg`` as the next page (its own size), tagged as a figure with the
        alternative text ``alt``."""
        from cairosvg.parser import Tree

        self._figure = alt
        tree = Tree(bytestring=svg.encode("utf-8"), url_fetcher=_fetch_nothing)
        self._svg_page(tree, None, 96)

    def text(self, width_mm: float, height_mm: float, lines: list[TextLine]) -> None:
        """Add a page of ``width_mm`` × ``height_mm`` with ``lines`` of text on it."""
        cairo = self._cairo
        context = cairo.Context(self._next_page(width_mm * POINTS, height_mm * POINTS, "Div"))
        context.scale(POINTS, POINTS)  # draw in millimetres
        for line in lines:
            weight = cairo.FONT_WEIGHT_BOLD if line.bold else cairo.FONT_WEIGHT_NORMAL
            context.select_font_face("DejaVu Sans", cairo.FONT_SLANT_NORMAL, weight)
            context.set_font_size(line.size)
            x = line.x
            if line.anchor == "end":
                x -= context.text_extents(line.text)[4]  # its advance
            context.move_to(x, line.y)
            context.tag_begin("P", "")
            context.show_text(line.text)
            context.tag_end("P")

    def finish(self) -> bytes:
        """The PDF of the pages added so far: tagged (a structure tree of the pages — a
        figure with its alternative text for each drawing, a paragraph for each line of
        text) and in the document's language (cairo cannot say that: pypdf adds it)."""
        self._tags.tag_end(self._page_tag)
        self._tags.tag_end("Document")
        self._surface.finish()
        from pypdf import PdfWriter
        from pypdf.generic import NameObject, TextStringObject

        writer = PdfWriter(clone_from=io.BytesIO(self._out.getvalue()))
        root = writer._root_object
        root[NameObject("/Lang")] = TextStringObject(self.lang)
        # cairo writes no alternative text: each figure gets its drawing's, in order.
        figures = _structure_elements(root.get("/StructTreeRoot"), "/Figure")
        for figure, alt in zip(figures, self._alts, strict=False):
            if alt:
                figure[NameObject("/Alt")] = TextStringObject(alt)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


def _structure_elements(node: Any, kind: str) -> list[Any]:
    """The structure elements of type ``kind`` under ``node``, in document order."""
    found: list[Any] = []
    stack = [node]
    while stack:
        item = stack.pop()
        item = item.get_object() if hasattr(item, "get_object") else item
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif hasattr(item, "get"):
            if item.get("/S") == kind:
                found.append(item)
            if "/K" in item:
                stack.append(item["/K"])
    return found


#: PDF points in a millimetre.
POINTS = 72 / 25.4


def _fetch_nothing(url: str, resource_type: str | None = None) -> Any:
    raise ValueError(f"the map fetches nothing from outside: {url[:80]}")


class MapDocument(NamedTuple):
    """A printed map before rendering: the sheet as SVG, and the pages after it as lines of
    text on pages of the sheet's size (mm)."""

    sheet: str
    pages: list[list[TextLine]]
    width_mm: float
    height_mm: float


def hall_map_document(
    session: Session,
    hall: Hall,
    *,
    paper: str = "A1",
    landscape: bool = False,
    edition: str = "visitor",
    scale: int | None = None,
) -> MapDocument:
    """The map before rendering: the sheet as SVG (title, drawing, legend, scale bar) and
    the pages after it (the index of exhibitors in the visitor edition, none in the
    others)."""
    if edition not in EDITIONS:
        raise PrintError(f"Издание «{edition}» неизвестно: visitor, sales или fire")
    states = booth_states(session, hall)
    if not states:
        raise PrintError(f"В зале «{hall.name}» нет стендов: печатать нечего")
    tracks = {t.code: t for t in session.scalars(select(Track).order_by(Track.position))}
    look = EDITION_CLASSES[edition](tracks)
    look.prepare(session, hall)
    plan = hall_plan(hall)
    # A metre round the hall keeps its walls (and their stroke) inside the drawing.
    frame = Frame.around(hall.outline, margin=1.0)
    sheet = sheet_for(paper, landscape, frame.width, frame.height, scale,
                      footer_mm=look.footer_mm)  # fmt: skip
    outlines = frame.paths([state.booth.polygon for state in states])
    booths = [
        _booth_item(
            state.booth, frame, sheet.k, look.booth(state), d=outline, min_mm=look.min_text_mm
        )
        for state, outline in zip(states, outlines, strict=True)
    ]
    bar_m, bar_mm = scale_bar(sheet.k)
    printed = datetime.now().strftime("%d.%m.%Y %H:%M")
    footer = f"{hall.exhibition.title} · {hall.name} · версия {hall.plan_version} · {printed}"
    doors = [_door_label(d, "ВХОД", "#1e7b34", frame, hall.outline) for d in plan.entrances]
    doors += [_door_label(d, "ВЫХОД", "#b00020", frame, hall.outline) for d in plan.exits]
    sheet_svg = render_template(
        "print/sheet.svg",
        sheet=sheet, frame=frame, hall=hall, plan=plan, booths=booths, tracks=tracks,
        edition=look, zones=look.zones, safety=look.safety, margin=MARGIN, header=HEADER,
        exhibition=hall.exhibition, printed=printed, footer=footer, bar_m=bar_m,
        bar_mm=bar_mm, legend=look.legend(plan), doors=doors,
        sign_mm=look.sign_mm, **look.extras(states, plan, hall, frame, sheet),
    )  # fmt: skip
    entries = [f"{name} — {', '.join(numbers)}" for name, numbers in look.index(states)]
    pages = []
    if entries:
        pages = index_pages(f"Указатель участников — {hall.name}", entries,
                            sheet.width_mm, sheet.height_mm)  # fmt: skip
        # Each page's footer, in the bottom margin on the right, as the sheet's.
        for number, lines in enumerate(pages, start=1):
            lines.append(TextLine(sheet.width_mm - MARGIN,
                                  round(sheet.height_mm - MARGIN / 2 + 0.35 * INDEX_FOOTER_MM, 3),
                                  f"{footer} · указатель, с. {number}", INDEX_FOOTER_MM,
                                  anchor="end"))  # fmt: skip
    return MapDocument(sheet_svg, pages, sheet.width_mm, sheet.height_mm)


def confirmation_pdf(session: Session, reservation: Any) -> bytes:
    """An exhibitor's confirmation: their booth on an excerpt of the plan, its number, area,
    kind, price and the reservation's status."""
    booth = reservation.booth
    hall = booth.hall
    frame = Frame.around(booth.polygon, margin=8.0)
    k = min(170 / frame.width, 110 / frame.height)
    sheet = Sheet("A4", False, 210, 297, k, None, frame.width * k, frame.height * k)
    items = [
        _booth_item(other, frame, k, BoothLook("#f2c94c" if other.id == booth.id else "#ffffff"))
        for other in hall.current_booths
    ]
    svg = render_template(
        "print/map.svg", sheet=sheet, frame=frame, hall=hall, plan=hall_plan(hall),
        booths=items, tracks={}, zones=True, safety=False,
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
