"""The worker against a real SMTP server (aiosmtpd on a loopback port): what the server
receives, a server that is down and then up, a refusal, a worker killed mid-send, and two
workers sharing one outbox."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from email.header import decode_header
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import create_engine, text

from exhibit import worker
from exhibit.booking import services
from exhibit.db import db
from exhibit.mail.sending import send_due
from exhibit.timeutil import utcnow
from tests.mail.conftest import outbox
from tests.mail.smtpserver import Handler, SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]


def confirmed(world):
    reservation = services.request_booth(
        db.session, world.exhibition, "A2", world.exhibitor, world.user
    )
    services.confirm_reservation(db.session, reservation.id, world.organiser)
    return reservation


def test_the_server_receives_a_whole_message(app, world):
    reservation = confirmed(world)
    with SmtpServer() as server:
        app.config["MAIL_URL"] = server.url
        report = worker.send_mail(app)
    queued = outbox()
    assert report.sent == len(queued) == 3  # requested, the organisers' request, confirmed
    assert {row.status for row in queued} == {"sent"}
    by_id = {r.message["Message-ID"]: r for r in server.received}
    row = next(row for row in queued if row.kind == "reservation.confirmed")
    got = by_id[row.message_id]
    assert got.recipients == ["irbit@example.ru"]
    # The subject travels as RFC 2047 encoded words and decodes to the Russian text.
    raw_headers = re.split(rb"\r?\n\r?\n", got.raw, maxsplit=1)[0].decode("ascii")
    folded = re.search(r"^Subject:(.*(?:\r?\n[ \t].*)*)", raw_headers, re.MULTILINE)
    raw_subject = " ".join(folded.group(1).split())
    assert raw_subject.lower().startswith("=?utf-8?") and raw_subject.isascii()
    decoded = "".join(
        part.decode(charset) if charset else part.decode() if isinstance(part, bytes) else part
        for part, charset in decode_header(raw_subject)
    )
    assert decoded == str(got.message["Subject"]) == "Бронирование стенда A2 подтверждено"
    message = got.message
    assert message["To"] == "irbit@example.ru"
    assert message["From"].addresses[0].addr_spec == app.config["MAIL_FROM"]
    assert message["Date"].datetime is not None
    assert message["Message-ID"] == row.message_id
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    assert "A2" in text_part.get_content()
    assert f"/reservations/{reservation.id}/confirmation.pdf" in text_part.get_content()
    assert '<a href="http://127.0.0.1:5000/test/my">' in html_part.get_content()
    (pdf,) = list(message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "booth-A2-confirmation.pdf"
    reader = PdfReader(io.BytesIO(pdf.get_payload(decode=True)))
    page_text = "".join(page.extract_text() for page in reader.pages)
    assert "A2" in page_text and "Ирбит" in page_text


def test_a_huge_attachment_is_left_out_and_the_link_stays(app, world):
    confirmed(world)
    app.config["MAIL_MAX_ATTACHMENT"] = 1000
    with SmtpServer() as server:
        app.config["MAIL_URL"] = server.url
        worker.send_mail(app)
    (got,) = [r for r in server.received if "подтверждено" in str(r.message["Subject"])]
    assert list(got.message.iter_attachments()) == []
    assert "/confirmation.pdf" in got.message.get_body(("plain",)).get_content()


def test_a_server_that_is_down_then_up(app, world):
    world.organiser.active = False  # one message: the exhibitor's
    db.session.commit()
    services.request_booth(db.session, world.exhibition, "A2", world.exhibitor, world.user)
    port = free_port()
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
    policy = worker.policy(app)

    def send_at(moment):
        transport = worker.transport(app)
        try:
            return send_due(db.session, transport, policy, now=lambda: moment)
        finally:
            transport.close()

    start = utcnow()
    report = send_at(start)
    assert (report.sent, report.retried) == (0, 1)  # the rest waits: the server is down
    first = outbox()[0]
    assert first.status == "queued" and first.attempts == 1
    assert first.next_attempt_at == start + policy.retry_base
    assert "127.0.0.1" in first.last_error
    # Nothing is due before the pause is over; the second failure waits twice as long.
    later = start + policy.retry_base
    assert send_at(start).retried == 0
    send_at(later)
    again = outbox(id=first.id)[0]
    assert again.attempts == 2
    assert again.next_attempt_at == later + 2 * policy.retry_base
    with SmtpServer(port) as server:
        report = send_at(later + timedelta(hours=1))
    assert report.sent == 1
    assert {row.status for row in outbox()} == {"sent"}
    assert len(server.received) == 1


def test_a_refusal_fails_the_message_with_the_reason_and_tells_the_organisers(
    app, world, client_for
):
    services.request_booth(db.session, world.exhibition, "A2", world.exhibitor, world.user)
    with SmtpServer(handler=Handler(refuse={"irbit@example.ru"})) as server:
        app.config["MAIL_URL"] = server.url
        worker.send_mail(app)
        refused = outbox(recipient="irbit@example.ru")[0]
        assert refused.status == "failed"
        assert refused.last_error.startswith("550 5.1.1")
        assert "RCPT TO" in refused.last_error
        # The organisers' notice of the failure is queued, and sent on the next round.
        (notice,) = outbox(kind="organiser.undeliverable")
        assert "irbit@example.ru" in notice.subject and "550" in notice.text_body
        worker.send_mail(app)
    assert outbox(kind="organiser.undeliverable")[0].status == "sent"
    page = client_for(world.organiser).get("/organiser/mail?state=failed")
    assert page.status_code == 200
    assert "550 5.1.1" in page.text and "irbit@example.ru" in page.text


def _worker_env(app, server: SmtpServer, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "EXHIBIT_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "EXHIBIT_INSTANCE_PATH": app.instance_path,
        "EXHIBIT_SECRET_KEY": "test",
        "EXHIBIT_MAIL_URL": server.url,
        **extra,
    }


def _run_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "exhibit", "worker", "--once"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _lock_the_outbox(app):
    """A second connection that stops every write to the outbox until released."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    connection = engine.connect()
    if engine.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.execute(text("LOCK TABLE outbox_message IN SHARE MODE"))
    return engine, connection


