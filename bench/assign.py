"""Benchmark: automatic booth assignment against a first-come-first-served greedy placer.

Generated halls (double rows of 3×3 and 3×6 m booths, cross aisles every 30 m, 3 m aisles,
7 track zones as vertical strips) and generated demand (tracks in proportion to zone
capacity, areas 9–36 m², partners in clusters of 2–4, competitors in the same track, kind
wishes and step-free needs). Both placers run on the same input in the same process; the
table gives time, placed share, in-zone share, mean relative area difference, competitor
adjacencies and the optimality gap against the solver's lower bound.

Run: ``.venv/bin/python bench/assign.py`` (writes the section "## Automatic assignment
(bench/assign.py)" of docs/benchmarks.md, leaving other sections alone).

``--planted``: the solver against known optima (bench/planted.py). ``--reference-build
SECONDS``: improve the stored best-known solutions of the ordinary halls (``--sizes``,
seeds ``--seeds``) by the solver-independent large-neighbourhood search of
bench/reference.py for that many seconds each (``--prove SECONDS``: the exact MILP first;
bench/reference/, kept only when better); ``--reference``: the solver with each of
``--limits`` against them, per seed and worst case. ``--bounds``: the old lower bound and
the LP relaxation's (exhibit/booking/assign/relaxation.py) on the ordinary halls (the
certified gap of their best known) and on the planted ones (against the optimum), and the
bound ``assign`` reports under each of ``--limits``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import time
from datetime import date
from pathlib import Path

import numpy as np
from planted import make_hall, planted_instance
from record import write_section
from reference import columns_of, excess, improve_reference, instance, problem_of
from reference import load as load_reference

from exhibit.booking.assign import Application, FreeBooth, TrackZone, Weights, assign

SIZES = ((150, 150), (500, 600), (1500, 2000))
HEADING = "## Automatic assignment (bench/assign.py)"
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def make_demand(
    n: int, booths: list[FreeBooth], zones: list[TrackZone], seed: int
) -> list[Application]:
    """Applications with tracks in proportion to the zones' free area."""
    rng = np.random.default_rng(seed + 1)
    area = np.array(
        [sum(b.area_m2 for b in booths if z.polygon.contains(b.polygon.centroid)) for z in zones]
    )
    tracks = rng.choice(len(zones), size=n, p=area / area.sum())
    sizes = rng.choice([9.0, 12.0, 18.0, 27.0, 36.0], size=n, p=[0.6, 0.08, 0.27, 0.03, 0.02])
    names = [f"Город {k + 1:04d}" for k in range(n)]
    partners: list[list[str]] = [[] for _ in range(n)]
    competitors: list[list[str]] = [[] for _ in range(n)]
    order = rng.permutation(n)
    by_track: dict[int, list[int]] = {}
    for i in order[: int(0.3 * n)].tolist():  # 30 % in partner clusters of 2–4, same track
        by_track.setdefault(int(tracks[i]), []).append(i)
    for members in by_track.values():
        k = 0
        while k < len(members):
            size = int(rng.integers(2, 5))
            cluster = members[k : k + size]
            for i in cluster[1:]:
                partners[cluster[0]].append(names[i])
                partners[i].append(names[cluster[0]])
            k += size
    for i in order[int(0.3 * n) : int(0.45 * n)].tolist():  # 15 % name a rival in their track
        same = np.flatnonzero(tracks == tracks[i])
        j = int(rng.choice(same))
        if j != i and names[j] not in partners[i] and names[i] not in partners[j]:
            competitors[i].append(names[j])
    return [
        Application(
            exhibitor=names[i],
            requested_area=float(sizes[i]),
            track=zones[int(tracks[i])].track,
            wish_kind="corner" if rng.random() < 0.15 else None,
            partners=partners[i],
            competitors=competitors[i],
            step_free=bool(rng.random() < 0.05),
        )
        for i in range(n)
    ]


#: Weights that care about the zone only: the in-zone share they reach is what the zones'
#: capacity allows (the same applicants are admitted whatever the weights).
ZONE_ONLY = Weights(
    zone=100.0, zone_per_10m=0.0, area=0.01, kind=0.0, partner_per_10m=0.0, access_per_10m=0.0
)


