"""Page geometry of printed hall maps (pure): paper, scale, and labels that fit their booth.

All lengths on paper are millimetres; on the plan, metres. ``k`` is the drawing's scale in
millimetres of paper per metre of hall (1:200 → 5 mm per metre).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from shapely.geometry import Polygon

#: ISO 216 A series, portrait (width, height) in mm.
PAPER = {"A0": (841, 1189), "A1": (594, 841), "A2": (420, 594), "A3": (297, 420), "A4": (210, 297)}
SCALES = (100, 200, 500)
EDITIONS = ("visitor", "sales", "fire")
#: Page margin, and the bands above (title) and below (legend, scale bar) the drawing, mm.
MARGIN, HEADER, FOOTER = 10.0, 16.0, 22.0
#: The smallest text we print (mm of cap height ≈ 7 pt) and the largest in a booth.
MIN_TEXT_MM, MAX_TEXT_MM = 1.8, 6.0


class PrintError(ValueError):
    """The map cannot be printed as asked (a clear, Russian message)."""


@dataclass(frozen=True)
class Sheet:
    paper: str
    landscape: bool
    width_mm: float
    height_mm: float
    #: mm of paper per metre of hall
    k: float
    #: 1:N when printed to scale, None when fitted to the page
    scale: int | None
    #: where the drawing sits on the page, mm
    draw_width_mm: float
    draw_height_mm: float


def sheet_for(
    paper: str,
    landscape: bool,
    hall_width_m: float,
    hall_height_m: float,
    scale: int | None,
    *,
    footer_mm: float = FOOTER,
) -> Sheet:
    """Lay out one sheet: true scale when asked (refused if the hall does not fit), else fit."""
    if paper not in PAPER:
        raise PrintError(f"Формат бумаги «{paper}» неизвестен: {', '.join(PAPER)}")
    if scale is not None and scale not in SCALES:
        raise PrintError(f"Масштаб 1:{scale} не поддерживается: 1:100, 1:200 или 1:500")
    width, height = PAPER[paper]
    if landscape:
        width, height = height, width
    avail_w = width - 2 * MARGIN
    avail_h = height - 2 * MARGIN - HEADER - footer_mm
    if scale is None:
        k = min(avail_w / hall_width_m, avail_h / hall_height_m)
    else:
        k = 1000 / scale
        need_w, need_h = hall_width_m * k, hall_height_m * k
        if need_w > avail_w + 1e-6 or need_h > avail_h + 1e-6:
            raise PrintError(
                f"Зал {hall_width_m:.0f} × {hall_height_m:.0f} м в масштабе 1:{scale} занимает "
                f"{need_w:.0f} × {need_h:.0f} мм и не помещается на {paper}"
                f"{' (альбомная)' if landscape else ''}: места {avail_w:.0f} × {avail_h:.0f} мм. "
                "Выберите больший формат, мельче масштаб или «по размеру листа»."
            )
    return Sheet(paper, landscape, width, height, k, scale, hall_width_m * k, hall_height_m * k)


@dataclass(frozen=True)
class Label:
    """What a booth shows on paper: lines of text at a font size (mm), or only the number.

    The first line (the number) is bold, at ``number_mm`` (at least ``size_mm``: what
    visitors look for stays large even when a long name beneath it is small). ``width_mm``
    is the widest line's advance.
    """

    lines: tuple[str, ...]
    size_mm: float
    width_mm: float = 0.0
    number_mm: float = 0.0

    @property
    def first_mm(self) -> float:
        return max(self.number_mm, self.size_mm)

    @property
    def height_mm(self) -> float:
        """From the top of the first line to the bottom of the last: a line's box (ascent +
        descent of DejaVu) is 1.17 em, with 0.1 em between lines."""
        rest = len(self.lines) - 1
        return 1.17 * self.first_mm + rest * 1.27 * self.size_mm

    def centres(self) -> list[float]:
        """Each line's middle, in mm below the middle of the whole label."""
        top, out = -self.height_mm / 2, []
        for i in range(len(self.lines)):
            size = self.first_mm if i == 0 else self.size_mm
            top += 0 if i == 0 else 0.1 * self.size_mm
            out.append(top + 0.585 * size)
            top += 1.17 * size
        return out


class _Advances(dict):
    """Advance widths (em) of DejaVu Sans (Bold) by character, as cairo lays the font out
    on a PDF page (unhinted metrics): the font fontconfig finds for CairoSVG's and the
    index's text, measured on first use of each character."""

    def __init__(self, bold: bool) -> None:
        super().__init__()
        import cairocffi as cairo

        options = cairo.FontOptions()
        options.set_hint_metrics(cairo.HINT_METRICS_OFF)  # as on a PDF surface
        options.set_hint_style(cairo.HINT_STYLE_NONE)
        self._context = cairo.Context(cairo.RecordingSurface(cairo.CONTENT_COLOR_ALPHA, None))
        self._context.set_font_options(options)
        weight = cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL
        self._context.select_font_face("DejaVu Sans", cairo.FONT_SLANT_NORMAL, weight)
        self._context.set_font_size(EM)

    def __missing__(self, char: str) -> float:
        width = self[char] = self._context.text_extents(char)[4] / EM
        return width


