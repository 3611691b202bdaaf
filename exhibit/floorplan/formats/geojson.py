"""The native plan format: a GeoJSON FeatureCollection in metres (floorplans/README.md).

``from_geojson`` checks the document against ``floorplans/plan.schema.json`` and then the
rules a schema cannot say (exactly one hall, finite coordinates in a sane range), and raises
:class:`PlanFormatError` with one human sentence naming the feature and the field.
Geometric validity (self-intersections, overlaps, …) is *not* checked here: that is
``validate_plan``'s job, so that a broken drawing still loads and gets a full report.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from ..errors import PlanFormatError
from ..plan import FEATURE_KINDS, Plan, PlanBooth, PlanFeature, PlanPoint

if TYPE_CHECKING:
    import jsonschema
    import jsonschema_rs

#: Largest coordinate accepted, in metres: anything beyond 100 km is a unit mistake.
MAX_COORDINATE = 100_000.0
#: Most features in one plan (a hall of 10,000 booths is already a very big show).
MAX_FEATURES = 200_000

_KIND_RU = {
    "hall": "зал",
    "booth": "стенд",
    "obstacle": "препятствие",
    "zone": "зона",
    "entrance": "вход",
    "exit": "выход",
    "equipment": "оборудование",
    "point": "точка «вы здесь»",
    "passage": "проход",
}
_TYPE_RU = {
    "string": "строка",
    "number": "число",
    "integer": "целое число",
    "object": "объект",
    "array": "массив",
    "boolean": "логическое значение",
    "null": "null",
}


def schema_path() -> Path:
    """Where ``plan.schema.json`` lives: ``floorplans/`` beside the package.

    An installed (non-editable) wheel carries it under ``<prefix>/share/exhibit/floorplans``.
    """
    candidates = [
        Path(__file__).resolve().parents[3] / "floorplans" / "plan.schema.json",
        Path(sysconfig.get_path("data")) / "share" / "exhibit" / "floorplans" / "plan.schema.json",
        Path(sys.prefix) / "share" / "exhibit" / "floorplans" / "plan.schema.json",
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("floorplans/plan.schema.json not found")


@lru_cache(maxsize=1)
def plan_schema() -> dict[str, Any]:
    """The JSON Schema of the plan format, loaded once."""
    return json.loads(schema_path().read_text(encoding="utf-8"))


def _subschema(name: str | None) -> dict[str, Any]:
    """The plan schema (``None``), its top level alone (``"top"``: the features only have to
    be a non-empty list) or one of its ``$defs``, standalone."""
    schema = plan_schema()
    if name is None:
        return schema
    if name == "top":
        top = dict(schema, properties=dict(schema["properties"]))
        top["properties"]["features"] = {"type": "array", "minItems": 1}
        return top
    return {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{name}"}


@lru_cache(maxsize=16)
def _validator(name: str | None = None) -> jsonschema.Draft202012Validator:
    """The reference validator (pure Python ``jsonschema``) of the schema or one of its
    ``$defs``: slow, but its errors explain themselves."""
    import jsonschema

    return jsonschema.Draft202012Validator(_subschema(name))


@lru_cache(maxsize=4)
def _fast_validator(name: str | None = None) -> jsonschema_rs.Draft202012Validator:
    """The compiled validator (jsonschema-rs) of the schema or one of its ``$defs``."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(_subschema(name))


@lru_cache(maxsize=1)
def geometry_types() -> dict[str, tuple[str, ...]]:
    """Which geometry types each feature kind may have, as ``plan.schema.json`` says."""
    out: dict[str, tuple[str, ...]] = {}
    for rule in plan_schema()["$defs"]["feature"]["allOf"]:
        kind = rule["if"]["properties"]["properties"]["properties"]["kind"]["const"]
        geometry = rule["then"]["properties"]["geometry"]
        refs = [geometry] if "$ref" in geometry else geometry["oneOf"]
        out[kind] = tuple(ref["$ref"].rsplit("/", 1)[1] for ref in refs)
    return out


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "логическое значение"
    if isinstance(value, (int, float)):
        return "число"
    if isinstance(value, str):
        return "строка"
    if isinstance(value, list):
        return "массив"
    if isinstance(value, dict):
        return "объект"
    return type(value).__name__


