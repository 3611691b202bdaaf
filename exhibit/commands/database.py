"""The database: ``init-db``, ``demo``, ``search-reindex``, ``backup``, ``restore``, and
Flask-Migrate's ``db`` group (loaded only when used)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from exhibit.commands.common import database_command, documents, refusal, uploads_directory
from exhibit.db import db, migrations


@click.command("init-db")
@database_command
def init_db_command() -> None:
    """Create or upgrade the schema and load reference data (tracks, regions)."""
    from flask_migrate import upgrade

    from exhibit.catalogue.services import load_reference_data
    from exhibit.search.index import reindex_if_incomplete

    migrations(current_app)
    upgrade()
    added = load_reference_data(db.session)
    indexed = reindex_if_incomplete(db.session)
    click.echo(
        f"Схема базы данных актуальна; добавлено направлений: {added['tracks']}, "
        f"регионов: {added['regions']}."
    )
    if indexed:
        click.echo(f"Поисковый индекс построен заново: {documents(indexed)}.")


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

    click.echo(f"Поисковый индекс построен заново: {documents(reindex(db.session))}.")
    if neighbours is None:
        return
    pairs = rebuild_neighbours(db.session, None if neighbours else (lambda word: None))
    if pairs is None:
        raise click.ClickException(
            "Для соседей по смыслу нужны векторы navec из пакета natasha: "
            "pip install 'exhibit[embeddings]'"
        )
    click.echo(f"Пар соседей по смыслу: {pairs}.")


@click.command("demo")
@database_command
def demo_command() -> None:
    """Load the demo exhibition «Города России — 2025» (once)."""
    from exhibit.catalogue.models import Track
    from exhibit.demo import load_demo

    if db.session.query(Track).count() == 0:
        raise click.ClickException("run `flask --app exhibit init-db` first")
    result = load_demo(db.session)
    click.echo(result.message)
    if result.created:
        from flask import current_app

        from exhibit.billing.sample import demo_statement

        path = Path(current_app.instance_path) / "demo-statement-1c.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(demo_statement(db.session, result.exhibition))
        click.echo(
            f"Выписка банка для проверки загрузки платежей: {path}\n"
            f"  flask --app exhibit payments import {path} --exhibition {result.exhibition.slug}"
        )


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
    config = migrations(current_app).get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    if result.revision != head:
        click.echo(
            f"Схема копии ({result.revision}) старше текущей ({head}): "
            "выполните `flask --app exhibit init-db`, чтобы обновить её."
        )


class MigrationsGroup(click.Group):
    """``flask … db`` — Flask-Migrate's commands (Alembic), imported only when used: this
    stands in the command list and hands its arguments to the real group."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:  # fmt: skip
        migrations(current_app)
        from flask_migrate.cli import db as commands

        return commands.make_context(info_name, args, parent=parent, **extra)


migrations_cli = MigrationsGroup("db", help="Database migrations (Flask-Migrate, Alembic).")
