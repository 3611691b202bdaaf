"""Plans: ``plan check``, ``plan layout`` and ``plan convert`` need no database (``plan
check FILE [--json]`` exits 0 when the plan has no errors, 1 when it has, 2 when the file
cannot be read: one line on stderr, never a traceback); ``plan import`` and ``plan
export`` work on an exhibition's halls.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from exhibit.commands.common import StageBar, database_command
from exhibit.db import db
from exhibit.floorplan.errors import PlanFormatError
from exhibit.floorplan.formats import load_plan
from exhibit.floorplan.geometry import booth_facts
from exhibit.floorplan.plan import Plan
from exhibit.floorplan.validate import ValidationReport, fmt, validate_plan

EXPORT_FORMATS = ("geojson", "svg", "dxf")
#: What ``plan import`` shows on its progress bar, in order.
IMPORT_STAGES = ("чтение файла", "проверка и сравнение с прежней версией", "запись")

plan_cli = AppGroup("plan", help="Планы залов: проверка, раскладка, импорт и экспорт.")

#: Exit status of ``plan check`` when the file cannot be read.
EXIT_UNREADABLE = 2


def _layer_map(pairs: tuple[str, ...]) -> dict[str, str] | None:
    if not pairs:
        return None
    out = {}
    for pair in pairs:
        layer, sep, kind = pair.partition("=")
        if not sep or not layer.strip() or not kind.strip():
            raise click.BadParameter(f"ожидается СЛОЙ=ВИД, а не {pair!r}", param_hint="--layer")
        out[layer.strip()] = kind.strip()
    return out


def _read(path: str, layers: tuple[str, ...]) -> Plan:
    """Load a plan or exit 2 with a one-line message."""
    try:
        return load_plan(path, layer_map=_layer_map(layers))
    except PlanFormatError as exc:
        click.echo(f"Ошибка: {exc}", err=True)
        sys.exit(EXIT_UNREADABLE)


def _write(plan: Plan, out: str) -> None:
    """Write a plan by the output's extension: .geojson/.json, .svg or .dxf."""
    suffix = Path(out).suffix.lower()
    if suffix in (".geojson", ".json"):
        from exhibit.floorplan.formats.geojson import dumps_geojson

        Path(out).write_text(dumps_geojson(plan), encoding="utf-8")
    elif suffix == ".svg":
        from exhibit.floorplan.formats.svg import write_svg

        write_svg(plan, out, booth_facts(plan))
    elif suffix == ".dxf":
        from exhibit.floorplan.formats.dxf import to_dxf

        to_dxf(plan, out)
    else:
        raise click.BadParameter(
            f"неизвестный формат {suffix or '(без расширения)'}: .geojson, .svg или .dxf",
            param_hint="-o",
        )


def _report_text(plan: Plan, report: ValidationReport) -> str:
    """The human report of ``plan check``: a summary line, one line an issue, the verdict."""
    name = f"«{plan.name}»" if plan.name else "без названия"
    lines = [
        f"План {name}: стендов {len(plan.booths)}, ошибок {len(report.errors)}, "
        f"предупреждений {len(report.warnings)}."
    ]
    for label, issues in (("ОШИБКА", report.errors), ("предупреждение", report.warnings)):
        for issue in issues:
            where = ""
            if issue.location is not None:
                where = f" [{fmt(issue.location[0])}; {fmt(issue.location[1])}]"
            lines.append(f"  {label} {issue.rule}: {issue.message}{where}")
    lines.append("План можно публиковать." if report.valid else "План нельзя публиковать.")
    return "\n".join(lines)


