"""DXF import and export (the format venues send).

Import
------
Outlines are closed LWPOLYLINE / POLYLINE entities and HATCH boundaries (CIRCLEs too, for
round columns; LINEs and open polylines for doors), classified by **layer**. The default
layer map (case-insensitive):

=================================  ==========
layer                              kind
=================================  ==========
HALL, WALLS-OUTLINE                hall (the largest outline; outlines inside it are holes)
BOOTHS, BOOTH, STANDS, STANDS-*    booth
COLUMNS, COLUMN                    obstacle (``type: column``)
OBSTACLES, OBSTACLE, ROOMS, STAIRS obstacle
ZONES, ZONE                        zone
EXITS, EXIT                        exit
ENTRANCES, ENTRANCE                entrance
FIRE_EQUIPMENT, EQUIPMENT          equipment (fire-safety equipment: points)
NUMBERS, BOOTH-NUMBERS, TEXT       texts (booth numbers)
=================================  ==========

A layer ``NAME-suffix`` (or ``NAME_suffix``) takes the kind of ``NAME``; the suffix says
more: ``ZONES-tourism`` is a zone of the track ``tourism``, ``ENTRANCES-MAIN`` the main
entrance. A zone on a plain ``ZONES`` layer takes its track from a text inside it (a track
code such as ``living``). Other layers are ignored.

Fire-safety equipment is a POINT, a block reference (INSERT, not exploded: its insertion
point) or a CIRCLE (its centre) on a ``FIRE_EQUIPMENT`` layer. Its type comes from the layer's
suffix (``FIRE_EQUIPMENT-extinguisher``, ``-hose``, ``-alarm``, ``-first-aid``), else from the
block's name, else from a text on that layer within 1 m of the point; the type may be
written as the code, the Russian name or the sign's number (``extinguisher``,
``огнетушитель``, ``ОП-4``, ``F001``; ``hose``, ``ПК``, ``пожарный кран``; ``alarm``, ``ИПР``;
``first-aid``, ``аптечка``, ``E003``). A text near the point that is not a type is its name.

``layer_map`` adds or overrides entries: ``{"STANDS_2025": "booth", "Колонны": "obstacle",
"ZONA7": "zone:platform", "FURNITURE": "ignore"}``.

A booth's number is the TEXT or MTEXT whose anchor lies inside the booth (texts on the
number and booth layers first, then texts on any layer not mapped to ``ignore``); with
several, the one nearest the booth's centre. Units come from
``$INSUNITS`` (millimetres, centimetres, metres, inches, feet, …) and are converted to
metres; a unitless drawing is taken as millimetres when the hall is wider than 1,000 units,
else as metres. Blocks (INSERT) are exploded, three levels deep.

Untrusted files are parsed in a separate process (``python -m
exhibit.floorplan.formats.dxf``) with a time limit and an address-space limit
(``resource.setrlimit(RLIMIT_AS)``); a truncated or garbage file, a timeout or running out
of memory gives :class:`PlanFormatError`, never a traceback.

Export
------
``to_dxf(plan, path)`` writes R2010 DXF in metres (``$INSUNITS`` = 6) on the layers above
(zones on ``ZONES-<track>``, the main entrance on ``ENTRANCES-MAIN``, numbers as centred TEXT
on ``NUMBERS``, equipment as a block ``FIRE_<TYPE>`` — a 0.6 m square with the sign's
letter — inserted on ``FIRE_EQUIPMENT-<type>``, its name as TEXT beside it), so that
export → import gives the same plan.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import PlanFormatError
from ..plan import Plan

#: Seconds a DXF parse may take.
DXF_TIME_LIMIT = 30.0
#: Address space the parsing process may use (bytes).
DXF_MEMORY_LIMIT = 1024 * 1024 * 1024

DEFAULT_LAYER_MAP: dict[str, str] = {
    "HALL": "hall",
    "WALLS-OUTLINE": "hall",
    "BOOTHS": "booth",
    "BOOTH": "booth",
    "STANDS": "booth",
    "COLUMNS": "obstacle:column",
    "COLUMN": "obstacle:column",
    "OBSTACLES": "obstacle",
    "OBSTACLE": "obstacle",
    "ROOMS": "obstacle:room",
    "STAIRS": "obstacle:stairs",
    "ZONES": "zone",
    "ZONE": "zone",
    "EXITS": "exit",
    "EXIT": "exit",
    "ENTRANCES": "entrance",
    "ENTRANCE": "entrance",
    "FIRE_EQUIPMENT": "equipment",
    "FIRE-EQUIPMENT": "equipment",
    "EQUIPMENT": "equipment",
    "NUMBERS": "text",
    "BOOTH-NUMBERS": "text",
    "TEXT": "text",
}
_KINDS = {"hall", "booth", "obstacle", "zone", "entrance", "exit", "equipment", "text", "ignore"}
TRACKS = ("governance", "economy", "society", "tourism", "human-capital", "living", "platform")
#: How a type of equipment may be written in a drawing (lower case; a text *starting* with
#: one of these words names the type: «ОП-4» is an extinguisher).
EQUIPMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "extinguisher": ("extinguisher", "огнетушитель", "оп", "оу", "f001", "f04"),
    "hose": ("hose", "hydrant", "пожарный кран", "пк", "f002", "f02"),
    "alarm": ("alarm", "call point", "извещатель", "ипр", "f005", "f10"),
    "first-aid": ("first-aid", "first aid", "аптечка", "e003", "ec01"),
}


def _norm(text: str) -> str:
    value = " ".join(text.strip().lower().replace("_", " ").split())
    head, _, rest = value.partition(" ")
    return rest if head == "fire" and rest else value


def equipment_type_of(text: str | None) -> str | None:
    """The equipment type a layer suffix, block name or text stands for, if any."""
    if not text:
        return None
    value = _norm(text)
    for code, aliases in EQUIPMENT_ALIASES.items():
        for alias in map(_norm, (code, *aliases)):
            if value == alias or (value.startswith(alias) and not value[len(alias)].isalpha()):
                return code
    return None


# --------------------------------------------------------------------------- import


def _classify(layer: str, layer_map: Mapping[str, str]) -> tuple[str, str | None]:
    """(kind, qualifier) of a layer; kind ``unknown`` for layers not in the map (their texts
    still count as booth numbers, their shapes do not)."""
    upper = layer.upper()
    table = {k.upper(): v for k, v in layer_map.items()}
    entry = table.get(upper)
    suffix = None
    if entry is None:
        for sep in ("-", "_", " "):
            head, found, _ = upper.partition(sep)
            if found and head in table:
                entry, suffix = table[head], layer[len(head) + 1 :]
                break
    if entry is None:
        return "unknown", None
    kind, _, qualifier = entry.partition(":")
    return kind, (qualifier or suffix or None)


def _unit_factor(doc, extent: float) -> float:
    from ezdxf import units

    code = int(doc.header.get("$INSUNITS", 0) or 0)
    if code == 0:
        return 0.001 if extent > 1000 else 1.0
    try:
        return units.conversion_factor(code, units.M)
    except (KeyError, ValueError, ZeroDivisionError):
        raise PlanFormatError(f"Неизвестные единицы чертежа DXF ($INSUNITS = {code}).") from None


def _entities(layout, depth: int = 0, layer: str | None = None, keep=None):
    """Entities of a layout with blocks exploded; block content on layer 0 takes the layer
    of its INSERT. INSERTs on layers for which ``keep(layer)`` is true are yielded whole."""
    for e in layout:
        kind = e.dxftype()
        own = e.dxf.get("layer", "0")
        eff = layer if (layer is not None and own == "0") else own
        if kind == "INSERT":
            if keep is not None and keep(eff):
                yield e, eff
                continue
            if depth < 3:
                try:
                    yield from _entities(e.virtual_entities(), depth + 1, eff, keep)
                except Exception:  # a broken block is skipped, not fatal
                    continue
            continue
        yield e, eff


def _points(entity) -> list[tuple[float, float]] | None:
    from ezdxf import path as dxfpath

    try:
        p = dxfpath.make_path(entity)
        pts = [(v.x, v.y) for v in p.flattening(0.01 if p.has_curves else 1.0)]
    except Exception:  # entities ezdxf cannot turn into a path are skipped
        return None
    return pts


def _is_closed(entity, pts) -> bool:
    if entity.dxftype() in ("LWPOLYLINE", "POLYLINE"):
        if entity.dxftype() == "POLYLINE" and not entity.is_2d_polyline:
            return False
        if entity.closed:
            return True
    return len(pts) >= 4 and pts[0] == pts[-1]


def _text_of(entity) -> tuple[str, tuple[float, float]] | None:
    kind = entity.dxftype()
    try:
        if kind == "TEXT":
            text = entity.plain_text()
            _, p1, _ = entity.get_placement()
            ocs = entity.ocs()
            where = ocs.to_wcs(p1)
        elif kind == "MTEXT":
            text = entity.plain_text()
            where = entity.dxf.insert
        else:
            return None
    except Exception:  # unreadable text is skipped
        return None
    text = " ".join(str(text).split())
    return (text, (where.x, where.y)) if text else None


def _short(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_dxf(data: bytes, layer_map: Mapping[str, str] | None = None) -> dict[str, Any]:
    """DXF bytes → a plan GeoJSON document (in metres). Runs in the parsing process.

    Raises :class:`PlanFormatError` for anything that is not a usable plan drawing.
    """
    import ezdxf
    import shapely
    from ezdxf import recover
    from shapely.geometry import LineString, Point, Polygon

    from .geojson import geometry_to_geojson

    mapping = dict(DEFAULT_LAYER_MAP)
    for key, value in (layer_map or {}).items():
        if value.partition(":")[0] not in _KINDS:
            raise PlanFormatError(f"Неизвестный вид «{value}» для слоя «{key}» в карте слоёв.")
        mapping[key] = value
    # A text DXF ends with the EOF marker; without it the file was cut short, and the
    # recovering reader would quietly return only part of the drawing.
    if not data.startswith(b"AutoCAD Binary DXF") and data.rstrip()[-3:].upper() != b"EOF":
        raise PlanFormatError("Файл DXF обрезан: нет конца файла (EOF). Загрузите его заново.")
    try:
        doc, _auditor = recover.read(io.BytesIO(data))
    except (ezdxf.DXFStructureError, ezdxf.DXFError) as exc:
        raise PlanFormatError(f"Файл DXF повреждён: {_short(exc)}.") from None
    except (UnicodeDecodeError, ValueError, IndexError, TypeError, EOFError) as exc:
        raise PlanFormatError(f"Файл DXF не читается: {_short(exc)}.") from None

    shapes: dict[str, list[tuple[Any, str | None]]] = {k: [] for k in _KINDS}
    texts: list[tuple[str, tuple[float, float], str]] = []

    def is_equipment(layer: str) -> bool:
        return _classify(layer, mapping)[0] == "equipment"

    for entity, layer in _entities(doc.modelspace(), keep=is_equipment):
        kind, qualifier = _classify(layer, mapping)
        if kind == "ignore":
            continue
        dxftype = entity.dxftype()
        if dxftype in ("TEXT", "MTEXT"):
            found = _text_of(entity)
            if found:
                texts.append((found[0], found[1], kind))
            continue
        if kind in ("text", "unknown"):
            continue
        if kind == "equipment":
            # A point: a POINT, a block's insertion point or a circle's centre.
            if dxftype == "INSERT":
                p = entity.dxf.insert
                shapes[kind].append((Point(p.x, p.y), qualifier or entity.dxf.name))
            elif dxftype == "POINT":
                p = entity.dxf.location
                shapes[kind].append((Point(p.x, p.y), qualifier))
            elif dxftype == "CIRCLE":
                c = entity.dxf.center
                shapes[kind].append((Point(c.x, c.y), qualifier))
            continue
        if dxftype == "HATCH":
            from ezdxf import path as dxfpath

            try:
                rings = [
                    [(v.x, v.y) for v in p.flattening(0.01)] for p in dxfpath.from_hatch(entity)
                ]
            except Exception:
                continue
            polys = [Polygon(r) for r in rings if len(r) >= 4]
            polys = [p for p in polys if p.is_valid and p.area > 0]
            if polys:
                outer = max(polys, key=lambda p: p.area)
                holes = [p.exterior.coords for p in polys if p is not outer and outer.contains(p)]
                shapes[kind].append((Polygon(outer.exterior.coords, holes), qualifier))
            continue
        if dxftype == "CIRCLE":
            c, r = entity.dxf.center, entity.dxf.radius
            shapes[kind].append((Point(c.x, c.y).buffer(r, 16), qualifier))
            continue
        if dxftype == "LINE":
            s, e = entity.dxf.start, entity.dxf.end
            shapes[kind].append((LineString([(s.x, s.y), (e.x, e.y)]), qualifier))
            continue
        if dxftype == "POINT" and kind in ("entrance", "exit"):
            p = entity.dxf.location
            shapes[kind].append((Point(p.x, p.y), qualifier))
            continue
        if dxftype not in ("LWPOLYLINE", "POLYLINE"):
            continue
        pts = _points(entity)
        if not pts or len(pts) < 2:
            continue
        if _is_closed(entity, pts) and len(pts) >= 3:
            shapes[kind].append((Polygon(pts), qualifier))
        else:
            shapes[kind].append((LineString(pts), qualifier))

    halls = [g for g, _ in shapes["hall"] if isinstance(g, Polygon) and g.area > 0]
    if not halls:
        layers = ", ".join(k for k, v in mapping.items() if v.partition(":")[0] == "hall")
        raise PlanFormatError(
            f"В DXF нет контура зала: нужна замкнутая полилиния на слое {layers} "
            "(или укажите слой зала в карте слоёв)."
        )
    outline = max(halls, key=lambda g: g.area)
    holes = [g for g in halls if g is not outline and outline.contains(g)]
    hall = Polygon(outline.exterior.coords, [h.exterior.coords for h in holes])
    minx, miny, maxx, maxy = hall.bounds
    factor = _unit_factor(doc, max(maxx - minx, maxy - miny))

    def scaled(geom):
        return shapely.transform(geom, lambda c: c * factor) if factor != 1.0 else geom

    features: list[dict[str, Any]] = []

    def add(kind: str, geom, **props):
        props = {"kind": kind, **props}
        features.append(
            {"type": "Feature", "geometry": geometry_to_geojson(scaled(geom)), "properties": props}
        )

    add("hall", hall)
    booth_polys = [g for g, _ in shapes["booth"] if isinstance(g, Polygon)]
    numbers = _assign_numbers(booth_polys, [t for t in texts if t[2] != "equipment"])
    for poly, number in zip(booth_polys, numbers, strict=True):
        add("booth", poly, number=number)
    for geom, qualifier in shapes["obstacle"]:
        if isinstance(geom, Polygon):
            kind_of = (qualifier or "").lower()
            props = {"type": kind_of} if kind_of in ("column", "room", "stairs", "wall") else {}
            add("obstacle", geom, **props)
    for geom, qualifier in shapes["zone"]:
        if not isinstance(geom, Polygon):
            continue
        track = (qualifier or "").lower() or _track_from_texts(geom, texts)
        if track not in TRACKS:
            x, y = geom.representative_point().coords[0]
            raise PlanFormatError(
                f"Зона в точке ({x * factor:.1f}; {y * factor:.1f}) без направления: назовите "
                f"слой ZONES-<код> (например, ZONES-tourism) или подпишите зону кодом направления."
            )
        add("zone", geom, track=track)
    for kind in ("entrance", "exit"):
        for geom, qualifier in shapes[kind]:
            props = (
                {"main": True} if kind == "entrance" and (qualifier or "").upper() == "MAIN" else {}
            )
            add(kind, geom, **props)
    for geom, qualifier in shapes["equipment"]:
        add("equipment", geom, **_equipment_props(geom, qualifier, texts, 1.0 / factor, factor))
    top = {"units": "m", "source_units_factor": factor}
    return {"type": "FeatureCollection", "properties": top, "features": features}


def _assign_numbers(booths, texts) -> list[str | None]:
    """Per booth, the text inside it (nearest its centre); booth-number layers first."""
    import numpy as np
    import shapely

    numbers: list[str | None] = [None] * len(booths)
    if not booths or not texts:
        return numbers
    pts = shapely.points(np.asarray([t[1] for t in texts], float))
    tree = shapely.STRtree(np.asarray(booths, dtype=object))
    pairs = tree.query(pts, predicate="within")
    best: dict[int, tuple[int, float]] = {}
    for t, b in zip(pairs[0], pairs[1], strict=True):
        rank = 0 if texts[t][2] in ("text", "booth") else 1
        dist = booths[b].centroid.distance(pts[t])
        key = (rank, dist)
        if int(b) not in best or key < best[int(b)][1:]:
            best[int(b)] = (int(t), *key)
    for b, (t, *_rest) in best.items():
        numbers[b] = texts[t][0][:32]
    return numbers


def _equipment_props(point, qualifier, texts, reach: float, factor: float) -> dict[str, Any]:
    """``type`` (and ``name``) of a piece of equipment: from the layer suffix or block name,
    else from the nearest text on an equipment layer within ``reach`` drawing units that
    names a type; the nearest other text is its name."""
    near = sorted(
        (point.distance(_xy_point(where)), text)
        for text, where, kind in texts
        if kind == "equipment" and point.distance(_xy_point(where)) <= reach
    )
    kind = equipment_type_of(qualifier)
    name = None
    for _, text in near:
        found = equipment_type_of(text)
        if found and kind is None:
            kind = found  # the text says what it is («ОП-4»): not a name
        elif name is None:
            name = text[:200]
    if kind is None:
        raise PlanFormatError(
            f"Пожарное оборудование в точке ({point.x * factor:.1f}; {point.y * factor:.1f}) без "
            "вида: назовите слой FIRE_EQUIPMENT-<вид> (extinguisher, hose, alarm, first-aid) "
            "или подпишите точку видом (например, «огнетушитель»)."
        )
    return {"type": kind, "name": name} if name else {"type": kind}


def _xy_point(where: tuple[float, float]):
    from shapely.geometry import Point

    return Point(where)


def _track_from_texts(zone, texts) -> str | None:
    from shapely.geometry import Point

    for text, where, _ in texts:
        code = text.strip().lower()
        if code in TRACKS and zone.contains(Point(where)):
            return code
    return None


# --------------------------------------------------------------------------- sandbox


def _limit_resources(memory: int, seconds: float) -> None:
    """Called in the parsing process itself, after its imports."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = max(1, int(seconds) + 1)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _worker() -> None:
    """Entry of the parsing process: DXF bytes on stdin → JSON on stdout."""
    # Everything the parse needs is imported before the memory limit is set.
    import ezdxf.path
    import ezdxf.recover  # noqa: F401
    import numpy  # noqa: F401
    import shapely  # noqa: F401

    from . import geojson  # noqa: F401

    options = json.loads(os.environ.get("EXHIBIT_DXF_OPTIONS", "{}"))
    _limit_resources(int(options.get("memory", DXF_MEMORY_LIMIT)), float(options.get("time", 30)))
    out = sys.stdout
    try:
        data = sys.stdin.buffer.read()
        doc = parse_dxf(data, options.get("layer_map"))
        result = {"ok": doc}
    except PlanFormatError as exc:
        result = {"error": str(exc)}
    except MemoryError:
        result = {"error": "Файл DXF слишком сложный: не хватило памяти для разбора."}
    except RecursionError:
        result = {"error": "Файл DXF слишком сложный (слишком глубокая вложенность)."}
    except Exception as exc:  # untrusted input: any failure is a format error
        result = {"error": f"Файл DXF не читается: {type(exc).__name__}: {_short(exc)}"}
    out.write(json.dumps(result, ensure_ascii=False))
    out.flush()


