"""The solver's search beyond the exact MILP: booth prices between merged groups and single
booths (subgradient rounds) and whole partner clusters moved at once."""

from __future__ import annotations

import random

import numpy as np
import pytest

from exhibit.booking import assign as A
from exhibit.booking.assign import Application, Weights
from tests.unit.test_assign import halves, row_hall


def crowded_case(seed: int):
    """Three rows of 3 and 6 m wide booths; requests of 9–36 m² (36 m² needs a merge)."""
    rng = random.Random(seed)
    widths = [[rng.choice([3, 3, 6]) for _ in range(8)] for _ in range(3)]
    booths = row_hall(widths)
    zones = halves(booths)
    apps = [
        Application(
            exhibitor=f"E{i}",
            requested_area=rng.choice([9.0] * 6 + [18.0] * 2 + [27.0, 36.0]),
            track=rng.choice(["t1", "t2"]),
        )
        for i in range(int(len(booths) * 0.55))
    ]
    return apps, booths, zones


def problem(apps, booths, zones) -> A._Problem:
    return A._Problem(list(apps), booths, zones, Weights(), 0.1, None, 2.0, {})


@pytest.mark.parametrize("seed", range(6))
def test_coupling_rounds_give_a_valid_bound_and_never_a_worse_solution(seed, monkeypatch):
    apps, booths, zones = crowded_case(seed)
    exact = problem(apps, booths, zones)
    rows = np.flatnonzero(exact.admitted).tolist()
    optimum_col, _ = exact._milp(rows, None, None, competitors=False)
    if exact.rows_b.size == 0 or optimum_col is None or (optimum_col[rows] < 0).any():
        pytest.skip("no merged groups, or not everyone fits")
    optimum = exact.objective(optimum_col)

    p = problem(apps, booths, zones)
    p.booth_price = p._coupling_prices()
    p._price_groups()
    plain = p._linear_value(p._solve_linear(None, None, {}), None, None)
    col = p._coordinate(None, None, {})
    value = p._linear_value(col, None, None)
    assert value <= plain + 1e-9  # the rounds keep the best solution
    assert value >= optimum - 1e-9
    key, bound = p.coupled_bound
    assert key == tuple(rows)
    assert bound <= optimum + 1e-6  # a valid lower bound
    used = [b for i in rows if col[i] >= 0 for b in p.members[col[i]]]
    assert len(used) == len(set(used))  # each booth once


def test_a_cluster_moves_together_to_free_booths():
    # One row of ten 3 m booths in one zone; three partners start far apart.
    booths = row_hall([[3] * 10])
    zones = halves(booths, tracks=("t1", "t1"))
    names = ["P0", "P1", "P2"]
    apps = [
        Application(
            exhibitor=n, requested_area=9.0, track="t1", partners=[x for x in names if x != n]
        )
        for n in names
    ]
    p = problem(apps, booths, zones)
    start = np.array([0, 5, 9], dtype=np.int64)
    moved = p._cluster_moves(start)
    assert p.objective(moved) < p.objective(start)
    positions = sorted(moved.tolist())
    assert positions[2] - positions[0] == 2  # three booths side by side
    assert len(set(positions)) == 3


def test_a_cluster_move_respects_a_competitor_outside_the_cluster():
    booths = row_hall([[3] * 8])
    zones = halves(booths, tracks=("t1", "t1"))
    apps = [
        Application(exhibitor="P0", requested_area=9.0, track="t1", partners=["P1"]),
        Application(exhibitor="P1", requested_area=9.0, track="t1", partners=["P0"]),
        Application(exhibitor="R", requested_area=9.0, track="t1", competitors=["P0", "P1"]),
    ]
    p = problem(apps, booths, zones)
    start = np.array([0, 7, 3], dtype=np.int64)  # the rival in the middle, at booth 4
    moved = p._cluster_moves(start)
    assert moved[2] == 3
    assert not p._violations(moved)
    assert p.objective(moved) <= p.objective(start)
