"""The ``flask --app exhibit …`` command line (PRODUCT.md §10)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from exhibit.db import begin_write, db


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
    db.session.commit()
    click.echo(
        f"Схема базы данных актуальна; добавлено направлений: {added['tracks']}, "
        f"регионов: {added['regions']}."
    )


@click.command("demo")
@database_command
def demo_command() -> None:
    """Load the demo exhibition «Города России — 2025» (once)."""
    from exhibit.catalogue.models import Track
    from exhibit.demo import load_demo

    if db.session.query(Track).count() == 0:
        raise click.ClickException("run `flask --app exhibit init-db` first")
    begin_write(db.session)
    result = load_demo(db.session)
    db.session.commit()
    click.echo(result.message)


def register(app: Flask) -> None:
    """Add the project's commands to ``app.cli``."""
    app.cli.add_command(init_db_command)
    app.cli.add_command(demo_command)
    try:
        from exhibit.floorplan.cli import plan_cli
    except ImportError:  # the plan engine's commands arrive with the engine
        return
    app.cli.add_command(plan_cli)