def read_dxf_bytes(
    data: bytes,
    *,
    layer_map: Mapping[str, str] | None = None,
    time_limit: float = DXF_TIME_LIMIT,
    memory_limit: int = DXF_MEMORY_LIMIT,
    sandbox: bool = True,
) -> Plan:
    """Read a DXF plan (bytes) into a :class:`Plan`, parsing it in a limited subprocess.

    ``sandbox=False`` parses in this process (trusted files, debugging).
    """
    from .geojson import from_geojson

    if not sandbox:
        return from_geojson(parse_dxf(data, layer_map))
    package_root = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env["EXHIBIT_DXF_OPTIONS"] = json.dumps(
        {"memory": memory_limit, "time": time_limit, "layer_map": dict(layer_map or {})}
    )
    # One thread each: OpenBLAS and friends reserve address space per thread.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "exhibit.floorplan.formats.dxf"],
            input=data,
            capture_output=True,
            timeout=time_limit,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PlanFormatError(
            f"Разбор файла DXF не уложился в {time_limit:g} с: файл слишком сложный."
        ) from None
    try:
        result = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        result = None
    if not isinstance(result, dict) or ("ok" not in result and "error" not in result):
        why = "не хватило памяти или времени" if proc.returncode < 0 else "сбой разбора"
        raise PlanFormatError(f"Файл DXF не читается ({why}, код {proc.returncode}).")
    if "error" in result:
        raise PlanFormatError(result["error"])
    return from_geojson(result["ok"])


