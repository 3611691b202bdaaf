"""``plan import`` and ``plan export``: the plan commands that work on the database."""

from __future__ import annotations

from pathlib import Path

import click

from exhibit.booking.plans import import_plan
from exhibit.cli import StageBar, database_command, refusal
from exhibit.db import begin_write, db
from exhibit.errors import DomainError
from exhibit.floorplan import services
from exhibit.floorplan.formats import PlanFormatError, load_plan
from exhibit.floorplan.formats.geojson import dumps_geojson, from_geojson

EXPORT_FORMATS = ("geojson", "svg", "dxf")
#: What ``plan import`` shows on its progress bar, in order.
IMPORT_STAGES = ("чтение файла", "проверка и сравнение с прежней версией", "запись")


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


@click.command("import")
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
    with StageBar(f"План «{file.name}»", len(IMPORT_STAGES)) as bar:
        reading, checking, saving = IMPORT_STAGES
        bar.begin(reading)
        try:
            plan = load_plan(file)
        except PlanFormatError as exc:
            raise click.ClickException(str(exc)) from None
        bar.begin(checking)
        try:
            begin_write(db.session)
            exhibition = services.get_exhibition(db.session, slug)
            result = import_plan(
                db.session,
                exhibition,
                hall_name,
                plan,
                moves=_parse_moves(moves),
                source_name=file.name,
            )
            bar.begin(saving)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise refusal(error) from None
    click.echo(
        f"Зал «{hall_name}»: версия плана {result.version}; стендов {len(plan.booths)}"
        f" (новых {len(result.added)}, изменённых {len(result.reshaped)},"
        f" выбывших {len(result.retired)}, перенесённых броней {len(result.moved)})."
    )


@click.command("export")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--hall", "hall_name", required=True, help="Name of the hall.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="geojson")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@database_command
def export_command(slug: str, hall_name: str, fmt: str, output: Path) -> None:
    """Write the hall's current plan as GeoJSON, SVG or DXF."""
    try:
        exhibition = services.get_exhibition(db.session, slug)
        hall = services.get_hall(db.session, exhibition, hall_name)
        plan = from_geojson(services.plan_document(hall))
    except DomainError as error:
        raise refusal(error) from None
    if fmt == "geojson":
        output.write_text(dumps_geojson(plan), encoding="utf-8")
    elif fmt == "svg":
        from exhibit.floorplan.formats.svg import to_svg

        output.write_text(to_svg(plan), encoding="utf-8")
    else:
        from exhibit.floorplan.formats.dxf import to_dxf

        to_dxf(plan, output)
    click.echo(f"Зал «{hall_name}», версия {hall.plan_version}: {output}")
