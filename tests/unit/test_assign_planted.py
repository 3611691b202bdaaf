"""The solver against planted instances, whose optimum is known by construction
(bench/planted.py: the assignment is chosen first and the demand derived from it)."""

from __future__ import annotations

import math

import pytest
import shapely

from bench.planted import planted_instance
from exhibit.booking.assign import Weights, assign


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_planted_instance_is_what_its_docstring_says(seed):
    p = planted_instance(80, 100, seed)
    booths = {b.number: b for b in p.booths}
    used = [n for numbers in p.planted.values() for n in numbers]
    assert len(used) == len(set(used))  # disjoint columns
    by_name = {a.exhibitor: a for a in p.applications}
    zones = {z.track: z.polygon for z in p.zones}
    w = Weights()
    partner_total = area_total = 0.0
    for name, numbers in p.planted.items():
        app = by_name[name]
        polys = [booths[n].polygon for n in numbers]
        area = sum(booths[n].area_m2 for n in numbers)
        assert all(zones[app.track].intersects(q.centroid) for q in polys)  # in its zone
        assert area >= app.requested_area * 0.9 - 0.01  # allowed
        area_total += w.area * abs(area - app.requested_area) / app.requested_area
        centre = shapely.centroid(shapely.union_all(polys))
        for other in app.partners:
            there = shapely.union_all([booths[n].polygon for n in p.planted[other]]).centroid
            partner_total += 0.5 * w.partner_per_10m * centre.distance(there) / 10
        for other in app.competitors:
            there = shapely.union_all([booths[n].polygon for n in p.planted[other]])
            assert shapely.union_all(polys).distance(there) > 2.0
    assert math.isclose(area_total, p.parts["area"], abs_tol=1e-9)
    assert math.isclose(partner_total, p.parts["partners"], abs_tol=1e-9)
    assert any(a.partners for a in p.applications)
    assert any(len(n) > 1 for n in p.planted.values())  # some merged groups
    assert sum(a.step_free for a in p.applications) == 4
    assert p.optimum == pytest.approx(sum(p.parts.values()))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_solver_finds_the_planted_optimum_of_a_small_hall(seed):
    p = planted_instance(80, 100, seed)
    result = assign(p.applications, p.booths, p.zones, time_limit=20)
    q = result.quality
    assert not result.unplaced
    assert q.competitor_adjacencies == 0
    # Never below the optimum (else the generator's argument is wrong) and found exactly.
    assert q.objective == pytest.approx(p.optimum, rel=1e-9)
    assert q.lower_bound <= p.optimum + 1e-6
