"""Printed matter: ``map pdf`` and ``catalogue pdf``."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from exhibit.catalogue.rules import plural_ru
from exhibit.commands.common import StageBar, database_command
from exhibit.db import db

map_cli = AppGroup("map", help="Printed hall maps.")


@map_cli.command("pdf")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--hall", "hall_name", required=True, help="Name of the hall.")
@click.option("--paper", type=click.Choice(["A0", "A1", "A2", "A3", "A4"]), default="A1")
@click.option("--landscape", is_flag=True, help="Landscape instead of portrait.")
@click.option("--edition", type=click.Choice(["visitor", "sales", "fire"]), default="visitor")
@click.option("--scale", type=click.Choice(["100", "200", "500"]), help="True scale 1:N.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@database_command
def map_pdf_command(
    slug: str, hall_name: str, paper: str, landscape: bool, edition: str,
    scale: str | None, output: Path,
) -> None:  # fmt: skip
    """Print a hall map as PDF: visitor, sales or fire-safety edition, to scale or to fit."""
    from flask import current_app

    from exhibit.floorplan.services import get_exhibition, get_hall
    from exhibit.maps.pdf import MAP_STAGES, hall_map_pdf
    from exhibit.maps.printing import PrintError

    try:
        hall = get_hall(db.session, get_exhibition(db.session, slug), hall_name)
        started = time.monotonic()
        label = (
            f"Карта зала «{hall.name}» ({paper}, {edition}, "
            f"{plural_ru(len(hall.current_booths), 'стенд', 'стенда', 'стендов')})"
        )
        # A big map takes seconds: show its stages (on stderr, stdout stays clean).
        with StageBar(label, len(MAP_STAGES)) as bar, current_app.test_request_context():
            pdf = hall_map_pdf(
                db.session, hall, paper=paper, landscape=landscape, edition=edition,
                scale=int(scale) if scale else None, progress=bar.begin,
            )  # fmt: skip
    except PrintError as error:
        raise click.ClickException(str(error)) from None
    output.write_bytes(pdf)
    click.echo(f"{output}: {len(pdf) // 1024} КБ за {time.monotonic() - started:.1f} с")


@map_cli.command("here")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--hall", "hall_name", required=True, help="Name of the hall.")
@click.option("--point", "points", multiple=True, help="Id of a point (P1); all when omitted.")
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@database_command
def map_here_command(
    slug: str, hall_name: str, points: tuple[str, ...], paper: str, output: Path
) -> None:
    """Print evacuation plans "you are here": one sheet per point, turned the way its
    reader faces, with the walk to the nearest exits."""
    from flask import current_app

    from exhibit.floorplan.services import get_exhibition, get_hall
    from exhibit.maps.here import here_pdf
    from exhibit.maps.printing import PrintError

    try:
        hall = get_hall(db.session, get_exhibition(db.session, slug), hall_name)
        with current_app.test_request_context():
            pdf, count = here_pdf(hall, points=list(points) or None, paper=paper)
    except PrintError as error:
        raise click.ClickException(str(error)) from None
    output.write_bytes(pdf)
    sheets = plural_ru(count, "лист", "листа", "листов")
    click.echo(f"{output}: {sheets} «вы здесь» {paper}, {len(pdf) // 1024} КБ")


catalogue_cli = AppGroup("catalogue", help="The printed catalogue.")


@catalogue_cli.command("pdf")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--paper", type=click.Choice(["A4", "A5"]), default="A4")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@database_command
def catalogue_pdf_command(slug: str, paper: str, output: Path) -> None:
    """Print the catalogue: contents by track, exhibitors with booths and QR codes, indexes."""
    from flask import current_app

    from exhibit.floorplan.services import get_exhibition
    from exhibit.maps.catalogue_pdf import catalogue_pdf

    exhibition = get_exhibition(db.session, slug)
    with current_app.test_request_context():
        pdf = catalogue_pdf(db.session, exhibition, paper=paper)
    output.write_bytes(pdf)
    click.echo(f"{output}: {len(pdf) // 1024} КБ")


@map_cli.command("posters")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--hall", "hall_name", required=True, help="Name of the hall.")
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@database_command
def posters_command(slug: str, hall_name: str, paper: str, output: Path) -> None:
    """Print the "you are here" posters of a hall: one page per point, with a QR code to the
    map at that point (links use PUBLIC_URL)."""
    from flask import current_app

    from exhibit.floorplan.services import get_exhibition, get_hall, hall_plan
    from exhibit.maps.posters import posters_pdf

    hall = get_hall(db.session, get_exhibition(db.session, slug), hall_name)
    if not hall_plan(hall).points:
        raise click.ClickException(
            f"В плане зала «{hall.name}» нет точек «вы здесь» (kind: point): плакатов нет."
        )
    base = current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000")
    pdf = posters_pdf(hall.exhibition, hall, base, paper)
    output.write_bytes(pdf)
    click.echo(f"{output}: {len(hall_plan(hall).points)} плакатов {paper}, {len(pdf) // 1024} КБ")


@map_cli.command("signs")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--hall", "hall_name", required=True, help="Name of the hall.")
@click.option("--size", default="1000x300", show_default=True,
              help="Width x height of a sign, mm (150–3000 x 50–1000).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@database_command
def signs_command(slug: str, hall_name: str, size: str, output: Path) -> None:
    """Print the booth fascia signs of a hall: one page per booth with its number, the
    exhibitor's name fitted to the sign and a QR code to their page (links use PUBLIC_URL)."""
    from flask import current_app

    from exhibit.floorplan.services import get_exhibition, get_hall
    from exhibit.maps.signs import SignError, parse_size, signs_pdf

    try:
        width, height = parse_size(size)
        hall = get_hall(db.session, get_exhibition(db.session, slug), hall_name)
        base = current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000")
        pdf = signs_pdf(db.session, hall, base, (width, height))
    except SignError as exc:
        raise click.ClickException(str(exc)) from None
    output.write_bytes(pdf)
    pages = len(hall.current_booths)
    click.echo(f"{output}: {pages} вывесок {width}x{height} мм, {len(pdf) // 1024} КБ")
