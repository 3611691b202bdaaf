"""The worker: sends the outbox and runs the periodic jobs on a schedule.

``flask --app exhibit worker`` runs until stopped (SIGTERM or Ctrl-C finish the current
step, then it exits); ``worker --once`` runs every job and sends everything due, then exits.
Several workers may run at once, on several machines: on PostgreSQL they share the outbox
with ``FOR UPDATE SKIP LOCKED`` (``exhibit/mail/sending.py``), the jobs are safe to run
twice (expiry locks the reservations it expires and skips those another worker has
locked, ``FOR UPDATE SKIP LOCKED``; a reminder is written once per hold and deadline).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from exhibit.accounts import notices as account_notices
from exhibit.accounts.models import User
from exhibit.booking import notices as booking_notices
from exhibit.booking.models import Reservation
from exhibit.booking.services import expire_lapsed
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db, unit_of_work
from exhibit.mail.message import Attachment, sender_address
from exhibit.mail.outbox import OutboxMessage
from exhibit.mail.sending import Policy, Report, send_due
from exhibit.mail.transport import Transport, transport_for

log = logging.getLogger("exhibit.worker")


def mail_folder(app: Flask) -> Path:
    return Path(app.config.get("MAIL_FOLDER") or Path(app.instance_path) / "mail")


def transport(app: Flask) -> Transport:
    return transport_for(
        app.config.get("MAIL_URL"), mail_folder(app), timeout=app.config["MAIL_TIMEOUT"]
    )


def policy(app: Flask) -> Policy:
    config = app.config
    return Policy(
        sender=sender_address(config["MAIL_FROM_NAME"], config["MAIL_FROM"]),
        lease=timedelta(seconds=config["MAIL_LEASE"]),
        retry_base=timedelta(seconds=config["MAIL_RETRY_BASE"]),
        retry_max=timedelta(seconds=config["MAIL_RETRY_MAX"]),
        max_attempts=config["MAIL_MAX_ATTEMPTS"],
        max_attachment=config["MAIL_MAX_ATTACHMENT"],
    )


def make_attachment(session: Session, spec: dict[str, Any]) -> Attachment | None:
    """The files a notice may carry, made when it is sent: the confirmation PDF, a billing
    document (invoice, contract, act) as issued."""
    if spec.get("kind") == "billing_document":
        from exhibit.billing.documents import document_pdf
        from exhibit.billing.models import Document

        document = session.get(Document, spec.get("id"))
        if document is None:
            return None
        return Attachment(str(spec.get("filename") or "document.pdf"), document_pdf(document))
    if spec.get("kind") != "confirmation":
        return None
    from exhibit.maps.pdf import confirmation_pdf

    reservation = session.get(Reservation, spec.get("id"))
    if reservation is None:
        return None
    with force_locale(spec.get("language") or "ru"):
        content = confirmation_pdf(session, reservation)
    return Attachment(str(spec.get("filename") or "confirmation.pdf"), content)


def refuse(session: Session, message: OutboxMessage) -> str | None:
    """Why a queued message must not go any more, if it must not."""
    if message.exhibitor_id is not None:
        exhibitor = session.get(Exhibitor, message.exhibitor_id)
        if exhibitor is None or exhibitor.is_deleted:
            return "экспонент удалён: письма его пользователям не идут"
    if message.user_id is not None:
        user = session.get(User, message.user_id)
        if user is not None and not user.active:
            return "учётная запись отключена"
    return None


def send_mail(app: Flask, *, limit: int | None = None) -> Report:
    """Send what is due from the outbox (the worker's mail step)."""
    out = transport(app)
    try:
        return send_due(
            db.session, out, policy(app), limit=limit, make_attachment=make_attachment,
            refuse=refuse, on_failure=account_notices.undeliverable,
        )  # fmt: skip
    finally:
        out.close()


@unit_of_work
def send_reminders(session: Session) -> int:
    return booking_notices.send_reminders(session)


@dataclass
class Job:
    name: str
    every: Callable[[Flask], float]
    run: Callable[[], Any]
    describe: Callable[[Any], str]
    last: float | None = None

    def due(self, app: Flask, now: float) -> bool:
        return self.last is None or now - self.last >= self.every(app)


def jobs() -> list[Job]:
    """The periodic jobs, in the order they run (expiry before the reminders)."""
    return [
        Job("sweep-holds", lambda app: app.config["SWEEP_EVERY"],
            lambda: expire_lapsed(db.session), lambda n: f"{n} hold(s) expired"),
        Job("reminders", lambda app: app.config["REMINDERS_EVERY"],
            lambda: send_reminders(db.session), lambda n: f"{n} hold(s) reminded of"),
    ]  # fmt: skip


def run_jobs(app: Flask, schedule: list[Job], *, all_now: bool = False) -> None:
    now = time.monotonic()
    for job in schedule:
        if not all_now and not job.due(app, now):
            continue
        job.last = now
        try:
            result = job.run()
        except IntegrityError:
            db.session.rollback()
            log.info("job %s: another worker did it at the same time", job.name)
            continue
        except (OperationalError, InterfaceError) as exc:
            _database_unavailable(exc, f"job {job.name}")
            continue
        except Exception:
            db.session.rollback()
            log.exception("job %s failed; it runs again at its next time", job.name)
            continue
        log.info("job %s: %s", job.name, job.describe(result))
    db.session.remove()


def _database_unavailable(error: Exception, step: str) -> None:
    """The database does not answer (restarting, unreachable): one line, no trace; the step
    runs again at its next time (the pool reconnects: ``pool_pre_ping``). A message claimed
    just before stays ``sending`` until its lease runs out, then goes back to the queue."""
    with contextlib.suppress(Exception):  # the connection is gone: nothing to roll back
        db.session.rollback()
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    log.warning("%s: database unavailable: %s; it runs again at its next time", step,
                lines[0] if lines else type(error).__name__)  # fmt: skip


def run_once(app: Flask) -> Report:
    """Every job now, then everything due from the outbox."""
    run_jobs(app, jobs(), all_now=True)
    report = send_mail(app)
    db.session.remove()
    return report


def run_forever(app: Flask, stop: threading.Event) -> None:
    schedule = jobs()
    log.info("worker started: mail to %s, polling every %ss; jobs: %s",
             transport(app).describe(), app.config["WORKER_POLL"],
             ", ".join(f"{j.name} every {j.every(app)}s" for j in schedule))  # fmt: skip
    while not stop.is_set():
        run_jobs(app, schedule)
        try:
            report = send_mail(app)
        except (OperationalError, InterfaceError) as exc:
            _database_unavailable(exc, "mail")
        except Exception:
            log.exception("sending mail failed; trying again at the next poll")
        else:
            if report:
                log.info("mail: %s sent, %s to retry, %s failed, %s recovered",
                         report.sent, report.retried, report.failed, report.recovered)  # fmt: skip
        db.session.remove()
        stop.wait(app.config["WORKER_POLL"])
    log.info("worker stopped")
