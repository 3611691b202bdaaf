"""The solver's search beyond the exact MILP: booth prices between merged groups and single
booths (subgradient rounds), whole partner clusters moved at once, applicants left out
placed again, and the restricted MILP with competitors at their penalty."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest

from exhibit.booking.assign import Application, Weights, assign
from exhibit.booking.assign.bound import coupling_prices, lagrangian
from exhibit.booking.assign.constants import HARD_PENALTY, UNPLACED_PENALTY
from exhibit.booking.assign.construct import Construction, greedy, restricted_exact, zone_windows
from exhibit.booking.assign.exact import solve_milp
from exhibit.booking.assign.improve import improve
from exhibit.booking.assign.polish import Polish
from exhibit.booking.assign.problem import Instance
from exhibit.booking.assign.solution import Solution
from exhibit.booking.assign.state import Budget, SolveCache
from tests.unit.test_assign import (
    WIDTHS_10,
    W,
    brute_force,
    halves,
    placeable,
    random_case,
    row_hall,
)


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


def problem(apps, booths, zones) -> Instance:
    return Instance(list(apps), booths, zones, Weights(), 0.1, None, 2.0, {})


def construction(instance: Instance) -> Construction:
    """A construction of ``instance`` with no time limit."""
    return Construction(instance, Budget.unlimited(), SolveCache())


@pytest.mark.parametrize("seed", range(6))
def test_coupling_rounds_give_a_valid_bound_and_never_a_worse_solution(seed, monkeypatch):
    apps, booths, zones = crowded_case(seed)
    exact = problem(apps, booths, zones)
    rows = np.flatnonzero(exact.admitted).tolist()
    optimum_col, _ = solve_milp(exact, rows, None, None, competitors=False)
    if exact.group_applicants.size == 0 or optimum_col is None or (optimum_col[rows] < 0).any():
        pytest.skip("no merged groups, or not everyone fits")
    optimum = exact.objective(optimum_col)

    p = problem(apps, booths, zones)
    build = construction(p)
    build.prices.booth = coupling_prices(p)
    build._price_groups()
    plain = build._linear_value(build._solve_linear(None, None, {}), None, None)
    col = build._coordinate(None, None, {})
    value = build._linear_value(col, None, None)
    assert value <= plain + 1e-9  # the rounds keep the best solution
    assert value >= optimum - 1e-9
    coupled = build.cache.coupled
    assert coupled.admitted == tuple(rows)
    assert coupled.bound <= optimum + 1e-6  # a valid lower bound
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
    moved = Polish(p, Budget.unlimited())._cluster_moves(start)
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
    moved = Polish(p, Budget.unlimited())._cluster_moves(start)
    assert moved[2] == 3
    assert not p.violations(moved)
    assert p.objective(moved) <= p.objective(start)


# ----------------------------------------------------------------- Gilmore–Lawler partner floor


def with_clusters(apps, clusters: list[list[int]], star: bool):
    """``apps`` with partner clusters: everyone with everyone, or the first with the rest."""
    partners: list[set[str]] = [set() for _ in apps]
    for cluster in clusters:
        for a in cluster:
            for b in cluster:
                if a != b and (not star or a == cluster[0] or b == cluster[0]):
                    partners[a].add(apps[b].exhibitor)
    return [
        Application(**{**app.__dict__, "partners": sorted(partners[i])})
        for i, app in enumerate(apps)
    ]


def bounds(p: Instance) -> tuple[float, float]:
    """The Lagrangian bound at p = 0 with the nearest-neighbour floors and with the
    Gilmore–Lawler floor."""
    zero = np.zeros(p.n_booths)
    return lagrangian(p, zero), lagrangian(p, zero, strong=True)


@pytest.mark.parametrize("seed", range(8))
def test_gilmore_lawler_bound_never_exceeds_the_brute_force_optimum(seed):
    rng = random.Random(300 + seed)
    n = 8 if seed < 4 else 7
    apps, booths, zones = random_case(300 + seed, n, WIDTHS_10)
    order = list(range(n))
    rng.shuffle(order)
    sizes = [4, 3] if seed % 2 == 0 else [3, 2, 2]
    clusters, k = [], 0
    for size in sizes:
        clusters.append(order[k : k + size])
        k += size
    apps = with_clusters(apps, clusters, star=seed % 4 >= 2)
    if not placeable(apps, booths):
        pytest.skip("generated demand does not fit")
    optimum = brute_force(apps, booths, zones, pairwise=True)
    p = problem(apps, booths, zones)
    old, new = bounds(p)
    assert old - 1e-9 <= new <= optimum + 1e-9
    result = assign(apps, booths, zones)
    assert new - 1e-9 <= result.quality.lower_bound <= optimum + 1e-9
    assert result.quality.objective >= optimum - 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_gilmore_lawler_bound_with_merged_booths_is_valid(seed):
    # Two rows of four 3 m booths; one applicant needs two booths merged. The optimum over
    # every placement (columns: single booths and groups, no booth twice) by enumeration.
    rng = random.Random(400 + seed)
    booths = row_hall([[3, 3, 3, 3], [3, 3, 3, 3]])
    zones = halves(booths)
    apps = [
        Application(
            exhibitor=f"E{i}",
            requested_area=18.0 if i == 0 else 9.0,
            track=rng.choice(["t1", "t2"]),
            wish_kind=rng.choice([None, "corner"]),
        )
        for i in range(5)
    ]
    apps = with_clusters(apps, [[0, 1, 2], [3, 4]] if seed % 2 else [[1, 0, 2, 3]], star=False)
    p = problem(apps, booths, zones)
    assert p.admitted.all() and p.group_applicants.size == 1
    best = math.inf

    def place(i: int, col: list[int], used: set[int]) -> None:
        nonlocal best
        if i == p.n_applicants:
            best = min(best, p.objective(np.array(col)))
            return
        for c in range(p.n_columns):
            if (c >= p.n_booths) != bool(p.needs_group[i]) or not math.isfinite(
                p.linear_cost(i, c)
            ):
                continue
            if used.isdisjoint(p.members[c]):
                place(i + 1, [*col, c], used | set(p.members[c]))

    place(0, [], set())
    old, new = bounds(p)
    assert math.isfinite(best)
    assert old - 1e-9 <= new <= best + 1e-9
    for price in (coupling_prices(p), np.full(p.n_booths, 0.5)):
        assert lagrangian(p, price, strong=True) <= best + 1e-9


def test_gilmore_lawler_charges_the_second_and_third_nearest_partner():
    # Four mutual partners, one row of eight 3 m booths, nothing else to pay for. The
    # nearest-neighbour floor charges 3 m for each of the 6 pairs (18 m); each member's
    # three partners are at least 3 + 3 + 6 m away (12 m, half of it per side: 24 m); four
    # booths side by side cost 3 + 6 + 9 + 3 + 6 + 3 = 30 m.
    booths = row_hall([[3] * 8], kinds=[["linear"] * 8])
    zones = halves(booths, tracks=("t1", "t1"))
    names = ["P0", "P1", "P2", "P3"]
    apps = [Application(n, 9.0, "t1", partners=[x for x in names if x != n]) for n in names]
    per_m = W.partner_per_10m / 10
    p = problem(apps, booths, zones)
    old, new = bounds(p)
    assert old == pytest.approx(18 * per_m)
    assert new == pytest.approx(24 * per_m)
    result = assign(apps, booths, zones)
    assert result.quality.objective == pytest.approx(30 * per_m)
    assert result.quality.objective == pytest.approx(brute_force(apps, booths, zones, True))
    assert result.quality.lower_bound == pytest.approx(24 * per_m)


def test_a_cluster_move_beside_a_rival_left_out():
    # A partner cluster whose member names a competitor that is left out (its request
    # fits no booth nor group): the move compares the placed applicants' costs only.
    # (It raised KeyError: the unplaced rival was costed as if it held a column.)
    booths = row_hall([[3] * 10])
    zones = halves(booths, tracks=("t1", "t1"))
    names = ["P0", "P1", "P2"]
    apps = [
        Application(
            exhibitor=n,
            requested_area=9.0,
            track="t1",
            partners=[x for x in names if x != n],
            competitors=["R"] if n == "P0" else [],
        )
        for n in names
    ]
    apps.append(Application(exhibitor="R", requested_area=60.0, track="t1"))
    p = problem(apps, booths, zones)
    assert not p.admitted[3] and p.competitors[0] == (3,)
    start = np.array([0, 5, 9, -1], dtype=np.int64)
    moved = Polish(p, Budget.unlimited())._cluster_moves(start)
    assert p.objective(moved) < p.objective(start)
    assert moved[3] == -1
    result = assign(apps, booths, zones)
    assert [u.exhibitor for u in result.unplaced] == ["R"]


def test_the_search_places_an_applicant_the_start_left_out():
    # Booths of 9, 9, 18 and 18 m² in a row. The start puts the 27 m² group in 9 + 9 + 18
    # and leaves the 9 m² applicant out; the group fits 9 + 18 just as well, and then the
    # 9 m² booth is free for it. (The search used to move only placed applicants.)
    booths = row_hall([[3, 3, 6, 6]])
    zones = halves(booths, tracks=("t1", "t1"))
    apps = [
        Application(exhibitor="G", requested_area=27.0, track="t1"),
        Application(exhibitor="A", requested_area=18.0, track="t1"),
        Application(exhibitor="C", requested_area=9.0, track="t1"),
    ]
    p = problem(apps, booths, zones)
    assert p.admitted.all()
    whole = next(c for c in range(p.n_booths, p.n_columns) if sorted(p.members[c]) == [0, 1, 2])
    start = Solution.of(p, np.array([whole, 3, -1], dtype=np.int64))
    found, search = improve(p, start, time_limit=math.inf, max_phases=3)
    assert (found.columns >= 0).all()
    assert found.objective < start.objective - UNPLACED_PENALTY / 2
    assert search.accepted > 0


def test_the_penalised_milp_pays_for_a_rival_rather_than_leave_someone_out():
    # Two booths side by side and two competitors: the rule cannot hold for both. The
    # penalised MILP places both and charges the penalty, as the objective does; its bound
    # is the objective of that solution.
    booths = row_hall([[3, 3]])
    zones = halves(booths, tracks=("t1", "t1"))
    apps = [
        Application(exhibitor="A", requested_area=9.0, track="t1", competitors=["B"]),
        Application(exhibitor="B", requested_area=9.0, track="t1"),
    ]
    p = problem(apps, booths, zones)
    rows = [0, 1]
    strict, _ = solve_milp(p, rows, None, None, competitors=True)
    assert (strict < 0).sum() == 1  # the rule as a constraint leaves one out
    col, bound = solve_milp(p, rows, None, None, competitors=True, penalise=True)
    assert (col >= 0).all() and len(p.violations(col)) == 1
    assert bound == pytest.approx(p.objective(col))
    assert HARD_PENALTY <= p.objective(col) < UNPLACED_PENALTY


@pytest.fixture
def bench_reference(monkeypatch):
    """bench/reference.py (bench scripts import each other by plain names)."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "bench"))
    import reference

    return reference