def _where(path: list[Any], data: Any) -> tuple[str, int | None, str | None]:
    """Human description of a JSON path: ``features[3] (стенд A12), поле properties.number``."""
    feature: int | None = None
    if len(path) >= 2 and path[0] == "features" and isinstance(path[1], int):
        feature = path[1]
        rest = path[2:]
        label = f"объект features[{feature}]"
        try:
            props = data["features"][feature]["properties"]
            kind = props.get("kind")
            if kind in _KIND_RU:
                label += f" ({_KIND_RU[kind]}"
                number = props.get("number")
                label += f" {number})" if isinstance(number, str) and number else ")"
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
    else:
        rest = path
        label = "план"
    field = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in rest).replace(".[", "[")
    return label, feature, field or None


def _count_reason(error: jsonschema.ValidationError, path: list[Any]) -> str:
    """Why a list has too few or too many items, in the words of what the list is."""
    defs = plan_schema()["$defs"]
    if path == ["features"]:
        return "в плане нет ни одного объекта"
    if error.schema == defs["position"]:
        return "у точки должно быть 2 или 3 координаты (x, y или x, y, z)"
    if error.schema == defs["ring"]:
        return "в кольце многоугольника не меньше 4 точек (первая повторяется в конце)"
    if error.schema == defs["LineString"]["properties"]["coordinates"]:
        return "у линии не меньше 2 точек"
    if error.schema == defs["Polygon"]["properties"]["coordinates"]:
        return "у многоугольника нет ни одного кольца"
    return "неверное число элементов"


def _schema_message(
    error: jsonschema.ValidationError, path: list[Any], data: Any, others: int
) -> PlanFormatError:
    """One sentence for ``error`` found at ``path`` of ``data`` (``others``: how many more
    features break the schema)."""
    label, feature, field = _where(path, data)
    value = error.instance
    if error.validator == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        names = " или ".join(_TYPE_RU.get(t, t) for t in expected)
        reason = f"ожидается {names}, а не {_json_type(value)}"
    elif error.validator == "required":
        missing = [k for k in error.validator_value if isinstance(value, dict) and k not in value]
        reason = f"нет обязательного поля «{missing[0] if missing else error.validator_value}»"
    elif error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        reason = (
            f"недопустимое значение {json.dumps(value, ensure_ascii=False)}; допустимы: {allowed}"
        )
    elif error.validator == "const" and path[-2:] == ["geometry", "type"]:
        reason = f"геометрия не того типа (ожидается {error.validator_value})"
    elif error.validator == "const":
        reason = f"должно быть {json.dumps(error.validator_value, ensure_ascii=False)}"
    elif error.validator in ("minItems", "maxItems"):
        reason = _count_reason(error, path)
    elif error.validator == "minimum":
        reason = f"должно быть не меньше {error.validator_value}, а не {value}"
    elif error.validator == "exclusiveMinimum":
        reason = f"должно быть больше {error.validator_value}, а не {value}"
    elif error.validator == "maximum":
        reason = f"должно быть не больше {error.validator_value}, а не {value}"
    elif error.validator == "minLength":
        reason = "пустая строка"
    elif error.validator == "pattern" and path[-2:] == ["properties", "id"]:
        reason = (
            f"код точки {json.dumps(value, ensure_ascii=False)} не годится: латинские буквы, "
            "цифры, «-» и «_», не длиннее 16 знаков (например P1)"
        )
    elif error.validator == "pattern":
        reason = f"значение {json.dumps(value, ensure_ascii=False)} не того вида"
    elif error.validator == "maxLength":
        reason = f"слишком длинное: {len(value)} знаков (не больше {error.validator_value})"
    elif error.validator == "oneOf":
        kind = _kind_at(data, feature)
        names = geometry_types().get(kind, ())
        allowed = " или ".join(filter(None, (", ".join(names[:-1]), names[-1] if names else "")))
        got = value.get("type") if isinstance(value, dict) else None
        got_text = f" {json.dumps(got, ensure_ascii=False)}" if got is not None else ""
        reason = f"геометрия не того типа{got_text} (ожидается {allowed})"
    else:
        reason = error.message
    where = f"{label}, поле {field}" if field else label
    more = f" Ещё объектов с ошибками: {others}." if others else ""
    return PlanFormatError(
        f"Ошибка в плане: {where}: {reason}.{more}", feature=feature, field=field
    )


def _kind_at(data: Any, index: int | None) -> Any:
    """The ``properties.kind`` of feature ``index`` (``None`` when there is none)."""
    try:
        return data["features"][index]["properties"]["kind"]
    except (KeyError, IndexError, TypeError):
        return None


def _explain(validator: jsonschema.Draft202012Validator, instance: Any) -> Any:
    """The most relevant error of ``instance`` (``jsonschema``'s ``best_match``), or ``None``."""
    from jsonschema.exceptions import best_match

    return best_match(validator.iter_errors(instance))


