"""What a person waits for: whole commands as processes, and the first request to a fresh
gunicorn worker — beside two baselines measured in the same run.

    .venv/bin/python bench/commands.py [--rounds 5] [--only NAME,…] [--write]

Every figure is the median wall time of ``--rounds`` runs of a new process (``flask --app
exhibit …``, as an organiser types it), the rounds interleaved with the baselines so that a
busy moment of the machine hits all of them. Baselines: ``python -c 'import flask'`` and a
hello-world Flask app's ``flask --help``. The load average is recorded with the figures.

Targets (issue 13): ``--help`` at most 2× the hello app's; ``plan check`` of 10,000 booths
under 2 s (valid and broken); ``map pdf`` A1 with 500 booths under 2 s; ``catalogue pdf``
(the demo: 100 exhibitors, 170 solutions) under 5 s; ``assign`` on the demo under 1.5 s;
the first request to a fresh worker for the map page and the search page under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from record import machine, write_section

HEADING = "## Whole commands and first requests (bench/commands.py)"
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SLUG = "goroda-rossii-2025"
HELLO = """from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return "hello"
"""


def flask(*args: str) -> list[str]:
    return [str(BIN / "flask"), "--app", "exhibit", *args]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU: dict[str, list[float]] = {}  # the CPU seconds (user + system) of each measured process


def run(command: list[str], env: dict[str, str], cwd: Path, ok: tuple[int, ...] = (0,)) -> float:
    """Wall time of one process, from start to exit (its CPU time goes to ``CPU["last"]``)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    CPU["last"] = [_children_cpu() - cpu]
    if result.returncode not in ok:
        raise RuntimeError(f"{' '.join(command)} → {result.returncode}\n{result.stderr[-2000:]}")
    return took


