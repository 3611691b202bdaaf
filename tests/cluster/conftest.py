"""One two-server topology for the whole test session (tests/topology.py): PostgreSQL,
Redis, two gunicorn servers and nginx, started once, with the data every test here uses.

Without redis-server or nginx (or PostgreSQL) these tests skip with the package to install;
with ``EXHIBIT_REQUIRE_CLUSTER`` set (CI), that is a failure instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import _strict, make_app
from tests.pgcluster import PostgresUnavailable
from tests.topology import Topology, TopologyUnavailable

#: The exhibition the loads and the cache test use, and its booths: the loads take
#: A1…A9, the cache test A10, the Redis test A11.
HALL = "hall"
HALL_BOOTHS = 12
LOAD_BOOTHS = 9
#: Seconds a server trusts the data version of its page cache (EXHIBIT_PAGECACHE_RECHECK).
RECHECK = 1.0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The fault tests after the others: they share the one topology and leave it
    recovering (a server that saw Redis go counts in memory for a while after it is back)."""
    items.sort(key=lambda item: item.path.name == "test_faults.py")


@dataclass
class World:
    """The running topology, an app in this process on its database, and the test data."""

    topology: Topology
    app: Flask
    race_tokens: list[str] = field(default_factory=list)
    writer_tokens: list[str] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)  # what for → e-mail

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.topology.port}"

    def node(self, index: int) -> str:
        return f"http://127.0.0.1:{self.topology.nodes[index].port}"


def _build(app: Flask, world: World) -> None:
    from exhibit.accounts.services import issue_token
    from exhibit.db import db
    from tests.concurrency.test_double_booking import prepare
    from tests.factories import make_exhibition, make_exhibitor, make_user

    with app.app_context():
        world.race_tokens = prepare(app)  # «race»: booth A1 and 50 exhibitors with tokens
        hall = make_exhibition(slug=HALL, booths=HALL_BOOTHS)
        for i in range(6):
            exhibitor = make_exhibitor(hall, f"Участник {i:02d}")
            user = make_user(f"writer{i}@example.ru", exhibitor=exhibitor)
            world.writer_tokens.append(issue_token(db.session, user, "load"))
        for purpose in ("limit", "session", "redis"):
            email = f"{purpose}@example.ru"
            make_user(email, exhibitor=make_exhibitor(hall, f"Экспонент {purpose}"))
            world.users[purpose] = email
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir: Path = tmp_path_factory.mktemp("cluster")
    try:
        topology = Topology(workdir, env={"EXHIBIT_PAGECACHE_RECHECK": str(RECHECK)})
    except (TopologyUnavailable, PostgresUnavailable) as exc:
        message = f"the two-server tests need Redis, nginx and PostgreSQL: {exc}"
        if _strict("EXHIBIT_REQUIRE_CLUSTER"):
            pytest.fail(message + " (EXHIBIT_REQUIRE_CLUSTER is set: no skipping)")
        pytest.skip(message)
    holder: dict[str, World] = {}

    def prepare(url: str) -> None:
        app = make_app(url, workdir / "instance")
        holder["world"] = World(topology, app)
        _build(app, holder["world"])

    topology.start(prepare)
    world = holder["world"]
    try:
        yield world
    finally:
        from exhibit.db import db

        with world.app.app_context():
            db.engine.dispose()
        topology.stop()