def _geometry_error(data: Any, index: int, error: Any, path: list[Any]) -> tuple[Any, list[Any]]:
    """An error inside a feature's geometry, explained against the geometry type it names.

    For kinds that allow several geometry types (``oneOf``), ``best_match`` picks an error of
    whichever alternative looks closest, e.g. a polygon's ring for a one-point line. When the
    geometry names an allowed type, its own definition explains it better.
    """
    geometry = data["features"][index].get("geometry")
    allowed = geometry_types().get(_kind_at(data, index), ())
    if len(allowed) < 2 or not isinstance(geometry, dict) or geometry.get("type") not in allowed:
        return error, path
    own = _explain(_validator(geometry["type"]), geometry)
    if own is None:
        return error, path
    return own, ["features", index, "geometry", *own.absolute_path]


def _refuse_non_finite(data: Any, index: int) -> None:
    """Name a NaN or an infinity in feature ``index`` (not JSON numbers: jsonschema-rs
    refuses them, ``jsonschema`` would let them through)."""
    for error in _fast_validator("feature").iter_errors(data["features"][index]):
        value: Any = data["features"][index]
        try:
            for step in error.instance_path:
                value = value[step]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            path = ["features", index, *error.instance_path]
            label, feature, field = _where(path, data)
            raise PlanFormatError(
                f"Ошибка в плане: {label}, поле {field}: не конечное число ({value}).",
                feature=feature,
                field=field,
            )


def _check_schema(data: Any) -> None:
    """Raise a :class:`PlanFormatError` naming the feature and field when ``data`` breaks
    ``plan.schema.json``.

    The compiled validator (jsonschema-rs) answers whether the document is valid in a few
    milliseconds even for 10,000 booths. Only when it is not, the reference validator
    (``jsonschema``) explains, on as little as it can: the top level of the document first
    (the plan's own properties, the feature list), else the first feature, in file order,
    that the compiled validator flags. The message counts the other broken features.
    Refusing a broken big file is thus as quick as accepting a good one.
    """
    features = data.get("features")
    # Kinds are checked first: a wrong kind would otherwise surface as an obscure if/then error.
    for index, feature in enumerate(features if isinstance(features, list) else []):
        if not isinstance(feature, dict):
            continue
        props = feature.get("properties")
        if isinstance(props, dict) and "kind" in props and props["kind"] not in FEATURE_KINDS:
            allowed = ", ".join(FEATURE_KINDS)
            raise PlanFormatError(
                f"Ошибка в плане: объект features[{index}], поле properties.kind: неизвестный вид "
                f"{json.dumps(props['kind'], ensure_ascii=False)}; допустимы: {allowed}.",
                feature=index,
                field="properties.kind",
            )
    if _fast_validator().is_valid(data):
        return
    error = _explain(_validator("top"), data)
    if error is not None or not isinstance(features, list):
        if error is not None:
            raise _schema_message(error, list(error.absolute_path), data, 0)
        return
    one = _fast_validator("feature")
    bad = [index for index, feature in enumerate(features) if not one.is_valid(feature)]
    for index in bad:
        _refuse_non_finite(data, index)
        error = _explain(_validator("feature"), features[index])
        if error is None:
            # The compiled validator refuses what the reference one accepts (a tuple, say):
            # the checks after the schema catch what matters.
            continue
        path = ["features", index, *error.absolute_path]
        if path[2:3] == ["geometry"]:
            error, path = _geometry_error(data, index, error, path)
        raise _schema_message(error, path, data, len(bad) - 1)


def _geometry(feature: dict[str, Any], index: int) -> BaseGeometry:
    try:
        with np.errstate(invalid="ignore"):  # NaN coordinates are refused just below
            geom = shape(feature["geometry"])
    except (ValueError, TypeError, KeyError, IndexError, shapely.errors.ShapelyError) as exc:
        raise PlanFormatError(
            f"Ошибка в плане: объект features[{index}], поле geometry: не удаётся построить "
            f"геометрию ({exc}).",
            feature=index,
            field="geometry",
        ) from None
    coords = shapely.get_coordinates(geom)
    if coords.size and not (
        math.isfinite(float(coords.min())) and math.isfinite(float(coords.max()))
    ):
        raise PlanFormatError(
            f"Ошибка в плане: объект features[{index}]: координаты не конечные числа.",
            feature=index,
            field="geometry.coordinates",
        )
    if coords.size and float(abs(coords).max()) > MAX_COORDINATE:
        raise PlanFormatError(
            f"Ошибка в плане: объект features[{index}]: координата больше {MAX_COORDINATE:.0f} м "
            "— план должен быть в метрах.",
            feature=index,
            field="geometry.coordinates",
        )
    if geom.has_z:
        geom = shapely.force_2d(geom)
    return geom


