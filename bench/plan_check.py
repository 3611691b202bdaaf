"""Benchmark of the floor-plan check: ``validate_plan`` on generated halls of 500, 2,000 and
10,000 booths, the overlap and open-side rules against naive pairwise loops, and the hit test.

    python bench/plan_check.py [--sizes 500,2000,10000] [--write docs/benchmarks.md]

Prints a markdown table; with ``--write`` it replaces (or appends) the section
"## Floor-plan check (bench/plan_check.py)" of the given file. The naive loops are run in
full while they take under ``--naive-budget`` seconds (60 by default); beyond that they run
on a random sample of booths and are extrapolated to all pairs (marked "≈").
Targets: the whole check of 10,000 booths under 1.5 s; the overlap rule at least 50× faster
than the naive loop at 10,000 booths; a hit test under 1 ms.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from record import write_section

from exhibit.floorplan.geometry import PROBE, BoothIndex, edge_table
from exhibit.floorplan.samples import synthetic_hall
from exhibit.floorplan.validate import overlapping_pairs, validate_plan

HEADING = "## Floor-plan check (bench/plan_check.py)"


def timed(fn, repeat: int) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs (seconds)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def naive_overlaps(polys: list, rows: list[int]) -> int:
    """The overlap rule as a pairwise loop over the given rows (i against every j > i)."""
    found = 0
    n = len(polys)
    for i in rows:
        a = polys[i]
        for j in range(i + 1, n):
            b = polys[j]
            if a.intersects(b) and a.intersection(b).area > 0.01:
                found += 1
    return found


def naive_open_sides(polys: list, hall, rows: list[int]) -> list[int]:
    """The open-side rule as a loop: every edge's probe against every other booth."""
    out = []
    for i in rows:
        coords = list(shapely.orient_polygons(polys[i]).exterior.coords)
        sides = set()
        for (x0, y0), (x1, y1) in itertools.pairwise(coords):
            length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
            nx, ny = (y1 - y0) / length, -(x1 - x0) / length
            probe = shapely.LineString(
                [(x0 + nx * PROBE, y0 + ny * PROBE), (x1 + nx * PROBE, y1 + ny * PROBE)]
            )
            covered = probe.length - probe.intersection(hall).length
            for j, other in enumerate(polys):
                if j != i and probe.intersects(other):
                    covered += probe.intersection(other).length
            if covered < probe.length / 2:
                sides.add((round(nx), round(ny)))
        out.append(len(sides))
    return out


def run_naive(fn, n: int, pairs_per_row, budget: float, seed: int) -> tuple[float, bool]:
    """Time ``fn(rows)`` on all rows, or on a sample extrapolated to all (returns s, exact)."""
    rng = random.Random(seed)
    probe_rows = rng.sample(range(n), min(n, 20))
    t = time.perf_counter()
    fn(probe_rows)
    per_unit = (time.perf_counter() - t) / sum(pairs_per_row(i) for i in probe_rows)
    total_units = sum(pairs_per_row(i) for i in range(n))
    estimate = per_unit * total_units
    if estimate <= budget:
        t = time.perf_counter()
        fn(list(range(n)))
        return time.perf_counter() - t, True
    sample = rng.sample(range(n), max(50, int(n * budget / estimate / 4)))
    t = time.perf_counter()
    fn(sample)
    spent = time.perf_counter() - t
    return spent / sum(pairs_per_row(i) for i in sample) * total_units, False


