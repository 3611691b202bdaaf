"""A1 visitor maps as PDF at 500 and 2,000 booths, each booth with a Cyrillic exhibitor name,
against CairoSVG turning the same drawing into a PDF, in the same run; and the same map
requested again (served from the cache).

    .venv/bin/python bench/map_pdf.py [--sizes 500,2000] [--write]

Targets (issue 6): 500 booths under 1 s, 2,000 under 3 s, at most 1.5× CairoSVG; a repeated
request for an unchanged plan under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import hall_map
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


def measure(n: int) -> dict[str, float]:
    import cairosvg

    from exhibit.db import db
    from exhibit.floorplan.models import Hall
    from exhibit.html_pdf import html_to_pdf
    from exhibit.maps.pdf import _drawing_pdf, hall_map_document, hall_map_pdf

    workdir = Path(tempfile.mkdtemp(prefix="exhibit-pdf-"))
    os.environ["EXHIBIT_INSTANCE_PATH"] = str(workdir)
    try:
        app = build(f"sqlite:///{workdir / 'pdf.sqlite3'}", n)
        with app.app_context(), app.test_request_context():
            hall = db.session.scalar(db.select(Hall))
            options = {"paper": "A1", "landscape": True, "edition": "visitor"}
            # The first request of a fresh process: imports, font metrics, the parsed plan.
            start = time.perf_counter()
            hall_map_pdf(db.session, hall, **options)
            cold = time.perf_counter() - start
            ours, sheets, indexes, cairo = [], [], [], []
            for _ in range(REPEATS):
                start = time.perf_counter()
                hall_map_pdf(db.session, hall, **options)
                ours.append(time.perf_counter() - start)
                start = time.perf_counter()
                sheet_svg, index_html = hall_map_document(db.session, hall, **options)
                _drawing_pdf(sheet_svg)
                sheets.append(time.perf_counter() - start)
                start = time.perf_counter()
                html_to_pdf(index_html)
                indexes.append(time.perf_counter() - start)
                # The baseline: CairoSVG alone turning the same sheet drawing into a PDF.
                start = time.perf_counter()
                cairosvg.svg2pdf(bytestring=sheet_svg.encode("utf-8"))
                cairo.append(time.perf_counter() - start)
        client = app.test_client()
        url = "/api/v1/exhibitions/big/halls/Большой зал/map.pdf?paper=A1&landscape=1"
        client.get(url)
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        cached = time.perf_counter() - start
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    # The ratio of each round's pair, then their median: on a shared machine the load changes
    # between rounds, and a pair measured back to back shares it.
    ratio = statistics.median(a / b for a, b in zip(sheets, cairo, strict=True))
    return {"n": n, "ours": statistics.median(ours), "sheet": statistics.median(sheets),
            "index": statistics.median(indexes), "cairo": statistics.median(cairo),
            "ratio": ratio, "cached": cached, "cold": cold}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    rows = [measure(int(n)) for n in args.sizes.split(",")]
    lines = [
        f"Machine: {machine()}; WeasyPrint, CairoSVG 2.9; DejaVu fonts.",
        "",
        "A1 landscape, visitor edition, fit to page; every booth confirmed for an exhibitor "
        "with a Cyrillic name (shortened to fit). The map sheet (title, drawing, legend, "
        "scale bar) is an SVG that exhibit builds and CairoSVG renders; the index of "
        "exhibitors on the following pages is WeasyPrint's; pypdf joins them. The baseline "
        "is CairoSVG alone on the same sheet SVG, timed right after ours in each of "
        f"{REPEATS} rounds; times are medians, the ratio is the median of the rounds' ratios "
        "(the machine is shared: absolute times move with its load, the ratio much less). "
        f"Load average when the run began: {load}.",
        "",
        "| booths | whole PDF | map sheet (build + render) | index pages | CairoSVG alone "
        "| sheet ÷ CairoSVG | again, cached | first in a fresh process |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['ours']:.2f} s | {r['sheet']:.2f} s | {r['index']:.2f} s | "
            f"{r['cairo']:.2f} s | {r['ratio']:.2f}× | {r['cached'] * 1000:.0f} ms | "
            f"{r['cold']:.2f} s |"
        )
    lines += ["", "Targets: 500 booths < 1 s, 2,000 < 3 s, ≤ 1.5× CairoSVG, cached < 50 ms."]
    text = "\n".join(lines)
    print(HEADING + "\n\n" + text)
    if args.write:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
