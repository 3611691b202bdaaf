"""The outbox: written in the change's transaction, sent as files without a server, listed
and shown by the command line; what must not be sent is not."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from exhibit import worker
from exhibit.accounts import notices
from exhibit.booking import services
from exhibit.booking.deletion import delete_exhibitor
from exhibit.booking.models import Reservation
from exhibit.db import db
from exhibit.errors import BoothUnavailable
from exhibit.mail.message import build, sender_address
from exhibit.mail.sending import recover_stale
from exhibit.mail.transport import FileTransport
from exhibit.timeutil import utcnow
from tests.mail.conftest import outbox


def test_a_refused_change_writes_no_mail_and_a_committed_one_does(app, world):
    services.block_booth(db.session, world.exhibition, "A3", world.organiser)
    before = len(outbox())
    with pytest.raises(BoothUnavailable):
        services.request_booth(db.session, world.exhibition, "A3", world.exhibitor, world.user)
    assert len(outbox()) == before
    services.request_booth(db.session, world.exhibition, "A2", world.exhibitor, world.user)
    mine = outbox(recipient="irbit@example.ru")
    assert [m.kind for m in mine] == ["reservation.requested"]
    assert [m.kind for m in outbox(recipient="org@example.ru")] == ["organiser.request"]


def test_without_a_mail_url_messages_are_files_and_the_commands_show_them(app, world):
    services.request_booth(db.session, world.exhibition, "A2", world.exhibitor, world.user)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Отправлено: 2" in result.output
    files = sorted(worker.mail_folder(app).glob("*.eml"))
    assert len(files) == 2
    listed = json.loads(runner.invoke(args=["mail", "list", "--json"]).output)
    assert {m["state"] for m in listed} == {"sent"}
    first = next(m for m in listed if m["to"] == "irbit@example.ru")
    shown = runner.invoke(args=["mail", "show", str(first["id"])])
    assert shown.exit_code == 0
    assert "Subject: Запрос стенда A2 принят" in shown.output
    assert "Состояние: sent" in shown.output
    assert "http://127.0.0.1:5000/test/my" in shown.output
    plain = runner.invoke(args=["mail", "list"]).output
    assert "sent" in plain and "irbit@example.ru" in plain
    assert runner.invoke(args=["mail", "show", "999"]).exit_code == 1


def test_a_notice_is_in_its_recipients_language(app, world):
    world.user.language = "en"
    db.session.commit()
    services.request_booth(db.session, world.exhibition, "A2", world.exhibitor, world.user)
    (english,) = outbox(recipient="irbit@example.ru")
    (russian,) = outbox(recipient="org@example.ru")
    assert english.language == "en"
    assert english.subject == "Request for booth A2 received"
    assert "Your reservations:" in english.text_body
    assert russian.subject.startswith("Запрос стенда A2 от «Ирбит»")


def test_the_users_of_a_deleted_exhibitor_get_no_more_mail(app, world):
    services.request_booth(db.session, world.exhibition, "A2", world.exhibitor, world.user)
    delete_exhibitor(db.session, world.exhibition, world.exhibitor.id, world.organiser)
    stopped = outbox(recipient="irbit@example.ru")
    assert [m.status for m in stopped] == ["failed"]
    assert "удалён" in stopped[0].last_error
    # The release of its reservation writes nothing to them.
    assert len(outbox(recipient="irbit@example.ru")) == 1


def test_a_line_break_in_a_name_never_reaches_a_header(app, world):
    world.exhibitor.name = "Ирбит\r\nBcc: victim@example.com"
    db.session.commit()
    services.request_booth(db.session, world.exhibition, "A2", world.exhibitor, world.user)
    (organisers,) = outbox(recipient="org@example.ru")
    assert "\n" not in organisers.subject and "\r" not in organisers.subject
    message = build(
        sender=sender_address("X", "noreply@localhost"), recipient=organisers.recipient,
        subject=organisers.subject, text="t", html="h", message_id="<a@b>",
        date=utcnow(), language="ru",
    )  # fmt: skip
    assert message["Bcc"] is None
    raw = message.as_bytes()
    assert b"\nBcc:" not in raw
    with pytest.raises(ValueError):
        build(
            sender=sender_address("X", "noreply@localhost"), recipient="a@b.ru",
            subject="Тема\r\nBcc: victim@example.com", text="t", html="h",
            message_id="<a@b>", date=utcnow(), language="ru",
        )  # fmt: skip


def test_a_crash_before_handing_over_queues_the_message_again(app, world, tmp_path):
    services.request_booth(db.session, world.exhibition, "A2", world.exhibitor, world.user)
    first, second = outbox()
    past = utcnow() - timedelta(minutes=1)
    first.status, first.claimed_until = "sending", past  # died before the data went out
    second.status, second.claimed_until, second.handed_at = "sending", past, past
    db.session.commit()
    transport = FileTransport(tmp_path)
    assert recover_stale(db.session, transport, utcnow()) == 2
    first, second = outbox()
    assert first.status == "queued"
    # The file transport can tell: no file, so it was not delivered; queued again too.
    assert second.status == "queued" and second.handed_at is None


def test_reminders_go_once_and_only_to_who_wants_them(app, world):
    from exhibit.booking.notices import send_reminders
    from exhibit.db import unit_of_work

    second = notices.User(
        email="second@example.ru", role="exhibitor", exhibitor_id=world.exhibitor.id,
        notice_settings={"reminders": False},
    )  # fmt: skip
    db.session.add(second)
    db.session.commit()
    reservation = services.request_booth(
        db.session, world.exhibition, "A2", world.exhibitor, world.user
    )
    remind = unit_of_work(send_reminders)
    assert remind(db.session) == 0  # 48 h left
    db.session.get(Reservation, reservation.id).expires_at = utcnow() + timedelta(hours=20)
    db.session.commit()
    assert remind(db.session) == 1
    assert remind(db.session) == 0  # once per hold and deadline
    reminders = outbox(kind="reservation.reminder")
    assert [m.recipient for m in reminders] == ["irbit@example.ru"]
    assert "через сутки" in reminders[0].subject
    assert [m.recipient for m in outbox(kind="organiser.hold_expiring")] == ["org@example.ru"]


def test_organisers_choose_their_notices(app, world):
    world.organiser.notice_settings = {"organiser.request": False}
    db.session.commit()
    services.request_booth(db.session, world.exhibition, "A2", world.exhibitor, world.user)
    assert outbox(kind="organiser.request") == []


def test_every_change_of_a_reservation_tells_its_exhibitor(app, world):
    from exhibit.booking.services import expire_lapsed
    from tests.factories import make_exhibitor, make_user

    other = make_exhibitor(world.exhibition, "Тагил")
    other_user = make_user("tagil@example.ru", exhibitor=other)
    ex, org = world.exhibition, world.organiser
    first = services.request_booth(db.session, ex, "A1", world.exhibitor, world.user)
    services.move_reservation(db.session, first.id, "A2", org)
    services.join_waitlist(db.session, ex, "A2", other, other_user)
    services.decline_reservation(db.session, first.id, org)  # A2 goes to Тагил's waitlist
    held = services.hold_booth(db.session, ex, "A3", world.exhibitor, org)
    services.confirm_reservation(db.session, held.id, org)
    services.cancel_reservation(db.session, held.id, world.user)
    lapsing = services.request_booth(db.session, ex, "A4", world.exhibitor, world.user)
    db.session.get(Reservation, lapsing.id).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expire_lapsed(db.session)
    kinds = [m.kind for m in outbox(recipient="irbit@example.ru")]
    assert kinds == [
        "reservation.requested", "reservation.moved", "reservation.declined",
        "reservation.held", "reservation.confirmed", "reservation.cancelled",
        "reservation.requested", "reservation.expired",
    ]  # fmt: skip
    moved = outbox(recipient="irbit@example.ru", kind="reservation.moved")[0]
    assert "со стенда A1 на стенд A2" in moved.text_body
    (offer,) = outbox(recipient="tagil@example.ru", kind="reservation.offered")
    assert "A2" in offer.subject
    # Nothing in Тагил's mail names Ирбит, whose booth it was.
    assert all("Ирбит" not in m.text_body for m in outbox(recipient="tagil@example.ru"))


def test_deleting_a_registration_before_approval_tells_its_users_it_was_refused(app, world):
    from tests.factories import make_exhibitor, make_user

    pending = make_exhibitor(world.exhibition, "Реж", approved=False)
    make_user("rezh@example.ru", exhibitor=pending)
    delete_exhibitor(db.session, world.exhibition, pending.id, world.organiser)
    (refusal,) = outbox(recipient="rezh@example.ru")
    assert refusal.kind == "account_refused" and refusal.status == "queued"
    report = worker.send_mail(app)
    assert report.sent == 1 and outbox(recipient="rezh@example.ru")[0].status == "sent"
