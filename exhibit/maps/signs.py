"""Booth fascia signs (issue 19): one page per booth of a hall, in the size the organiser
chooses: the booth number, the exhibitor's name fitted to the sign and a QR code to the
exhibitor's page. Booths without a confirmed exhibitor get the number alone.

The name is fitted as on the printed maps (widths measured with the font's own metrics,
:func:`exhibit.maps.printing.text_width`): as large as fits in at most :data:`MAX_LINES`
lines, broken at spaces; a name that does not fit at the smallest size is shortened with an
ellipsis. Each sign is an SVG drawn by CairoSVG onto one PDF surface
(:class:`exhibit.maps.pdf.PdfPages`); names are escaped, and CairoSVG fetches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from exhibit.booking.services import booth_states
from exhibit.floorplan.models import Hall
from exhibit.maps.pdf import PdfPages
from exhibit.maps.printing import text_width, wrap

#: Lines a name may take on a sign.
MAX_LINES = 3
#: The smallest name on a sign, as a share of the room for it (read from a few metres).
MIN_NAME_SHARE = 0.09
#: Sizes a sign may have, mm: from an A4-sized card up to a 3 m fascia.
MIN_SIZE = (150, 50)
MAX_SIZE = (3000, 1000)
_SIZE = re.compile(r"^\s*(\d{2,4})\s*[x×х]\s*(\d{2,4})\s*$")


class SignError(ValueError):
    """A size the signs cannot have."""


def parse_size(text: str) -> tuple[int, int]:
    """``"1000x300"`` (mm, width × height) → ``(1000, 300)``, within the allowed sizes."""
    found = _SIZE.match(text or "")
    if not found:
        raise SignError(f"Размер вывески «{text}» не понят: нужно ШИРИНАxВЫСОТА в мм, 1000x300")
    width, height = int(found[1]), int(found[2])
    if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise SignError(
            f"Размер вывески {width}x{height} мм вне допустимого: ширина {MIN_SIZE[0]}–"
            f"{MAX_SIZE[0]}, высота {MIN_SIZE[1]}–{MAX_SIZE[1]} мм"
        )
    if width < height * 1.5:
        raise SignError(f"Вывеска {width}x{height} мм слишком узкая: ширина — от 1,5 высоты")
    return width, height


@dataclass(frozen=True)
class FittedName:
    lines: tuple[str, ...]
    size: float  # mm


def fit_name(name: str, width: float, height: float) -> FittedName:
    """``name`` as large as fits into ``width`` × ``height`` mm in up to MAX_LINES lines,
    broken at spaces; at the smallest size a name still too long is cut with an ellipsis."""
    smallest = height * MIN_NAME_SHARE
    size = height / 1.2  # one line as tall as the room
    while size >= smallest:
        lines = wrap(name, width, size, bold=True)
        if len(lines) <= MAX_LINES and len(lines) * size * 1.2 <= height \
                and _whole_words(name, lines):  # fmt: skip
            return FittedName(tuple(lines), round(size, 2))
        size *= 0.93
    size = smallest
    lines = wrap(name, width, size, bold=True)
    if len(lines) > MAX_LINES:
        last = " ".join(lines[MAX_LINES - 1 :])
        while last and text_width(last + "…", size, bold=True) > width:
            last = last[:-1]
        lines = [*lines[: MAX_LINES - 1], last.rstrip(" ,.«—-") + "…"]
    return FittedName(tuple(lines), round(size, 2))


def _whole_words(name: str, lines: list[str]) -> bool:
    """Whether the lines break only at spaces (no word was cut)."""
    return " ".join(lines).split() == name.split()


def _qr(url: str, x: float, y: float, side: float) -> str:
    import segno

    svg = segno.make(url, error="m").svg_inline(border=0, dark="#000", omitsize=True)
    return svg.replace("<svg ", f'<svg x="{x:.2f}" y="{y:.2f}" width="{side:.2f}" '
                       f'height="{side:.2f}" ', 1)  # fmt: skip


def sign_svg(number: str, name: str | None, url: str | None, width: int, height: int) -> str:
    """One sign: the number on the left, the name in the middle, the QR code on the right."""
    margin = height * 0.1
    inner = height - 2 * margin
    number_size = min(inner * 0.7, (width * 0.22) / max(text_width(number, 1.0, bold=True), 0.1))
    number_width = text_width(number, number_size, bold=True)
    parts = [
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="{margin:.2f}" y="{height / 2:.2f}" font-size="{number_size:.2f}" '
        f'font-weight="bold" dominant-baseline="central">{escape(number)}</text>',
    ]
    left = margin + number_width + margin
    right = width - margin
    if url:
        right -= inner + margin
        parts.append(_qr(url, width - margin - inner, margin, inner))
    if name:
        fitted = fit_name(name, right - left, inner)
        step = fitted.size * 1.2
        top = height / 2 - step * (len(fitted.lines) - 1) / 2
        for i, line in enumerate(fitted.lines):
            parts.append(
                f'<text x="{left:.2f}" y="{top + i * step:.2f}" font-size="{fitted.size:.2f}" '
                f'font-weight="bold" dominant-baseline="central">{escape(line)}</text>'
            )
    parts.append(f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" '
                 'fill="none" stroke="#999" stroke-width="0.5"/>')  # fmt: skip
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans" fill="#1b1f24">'
        + "".join(parts)
        + "</svg>"
    )


def signs_pdf(session: Session, hall: Hall, base_url: str, size: tuple[int, int]) -> bytes:
    """Every current booth's sign, in booth order, one page each of ``size`` mm."""
    slug = hall.exhibition.slug
    pages = PdfPages(title=f"{hall.exhibition.title} — {hall.name}: вывески стендов")
    states = sorted(booth_states(session, hall), key=lambda s: _order(s.booth.number))
    for state in states:
        exhibitor = state.exhibitor if state.status == "confirmed" else None
        if exhibitor is not None and not exhibitor.is_public:
            exhibitor = None
        url = f"{base_url.rstrip('/')}/{slug}/exhibitors/{exhibitor.id}" if exhibitor else None
        name = exhibitor.name if exhibitor else None
        alt = f"Вывеска стенда {state.booth.number}" + (f": {name}" if name else "")
        pages.svg(sign_svg(state.booth.number, name, url, *size), alt=alt)
    if not states:
        raise SignError(f"В зале «{hall.name}» нет стендов: вывесок нет")
    return pages.finish()


def _order(number: str) -> tuple:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|\D+", number))
