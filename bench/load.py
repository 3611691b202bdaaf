"""Load test: gunicorn (4 sync workers) on a throwaway PostgreSQL, 200 simulated users.

    .venv/bin/python bench/load.py [--users 200] [--seconds 120] [--workers 4] [--write]
    .venv/bin/python bench/load.py --nodes 2 --users 400 --write   # two servers, nginx

``--nodes 2`` runs the same users against tests/topology.py: two gunicorn servers (the
workers split between them) behind nginx, with Redis, on the same machine.

A PostgreSQL cluster is started like the test suite's (tests/pgcluster.py), the demo is
loaded (`init-db`, `demo`), every approved exhibitor gets an account and an API token, then
locust (bench/locustfile.py) runs headless: visitors browse the catalogue, search and look
at the map; exhibitors sign in and request and cancel booths. Afterwards the database is
checked for double booking (a booth with two active reservations).

Targets (issue 8): zero 5xx, p95 under 300 ms, no double booking.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from record import machine, write_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pgcluster import PostgresCluster, find_pg_bin  # noqa: E402

HEADING = "## Load test (bench/load.py, {users} users, think time {think} s)"
HEADING_TWO = (
    "## Load test on two servers (bench/load.py --nodes 2, {users} users, think time {think} s)"
)
SLUG = "goroda-rossii-2025"
PASSWORD = "load-test-password"
QUERIES = [
    "транспорт", "благоустройство", "Ирбит", "Ekaterinburg", "транспртная", "школа",
    "цифровая платформа", "туризм", "сквер", "молодёжь", "экология", "набережная", "F12",
    ",kfujecnhjqcndj", "отходы", "бюджет",
]  # fmt: skip


def build(url: str, world_path: Path) -> dict:
    """The demo, an account and token for every approved exhibitor; what the users need."""
    from sqlalchemy import select

    from exhibit import create_app
    from exhibit.accounts.services import create_user, issue_token
    from exhibit.catalogue.models import Exhibitor, Solution
    from exhibit.db import db
    from exhibit.floorplan.models import Booth

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    runner = app.test_cli_runner()
    for command in ("init-db", "demo"):
        result = runner.invoke(args=[command])
        assert result.exit_code == 0, result.output
    with app.app_context():
        exhibitors = db.session.scalars(select(Exhibitor).where(Exhibitor.is_public)).all()
        accounts = []
        for exhibitor in exhibitors:
            email = f"load-{exhibitor.id}@example.ru"
            user, _ = create_user(
                db.session, email, "exhibitor", password=PASSWORD, exhibitor=exhibitor
            )
            accounts.append(
                {"email": email, "password": PASSWORD, "token": issue_token(db.session, user)}
            )
        db.session.commit()
        world = {
            "slug": SLUG,
            "accounts": accounts,
            "exhibitors": [e.id for e in exhibitors],
            "solutions": list(
                db.session.scalars(
                    select(Solution.id).join(Solution.exhibitor).where(Exhibitor.is_public)
                )
            ),
            "booths": list(
                db.session.scalars(select(Booth.number).where(Booth.retired.is_(False)))
            ),
            "queries": QUERIES,
        }
        db.session.remove()
        db.engine.dispose()
    world_path.write_text(json.dumps(world, ensure_ascii=False), encoding="utf-8")
    return world


def double_bookings(url: str) -> tuple[list[tuple[str, int]], int, int]:
    """Booths with more than one active reservation; reservations and audit events made."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        doubled = connection.execute(
            text(
                "SELECT b.number, count(*) FROM reservation r JOIN booth b ON b.id = r.booth_id "
                "WHERE r.status IN ('requested', 'held', 'confirmed') "
                "GROUP BY b.number HAVING count(*) > 1"
            )
        ).all()
        reservations = connection.execute(text("SELECT count(*) FROM reservation")).scalar()
        events = connection.execute(text("SELECT count(*) FROM audit_event")).scalar()
    engine.dispose()
    return [tuple(row) for row in doubled], int(reservations), int(events)


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


class LoadSampler:
    """The machine's 1-minute load average and CPU use, every few seconds, during the run."""

    def __init__(self, interval: float = 5) -> None:
        self.interval = interval
        self.loads: list[float] = []
        self.busy: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _cpu() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def _run(self) -> None:
        last = self._cpu()
        while not self.stop.wait(self.interval):
            now = self._cpu()
            total = now[1] - last[1]
            if total:
                self.busy.append((now[0] - last[0]) / total)
            last = now
            self.loads.append(os.getloadavg()[0])

    def start(self) -> None:
        self.thread.start()

    def finish(self) -> None:
        self.stop.set()
        self.thread.join()


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children, living ones."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def postmaster_pid(cluster: PostgresCluster) -> int:
    return int((cluster.datadir / "postmaster.pid").read_text().split()[0])