def run_case(n: int, m: int, seed: int, partners: bool = True) -> list[dict]:
    """Solver and greedy on one generated hall (without partner requests: solver only)."""
    booths, zones = make_hall(m, seed)
    apps = make_demand(n, booths, zones, seed)
    if not partners:
        apps = [dataclasses.replace(a, partners=[]) for a in apps]
    best_zone = assign(apps, booths, zones, weights=ZONE_ONLY).quality.in_zone_share
    rows = []
    for method in ("optimal", "greedy") if partners else ("optimal",):
        start, cpu = time.perf_counter(), time.process_time()
        result = assign(apps, booths, zones, method=method)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        q = result.quality
        rows.append(
            {
                "size": f"{n} / {m}",
                "method": ("solver" if method == "optimal" else "greedy (FCFS)")
                + ("" if partners else ", no partner requests"),
                "time": elapsed,
                "cpu": cpu,
                "placed": q.placed_share,
                "in_zone": q.in_zone_share,
                "zone_max": best_zone,
                "area": q.mean_area_diff,
                "rivals": q.competitor_adjacencies,
                "gap": q.optimality_gap,
                "partner": q.mean_partner_distance,
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| exhibitors / booths | placer | time (CPU) | placed | in zone (capacity allows) "
        "| mean area diff | competitor adjacencies | mean partner distance | optimality gap |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        partner = "–" if r["partner"] is None else f"{r['partner']:.1f} m"
        lines.append(
            f"| {r['size']} | {r['method']} | {r['time']:.2f} s ({r['cpu']:.2f} s) "
            f"| {r['placed']:.1%} "
            f"| {r['in_zone']:.1%} ({r['zone_max']:.1%}) | {r['area']:.1%} | {r['rivals']} "
            f"| {partner} "
            f"| {r['gap']:.2%} |"
        )
    return "\n".join(lines)


PLANTED_HEADING = "## Automatic assignment against known optima (bench/assign.py --planted)"
PLANTED_SIZES = ((150, 180), (500, 600), (1500, 2000))


def planted_rows(seeds: list[int], limits: list[float]) -> list[dict]:
    """The solver on planted instances (bench/planted.py): its distance from the optimum."""
    rows = []
    for n, m in PLANTED_SIZES:
        for seed in seeds:
            p = planted_instance(n, m, seed)
            row = {"size": f"{n} / {m}", "seed": seed, "optimum": p.optimum}
            for limit in limits:
                start = time.perf_counter()
                q = assign(p.applications, p.booths, p.zones, time_limit=limit).quality
                gap = max(0.0, (q.objective - p.optimum) / p.optimum)  # -1e-16: rounding
                row[limit] = gap, time.perf_counter() - start
                row["bound"] = q.lower_bound
            rows.append(row)
            print(row, flush=True)
    return rows


def worst_rows(rows: list[dict], limits: list[float]) -> list[str]:
    """Per size, the worst distance (``row[limit][0]``) of each limit, as table rows."""
    out = []
    for size in dict.fromkeys(r["size"] for r in rows):
        worst = " | ".join(
            f"**{max(r[limit][0] for r in rows if r['size'] == size):.2%}**" for limit in limits
        )
        out.append(f"| {size} | worst | | | {worst} |")
    return out


def planted_table(rows: list[dict], limits: list[float]) -> str:
    head = " | ".join(f"above the optimum, {limit:g} s limit (time)" for limit in limits)
    lines = [
        f"| applicants / booths | seed | optimum | bound | {head} |",
        "|---|---:|---:|---:|" + "---:|" * len(limits),
    ]
    for r in rows:
        cells = " | ".join(f"{r[limit][0]:.2%} ({r[limit][1]:.1f} s)" for limit in limits)
        lines.append(
            f"| {r['size']} | {r['seed']} | {r['optimum']:.2f} | {r['bound']:.2f} | {cells} |"
        )
    lines += worst_rows(rows, limits)
    return "\n".join(lines)


def run_planted(seeds: list[int], limits: list[float], write: bool) -> None:
    rows = planted_rows(seeds, limits)
    result = planted_table(rows, limits)
    print(result)
    if not write:
        return
    text = f"""
`bench/{Path(__file__).name} --planted`, {date.today().isoformat()}, Python
{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, load average
{os.getloadavg()[0]:.1f} when measured (the machine is shared by several engineers: times
are wall clock on a busy machine, and a search cut by its time limit finds less than it
would on a quiet one).

Planted instances (`bench/planted.py`): the assignment is chosen first and the demand
derived from it, so its cost is the optimum (the argument is in the generator's
docstring). The table gives the solver's objective above that optimum for each seed and
the time limit (`assign(..., time_limit=…)`, the command's `--time-limit`), and the
solver's lower bound. Targets: the optimum exactly at 150; at most 2 % above it in 5 s and
1 % in 30 s at 500 and 1,500.

{result}
"""
    write_section(PLANTED_HEADING, text, DOC)
    print(f"written to {DOC}")


#: Best-known solutions of the ordinary bench halls (``--reference-build``, by the
#: independent method of bench/reference.py), one JSON file per hall: its cost, how it was
#: found, each exhibitor's booths and, where the exact MILP ran, its bound.
REFERENCE_HEADING = "## Automatic assignment against the best known (bench/assign.py --reference)"


def build_reference(
    sizes: list[tuple[int, int]],
    seeds: list[int],
    seconds: float,
    prove: float,
    from_solver: bool = False,
) -> None:
    """Improve each hall's stored reference by the large-neighbourhood search of
    bench/reference.py for ``seconds`` (and the exact MILP for ``prove`` seconds first;
    with ``from_solver``, from a 30 s solver run where that is better); an improvement
    only is stored."""
    for n, m in sizes:
        for seed in seeds:
            improve_reference(n, m, seed, seconds, prove, from_solver)


def reference_rows(
    sizes: list[tuple[int, int]], seeds: list[int], limits: list[float]
) -> list[dict]:
    """The solver with each of ``limits`` on each hall, against its stored best known."""
    rows = []
    for n, m in sizes:
        for seed in seeds:
            ref = load_reference(n, m, seed)
            if ref is None:
                continue
            apps, booths, zones = instance(n, m, seed)
            problem = problem_of(apps, booths, zones)
            best = columns_of(problem, ref["booths"])
            row = {"size": f"{n} / {m}", "seed": seed, "ref": ref, "excess": {}}
            for limit in limits:
                start = time.perf_counter()
                result = assign(apps, booths, zones, time_limit=limit)
                took = time.perf_counter() - start
                q = result.quality
                row[limit] = (
                    (q.objective - ref["cost"]) / ref["cost"],
                    took,
                    len(result.assignments) - ref["placed"],
                )
                col = columns_of(problem, {a.exhibitor: a.booths for a in result.assignments})
                row["excess"][limit] = excess(problem, col, best)
            rows.append(row)
            print(row["size"], seed, {k: v for k, v in row.items() if k in limits}, flush=True)
    return rows


def reference_table(rows: list[dict], limits: list[float]) -> str:
    head = " | ".join(f"solver, {limit:g} s limit: above (time)" for limit in limits)
    lines = [
        f"| applicants / booths | seed | best known | found by | {head} |",
        "|---|---:|---:|---|" + "---:|" * len(limits),
    ]

    def cell(value: tuple[float, float, int]) -> str:
        above, took, placed = value
        fewer = f", {placed:+d} placed" if placed else ""
        return f"{above:.2%} ({took:.1f} s{fewer})"

    for r in rows:
        ref = r["ref"]
        best = f"{ref['cost']:.2f}"
        if ref.get("proven_optimal"):
            best = f"**{best}** (optimal)"
        elif "bound" in ref:
            best += f" (bound {ref['bound']:.2f})"
        cells = " | ".join(cell(r[limit]) for limit in limits)
        lines.append(f"| {r['size']} | {r['seed']} | {best} | {ref['found_by']} | {cells} |")
    lines += worst_rows(rows, limits)
    lines += ["", "Where the solver's solutions cost more than the best known, by term:", ""]
    lines += ["| applicants / booths | seed | limit | excess over the best known |"]
    lines += ["|---|---:|---:|---|"]
    for r in rows:
        for limit in limits:
            lines.append(f"| {r['size']} | {r['seed']} | {limit:g} s | {r['excess'][limit]} |")
    return "\n".join(lines)


def run_reference(
    sizes: list[tuple[int, int]], seeds: list[int], limits: list[float], write: bool
) -> None:
    """The solver against the best known, per seed and worst case, for each time limit."""
    load = os.getloadavg()[0]
    rows = reference_rows(sizes, seeds, limits)
    result = reference_table(rows, limits)
    print(result)
    if write:
        after = os.getloadavg()[0]
        text = f"""
`bench/{Path(__file__).name} --reference --limits {",".join(f"{t:g}" for t in limits)}`,
{date.today().isoformat()}, load average {load:.1f} before and {after:.1f} after (the
machine is shared; times are wall clock): the ordinary bench halls (generator seeds as
listed), the solver with each time limit against the best solution known for each hall
(`bench/reference/`, built by `--reference-build SECONDS`: the best of every long run so
far, by the large-neighbourhood search of `bench/reference.py` — independent of the
solver: windows of 30–80 applicants re-solved exactly by HiGHS — and at 150 / 150 the
exact MILP where it could prove the optimum; where a 30 s solver run had found better,
that run improved by the same search (`--from-solver`, named in "found by"); each file
has its cost and each exhibitor's booths, and the cost is checked against the booths when
loaded). "+k placed" means the
solver placed k more (or fewer) applicants than the reference, whose cost then covers a
different set. A negative distance means this run found better than the reference.
Target (issue 20): at most 2 % above the best known in 5 s, 1 % in 30 s.

{result}
"""
        write_section(REFERENCE_HEADING, text, DOC)


BOUNDS_HEADING = "## Automatic assignment: the lower bound (bench/assign.py --bounds)"


def _bounds_of(instance) -> dict:
    """The old bound (the construction's cache, every cheap relaxation, no time limit) and
    the LP relaxation's, with their wall times."""
    from exhibit.booking.assign.bound import lower_bound
    from exhibit.booking.assign.construct import construct
    from exhibit.booking.assign.relaxation import Relaxation
    from exhibit.booking.assign.state import Budget, SolveCache

    cache = SolveCache()
    construct(instance, Budget.unlimited().for_construction(), cache)
    start = time.perf_counter()
    old = lower_bound(instance, cache, relaxation=False)
    old_time = time.perf_counter() - start
    coupled = cache.coupled
    key = instance.admitted_key()
    prices = coupled.prices if coupled is not None and coupled.admitted == key else None
    relaxation = Relaxation(instance, prices)
    start = time.perf_counter()
    lp = relaxation.run()
    lp_time = time.perf_counter() - start
    return {
        "old": old,
        "old_time": old_time,
        "lp": lp,
        "lp_time": lp_time,
        "rounds": relaxation.rounds,
        "converged": relaxation.converged,
        "new": max(old, lp if lp is not None else -np.inf),
    }


def bounds_rows(
    sizes: list[tuple[int, int]], seeds: list[int], limits: list[float]
) -> tuple[list[dict], list[dict]]:
    """Ordinary halls (against their best known) and planted ones (against the optimum)."""
    ordinary = []
    for n, m in sizes:
        for seed in seeds:
            ref = load_reference(n, m, seed)
            if ref is None:
                continue
            apps, booths, zones = instance(n, m, seed)
            problem = problem_of(apps, booths, zones)
            col = columns_of(problem, ref["booths"])
            placed = problem.admitted & (col >= 0)
            # The bound of the applicants the reference places (as assign reports it).
            if (placed != problem.admitted).any():
                problem = problem.with_admitted(placed, {})
            row = {"size": f"{n} / {m}", "seed": seed, "ref": ref["cost"]}
            row.update(_bounds_of(problem))
            for limit in limits:
                q = assign(apps, booths, zones, time_limit=limit).quality
                row[limit] = (q.lower_bound, q.objective)
            ordinary.append(row)
            print({k: v for k, v in row.items() if k != "ref"}, flush=True)
    planted = []
    for n, m in PLANTED_SIZES:
        for seed in seeds:
            p = planted_instance(n, m, seed)
            problem = problem_of(p.applications, p.booths, p.zones)
            row = {"size": f"{n} / {m}", "seed": seed, "ref": p.optimum}
            row.update(_bounds_of(problem))
            planted.append(row)
            print({k: v for k, v in row.items()}, flush=True)
    return ordinary, planted


def _gap(best: float, bound: float) -> float:
    """(best − bound) / bound; rounding noise of a tight bound (1e-9) shows as 0."""
    gap = (best - bound) / max(abs(bound), 1.0)
    return 0.0 if abs(gap) < 1e-9 else gap


def bounds_table(ordinary: list[dict], planted: list[dict], limits: list[float]) -> str:
    head = " | ".join(f"assign, {limit:g} s: bound (gap of its result)" for limit in limits)
    lines = [
        f"| applicants / booths | seed | best known | old bound (gap) | LP bound (gap) "
        f"| LP time (rounds) | {head} |",
        "|---|---:|---:|---:|---:|---:|" + "---:|" * len(limits),
    ]
    for r in ordinary:
        cells = " | ".join(
            f"{r[limit][0]:.2f} ({_gap(r[limit][1], r[limit][0]):.2%})" for limit in limits
        )
        lines.append(
            f"| {r['size']} | {r['seed']} | {r['ref']:.2f} "
            f"| {r['old']:.2f} ({_gap(r['ref'], r['old']):.2%}) "
            f"| {r['new']:.2f} ({_gap(r['ref'], r['new']):.2%}) "
            f"| {r['lp_time']:.1f} s ({r['rounds']}) | {cells} |"
        )
    for size in dict.fromkeys(r["size"] for r in ordinary):
        rows = [r for r in ordinary if r["size"] == size]
        old = max(_gap(r["ref"], r["old"]) for r in rows)
        new = max(_gap(r["ref"], r["new"]) for r in rows)
        worst = " | ".join(
            f"{max(_gap(r[limit][1], r[limit][0]) for r in rows):.2%}" for limit in limits
        )
        lines.append(f"| {size} | worst | | **{old:.2%}** | **{new:.2%}** | | {worst} |")
    lines += [
        "",
        "Planted halls (the optimum known by construction): bound below the optimum by",
        "",
        "| applicants / booths | seed | optimum | old bound | LP bound | LP time (rounds) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in planted:
        assert r["new"] <= r["ref"] + 1e-6 * max(abs(r["ref"]), 1.0), r  # a valid bound
        lines.append(
            f"| {r['size']} | {r['seed']} | {r['ref']:.2f} "
            f"| {r['old']:.2f} ({_gap(r['ref'], r['old']):.2%}) "
            f"| {r['new']:.2f} ({_gap(r['ref'], r['new']):.2%}) "
            f"| {r['lp_time']:.1f} s ({r['rounds']}) |"
        )
    return "\n".join(lines)


def run_bounds(
    sizes: list[tuple[int, int]], seeds: list[int], limits: list[float], write: bool
) -> None:
    load = os.getloadavg()[0]
    ordinary, planted = bounds_rows(sizes, seeds, limits)
    result = bounds_table(ordinary, planted, limits)
    print(result)
    if not write:
        return
    after = os.getloadavg()[0]
    command = (
        f"bench/{Path(__file__).name} --bounds --seeds {','.join(map(str, seeds))} "
        f"--limits {','.join(f'{t:g}' for t in limits)}"
    )
    text = f"""
`{command}`, {date.today().isoformat()}, load average {load:.1f} before and {after:.1f}
after (the machine is shared; times are wall clock).

The lower bound certifies how far a solution can be from the optimum. *Old bound*: the
cheap relaxations (partner floors, booths priced between groups and single booths, the
exact MILP's bound where it is small enough), with the construction's subgradient rounds
as `assign` runs them, and no time limit. *LP bound*: the best of that and the LP
relaxation of the whole assignment (`exhibit/booking/assign/relaxation.py`: each booth
once across single booths and merged groups, the competitor rule penalised, by column
generation; its value is the Lagrangian bound of the LP's duals), run to the end; its wall
time and rounds. *Gap*: (best known − bound) / bound, the best known from
`bench/reference/` (the bound is for the applicants the reference places). *assign, T s*:
the bound `assign(..., time_limit=T)` reports and the gap of its own result against it.
Planted halls: the optimum is known, and no bound may exceed it (checked).

{result}
"""
    write_section(BOUNDS_HEADING, text, DOC)
    print(f"written to {DOC}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--planted", action="store_true", help="known optima, seeds 1-5")
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--limits", default="5,30", help="time limits (s) to compare")
    parser.add_argument(
        "--reference-build", type=float, metavar="SECONDS", help="improve the best known"
    )
    parser.add_argument(
        "--prove", type=float, default=0.0, metavar="SECONDS",
        help="with --reference-build: the exact MILP first, under this time limit",
    )  # fmt: skip
    parser.add_argument(
        "--from-solver", action="store_true",
        help="with --reference-build: start from a 30 s solver run where it is better",
    )  # fmt: skip
    parser.add_argument(
        "--reference", action="store_true", help="the solver (each of --limits) against them"
    )
    parser.add_argument(
        "--sizes", default="150/150,500/600,1500/2000", help="halls for --reference(-build)"
    )
    parser.add_argument("--bounds", action="store_true", help="old and LP lower bounds")
    args = parser.parse_args()
    if args.bounds:
        seeds = [int(s) for s in args.seeds.split(",")]
        sizes = [(int(a), int(b)) for a, b in (size.split("/") for size in args.sizes.split(","))]
        limits = [float(t) for t in args.limits.split(",")]
        run_bounds(sizes, seeds, limits, not args.no_write)
        return
    if args.reference_build or args.prove or args.reference:
        seeds = [int(s) for s in args.seeds.split(",")]
        sizes = [(int(a), int(b)) for a, b in (size.split("/") for size in args.sizes.split(","))]
        if args.reference_build or args.prove:
            build_reference(sizes, seeds, args.reference_build or 0.0, args.prove, args.from_solver)
        if args.reference:
            limits = [float(t) for t in args.limits.split(",")]
            run_reference(sizes, seeds, limits, not args.no_write)
        return
    if args.planted:
        seeds = [int(s) for s in args.seeds.split(",")]
        limits = [float(t) for t in args.limits.split(",")]
        run_planted(seeds, limits, not args.no_write)
        return
    rows: list[dict] = []
    for n, m in SIZES:
        rows.extend(run_case(n, m, args.seed))
        print(f"done {n}/{m}", flush=True)
    for n, m in SIZES[1:]:
        rows.extend(run_case(n, m, args.seed, partners=False))
    result = table(rows)
    print(result)
    if args.no_write:
        return
    text = f"""
`bench/{Path(__file__).name}`, {date.today().isoformat()}, Python {platform.python_version()},
{platform.machine()}, {os.cpu_count()} cores, seed {args.seed}; both placers in the same
process on the same input.

Halls: double rows of 3×3 and 3×6 m booths (35 % of them 18 m²), 3 m aisles, cross aisles
every 30 m, 7 track zones as vertical strips. Demand: tracks in proportion to each zone's
booth area; requests of 9 m² (60 %), 12 (8 %), 18 (27 %), 27 (3 %) and 36 m² (2 %; these
need merged booths); 30 % in partner clusters of 2–4 in their own track, 15 % naming a
competitor in their own track, 15 % wishing a corner booth, 5 % needing step-free access.

- *greedy (FCFS)*: applicants in order, each takes its cheapest free booth (or group) given
  those already placed — same costs, same competitor penalty, same admission.
- *in zone (capacity allows)*: the share in their track's zone, and in brackets the share a
  zone-only run of the solver reaches with the same applicants — what the zones can hold.
- *mean area diff*: relative, |area − request| / request.
- *optimality gap*: (objective − lower bound) / bound, the bound from the solver (module
  docstring of `exhibit/booking/assign.py`: partner floors — nearest neighbour or
  Gilmore–Lawler, the sum of the |P_i| nearest booth-disjoint columns, whichever is larger —
  a Lagrangian relaxation of groups vs. single booths with shadow prices and subgradient
  rounds, and at 150 / 150 HiGHS's MILP bound). The partner term makes this a quadratic
  assignment, whose bounds are loose: the rows "no partner requests" (same halls and demand,
  partner lists emptied) show the gap without it. With partners, the gap is what the bound
  cannot see — partner distances above their floors and the linear cost partners pull
  applicants into (split in the docstring); the Gilmore–Lawler term moved it by 0.2 points
  at 500 / 600 and 0.75 at 1,500 / 2,000, and stronger relaxations tried there did not close
  it. The greedy placer's gap is against the bound for the applicants it placed.
- 150 / 150 is a full hall: merged booths for the large requests leave fewer booths than
  applicants, and the zones cannot hold everyone (the later applications are left out).

Targets: 1,500 on 2,000 in under 5 s; ≥ 95 % in zone where capacity allows; no competitor
adjacencies; gap under 1 % (met only without partner terms, see above). Load average
when measured: {os.getloadavg()[0]:.1f} (the machine is shared; times are wall clock).

{result}
"""
    write_section(HEADING, text, DOC)
    print(f"written to {DOC}")


if __name__ == "__main__":
    main()
