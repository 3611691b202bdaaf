"""The database: declarative base, geometry column type, engine set-up.

SQLite gets ``PRAGMA foreign_keys=ON``, a busy timeout and WAL on every connection, and
writing transactions start with ``BEGIN IMMEDIATE`` (see :func:`begin_write`): SQLite's
``SELECT … FOR UPDATE`` does nothing, so the write lock is taken up front instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import shapely
from flask_sqlalchemy import SQLAlchemy
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.types import LargeBinary, TypeDecorator

if TYPE_CHECKING:
    from flask import Flask
    from flask_migrate import Migrate

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000

#: Execution option that marks a connection's transaction as writing.
WRITE_OPTION = "exhibit_write"
#: Session flag: a unit of work is open and owns the transaction.
UNIT_OF_WORK = "exhibit_unit_of_work"

P = ParamSpec("P")
R = TypeVar("R")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class Geometry(TypeDecorator[BaseGeometry]):
    """A Shapely geometry stored as WKB; read back as a Shapely geometry.

    WKB keeps full double precision and works the same on SQLite and PostgreSQL
    (``BLOB`` / ``bytea``) without PostGIS.
    """

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: BaseGeometry | None, dialect: Any) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, BaseGeometry):
            raise TypeError(f"expected a Shapely geometry, got {type(value).__name__}")
        return shapely.to_wkb(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> BaseGeometry | None:
        if value is None:
            return None
        return shapely.from_wkb(bytes(value))


def configure_sqlite(engine: Engine) -> None:
    """Install the SQLite connection and transaction hooks on ``engine``."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def begin_write(session: Session | scoped_session[Session]) -> None:
    """Make the session's next transaction a writing one.

    On SQLite this starts it with ``BEGIN IMMEDIATE`` so two writers queue on the lock
    (with the busy timeout) instead of failing when a read lock is upgraded. A read-only
    transaction already open is ended first; pending changes there are a programming error.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.info.get(WRITE_OPTION) and session.in_transaction():
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError(
                "begin_write() called with unflushed changes in a read transaction: a unit of "
                "work must start clean (commit or flush what was added before calling it)"
            )
        session.commit()
    session.info[WRITE_OPTION] = True
    session.connection(execution_options={WRITE_OPTION: True})


@event.listens_for(Session, "after_transaction_end")
def _forget_write_flag(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(WRITE_OPTION, None)


def unit_of_work(
    func: Callable[Concatenate[Any, P], R],
) -> Callable[Concatenate[Any, P], R]:
    """Make a service that changes data the one owner of its transaction.

    The decorated function takes the session first. It runs in a writing transaction
    (:func:`begin_write`) that is committed when it returns and rolled back when it raises,
    so a refused change (a ``DomainError``) leaves nothing behind. Called from inside another
    unit of work it joins that one: the outermost service commits. Views, API handlers and
    commands call services and never commit or roll back themselves (docs/architecture.md).
    """

    @functools.wraps(func)
    def run(session: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        own = session() if isinstance(session, scoped_session) else session
        if own.info.get(UNIT_OF_WORK):
            return func(session, *args, **kwargs)
        begin_write(own)
        own.info[UNIT_OF_WORK] = True
        try:
            result = func(session, *args, **kwargs)
            own.commit()
        except BaseException:
            own.rollback()
            raise
        finally:
            own.info.pop(UNIT_OF_WORK, None)
        return result

    return run


def migrations(app: Flask) -> Migrate:
    """Flask-Migrate (Alembic) for ``app``, set up on first use: importing Alembic would cost
    every command and every worker a tenth of a second at start."""
    from flask_migrate import Migrate

    from exhibit.resources import resource_dir

    if "migrate" not in app.extensions:
        Migrate(app, db, directory=str(resource_dir("migrations")), render_as_batch=True)
    return app.extensions["migrate"].migrate


def release_session(_exc: BaseException | None = None) -> None:
    """The end of a request: the session goes, even when its connection died under it.

    Registered after Flask-SQLAlchemy's own teardown, so it runs first (Flask runs them in
    reverse): when the database went away during the request, the rollback that closing
    the session does fails; the connection is then thrown away instead of raising outside
    every error handler (a 500 with a trace in the log, after the answer was decided).
    """
    from sqlalchemy.exc import InterfaceError, OperationalError

    try:
        db.session.remove()
    except (OperationalError, InterfaceError):
        try:
            db.session.registry().invalidate()
        finally:
            db.session.registry.clear()
