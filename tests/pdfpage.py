"""Reading a rendered PDF page back as geometry: painted paths (pypdf, from the page's
content stream) and word boxes (poppler's ``pdftotext -bbox``), both in millimetres from the
page's top left corner, so that tests can measure what is printed."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ContentStream
from shapely.geometry import Polygon, box

MM = 25.4 / 72  # millimetres per PDF point
_PAINT = {b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*"}
_STROKED = {b"S", b"s", b"B", b"B*", b"b", b"b*"}


@dataclass(frozen=True)
class Word:
    text: str
    box: Polygon  # mm, y down


def _multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)  # fmt: skip


def stroked_outlines(path: Path, page: int = 0) -> list[Polygon]:
    """Every closed outline stroked on the page (booths, the hall, …), in mm, y down.

    Follows the graphics state (``q``/``Q``/``cm``) the way a viewer does; curves are
    reduced to their end points (outlines of booths have none).
    """
    reader = PdfReader(path)
    pdf_page = reader.pages[page]
    height = float(pdf_page.mediabox.height)
    ctm: tuple[float, ...] = (1, 0, 0, 1, 0, 0)
    stack: list[tuple[float, ...]] = []
    subpaths: list[list[tuple[float, float]]] = []
    out: list[Polygon] = []

    def at(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = ctm
        px, py = a * x + c * y + e, b * x + d * y + f
        return (px * MM, (height - py) * MM)

    for operands, op in ContentStream(pdf_page.get_contents(), reader).operations:
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop()
        elif op == b"cm":
            ctm = _multiply(tuple(float(v) for v in operands), ctm)
        elif op == b"re":
            x, y, w, h = (float(v) for v in operands)
            subpaths.append([at(x, y), at(x + w, y), at(x + w, y + h), at(x, y + h)])
        elif op == b"m":
            subpaths.append([at(float(operands[0]), float(operands[1]))])
        elif op == b"l" and subpaths:
            subpaths[-1].append(at(float(operands[0]), float(operands[1])))
        elif op in (b"c", b"v", b"y") and subpaths:
            subpaths[-1].append(at(float(operands[-2]), float(operands[-1])))
        elif op in _PAINT or op == b"n":
            if op in _STROKED:
                out.extend(Polygon(s) for s in subpaths if len(s) >= 3)
            subpaths = []
    return [p for p in out if p.is_valid and p.area > 0]


def need_poppler() -> None:
    """Skip a test that reads a PDF with poppler when it is missing (fail where CI sets
    ``EXHIBIT_REQUIRE_PDF_TOOLS``)."""
    if shutil.which("pdftotext") and shutil.which("pdffonts"):
        return
    import os

    import pytest

    message = "PDF checks need poppler-utils: apt-get install poppler-utils"
    if os.environ.get("EXHIBIT_REQUIRE_PDF_TOOLS", "") not in ("", "0", "false", "no"):
        pytest.fail(message + " (EXHIBIT_REQUIRE_PDF_TOOLS is set: no skipping)")
    pytest.skip(message)


def words(path: Path, page: int = 0) -> list[Word]:
    """The words poppler finds on the page, with their boxes in mm (y down)."""
    need_poppler()
    n = str(page + 1)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", n, "-l", n, str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    root = ET.fromstring(html.split("<!DOCTYPE", 1)[-1].split(">", 1)[1])
    found = []
    for el in root.iter("{http://www.w3.org/1999/xhtml}word"):
        x0, y0, x1, y1 = (float(el.get(k)) * MM for k in ("xMin", "yMin", "xMax", "yMax"))
        found.append(Word(el.text or "", box(x0, y0, x1, y1)))
    return found