class OneServer:
    """gunicorn (``bench/load_app.py``: limits off, cookies over http) on a new cluster."""

    def __init__(self, workdir: Path, args: argparse.Namespace) -> None:
        self.workdir, self.args = workdir, args
        self.postgres = PostgresCluster(find_pg_bin(), workdir / "pg")
        self.url = self.postgres.url("exhibit")
        self.host = f"http://127.0.0.1:{args.port}"
        self.described = f"gunicorn {args.workers} sync workers"
        self.gunicorn: subprocess.Popen | None = None

    def start(self) -> dict:
        self.postgres.start()
        self.postgres.create_database("exhibit")
        world = build(self.url, self.workdir / "world.json")
        env = {
            **os.environ,
            "EXHIBIT_DATABASE_URL": self.url,
            "EXHIBIT_SECRET_KEY": "load-test",
            "PYTHONPATH": str(ROOT / "bench"),
        }
        with open(self.workdir / "gunicorn.log", "w") as log:
            self.gunicorn = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", str(self.args.workers),
                 "-b", f"127.0.0.1:{self.args.port}", "--timeout", "60", "load_app:app"],
                cwd=ROOT / "bench", env=env, stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        return world

    def app_cpu(self) -> float:
        return tree_cpu(self.gunicorn.pid) if self.gunicorn else 0.0

    def stop_app(self) -> None:
        if self.gunicorn is not None:
            self.gunicorn.terminate()
            self.gunicorn.wait(30)
            self.gunicorn = None

    def log_tail(self) -> str:
        return (self.workdir / "gunicorn.log").read_text()[-2000:]

    def stop(self) -> None:
        self.stop_app()
        self.postgres.stop()


