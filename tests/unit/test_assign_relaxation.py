"""The LP relaxation's bound (exhibit/booking/assign/relaxation.py): never above the exact
optimum of the whole objective — pairwise partner distances, competitor penalties,
unplaced applicants — on tiny halls with merged groups, partners and rivals (crowded ones
too, whose optimum leaves someone out), nor above the planted optima; stronger than the
old bound on a mid-size bench hall; valid when cut short, deterministic, resumable, and
what ``assign`` reports when it has the time."""

from __future__ import annotations

import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from bench.planted import planted_instance
from exhibit.booking.assign import HARD_PENALTY, Application, Weights, assign
from exhibit.booking.assign.bound import (
    coupling_prices,
    lagrangian_parts,
    lower_bound,
    raise_bound,
)
from exhibit.booking.assign.construct import construct
from exhibit.booking.assign.problem import Instance
from exhibit.booking.assign.relaxation import Relaxation, relaxation_bound
from exhibit.booking.assign.state import Budget, SolveCache
from tests.unit.test_assign import halves, row_hall

BENCH = Path(__file__).resolve().parents[2] / "bench"


def build(apps, booths, zones) -> Instance:
    return Instance(list(apps), booths, zones, Weights(), 0.1, None, 2.0, {})


def exact_optimum(instance: Instance) -> tuple[float, np.ndarray]:
    """The optimum of the whole objective by a MILP: ``x[i, c]``, ``u[i]``; a partner pair
    pays ``w · d(c, d)`` through ``y ≥ x[i, c] + x[j, d] − 1``; a competitor pair pays
    ``HARD_PENALTY`` through ``v ≥ x[i, c] + Σ_{d next to c} x[j, d] − 1``."""
    rows = np.flatnonzero(instance.admitted).tolist()
    var_i, var_c = [], []
    for i in rows:
        if instance.needs_group[i]:
            cost = instance.group_cost[instance.group_row[i]]
            allowed = np.flatnonzero(np.isfinite(cost)) + instance.n_booths
        else:
            allowed = np.flatnonzero(np.isfinite(instance.single_cost[instance.single_row[i]]))
        var_i += [i] * allowed.size
        var_c += allowed.tolist()
    objective = [instance.linear_cost(i, c) for i, c in zip(var_i, var_c, strict=True)]
    at = {(i, c): k for k, (i, c) in enumerate(zip(var_i, var_c, strict=True))}
    unplaced = {i: len(objective) + k for k, i in enumerate(rows)}
    objective += [float(instance.unplaced_cost[i]) for i in rows]
    cons: list[tuple[dict[int, float], float, float]] = []
    for i in rows:  # one column or unplaced
        cons.append(({**{at[i, c]: 1.0 for (a, c) in at if a == i}, unplaced[i]: 1.0}, 1, 1))
    for b in range(instance.n_booths):  # each booth once
        use = {k: 1.0 for (i, c), k in at.items() if b in instance.members[c]}
        if use:
            cons.append((use, 0, 1))
    per_metre = instance.weights.partner_per_10m / 10.0
    for i, j in instance.partner_pairs:
        if not (instance.admitted[i] and instance.admitted[j]):
            continue
        for (a, c), x in at.items():
            if a != i:
                continue
            for (b, d), y in at.items():
                if b == j and not set(instance.members[c]) & set(instance.members[d]):
                    k = len(objective)
                    objective.append(per_metre * math.dist(instance.col_xy[c], instance.col_xy[d]))
                    cons.append(({x: 1.0, y: 1.0, k: -1.0}, -np.inf, 1))
    for i, j in instance.comp_pairs:
        if not (instance.admitted[i] and instance.admitted[j]):
            continue
        k = len(objective)
        objective.append(HARD_PENALTY)
        for owner, other in ((i, j), (j, i)):
            for (a, c), x in at.items():
                if a != owner:
                    continue
                row = {x: 1.0, k: -1.0}
                for (b, d), y in at.items():
                    if b == other and set(instance.members[d]) & instance.col_near[c]:
                        row[y] = 1.0
                cons.append((row, -np.inf, 1))
    n = len(objective)
    r, v, val = [], [], []
    for k, (row, _, _) in enumerate(cons):
        for var, coef in row.items():
            r.append(k)
            v.append(var)
            val.append(coef)
    matrix = coo_matrix((val, (r, v)), shape=(len(cons), n)).tocsr()
    result = milp(
        np.array(objective),
        constraints=LinearConstraint(matrix, [c[1] for c in cons], [c[2] for c in cons]),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
    )
    assert result.status == 0
    col = np.full(instance.n_applicants, -1, dtype=np.int64)
    for k in np.flatnonzero(result.x[: len(var_i)] > 0.5).tolist():
        col[var_i[k]] = var_c[k]
    return float(result.fun), col


