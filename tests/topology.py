"""Two app servers behind nginx, with Redis and PostgreSQL, in a scratch folder.

    .venv/bin/python -m tests.topology [--port 8080] [--workers 2] [--no-demo] [--dir DIR]
    make cluster                           # the same, with the demo loaded

starts, all on loopback and from Debian's packages:

- a throwaway PostgreSQL 15 cluster (tests/pgcluster.py) with the database ``exhibit``
  (``init-db``, and the demo unless ``--no-demo``);
- ``redis-server`` (no persistence): Flask-Limiter's counters;
- two gunicorn servers (``--preload wsgi:app``, sync workers) on the next two ports, with
  the same secret key, ``EXHIBIT_RATELIMIT_STORAGE_URI=redis://…`` and
  ``EXHIBIT_PROXY_FIX=1``;
- nginx on ``--port`` in front of both, configured as docs/operations.md describes (plus the
  upstream block with the two servers; idempotent requests are retried on the other server
  when one fails, a POST never).

It prints the addresses and runs until Ctrl-C (or SIGTERM), then stops everything in the
reverse order and removes the folder (``--keep`` leaves it, with every server's log).

The tests on this topology (tests/cluster/) and the two-server load test (bench/load.py
``--nodes 2``) use the same :class:`Topology`.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.pgcluster import PostgresCluster, find_pg_bin

ROOT = Path(__file__).resolve().parent.parent
#: The Debian packages of the two servers this topology adds to PostgreSQL.
PACKAGES = {"redis-server": "redis-server", "nginx": "nginx"}


class TopologyUnavailable(RuntimeError):
    """A part of the topology is not installed or would not start."""


def find_binary(name: str) -> str:
    """``redis-server`` or ``nginx`` (Debian puts nginx in /usr/sbin, off a user's PATH)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")
    if not found:
        raise TopologyUnavailable(f"{name} is not installed: apt-get install {PACKAGES[name]}")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    """One GET on loopback: (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _wait(what: str, ready: Callable[[], bool], process: subprocess.Popen | None, log: Path,
          timeout: float = 120) -> None:  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise TopologyUnavailable(f"{what} exited with {process.returncode}:\n{tail}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if ready():
                return
        time.sleep(0.2)
    raise TopologyUnavailable(f"{what} was not ready in {timeout:.0f} s (log: {log})")


NGINX_CONF = """\
# nginx in front of two exhibit servers (tests/topology.py): docs/operations.md's site,
# on plain http on loopback, with an upstream block instead of one address.
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    log_format upstream '$remote_addr "$request" $status $request_time '
                        'upstream=$upstream_addr upstream_status=$upstream_status';
    access_log {dir}/access.log upstream;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    types {{ text/css css; application/javascript js; image/svg+xml svg; }}

    upstream exhibit {{
        # A server that refuses or drops connections is left alone for 10 s.
        server 127.0.0.1:{node_a} max_fails=1 fail_timeout=10s;
        server 127.0.0.1:{node_b} max_fails=1 fail_timeout=10s;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 25m;          # = EXHIBIT_MAX_CONTENT_LENGTH

        location /static/ {{
            alias {static}/;
            expires 7d;
        }}
        location / {{
            proxy_pass http://exhibit;
            proxy_set_header Host              $host;
            proxy_set_header X-Forwarded-For   $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host  $host;
            proxy_set_header X-Forwarded-Port  $server_port;
            proxy_read_timeout 75s;
            proxy_connect_timeout 2s;
            # nginx's default, written out: a request that failed on one server (refused,
            # reset, timed out) goes to the other, unless it is a POST, PATCH or LOCK that
            # may already have reached the app (no non_idempotent): a write is never sent
            # twice.
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


def _no_control_socket() -> list[str]:
    """gunicorn 24+ opens a control socket at one fixed path per user: two servers on one
    machine would take it from each other. Neither needs it."""
    from gunicorn.config import KNOWN_SETTINGS

    names = {setting.name for setting in KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in names else []


class Node:
    """One gunicorn server (its own process group, so that it can be killed whole)."""

    def __init__(self, name: str, port: int, workers: int, env: dict[str, str], log: Path):
        self.name, self.port, self.workers, self.env, self.log = name, port, workers, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "a") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-k", "sync",
                 "-b", f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "10",
                 *_no_control_socket(), "--preload", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=log,
                start_new_session=True,
            )  # fmt: skip
        _wait(f"gunicorn {self.name}", lambda: get(self.port, "/healthz")[0] == 200,
              self.process, self.log)  # fmt: skip

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once: a machine that dies."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
        self.process = None

    def stop(self) -> None:
        """SIGTERM: gunicorn's graceful stop (workers finish their requests)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Topology:
    """PostgreSQL, Redis, two app servers and nginx in ``workdir``; see the module's text.

    ``port`` is nginx's; the servers listen on the two ports after it unless ``node_ports``
    names others. ``env`` adds settings (``EXHIBIT_…``) for both servers."""

    def __init__(
        self,
        workdir: Path,
        *,
        port: int | None = None,
        node_ports: tuple[int, int] | None = None,
        redis_port: int | None = None,
        workers: int = 2,
        env: dict[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        ports = node_ports or (
            (self.port + 1, self.port + 2) if port else (free_port(), free_port())
        )
        self.redis_port = redis_port or free_port()
        self.redis_bin = find_binary("redis-server")
        self.nginx_bin = find_binary("nginx")
        self.postgres = PostgresCluster(find_pg_bin(), workdir / "pg")
        self.url = self.postgres.url("exhibit")
        self.redis: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        (workdir / "instance").mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "EXHIBIT_DATABASE_URL": self.url,
            "EXHIBIT_INSTANCE_PATH": str(workdir / "instance"),  # a shared folder: the logos
            "EXHIBIT_SECRET_KEY": "topology-" + os.urandom(8).hex(),  # the same on both
            "EXHIBIT_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{self.redis_port}/0",
            "EXHIBIT_PROXY_FIX": "1",  # one nginx in front
            "EXHIBIT_SESSION_COOKIE_SECURE": "0",  # plain http on loopback
            **(env or {}),
        }
        self.nodes = [
            Node(name, node_port, workers, self.env, workdir / f"gunicorn-{name}.log")
            for name, node_port in zip("ab", ports, strict=True)
        ]

    # --- the whole topology ---------------------------------------------------------------

    def start(self, prepare: Callable[[str], None] | None = None, *, demo: bool = False) -> None:
        """Everything, in order; ``prepare(database_url)`` runs after ``init-db`` (and the
        demo), before the app servers start (they preload what is in the database)."""
        try:
            self.postgres.start()
            self.postgres.create_database("exhibit")
            self.flask("init-db")
            if demo:
                self.flask("demo")
            if prepare is not None:
                prepare(self.url)
            self.start_redis()
            for node in self.nodes:
                node.start()
            self.start_nginx()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Everything that runs, in the reverse order."""
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.nginx.wait(15)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait(15)
        self.nginx = None
        for node in self.nodes:  # both at once, then wait for both
            if node.running:
                node.process.terminate()
        for node in self.nodes:
            node.stop()
        self.stop_redis()
        self.postgres.stop()

    def __enter__(self) -> Topology:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def flask(self, *args: str) -> str:
        """A command (``flask --app exhibit …``) on the topology's database; its output."""
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "exhibit", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if result.returncode != 0:
            raise TopologyUnavailable(f"flask {' '.join(args)}: {result.stderr[-2000:]}")
        return result.stdout

    # --- the parts, for the fault tests ---------------------------------------------------

    def start_redis(self) -> None:
        folder = self.workdir / "redis"
        folder.mkdir(exist_ok=True)
        log = folder / "redis.log"
        self.redis = subprocess.Popen(
            [self.redis_bin, "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(folder), "--logfile", str(log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        _wait("redis-server", self.redis_answers, self.redis, log, timeout=30)

    def redis_answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    def stop_redis(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(15)
        self.redis = None

    def start_nginx(self) -> None:
        folder = self.workdir / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:  # the workers run as nobody: they write the temp files
            for path in [folder / "tmp", *(folder / "tmp").iterdir()]:
                os.chmod(path, 0o777)
        config = folder / "nginx.conf"
        config.write_text(
            NGINX_CONF.format(
                dir=folder, port=self.port, node_a=self.nodes[0].port, node_b=self.nodes[1].port,
                static=ROOT / "exhibit" / "static",
            )
        )  # fmt: skip
        log = folder / "error.log"
        with open(log, "a") as stderr:
            self.nginx = subprocess.Popen(
                [self.nginx_bin, "-p", str(folder), "-c", str(config), "-e", str(log)],
                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
            )  # fmt: skip
        _wait("nginx", lambda: get(self.port, "/healthz")[0] == 200, self.nginx, log)

    def stop_postgres(self) -> None:
        """PostgreSQL's fast shutdown: connections are ended, the server stops."""
        self.postgres.stop(mode="fast")

    def start_postgres(self) -> None:
        self.postgres.restart()

    @property
    def nginx_access_log(self) -> Path:
        return self.workdir / "nginx" / "access.log"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080, help="nginx's; the servers: +1, +2")
    parser.add_argument("--redis-port", type=int, default=6380)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--no-demo", action="store_true", help="an empty exhibition list")
    parser.add_argument("--dir", type=Path, help="the scratch folder (default: a new one)")
    parser.add_argument("--keep", action="store_true", help="keep the folder and its logs")
    args = parser.parse_args(argv)

    workdir = args.dir or Path(tempfile.mkdtemp(prefix="exhibit-cluster-"))
    workdir.mkdir(parents=True, exist_ok=True)
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        topology = Topology(
            workdir, port=args.port, redis_port=args.redis_port, workers=args.workers
        )
    except TopologyUnavailable as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"cluster: starting in {workdir} …", flush=True)
        topology.start(demo=not args.no_demo)
        print(
            f"cluster: http://127.0.0.1:{topology.port}/ (nginx) → "
            + ", ".join(f"gunicorn {n.name} :{n.port}" for n in topology.nodes)
            + f"; redis :{topology.redis_port}; PostgreSQL {topology.url}\n"
            "cluster: Ctrl-C stops everything",
            flush=True,
        )
        while not stop:
            time.sleep(0.5)
    except TopologyUnavailable as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1
    finally:
        print("cluster: stopping …", flush=True)
        topology.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        print("cluster: stopped" + (f" (logs in {workdir})" if args.keep else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
