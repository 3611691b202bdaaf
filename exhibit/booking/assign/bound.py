"""The lower bound: relaxations of the same problem, the best one reported.

The cheap ones first: partner pairs are charged per-applicant floors (nearest neighbour,
Gilmore–Lawler), competitors are ignored and "each booth once" between groups and single
booths is relaxed with booth prices (Lagrangian); small problems add HiGHS's proven bound
of the exact MILP. Then, while time allows, the LP relaxation of the whole assignment
(:mod:`~exhibit.booking.assign.relaxation`: booths once across groups and single booths,
the competitor rule penalised), kept in the solve's cache so that :func:`raise_bound` can
go on with it (docs/assignment.md, "Lower bound and gap")."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np

from exhibit.booking.assign.exact import exact_solution
from exhibit.booking.assign.floors import unplaced_charge
from exhibit.booking.assign.relaxation import Relaxation
from exhibit.booking.assign.state import SolveCache
from exhibit.booking.assign.tools import lsa

if TYPE_CHECKING:
    from exhibit.booking.assign.problem import Instance


#: The LP relaxation starts only if this many times the first relaxation's time is left.
RELAX_START = 5


def lower_bound(
    instance: Instance, cache: SolveCache, by: float = math.inf, relaxation: bool = True
) -> float:
    """The best of the valid bounds (see the module docstring). The cheapest relaxation
    (nearest-neighbour partner floors, no booth prices) always runs, and the subgradient
    rounds' bound from the construction (``cache.coupled``) costs nothing; the stronger
    ones run while each, taking as long as the first, ends by ``by``. Then, with
    ``relaxation`` and if ``RELAX_START`` times as long is left, the LP relaxation starts
    and runs until ``by`` (:func:`raise_bound` goes on with it)."""
    strong = bool(instance.partner_pairs)
    zero = np.zeros(instance.n_booths)
    start = time.perf_counter()
    bound = lagrangian(instance, zero, False)
    took = time.perf_counter() - start

    def affordable() -> bool:
        return time.perf_counter() + took <= by

    coupled = cache.coupled
    if coupled is not None and coupled.admitted != instance.admitted_key():
        coupled = None  # computed for another admitted set
    if coupled is not None:
        bound = max(bound, coupled.bound)
    if strong and affordable():  # with the Gilmore–Lawler floors
        bound = max(bound, lagrangian(instance, zero, strong))
    if instance.group_applicants.size and affordable():
        bound = max(bound, lagrangian(instance, coupling_prices(instance), strong))
        if coupled is not None and strong and affordable():  # the rounds' best prices
            bound = max(bound, lagrangian(instance, coupled.prices, strong))
    if instance.partner_pairs or instance.comp_pairs or instance.group_applicants.size:
        limit = by - time.perf_counter() if math.isfinite(by) else None
        _, exact = exact_solution(instance, cache, limit)
        if exact is not None:
            bound = max(bound, exact)
    # The LP relaxation's rounds take many times the first relaxation (60-120 times at
    # 500 / 600, ~25 at 1,500 / 2,000): it starts only if some of them fit.
    if relaxation and time.perf_counter() + RELAX_START * took <= by:
        bound = raise_bound(instance, cache, bound, by)
    return bound


def worth_relaxing(instance: Instance) -> bool:
    """Whether the LP relaxation can beat the cheap bounds: only merged groups (booths
    shared with single booths) and competitor pairs make it more than the linear
    assignment with partner floors, which the cheap bounds solve exactly."""
    admitted = instance.admitted
    groups = bool(admitted[instance.group_applicants].any())
    rivals = any(admitted[i] and admitted[j] for i, j in instance.comp_pairs)
    return groups or rivals


def raise_bound(instance: Instance, cache: SolveCache, bound: float, by: float) -> float:
    """``bound`` raised by the LP relaxation, run (or resumed: it is kept in ``cache`` per
    admitted set) until it converges or the clock passes ``by``."""
    key = instance.admitted_key()
    relaxed = cache.relaxations.get(key)
    if relaxed is None:
        if not worth_relaxing(instance):
            return bound
        coupled = cache.coupled
        prices = coupled.prices if coupled is not None and coupled.admitted == key else None
        relaxed = cache.relaxations[key] = Relaxation(instance, prices)
    value = relaxed.run(by)
    return bound if value is None else max(bound, value)


def bound_complete(instance: Instance, cache: SolveCache) -> bool:
    """Whether the LP relaxation has nothing more to give (converged, not worth running);
    False when it was cut short or never started."""
    relaxed = cache.relaxations.get(instance.admitted_key())
    if relaxed is None:
        return not worth_relaxing(instance)
    return relaxed.complete


def shadow_prices(cost: np.ndarray, unplaced: np.ndarray) -> np.ndarray:
    """What losing each booth would cost the single-booth applicants (≥ 0, per booth).

    From the optimal assignment of ``cost`` (rows × booths): a free booth costs nothing;
    a taken booth costs the cheapest chain of moves that frees it — its holder moves to
    another booth, whose holder moves on … until a free booth is reached (or someone
    drops out). Those are the dual prices of the booth constraints (shortest paths in
    the residual graph), found by vectorised Bellman–Ford; chains are short when booths
    are spare, so it converges in a few rounds.
    """
    n_booths = cost.shape[1]
    price = np.zeros(n_booths)
    if cost.size == 0:
        return price
    chosen = lsa(cost, unplaced)
    rows = np.flatnonzero(chosen >= 0)
    held = chosen[rows]
    step = cost[rows] - cost[rows, held][:, None]
    leave = unplaced[rows] - cost[rows, held]
    price[held] = np.inf
    for _ in range(n_booths + 1):
        new = np.minimum((step + price[None, :]).min(axis=1), leave)
        if np.allclose(new, price[held], rtol=0, atol=1e-9):
            break
        price[held] = new
    return np.maximum(price, 0.0)


def group_prices(instance: Instance, price: np.ndarray) -> np.ndarray:
    """What each group column pays at booth prices ``price``: the sum over its members."""
    members = instance.column_booths[instance.group_columns]
    return np.where(members >= 0, price[np.maximum(members, 0)], 0.0).sum(axis=1)


def lagrangian(instance: Instance, price: np.ndarray, strong: bool = False) -> float:
    """Lagrangian bound: "each booth once" between groups and single booths relaxed
    with a price per booth: ``LSA(S + p) + LSA(G + Σ p) − Σ p`` (valid for any p ≥ 0);
    ``strong``: partner floors with the Gilmore–Lawler term (``partner_floor``)."""
    total = 0.0 - float(price.sum())  # 0.0 - 0.0 is 0.0, not -0.0
    unplaced = unplaced_charge(instance)  # the floors' overcharge taken back
    for rows, cols, base in (
        (instance.single_applicants, instance.single_columns, instance.single_cost),
        (instance.group_applicants, instance.group_columns, instance.group_cost),
    ):
        keep = instance.admitted[rows]
        rows, base = rows[keep], base[keep]
        if rows.size == 0:
            continue
        members = instance.column_booths[cols]
        extra = np.where(members >= 0, price[np.maximum(members, 0)], 0.0).sum(axis=1)
        cost = base + instance.partner_floor(rows, cols, strong) + extra[None, :]
        chosen = lsa(cost, unplaced[rows])
        placed = chosen >= 0
        total += float(cost[np.flatnonzero(placed), chosen[placed]].sum())
        total += float(unplaced[rows[~placed]].sum())
    return total


def lagrangian_parts(
    instance: Instance,
    price: np.ndarray,
    extra_single: np.ndarray | None,
    extra_group: np.ndarray | None,
) -> tuple[float, np.ndarray]:
    """``LSA(S' + p) + LSA(G' + Σp) − Σp`` and how often each booth is used by the two
    relaxed solutions (``S'``, ``G'``: the cost matrices plus ``extra_*``; when those are
    given — partner floors — the unplaced cost is :func:`unplaced_charge`'s)."""
    total = 0.0 - float(price.sum())
    usage = np.zeros(instance.n_booths)
    floored = extra_single is not None or extra_group is not None
    unplaced = unplaced_charge(instance) if floored else instance.unplaced_cost
    for rows, cols, base, extra in (
        (instance.single_applicants, instance.single_columns, instance.single_cost, extra_single),
        (instance.group_applicants, instance.group_columns, instance.group_cost, extra_group),
    ):
        keep = instance.admitted[rows]  # an instance with fewer admitted shares the rows
        rows, base = rows[keep], base[keep]
        if rows.size == 0:
            continue
        members = instance.column_booths[cols]
        cost = base + np.where(members >= 0, price[np.maximum(members, 0)], 0.0).sum(axis=1)
        if extra is not None:
            cost = cost + extra[keep]
        chosen = lsa(cost, unplaced[rows])
        placed = np.flatnonzero(chosen >= 0)
        total += float(cost[placed, chosen[placed]].sum())
        total += float(unplaced[rows[chosen < 0]].sum())
        used = members[chosen[placed]]
        np.add.at(usage, used[used >= 0], 1.0)
    return total, usage


def coupling_prices(instance: Instance) -> np.ndarray:
    """Shadow prices of the booths for the admitted single-booth applicants."""
    rows = instance.single_applicants[instance.admitted[instance.single_applicants]]
    if rows.size == 0 or instance.group_applicants.size == 0:
        return np.zeros(instance.n_booths)
    cost = instance.single_cost[
        [instance.single_row[i] for i in rows.tolist()]
    ] + instance.partner_floor(rows, instance.single_columns)
    return shadow_prices(cost, instance.unplaced_cost[rows])
