"""The printed catalogue (A4) with 100 exhibitors and 170 solutions: the whole
``flask --app exhibit catalogue pdf`` command as a process, beside ``catalogue_pdf()`` in a
warm process and in a fresh one, each with and without libharfbuzz-subset0.

    .venv/bin/python bench/catalogue_pdf.py [--sizes 100] [--write]

The catalogue is the demo's (93 public exhibitors, 162 solutions) plus exhibitors made from
the demo's own (their texts, regions and tracks, a confirmed booth each) up to the size
asked, with 1.7 solutions per exhibitor. Target (issue 13): 100 exhibitors and 170 solutions
under 5 s end to end.
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

import whole
from record import machine, write_section

HEADING = "## Printed catalogue (bench/catalogue_pdf.py)"
REPEATS = 5
SLUG = "goroda-rossii-2025"


def build(url: str, exhibitors: int) -> None:
    """The demo, then copies of its public exhibitors up to ``exhibitors`` public ones with
    1.7 solutions each on average, each copy with a confirmed booth while free ones last."""
    from exhibit import create_app
    from exhibit.booking.models import Reservation
    from exhibit.catalogue.models import Exhibitor, Solution
    from exhibit.db import db
    from exhibit.floorplan.models import Booth

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    runner = app.test_cli_runner()
    for command in ("init-db", "demo"):
        result = runner.invoke(args=[command])
        assert result.exit_code == 0, result.output
    with app.app_context():
        public = db.session.scalars(db.select(Exhibitor).where(Exhibitor.approved)).all()
        solutions = sum(len(e.solutions) for e in public)
        taken = db.select(Reservation.booth_id)
        free = db.session.scalars(
            db.select(Booth).where(Booth.id.not_in(taken), Booth.blocked.is_(False))
        ).all()
        for i in range(len(public), exhibitors):
            model = public[i % len(public)]
            # As many solutions as keep the catalogue at 1.7 per exhibitor.
            wanted = round(1.7 * (i + 1)) - solutions
            copy = Exhibitor(
                exhibition_id=model.exhibition_id, name=f"{model.name} · {i}",
                short_name=model.short_name, kind=model.kind, region_code=model.region_code,
                municipality=model.municipality, population=model.population,
                description=model.description, approved=True,
                solutions=[
                    Solution(title=s.title, summary=s.summary, description=s.description,
                             track_code=s.track_code, stage=s.stage, tags=s.tags)
                    for s in (model.solutions * 3)[: max(wanted, 1)]
                ],
            )  # fmt: skip
            solutions += len(copy.solutions)
            db.session.add(copy)
            db.session.flush()
            if free:
                db.session.add(Reservation(booth_id=free.pop().id, exhibitor_id=copy.id,
                                           status="confirmed"))  # fmt: skip
        db.session.commit()


def inner(url: str) -> dict[str, float]:
    """``catalogue_pdf()`` in this process: the first call (imports WeasyPrint, loads the
    fonts) and then the median of REPEATS calls."""
    from exhibit import create_app
    from exhibit.catalogue.models import Exhibitor
    from exhibit.db import db
    from exhibit.floorplan.services import get_exhibition
    from exhibit.html_pdf import has_harfbuzz_subset
    from exhibit.maps.catalogue_pdf import catalogue_pdf

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context():
        exhibition = get_exhibition(db.session, SLUG)
        start = time.perf_counter()
        pdf = catalogue_pdf(db.session, exhibition)
        cold = time.perf_counter() - start
        times = []
        for _ in range(REPEATS):
            db.session.expire_all()
            start = time.perf_counter()
            pdf = catalogue_pdf(db.session, exhibition)
            times.append(time.perf_counter() - start)
        import io

        from pypdf import PdfReader

        public = [e for e in db.session.scalars(db.select(Exhibitor)) if e.is_public]
        return {
            "cold": cold, "warm": statistics.median(times),
            "pages": len(PdfReader(io.BytesIO(pdf)).pages), "kb": len(pdf) // 1024,
            "exhibitors": len(public), "solutions": sum(len(e.solutions) for e in public),
            "harfbuzz": has_harfbuzz_subset(),
        }  # fmt: skip


def inner_in_child(url: str, *, hide_subsetter: bool) -> dict[str, float]:
    code = (
        "import json, sys\n"
        f"sys.path[:0] = [{str(Path(__file__).parent)!r}]\n"
        f"sys.path.append({str(whole.ROOT)!r})\n"
        + ("from tests.hidden_libraries import hide_harfbuzz_subset\nhide_harfbuzz_subset()\n"
           if hide_subsetter else "")
        + f"import catalogue_pdf\nprint(json.dumps(catalogue_pdf.inner({url!r})))"
    )  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tempfile.gettempdir())  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(exhibitors: int) -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix="exhibit-catalogue-"))
    os.environ["EXHIBIT_INSTANCE_PATH"] = str(workdir)
    url = f"sqlite:///{workdir / 'catalogue.sqlite3'}"
    try:
        build(url, exhibitors)
        env = whole.environment(url, workdir)
        args = ["catalogue", "pdf", "--exhibition", SLUG, "-o", str(workdir / "out.pdf")]
        row: dict[str, object] = {"startup": whole.startup(env, REPEATS)}
        for hide in (False, True):
            key = "hidden" if hide else "harfbuzz"
            row[key] = inner_in_child(url, hide_subsetter=hide)
            row[key]["whole"] = whole.flask_times(args, env, hide_subsetter=hide,
                                                  repeats=REPEATS)  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100", help="public exhibitors, comma-separated")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()
    load = whole.load()
    rows = [measure(int(n)) for n in args.sizes.split(",")]
    from importlib.metadata import version

    lines = [
        f"Machine: {machine()}; WeasyPrint {version('weasyprint')}, segno {version('segno')}; "
        "DejaVu fonts.",
        "",
        "A4 catalogue: cover, contents, one entry per exhibitor (name, region, booth, "
        "solutions, a QR code to its page), indexes by region and by booth number. *Whole "
        "command*: `flask --app exhibit catalogue pdf` as a process, median of "
        f"{REPEATS}, start-up included; *start-up*: `flask --app exhibit --help` in the "
        "same run (what every command pays before it starts, being made lazy separately). "
        "*In a fresh process*: the first `catalogue_pdf()` call (WeasyPrint's import and "
        f"font loading included); *warm*: the median of {REPEATS} further calls. *Without "
        "HarfBuzz subset*: the same with libharfbuzz-subset0 hidden from WeasyPrint "
        "(fontTools subsets the fonts), as on a machine without the package. "
        f"Load average when the run began: {load} (a shared 2-core machine: read ratios).",
        "",
        "| exhibitors / solutions | pages | subsetter | whole command | start-up "
        "| catalogue_pdf(), fresh process | warm |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        for key, label in (("harfbuzz", "HarfBuzz"), ("hidden", "fontTools (no HarfBuzz)")):
            m = r[key]
            lines.append(
                f"| {m['exhibitors']} / {m['solutions']} | {m['pages']} | {label} | "
                f"{m['whole']} | {r['startup']} | {m['cold']:.2f} s | "
                f"{m['warm']:.2f} s |"
            )
    lines += ["", "Target: 100 exhibitors and 170 solutions under 5 s end to end."]
    text = "\n".join(lines)
    print(HEADING + "\n\n" + text)
    if args.write:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
