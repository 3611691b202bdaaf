"""Benchmark: walk-graph build and visit routes on the demo hall and a generated large hall.

For each hall: the visibility graph's size and build time (``WalkGraph.from_plan``), the time
to find every booth's access point, and the time of a visit route from the main entrance
through 6, 12 (exact order) and 20 (heuristic order) random booths. Medians of ``--repeat``
runs; routes on different random booth sets (seeded). Prints a markdown table.

Run: ``.venv/bin/python bench/route.py``
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import networkx
import shapely
from record import machine, write_section

from exhibit.floorplan.formats import load_plan
from exhibit.floorplan.plan import Plan
from exhibit.floorplan.samples import synthetic_hall
from exhibit.maps.route import WalkGraph, visit_route

DEMO = Path(__file__).resolve().parent.parent / "floorplans" / "goroda-rossii-2025.geojson"
STOPS = (6, 12, 20)


def median_time(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(name: str, plan: Plan, repeat: int) -> str:
    build = median_time(lambda: WalkGraph.from_plan(plan), repeat)
    graph = WalkGraph.from_plan(plan)
    numbers = [b.number for b in plan.booths if b.number]

    access = []
    for _ in range(repeat):
        fresh = WalkGraph.from_plan(plan)  # access points are cached: time a fresh graph
        started = time.perf_counter()
        for n in numbers:
            fresh.access_point(n)
        access.append(time.perf_counter() - started)
    for n in numbers:
        graph.access_point(n)
    rng = random.Random(1)
    route_ms = []
    for k in STOPS:
        sets = [rng.sample(numbers, k) for _ in range(repeat)]
        times = []
        for chosen in sets:
            started = time.perf_counter()
            visit_route(graph, None, chosen)
            times.append(time.perf_counter() - started)
        route_ms.append(f"{statistics.median(times) * 1000:.0f}")
    return (
        f"| {name} | {len(plan.booths):,} | {len(plan.obstacles)} "
        f"| {graph.graph.number_of_nodes()} | {graph.graph.number_of_edges():,} "
        f"| {build * 1000:.0f} | {statistics.median(access) * 1000:.0f} | "
        + " | ".join(route_ms)
        + " |"
    )


HEADING = "## Visit routes (bench/route.py)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()
    halls = [
        ("demo (goroda-rossii-2025)", load_plan(DEMO)),
        ("synthetic_hall(2000)", synthetic_hall(2000, noise=1e-6)),
    ]
    lines = [
        f"Machine: {machine()}; Shapely {shapely.__version__}, GEOS "
        f"{shapely.geos_version_string}; NetworkX {networkx.__version__}. Medians of "
        f"{args.repeat} runs; routes from the main entrance through random booths (access "
        "points already known).",
        "",
        "| hall | booths | obstacles | graph nodes | graph edges | build, ms "
        "| all access points, ms | " + " | ".join(f"route {k} stops, ms" for k in STOPS) + " |",
        "|---|---:|---:|---:|---:|---:|---:|" + "---:|" * len(STOPS),
    ]
    lines += [measure(name, plan, args.repeat) for name, plan in halls]
    text = "\n".join(lines)
    print(HEADING + "\n\n" + text)
    if args.write:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
