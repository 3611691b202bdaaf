"""A1 visitor maps as PDF at 500 and 2,000 booths, each booth with a Cyrillic exhibitor name:
the whole ``flask --app exhibit map pdf`` command as a process, beside ``hall_map_pdf()`` in
a warm process and in a fresh one, with and without libharfbuzz-subset0; CairoSVG alone on
the same sheet in the same run; and the same map requested again (served from the cache).

    .venv/bin/python bench/map_pdf.py [--sizes 500,2000] [--write]

Targets: issue 6 — 500 booths under 1 s, 2,000 under 3 s, at most 1.5× CairoSVG, a
repeated request for an unchanged plan under 50 ms; issue 13 — A1 with 500 booths under
2 s end to end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import hall_map
import whole
from record import machine, write_section

HEADING = "## Printed hall maps (bench/map_pdf.py)"
#: Rounds per size; each round times our sheet and, right after it, CairoSVG on the same SVG.
REPEATS = 5


def build(url: str, booths: int):
    """The synthetic hall of bench/hall_map.py, every booth confirmed for an exhibitor."""
    from exhibit.booking.models import Reservation
    from exhibit.catalogue.models import Exhibitor
    from exhibit.db import db
    from exhibit.floorplan.models import Hall

    app = hall_map.build(url, booths)
    with app.app_context():
        hall = db.session.scalar(db.select(Hall))
        for i, booth in enumerate(hall.current_booths):
            exhibitor = Exhibitor(
                exhibition_id=hall.exhibition_id, kind="municipality", approved=True,
                name=f"Администрация городского округа Новоуральск-{i}",
            )  # fmt: skip
            db.session.add(exhibitor)
            db.session.flush()
            db.session.add(Reservation(booth_id=booth.id, exhibitor_id=exhibitor.id,
                                       status="confirmed"))  # fmt: skip
        db.session.commit()
    return app


def inner(url: str) -> dict[str, float]:
    """``hall_map_pdf()`` in this process: the first call (imports, fonts) and then the
    median of REPEATS rounds, each timing the whole PDF, its parts, and CairoSVG alone on
    the same sheet right after ours."""
    import cairosvg

    from exhibit import create_app
    from exhibit.db import db
    from exhibit.floorplan.models import Hall
    from exhibit.maps.pdf import PdfPages, hall_map_document, hall_map_pdf

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context():
        hall = db.session.scalar(db.select(Hall))
        options = {"paper": "A1", "landscape": True, "edition": "visitor"}
        start = time.perf_counter()
        pdf = hall_map_pdf(db.session, hall, **options)
        cold = time.perf_counter() - start
        ours, sheets, indexes, cairo = [], [], [], []
        for _ in range(REPEATS):
            start = time.perf_counter()
            hall_map_pdf(db.session, hall, **options)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            document = hall_map_document(db.session, hall, **options)
            pages = PdfPages()
            pages.svg(document.sheet)
            sheets.append(time.perf_counter() - start)
            start = time.perf_counter()
            for lines in document.pages:
                pages.text(document.width_mm, document.height_mm, lines)
            pages.finish()
            indexes.append(time.perf_counter() - start)
            # The baseline: CairoSVG alone turning the same sheet drawing into a PDF.
            start = time.perf_counter()
            cairosvg.svg2pdf(bytestring=document.sheet.encode("utf-8"))
            cairo.append(time.perf_counter() - start)
    # The ratio of each round's pair, then their median: on a shared machine the load changes
    # between rounds, and a pair measured back to back shares it.
    ratio = statistics.median(a / b for a, b in zip(sheets, cairo, strict=True))
    return {"ours": statistics.median(ours), "sheet": statistics.median(sheets),
            "index": statistics.median(indexes), "cairo": statistics.median(cairo),
            "ratio": ratio, "cold": cold, "pages": 1 + len(document.pages),
            "kb": len(pdf) // 1024}  # fmt: skip


def inner_in_child(url: str, *, hide_subsetter: bool) -> dict[str, float]:
    code = (
        "import json, sys\n"
        f"sys.path[:0] = [{str(Path(__file__).parent)!r}]\n"
        f"sys.path.append({str(whole.ROOT)!r})\n"
        + ("from tests.hidden_libraries import hide_harfbuzz_subset\nhide_harfbuzz_subset()\n"
           if hide_subsetter else "")
        + f"import map_pdf\nprint(json.dumps(map_pdf.inner({url!r})))"
    )  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tempfile.gettempdir())  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(n: int) -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix="exhibit-pdf-"))
    os.environ["EXHIBIT_INSTANCE_PATH"] = str(workdir)
    url = f"sqlite:///{workdir / 'pdf.sqlite3'}"
    try:
        app = build(url, n)
        env = whole.environment(url, workdir)
        args = ["map", "pdf", "--exhibition", "big", "--hall", "Большой зал", "--paper", "A1",
                "--landscape", "-o", str(workdir / "out.pdf")]  # fmt: skip
        row: dict[str, object] = {"n": n, "startup": whole.startup(env, REPEATS)}
        for hide in (False, True):
            key = "hidden" if hide else "harfbuzz"
            row[key] = inner_in_child(url, hide_subsetter=hide)
            row[key]["whole"] = whole.flask_times(args, env, hide_subsetter=hide,
                                                  repeats=REPEATS)  # fmt: skip
        client = app.test_client()
        address = "/api/v1/exhibitions/big/halls/Большой зал/map.pdf?paper=A1&landscape=1"
        client.get(address)
        start = time.perf_counter()
        assert client.get(address).status_code == 200
        row["cached"] = time.perf_counter() - start
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()
    load = whole.load()
    rows = [measure(int(n)) for n in args.sizes.split(",")]
    from importlib.metadata import version

    lines = [
        f"Machine: {machine()}; CairoSVG {version('CairoSVG')}, cairocffi "
        f"{version('cairocffi')}; DejaVu fonts.",
        "",
        "A1 landscape, visitor edition, fit to page; every booth confirmed for an exhibitor "
        "with a Cyrillic name (shortened to fit), so the index of exhibitors after the sheet "
        "has an entry per booth. The sheet (title, drawing, legend, scale bar) is an SVG "
        "that exhibit builds and CairoSVG draws; the index pages are lines of text that "
        "cairo draws on the same PDF surface. *Whole command*: `flask --app exhibit map "
        f"pdf` as a process, median of {REPEATS}, start-up included; *start-up*: `flask "
        "--app exhibit --help` in the same run (what every command pays first, being made "
        "lazy separately). *Fresh process*: the first `hall_map_pdf()` call (imports and "
        f"fonts included); *warm*: the median of {REPEATS} further calls, with the sheet "
        "(build + render) and the index pages timed apart and CairoSVG alone on the same "
        "sheet SVG right after ours (the ratio is the median of the rounds' ratios). Without "
        "HarfBuzz subset: libharfbuzz-subset0 hidden from WeasyPrint — the map no longer "
        "uses WeasyPrint, so the two agree. "
        f"Load average when the run began: {load} (a shared 2-core machine: read ratios).",
        "",
        "| booths | pages | subsetter | whole command | start-up | hall_map_pdf(), fresh "
        "process | warm | sheet | index pages | CairoSVG alone | sheet ÷ CairoSVG "
        "| again, cached |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        for key, label in (("harfbuzz", "HarfBuzz"), ("hidden", "none")):
            m = r[key]
            lines.append(
                f"| {r['n']:,} | {m['pages']} | {label} | {m['whole']} | "
                f"{r['startup']} | {m['cold']:.2f} s | {m['ours']:.2f} s | "
                f"{m['sheet']:.2f} s | {m['index']:.2f} s | {m['cairo']:.2f} s | "
                f"{m['ratio']:.2f}× | {r['cached'] * 1000:.0f} ms |"
            )
    lines += ["", "Targets: 500 booths < 1 s, 2,000 < 3 s, ≤ 1.5× CairoSVG, cached < 50 ms "
              "(issue 6); A1 with 500 booths < 2 s end to end (issue 13)."]  # fmt: skip
    text = "\n".join(lines)
    print(HEADING + "\n\n" + text)
    if args.write:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
