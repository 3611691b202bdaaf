"""Benchmark of the floor-plan check, in three parts.

``rules``: ``validate_plan`` on generated halls of 500, 2,000 and 10,000 booths, the overlap
and open-side rules against naive pairwise loops, and the hit test. Targets: the whole check
of 10,000 booths under 1.5 s; the overlap rule at least 50× faster than the naive loop at
10,000 booths; a hit test under 1 ms. The naive loops are run in full while they take under
``--naive-budget`` seconds (60 by default); beyond that they run on a random sample of
booths and are extrapolated to all pairs (marked "≈").

``file``: ``plan check FILE`` of a 10,000-booth GeoJSON file, valid and broken: each step in
this process (read, schema, build, rules, report), the command in this process, and
``flask --app exhibit plan check FILE --json`` as a whole process beside the baselines a
person waits for anyway (``python -c 'import flask'``, a hello-world app's ``flask --help``,
``flask --app exhibit --help``). Targets (issue 13): the whole command under 2 s, the schema
step at most 20 % of it, refusing a broken file under 2 s too. ``--dxf`` adds the same check
of the hall drawn as DXF.

``evac``: the evacuation rules (``exit-too-far``, ``single-exit-route``) — ``validate_plan``
with and without them on the demo hall and synthetic halls of 2,000 and 10,000 booths.

    python bench/plan_check.py [--part rules|file|evac|all] [--sizes 500,2000,10000]
                               [--file-booths 10000] [--dxf] [--write docs/benchmarks.md]

Prints markdown; with ``--write`` it replaces (or appends) the sections
"## Floor-plan check (bench/plan_check.py)" and "## Plan check of a file, end to end
(bench/plan_check.py --part file)" of the given file, each only when its part ran.
"""

from __future__ import annotations

import argparse
import copy
import gc
import itertools
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
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
FILE_HEADING = "## Plan check of a file, end to end (bench/plan_check.py --part file)"
EVAC_HEADING = "## Evacuation rules of the plan check (bench/plan_check.py --part evac)"
ROOT = Path(__file__).resolve().parents[1]


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


# --------------------------------------------------------------------------- the file check


def timed_cpu(fn, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process for ``fn()`` (seconds)."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def run_process(args: list[str], repeat: int) -> dict:
    """Median wall time and CPU time (user + system, children included) of a process."""
    walls, cpus, codes = [], [], set()
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, cwd=ROOT, check=False)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        codes.add(proc.returncode)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "codes": codes}


