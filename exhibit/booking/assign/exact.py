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
        if not instance.is_big[i]
        else np.isfinite(instance.group_cost[instance.group_row[i]]).sum()
        for i in rows
    )
    if rows and allowed <= MILP_MAX_VARS:
        floor_single = instance.partner_floor(instance.single_applicants, instance.single_columns)
        floor_group = instance.partner_floor(instance.group_applicants, instance.group_columns)
        col, bound = solve_milp(
            instance, rows, floor_single, floor_group, competitors=bool(instance.comp_pairs)
        )
        if col is None or (col[rows] < 0).any():
            # The rule cannot hold for everyone: bound the problem without it.
            col, bound = solve_milp(instance, rows, floor_single, floor_group, competitors=False)
    cache.exact[key] = (col, bound)
    return col, bound


def solve_milp(
    instance: Instance,
    rows: Sequence[int],
    extra_single: np.ndarray | None,
    extra_group: np.ndarray | None,
    competitors: bool,
) -> tuple[np.ndarray | None, float | None]:
    """Exact linear problem by ``scipy.optimize.milp`` (HiGHS), for small instances.

    Each of ``rows`` gets exactly one column or stays unplaced (``unplaced_cost``), each
    booth is used at most once, and with
    ``competitors`` the hard rule holds (``x_ic + Σ_{d next to c} x_jd ≤ 1``). Cost: the
    linear cost plus ``extra_*``. Returns the solution (None if too big or infeasible)
    and HiGHS's proven lower bound. A node limit, not a time limit, keeps it
    deterministic.
    """
    var_r, var_c = [], []
    for i in rows:
        if instance.is_big[i]:
            cs = (
                np.flatnonzero(np.isfinite(instance.group_cost[instance.group_row[i]]))
                + instance.n_booths
            )
        else:
            cs = np.flatnonzero(np.isfinite(instance.single_cost[instance.single_row[i]]))
        var_r.extend([i] * len(cs))
        var_c.extend(cs.tolist())
    nv = len(var_r)
    if nv == 0 or nv > MILP_MAX_VARS:
        return None, None
    vr, vc = np.array(var_r), np.array(var_c)
    cost = np.empty(nv)
    big = instance.is_big[vr]
    s_rows = np.array([instance.single_row.get(i, 0) for i in var_r])
    g_rows = np.array([instance.group_row.get(i, 0) for i in var_r])
    cost[~big] = instance.single_cost[s_rows[~big], vc[~big]]
    cost[big] = instance.group_cost[g_rows[big], vc[big] - instance.n_booths]
    if extra_single is not None:
        cost[~big] += extra_single[s_rows[~big], vc[~big]]
    if extra_group is not None:
        cost[big] += extra_group[g_rows[big], vc[big] - instance.n_booths]
    by_row: dict[int, list[int]] = {}
    for v, i in enumerate(var_r):
        by_row.setdefault(i, []).append(v)
    ri, ci, lo, hi = [], [], [], []
    k = 0
    for i in rows:  # each applicant exactly one column
        ri.extend([k] * len(by_row[i]))
        ci.extend(by_row[i])
        lo.append(1)
        hi.append(1)
        k += 1
    by_booth: dict[int, list[int]] = {}
    for v, c in enumerate(var_c):
        for b in instance.members[c]:
            by_booth.setdefault(b, []).append(v)
    for b in sorted(by_booth):  # each booth at most once
        ri.extend([k] * len(by_booth[b]))
        ci.extend(by_booth[b])
        lo.append(0)
        hi.append(1)
        k += 1
    if competitors:
        inside = set(rows)
        var_at = {(i, c): v for v, (i, c) in enumerate(zip(var_r, var_c, strict=True))}
        for i, j in instance.comp_pairs:
            if i not in inside or j not in inside:
                continue
            for v in by_row[i]:
                others = [
                    var_at[(j, d)]
                    for d in instance.columns_next_to(var_c[v], bool(instance.is_big[j]))
                    if (j, d) in var_at
                ]
                if others:
                    ri.extend([k] * (len(others) + 1))
                    ci.extend([v, *others])
                    lo.append(0)
                    hi.append(1)
                    k += 1
    # One "unplaced" slack per applicant keeps the model feasible.
    ri.extend(range(len(rows)))
    ci.extend(range(nv, nv + len(rows)))
    cost = np.concatenate([cost, instance.unplaced_cost[np.asarray(rows, dtype=np.int64)]])
    a = coo_matrix((np.ones(len(ri)), (ri, ci)), shape=(k, nv + len(rows))).tocsr()
    res = highs_milp(
        cost,
        constraints=LinearConstraint(a, np.array(lo, float), np.array(hi, float)),
        integrality=np.ones(nv + len(rows)),
        bounds=Bounds(0, 1),
        options={"node_limit": MILP_NODE_LIMIT},
    )
    bound = getattr(res, "mip_dual_bound", None)
    if res.status == 0:
        bound = res.fun if bound is None else bound
    if res.x is None:
        return None, (float(bound) if bound is not None and res.status != 2 else None)
    out = np.full(instance.n_applicants, -1, dtype=np.int64)
    for v in np.flatnonzero(res.x[:nv] > 0.5).tolist():
        out[var_r[v]] = var_c[v]
    return out, (float(bound) if bound is not None else None)
