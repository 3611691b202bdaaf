"""``flask --app exhibit plan …``: plan commands that need no database.

``plan check FILE [--json]`` exits 0 when the plan has no errors, 1 when it has, 2 when the
file cannot be read (one line on stderr, never a traceback). ``plan layout`` and
``plan convert`` write plan files. The group is importable as ``plan_cli``; commands that
need the app (``plan import``/``plan export``) are added to it by the app.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from .errors import PlanFormatError
from .formats import load_plan
from .geometry import booth_facts
from .plan import Plan
from .validate import ValidationReport, fmt, validate_plan

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
        from .formats.geojson import dumps_geojson

        Path(out).write_text(dumps_geojson(plan), encoding="utf-8")
    elif suffix == ".svg":
        from .formats.svg import write_svg

        write_svg(plan, out, booth_facts(plan))
    elif suffix == ".dxf":
        from .formats.dxf import to_dxf

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
    from .layout import layout_hall, parse_module

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
