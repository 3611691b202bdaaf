"""SVG export of a plan: a plain vector drawing of the file as it stands, for other tools.

Used only to export: the organisers' «plan.svg» download, ``flask plan export --format svg``
and ``flask plan convert/layout -o X.svg`` (with each booth's area and open sides). The web
map is drawn by the ``templates/maps/`` templates and the printed map by ``templates/print/``
(``exhibit/maps/pdf.py``); neither uses this module.

Built with ``xml.etree.ElementTree`` so that user text (booth numbers, names) is always
escaped. Units: 1 SVG user unit = 1 metre (``viewBox``); the y axis is flipped so that north
(+y in the plan) is up. Every booth is a ``<path class="booth kind-…" data-number="…">``
with a ``<title>``; its number is drawn as ``<text>`` at a point inside it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from ..geometry import BoothFacts
from ..plan import EQUIPMENT_TYPES, Plan

SVG_NS = "http://www.w3.org/2000/svg"

#: Zone fill colours by track (status and track are also told by text/pattern in the UI).
TRACK_COLOURS = {
    "governance": "#4e79a7",
    "economy": "#f28e2b",
    "society": "#e15759",
    "tourism": "#76b7b2",
    "human-capital": "#59a14f",
    "living": "#edc948",
    "platform": "#b07aa1",
}

#: The letter on an equipment square: «О» огнетушитель, «ПК» пожарный кран, «И» извещатель.
EQUIPMENT_MARKS = {"extinguisher": "О", "hose": "ПК", "alarm": "И", "first-aid": "+"}

_STYLE = """
.hall{fill:#fafafa;stroke:#222;stroke-width:0.3}
.zone{fill-opacity:0.18;stroke-width:0.15;stroke-dasharray:0.6 0.4}
.obstacle{fill:#555;stroke:none}
.booth{fill:#fff;stroke:#333;stroke-width:0.08}
.booth.kind-corner{fill:#f4f8ff}.booth.kind-peninsula{fill:#e9f1ff}
.booth.kind-island{fill:#dce9ff}
.entrance{stroke:#2a9d4a;stroke-width:0.6;fill:none}
.exit{stroke:#d62828;stroke-width:0.6;fill:none}
.equipment{fill:#c8102e;stroke:#fff;stroke-width:0.05}.equipment.type-first-aid{fill:#00843d}
text.equipment-mark{font-family:'DejaVu Sans',sans-serif;text-anchor:middle;
dominant-baseline:central;fill:#fff;font-size:0.4px;font-weight:bold}
text.number{font-family:'DejaVu Sans',sans-serif;text-anchor:middle;
dominant-baseline:central;fill:#111}
"""


def _fmt(v: float) -> str:
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class _Flip:
    """Plan coordinates → SVG coordinates (y down), offset by the drawing's bounds."""

    def __init__(self, bounds: tuple[float, float, float, float], margin: float):
        minx, miny, maxx, maxy = bounds
        self.x0 = minx - margin
        self.y1 = maxy + margin
        self.width = maxx - minx + 2 * margin
        self.height = maxy - miny + 2 * margin

    def pt(self, x: float, y: float) -> tuple[str, str]:
        return _fmt(x - self.x0), _fmt(self.y1 - y)

    def ring(self, coords) -> str:
        pts = [self.pt(x, y) for x, y in list(coords)[:-1]]
        return "M" + " L".join(f"{a} {b}" for a, b in pts) + " Z"

    def path(self, geom: BaseGeometry) -> str:
        if isinstance(geom, Polygon):
            rings = [geom.exterior, *geom.interiors]
            return " ".join(self.ring(r.coords) for r in rings)
        if isinstance(geom, MultiPolygon):
            return " ".join(self.path(g) for g in geom.geoms)
        if isinstance(geom, LineString):
            pts = [self.pt(x, y) for x, y in geom.coords]
            return "M" + " L".join(f"{a} {b}" for a, b in pts)
        if isinstance(geom, Point):
            x, y = self.pt(geom.x, geom.y)
            return f"M{x} {y} m-0.4 0 a0.4 0.4 0 1 0 0.8 0 a0.4 0.4 0 1 0 -0.8 0"
        return " ".join(self.path(g) for g in getattr(geom, "geoms", []))


def to_svg(
    plan: Plan,
    facts: Sequence[BoothFacts] | None = None,
    *,
    width_px: int | None = 1200,
    margin: float = 2.0,
    numbers: bool = True,
    title: str | None = None,
) -> str:
    """The plan as an SVG document (a string, UTF-8 friendly).

    ``facts`` (from :func:`booth_facts`, in plan order) adds each booth's kind as a CSS
    class and to its tooltip. ``width_px`` sets the rendered width (the height follows).
    """
    flip = _Flip(plan.hall.bounds if not plan.hall.is_empty else (0, 0, 1, 1), margin)
    attrs = {
        "xmlns": SVG_NS,
        "viewBox": f"0 0 {_fmt(flip.width)} {_fmt(flip.height)}",
        "class": "plan",
    }
    if width_px:
        attrs["width"] = str(width_px)
        attrs["height"] = str(round(width_px * flip.height / flip.width))
    root = ET.Element("svg", attrs)
    ET.SubElement(root, "title").text = title or plan.name or "План зала"
    ET.SubElement(root, "style").text = _STYLE

    ET.SubElement(root, "path", {"class": "hall", "d": flip.path(plan.hall)})
    zones = ET.SubElement(root, "g", {"class": "zones"})
    for zone in plan.zones:
        colour = TRACK_COLOURS.get(zone.track or "", "#999")
        el = ET.SubElement(
            zones,
            "path",
            {
                "class": f"zone track-{zone.track or 'none'}",
                "d": flip.path(zone.geometry),
                "fill": colour,
                "stroke": colour,
                "data-track": zone.track or "",
            },
        )
        ET.SubElement(el, "title").text = zone.name or zone.track or ""
    obst = ET.SubElement(root, "g", {"class": "obstacles"})
    for o in plan.obstacles:
        ET.SubElement(obst, "path", {"class": "obstacle", "d": flip.path(o.geometry)})

    booths = ET.SubElement(root, "g", {"class": "booths"})
    labels = ET.SubElement(root, "g", {"class": "numbers"})
    for i, booth in enumerate(plan.booths):
        fact = facts[i] if facts is not None and i < len(facts) else None
        cls = "booth" + (f" kind-{fact.kind}" if fact else "")
        el = ET.SubElement(
            booths,
            "path",
            {"class": cls, "d": flip.path(booth.polygon), "data-number": booth.number or ""},
        )
        tip = booth.number or "без номера"
        if fact:
            tip += f", {fact.area_m2:g} м², {fact.kind}".replace(".", ",")
        ET.SubElement(el, "title").text = tip
        if numbers and booth.number and not booth.polygon.is_empty:
            spot = booth.polygon.representative_point()
            minx, _, maxx, _ = booth.polygon.bounds
            size = max(0.35, min(1.2, (maxx - minx) / max(len(booth.number), 1) * 1.4))
            x, y = flip.pt(spot.x, spot.y)
            text = ET.SubElement(
                labels, "text", {"class": "number", "x": x, "y": y, "font-size": _fmt(size)}
            )
            text.text = booth.number

    doors = ET.SubElement(root, "g", {"class": "doors"})
    for kind, items in (("entrance", plan.entrances), ("exit", plan.exits)):
        for item in items:
            el = ET.SubElement(doors, "path", {"class": kind, "d": flip.path(item.geometry)})
            ET.SubElement(el, "title").text = item.name or (
                "Вход" if kind == "entrance" else "Выход"
            )
    kit = ET.SubElement(root, "g", {"class": "equipment"})
    for item in plan.equipment:
        kind = item.equipment_type or ""
        at = item.geometry.centroid
        x, y = flip.pt(at.x, at.y)
        el = ET.SubElement(
            kit,
            "rect",
            {
                "class": f"equipment type-{kind}",
                "x": _fmt(float(x) - 0.3),
                "y": _fmt(float(y) - 0.3),
                "width": "0.6",
                "height": "0.6",
                "data-type": kind,
            },
        )
        what = EQUIPMENT_TYPES.get(kind, ("оборудование",))[0]
        ET.SubElement(el, "title").text = f"{what} «{item.name}»" if item.name else what
        mark = ET.SubElement(kit, "text", {"class": "equipment-mark", "x": x, "y": y})
        mark.text = EQUIPMENT_MARKS.get(kind, "?")
    return ET.tostring(root, encoding="unicode", xml_declaration=False)


def write_svg(plan: Plan, path, facts: Sequence[BoothFacts] | None = None) -> None:
    """Write :func:`to_svg` to a file (UTF-8, with an XML declaration)."""
    text = to_svg(plan, facts)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write(text)
