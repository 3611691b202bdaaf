"""The ``flask --app exhibit …`` command line (PRODUCT.md §10)."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import Select, func, select
from sqlalchemy.exc import OperationalError

from exhibit.catalogue.models import Exhibitor
from exhibit.catalogue.rules import name_key, plural_ru
from exhibit.db import begin_write, db
from exhibit.errors import DomainError
from exhibit.floorplan.models import Exhibition


def refusal(error: DomainError) -> click.ClickException:
    """A refused action as the command's error: the message, then each detail on a line
    (a problem of an imported file as «строка N, столбец: сообщение»)."""
    lines = [error.message]
    if isinstance(error.details, list):
        for detail in error.details:
            if isinstance(detail, dict) and "line" in detail:
                lines.append(f"  строка {detail['line']}, {detail['column']}: {detail['message']}")
            else:
                lines.append(f"  - {detail}")
    return click.ClickException("\n".join(lines))


class StageBar:
    """A progress bar on stderr for work done in named stages: ``begin(stage)`` when each
    starts; the bar fills as stages end (stdout stays clean for the command's result).
    Where stderr is not a terminal, each stage is a line of its own."""

    def __init__(self, label: str, stages: int) -> None:
        self._bar = click.progressbar(
            length=stages, label=label, file=sys.stderr, item_show_func=lambda s: s
        )
        self._begun = 0
        self._lines = not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())

    def __enter__(self) -> StageBar:
        self._bar.__enter__()
        return self

    def begin(self, stage: str) -> None:
        self._bar.update(1 if self._begun else 0, stage)
        self._begun += 1
        if self._lines:  # not a terminal (a log, cron): one line per stage instead
            click.echo(f"  {stage}…", err=True)

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is None:
            self._bar.update(self._bar.length - self._bar.pos, "готово")
        self._bar.__exit__(*exc)


def database_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command in the app context; a database that can't be reached is one clear line."""

    @functools.wraps(func)
    @with_appcontext
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OperationalError as exc:
            db.session.rollback()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise click.ClickException(
                f"the database {db.engine.url.render_as_string(hide_password=True)} "
                f"cannot be used: {reason}"
            ) from None

    return wrapper


@click.command("init-db")
@database_command
def init_db_command() -> None:
    """Create or upgrade the schema and load reference data (tracks, regions)."""
    from flask_migrate import upgrade

    from exhibit.catalogue.services import load_reference_data

    upgrade()
    begin_write(db.session)
    added = load_reference_data(db.session)
    indexed = _index_if_incomplete()
    db.session.commit()
    click.echo(
        f"Схема базы данных актуальна; добавлено направлений: {added['tracks']}, "
        f"регионов: {added['regions']}."
    )
    if indexed:
        click.echo(f"Поисковый индекс построен заново: {documents(indexed)}.")


def _index_if_incomplete() -> int:
    """Build the search index when it lacks documents (a database from before the index) or
    their tags (from before migration 0004)."""
    from exhibit.catalogue.models import Solution
    from exhibit.search.index import reindex
    from exhibit.search.models import SearchDocument

    def count(query: Select) -> int:
        return db.session.scalar(query) or 0

    documents = count(select(func.count()).select_from(SearchDocument))
    exhibitors = count(select(func.count(Exhibitor.id)).where(Exhibitor.deleted_at.is_(None)))
    solutions = count(
        select(func.count(Solution.id))
        .join(Solution.exhibitor)
        .where(Exhibitor.deleted_at.is_(None))
    )
    # Documents from before migration 0004 have no tags column filled in.
    untagged_documents = count(
        select(func.count())
        .select_from(SearchDocument)
        .where(SearchDocument.kind == "solution", SearchDocument.tags_terms == "")
    )
    untagged = sum(
        1
        for tags in db.session.scalars(
            select(Solution.tags).join(Solution.exhibitor).where(Exhibitor.deleted_at.is_(None))
        )
        if not tags
    )
    if documents == exhibitors + solutions and untagged_documents == untagged:
        return 0
    return reindex(db.session)


@click.command("search-reindex")
@click.option(
    "--neighbours/--no-neighbours",
    default=None,
    help="Also compute neighbours by word meaning (needs the embeddings extra: natasha), "
    "or drop them. Without either they are kept as they are.",
)
@database_command
def search_reindex_command(neighbours: bool | None) -> None:
    """Rebuild the search index of every exhibition."""
    from exhibit.search.index import rebuild_neighbours, reindex

    begin_write(db.session)
    written = reindex(db.session)
    pairs = None
    if neighbours is not None:
        pairs = rebuild_neighbours(db.session, None if neighbours else (lambda word: None))
        if pairs is None:
            db.session.rollback()
            raise click.ClickException(
                "Для соседей по смыслу нужны векторы navec из пакета natasha: "
                "pip install 'exhibit[embeddings]'"
            )
    db.session.commit()
    click.echo(f"Поисковый индекс построен заново: {documents(written)}.")
    if pairs is not None:
        click.echo(f"Пар соседей по смыслу: {pairs}.")


@click.command("demo")
@database_command
def demo_command() -> None:
    """Load the demo exhibition «Города России — 2025» (once)."""
    from exhibit.catalogue.models import Track
    from exhibit.demo import load_demo

    if db.session.query(Track).count() == 0:
        raise click.ClickException("run `flask --app exhibit init-db` first")
    try:
        begin_write(db.session)
        result = load_demo(db.session)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise refusal(error) from None
    click.echo(result.message)


users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["organiser", "exhibitor"]), required=True)
@click.option("--exhibitor", "exhibitor_name", help="Exhibitor the account represents.")
@click.option("--exhibition", "slug", help="Exhibition of that exhibitor (default: the newest).")
@click.option("--password", help="The password; a random one is made and printed when not given.")
@database_command
def users_create_command(
    email: str, role: str, exhibitor_name: str | None, slug: str | None, password: str | None
) -> None:
    """Create an account (an organiser, or a user of an exhibitor)."""
    from exhibit.accounts.services import create_user

    try:
        begin_write(db.session)
        exhibitor = _find_exhibitor(exhibitor_name, slug) if exhibitor_name else None
        user, made_password = create_user(
            db.session, email, role, password=password, exhibitor=exhibitor
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise refusal(error) from None
    click.echo(f"Создан пользователь {user.email} ({role}).")
    if password is None:
        click.echo(f"Пароль: {made_password}")


def _find_exhibitor(name: str, slug: str | None) -> Exhibitor:
    query = select(Exhibitor).join(Exhibition, Exhibition.id == Exhibitor.exhibition_id)
    if slug:
        query = query.where(Exhibition.slug == slug)
    wanted = name_key(name)
    matches = [
        e
        for e in db.session.scalars(query.order_by(Exhibition.starts_on.desc()))
        if name_key(e.name) == wanted
    ]
    if not matches:
        raise DomainError(f"Экспонент «{name}» не найден")
    return matches[0]


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for.")
@database_command
def users_token_command(email: str, label: str) -> None:
    """Print a new API token for the user (only its hash is stored)."""
    from exhibit.accounts.services import get_user_by_email, issue_token

    begin_write(db.session)
    user = get_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"Пользователь {email} не найден")
    token = issue_token(db.session, user, label)
    db.session.commit()
    click.echo(token)