def _bulk_polygons(features: list[dict[str, Any]]) -> list[BaseGeometry | None]:
    """The Polygon features' geometries built in one go (a booth each, mostly), aligned with
    ``features`` (``None`` for the others).

    A plan of 10,000 booths builds in a fifth of the time ``shape()`` takes feature by
    feature. Anything unusual — positions of mixed dimensions, a coordinate that is not a
    finite number or is out of range, a ring GEOS refuses — gives up on all of them, so
    that :func:`_geometry` builds each feature and names the one at fault.
    """
    out: list[BaseGeometry | None] = [None] * len(features)
    owners = [i for i, f in enumerate(features) if f["geometry"].get("type") == "Polygon"]
    rings: list[list[Any]] = []
    ring_owner: list[int] = []
    for k, index in enumerate(owners):
        for ring in features[index]["geometry"]["coordinates"]:
            rings.append(ring)
            ring_owner.append(k)
    if not rings:
        return out
    try:
        coords = np.asarray(list(itertools.chain.from_iterable(rings)), dtype=float)
        if coords.ndim != 2 or coords.shape[1] not in (2, 3):
            return out
        coords = coords[:, :2]
        if not np.isfinite(coords).all() or float(np.abs(coords).max()) > MAX_COORDINATE:
            return out
        lengths = np.fromiter((len(r) for r in rings), dtype=np.intp, count=len(rings))
        built = shapely.linearrings(coords, indices=np.repeat(np.arange(len(rings)), lengths))
        polygons = shapely.polygons(built, indices=np.asarray(ring_owner, dtype=np.intp))
    except (ValueError, TypeError, shapely.errors.ShapelyError):
        return out
    if len(polygons) != len(owners):
        return out
    for index, polygon in zip(owners, polygons.tolist(), strict=True):
        out[index] = polygon
    return out


def from_geojson(data: Any, *, trusted: bool = False) -> Plan:
    """Build a :class:`Plan` from a parsed GeoJSON document (a ``dict``).

    Raises :class:`PlanFormatError` when the document does not follow the plan format.
    ``trusted`` skips the JSON Schema check (about 20 ms at 10,000 booths) for documents this
    program wrote itself, such as a stored plan version.
    """
    if not isinstance(data, dict):
        raise PlanFormatError(
            f"Ошибка в плане: ожидается объект GeoJSON FeatureCollection, а не {_json_type(data)}."
        )
    features = data.get("features")
    if isinstance(features, list) and len(features) > MAX_FEATURES:
        raise PlanFormatError(
            f"Слишком много объектов в плане: {len(features)} (предел {MAX_FEATURES})."
        )
    if not trusted:
        _check_schema(data)

    halls = [i for i, f in enumerate(features) if f["properties"]["kind"] == "hall"]
    if not halls:
        raise PlanFormatError('В плане нет зала: нужен один объект с properties.kind = "hall".')
    if len(halls) > 1:
        listed = ", ".join(f"features[{i}]" for i in halls[:5])
        raise PlanFormatError(
            f"В плане несколько залов ({len(halls)}: {listed}); в одном файле должен быть "
            "ровно один зал.",
            feature=halls[1],
            field="properties.kind",
        )

    top = dict(data.get("properties") or {})
    plan = Plan(hall=Polygon(), properties=top, name=top.get("name"))
    built = _bulk_polygons(features)
    points: list[PlanPoint] = []
    point_ids: dict[str, int] = {}
    for index, feature in enumerate(features):
        props = dict(feature["properties"])
        kind = props.pop("kind")
        geom = built[index] if built[index] is not None else _geometry(feature, index)
        if kind == "hall":
            plan.hall = geom
            if props.get("name"):
                plan.name = props["name"]
        elif kind == "booth":
            number = props.pop("number", None)
            number = number.strip() or None if isinstance(number, str) else None
            plan.booths.append(PlanBooth(number=number, polygon=geom, properties=props))
        elif kind == "point":
            points.append(_point(props, geom, index, point_ids))
        else:
            name = props.pop("name", None)
            item = PlanFeature(kind=kind, geometry=geom, name=name, properties=props)
            {
                "obstacle": plan.obstacles,
                "zone": plan.zones,
                "entrance": plan.entrances,
                "exit": plan.exits,
                "equipment": plan.equipment,
                "passage": plan.passages,
            }[kind].append(item)
    plan.points = tuple(points)
    return plan


