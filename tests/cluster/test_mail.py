"""The mail outbox workers beside both servers (``flask --app exhibit worker``, one each,
on the one PostgreSQL outbox, to a real SMTP server on loopback): every notice is delivered
once — also when one worker is killed with SIGKILL while it hands a message over.

The Message-IDs the SMTP server received are counted: the outbox's rows and the server's
messages must be the same set, each received once.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import select

from exhibit.db import db
from exhibit.mail.outbox import OutboxMessage
from tests.cluster.conftest import MAIL_LEASE, POST, World

#: The text of a message whose worker stopped after handing it over (exhibit/mail/sending.py).
UNCERTAIN = "неизвестно, доставлено ли"


def rows(cluster: World) -> list[OutboxMessage]:
    with cluster.app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        db.session.remove()
        return found


def wait_until_settled(cluster: World, timeout: float = 120) -> list[OutboxMessage]:
    """Until no message is queued or being sent (a killed worker's after its lease)."""
    deadline = time.monotonic() + timeout
    while True:
        found = rows(cluster)
        pending = [r for r in found if r.status in ("queued", "sending")]
        if not pending:
            return found
        assert time.monotonic() < deadline, [(r.id, r.status, r.last_error) for r in pending]
        time.sleep(0.5)


def request_and_cancel(cluster: World, index: int, token: str) -> tuple[int, int]:
    """Booth A<index+1> requested through one server and cancelled through the other."""
    headers = {"Authorization": f"Bearer {token}"}
    first, second = cluster.node(index % 2), cluster.node(1 - index % 2)
    path = f"/api/v1/exhibitions/{POST}/booths/A{index + 1}/reservations"
    made = requests.post(first + path, headers=headers, timeout=60)
    if made.status_code != 201:
        return made.status_code, 0
    rid = made.json()["id"]
    cancelled = requests.post(
        f"{second}/api/v1/reservations/{rid}/cancel", headers=headers, timeout=60
    )
    return made.status_code, cancelled.status_code


def sent_lines(cluster: World) -> list[int]:
    """How many messages each worker's log says it sent."""
    return [
        len(re.findall(r"mail \d+ \([\w.]+\) sent to", w.log.read_text()))
        for w in cluster.topology.workers
    ]


def test_both_workers_deliver_every_notice_once_even_when_one_is_killed(cluster):
    topology = cluster.topology
    smtp, workers = topology.smtp, topology.workers
    assert smtp is not None and all(w.running for w in workers)
    sent_before = sent_lines(cluster)

    # The SMTP server holds the third message of this test in its DATA (the data has
    # arrived, the 250 not yet sent): the worker sending it is killed right there.
    start = len(smtp.received)
    held, release = threading.Event(), threading.Event()
    holding: dict[str, str] = {}

    def hold(got) -> None:
        if not holding and len(smtp.received) >= start + 2:
            holding["message_id"] = got.message["Message-ID"]
            held.set()
            release.wait(60)

    smtp.handler.on_data = hold
    tokens = cluster.post_tokens
    try:
        with ThreadPoolExecutor(6) as pool:
            answers = pool.map(request_and_cancel, [cluster] * len(tokens), range(len(tokens)),
                               tokens)  # fmt: skip
            assert held.wait(120), "the SMTP server got fewer than three messages"
            holder = next(r for r in rows(cluster) if r.message_id == holding["message_id"])
            assert holder.status == "sending" and holder.handed_at is not None
            victim = next(w for w in workers if holder.claimed_by.endswith(f":{w.pid}"))
            victim.kill()
            release.set()
            answers = list(answers)
    finally:
        smtp.handler.on_data = None
        release.set()
    assert set(answers) == {(201, 200)}, Counter(answers)
    survivor = next(w for w in workers if w is not victim)
    assert survivor.running

    # The survivor goes on alone; after the lease it settles the victim's message: it may
    # have been delivered, so it is not sent again but failed with a reason for a person.
    time.sleep(MAIL_LEASE)
    victim.start()  # as systemd's Restart= would
    settled = wait_until_settled(cluster, timeout=MAIL_LEASE + 120)
    uncertain = [r for r in settled if r.status == "failed" and UNCERTAIN in r.last_error]
    assert [r.message_id for r in uncertain] == [holding["message_id"]]
    assert holding["message_id"] in uncertain[0].last_error

    # The person's check (docs/operations.md): the server's log has that Message-ID, so
    # nothing is resent. A Message-ID it does not have would be resent (`mail retry`).
    received = Counter(r.message["Message-ID"] for r in smtp.received)
    missing = [r for r in uncertain if r.message_id not in received]
    for row in missing:
        topology.flask("mail", "retry", str(row.id))
    # The survivor sent what came after the kill; the restarted worker works too: with the
    # survivor stopped, it alone sends the notices of one more request and cancellation.
    sent = sent_lines(cluster)
    assert sent[workers.index(survivor)] > sent_before[workers.index(survivor)], sent
    survivor.stop()
    try:
        assert request_and_cancel(cluster, 0, cluster.post_tokens[0]) == (201, 200)
        settled = wait_until_settled(cluster)
        assert sent_lines(cluster)[workers.index(victim)] > sent[workers.index(victim)]
    finally:
        survivor.start()
    received = Counter(r.message["Message-ID"] for r in smtp.received)

    # Every row of the outbox — this test's notices and the whole session's so far (the
    # race, the loads) — was received once, and nothing else was.
    doubled = {m: n for m, n in received.items() if n > 1}
    assert not doubled, doubled
    assert set(received) == {r.message_id for r in settled}
    assert all(r.status in ("sent", "failed") for r in settled)
    assert {r.id for r in settled if r.status == "failed"} <= {r.id for r in uncertain}
    # This test's notices to exhibitors: a request and a cancellation each, and one more.
    mine = [r for r in settled if r.recipient.startswith("post")]
    assert len(mine) == 2 * len(cluster.post_tokens) + 2
