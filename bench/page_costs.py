"""What each page of the load test costs the server: in-process, on PostgreSQL, one at a time.

    .venv/bin/python bench/page_costs.py [--rounds 10] [--write]

For every request of bench/locustfile.py's mix: the median time of a render with the
anonymous page cache empty ("cold": the first visitor after any change of the data) and of
a cached one, the SQL statements a cold render runs, and the share of the visitor mix. The
load test's CPU per request is the mix of these (plus gunicorn and PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from record import machine, write_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pgcluster import PostgresCluster, find_pg_bin  # noqa: E402

HEADING = "## Load test: what each page costs (bench/page_costs.py)"
SLUG = "goroda-rossii-2025"
#: The visitors' tasks of bench/locustfile.py and their weights.
MIX = {
    "home": 2, "exhibitors": 3, "exhibitor": 4, "solution": 3, "search page": 4,
    "search API": 1, "map": 2, "booths GeoJSON": 1,
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="exhibit-costs-"))
    os.environ["EXHIBIT_INSTANCE_PATH"] = str(workdir)
    cluster = PostgresCluster(find_pg_bin(), workdir / "pg")
    cluster.start()
    try:
        cluster.create_database("exhibit")
        rows = measure(cluster.url("exhibit"), args.rounds)
    finally:
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    weight = sum(MIX.values())
    mixed_cold = sum(MIX[name] * cold for name, cold, _, _ in rows) / weight
    lines = [
        f"Machine: {machine()}; PostgreSQL 15 (throwaway cluster); in-process test client, "
        f"one request at a time, median of {args.rounds}; the machine was shared with other "
        f"work (1-minute load average {os.getloadavg()[0]:.1f} at the end).",
        "",
        "| page | share of visits | cold ms | cached ms | SQL statements (cold) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, cold, cached, statements in rows:
        share = MIX[name] / weight
        cached_text = f"{cached:.1f}" if cached is not None else "not cached"
        lines.append(f"| {name} | {share:.0%} | {cold:.1f} | {cached_text} | {statements} |")
    lines += [
        "",
        f"A visit of the mix costs {mixed_cold:.0f} ms when nothing is cached. Every change of "
        "the data (a reservation writes an audit event) empties every worker's page cache, "
        "and only the search page and the map are cached at all.",
    ]
    text = "\n".join(lines)
    print(HEADING + "\n\n" + text)
    if args.write:
        write_section(HEADING, text)


def measure(url: str, rounds: int) -> list[tuple[str, float, float | None, int]]:
    from sqlalchemy import event, select

    from exhibit import create_app, pagecache
    from exhibit.catalogue.models import Exhibitor, Solution
    from exhibit.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    runner = app.test_cli_runner()
    for command in ("init-db", "demo"):
        result = runner.invoke(args=[command])
        assert result.exit_code == 0, result.output
    with app.app_context():
        exhibitor = db.session.scalar(select(Exhibitor.id).where(Exhibitor.is_public))
        solution = db.session.scalar(
            select(Solution.id).join(Solution.exhibitor).where(Exhibitor.is_public)
        )
        db.session.remove()
        engine = db.engine
    paths = {
        "home": f"/{SLUG}/",
        "exhibitors": f"/{SLUG}/exhibitors/",
        "exhibitor": f"/{SLUG}/exhibitors/{exhibitor}",
        "solution": f"/{SLUG}/solutions/{solution}",
        "search page": f"/{SLUG}/search?q=транспорт",
        "search API": f"/api/v1/exhibitions/{SLUG}/search?q=транспорт",
        "map": f"/{SLUG}/map",
        "booths GeoJSON": f"/api/v1/exhibitions/{SLUG}/booths",
    }
    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    client = app.test_client()
    rows = []
    for name, path in paths.items():
        assert client.get(path).status_code == 200, path  # warm the per-worker caches
        cold, cached = [], []
        for _ in range(rounds):
            pagecache._pages.clear()
            statements[0] = 0
            start = time.perf_counter()
            client.get(path)
            cold.append(time.perf_counter() - start)
            used = statements[0]
            start = time.perf_counter()
            client.get(path)
            cached.append(time.perf_counter() - start)
        was_cached = any(key[0] == path or key[0] == path + "?" for key in pagecache._pages)
        rows.append(
            (
                name,
                statistics.median(cold) * 1000,
                statistics.median(cached) * 1000 if was_cached else None,
                used,
            )
        )
    return rows


if __name__ == "__main__":
    main()