#: The size advances are measured at (their ratio to it does not depend on it).
EM = 100.0


@lru_cache(maxsize=2)
def _advances(bold: bool) -> _Advances:
    return _Advances(bold)


def _em_widths(text: str, bold: bool = False) -> list[float]:
    return list(map(_advances(bold).__getitem__, text))


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """How long ``text`` is on paper at ``size`` mm, in DejaVu Sans (Bold): the sum of the
    glyphs' advances (neither CairoSVG nor cairo's own text kerns)."""
    return sum(map(_advances(bold).__getitem__, text)) * size


def fit_label(
    number: str, name: str | None, booth: Polygon, k: float, min_mm: float = 0.0
) -> Label:
    """The booth number and (if it fits) the name, shrunk to at least MIN_TEXT_MM, then
    shortened with an ellipsis, then dropped: a label never leaves its booth. With
    ``min_mm`` the number is never smaller than that (or left out).

    The box used is the booth's inner bounding box less 8 % each side: booths are rectangles
    or L shapes; an L's label sits in its larger arm (see ``maps.svg.label_point``). Widths
    are measured with the font's own metrics.
    """
    minx, miny, maxx, maxy = booth.bounds
    width = (maxx - minx) * k * 0.84
    height = (maxy - miny) * k * 0.84
    number_em = text_width(number, 1.0, bold=True)
    if name:
        sizes = _sizes(height)
        name_em = text_width(name, 1.0)
        # First the whole name, as large as fits; then, at the smallest size, shortened.
        for size in sizes:
            wide = max(name_em, number_em) * size
            if wide <= width and Label((number, name), size).height_mm <= height:
                return _bigger_number(Label((number, name), size, wide), number_em, width, height)
        if sizes:
            size = sizes[-1]
            text = _fit_text(name, width, size)
            numbered = number_em * size
            if text and Label((number, text), size).height_mm <= height and numbered <= width:
                label = Label((number, text), size, max(numbered, text_width(text, size)))
                return _bigger_number(label, number_em, width, height)
    # The number alone, as large as the booth allows (it is what visitors look for).
    size = min(MAX_TEXT_MM, height / 1.3, width / (number_em or 1.0))
    size = math.floor(size * 100) / 100  # rounded down: never outgrows
    if size < min_mm:
        # A plan that must print text at least ``min_mm`` high (the fire-safety plan: 2 mm)
        # lets the number use the booth's whole width; a booth too small even for that
        # goes without it rather than with text too small to read.
        if number_em * min_mm <= width / 0.84 and 1.17 * min_mm <= height / 0.84:
            return Label((number,), min_mm, number_em * min_mm)
        return Label((), min_mm, 0.0)
    return Label((number,), size, number_em * size)


def _bigger_number(label: Label, number_em: float, width: float, height: float) -> Label:
    """The label with its number as large as the booth leaves room for (not above
    MAX_TEXT_MM, nor above twice the name's size)."""
    room = (height - (len(label.lines) - 1) * 1.27 * label.size_mm) / 1.17
    size = min(MAX_TEXT_MM, 2 * label.size_mm, width / (number_em or 1.0), room)
    size = math.floor(size * 100) / 100
    if size <= label.size_mm:
        return label
    wide = max(label.width_mm, number_em * size)
    return Label(label.lines, label.size_mm, wide, size)


def _sizes(height: float) -> list[float]:
    top = min(MAX_TEXT_MM, height / 2.6)
    sizes, size = [], top
    while size >= MIN_TEXT_MM:
        sizes.append(math.floor(size * 100) / 100)
        size *= 0.85
    return sizes


def _fit_text(text: str, width: float, size: float) -> str | None:
    """The text, or its start with an ellipsis, within ``width`` at ``size``; None if
    not even three letters fit."""
    ems = _em_widths(text)
    if sum(ems) * size <= width:
        return text
    room = width / size - _advances(False)["…"]  # ems left for the start of the text
    used, end = 0.0, 0
    while end < len(text) and used + ems[end] <= room:
        used += ems[end]
        end += 1
    short = text[:end].rstrip(" ,.«—-")  # dropping characters only makes it shorter
    return short + "…" if len(short) >= 3 else None


#: Type of the index of exhibitors after the visitor edition's sheet, in mm (8 pt entries,
#: 12 pt heading, 7 pt footer), and DejaVu Sans's ascent and line height in em.
PT = 25.4 / 72
INDEX_TEXT_MM, INDEX_HEADING_MM, INDEX_FOOTER_MM = 8 * PT, 12 * PT, 7 * PT
ASCENT_EM, LINE_EM = 0.928, 1.164
#: Space after the heading and after each entry, and round the text inside the page's
#: margin (a page of HTML's 8 px), mm.
INDEX_HEADING_GAP, INDEX_ENTRY_GAP, INDEX_PADDING = 3.0, 0.6, 8 * 25.4 / 96