def _point(
    props: dict[str, Any], geom: BaseGeometry, index: int, seen: dict[str, int]
) -> PlanPoint:
    """The "you are here" point of feature ``index`` (``props`` without ``kind``); refuses an
    id already used by an earlier point (``seen``: id → feature index, updated)."""
    point_id = str(props.pop("id")).strip()
    if point_id in seen:
        raise PlanFormatError(
            f"Ошибка в плане: объект features[{index}] (точка «вы здесь»), поле properties.id: "
            f"код точки «{point_id}» уже занят точкой features[{seen[point_id]}]; коды точек "
            "в плане не повторяются.",
            feature=index,
            field="properties.id",
        )
    seen[point_id] = index
    name = str(props.pop("name"))
    facing = float(props.pop("facing", 0.0) or 0.0) % 360.0
    point_type = props.pop("type", "other")
    return PlanPoint(
        id=point_id,
        name=name,
        position=(float(geom.x), float(geom.y)),
        facing=facing,
        type=point_type,
        properties=props,
    )


def parse_geojson(raw: bytes | str) -> Plan:
    """Parse the text of a GeoJSON plan file (``bytes`` are decoded as UTF-8)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PlanFormatError(
                f"Файл плана не в кодировке UTF-8 (байт {exc.start}): ожидается GeoJSON."
            ) from None

    def _no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    try:
        data = json.loads(raw, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(raw.rstrip()):
            raise PlanFormatError(
                f"Файл плана обрывается (строка {exc.lineno}, столбец {exc.colno}): "
                "JSON не закончен — файл обрезан?"
            ) from None
        raise PlanFormatError(
            f"Файл плана не является корректным JSON: строка {exc.lineno}, "
            f"столбец {exc.colno}: {exc.msg}."
        ) from None
    except (ValueError, RecursionError) as exc:
        raise PlanFormatError(f"Файл плана не является корректным JSON: {exc}.") from None
    return from_geojson(data)


def _round(value: Any, digits: int) -> Any:
    if isinstance(value, float):
        return round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, (list, tuple)):
        return [_round(v, digits) for v in value]
    return value


def geometry_to_geojson(geom: BaseGeometry, digits: int = 3) -> dict[str, Any]:
    """A GeoJSON geometry dict with coordinates rounded to millimetres; polygon rings are
    oriented as RFC 7946 asks (exterior counter-clockwise, holes clockwise)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.orient_polygons(geom)
    out = dict(mapping(geom))
    out["coordinates"] = _round(out["coordinates"], digits)
    return out


def _feature(geom: BaseGeometry, props: dict[str, Any], digits: int) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry_to_geojson(geom, digits), "properties": props}


def to_geojson(plan: Plan, *, digits: int = 3) -> dict[str, Any]:
    """The plan as a GeoJSON FeatureCollection dict (coordinates rounded to ``digits``)."""
    top: dict[str, Any] = dict(plan.properties)
    if plan.name:
        top["name"] = plan.name
    top["units"] = "m"
    features: list[dict[str, Any]] = []
    hall_props: dict[str, Any] = {"kind": "hall"}
    if plan.name:
        hall_props["name"] = plan.name
    features.append(_feature(plan.hall, hall_props, digits))
    for kind, items in (
        ("obstacle", plan.obstacles),
        ("zone", plan.zones),
        ("entrance", plan.entrances),
        ("exit", plan.exits),
        ("equipment", plan.equipment),
        ("passage", plan.passages),
    ):
        for item in items:
            props: dict[str, Any] = {"kind": kind}
            if item.name is not None:
                props["name"] = item.name
            props.update({k: v for k, v in item.properties.items() if k not in ("kind", "name")})
            features.append(_feature(item.geometry, props, digits))
    for point in plan.points:
        props = {"kind": "point", "id": point.id, "name": point.name}
        props.update(facing=_round(float(point.facing), 1), type=point.type)
        props.update({k: v for k, v in point.properties.items() if k not in props})
        features.append(_feature(Point(point.position), props, digits))
    for booth in plan.booths:
        props = {"kind": "booth", "number": booth.number}
        props.update({k: v for k, v in booth.properties.items() if k not in ("kind", "number")})
        features.append(_feature(booth.polygon, props, digits))
    return {"type": "FeatureCollection", "properties": top, "features": features}


def dumps_geojson(plan: Plan, *, digits: int = 3) -> str:
    """The plan as GeoJSON text: UTF-8 friendly (Cyrillic kept), one feature per line."""
    doc = to_geojson(plan, digits=digits)
    head = {k: v for k, v in doc.items() if k != "features"}
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in doc["features"]]
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    return text + ',\n "features": [\n' + ",\n".join(lines) + "\n ]\n}\n"