@pytest.mark.parametrize("seed", [1, 4])
def test_the_restricted_milp_trades_groups_for_single_booths(seed, bench_reference):
    # The bench halls of 150 applicants and 150 booths whose best known solutions leave one
    # merged group out so that two single-booth applicants fit (bench/reference/): from the
    # first-come-first-served start the restricted MILP places as many as they do, and
    # breaks no competitor rule.
    apps, booths, zones = bench_reference.instance(150, 150, seed)
    p = bench_reference.problem_of(apps, booths, zones)
    start = greedy(p)
    col = restricted_exact(p, start, None)
    assert col is not None
    assert int((col >= 0).sum()) == bench_reference.load(150, 150, seed)["placed"]
    assert int((col >= 0).sum()) > int((start >= 0).sum())
    assert not p.violations(col)
    assert p.objective(col) < p.objective(start)


def test_a_window_moves_only_its_rows_and_never_onto_booths_others_hold(bench_reference):
    # Large halls get the restricted MILP one track's window at a time: the applicants of
    # the track and whoever holds booths in its zone. Everyone else keeps their booths.
    apps, booths, zones = bench_reference.instance(150, 150, 3)
    p = bench_reference.problem_of(apps, booths, zones)
    start = greedy(p)
    windows = zone_windows(p, start)
    assert len(windows) == len(p.tracks)
    admitted = set(np.flatnonzero(p.admitted).tolist())
    assert set().union(*map(set, windows)) == admitted
    lowered = 0
    for rows in windows:
        col = restricted_exact(p, start, None, rows)
        assert col is not None
        outside = sorted(admitted - set(rows))
        assert (col[outside] == start[outside]).all()
        held = [b for i in range(p.n_applicants) if col[i] >= 0 for b in p.members[col[i]]]
        assert len(held) == len(set(held))  # no booth twice
        lowered += p.objective(col) < p.objective(start) - 1e-9
    assert lowered >= 1