@dataclass(frozen=True)
class TextLine:
    """A line of text on a page (DejaVu Sans): where it starts — or ends, when ``anchor``
    is ``"end"`` — and its baseline, in mm from the page's top left corner."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    anchor: str = "start"


def wrap(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width`` at ``size`` (mm): at spaces, and
    inside a word only when the word alone is wider than a line."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold=bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:  # a word wider than the line is cut where the line is full
            if line and text_width(line + char, size, bold=bold) > width:
                lines.append(line)
                line = ""
            line += char
    if line or not lines:
        lines.append(line)
    return lines


def index_pages(
    heading: str, entries: list[str], width_mm: float, height_mm: float, *, margin: float = MARGIN
) -> list[list[TextLine]]:
    """The index of exhibitors laid out on pages of ``width_mm`` × ``height_mm``: the
    heading on the first page, then one paragraph an entry, wrapped at the text width; an
    entry is not split between pages."""
    inset = margin + INDEX_PADDING
    width, bottom = width_mm - 2 * inset, height_mm - inset
    size, line = INDEX_TEXT_MM, LINE_EM * INDEX_TEXT_MM
    pages: list[list[TextLine]] = [[]]
    top = inset
    for text in wrap(heading, width, INDEX_HEADING_MM, bold=True):
        pages[0].append(TextLine(_r(inset), _r(top + ASCENT_EM * INDEX_HEADING_MM), text,
                                 _r(INDEX_HEADING_MM), True))  # fmt: skip
        top += LINE_EM * INDEX_HEADING_MM
    top += INDEX_HEADING_GAP
    for entry in entries:
        lines = wrap(entry, width, size)
        if top + len(lines) * line > bottom and pages[-1]:
            pages.append([])
            top = inset
        for text in lines:
            pages[-1].append(TextLine(_r(inset), _r(top + ASCENT_EM * size), text, _r(size)))
            top += line
        top += INDEX_ENTRY_GAP
    return pages


def _r(value: float) -> float:
    return round(value, 3)


def scale_bar(k: float, max_mm: float = 80.0) -> tuple[float, float]:
    """A round length in metres whose bar is at most ``max_mm`` long, and that bar's mm."""
    for metres in (100, 50, 20, 10, 5, 2, 1):
        if metres * k <= max_mm:
            return metres, metres * k
    return 1, k


@dataclass(frozen=True)
class Dimension:
    """A measured aisle: a line across it and its width in metres."""

    start: tuple[float, float]
    end: tuple[float, float]
    width: float


def aisle_dimensions(
    booths: list[Polygon], solids: list[Polygon], hall: Polygon, *, spacing: float = 12.0
) -> list[Dimension]:
    """Widths of the aisles in front of the booths, for the fire-safety edition.

    From the middle of every booth edge a probe runs straight out, up to 30 m, to the first
    booth, obstacle or wall it meets; that is the aisle's width there. One measure is kept
    per ``spacing`` metres of hall (per grid cell and direction), so the sheet stays legible.
    """
    from shapely import STRtree
    from shapely.geometry import LineString, Point

    walls = hall.exterior
    others = list(booths) + list(solids)
    tree = STRtree(others)
    kept: dict[tuple[int, int, bool], Dimension] = {}
    for booth in booths:
        coords = list(booth.exterior.coords)
        cx, cy = booth.centroid.x, booth.centroid.y
        for (x0, y0), (x1, y1) in pairwise(coords):
            length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
            if length < 1.0:
                continue
            mx, my = (x0 + x1) / 2, (y0 + y1) / 2
            nx, ny = (y1 - y0) / length, -(x1 - x0) / length
            if nx * (mx - cx) + ny * (my - cy) < 0:
                nx, ny = -nx, -ny  # point the probe away from the booth
            start = Point(mx + nx * 0.01, my + ny * 0.01)
            probe = LineString([start, (mx + nx * 30, my + ny * 30)])
            hits = [start.distance(walls.intersection(probe))] if probe.intersects(walls) else []
            for index in tree.query(probe, predicate="intersects"):
                other = others[int(index)]
                if other is not booth:
                    hits.append(start.distance(other.intersection(probe)))
            if not hits:
                continue
            width = min(hits) + 0.01
            if width < 0.9 or width > 25 or not hall.contains(start):
                continue
            end = (mx + nx * width, my + ny * width)
            key = (int(mx // spacing), int(my // spacing), abs(nx) > abs(ny))
            if key not in kept or width < kept[key].width:
                kept[key] = Dimension((mx, my), end, round(width, 1))
    return sorted(kept.values(), key=lambda d: (d.start[1], d.start[0]))
