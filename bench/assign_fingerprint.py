"""The solver's exact results, for checking that a change of structure changes no result.

Planted instances (bench/planted.py, 80 and 150 applicants, seeds 1–5) and the ordinary
halls of bench/assign.py at 30 / 30, 40 / 40 (small enough for the exact MILP) and
150 / 150 (seeds 1–5, the solver and the greedy baseline),
each with a fixed number of search phases and a time limit long enough never to cut
anything: no result depends on the clock. Prints per case the objective, the lower bound,
the gap, the placed share and a fingerprint of everything reported (booths, reasons, cost
by term, unplaced and why, the quality figures).

Run it in the tree before and after a change and compare:
``.venv/bin/python bench/assign_fingerprint.py > after.txt; diff before.txt after.txt``
(an old tree: ``git archive REV exhibit bench | tar -x -C /tmp/old``, then run this file
from /tmp/old with the same interpreter).
"""

from __future__ import annotations

import hashlib
import os
import sys

sys.path.insert(0, os.path.join(os.getcwd(), "bench"))
sys.path.insert(0, os.getcwd())

from assign import make_demand
from planted import make_hall, planted_instance

from exhibit.booking.assign import AssignmentResult, assign

PHASES = 3
NO_LIMIT = 1000.0  # seconds: never reached by these sizes


def fingerprint(result: AssignmentResult) -> str:
    text = repr(sorted((a.exhibitor, tuple(a.booths)) for a in result.assignments))
    text += repr(sorted((u.exhibitor, str(u.reason)) for u in result.unplaced))
    text += repr(
        sorted(
            (a.exhibitor, tuple(map(str, a.reasons)), tuple(sorted(a.cost.items())))
            for a in result.assignments
        )
    )
    text += repr(result.quality)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def show(label: str, result: AssignmentResult) -> None:
    q = result.quality
    print(
        f"{label}: obj={q.objective!r} lb={q.lower_bound!r} gap={q.optimality_gap!r} "
        f"placed={q.placed_share!r} fp={fingerprint(result)}",
        flush=True,
    )


def main() -> None:
    print(f"solver: {sys.modules['exhibit.booking.assign'].__file__}", file=sys.stderr)
    for n in (80, 150):
        for seed in range(1, 6):
            case = planted_instance(n, int(n * 1.2), seed)
            result = assign(
                case.applications, case.booths, case.zones, time_limit=NO_LIMIT, phases=PHASES
            )
            show(f"planted {n} s{seed}", result)
    for n in (30, 40, 150):  # 30 and 40: the exact MILP's paths (groups, competitors)
        for seed in range(1, 6):
            booths, zones = make_hall(n, seed)
            apps = make_demand(n, booths, zones, seed)
            for method in ("optimal", "greedy"):
                result = assign(
                    apps, booths, zones, method=method, time_limit=NO_LIMIT, phases=PHASES
                )
                show(f"hall {n}/{n} s{seed} {method}", result)


if __name__ == "__main__":
    main()
