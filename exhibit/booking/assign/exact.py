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

from exhibit.booking.assign.constants import HARD_PENALTY, MILP_MAX_VARS, MILP_NODE_LIMIT
from exhibit.booking.assign.floors import unplaced_charge
from exhibit.booking.assign.state import SolveCache

if TYPE_CHECKING:
    from exhibit.booking.assign.problem import Instance


def exact_solution(
    instance: Instance, cache: SolveCache, time_limit: float | None = None
) -> tuple[np.ndarray | None, float | None]:
    """MILP of the linear problem with partner floors (kept in ``cache`` per admitted set).

    A competitor pair left adjacent costs ``HARD_PENALTY``, as in the objective, so the
    solution breaks the rule only where keeping it would cost more (leave someone out),
    and HiGHS's proven bound is a lower bound of the true objective. ``time_limit``
    (seconds): HiGHS stops there with the best solution it has (None if it has none) and
    a still valid bound.
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
        col, bound = solve_milp(
            instance,
            rows,
            floor_single,
            floor_group,
            competitors=bool(instance.comp_pairs),
            penalise=True,
            time_limit=time_limit,
            # Leaving out costs what the floors may overcharge less (a valid bound; the
            # difference is far below the unplaced costs' steps between applicants).
            unplaced=unplaced_charge(instance),
        )
    cache.exact[key] = (col, bound)
    return col, bound


def solve_milp(
    instance: Instance,
    rows: Sequence[int],
    extra_single: np.ndarray | None,
    extra_group: np.ndarray | None,
    competitors: bool,
    *,
    penalise: bool = False,
    time_limit: float | None = None,
    cheapest: tuple[int, int] | None = None,
    keep: np.ndarray | None = None,
    blocked: np.ndarray | None = None,
    max_vars: int | None = MILP_MAX_VARS,
    unplaced: np.ndarray | None = None,
) -> tuple[np.ndarray | None, float | None]:
    """Exact linear problem by ``scipy.optimize.milp`` (HiGHS), for small instances.

    Each of ``rows`` gets exactly one column or stays unplaced (``unplaced_cost``), each
    booth is used at most once, and with
    ``competitors`` the hard rule holds (``x_ic + Σ_{d next to c} x_jd ≤ 1``). Cost: the
    linear cost plus ``extra_*``; with ``penalise`` the rule is the objective's penalty
    instead (``HARD_PENALTY`` per pair left adjacent, one slack per pair). Returns the
    solution (None if too big or infeasible) and HiGHS's proven lower bound. A node limit
    keeps it deterministic; ``time_limit``, when given, ends it earlier (with the best
    solution found, if any). ``unplaced``: the cost of leaving each applicant out (default
    ``instance.unplaced_cost``).

    A *window* (``rows`` some of the applicants, the others where ``keep`` puts them):
    ``blocked`` marks the booths the others hold, which no column of ``rows`` may use, and a
    column next to an outside competitor's (in ``keep``) costs ``HARD_PENALTY``.
    """
    window = set(rows)
    group_blocked = None
    if blocked is not None:
        members = instance.column_booths[instance.group_columns]
        group_blocked = np.any(
            np.where(members >= 0, blocked[np.maximum(members, 0)], False), axis=1
        )
    var_applicant: list[int] = []
    var_column: list[int] = []
    var_cost: list[np.ndarray] = []
    for i in rows:
        big = bool(instance.needs_group[i])
        if big:
            row = instance.group_cost[instance.group_row[i]]
            extra = None if extra_group is None else extra_group[instance.group_row[i]]
            offset = instance.n_booths
        else:
            row = instance.single_cost[instance.single_row[i]]
            extra = None if extra_single is None else extra_single[instance.single_row[i]]
            offset = 0
        row = row + extra if extra is not None else row.copy()
        if blocked is not None:
            row[group_blocked if big else blocked] = np.inf
        if keep is not None:  # competitors outside the window stay where they are
            for j in instance.competitors[i]:
                if j not in window and keep[j] >= 0:
                    near = np.asarray(instance.columns_next_to(int(keep[j]), big), np.int64)
                    row[near - offset] += HARD_PENALTY
        allowed = np.flatnonzero(np.isfinite(row))
        width = None if cheapest is None else cheapest[big]
        if width is not None and allowed.size > width:
            # The cheapest columns only, and the one ``keep`` gives the applicant.
            allowed = allowed[np.argsort(row[allowed], kind="stable")[:width]]
            if keep is not None and keep[i] >= offset and np.isfinite(row[keep[i] - offset]):
                allowed = np.union1d(allowed, [keep[i] - offset])
        var_applicant.extend([i] * len(allowed))
        var_column.extend((allowed + offset).tolist())
        var_cost.append(row[allowed])
    n_vars = len(var_applicant)
    if n_vars == 0 or (max_vars is not None and n_vars > max_vars):
        return None, None
    cost = np.concatenate(var_cost)
    by_row: dict[int, list[int]] = {}
    for var, i in enumerate(var_applicant):
        by_row.setdefault(i, []).append(var)
    con_rows: list[int] = []
    con_vars: list[int] = []
    con_values: list[float] = []
    lower: list[int] = []
    upper: list[int] = []
    n_cons = 0
    for i in rows:  # each applicant exactly one column
        con_rows.extend([n_cons] * len(by_row[i]))
        con_vars.extend(by_row[i])
        con_values.extend([1.0] * len(by_row[i]))
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
        con_values.extend([1.0] * len(by_booth[b]))
        lower.append(0)
        upper.append(1)
        n_cons += 1
    pair_slacks = 0
    if competitors:
        inside = set(rows)
        var_at = {
            (i, c): var for var, (i, c) in enumerate(zip(var_applicant, var_column, strict=True))
        }
        for i, j in instance.comp_pairs:
            if i not in inside or j not in inside:
                continue
            slack = n_vars + len(rows) + pair_slacks
            pair_slacks += penalise
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
                    con_values.extend([1.0] * (len(others) + 1))
                    if penalise:
                        con_rows.append(n_cons)
                        con_vars.append(slack)
                        con_values.append(-1.0)
                    lower.append(-1 if penalise else 0)  # −z alone: −1
                    upper.append(1)
                    n_cons += 1
    # One "unplaced" slack per applicant keeps the model feasible.
    con_rows.extend(range(len(rows)))
    con_vars.extend(range(n_vars, n_vars + len(rows)))
    con_values.extend([1.0] * len(rows))
    cost = np.concatenate(
        [
            cost,
            (instance.unplaced_cost if unplaced is None else unplaced)[
                np.asarray(rows, dtype=np.int64)
            ],
            np.full(pair_slacks, HARD_PENALTY),
        ]
    )
    width = n_vars + len(rows) + pair_slacks
    matrix = coo_matrix((con_values, (con_rows, con_vars)), shape=(n_cons, width)).tocsr()
    options: dict[str, float] = {"node_limit": MILP_NODE_LIMIT}
    if time_limit is not None:
        options["time_limit"] = max(time_limit, 0.01)
    result = highs_milp(
        cost,
        constraints=LinearConstraint(matrix, np.array(lower, float), np.array(upper, float)),
        integrality=np.ones(width),
        bounds=Bounds(0, 1),
        options=options,
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
