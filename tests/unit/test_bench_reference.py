"""The best-known references of the bench halls (bench/reference.py): their costs are the
solver's own objective, the stored booths cost what the files say, and a window re-solved
by HiGHS is the window's true optimum (checked against enumeration)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from exhibit.booking.assign import assign

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def reference():
    import sys

    sys.path.insert(0, str(BENCH))  # bench scripts import each other by plain names
    try:
        import reference as module

        yield module
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def hall(reference):
    apps, booths, zones = reference.instance(150, 150, 2)
    return apps, booths, zones, reference.problem_of(apps, booths, zones)


def test_the_reported_cost_is_the_solvers_objective(reference, hall):
    apps, booths, zones, p = hall
    result = assign(apps, booths, zones, time_limit=2)
    col = reference.columns_of(p, {a.exhibitor: a.booths for a in result.assignments})
    reference.check(p, col)
    assert reference.reported_cost(p, col) == pytest.approx(result.quality.objective, rel=1e-12)
    assert reference.booths_of(p, col) == {a.exhibitor: a.booths for a in result.assignments}
    terms = reference.parts(p, col)
    assert sum(terms[k] for k in reference.TERMS) == pytest.approx(result.quality.objective)
    assert terms["out of zone"] == round(len(col[col >= 0]) * (1 - result.quality.in_zone_share))
    assert reference.excess(p, col, col) == "–"


@pytest.mark.parametrize("size", [(150, 150), (500, 600)])
def test_every_stored_reference_costs_what_its_file_says(reference, size):
    n, m = size
    paths = sorted(BENCH.glob(f"reference/assign-{n}-{m}-seed*.json"))
    assert len(paths) >= 5
    for path in paths:
        data = json.loads(path.read_text())
        seed = int(path.stem.rsplit("seed", 1)[1])
        p = reference.problem_of(*reference.instance(n, m, seed))
        col = reference.columns_of(p, data["booths"])
        reference.check(p, col)
        assert reference.reported_cost(p, col) == pytest.approx(data["cost"], rel=1e-9)
        assert data["placed"] == len(data["booths"])
        if data.get("proven_optimal"):
            assert data["bound"] >= data["cost"] - 1e-6 * data["cost"]
        if "bound" in data:
            assert data["bound"] <= data["cost"] + 1e-6 * data["cost"]


def test_a_window_is_solved_to_its_true_optimum(reference, hall):
    """A partner cluster of three freed together with the seven free booths nearest to
    it: the MILP's choice is the best of every placement, enumerated."""
    _, _, _, p = hall
    stored = json.loads(reference.reference_path(150, 150, 2).read_text())
    col = reference.columns_of(p, stored["booths"])
    cluster = next(
        c
        for c in reference.Windows(p, np.random.default_rng(0)).clusters
        if len(c) == 3 and all(col[i] >= 0 and not p.needs_group[i] for i in c)
    )
    window = list(cluster)
    owner = p.owners(col)
    pool = np.zeros(p.n_booths, dtype=bool)
    for i in window:
        pool[list(p.members[col[i]])] = True
    centre = p.col_xy[col[window]].mean(axis=0)
    free = np.flatnonzero(owner < 0)
    near = free[np.argsort(np.hypot(*(p.booth_xy[free] - centre).T))][:7]
    pool[near] = True
    new, _, status, exact = reference.solve_window(p, col, window, pool, 60, cap=False)
    assert status == 0 and exact and new is not None
    usable = np.flatnonzero(pool)
    best = np.inf
    for place in itertools.permutations(usable.tolist(), len(window)):
        trial = col.copy()
        trial[window] = place
        if all(np.isfinite(p.linear_cost(i, c)) for i, c in zip(window, place, strict=True)):
            best = min(best, p.objective(trial))
    assert p.objective(new) == pytest.approx(best, rel=1e-12)
    assert p.objective(new) <= p.objective(col) + 1e-9