class TwoServers:
    """tests/topology.py: two gunicorn servers (``wsgi:app``, ``--preload``) behind nginx,
    Redis for the limits. The limits are off, as on one server: every simulated user comes
    from 127.0.0.1, so the sign-in limit would measure the limiter, not the site."""

    def __init__(self, workdir: Path, args: argparse.Namespace) -> None:
        from tests.topology import Topology

        per_node = max(1, args.workers // 2)
        self.workdir = workdir
        self.topology = Topology(
            workdir / "cluster", workers=per_node, env={"EXHIBIT_RATELIMIT_ENABLED": "0"}
        )
        self.postgres = self.topology.postgres
        self.url = self.topology.url
        self.host = f"http://127.0.0.1:{self.topology.port}"
        self.described = (
            f"two gunicorn servers of {per_node} sync workers (--preload wsgi:app) behind "
            "nginx (one worker process; its CPU counted with the servers'), Redis for the "
            "rate-limit storage"
        )

    def start(self) -> dict:
        world: dict = {}
        self.topology.start(lambda url: world.update(build(url, self.workdir / "world.json")))
        return world

    def app_cpu(self) -> float:
        pids = [n.process.pid for n in self.topology.nodes if n.process]
        if self.topology.nginx is not None:
            pids.append(self.topology.nginx.pid)
        return sum(tree_cpu(pid) for pid in pids)

    def stop_app(self) -> None:
        pass  # the topology stops as a whole

    def log_tail(self) -> str:
        return "\n".join(n.log.read_text()[-1000:] for n in self.topology.nodes)

    def stop(self) -> None:
        self.topology.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--think", default="1,4", help="think time MIN,MAX seconds")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    parser.add_argument(
        "--nodes", type=int, choices=(1, 2), default=1,
        help="2: two gunicorn servers (--workers split between them) behind nginx, with Redis "
        "(tests/topology.py)",
    )  # fmt: skip
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="exhibit-load-"))
    os.environ["EXHIBIT_INSTANCE_PATH"] = str(workdir)
    servers = OneServer(workdir, args) if args.nodes == 1 else TwoServers(workdir, args)
    try:
        started = time.perf_counter()
        world = servers.start()
        print(f"demo and {len(world['accounts'])} accounts in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)  # fmt: skip
        env = {
            **os.environ,
            "EXHIBIT_LOAD_WORLD": str(workdir / "world.json"),
            "EXHIBIT_LOAD_RESULT": str(workdir / "result.json"),
            "EXHIBIT_LOAD_THINK": args.think,
        }
        host = servers.host
        wait_until_up(f"{host}/{SLUG}/")
        before = double_bookings(servers.url)
        sampler = LoadSampler()
        load_before = os.getloadavg()
        app_cpu = servers.app_cpu()
        pg_cpu = tree_cpu(postmaster_pid(servers.postgres))
        tool_cpu = os.times().children_user + os.times().children_system
        sampler.start()
        subprocess.run(
            [str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "bench/locustfile.py"),
             "--headless", "-u", str(args.users), "-r", str(max(1, args.users // 20)),
             "-t", f"{args.seconds}s", "--host", host, "--only-summary",
             "--stop-timeout", "10"],
            env=env, check=False,
        )  # fmt: skip
        sampler.finish()
        tool_cpu = os.times().children_user + os.times().children_system - tool_cpu
        app_cpu = servers.app_cpu() - app_cpu
        pg_cpu = tree_cpu(postmaster_pid(servers.postgres)) - pg_cpu
        servers.stop_app()
        doubled, reservations, events = double_bookings(servers.url)
        result = json.loads((workdir / "result.json").read_text())
        statuses = {int(k): v for k, v in result["statuses"].items()}
        log_tail = servers.log_tail()
    finally:
        servers.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    total = result["total"]
    think = args.think.replace(",", "–")
    heading = (HEADING if args.nodes == 1 else HEADING_TWO).format(users=args.users, think=think)
    server_errors = sum(v for k, v in statuses.items() if k >= 500)
    p95 = float(total["p95"])
    lines = [
        f"Machine: {machine()}; PostgreSQL 15 (throwaway cluster, fsync off); "
        f"{servers.described}; locust {args.users} users (spawned at "
        f"{max(1, args.users // 20)}/s), {args.seconds} s, think time {think} s between a user's "
        "requests, the load tool on the same machine. Visitors (9 in 10) browse the "
        "catalogue, search and look at the map; exhibitors (1 in 10) sign in through the "
        "login form, open the plan and their page, request booths through the API and "
        "cancel some.",
        "",
        f"Machine load during the run (other work included): 1-minute load average "
        f"{load_before[0]:.1f} at the start, {min(sampler.loads):.1f}–{max(sampler.loads):.1f} "
        f"during; CPU busy {100 * min(sampler.busy):.0f}–{100 * max(sampler.busy):.0f} % "
        f"(mean {100 * sum(sampler.busy) / len(sampler.busy):.0f} %) of "
        f"{os.cpu_count()} cores.",
        "",
        "| request | count | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in [*result["entries"], {**total, "name": "**all**"}]:
        lines.append(
            f"| {row['name']} | {row['requests']} | {row['failures']} | {row['rps']:.1f} | "
            f"{row['p50']:.0f} | {row['p95']:.0f} | {row['p99']:.0f} | {row['max']:.0f} |"
        )
    served = max(total["requests"], 1)
    per_request = 1000 * (app_cpu + pg_cpu) / served
    lines += [
        "",
        f"CPU time spent during the run: gunicorn workers {app_cpu:.0f} s "
        f"({1000 * app_cpu / served:.0f} ms a request), PostgreSQL {pg_cpu:.0f} s "
        f"({1000 * pg_cpu / served:.0f} ms a request), locust {tool_cpu:.0f} s. At "
        f"{per_request:.0f} CPU-ms a request, {os.cpu_count()} idle cores would serve at most "
        f"about {1000 * (os.cpu_count() or 1) / per_request:.0f} requests a second.",
        "",
        "Responses by status: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
        + f". Reservations in the database {before[1]} → {reservations}; audit events "
        f"{before[2]} → {events}.",
        "",
        "| target | result |",
        "|---|---|",
        f"| zero 5xx | {server_errors} {'✔' if server_errors == 0 else '✘'} |",
        f"| p95 under 300 ms | {p95:.0f} ms {'✔' if p95 < 300 else '✘'} |",
        f"| no double booking | {len(doubled)} booths with two active reservations "
        f"{'✔' if not doubled else '✘ ' + str(doubled[:5])} |",
    ]
    text = "\n".join(lines)
    print(heading + "\n\n" + text)
    if server_errors:
        print("gunicorn log (tail):\n" + log_tail, file=sys.stderr)
    if args.write:
        write_section(heading, text)


if __name__ == "__main__":
    main()