# --------------------------------------------------------------------------- export


def to_dxf(plan: Plan, path: str | os.PathLike[str] | io.StringIO) -> None:
    """Write the plan as DXF R2010 in metres (see the module docstring for the layers)."""
    import ezdxf
    from ezdxf.enums import TextEntityAlignment
    from shapely.geometry import LineString, MultiPolygon, Point, Polygon

    from .svg import EQUIPMENT_MARKS

    doc = ezdxf.new("R2010", setup=False)
    doc.header["$INSUNITS"] = 6  # metres
    doc.header["$MEASUREMENT"] = 1
    msp = doc.modelspace()
    colours = {
        "HALL": 7,
        "BOOTHS": 5,
        "COLUMNS": 8,
        "OBSTACLES": 8,
        "EXITS": 1,
        "ENTRANCES": 3,
        "NUMBERS": 7,
        "FIRE_EQUIPMENT": 1,
    }

    def layer(name: str) -> str:
        if name not in doc.layers:
            base = name.split("-")[0]
            doc.layers.add(name, color=colours.get(base, 4))
        return name

    def polygon(geom, name: str) -> None:
        polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
        for poly in polys:
            if not isinstance(poly, Polygon) or poly.is_empty:
                continue
            for ring in (poly.exterior, *poly.interiors):
                pts = [(round(x, 6), round(y, 6)) for x, y in list(ring.coords)[:-1]]
                msp.add_lwpolyline(pts, close=True, dxfattribs={"layer": layer(name)})

    def door(geom, name: str) -> None:
        if isinstance(geom, LineString):
            msp.add_lwpolyline(list(geom.coords), close=False, dxfattribs={"layer": layer(name)})
        elif isinstance(geom, Point):
            msp.add_point((geom.x, geom.y), dxfattribs={"layer": layer(name)})
        else:
            polygon(geom, name)

    polygon(plan.hall, "HALL")
    for o in plan.obstacles:
        polygon(o.geometry, "COLUMNS" if o.properties.get("type") == "column" else "OBSTACLES")
    for z in plan.zones:
        polygon(z.geometry, f"ZONES-{z.track}" if z.track else "ZONES")
    for e in plan.entrances:
        door(e.geometry, "ENTRANCES-MAIN" if e.properties.get("main") else "ENTRANCES")
    for e in plan.exits:
        door(e.geometry, "EXITS")
    for item in plan.equipment:
        kind = item.equipment_type or "extinguisher"
        block = f"FIRE_{kind.upper().replace('-', '_')}"
        if block not in doc.blocks:
            symbol = doc.blocks.new(block)
            symbol.add_lwpolyline([(-0.3, -0.3), (0.3, -0.3), (0.3, 0.3), (-0.3, 0.3)], close=True)
            mark = symbol.add_text(EQUIPMENT_MARKS.get(kind, "?"), height=0.3)
            mark.set_placement((0, 0), align=TextEntityAlignment.MIDDLE_CENTER)
        at = item.geometry if isinstance(item.geometry, Point) else item.geometry.centroid
        msp.add_blockref(block, (at.x, at.y), dxfattribs={"layer": layer(f"FIRE_EQUIPMENT-{kind}")})
        if item.name:
            msp.add_text(
                item.name, height=0.25, dxfattribs={"layer": layer(f"FIRE_EQUIPMENT-{kind}")}
            ).set_placement((at.x + 0.4, at.y + 0.1))
    for b in plan.booths:
        polygon(b.polygon, "BOOTHS")
        if b.number:
            spot = b.polygon.representative_point()
            text = msp.add_text(b.number, height=0.4, dxfattribs={"layer": layer("NUMBERS")})
            text.set_placement((spot.x, spot.y), align=TextEntityAlignment.MIDDLE_CENTER)
    if isinstance(path, io.StringIO):
        doc.write(path)
    else:
        doc.saveas(os.fspath(path))


if __name__ == "__main__":
    _worker()
