"""Accounts: ``users create`` and ``users token``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from exhibit.commands.common import database_command
from exhibit.db import db

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
    from exhibit.catalogue.services import find_exhibitor

    exhibitor = find_exhibitor(db.session, exhibitor_name, slug) if exhibitor_name else None
    user, made_password = create_user(
        db.session, email, role, password=password, exhibitor=exhibitor
    )
    click.echo(f"Создан пользователь {user.email} ({role}).")
    if password is None:
        click.echo(f"Пароль: {made_password}")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for.")
@database_command
def users_token_command(email: str, label: str) -> None:
    """Print a new API token for the user (only its hash is stored)."""
    from exhibit.accounts.services import get_user_by_email, issue_token

    user = get_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"Пользователь {email} не найден")
    click.echo(issue_token(db.session, user, label))