def broken_copy(data: dict) -> dict:
    """The same hall with one booth in the middle of the file breaking the schema."""
    broken = copy.deepcopy(data)
    booths = [i for i, f in enumerate(broken["features"]) if f["properties"]["kind"] == "booth"]
    broken["features"][booths[len(booths) // 2]]["properties"]["number"] = 12
    return broken


def old_schema_check(data: dict) -> None:
    """The check before jsonschema-rs: ``best_match`` over the whole document."""
    import jsonschema

    from exhibit.floorplan.formats.geojson import plan_schema

    validator = jsonschema.Draft202012Validator(plan_schema())
    jsonschema.exceptions.best_match(validator.iter_errors(data))


def bench_file(n: int, repeat: int, dxf: bool) -> dict:
    """Every step of ``plan check`` of an ``n``-booth file, in process and as a process."""
    from click.testing import CliRunner

    from exhibit.commands.plans import plan_cli, report_json
    from exhibit.floorplan.errors import PlanFormatError
    from exhibit.floorplan.formats import load_plan
    from exhibit.floorplan.formats.geojson import _check_schema, dumps_geojson, from_geojson

    out: dict = {"n": n, "load_before": os.getloadavg()}
    tmp = Path(tempfile.mkdtemp(prefix="plan-check-bench-"))
    plan = synthetic_hall(n, noise=1e-6, seed=n)
    valid_path, broken_path = tmp / "hall.geojson", tmp / "broken.geojson"
    valid_path.write_text(dumps_geojson(plan), encoding="utf-8")
    raw = valid_path.read_bytes()
    data = json.loads(raw)
    broken = broken_copy(data)
    broken_path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    out["size_mb"] = len(raw) / 1e6

    def refuse() -> None:
        try:
            _check_schema(broken)
        except PlanFormatError:
            return
        raise AssertionError("the broken copy was accepted")

    _check_schema(data)
    refuse()  # imports and compiles what the explanation needs
    built = from_geojson(data, trusted=True)
    report = validate_plan(built)
    assert report.valid, report.errors[:3]
    steps = {
        "read": lambda: json.loads(valid_path.read_bytes().decode("utf-8-sig")),
        "schema": lambda: _check_schema(data),
        "schema, broken": refuse,
        "build": lambda: from_geojson(data, trusted=True),
        "rules": lambda: validate_plan(built),
        "report": lambda: report_json(report),
        "load_plan": lambda: load_plan(valid_path),
    }
    out["steps"] = {name: timed_cpu(fn, repeat) for name, fn in steps.items()}
    out["steps"]["schema, before"] = timed_cpu(lambda: old_schema_check(data), 1)

    runner = CliRunner()

    def command(path: Path, code: int):
        def go() -> None:
            result = runner.invoke(plan_cli, ["check", str(path), "--json"])
            assert result.exit_code == code, result.output[:300]

        return go

    out["inner"] = {
        "valid": timed_cpu(command(valid_path, 0), repeat),
        "broken": timed_cpu(command(broken_path, 2), repeat),
    }
    flask = [sys.executable, "-m", "flask"]
    processes = {
        "python -c 'import flask'": [sys.executable, "-c", "import flask"],
        "hello app: flask --help": [*flask, "--app", "bench/bare.py", "--help"],
        "flask --app exhibit --help": [*flask, "--app", "exhibit", "--help"],
        "plan check, valid": [
            *flask,
            "--app",
            "exhibit",
            "plan",
            "check",
            str(valid_path),
            "--json",
        ],
        "plan check, broken": [
            *flask,
            "--app",
            "exhibit",
            "plan",
            "check",
            str(broken_path),
            "--json",
        ],
    }
    if dxf:
        from exhibit.floorplan.formats.dxf import to_dxf

        dxf_path = tmp / "hall.dxf"
        to_dxf(plan, dxf_path)
        processes["plan check, DXF"] = [*flask, "--app", "exhibit", "plan", "check", str(dxf_path)]
    out["processes"] = {}
    for name, args in processes.items():
        print(f"… {name}", file=sys.stderr, flush=True)
        times = 1 if name.endswith("DXF") else repeat
        out["processes"][name] = run_process(args, times) | {"repeat": times}
    expected = {"plan check, valid": {0}, "plan check, broken": {2}, "plan check, DXF": {0}}
    for name, codes in expected.items():
        if name in out["processes"]:
            got = out["processes"][name]["codes"]
            assert got == codes, f"{name}: exit {got}"
    out["load_after"] = os.getloadavg()
    for path in tmp.iterdir():
        path.unlink()
    tmp.rmdir()
    return out


def versions() -> str:
    from importlib.metadata import version

    names = ("flask", "jsonschema", "jsonschema-rs", "ezdxf")
    return ", ".join(f"{name} {version(name)}" for name in names)


def file_section(r: dict) -> str:
    steps, inner, procs = r["steps"], r["inner"], r["processes"]
    start = procs["flask --app exhibit --help"]
    hello = procs["hello app: flask --help"]
    valid, broken = procs["plan check, valid"], procs["plan check, broken"]

    def ms(value: float) -> str:
        return f"{value * 1e3:,.0f}"

    lines = [
        f"Machine: {machine()}; {versions()}. Load average at the start "
        f"{', '.join(f'{x:.1f}' for x in r['load_before'])}, at the end "
        f"{', '.join(f'{x:.1f}' for x in r['load_after'])} (the machine is shared: read the "
        "ratios, they move less than the times).",
        "",
        f"A hall of {r['n']:,} booths from `synthetic_hall` written as GeoJSON "
        f"({r['size_mb']:.1f} MB); the broken copy has one booth in the middle of the file "
        "whose number is a number. Medians of 5 (one run of the old schema check and of the "
        "DXF check).",
        "",
        "**In this process**, each step of `plan check FILE --json`:",
        "",
        "| step | wall, ms | CPU, ms |",
        "|---|---:|---:|",
        *(
            f"| {label} | {ms(values[key][0])} | {ms(values[key][1])} |"
            for label, values, key in (
                ("read the file + `json.loads`", steps, "read"),
                ("schema: jsonschema-rs, the document is valid", steps, "schema"),
                (
                    "schema: jsonschema-rs finds the broken booth, jsonschema explains it",
                    steps,
                    "schema, broken",
                ),
                (
                    "schema before: jsonschema `best_match(iter_errors)` over the whole "
                    "document (1 run)",
                    steps,
                    "schema, before",
                ),
                ("build the plan (`from_geojson`, trusted)", steps, "build"),
                ("the rules (`validate_plan`)", steps, "rules"),
                ("the JSON report", steps, "report"),
                ("`load_plan` (read + schema + build)", steps, "load_plan"),
                ("the command, valid file (CliRunner, output included)", inner, "valid"),
                ("the command, broken file", inner, "broken"),
            )
        ),
        "",
        "**As a whole process** (`flask --app exhibit plan check FILE --json`), wall and CPU:",
        "",
        "| process | wall, ms | CPU, ms |",
        "|---|---:|---:|",
    ]
    for name, p in procs.items():
        note = " (1 run)" if p["repeat"] == 1 else ""
        lines.append(f"| {name}{note} | {ms(p['wall'])} | {ms(p['cpu'])} |")
    schema, schema_before = steps["schema"][1], steps["schema, before"][1]
    schema_share = schema / valid["cpu"]
    start_share = start["cpu"] / valid["cpu"]
    rest = max(valid["cpu"] - start["cpu"], 0.0)

    def verdict(p: dict) -> str:
        met = "met" if max(p["wall"], p["cpu"]) < 2 else "**missed**"
        return f"{p['wall']:.2f} s wall, {p['cpu']:.2f} s CPU (target < 2 s): {met}"

    lines += [
        "",
        "CPU time is what the command costs; wall time adds whatever else the machine was "
        "doing. Verdicts take the larger of the two.",
        "",
        f"- whole command, valid file: {verdict(valid)}. Of its CPU, the app's start-up "
        f"(`flask --app exhibit --help`, {start['cpu']:.2f} s, "
        f"{start['cpu'] / hello['cpu']:.1f}× the hello app's) is {start_share:.0%}; the "
        f"check itself {rest:.2f} s",
        f"- refusing the broken file: {verdict(broken)}",
        f"- before this change the same command spent about "
        f"{valid['cpu'] - schema + schema_before:.1f} s of CPU (this run's "
        "whole command with the old schema walk in place of the new one: an estimate)",
        *(
            [
                f"- the same hall as DXF: {procs['plan check, DXF']['wall']:.1f} s wall, "
                f"{procs['plan check, DXF']['cpu']:.1f} s CPU (no target): the drawing is parsed "
                "in a sandboxed subprocess that starts its own Python, and ezdxf's recovering "
                "reader takes most of the time (its plain reader would save about a third)"
            ]
            if "plan check, DXF" in procs
            else []
        ),
        f"- schema step: {ms(schema)} ms of CPU = {schema_share:.1%} of the whole command's "
        "CPU (target ≤ 20 %): "
        + ("met" if schema_share <= 0.2 else "**missed**")
        + f"; {schema_before / schema:.0f}× less than the whole-document jsonschema walk it "
        f"replaces ({schema_before:.1f} s)",
        "",
    ]
    return "\n".join(lines)


def bench_evac(repeat: int) -> str:
    """``validate_plan`` with and without the evacuation rules (``exit-too-far``,
    ``single-exit-route``) on the demo hall and synthetic halls of 2,000 and 10,000 booths:
    wall and CPU medians, and the rules' own share."""
    from exhibit.floorplan import validate as rules
    from exhibit.floorplan.formats import load_plan

    plans = [("demo hall (goroda-rossii-2025.geojson)",
              load_plan(ROOT / "floorplans" / "goroda-rossii-2025.geojson"))]  # fmt: skip
    plans += [(f"synthetic_hall({n:,})", synthetic_hall(n, noise=1e-6, seed=n))
              for n in (2_000, 10_000)]  # fmt: skip
    load = os.getloadavg()
    rows = []
    real = rules._check_evacuation
    for name, plan in plans:
        print(f"… evacuation, {name}", file=sys.stderr, flush=True)
        found = validate_plan(plan)
        with_rules = timed_cpu(lambda plan=plan: validate_plan(plan), repeat)
        rules._check_evacuation = lambda *a, **k: None
        try:
            without = timed_cpu(lambda plan=plan: validate_plan(plan), repeat)
        finally:
            rules._check_evacuation = real
        far = sum(e.rule == "exit-too-far" for e in found.errors)
        dead = sum(w.rule == "single-exit-route" for w in found.warnings)
        rows.append((name, len(plan.booths), with_rules, without, far, dead))
    lines = [
        f"Machine: {machine()}; {versions()}. Load average at the start "
        f"{', '.join(f'{v:.1f}' for v in load)} (the machine is shared by several engineers: "
        "read the ratios). Medians of "
        f"{repeat}. The synthetic halls are bigger than a 60 m walk allows, so they carry their "
        "own `max_exit_distance`: every booth is still measured.",
        "",
        "| hall | booths | `validate_plan` wall, ms | CPU, ms | without the evacuation rules, "
        "CPU, ms | the evacuation rules, CPU, ms | exit-too-far | single-exit-route |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, n, (wall, cpu), (_, cpu0), far, dead in rows:
        own = (cpu - cpu0) * 1e3
        lines.append(f"| {name} | {n:,} | {wall * 1e3:,.0f} | {cpu * 1e3:,.0f} | "
                     f"{cpu0 * 1e3:,.0f} | {own:,.0f} | {far} | {dead} |")  # fmt: skip
    lines += [
        "",
        "Before (the first version of the rules, wall, a busy machine): the demo hall 0.7 s, "
        "500 booths 2.7 s, 2,000 booths 19 s; 10,000 not measured.",
    ]
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print (and optionally record) the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("rules", "file", "evac", "all"), default="all")
    parser.add_argument("--sizes", default="500,2000,10000")
    parser.add_argument("--naive-budget", type=float, default=60.0)
    parser.add_argument("--file-booths", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dxf", action="store_true", help="also check the hall as DXF")
    parser.add_argument("--write", type=Path, help="markdown file to record the results in")
    args = parser.parse_args()
    if args.part in ("rules", "all"):
        rows = []
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"… {n} booths", file=sys.stderr, flush=True)
            rows.append(bench_size(n, args.naive_budget))
        text = section(rows, args.naive_budget)
        print(HEADING + "\n\n" + text)
        if args.write:
            write_section(HEADING, text, args.write)
    if args.part in ("evac", "all"):
        text = bench_evac(args.repeat)
        print(EVAC_HEADING + "\n\n" + text)
        if args.write:
            write_section(EVAC_HEADING, text, args.write)
    if args.part in ("file", "all"):
        print(f"… a file of {args.file_booths} booths", file=sys.stderr, flush=True)
        text = file_section(bench_file(args.file_booths, args.repeat, args.dxf))
        print(FILE_HEADING + "\n\n" + text)
        if args.write:
            write_section(FILE_HEADING, text, args.write)


if __name__ == "__main__":
    main()
