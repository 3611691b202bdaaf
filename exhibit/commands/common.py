"""What every command shares: a refusal as the command's error, the database check, and a
progress bar for work done in stages.

Commands parse their options, call services and print. They never commit or roll back:
a service that changes data is a unit of work (``exhibit.db.unit_of_work``).
"""

from __future__ import annotations

import functools
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from exhibit import audit
from exhibit.catalogue.rules import plural_ru
from exhibit.db import db
from exhibit.errors import DomainError


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


def database_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command in the app context. A refusal of a service (``DomainError``) is the
    command's error, and a database that can't be reached is one clear line. Every audit
    event the command records names the command line and the login that ran it
    (``cli:LOGIN``), beside the user given with ``--by`` where a command takes one."""

    @functools.wraps(func)
    @with_appcontext
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with audit.acting(f"cli:{operating_login()}"):
                return func(*args, **kwargs)
        except DomainError as error:
            raise refusal(error) from None
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise click.ClickException(
                f"the database {db.engine.url.render_as_string(hide_password=True)} "
                f"cannot be used: {reason}"
            ) from None

    return wrapper


def operating_login() -> str:
    """Who runs the command: the operating system's login name (empty when unknown)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def organiser_by_email(email: str | None) -> Any:
    """The organiser a command acts as (``--by EMAIL``), refused when the address is not an
    organiser's; without one, billing's accountless command-line organiser."""
    from exhibit.accounts.services import get_user_by_email
    from exhibit.errors import Forbidden, tr

    if not email:
        from exhibit.billing.services import SYSTEM

        return SYSTEM
    user = get_user_by_email(db.session, email)
    if user is None or not user.is_organiser:
        raise Forbidden(tr("%(email)s — не учётная запись организатора", email=email))
    return user


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


def uploads_directory() -> Path:
    """Uploaded files (logos) live in the instance folder, beside a SQLite database."""
    return Path(current_app.instance_path) / "uploads"


def documents(count: int) -> str:
    return plural_ru(count, "документ", "документа", "документов")
