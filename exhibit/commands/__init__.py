"""The ``flask --app exhibit …`` command line (PRODUCT.md §10), one module per group.

A command parses its options, calls services and prints; it never commits (services are
units of work) and imports what it needs inside its function, so that every command, and
``--help``, starts fast.
"""

from __future__ import annotations

from flask import Flask

from exhibit.commands.billing import export_command, invoices_cli, payments_cli
from exhibit.commands.booking import assign_command, sweep_holds_command
from exhibit.commands.database import (
    backup_command,
    demo_command,
    init_db_command,
    migrations_cli,
    restore_command,
    search_reindex_command,
)
from exhibit.commands.exhibitors import exhibitors_cli
from exhibit.commands.mail import mail_cli, worker_command
from exhibit.commands.plans import plan_cli
from exhibit.commands.printing import catalogue_cli, map_cli
from exhibit.commands.users import users_cli

COMMANDS = (init_db_command, demo_command, users_cli, sweep_holds_command, plan_cli,
            search_reindex_command, exhibitors_cli, assign_command, map_cli, catalogue_cli,
            backup_command, restore_command, migrations_cli, worker_command, mail_cli,
            invoices_cli, payments_cli, export_command)  # fmt: skip


def register(app: Flask) -> None:
    """Add the project's commands to ``app.cli``."""
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    """``exhibit …``: the same commands as ``flask --app exhibit …``."""
    import sys

    from flask.cli import main as flask

    sys.argv[1:1] = ["--app", "exhibit"]
    flask()