def prepare(workdir: Path, env: dict[str, str]) -> dict[str, Path]:
    """The demo database, a second exhibition with a 500-booth hall (every booth confirmed
    for an exhibitor with a long Cyrillic name), and plan files of 10,000 booths."""
    run(flask("init-db"), env, ROOT)
    run(flask("demo"), env, ROOT)
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.update(env)
    import hall_map

    from exhibit.booking.models import Reservation
    from exhibit.catalogue.models import Exhibitor
    from exhibit.db import db
    from exhibit.floorplan.models import Hall

    app = hall_map.build(env["EXHIBIT_DATABASE_URL"], 500)  # exhibition "big"
    with app.app_context():
        hall = db.session.scalar(db.select(Hall).where(Hall.name == "Большой зал"))
        for i, booth in enumerate(hall.current_booths):
            name = f"Администрация городского округа Новоуральск-{i}"
            exhibitor = Exhibitor(exhibition_id=hall.exhibition_id, kind="municipality",
                                  approved=True, name=name)  # fmt: skip
            db.session.add(exhibitor)
            db.session.flush()
            db.session.add(Reservation(booth_id=booth.id, exhibitor_id=exhibitor.id,
                                       status="confirmed"))  # fmt: skip
        db.session.commit()

    from exhibit.floorplan.formats.geojson import dumps_geojson
    from exhibit.floorplan.samples import synthetic_hall

    plan = synthetic_hall(10_000)
    valid = workdir / "hall-10000.geojson"
    valid.write_text(dumps_geojson(plan), encoding="utf-8")
    document = json.loads(valid.read_text(encoding="utf-8"))
    booths = [f for f in document["features"] if f["properties"].get("kind") == "booth"]
    del booths[len(booths) // 2]["properties"]["number"]  # one booth without its number
    broken = workdir / "hall-10000-broken.geojson"
    broken.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    hello = workdir / "hello"
    hello.mkdir()
    (hello / "hello.py").write_text(HELLO, encoding="utf-8")
    return {"valid": valid, "broken": broken, "hello": hello}


def users_script(env: dict[str, str], count: int) -> float:
    """``users create`` then ``users token`` for ``count`` new accounts, one process each."""
    start = time.perf_counter()
    stamp = time.monotonic_ns()
    for i in range(count):
        email = f"bench-{stamp}-{i}@example.ru"
        run(flask("users", "create", email, "--role", "organiser", "--password", "x" * 12), env,
            ROOT)  # fmt: skip
        run(flask("users", "token", email), env, ROOT)
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def first_request(env: dict[str, str], path: str) -> tuple[float, float]:
    """A new gunicorn (as docs/operations.md runs it, one worker): once it listens, the time
    of the first request to its fresh worker, and of the same request again."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "-w", "1", "--preload", "-b", f"127.0.0.1:{port}",
               "wsgi:app"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:  # a TCP connect is not a request: the worker stays fresh
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.05)
        time.sleep(1.0)  # the master forks its worker after it listens
        timings = []
        for _ in range(2):
            start = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as reply:
                reply.read()
                assert reply.status == 200
            timings.append(time.perf_counter() - start)
        return timings[0], timings[1]
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--users", type=int, default=50, help="accounts for the users script")
    parser.add_argument("--only", help="comma-separated names of the measures to run")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="exhibit-commands-"))
    env = {**os.environ, "EXHIBIT_INSTANCE_PATH": str(workdir / "instance"),
           "EXHIBIT_DATABASE_URL": f"sqlite:///{workdir / 'exhibit.sqlite3'}",
           "PYTHONDONTWRITEBYTECODE": "0"}  # fmt: skip
    env.pop("FLASK_APP", None)
    try:
        files = prepare(workdir, env)
        out = workdir / "out.pdf"
        measures: dict[str, tuple[str, Callable[[], float], float | None]] = {
            "import flask": ("`python -c 'import flask'`",
                             lambda: run([sys.executable, "-c", "import flask"], env, ROOT), None),
            "hello --help": ("hello app: `flask --app hello --help`",
                             lambda: run([str(BIN / "flask"), "--app", "hello", "--help"], env,
                                         files["hello"]), None),
            "floor": ("libraries no app factory here can skip: `import flask, sqlalchemy.orm,"
                      " shapely`",
                      lambda: run([sys.executable, "-c", "import flask, sqlalchemy.orm, shapely"],
                                  env, ROOT), None),
            "--help": ("`flask --app exhibit --help`",
                       lambda: run(flask("--help"), env, ROOT), None),
            "plan check": ("`plan check` 10,000 booths, valid",
                           lambda: run(flask("plan", "check", str(files["valid"])), env, ROOT),
                           2.0),
            "plan check broken": ("`plan check` 10,000 booths, one booth without its number",
                                  lambda: run(flask("plan", "check", str(files["broken"])), env,
                                              ROOT, ok=(1, 2)), 2.0),
            "map pdf": ("`map pdf` A1 visitor, 500 booths",
                        lambda: run(flask("map", "pdf", "--exhibition", "big", "--hall",
                                          "Большой зал", "--paper", "A1", "-o", str(out)), env,
                                    ROOT), 2.0),
            "catalogue pdf": ("`catalogue pdf` of the demo",
                              lambda: run(flask("catalogue", "pdf", "--exhibition", SLUG, "-o",
                                                str(out)), env, ROOT), 5.0),
            "assign": ("`assign` on the demo (preview)",
                       lambda: run(flask("assign", "--exhibition", SLUG), env, ROOT), 1.5),
        }  # fmt: skip
        chosen = set(args.only.split(",")) if args.only else None
        active = {k: v for k, v in measures.items() if chosen is None or k in chosen}
        samples: dict[str, list[float]] = {name: [] for name in active}
        cpu: dict[str, list[float]] = {name: [] for name in active}
        for _ in range(args.rounds):
            for name, (_, measure, _) in active.items():
                samples[name].append(measure())
                cpu[name].append(CPU["last"][0])
        rows = []
        for name, (label, _, target) in active.items():
            median = statistics.median(samples[name])
            rows.append((label, median, min(samples[name]), statistics.median(cpu[name]), target))
        hello = statistics.median(samples["hello --help"]) if "hello --help" in samples else None
        hello_cpu = statistics.median(cpu["hello --help"]) if "hello --help" in cpu else None

        firsts: dict[str, tuple[float, float]] = {}
        if chosen is None or "first request" in chosen:
            query = quote("транспорт")  # not the query the preload renders
            for label, path in (("map page", f"/{SLUG}/map"),
                                ("search page", f"/{SLUG}/search?q={query}")):  # fmt: skip
                pairs = [first_request(env, path) for _ in range(args.rounds)]
                firsts[label] = (statistics.median(p[0] for p in pairs),
                                 statistics.median(p[1] for p in pairs))  # fmt: skip
        users = users_script(env, args.users) if chosen is None or "users" in chosen else None
        load = os.getloadavg()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    lines = [
        f"Machine: {machine()}. {args.rounds} rounds, medians of whole processes (wall time);"
        f" load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 min;"
        " the machine is shared, so read the ratios to the baselines).",
        "",
        "CPU is the process's own user + system time (median): a busy machine stretches the"
        " wall time far more than the CPU time.",
        "",
        "| command | median, s | fastest, s | CPU, s | target | |",
        "|---|---:|---:|---:|---|---|",
    ]
    for label, median, fastest, cpu_s, target in rows:
        if label.startswith("`flask --app exhibit --help`") and hello and hello_cpu:
            verdict = (f"{median / hello:.1f}× hello by wall time, {cpu_s / hello_cpu:.1f}× by"
                       " CPU (target ≤ 2×)")  # fmt: skip
            lines.append(f"| {label} | {median:.2f} | {fastest:.2f} | {cpu_s:.2f} | "
                         f"≤ {2 * hello:.2f} s | {verdict} |")  # fmt: skip
            continue
        mark = "" if target is None else ("met" if median < target else "**missed**")
        if target is not None and median >= target and cpu_s < target:
            mark = "missed by wall time, met by CPU time"
        shown = "" if target is None else f"< {target:g} s"
        lines.append(f"| {label} | {median:.2f} | {fastest:.2f} | {cpu_s:.2f} | {shown} | {mark} |")
    if firsts:
        lines += ["", "| first request to a fresh gunicorn worker (`--preload`, 1 worker) | "
                  "first, ms | second, ms | target |", "|---|---:|---:|---|"]  # fmt: skip
        for label, (first, second) in firsts.items():
            mark = "met" if first < 0.3 else "**missed**"
            lines.append(f"| {label} | {first * 1000:.0f} | {second * 1000:.0f} | "
                         f"< 300 ms: {mark} |")  # fmt: skip
    if users is not None:
        each = users / (2 * args.users)
        lines += ["", f"`users create` + `users token` for {args.users} accounts, one process "
                  f"each: {users:.1f} s in all ({each:.2f} s a command)."]  # fmt: skip
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
