"""The exact linear problem as a MILP (HiGHS, ``scipy.optimize.milp``), for small instances:
each applicant one column or unplaced, each booth once, optionally the competitor rule. The
construction uses its solution and the bound HiGHS's proven bound; both per admitted set,
computed once (:class:`~exhibit.booking.assign.state.SolveCache`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import Bounds, LinearConstraint
from scipy.optimize import milp as highs_milp
from scipy.sparse import coo_matrix

from exhibit.booking.assign.constants import MILP_MAX_VARS, MILP_NODE_LIMIT
from exhibit.booking.assign.floors import unplaced_charge
from exhibit.booking.assign.state import SolveCache

if TYPE_CHECKING:
    from exhibit.booking.assign.problem import Instance


def exact_solution(instance: Instance, cache: SolveCache) -> tuple[np.ndarray | None, float | None]:
    """MILP of the linear problem with partner floors (kept in ``cache`` per admitted set).

    The solution honours the competitor rule unless that would leave someone out; the
    bound is a valid lower bound of the true objective in either case.
    """
    key = instance.admitted_key()
    if key in cache.exact:
        return cache.exact[key]
    rows = list(key)
    col = bound = None
    allowed = sum(
        np.isfinite(instance.single_cost[instance.single_row[i]]).sum()
        if not instance.needs_group[i]
        else np.isfinite(instance.group_cost[instance.group_row[i]]).sum()
        for i in rows
    )
    if rows and allowed <= MILP_MAX_VARS:
        floor_single = instance.partner_floor(instance.single_applicants, instance.single_columns)
        floor_group = instance.partner_floor(instance.group_applicants, instance.group_columns)
        # Leaving out costs what the floors may overcharge less (a valid bound; the
        # difference is far below the unplaced costs' steps between applicants).
        unplaced = unplaced_charge(instance)
        col, bound = solve_milp(
            instance, rows, floor_single, floor_group, competitors=bool(instance.comp_pairs),
            unplaced=unplaced,
        )  # fmt: skip
        if col is None or (col[rows] < 0).any():
            # The rule cannot hold for everyone: bound the problem without it.
            col, bound = solve_milp(
                instance, rows, floor_single, floor_group, competitors=False, unplaced=unplaced
            )
    cache.exact[key] = (col, bound)
    return col, bound


def solve_milp(
    instance: Instance,
    rows: Sequence[int],
    extra_single: np.ndarray | None,
    extra_group: np.ndarray | None,
    competitors: bool,
    unplaced: np.ndarray | None = None,
) -> tuple[np.ndarray | None, float | None]:
    """Exact linear problem by ``scipy.optimize.milp`` (HiGHS), for small instances.

    Each of ``rows`` gets exactly one column or stays unplaced (``unplaced_cost``), each
    booth is used at most once, and with
    ``competitors`` the hard rule holds (``x_ic + Σ_{d next to c} x_jd ≤ 1``). Cost: the
    linear cost plus ``extra_*``. Returns the solution (None if too big or infeasible)
    and HiGHS's proven lower bound. A node limit, not a time limit, keeps it
    deterministic. ``unplaced``: the cost of leaving each applicant out (default
    ``instance.unplaced_cost``).
    """
    var_applicant, var_column = [], []
    for i in rows:
        if instance.needs_group[i]:
            allowed = (
                np.flatnonzero(np.isfinite(instance.group_cost[instance.group_row[i]]))
                + instance.n_booths
            )
        else:
            allowed = np.flatnonzero(np.isfinite(instance.single_cost[instance.single_row[i]]))
        var_applicant.extend([i] * len(allowed))
        var_column.extend(allowed.tolist())
    n_vars = len(var_applicant)
    if n_vars == 0 or n_vars > MILP_MAX_VARS:
        return None, None
    applicant_of, column_of = np.array(var_applicant), np.array(var_column)
    cost = np.empty(n_vars)
    big = instance.needs_group[applicant_of]
    single_rows = np.array([instance.single_row.get(i, 0) for i in var_applicant])
    group_rows = np.array([instance.group_row.get(i, 0) for i in var_applicant])
    cost[~big] = instance.single_cost[single_rows[~big], column_of[~big]]
    cost[big] = instance.group_cost[group_rows[big], column_of[big] - instance.n_booths]
    if extra_single is not None:
        cost[~big] += extra_single[single_rows[~big], column_of[~big]]
    if extra_group is not None:
        cost[big] += extra_group[group_rows[big], column_of[big] - instance.n_booths]
    by_row: dict[int, list[int]] = {}
    for var, i in enumerate(var_applicant):
        by_row.setdefault(i, []).append(var)
    con_rows, con_vars, lower, upper = [], [], [], []
    n_cons = 0
    for i in rows:  # each applicant exactly one column
        con_rows.extend([n_cons] * len(by_row[i]))
        con_vars.extend(by_row[i])
        lower.append(1)
        upper.append(1)
        n_cons += 1
    by_booth: dict[int, list[int]] = {}
    for var, c in enumerate(var_column):
        for b in instance.members[c]:
            by_booth.setdefault(b, []).append(var)
    for b in sorted(by_booth):  # each booth at most once
        con_rows.extend([n_cons] * len(by_booth[b]))
        con_vars.extend(by_booth[b])
        lower.append(0)
        upper.append(1)
        n_cons += 1
    if competitors:
        inside = set(rows)
        var_at = {
            (i, c): var for var, (i, c) in enumerate(zip(var_applicant, var_column, strict=True))
        }
        for i, j in instance.comp_pairs:
            if i not in inside or j not in inside:
                continue
            for var in by_row[i]:
                others = [
                    var_at[(j, other)]
                    for other in instance.columns_next_to(
                        var_column[var], bool(instance.needs_group[j])
                    )
                    if (j, other) in var_at
                ]
                if others:
                    con_rows.extend([n_cons] * (len(others) + 1))
                    con_vars.extend([var, *others])
                    lower.append(0)
                    upper.append(1)
                    n_cons += 1
    # One "unplaced" slack per applicant keeps the model feasible.
    con_rows.extend(range(len(rows)))
    con_vars.extend(range(n_vars, n_vars + len(rows)))
    if unplaced is None:
        unplaced = instance.unplaced_cost
    cost = np.concatenate([cost, unplaced[np.asarray(rows, dtype=np.int64)]])
    matrix = coo_matrix(
        (np.ones(len(con_rows)), (con_rows, con_vars)), shape=(n_cons, n_vars + len(rows))
    ).tocsr()
    result = highs_milp(
        cost,
        constraints=LinearConstraint(matrix, np.array(lower, float), np.array(upper, float)),
        integrality=np.ones(n_vars + len(rows)),
        bounds=Bounds(0, 1),
        options={"node_limit": MILP_NODE_LIMIT},
    )
    bound = getattr(result, "mip_dual_bound", None)
    if result.status == 0:
        bound = result.fun if bound is None else bound
    if result.x is None:
        return None, (float(bound) if bound is not None and result.status != 2 else None)
    out = np.full(instance.n_applicants, -1, dtype=np.int64)
    for var in np.flatnonzero(result.x[:n_vars] > 0.5).tolist():
        out[var_applicant[var]] = var_column[var]
    return out, (float(bound) if bound is not None else None)