def test_a_worker_killed_between_sending_and_marking_does_not_send_twice(app, world):
    world.organiser.active = False  # one message only: the exhibitor's
    db.session.commit()
    services.request_booth(db.session, world.exhibition, "A2", world.exhibitor, world.user)
    db.session.remove()
    held = {}
    handler = Handler()
    # The server takes the message, but before it answers 250 the test locks the outbox:
    # the worker's "sent" mark then waits, and the test kills it right there.
    handler.on_data = lambda got: held.update(lock=_lock_the_outbox(app))
    with SmtpServer(handler=handler) as server:
        process = _run_worker(_worker_env(app, server, EXHIBIT_MAIL_LEASE="1"))
        try:
            assert handler.arrived.wait(60), process.stderr.read().decode()
            time.sleep(1.0)  # the worker is now waiting for the lock to mark the message
            assert process.poll() is None
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
        finally:
            engine, connection = held["lock"]
            connection.rollback()
            connection.close()
            engine.dispose()
        (row,) = outbox()
        assert row.status == "sending" and row.handed_at is not None
        time.sleep(1.1)  # the dead worker's lease runs out
        again = _run_worker(_worker_env(app, server))
        _out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err.decode()
    assert len(server.received) == 1  # never twice
    (row,) = outbox()
    # The server may have it: not sent again behind anyone's back, but shown as failed with
    # a reason that says so and how to resend.
    assert row.status == "failed"
    assert "неизвестно, доставлено ли" in row.last_error
    assert row.message_id in row.last_error


def test_two_workers_share_the_outbox_without_a_duplicate(app, world):
    from tests.factories import make_exhibitor, make_user

    for i in range(12):
        exhibitor = make_exhibitor(world.exhibition, f"Город {i}")
        make_user(f"city{i}@example.ru", exhibitor=exhibitor)
    world.organiser.active = False
    db.session.commit()
    from exhibit.accounts import notices
    from exhibit.db import unit_of_work

    @unit_of_work
    def announce(session):
        for user in db.session.scalars(
            db.select(notices.User).where(notices.User.role == "exhibitor")
        ):
            notices.send(
                session, user, "account_approved", exhibitor=user.exhibitor, url="http://x/"
            )

    announce(db.session)
    queued = outbox()
    assert len(queued) == 13
    db.session.remove()
    with SmtpServer() as server:
        env = _worker_env(app, server)
        first, second = _run_worker(env), _run_worker(env)
        outputs = [p.communicate(timeout=180) for p in (first, second)]
        assert first.returncode == second.returncode == 0, outputs
    ids = [r.message["Message-ID"] for r in server.received]
    assert len(ids) == len(set(ids)) == 13
    assert {row.status for row in outbox()} == {"sent"}
    # Between them the two sent each message once.
    counts = [int(re.search(r"Отправлено: (\d+)", out.decode()).group(1)) for out, _ in outputs]
    assert sum(counts) == 13
