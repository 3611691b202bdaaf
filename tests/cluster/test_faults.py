"""Faults under load on the two-server topology: a server dies, PostgreSQL restarts, Redis
stops. Each test puts the topology back as it found it.

The load (tests/cluster/load.py) reads pages and the API through nginx and has exhibitors
request and cancel booths; afterwards the database is held against what every writer was
told (no reservation lost, none doubled, one audit event each).
"""

from __future__ import annotations

import re
import time

import redis
import requests

from tests.cluster.conftest import HALL, LOAD_BOOTHS
from tests.cluster.load import Load, newest_reservation, reservation_problems
from tests.cluster.test_shared_state import csrf


def _load(cluster) -> Load:
    return Load(cluster.proxy, HALL, LOAD_BOOTHS, cluster.writer_tokens[1:5], readers=4)


def _log_since(path, offset: int) -> str:
    return path.read_text(errors="replace")[offset:]


def test_killing_one_server_under_load_loses_no_request_that_may_be_retried(cluster):
    """The proxy retries reads on the other server; a write in flight on the dead one is a
    502 (nginx never sends a POST twice), and the database still agrees with the writers."""
    topology = cluster.topology
    victim = topology.nodes[0]
    access = topology.nginx_access_log
    access_offset = len(access.read_text())
    since = newest_reservation(cluster.app)
    load = _load(cluster).start()
    try:
        time.sleep(3)
        victim.kill()
        killed_at = time.monotonic()
        time.sleep(5)
    finally:
        load.stop()
        if not victim.running:
            victim.start()
    assert load.statuses("GET")[200] > 20 and load.statuses("POST")[201] > 2, load.summary()
    # Reads never fail: a read that met the dead server was answered by the other.
    assert set(load.statuses("GET")) == {200}, load.summary()
    # Writes: answered, refused (409), or 502 for the few in flight when the server died.
    posts = load.statuses("POST")
    assert set(posts) <= {200, 201, 409, 502}, load.summary()
    failed = [a for a in load.answers if a.status == 502]
    assert all(a.method == "POST" and a.at >= killed_at - 1 for a in failed)
    assert len(failed) <= len(load.writers), load.summary()  # at most one in flight each
    # nginx says the same: a 502 in its log for each one the clients saw, and it moved
    # reads to the other server (an upstream list of two addresses: it tried both).
    log = access.read_text()[access_offset:].splitlines()
    assert sum(1 for line in log if '" 502 ' in line) == len(failed)
    assert not any('"GET ' in line and '" 502 ' in line for line in log)
    assert reservation_problems(cluster.app, load, since) == []
    # The server is back and serves again.
    assert requests.get(f"{cluster.node(0)}/healthz", timeout=30).status_code == 200


def test_restarting_postgresql_under_load_gives_503_then_recovers(cluster):
    """While the database is down every request that needs it is a 503 with Retry-After,
    never a 500 or a trace; the servers reconnect by themselves (pool_pre_ping)."""
    topology = cluster.topology
    logs = [node.log for node in topology.nodes]
    offsets = [len(log.read_text(errors="replace")) for log in logs]
    since = newest_reservation(cluster.app)
    load = _load(cluster).start()
    try:
        time.sleep(2)
        topology.stop_postgres()
        down_at = time.monotonic()
        time.sleep(3)
        topology.start_postgres()
        up_at = time.monotonic()
        time.sleep(5)
    finally:
        load.stop()
    answers = load.answers
    statuses = {a.status for a in answers}
    assert 500 not in statuses and 502 not in statuses and 599 not in statuses, load.summary()
    assert not any(a.trace for a in answers)
    unavailable = [a for a in answers if a.status == 503]
    assert unavailable, f"no 503 while the database was down: {load.summary()}"
    assert all(down_at - 1 <= a.at <= up_at + 5 for a in unavailable)
    # Retry-After: DATABASE_RETRY_AFTER (5 s), or later on the API, where Flask-Limiter
    # sets it on every answer to when the client's rate-limit window ends, if that is later.
    without = {(a.path, a.retry_after) for a in unavailable if a.method == "GET"}
    assert all(after and int(after) >= 5 for _, after in without), without
    assert ("/", "5") in without or ("/hall/map", "5") in without, without
    # After it is back, the last requests all succeed again.
    late = [a for a in answers if a.at > up_at + 3]
    assert late and {a.status for a in late} <= {200, 201, 409}, load.summary()
    assert reservation_problems(cluster.app, load, since) == []
    texts = [_log_since(log, offset) for log, offset in zip(logs, offsets, strict=True)]
    for text in texts:
        assert "Traceback" not in text, text[-3000:]
    assert any("database unavailable: " in text for text in texts)


def test_with_redis_stopped_the_site_serves_and_limits_fall_back_to_memory(cluster):
    topology = cluster.topology
    node = cluster.node(1)
    log = topology.nodes[1].log
    offset = len(log.read_text(errors="replace"))
    topology.stop_redis()
    try:
        pages = [requests.get(f"{cluster.proxy}/{HALL}/map", timeout=30) for _ in range(4)]
        reserved = requests.post(
            f"{cluster.proxy}/api/v1/exhibitions/{HALL}/booths/A11/reservations",
            headers={"Authorization": f"Bearer {cluster.writer_tokens[5]}"},
            timeout=30,
        )
        # Sign-in is still limited: in each worker's memory (two workers on this server).
        address = {"X-Forwarded-For": "192.0.2.31"}
        session = requests.Session()
        token = csrf(session, node + "/login", address)
        statuses = []
        for _ in range(21):
            statuses.append(
                session.post(
                    node + "/login",
                    data={"email": cluster.users["redis"], "password": "x", "csrf_token": token},
                    headers=address,
                    timeout=30,
                ).status_code
            )
    finally:
        topology.start_redis()
    assert [p.status_code for p in pages] == [200] * 4
    assert reserved.status_code == 201, reserved.text
    assert statuses[:10] == [200] * 10 and 429 in statuses, statuses
    text = _log_since(log, offset)
    assert "falling back to in-memory storage" in text and "Traceback" not in text, text

    # Redis is back (empty: it only ever held counters): the servers count there again.
    address = {"X-Forwarded-For": "192.0.2.32"}
    client = redis.Redis(port=topology.redis_port)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not client.keys("LIMITS*192.0.2.32*"):
        token = csrf(session, node + "/login", address)
        session.post(
            node + "/login",
            data={"email": cluster.users["redis"], "password": "x", "csrf_token": token},
            headers=address,
            timeout=30,
        )
        time.sleep(1)
    assert client.keys("LIMITS*192.0.2.32*"), "the servers did not go back to Redis"
    assert not re.search(r"\b500\b", text)