def tiny_case(seed: int, crowded: bool = False):
    """Two or three rows of 3 and 6 m booths; requests of 9–36 m² (27 and 36 m² need merged
    booths), partner pairs and stars, rivals. ``crowded``: as many applicants as booths,
    many large, so that groups take the booths others need."""
    rng = random.Random(seed)
    widths = [[rng.choice([3, 3, 6]) for _ in range(4)] for _ in range(2 if crowded else 3)]
    booths = row_hall(widths)
    zones = halves(booths)
    n = len(booths) if crowded else len(booths) // 2 + 1
    sizes = [9.0, 18.0, 27.0, 36.0, 36.0] if crowded else [9.0] * 4 + [18.0, 27.0, 36.0]
    names = [f"E{i}" for i in range(n)]
    partners: list[list[str]] = [[] for _ in range(n)]
    competitors: list[list[str]] = [[] for _ in range(n)]
    for _ in range(max(2, n // 3)):
        i, j = rng.sample(range(n), 2)
        partners[i].append(names[j])
    for _ in range(max(1, n // 4)):
        i, j = rng.sample(range(n), 2)
        if names[j] not in partners[i] and names[i] not in partners[j]:
            competitors[i].append(names[j])
    apps = [
        Application(
            exhibitor=names[i],
            requested_area=rng.choice(sizes),
            track=rng.choice(["t1", "t2"]),
            wish_kind=rng.choice([None, None, "corner"]),
            partners=partners[i],
            competitors=competitors[i],
        )
        for i in range(n)
    ]
    return apps, booths, zones


def check_below(instance: Instance, optimum: float) -> float:
    relaxed = relaxation_bound(instance)
    assert relaxed is not None
    assert relaxed <= optimum + 1e-9 * max(abs(optimum), 1.0)
    bound = lower_bound(instance, SolveCache())
    assert bound <= optimum + 1e-9 * max(abs(optimum), 1.0)
    assert bound >= relaxed
    return relaxed


@pytest.mark.parametrize("seed", range(6))
def test_never_above_the_exact_optimum_of_the_whole_objective(seed):
    instance = build(*tiny_case(seed))
    assert instance.group_applicants.size and instance.partner_pairs and instance.comp_pairs
    optimum, col = exact_optimum(instance)
    assert instance.objective(col) == pytest.approx(optimum, rel=1e-9, abs=1e-9)
    check_below(instance, optimum)


@pytest.mark.parametrize("seed", [0, 3, 4, 8, 11, 12])
def test_never_above_the_optimum_when_it_leaves_someone_out(seed):
    instance = build(*tiny_case(seed, crowded=True))
    optimum, col = exact_optimum(instance)
    assert instance.objective(col) == pytest.approx(optimum, rel=1e-9)
    assert (instance.admitted & (col < 0)).any()  # someone admitted is left out
    check_below(instance, optimum)


def test_a_forced_competitor_violation():
    booths = row_hall([[3, 3]])  # two booths side by side: the rivals must be neighbours
    zones = halves(booths)
    apps = [
        Application(exhibitor="A", requested_area=9.0, track="t1", competitors=["B"]),
        Application(exhibitor="B", requested_area=9.0, track="t2"),
    ]
    instance = build(apps, booths, zones)
    optimum, col = exact_optimum(instance)
    assert optimum >= HARD_PENALTY and instance.objective(col) == pytest.approx(optimum)
    check_below(instance, optimum)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_never_above_the_planted_optimum(seed):
    p = planted_instance(80, 100, seed)
    instance = build(p.applications, p.booths, p.zones)
    relaxed = check_below(instance, p.optimum)
    assert relaxed >= 0.9 * p.optimum


@pytest.fixture(scope="module")
def bench_hall():
    """An ordinary bench hall of bench/assign.py, 100 applicants on 130 booths."""
    sys.path.insert(0, str(BENCH))  # bench scripts import each other by plain names
    try:
        from assign import make_demand  # bench/assign.py
    finally:
        sys.path.remove(str(BENCH))
    from bench.planted import make_hall

    booths, zones = make_hall(130, 1)
    return make_demand(100, booths, zones, 1), booths, zones


def test_beats_the_old_bound_on_a_bench_hall(bench_hall):
    # The old bound as on halls beyond the exact MILP's reach (MILP_MAX_VARS pairs): should
    # this one be within it, its MILP is marked as done without a bound (cache.exact).
    instance = build(*bench_hall)
    cache = SolveCache()
    construct(instance, Budget.unlimited().for_construction(), cache)
    exact = cache.exact.get(instance.admitted_key())
    cache.exact[instance.admitted_key()] = (None, None)
    old = lower_bound(instance, cache, relaxation=False)
    relaxed = relaxation_bound(instance)
    assert relaxed > 1.1 * old
    assert lower_bound(instance, cache) == pytest.approx(max(old, relaxed), rel=1e-12)
    if exact is not None and exact[1] is not None:  # with the MILP's bound, both valid
        cache.exact[instance.admitted_key()] = exact
        assert lower_bound(instance, cache) >= max(relaxed, exact[1]) - 1e-12


def test_cut_short_it_is_none_or_valid(bench_hall):
    instance = build(*bench_hall)
    full = Relaxation(instance)
    value = full.run()
    assert full.complete
    for wait in (0.0, 0.001, 0.01, 0.05):
        cut = Relaxation(instance).run(time.perf_counter() + wait)
        assert cut is None or cut <= value + 1e-9 * abs(value)
    assert Relaxation(instance).run(time.perf_counter() - 1) is None


def test_deterministic_and_resumable(bench_hall):
    instance = build(*bench_hall)
    once = Relaxation(instance)
    value = once.run()
    assert Relaxation(instance).run() == value
    resumed = Relaxation(instance)
    steps = 0
    while not resumed.complete and steps < 200:
        resumed.run(time.perf_counter() + 0.02)
        steps += 1
    assert resumed.complete and resumed.rounds == once.rounds
    assert resumed.run() == pytest.approx(value, rel=1e-9)


def test_raise_bound_goes_on_with_the_relaxation(bench_hall):
    instance = build(*bench_hall)
    cache = SolveCache()
    cheap = lower_bound(instance, cache, by=time.perf_counter() - 1)  # no time for it
    assert not cache.relaxations
    raised = raise_bound(instance, cache, cheap, math.inf)
    assert raised == pytest.approx(relaxation_bound(instance), rel=1e-12)
    assert raised > cheap


def test_assign_reports_it_when_it_has_the_time(bench_hall):
    result = assign(*bench_hall, time_limit=20, phases=2)
    relaxed = relaxation_bound(build(*bench_hall))
    assert result.quality.lower_bound >= relaxed - 1e-9 * relaxed
    assert result.quality.lower_bound <= result.quality.objective + 1e-9


@pytest.mark.parametrize("seed", [0, 1])
def test_bounds_of_an_instance_with_fewer_admitted_charge_only_them(seed):
    # with_admitted shares the cost matrices' rows: the bounds must skip the rows of
    # applicants no longer admitted (the construction's rounds once charged them).
    instance = build(*tiny_case(seed))
    admitted = instance.admitted.copy()
    admitted[np.flatnonzero(admitted)[:2]] = False
    fewer = instance.with_admitted(admitted, {})
    optimum, _ = exact_optimum(fewer)
    floors = (
        fewer.partner_floor(fewer.single_applicants, fewer.single_columns),
        fewer.partner_floor(fewer.group_applicants, fewer.group_columns),
    )
    zero = np.zeros(fewer.n_booths)
    assert lagrangian_parts(fewer, zero, *floors)[0] <= optimum + 1e-9
    assert lagrangian_parts(fewer, coupling_prices(fewer), *floors)[0] <= optimum + 1e-9
    check_below(fewer, optimum)
