"""The solver's instance is immutable: a solve keeps what it changes apart (budget, booth
prices, caches, search figures), and who is left out after the solve is a new instance."""

from __future__ import annotations

import gc
import time
import weakref

import numpy as np
import pytest

from exhibit.booking.assign import assign
from exhibit.booking.assign.problem import Instance, Problem
from exhibit.booking.assign.solution import Solution
from exhibit.booking.assign.solve import solve
from exhibit.booking.assign.state import Budget
from tests.unit.test_assign import W, random_case
from tests.unit.test_assign_search import crowded_case, with_clusters


def build(apps, booths, zones) -> Instance:
    return Instance(list(apps), booths, zones, W, 0.1, None, 2.0, {})


def partnered_case(seed: int):
    apps, booths, zones = crowded_case(seed)
    return with_clusters(apps, [[0, 1, 2], [3, 4]], star=False), booths, zones


def snapshot(instance: Instance) -> dict[str, object]:
    """Every attribute: arrays by their bytes (object arrays by their elements' identity),
    anything else by identity."""
    out: dict[str, object] = {}
    for name, value in vars(instance).items():
        if isinstance(value, np.ndarray):
            out[name] = [id(x) for x in value.ravel()] if value.dtype == object else value.tobytes()
        else:
            out[name] = id(value)
    return out


def test_writing_to_an_instance_fails():
    instance = build(*partnered_case(1))
    with pytest.raises(ValueError, match="read-only"):
        instance.admitted[0] = False
    with pytest.raises(ValueError, match="read-only"):
        instance.single_cost[0, 0] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        instance.col_xy[0] += 1.0
    with pytest.raises(AttributeError, match="immutable"):
        instance.admitted = np.zeros(instance.n_applicants, dtype=bool)
    with pytest.raises(AttributeError, match="immutable"):
        instance.booth_price = np.zeros(instance.n_booths)  # construction state lives apart
    with pytest.raises(AttributeError, match="immutable"):
        del instance.partners
    with pytest.raises(TypeError):
        instance.single_row[0] = 1  # a read-only mapping
    with pytest.raises(TypeError):
        instance.left_out[0] = "?"
    with pytest.raises(AttributeError):
        instance.partners.append(())  # tuples, not lists
    assert all(not a.flags.writeable for a in vars(instance).values() if isinstance(a, np.ndarray))
    assert Problem is Instance  # the old name still builds one


@pytest.mark.parametrize("method", ["optimal", "greedy"])
@pytest.mark.parametrize("seed", [0, 1, 6])  # seed 6: the greedy leaves one out after all
def test_a_solve_leaves_the_instance_unchanged(seed, method):
    apps, booths, zones = partnered_case(seed)
    instance = build(apps, booths, zones)
    before = snapshot(instance)
    floors = instance.floors.degree.tobytes(), instance.floors.nearest.tobytes()
    result = solve(instance, method, Budget.unlimited(), phases=2)
    assert snapshot(instance) == before
    assert (instance.floors.degree.tobytes(), instance.floors.nearest.tobytes()) == floors
    # The same as the public entry point gives.
    again = assign(apps, booths, zones, method=method, time_limit=1000, phases=2)
    assert result.quality.objective == again.quality.objective
    assert [a.booths for a in result.assignments] == [a.booths for a in again.assignments]


def test_with_admitted_is_a_new_instance():
    instance = build(*partnered_case(2))
    admitted = np.flatnonzero(instance.admitted)
    assert admitted.size >= 2
    mask = instance.admitted.copy()
    mask[admitted[0]] = False
    before = snapshot(instance)
    fewer = instance.with_admitted(mask, {int(admitted[0]): "нет места"})
    assert snapshot(instance) == before  # the old one is as it was
    assert instance.admitted[admitted[0]] and not fewer.admitted[admitted[0]]
    assert fewer.left_out[int(admitted[0])] == "нет места"
    assert int(admitted[0]) not in instance.left_out
    assert fewer.floors is not instance.floors  # the partner floors follow the admitted
    assert fewer.single_cost is instance.single_cost  # the read-only parts are shared
    with pytest.raises(ValueError, match="read-only"):
        fewer.admitted[admitted[1]] = False
    with pytest.raises(ValueError, match="subset"):
        fewer.with_admitted(instance.admitted, {})  # cannot admit again


def test_the_objective_leaves_out_who_is_no_longer_admitted():
    apps, booths, zones = random_case(7, 6, [[3, 3, 6, 3, 3], [3, 6, 3, 3, 3]])
    instance = build(apps, booths, zones)
    columns = np.full(instance.n_applicants, -1, dtype=np.int64)
    solution = Solution.of(instance, columns)
    assert solution.objective == pytest.approx(
        float(instance.unplaced_cost[instance.admitted].sum())
    )
    assert solution.left_out(instance).tolist() == np.flatnonzero(instance.admitted).tolist()
    with pytest.raises(ValueError, match="read-only"):
        solution.columns[0] = 0
    nobody = instance.with_admitted(np.zeros(instance.n_applicants, dtype=bool), {})
    assert Solution.of(nobody, columns).objective == 0.0


def test_solve_takes_a_budget_or_a_bare_deadline():
    instance = build(*partnered_case(1))
    with_budget = solve(instance, "optimal", Budget.unlimited(), phases=1)
    with_deadline = solve(instance, "optimal", time.perf_counter() + 1000, phases=1)
    assert with_budget.quality.objective == with_deadline.quality.objective
    assert with_budget.quality.lower_bound == with_deadline.quality.lower_bound


def test_an_instance_is_freed_as_soon_as_nobody_holds_it():
    # No reference cycle (the partner floors do not point back at their instance): the
    # cost matrices go when the solve ends, not at some later garbage collection.
    instance = build(*partnered_case(1))
    probe = weakref.ref(instance)
    gc.disable()
    try:
        solve(instance, "optimal", Budget.unlimited(), phases=1)
        del instance
        assert probe() is None
    finally:
        gc.enable()
