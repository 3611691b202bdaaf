"""Two app servers share what must be shared: rate limits (in Redis), the data behind each
server's page cache, sessions, and the booth a race is about (in PostgreSQL).

Requests sent to one server directly carry ``X-Forwarded-For`` as nginx would send it
(``EXHIBIT_PROXY_FIX=1`` believes one proxy): each test signs in from an address of its
own, so the sign-in limit one test uses up does not refuse the next.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter

import redis
import requests

from tests.cluster.conftest import HALL, RECHECK
from tests.concurrency.test_double_booking import EXHIBITORS
from tests.factories import PASSWORD


def csrf(session: requests.Session, url: str, headers: dict[str, str]) -> str:
    page = session.get(url, headers=headers, timeout=30).text
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def test_the_sign_in_limit_is_counted_across_both_servers(cluster):
    """10 wrong passwords a minute per address, wherever they land: the 11th is refused."""
    nodes = [cluster.node(0), cluster.node(1)]
    address = {"X-Forwarded-For": "192.0.2.11"}
    session = requests.Session()
    token = csrf(session, nodes[0] + "/login", address)
    statuses = []
    for attempt in range(12):
        response = session.post(
            nodes[attempt % 2] + "/login",
            data={"email": cluster.users["limit"], "password": "wrong!", "csrf_token": token},
            headers=address,
            timeout=30,
        )
        statuses.append(response.status_code)
    assert statuses == [200] * 10 + [429, 429], statuses
    # The count is Redis's, not a server's (each saw only six of them).
    keys = redis.Redis(port=cluster.topology.redis_port).keys("LIMITS*192.0.2.11*")
    assert keys, "no counter for the address in Redis"
    # Another address is not refused: the limit is per client, not for everybody.
    other = {"X-Forwarded-For": "192.0.2.12"}
    token = csrf(session, nodes[1] + "/login", other)
    response = session.post(
        nodes[1] + "/login",
        data={"email": cluster.users["limit"], "password": "wrong!", "csrf_token": token},
        headers=other,
        timeout=30,
    )
    assert response.status_code == 200


def test_a_change_through_one_server_shows_on_the_others_cached_map(cluster):
    """The map is cached per worker under the data version, which each server re-reads at
    most every PAGECACHE_RECHECK seconds: after that, server B shows what A changed."""
    booth = "A10"
    pattern = re.compile(rf'data-number="{booth}" data-status="([a-z]+)"')

    def status_on_b() -> str:
        page = requests.get(f"{cluster.node(1)}/{HALL}/map", timeout=30).text
        match = pattern.search(page)
        assert match, f"booth {booth} not on the map"
        return match.group(1)

    assert status_on_b() == "available"
    assert status_on_b() == "available"  # both of B's workers have it cached now (or soon)
    response = requests.post(
        f"{cluster.node(0)}/api/v1/exhibitions/{HALL}/booths/{booth}/reservations",
        headers={"Authorization": f"Bearer {cluster.writer_tokens[0]}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    time.sleep(RECHECK + 0.2)
    assert [status_on_b() for _ in range(4)] == ["requested"] * 4
    requests.post(
        f"{cluster.node(0)}/api/v1/reservations/{response.json()['id']}/cancel",
        headers={"Authorization": f"Bearer {cluster.writer_tokens[0]}"},
        timeout=30,
    ).raise_for_status()


def test_a_session_from_one_server_is_valid_on_the_other_and_logout_ends_it(cluster):
    address = {"X-Forwarded-For": "192.0.2.21"}
    a, b = cluster.node(0), cluster.node(1)
    session = requests.Session()
    token = csrf(session, a + "/login", address)
    signed_in = session.post(
        a + "/login",
        data={"email": cluster.users["session"], "password": PASSWORD, "csrf_token": token},
        headers=address,
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    cookies = session.cookies.copy()
    on_b = session.get(b + "/account", headers=address, allow_redirects=False, timeout=30)
    assert on_b.status_code == 200 and cluster.users["session"] in on_b.text

    token = csrf(session, b + "/account", address)
    out = session.post(
        a + "/logout", data={"csrf_token": token}, headers=address, allow_redirects=False
    )
    assert out.status_code == 302
    # The old cookie, replayed on B: the session was ended in the database, not just here.
    replay = requests.get(
        b + "/account", cookies=cookies, headers=address, allow_redirects=False, timeout=30
    )
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]


def test_the_fifty_way_race_split_over_both_servers_has_one_winner(cluster):
    """tests/concurrency's race, through nginx: 50 exhibitors, one booth, one 201."""
    url = f"{cluster.proxy}/api/v1/exhibitions/race/booths/A1/reservations"
    barrier = threading.Barrier(EXHIBITORS)
    statuses: list[int] = []
    lock = threading.Lock()

    def one(token: str) -> None:
        barrier.wait()
        try:
            status = requests.post(
                url, headers={"Authorization": f"Bearer {token}"}, timeout=120
            ).status_code
        except requests.RequestException:
            status = 599
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one, args=(t,)) for t in cluster.race_tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)

    outcome = Counter(statuses)
    assert outcome == {201: 1, 409: EXHIBITORS - 1}, outcome
    assert race_rows(cluster.app) == (1, 1)
    served_by = Counter(
        re.search(r"upstream=(\S+)", line).group(1)
        for line in cluster.topology.nginx_access_log.read_text().splitlines()
        if "/race/booths/A1/reservations" in line
    )
    assert len(served_by) == 2 and min(served_by.values()) >= 10, served_by


def race_rows(app) -> tuple[int, int]:
    """Reservations of the race's booth, and the events that say one was requested."""
    from sqlalchemy import func, select

    from exhibit.audit import AuditEvent
    from exhibit.booking.models import Reservation
    from exhibit.db import db
    from exhibit.floorplan.models import Booth, Exhibition

    with app.app_context():
        booth = db.session.scalar(
            select(Booth.id).join(Exhibition).where(Exhibition.slug == "race", Booth.number == "A1")
        )
        rows = db.session.scalar(
            select(func.count()).select_from(Reservation).where(Reservation.booth_id == booth)
        )
        events = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "reservation.requested", AuditEvent.booth_id == booth)
        )
        db.session.remove()
    return rows, events