def report_json(report: ValidationReport) -> str:
    """The ``--json`` report (PRODUCT.md §10) with one error, warning or booth a line.

    ``json.dumps(…, indent=2)`` falls back to the pure-Python encoder and spreads each booth
    over six lines; this keeps the C encoder and a 10,000-booth report readable and short.
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode
    parts = []
    for key, value in report.to_dict().items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(map(encode, value))
            parts.append(f"  {encode(key)}: [\n    {items}\n  ]")
        else:
            parts.append(f"  {encode(key)}: {encode(value)}")
    return "{\n" + ",\n".join(parts) + "\n}"


_layer_option = click.option(
    "--layer",
    "layers",
    multiple=True,
    metavar="СЛОЙ=ВИД",
    help="DXF: чей слой чем считать (booth, hall, obstacle, zone, entrance, exit, ignore).",
)


@plan_cli.command("check", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Отчёт в JSON (PRODUCT.md §10).")
@click.option("--min-aisle", type=float, default=None, help="Минимальная ширина прохода, м.")
@click.option(
    "--exit-clearance",
    type=float,
    default=2.0,
    show_default=True,
    help="Свободно перед выходом, м.",
)
@_layer_option
def check_command(
    file: str, as_json: bool, min_aisle: float | None, exit_clearance: float, layers
) -> None:
    """Проверить план зала (GeoJSON или DXF) без базы данных.

    Код выхода 0 — ошибок нет, 1 — есть ошибки, 2 — файл не читается.
    """
    plan = _read(file, layers)
    if min_aisle is None:
        try:
            min_aisle = float(plan.properties.get("min_aisle") or 3.0)
        except (TypeError, ValueError):
            min_aisle = 3.0
    report = validate_plan(plan, min_aisle=min_aisle, exit_clearance=exit_clearance)
    click.echo(report_json(report) if as_json else _report_text(plan, report))
    sys.exit(0 if report.valid else 1)


@plan_cli.command("layout", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False))
@click.option(
    "--module", default="3x3", show_default=True, help="Модуль стенда, м (ширина×глубина)."
)
@click.option("--aisle", type=float, default=3.0, show_default=True, help="Ширина прохода, м.")
@click.option("--exit-clearance", type=float, default=2.0, show_default=True)
@click.option(
    "--orientation", type=click.Choice(["auto", "x", "y"]), default="auto", show_default=True
)
@_layer_option
def layout_command(
    file: str, out: str, module: str, aisle: float, exit_clearance: float, orientation: str, layers
) -> None:
    """Заполнить зал стендами рядами и записать план (.geojson, .svg или .dxf)."""
    from exhibit.floorplan.layout import layout_hall, parse_module

    plan = _read(file, layers)
    try:
        size = parse_module(module)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--module") from None
    try:
        result = layout_hall(
            plan, module=size, aisle=aisle, exit_clearance=exit_clearance, orientation=orientation
        )
    except ValueError as exc:
        click.echo(f"Ошибка: {exc}", err=True)
        sys.exit(1)
    _write(result.plan, out)
    share = fmt(result.sellable_ratio * 100, 1)
    click.echo(
        f"Стендов: {result.booth_count}; продаваемая площадь {share} % зала; записано в {out}."
    )
    if result.notes:
        for note in result.notes:
            click.echo(f"  ОШИБКА: {note}", err=True)
        sys.exit(1)


@plan_cli.command("convert", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False))
@_layer_option
def convert_command(file: str, out: str, layers) -> None:
    """Перевести план из одного формата в другой (GeoJSON, DXF → GeoJSON, SVG, DXF)."""
    plan = _read(file, layers)
    _write(plan, out)
    click.echo(f"Стендов: {len(plan.booths)}; записано в {out}.")


def _parse_moves(values: tuple[str, ...]) -> dict[str, str]:
    moves = {}
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.BadParameter(
                f"{value!r}: expected OLD=NEW, e.g. A4=B1", param_hint="--move"
            )
        moves[old.strip()] = new.strip()
    return moves


@plan_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--hall", "hall_name", required=True, help="Name of the hall.")
@click.option(
    "--move",
    "moves",
    multiple=True,
    metavar="OLD=NEW",
    help="Move the reservations of booth OLD to booth NEW of the new plan (repeatable).",
)
@database_command
def import_command(file: Path, slug: str, hall_name: str, moves: tuple[str, ...]) -> None:
    """Load a plan file (GeoJSON or DXF) as a hall, or as its next plan version."""
    from exhibit.booking.plans import import_plan
    from exhibit.floorplan.services import get_exhibition

    with StageBar(f"План «{file.name}»", len(IMPORT_STAGES)) as bar:
        reading, checking, saving = IMPORT_STAGES
        bar.begin(reading)
        try:
            plan = load_plan(file)
        except PlanFormatError as exc:
            raise click.ClickException(str(exc)) from None
        bar.begin(checking)
        exhibition = get_exhibition(db.session, slug)
        result = import_plan(
            db.session, exhibition, hall_name, plan, moves=_parse_moves(moves),
            source_name=file.name, checked=lambda: bar.begin(saving),
        )  # fmt: skip
    click.echo(
        f"Зал «{hall_name}»: версия плана {result.version}; стендов {len(plan.booths)}"
        f" (новых {len(result.added)}, изменённых {len(result.reshaped)},"
        f" выбывших {len(result.retired)}, перенесённых броней {len(result.moved)})."
    )


@plan_cli.command("export")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--hall", "hall_name", required=True, help="Name of the hall.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="geojson")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@database_command
def export_command(slug: str, hall_name: str, fmt: str, output: Path) -> None:
    """Write the hall's current plan as GeoJSON, SVG or DXF."""
    from exhibit.floorplan import services
    from exhibit.floorplan.formats.geojson import dumps_geojson, from_geojson

    exhibition = services.get_exhibition(db.session, slug)
    hall = services.get_hall(db.session, exhibition, hall_name)
    plan = from_geojson(services.plan_document(hall))
    if fmt == "geojson":
        output.write_text(dumps_geojson(plan), encoding="utf-8")
    elif fmt == "svg":
        from exhibit.floorplan.formats.svg import to_svg

        output.write_text(to_svg(plan), encoding="utf-8")
    else:
        from exhibit.floorplan.formats.dxf import to_dxf

        to_dxf(plan, output)
    click.echo(f"Зал «{hall_name}», версия {hall.plan_version}: {output}")
