"""A throwaway PostgreSQL cluster for the test suite: initdb + pg_ctl on a unix socket.

The server refuses to run as root, so when the tests run as root the cluster belongs to an
unprivileged user (``postgres`` when the Debian package made it, else ``nobody``) and every
server command runs through ``runuser``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import random
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote


class PostgresUnavailable(RuntimeError):
    pass


def find_pg_bin() -> Path:
    """The folder with ``initdb`` and ``pg_ctl`` (Debian keeps them off the PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if (Path(folder) / "pg_ctl").exists() and (Path(folder) / "initdb").exists():
            return Path(folder)
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).parent
    raise PostgresUnavailable("no initdb/pg_ctl found in /usr/lib/postgresql/*/bin or on PATH")


class PostgresCluster:
    def __init__(self, bindir: Path, workdir: Path) -> None:
        self.bindir = bindir
        self.workdir = workdir
        self.datadir = workdir / "data"
        self.socketdir = workdir / "socket"
        self.port = random.randint(20000, 60000)
        self.user: str | None = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    pwd.getpwnam(name)
                except KeyError:
                    continue
                self.user = name
                break
            else:
                raise PostgresUnavailable("running as root and no unprivileged user to run it")
        self.role = self.user or pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{' '.join(args[:2])} failed: {(result.stderr or result.stdout).strip()[:500]}"
            )
        return result

    def start(self) -> None:
        self.socketdir.mkdir(parents=True, exist_ok=True)
        if self.user:
            # The cluster's user must own (and reach) its folders.
            info = pwd.getpwnam(self.user)
            for path in (self.workdir, self.socketdir):
                os.chown(path, info.pw_uid, info.pw_gid)
            for parent in self.workdir.parents:
                if parent == Path("/"):
                    break
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    os.chmod(parent, mode | 0o001)
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.datadir),
            "-A", "trust",
            "--locale=C.UTF-8",
            "-E", "UTF8",
            "-U", self.role,
        )  # fmt: skip
        self.restart()

    def restart(self) -> None:
        """Start the server of a cluster made by :meth:`start` (again, after :meth:`stop`)."""
        options = (
            f"-k {self.socketdir} -h '' -p {self.port} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D", str(self.datadir),
            "-o", options,
            "-l", str(self.workdir / "server.log"),
            "-w",
            "start",
        )  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server: ``immediate`` (no shutdown checkpoint) or ``fast`` (connections
        are ended, a clean shutdown)."""
        with contextlib.suppress(PostgresUnavailable):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "stop")

    def url(self, database: str) -> str:
        host = quote(str(self.socketdir), safe="")
        return f"postgresql+psycopg://{self.role}@/{database}?host={host}&port={self.port}"

    def create_database(self, name: str, template: str | None = None) -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.socketdir), port=self.port, user=self.role, dbname="postgres",
            autocommit=True,
        ) as conn:  # fmt: skip
            suffix = f" TEMPLATE {template}" if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{suffix}')
