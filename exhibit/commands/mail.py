"""Mail: ``worker [--once]`` (sends the outbox, runs the periodic jobs), ``mail list``,
``mail show ID`` and ``mail retry ID``."""

from __future__ import annotations

import click
from flask import current_app

from exhibit.commands.common import database_command
from exhibit.db import db


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs and send what is due, then exit.")
@database_command
def worker_command(once: bool) -> None:
    """Send mail from the outbox and run the periodic jobs (sweep-holds, reminders)."""
    import logging
    import signal
    import threading

    from exhibit import worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        report = worker.run_once(app)
        click.echo(
            f"Отправлено: {report.sent}, отложено: {report.retried}, "
            f"не доставлено: {report.failed}."
        )
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    worker.run_forever(app, stop)


@click.group("mail")
def mail_cli() -> None:
    """The outbox: what was sent, what waits, what failed and why."""


@mail_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the messages as JSON.")
@click.option(
    "--state", type=click.Choice(["queued", "sent", "failed"]), help="Only messages in it."
)
@click.option("--limit", type=int, default=200, show_default=True)
@database_command
def list_command(as_json: bool, state: str | None, limit: int) -> None:
    """The outbox, newest first: id, state, recipient, subject (and the reason of a failure)."""
    import json

    from exhibit.mail.outbox import messages

    rows = messages(db.session, state=state, limit=limit)
    if as_json:
        click.echo(json.dumps([row.to_dict() for row in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("Писем нет.")
    for row in rows:
        click.echo(f"{row.id:>6}  {row.state:<6}  {row.recipient}  {row.subject}")
        if row.state == "failed" and row.last_error:
            click.echo(f"        причина: {row.last_error}")


@mail_cli.command("show")
@click.argument("message_id", type=int)
@database_command
def show_command(message_id: int) -> None:
    """One message: its state, then the message itself as it is (or will be) sent."""
    from exhibit import worker
    from exhibit.mail.outbox import OutboxMessage
    from exhibit.mail.sending import file_name, message_of

    row = db.session.get(OutboxMessage, message_id)
    if row is None:
        raise click.ClickException(f"Письма {message_id} нет в очереди.")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"Состояние: {row.state} (попыток: {row.attempts})")
    if row.last_error and row.state != "sent":
        click.echo(f"Причина: {row.last_error}")
    path = worker.mail_folder(app) / f"{file_name(row)}.eml"
    if path.exists():
        click.echo(f"Файл: {path}")
        raw = path.read_bytes()
    else:
        raw = message_of(db.session, row, worker.policy(app), None)[0].as_bytes()
    click.echo(readable(raw))


def readable(raw: bytes) -> str:
    """A message as people read it: the headers decoded, the text part, the attachments."""
    from email import message_from_bytes, policy

    message = message_from_bytes(raw, policy=policy.default)
    lines = [f"{name}: {message[name]}" for name in
             ("From", "To", "Subject", "Date", "Message-ID") if message[name]]  # fmt: skip
    text = message.get_body(preferencelist=("plain",))
    lines += ["", text.get_content().rstrip() if text is not None else ""]
    for part in message.iter_attachments():
        size = len(part.get_payload(decode=True) or b"")
        lines.append(f"[вложение: {part.get_filename()}, {part.get_content_type()}, {size} байт]")
    return "\n".join(lines)


@mail_cli.command("retry")
@click.argument("message_id", type=int)
@database_command
def retry_command(message_id: int) -> None:
    """Queue a failed message again (the same Message-ID)."""
    from exhibit.mail.sending import retry

    retry(db.session, message_id)
    click.echo(f"Письмо {message_id} снова в очереди.")
