"""The visitors' hall map with 2,000 booths: server render time, page size, and the time
Chromium takes to load and lay it out (Playwright with Debian's Chromium).

    .venv/bin/python bench/hall_map.py [--booths 2000] [--write]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from record import machine, write_section
from werkzeug.serving import make_server

HEADING = "## Visitors' hall map (bench/hall_map.py)"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def build(url: str, booths: int):
    from exhibit import create_app
    from exhibit.booking.plans import import_plan
    from exhibit.db import db
    from exhibit.floorplan.models import Exhibition
    from exhibit.floorplan.samples import synthetic_hall

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        exhibition = Exhibition(
            slug="big", title="Большая выставка", venue="Зал", city="Екатеринбург",
            starts_on=date(2025, 11, 27), ends_on=date(2025, 11, 28),
        )  # fmt: skip
        db.session.add(exhibition)
        db.session.flush()
        import_plan(db.session, exhibition, "Большой зал", synthetic_hall(booths))
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--booths", type=int, default=2000)
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="exhibit-map-"))
    os.environ["EXHIBIT_INSTANCE_PATH"] = str(workdir)
    try:
        app = build(f"sqlite:///{workdir / 'map.sqlite3'}", args.booths)
        from exhibit import pagecache

        client = app.test_client()
        client.get("/big/map")  # warm the per-worker geometry caches
        renders, cached, size = [], [], 0
        for _ in range(5):
            pagecache._pages.clear()  # a fresh render: the data changed since the last one
            start = time.perf_counter()
            response = client.get("/big/map")
            renders.append(time.perf_counter() - start)
            start = time.perf_counter()
            client.get("/big/map")  # the same page again, for another anonymous visitor
            cached.append(time.perf_counter() - start)
            size = len(response.data)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        from playwright.sync_api import sync_playwright

        loads = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            for _ in range(3):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                start = time.perf_counter()
                page.goto(f"http://127.0.0.1:{server.server_port}/big/map", wait_until="load")
                page.evaluate("window.exhibitMap.zoom(0.5)")  # the script is live
                loads.append(time.perf_counter() - start)
                page.close()
            browser.close()
        server.shutdown()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = "\n".join(
        [
            f"Machine: {machine()}; Chromium (Debian) through Playwright, headless.",
            "",
            f"A synthetic hall of {args.booths:,} booths (`synthetic_hall`), the map page "
            "rendered by the app (median of 5) and loaded by Chromium until its `load` "
            "event and the map script answering (median of 3).",
            "",
            "| booths | server render | served again (cached) | page size | Chromium load |",
            "|---:|---:|---:|---:|---:|",
            f"| {args.booths:,} | {statistics.median(renders) * 1000:.0f} ms | "
            f"{statistics.median(cached) * 1000:.1f} ms | "
            f"{size / 1024:.0f} KiB | {statistics.median(loads) * 1000:.0f} ms |",
        ]
    )
    print(HEADING + "\n\n" + text)
    if args.write:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