exhibitors_cli = AppGroup("exhibitors", help="Exhibitors in bulk.")


@exhibitors_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@database_command
def exhibitors_import_command(file: Path, slug: str) -> None:
    """Import exhibitors and solutions from CSV (UTF-8, header row) or JSON; all or nothing."""
    from exhibit.catalogue.importer import import_exhibitors, read_rows
    from exhibit.floorplan.services import get_exhibition

    try:
        rows = read_rows(file.read_bytes(), file.name)
        exhibition = get_exhibition(db.session, slug)
        with click.progressbar(
            length=len(rows) + 1, label="Импорт экспонентов", file=sys.stderr
        ) as bar:

            def advance(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            result = import_exhibitors(db.session, exhibition, rows, progress=advance)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise refusal(error) from None
    click.echo(
        f"Импорт: экспонентов новых {result.exhibitors_new}, дополненных "
        f"{result.exhibitors_updated}; решений добавлено {result.solutions_new}, уже были "
        f"{result.solutions_skipped}; заявок «любой стенд» {result.applications}."
    )


@click.command("assign")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--apply", "do_apply", is_flag=True, help="Hold the assigned booths.")
@database_command
def assign_command(slug: str, as_json: bool, do_apply: bool) -> None:
    """Preview (or apply) the automatic assignment of "any booth" applications."""
    import json

    from exhibit.booking import assignment
    from exhibit.floorplan.services import get_exhibition

    merges: list[assignment.Merge] = []
    try:
        exhibition = get_exhibition(db.session, slug)
        if do_apply:
            applied = assignment.apply(db.session, exhibition)
            db.session.commit()
            result, merges = applied.result, applied.merges
        else:
            result = assignment.preview(db.session, exhibition)
            db.session.rollback()
    except DomainError as error:
        db.session.rollback()
        raise refusal(error) from None
    if as_json:
        body = result.to_dict()
        if merges:
            body["merged"] = [{"booths": m.booths, "number": m.number} for m in merges]
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    for a in result.assignments:
        costs = ", ".join(f"{k} {v:.2f}" for k, v in a.cost.items() if v)
        click.echo(f"{a.exhibitor}: {', '.join(a.booths)} — {'; '.join(a.reasons)}"
                   + (f" [{costs}]" if costs else ""))  # fmt: skip
    for u in result.unplaced:
        click.echo(f"не размещён: {u.exhibitor} — {u.reason}")
    for m in merges:
        click.echo(f"объединены: {' + '.join(m.booths)} → {m.number} ({m.exhibitor})")
    q = result.quality
    click.echo(
        f"Размещено {q.placed_share:.0%}, в зоне своего направления {q.in_zone_share:.0%}, "
        f"средняя разница площади {q.mean_area_diff:.1%}, соседств конкурентов "
        f"{q.competitor_adjacencies}, разрыв с оптимумом не больше {q.optimality_gap:.1%}."
        + (" Стенды удержаны за экспонентами." if do_apply else " Ничего не изменено.")
    )


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
    except (DomainError, PrintError) as error:
        raise click.ClickException(getattr(error, "message", str(error))) from None
    output.write_bytes(pdf)
    click.echo(f"{output}: {len(pdf) // 1024} КБ за {time.monotonic() - started:.1f} с")


catalogue_cli = AppGroup("catalogue", help="The printed catalogue.")


@catalogue_cli.command("pdf")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--paper", type=click.Choice(["A4", "A5"]), default="A4")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@database_command
def catalogue_pdf_command(slug: str, paper: str, output: Path) -> None:
    """Print the catalogue: contents by track, exhibitors with booths and QR codes, indexes."""
    from flask import current_app

    from exhibit.catalogue.printed import catalogue_pdf
    from exhibit.floorplan.services import get_exhibition

    try:
        exhibition = get_exhibition(db.session, slug)
        with current_app.test_request_context():
            pdf = catalogue_pdf(db.session, exhibition, paper=paper)
    except DomainError as error:
        raise refusal(error) from None
    output.write_bytes(pdf)
    click.echo(f"{output}: {len(pdf) // 1024} КБ")


@click.command("sweep-holds")
@database_command
def sweep_holds_command() -> None:
    """Expire requests and holds past their time, offering the booths to the waitlists."""
    from exhibit.booking.services import expire_lapsed

    begin_write(db.session)
    expired = expire_lapsed(db.session)
    db.session.commit()
    click.echo(f"Истекло удержаний: {expired}.")


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(out: Path) -> None:
    """Write a consistent full backup to OUT while the site keeps running (SQLite: the
    online backup API; PostgreSQL: pg_dump, custom format)."""
    from exhibit.backup import BackupError, backup, backup_files, files_archive

    try:
        result = backup(db.engine, out)
        files = backup_files(uploads_directory(), files_archive(out))
    except (BackupError, OSError) as error:
        raise click.ClickException(getattr(error, "message", str(error))) from None
    click.echo(f"Резервная копия ({result.backend}): {result.path}, {result.size // 1024} КБ")
    if files:
        click.echo(f"Загруженные файлы ({files}): {files_archive(out)}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Restore a backup made by `backup` into an EMPTY database (a non-empty one is refused
    and left as it was)."""
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    from exhibit.backup import BackupError, files_archive, restore, restore_files

    try:
        result = restore(db.engine, file)
    except BackupError as error:
        raise refusal(error) from None
    click.echo(
        f"Восстановлено из {file} ({result.backend}): таблиц {result.tables}, "
        f"версия схемы {result.revision or 'неизвестна'}."
    )
    archive = files_archive(file)
    if archive.exists():
        count = restore_files(archive, uploads_directory())
        click.echo(f"Загруженные файлы из {archive}: {count} в {uploads_directory()}")
    migrate: Migrate = current_app.extensions["migrate"]
    config = migrate.migrate.get_config(migrate.directory)
    head = ScriptDirectory.from_config(config).get_current_head()
    if result.revision != head:
        click.echo(
            f"Схема копии ({result.revision}) старше текущей ({head}): "
            "выполните `flask --app exhibit init-db`, чтобы обновить её."
        )


@exhibitors_cli.command("delete")
@click.argument("name")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--by", "email", required=True, help="E-mail of the organiser doing it.")
@database_command
def exhibitors_delete_command(name: str, slug: str, email: str) -> None:
    """Soft-delete an exhibitor: its reservations are released (audited); undo: restore."""
    from exhibit.catalogue.deletion import delete_exhibitor

    result = _exhibitor_change(delete_exhibitor, email, slug, name)
    released = ", ".join(result.booths) or "нет"
    click.echo(f"Экспонент «{result.exhibitor.name}» удалён; освобождены стенды: {released}.")


@exhibitors_cli.command("restore")
@click.argument("name")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--by", "email", required=True, help="E-mail of the organiser doing it.")
@database_command
def exhibitors_restore_command(name: str, slug: str, email: str) -> None:
    """Undo an exhibitor's deletion (its released booths are not re-reserved)."""
    from exhibit.catalogue.deletion import restore_exhibitor

    result = _exhibitor_change(restore_exhibitor, email, slug, name)
    click.echo(f"Экспонент «{result.exhibitor.name}» восстановлен.")
    if result.booths:
        click.echo(
            f"Стенды, освобождённые при удалении, не забронированы заново: "
            f"{', '.join(result.booths)}."
        )


def _exhibitor_change(change: Callable[..., Any], email: str, slug: str, name: str) -> Any:
    """Delete or restore (``change``) an exhibitor for an organiser, committed; a refusal is
    the command's error."""
    try:
        user, exhibition, exhibitor = _organiser_and_exhibitor(email, slug, name)
        result = change(db.session, exhibition, exhibitor.id, user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise refusal(error) from None
    return result


def _organiser_and_exhibitor(email: str, slug: str, name: str) -> tuple[Any, Exhibition, Exhibitor]:
    from exhibit.accounts.services import get_user_by_email
    from exhibit.floorplan.services import get_exhibition

    user = get_user_by_email(db.session, email)
    if user is None or not user.is_organiser:
        raise DomainError(f"{email} — не учётная запись организатора")
    exhibition = get_exhibition(db.session, slug)
    return user, exhibition, _find_exhibitor(name, slug)


def uploads_directory() -> Path:
    """Uploaded files (logos) live in the instance folder, beside a SQLite database."""
    return Path(current_app.instance_path) / "uploads"


def documents(count: int) -> str:
    return plural_ru(count, "документ", "документа", "документов")


def register(app: Flask) -> None:
    """Add the project's commands to ``app.cli``."""
    from exhibit.floorplan.cli import plan_cli
    from exhibit.plan_commands import export_command, import_command

    plan_cli.add_command(import_command)
    plan_cli.add_command(export_command)
    commands = (init_db_command, demo_command, users_cli, sweep_holds_command, plan_cli,
                search_reindex_command, exhibitors_cli, assign_command, map_cli,
                catalogue_cli, backup_command, restore_command)  # fmt: skip
    for command in commands:
        app.cli.add_command(command)
