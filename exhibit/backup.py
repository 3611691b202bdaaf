"""Consistent full backups and their restore, on SQLite and PostgreSQL.

A backup is the database engine's own format, so that the ordinary tools can read it too:

- SQLite: a database file made with SQLite's online backup API
  (:meth:`sqlite3.Connection.backup`), copied in one step under a read transaction: with
  WAL, writers carry on meanwhile and the copy is the database as of one moment.
- PostgreSQL: a ``pg_dump`` archive in the custom format; ``pg_dump`` reads everything in
  one repeatable-read snapshot, so writes carry on too.

A restore goes only into an EMPTY database (no tables): anything else is refused before
anything is changed. PostgreSQL restores run in one transaction (all or nothing).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL

from exhibit.errors import DomainError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
PG_TIMEOUT_S = 3600


class BackupError(DomainError):
    """A backup or restore that cannot be done; nothing was changed."""

    code = "backup_failed"


@dataclass
class BackupResult:
    path: Path
    backend: str
    size: int


@dataclass
class RestoreResult:
    backend: str
    #: the schema revision the backup was made with (Alembic), if it says
    revision: str | None
    tables: int


def backend_of(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Резервное копирование базы {name} не поддерживается")
    return name


# --- PostgreSQL client tools ------------------------------------------------------------


def find_pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: on PATH, else in /usr/lib/postgresql/*/bin (newest)."""
    found = shutil.which(name)
    if found:
        return found
    folders = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda f: int(Path(f).parent.name) if Path(f).parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in folders:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    raise BackupError(
        f"Не найдена программа {name}: её нет ни в PATH, ни в /usr/lib/postgresql/*/bin. "
        "Установите клиент PostgreSQL той же или более новой версии, что и сервер "
        "(Debian/Ubuntu: apt-get install postgresql-client)"
    )


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for the URL, and an environment carrying the password
    (kept off the command line, where other users could read it)."""
    from psycopg.conninfo import make_conninfo

    params: dict[str, str] = {}
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = str(url.port)
    if url.username:
        params["user"] = url.username
    if url.database:
        params["dbname"] = url.database
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return make_conninfo(**params), env


def _run_pg(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_S)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        reason = "\n".join(lines[:5]) or f"exit status {result.returncode}"
        raise BackupError(f"{Path(args[0]).name} завершился с ошибкой:\n{reason}")
    return result


# --- backup -----------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError("База SQLite в памяти: копировать нечего")
    return Path(database)


def backup(engine: Engine, out: Path) -> BackupResult:
    """Write a consistent full backup of the database to ``out`` (replaced atomically: a
    failed backup leaves an older file of that name as it was)."""
    backend = backend_of(engine)
    out = Path(out)
    if not out.parent.is_dir():
        raise BackupError(f"Папки {out.parent} нет: создайте её или укажите другую")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if backend == "sqlite":
            _backup_sqlite(_sqlite_path(engine), partial)
        else:
            conninfo, env = _libpq(engine.url)
            _run_pg(
                [find_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                 f"--file={partial}", f"--dbname={conninfo}"],
                env,
            )  # fmt: skip
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(out, backend, out.stat().st_size)


def _backup_sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"Файла базы {source} нет")
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            # pages=-1: the whole database in one step, under one read transaction (with
            # WAL, writers are not blocked); stepping page by page would restart on writes.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            check = dst.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"Копия не прошла проверку SQLite: {check}")
        finally:
            dst.close()
    finally:
        src.close()


# --- restore ----------------------------------------------------------------------------


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql``: what a backup file holds, from its first bytes."""
    if not path.is_file():
        raise BackupError(f"Файла {path} нет")
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} — не резервная копия exhibit: это не файл базы SQLite и не архив pg_dump "
        "(формат custom)"
    )


def existing_tables(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


def restore(engine: Engine, file: Path) -> RestoreResult:
    """Restore a backup into the (empty) database of ``engine``."""
    backend = backend_of(engine)
    file = Path(file)
    kind = backup_kind(file)
    if kind != backend:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"{file} — копия базы {names[kind]}, а настроена база {names[backend]}: "
            "восстанавливайте в базу того же вида"
        )
    tables = existing_tables(engine)
    if tables:
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        raise BackupError(
            f"База {engine.url.render_as_string(hide_password=True)} не пуста "
            f"(таблиц: {len(tables)}: {shown}). Восстановление идёт только в пустую базу: "
            "создайте новую (createdb или новый файл SQLite), укажите её в "
            "EXHIBIT_DATABASE_URL и повторите. Ничего не изменено."
        )
    engine.dispose()
    if backend == "sqlite":
        _restore_sqlite(file, _sqlite_path(engine))
    else:
        conninfo, env = _libpq(engine.url)
        _run_pg([find_pg_tool("pg_restore"), "--list", str(file)], env)
        _run_pg(
            [find_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", f"--dbname={conninfo}", str(file)],
            env,
        )  # fmt: skip
    with engine.connect() as connection:
        tables_now = existing_tables(engine)
        revision = None
        if "alembic_version" in tables_now:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    return RestoreResult(backend, revision, len(tables_now))


def _restore_sqlite(file: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        check = src.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{file} повреждён (проверка SQLite: {check}); ничего не изменено")
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst, pages=-1)
        finally:
            dst.close()
    finally:
        src.close()


# --- uploaded files ---------------------------------------------------------------------


def files_archive(backup_path: Path) -> Path:
    """Where the uploaded files of a backup go: beside it, ``<backup>.uploads.tar``."""
    return backup_path.with_name(backup_path.name + ".uploads.tar")


def backup_files(directory: Path, archive: Path) -> int:
    """Archive the uploads folder (logos: files never rewritten under a name, so a copy
    taken after the database snapshot holds every file the snapshot names). Returns the
    number of files; with none, no archive is written (and an old one is removed)."""
    files = sorted(p for p in directory.rglob("*") if p.is_file()) if directory.is_dir() else []
    if not files:
        archive.unlink(missing_ok=True)
        return 0
    partial = archive.with_name(archive.name + ".partial")
    try:
        with tarfile.open(partial, "w") as tar:
            for path in files:
                tar.add(path, arcname=str(path.relative_to(directory)), recursive=False)
        os.replace(partial, archive)
    finally:
        partial.unlink(missing_ok=True)
    return len(files)


def restore_files(archive: Path, directory: Path) -> int:
    """Unpack a backup's uploads into the (new) uploads folder; files already there with
    the same name are kept. Returns the number of files unpacked."""
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.isfile() or (directory / member.name).exists():
                continue
            tar.extract(member, directory, filter="data")  # no paths outside, no links
            count += 1
    return count
