"""Exhibitors in bulk: ``exhibitors import``, ``exhibitors delete`` and ``restore``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from exhibit.commands.common import database_command, organiser_by_email
from exhibit.db import db

exhibitors_cli = AppGroup("exhibitors", help="Exhibitors in bulk.")


@exhibitors_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@database_command
def exhibitors_import_command(file: Path, slug: str) -> None:
    """Import exhibitors and solutions from CSV (UTF-8, header row) or JSON; all or nothing."""
    from exhibit.catalogue.importer import import_exhibitors, read_rows
    from exhibit.floorplan.services import get_exhibition

    rows = read_rows(file.read_bytes(), file.name)
    exhibition = get_exhibition(db.session, slug)
    with click.progressbar(
        length=len(rows) + 1, label="Импорт экспонентов", file=sys.stderr
    ) as bar:

        def advance(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        result = import_exhibitors(db.session, exhibition, rows, progress=advance)
    click.echo(
        f"Импорт: экспонентов новых {result.exhibitors_new}, дополненных "
        f"{result.exhibitors_updated}; решений добавлено {result.solutions_new}, уже были "
        f"{result.solutions_skipped}; заявок «любой стенд» {result.applications}."
    )


@exhibitors_cli.command("delete")
@click.argument("name")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--by", "email", required=True, help="E-mail of the organiser doing it.")
@database_command
def exhibitors_delete_command(name: str, slug: str, email: str) -> None:
    """Soft-delete an exhibitor: its reservations are released (audited); undo: restore."""
    from exhibit.booking.deletion import delete_exhibitor

    result = _by_organiser(delete_exhibitor, email, slug, name)
    released = ", ".join(result.booths) or "нет"
    click.echo(f"Экспонент «{result.exhibitor.name}» удалён; освобождены стенды: {released}.")


@exhibitors_cli.command("restore")
@click.argument("name")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--by", "email", required=True, help="E-mail of the organiser doing it.")
@database_command
def exhibitors_restore_command(name: str, slug: str, email: str) -> None:
    """Undo an exhibitor's deletion (its released booths are not re-reserved)."""
    from exhibit.booking.deletion import restore_exhibitor

    result = _by_organiser(restore_exhibitor, email, slug, name)
    click.echo(f"Экспонент «{result.exhibitor.name}» восстановлен.")
    if result.booths:
        click.echo(
            f"Стенды, освобождённые при удалении, не забронированы заново: "
            f"{', '.join(result.booths)}."
        )


def _by_organiser(change: Callable[..., Any], email: str, slug: str, name: str) -> Any:
    """Delete or restore (``change``) the exhibitor ``name`` as the organiser ``email``."""
    from exhibit.catalogue.services import find_exhibitor
    from exhibit.floorplan.services import get_exhibition

    user = organiser_by_email(email)
    exhibition = get_exhibition(db.session, slug)
    exhibitor = find_exhibitor(db.session, name, slug)
    return change(db.session, exhibition, exhibitor.id, user)