def bench_size(n: int, budget: float) -> dict:
    plan = synthetic_hall(n, noise=1e-6, seed=n)
    report = validate_plan(plan)
    assert report.valid, report.errors[:3]
    repeat = 3 if n >= 10_000 else 5
    full = timed(lambda: validate_plan(plan), repeat)
    polys = shapely.set_precision(np.asarray([b.polygon for b in plan.booths], dtype=object), 0.001)
    overlap = timed(lambda: overlapping_pairs(polys), repeat)
    opens = timed(lambda: edge_table(polys, [], plan.hall), repeat)
    plist = list(polys)
    naive_ov, ov_exact = run_naive(
        lambda rows: naive_overlaps(plist, rows), n, lambda i: n - 1 - i, budget, seed=1
    )
    naive_os, os_exact = run_naive(
        lambda rows: naive_open_sides(plist, plan.hall, rows), n, lambda i: 1, budget, seed=2
    )
    index = BoothIndex(plan)
    minx, miny, maxx, maxy = plan.hall.bounds
    rng = np.random.default_rng(0)
    xs, ys = rng.uniform(minx, maxx, 2000), rng.uniform(miny, maxy, 2000)
    t = time.perf_counter()
    for x, y in zip(xs, ys, strict=True):
        index.booth_at(x, y)
    hit = (time.perf_counter() - t) / len(xs) * 1e6
    return {
        "n": n,
        "full": full,
        "overlap": overlap,
        "naive_overlap": naive_ov,
        "naive_overlap_exact": ov_exact,
        "open": opens,
        "naive_open": naive_os,
        "naive_open_exact": os_exact,
        "hit_us": hit,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}; Shapely {shapely.__version__}, "
        f"GEOS {shapely.geos_version_string}; NumPy {np.__version__}"
    )


def table(rows: list[dict]) -> str:
    def approx(value: float, exact: bool) -> str:
        return f"{'' if exact else '≈'}{value:.2f}"

    lines = [
        "| booths | whole check, s | overlap: STRtree, ms | overlap: naive loop, s | × | "
        "open sides: vectorised, ms | open sides: naive loop, s | × | hit test, µs/point |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['full']:.3f} | {r['overlap'] * 1e3:.1f} | "
            f"{approx(r['naive_overlap'], r['naive_overlap_exact'])} | "
            f"{r['naive_overlap'] / r['overlap']:.0f} | {r['open'] * 1e3:.0f} | "
            f"{approx(r['naive_open'], r['naive_open_exact'])} | "
            f"{r['naive_open'] / r['open']:.0f} | {r['hit_us']:.1f} |"
        )
    return "\n".join(lines)


def section(rows: list[dict], budget: float) -> str:
    big = rows[-1]
    verdict = [
        f"- whole check of {big['n']:,} booths: {big['full']:.2f} s (target < 1.5 s): "
        + ("met" if big["full"] < 1.5 else "**missed**"),
        f"- overlap rule vs the naive loop at {big['n']:,}: "
        f"{big['naive_overlap'] / big['overlap']:.0f}× (target ≥ 50×): "
        + ("met" if big["naive_overlap"] / big["overlap"] >= 50 else "**missed**"),
        f"- hit test: {big['hit_us']:.1f} µs a point (target < 1 ms): "
        + ("met" if big["hit_us"] < 1000 else "**missed**"),
    ]
    return "\n".join(
        [
            f"Machine: {machine()}.",
            "",
            "Halls from `exhibit.floorplan.samples.synthetic_hall` (3 × 3 m booths in blocks "
            "of 2 × 10, 3 m aisles, 1e-6 m coordinate noise as in real drawings). Whole check "
            "= `validate_plan` with every rule (median of 3–5 runs). The overlap and open-side "
            "rules are timed alone (STRtree / vectorised) and as naive pairwise loops in the "
            "same run. A naive loop that would take more than "
            f"{budget:.0f} s runs on a random sample of booths and is extrapolated to all "
            "pairs: those figures are marked ≈.",
            "",
            table(rows),
            "",
            *verdict,
            "",
        ]
    )


def main() -> None:
    """Run the benchmark and print (and optionally record) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,10000")
    parser.add_argument("--naive-budget", type=float, default=60.0)
    parser.add_argument("--write", type=Path, help="markdown file to record the results in")
    args = parser.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"… {n} booths", file=sys.stderr, flush=True)
        rows.append(bench_size(n, args.naive_budget))
    text = section(rows, args.naive_budget)
    print(HEADING + "\n\n" + text)
    if args.write:
        write_section(HEADING, text, args.write)


if __name__ == "__main__":
    main()
