"""Fixtures: an app per test on a fresh database, on SQLite and on a throwaway PostgreSQL.

Every database test runs twice (``[sqlite]`` and ``[postgresql]``). Each backend builds a
template database once per session (migrations + reference data, and a second one with the
demo loaded); each test gets a copy of a template, so tests never see each other's data.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.hidden_libraries import hide_harfbuzz_subset, hiding_asked

if hiding_asked():  # before anything imports WeasyPrint
    hide_harfbuzz_subset()

from exhibit import create_app
from exhibit.config import TestConfig
from tests.pgcluster import PostgresCluster, PostgresUnavailable, find_pg_bin

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id with minimal cost in tests: the same code path, a hundredth of the time."""
    from argon2 import PasswordHasher

    from exhibit.accounts import services

    original = services._hasher
    services._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    services._hasher = original


_counter = itertools.count()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which font subsetter WeasyPrint used, once it has been imported by a test."""
    import sys

    if "weasyprint" in sys.modules:
        from exhibit.html_pdf import has_harfbuzz_subset

        used = "HarfBuzz" if has_harfbuzz_subset() else "fontTools (no libharfbuzz-subset0)"
        terminalreporter.write_line(f"WeasyPrint font subsetter: {used}")


def _strict(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run a ``sqlite_only`` test on SQLite alone (it checks SQLite's own settings)."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("databases") if callspec else None
        if item.get_closest_marker("sqlite_only") and backend not in (None, "sqlite"):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def postgres_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster started for this test session (initdb + pg_ctl, unix socket)."""
    try:
        cluster = PostgresCluster(find_pg_bin(), tmp_path_factory.mktemp("pg"))
        cluster.start()
    except PostgresUnavailable as exc:
        message = f"PostgreSQL tests need the server binaries ({exc}); apt-get install postgresql"
        if _strict("EXHIBIT_REQUIRE_POSTGRES"):
            pytest.fail(message + " (EXHIBIT_REQUIRE_POSTGRES is set: no skipping)")
        pytest.skip(message)
    try:
        yield cluster
    finally:
        cluster.stop()


class TemplateDatabases:
    """Builds template databases once per backend and hands out fresh copies."""

    def __init__(self, backend: str, workdir: Path, cluster: PostgresCluster | None) -> None:
        self.backend = backend
        self.workdir = workdir
        self.cluster = cluster
        self.templates: dict[str, str] = {}

    def url(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.sqlite3')}"
        assert self.cluster is not None
        return self.cluster.url(name)

    def template(self, kind: str) -> str:
        """Name of the template database of ``kind`` (``schema`` or ``demo``), made once."""
        if kind not in self.templates:
            name = f"template_{kind}"
            if self.cluster is not None:
                self.cluster.create_database(name)
            app = make_app(self.url(name), self.workdir)
            runner = app.test_cli_runner()
            result = runner.invoke(args=["init-db"])
            assert result.exit_code == 0, (result.output, result.exception)
            if kind == "demo":
                result = runner.invoke(args=["demo"])
                assert result.exit_code == 0, (result.output, result.exception)
            with app.app_context():
                from exhibit.db import db

                db.engine.dispose()
            self.templates[kind] = name
        return self.templates[kind]

    def fresh(self, kind: str) -> str:
        """URL of a new database copied from the template of ``kind``."""
        template = self.template(kind)
        name = f"t{next(_counter)}_{kind}"
        if self.backend == "sqlite":
            shutil.copyfile(self.workdir / f"{template}.sqlite3", self.workdir / f"{name}.sqlite3")
        else:
            assert self.cluster is not None
            self.cluster.create_database(name, template=template)
        return self.url(name)


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as on a real server.

    Tests keep an app context open for their own database work; without this, requests
    would reuse it and share ``g`` and the database session with the test (and each other).

    The test's own session is committed around each request, as another user's would be:
    the request sees what the test wrote, and the test then sees what the request did.
    """

    def open(self, *args, **kwargs):  # type: ignore[override]
        from flask import has_app_context

        from exhibit.db import db

        outer = has_app_context()
        if outer:
            db.session.commit()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            if outer:
                db.session.commit()


def make_app(database_url: str, instance_path: Path, **overrides: object) -> Flask:
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = database_url
    config.update(overrides)
    os.environ["EXHIBIT_INSTANCE_PATH"] = str(instance_path)
    try:
        app = create_app(config)
    finally:
        del os.environ["EXHIBIT_INSTANCE_PATH"]
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session", params=BACKENDS)
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> TemplateDatabases:
    backend = request.param
    cluster = request.getfixturevalue("postgres_cluster") if backend == "postgresql" else None
    return TemplateDatabases(backend, tmp_path_factory.mktemp(backend), cluster)


def _app_on(databases: TemplateDatabases, kind: str) -> Iterator[Flask]:
    app = make_app(databases.fresh(kind), databases.workdir)
    with app.app_context():
        yield app
        from exhibit.db import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(databases: TemplateDatabases) -> Iterator[Flask]:
    """An app on a fresh database with the schema and reference data, inside an app context."""
    yield from _app_on(databases, "schema")


@pytest.fixture
def demo_app(databases: TemplateDatabases) -> Iterator[Flask]:
    """An app on a fresh database with the demo exhibition loaded."""
    yield from _app_on(databases, "demo")


@pytest.fixture
def client(demo_app: Flask) -> FlaskClient:
    return demo_app.test_client()


@pytest.fixture
def backend(databases: TemplateDatabases) -> str:
    return databases.backend
