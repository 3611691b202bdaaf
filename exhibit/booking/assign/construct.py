"""Construction: a first solution from exact linear assignments.

Steps (docs/assignment.md, "Algorithm"): booth prices between merged groups and single
booths (shadow prices, subgradient rounds), groups then single booths by
``linear_sum_assignment``, competitor repair (or the exact MILP on small problems),
partner majorisation round a common centre, local search and cluster moves. Optional steps
stop at the construction's share of the time limit (``Budget.late``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from exhibit.booking.assign.bound import coupling_prices, group_prices, lagrangian_parts
from exhibit.booking.assign.constants import (
    CLUSTER_CHEAP,
    CLUSTER_NEAR,
    COUPLING_BIG,
    COUPLING_ROUNDS,
    COUPLING_ROUNDS_BIG,
    HARD_PENALTY,
    POLISH_ROUNDS,
)
from exhibit.booking.assign.exact import exact_solution, solve_milp
from exhibit.booking.assign.solution import Solution
from exhibit.booking.assign.state import BoothPrices, Budget, CoupledBound, SolveCache
from exhibit.booking.assign.tools import UnionFind, lsa

if TYPE_CHECKING:
    from exhibit.booking.assign.problem import Instance


def construct(instance: Instance, budget: Budget, cache: SolveCache) -> Solution:
    """The solver's first solution of ``instance`` (optional steps until
    ``budget.construct_by``; the exact MILP and the subgradient rounds' bound kept in
    ``cache`` for the bound)."""
    columns = Construction(instance, budget, cache).run()
    return Solution.of(instance, columns)


def first_come_first_served(instance: Instance) -> Solution:
    """The greedy baseline as a solution (:func:`greedy`)."""
    return Solution.of(instance, greedy(instance))


class Construction:
    """One construction of one instance: the booth prices it settles on
    (``self.prices``), the time it may use (``self.budget``) and what it leaves for the
    bound (``self.cache``)."""

    def __init__(self, instance: Instance, budget: Budget, cache: SolveCache) -> None:
        self.instance = instance
        self.budget = budget
        self.cache = cache
        self.prices = BoothPrices.zero(instance.n_booths, instance.group_columns.size)

    def _linear_value(
        self, col: np.ndarray, extra_single: np.ndarray | None, extra_group: np.ndarray | None
    ) -> float:
        """Cost of a solution under the linear costs plus ``extra_*`` (what step 2 bounds)."""
        total = 0.0
        for i in np.flatnonzero(self.instance.admitted).tolist():
            c = int(col[i])
            if c < 0:
                total += float(self.instance.unplaced_cost[i])
                continue
            total += self.instance.linear_cost(i, c)
            if self.instance.is_big[i]:
                extra, row, k = extra_group, self.instance.group_row[i], c - self.instance.n_booths
            else:
                extra, row, k = extra_single, self.instance.single_row[i], c
            if extra is not None:
                total += float(extra[row, k])
        return total

    def _coordinate(
        self, extra_single: np.ndarray | None, extra_group: np.ndarray | None, forbid: dict
    ) -> np.ndarray:
        """Booth prices shared by groups and single booths, by subgradient optimisation.

        Groups and single-booth applicants compete for the same booths; the shadow prices
        of step 2 are marginal (what losing *one* booth costs), so several groups can still
        take booths the others need. Each round solves both relaxed problems with prices
        ``p`` (a valid bound, kept in ``self.cache.coupled``), builds a solution (groups at
        those prices, single booths on what is left) and moves ``p`` along the subgradient
        ``usage − 1`` with Polyak's step ``θ (best solution − bound) / ‖g‖²``. The prices of
        the best solution stay in ``self.prices.booth`` for the later solves. A fixed number
        of rounds keeps it deterministic.
        """
        price = self.prices.booth.copy()
        best_col = self._solve_linear(extra_single, extra_group, forbid)
        best_ub = self._linear_value(best_col, extra_single, extra_group)
        best_price, best_lb = self.prices.booth.copy(), -np.inf
        lb_price = price.copy()
        theta, stall = 1.0, 0
        big = self.instance.single_applicants.size * self.instance.n_booths > COUPLING_BIG
        for _ in range(COUPLING_ROUNDS_BIG if big else COUPLING_ROUNDS):
            if self.budget.late():
                break
            lb, usage = lagrangian_parts(self.instance, price, extra_single, extra_group)
            if lb > best_lb + 1e-9:
                best_lb, stall, lb_price = lb, 0, price.copy()
            else:
                stall += 1
                if stall >= 2:
                    theta, stall = theta / 2, 0
            if best_ub - best_lb <= 1e-4 * max(abs(best_lb), 1.0):
                break
            g = usage - 1.0
            g[(price <= 0) & (g < 0)] = 0.0
            norm = float(g @ g)
            if norm == 0:
                break
            price = np.maximum(0.0, price + theta * (best_ub - lb) / norm * g)
            self.prices.booth = price.copy()
            self._price_groups()
            col = self._solve_linear(extra_single, extra_group, forbid)
            value = self._linear_value(col, extra_single, extra_group)
            if value < best_ub - 1e-9:
                best_col, best_ub, best_price = col, value, self.prices.booth.copy()
        self.prices.booth = best_price
        self._price_groups()
        self.cache.coupled = CoupledBound(self.instance.admitted_key(), best_lb, lb_price)
        return best_col

    def _solve_linear(
        self,
        extra_single: np.ndarray | None,
        extra_group: np.ndarray | None,
        forbid: dict[tuple[int, int], float],
    ) -> np.ndarray:
        """Groups first, then single booths on what the groups left.

        Groups are solved before single booths because they are the harder fit; when that
        leaves a single-booth applicant with nothing, the booths it could have used are
        priced up for groups (``self.prices.booth``, kept for later solves while it helps) and
        both re-solved; the round leaving the fewest applicants out wins.
        """
        best: tuple[int, np.ndarray] | None = None
        start_price = best_price = self.prices.booth.copy()
        first_drops = None
        for _ in range(8):
            col, used = self._solve_groups(extra_group, forbid)
            if self.instance.single_applicants.size:
                cost = (
                    self.instance.single_cost.copy()
                    if extra_single is None
                    else self.instance.single_cost + extra_single
                )
                for (i, c), pen in forbid.items():
                    if not self.instance.is_big[i]:
                        cost[self.instance.single_row[i], c] += pen
                if used:
                    cost[:, sorted(used)] = np.inf
                chosen = lsa(cost, self.instance.unplaced_cost[self.instance.single_applicants])
                col[self.instance.single_applicants] = chosen
            dropped = np.flatnonzero(self.instance.admitted & (col < 0))
            if first_drops is None:
                first_drops = dropped.size
            if best is None or dropped.size < best[0]:
                best = (dropped.size, col)
                best_price = self.prices.booth.copy()
            singles_dropped = dropped[~self.instance.is_big[dropped]]
            if singles_dropped.size == 0 or not used:
                break
            # Booths the dropped applicants could use become dearer inside groups: a price
            # per booth, growing ×4 a round (from 2.5 × the zone weight) up to HARD_PENALTY.
            scarce = self.instance.area >= self.instance.threshold[singles_dropped].min()
            before = self.prices.booth.copy()
            self.prices.booth[scarce] = np.minimum(
                np.maximum(self.prices.booth[scarce] * 4, 2.5 * self.instance.weights.zone),
                HARD_PENALTY,
            )
            if np.array_equal(before, self.prices.booth):
                break
            self._price_groups()
        # Keep prices only as far as they helped (fewer applicants left out).
        self.prices.booth = best_price if best[0] < first_drops else start_price
        self._price_groups()
        return best[1]

    def _price_groups(self) -> None:
        self.prices.group = group_prices(self.instance, self.prices.booth)

    def _solve_groups(
        self, extra_group: np.ndarray | None, forbid: dict[tuple[int, int], float]
    ) -> tuple[np.ndarray, set[int]]:
        """Merged groups for the applicants who need them; clashes go to the later one."""
        col = np.full(self.instance.n_applicants, -1, dtype=np.int64)
        used: set[int] = set()
        if self.instance.group_applicants.size == 0:
            return col, used
        cost = self.instance.group_cost + self.prices.group[None, :]
        if extra_group is not None:
            cost += extra_group
        for (i, c), pen in forbid.items():
            if self.instance.is_big[i]:
                cost[self.instance.group_row[i], c - self.instance.n_booths] += pen
        for _ in range(len(self.instance.group_applicants) + 1):
            chosen = lsa(cost, self.instance.unplaced_cost[self.instance.group_applicants])
            used = set()
            clashing = []
            for k, c in enumerate(chosen.tolist()):
                if c < 0:
                    continue
                mem = self.instance.members[self.instance.n_booths + c]
                if used.intersection(mem):
                    clashing.append(k)
                else:
                    used.update(mem)
            if not clashing:
                break
            # A later applicant whose group overlaps an earlier one's may not use any group
            # touching the booths kept so far; re-solve.
            taken = sorted(
                {
                    x - self.instance.n_booths
                    for b in used
                    for x in self.instance.booth_cols[b]
                    if x >= self.instance.n_booths
                }
            )
            for k in clashing:
                cost[k, taken] = np.inf
        for k, c in enumerate(chosen.tolist()):
            col[self.instance.group_applicants[k]] = self.instance.n_booths + c if c >= 0 else -1
        return col, used

    def _solve_with_rules(
        self, extra_single: np.ndarray | None, extra_group: np.ndarray | None, forbid: dict
    ) -> np.ndarray:
        """Linear solve, then re-solve while new competitor adjacencies turn up.

        Small problems go to the exact MILP first (competitors as constraints); the
        heuristic re-solving is for large ones, or when capacity makes the rule infeasible.
        """
        if self.instance.small:
            rows = np.flatnonzero(self.instance.admitted).tolist()
            col, _ = solve_milp(self.instance, rows, extra_single, extra_group, competitors=True)
            if col is not None and (col[rows] >= 0).all():
                return col
            # Placing people beats the rule: if the rule would leave someone out, fall back
            # to the heuristic, which keeps them and reports the adjacency.
            loose, _ = solve_milp(self.instance, rows, extra_single, extra_group, competitors=False)
            if (
                col is not None
                and loose is not None
                and (loose[rows] < 0).sum() >= (col[rows] < 0).sum()
            ):
                return col
        col = self._solve_linear(extra_single, extra_group, forbid)
        for _ in range(30):
            new = False
            for i, j in self.instance.violations(col):
                # The later application moves: earlier applications keep their choice.
                for c in self.instance.columns_next_to(int(col[i]), bool(self.instance.is_big[j])):
                    if (j, c) not in forbid:
                        forbid[(j, c)] = HARD_PENALTY
                        new = True
            if not new:
                break
            col = self._solve_linear(extra_single, extra_group, forbid)
        return col

    def _surrogate(self, col: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Linear upper bound of the partner cost around each cluster's current centre."""
        if not self.instance.partner_pairs:
            return None, None
        uf = UnionFind(self.instance.n_applicants)
        for i, j in self.instance.partner_pairs:
            uf.union(i, j)
        sums: dict[int, list] = {}
        for i in range(self.instance.n_applicants):
            if col[i] >= 0 and self.instance.partners[i]:
                # Members needing step-free access anchor the cluster: the others come to them.
                wt = 1.0 + 1e3 * self.instance.step[i]
                s = sums.setdefault(uf.find(i), [np.zeros(2), 0])
                s[0] = s[0] + wt * self.instance.col_xy[col[i]]
                s[1] += wt
        centre = np.full((self.instance.n_applicants, 2), np.nan)
        for i in range(self.instance.n_applicants):
            s = sums.get(uf.find(i))
            if s is not None and self.instance.partners[i]:
                centre[i] = s[0] / s[1]
        wp = self.instance.weights.partner_per_10m / 10.0
        out = []
        for rows, cols in (
            (self.instance.single_applicants, self.instance.single_columns),
            (self.instance.group_applicants, self.instance.group_columns),
        ):
            if rows.size == 0:
                out.append(None)
                continue
            z = centre[rows]
            has = ~np.isnan(z[:, 0])
            extra = np.zeros((rows.size, cols.size))
            if has.any():
                xy = self.instance.col_xy[cols]
                d = np.hypot(xy[None, :, 0] - z[has, 0, None], xy[None, :, 1] - z[has, 1, None])
                extra[has] = wp * self.instance.partner_count[rows[has]][:, None] * d
            out.append(extra)
        return out[0], out[1]

    def run(self) -> np.ndarray:
        forbid: dict[tuple[int, int], float] = {}
        if self.instance.group_applicants.size:  # groups pay for the booths they take from others
            self.prices.booth = coupling_prices(self.instance)
            self._price_groups()
        floor_s = (
            self.instance.partner_floor(
                self.instance.single_applicants, self.instance.single_columns
            )
            if self.instance.partner_pairs
            else None
        )
        floor_g = (
            self.instance.partner_floor(self.instance.group_applicants, self.instance.group_columns)
            if self.instance.partner_pairs
            else None
        )
        if (
            self.instance.group_applicants.size and not self.instance.exact_affordable
        ):  # else the exact MILP decides
            self._coordinate(floor_s, floor_g, {})
        col = self._solve_with_rules(floor_s, floor_g, forbid)
        best, best_obj = col, self.instance.objective(col)
        for round_ in range(8 if self.instance.partner_pairs else 0):
            if round_ and self.budget.late():  # one round always: partners drawn together
                break
            extra_single, extra_group = self._surrogate(best)
            col = self._solve_with_rules(extra_single, extra_group, forbid)
            obj = self.instance.objective(col)
            if obj < best_obj - 1e-9:
                best, best_obj = col, obj
            else:
                break
        if not self.budget.late():
            best = self._polish(best)
        if self.instance.violations(best):
            rows = np.flatnonzero(best >= 0).tolist()
            repaired, _ = solve_milp(self.instance, rows, *self._surrogate(best), competitors=True)
            if repaired is not None and (repaired[rows] >= 0).all():
                best = self._polish(repaired)
        # Where the exact MILP is affordable its solution (partner floors in place of the
        # pairwise term) is polished too, and the better one kept; its bound is reused.
        exact, _ = exact_solution(self.instance, self.cache)
        if exact is not None:
            exact = self._polish(exact)
            if self._rank(exact) < self._rank(best):
                best = exact
        return best

    def _rank(self, col: np.ndarray) -> tuple[int, float]:
        """Fewer admitted applicants left out first, then the objective."""
        return int((self.instance.admitted & (col < 0)).sum()), self.instance.objective(col)

    def _local_cost(self, xs: Sequence[int], pos: Mapping[int, int], col: np.ndarray) -> float:
        def at(a: int) -> int:
            return pos.get(a, int(col[a]))

        total = 0.0
        wp = self.instance.weights.partner_per_10m / 10.0
        seen: set[tuple[int, int]] = set()
        for x in xs:
            cx = at(x)
            total += self.instance.linear_cost(x, cx)
            for p in self.instance.partners[x]:
                key = (min(x, p), max(x, p))
                cp = at(p)
                if key in seen or cp < 0:
                    continue
                seen.add(key)
                (ax, ay), (bx, by) = self.instance.xy_list[cx], self.instance.xy_list[cp]
                total += wp * math.hypot(ax - bx, ay - by)
            for q in self.instance.comps[x]:
                key = (-min(x, q) - 1, max(x, q))
                cq = at(q)
                if key in seen or cq < 0:
                    continue
                seen.add(key)
                near = self.instance.col_near[cx]
                if any(b in near for b in self.instance.members[cq]):
                    total += HARD_PENALTY
        return total

    def _polish(self, col: np.ndarray) -> np.ndarray:
        """Local search and cluster moves, in turn, while the true objective improves."""
        col = self._local_search(col)
        if not self.instance.partner_pairs:
            return col
        obj = self.instance.objective(col)
        for _ in range(POLISH_ROUNDS):
            if self.budget.late():
                break
            moved = self._cluster_moves(col)
            moved = self._local_search(moved)
            new = self.instance.objective(moved)
            if new >= obj - 1e-9:
                break
            col, obj = moved, new
        return col

    def _clusters(self) -> list[list[int]]:
        """Partner clusters (connected components) of admitted single-booth applicants."""
        uf = UnionFind(self.instance.n_applicants)
        for i, j in self.instance.partner_pairs:
            if (
                not (self.instance.is_big[i] or self.instance.is_big[j])
                and self.instance.admitted[i]
                and self.instance.admitted[j]
            ):
                uf.union(i, j)
        groups: dict[int, list[int]] = {}
        for i in range(self.instance.n_applicants):
            if (
                self.instance.admitted[i]
                and not self.instance.is_big[i]
                and self.instance.partners[i]
            ):
                groups.setdefault(uf.find(i), []).append(i)
        return [g for _, g in sorted(groups.items()) if len(g) > 1]

    def _cluster_moves(self, col: np.ndarray) -> np.ndarray:
        """Move whole partner clusters at once to their best free booths (best response).

        For each cluster, everyone else stays put: each member may take its own booth or a
        free one among the nearest to the members and its cheapest (competitor rule as a
        filter), and a min-sum dynamic programme over a spanning tree of the cluster finds
        the placement of least linear + partner cost (partners outside the tree's edges and
        outside the cluster are counted exactly afterwards). The move is kept when the true
        local cost falls.
        """
        col = col.copy()
        owner = self.instance.owners(col)
        wp = self.instance.weights.partner_per_10m / 10.0
        for members in self._clusters():
            if any(col[x] < 0 for x in members):
                continue
            free = np.flatnonzero(owner < 0)
            own = np.array([col[x] for x in members], dtype=np.int64)
            pool = np.union1d(free, own)
            if pool.size == 0:
                continue
            tree = cKDTree(self.instance.booth_xy[pool])
            centre = self.instance.booth_xy[own].mean(axis=0)
            _, idx = tree.query(centre, k=min(pool.size, 4 * CLUSTER_NEAR))
            near_all = pool[np.atleast_1d(idx)]
            inside = set(members)
            cand: dict[int, np.ndarray] = {}
            unary: dict[int, np.ndarray] = {}
            for x in members:
                row = self.instance.single_cost[self.instance.single_row[x]]
                _, idx = tree.query(self.instance.booth_xy[col[x]], k=min(pool.size, CLUSTER_NEAR))
                near = pool[np.atleast_1d(idx)]
                finite = pool[np.isfinite(row[pool])]
                cheap = finite[np.lexsort((finite, row[finite]))][:CLUSTER_CHEAP]
                c = np.unique(np.concatenate([near, near_all, cheap, [col[x]]]))
                c = c[np.isfinite(row[c])]
                # Competitors outside the cluster stay put: their neighbourhood is barred.
                bar: set[int] = set()
                for q in self.instance.comps[x]:
                    if q not in inside and col[q] >= 0:
                        for b in self.instance.members[col[q]]:
                            bar.update(self.instance.near[b])
                if bar:
                    c = c[[b not in bar for b in c.tolist()]]
                u = row[c].copy()
                for q in self.instance.partners[x]:  # partners outside the cluster (merged groups)
                    if q not in inside and col[q] >= 0:
                        u += wp * np.hypot(
                            *(self.instance.booth_xy[c] - self.instance.col_xy[col[q]]).T
                        )
                cand[x], unary[x] = c, u
            if any(cand[x].size == 0 for x in members):
                continue
            # Spanning tree (BFS from the first member), then leaves-to-root min-sum.
            root = members[0]
            order, parent = [root], {root: -1}
            for x in order:
                for y in self.instance.partners[x]:
                    if y in inside and y not in parent:
                        parent[y] = x
                        order.append(y)
            total = {x: unary[x].copy() for x in members}
            message: dict[int, np.ndarray] = {}
            for x in reversed(order[1:]):
                par = parent[x]
                a, b = self.instance.booth_xy[cand[par]], self.instance.booth_xy[cand[x]]
                d = wp * np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
                d[cand[par][:, None] == cand[x][None, :]] = np.inf
                message[x] = d + total[x][None, :]
                total[par] = total[par] + message[x].min(axis=1)
            k = int(np.argmin(total[root]))
            if not np.isfinite(total[root][k]):
                continue
            # Top-down: each member takes its best booth given its parent's, among those
            # no other member has taken (the programme itself lets siblings share one).
            pick = {root: k}
            taken = {int(cand[root][k])}
            for x in order[1:]:
                row = message[x][pick[parent[x]]].copy()
                row[np.isin(cand[x], list(taken))] = np.inf
                pick[x] = int(np.argmin(row))
                if not np.isfinite(row[pick[x]]):
                    break
                taken.add(int(cand[x][pick[x]]))
            if len(taken) < len(members):
                continue
            pos = {x: int(cand[x][pick[x]]) for x in members}
            if all(pos[x] == col[x] for x in members):
                continue
            # Exact comparison: every partner and competitor term touching the cluster.
            touched = sorted(inside | {q for x in members for q in self.instance.comps[x]})
            before = self._local_cost(touched, {}, col)
            after = self._local_cost(touched, pos, col)
            if after < before - 1e-9:
                for x in members:
                    owner[col[x]] = -1
                for x in members:
                    col[x] = pos[x]
                    owner[pos[x]] = x
        return col

    def _local_search(self, col: np.ndarray, passes: int = 8) -> np.ndarray:
        """Moves of single-booth holders near their partners or out of a violation.

        For applicant ``i`` and a candidate booth ``c`` (near a partner, or among its
        cheapest when next to a competitor): take ``c`` if free; else its holder ``k``
        either swaps into ``i``'s booth or moves on to its own cheapest free booth
        (an ejection chain of two). Each pass takes, per applicant, the best move that
        lowers the true objective; passes repeat until nothing improves.
        """
        col = col.copy()
        if self.instance.n_booths == 0 or (
            not self.instance.partner_pairs and not self.instance.comp_pairs
        ):
            return col
        owner = self.instance.owners(col)
        ranked: dict[int, list[int]] = {}

        def cheapest(x: int) -> list[int]:
            if x not in ranked:
                row = self.instance.single_cost[self.instance.single_row[x]]
                top = np.argpartition(row, min(self.instance.n_booths, 60) - 1)[
                    : min(self.instance.n_booths, 60)
                ]
                top = top[np.isfinite(row[top])]
                ranked[x] = top[np.lexsort((top, row[top]))].tolist()
            return ranked[x]

        for _ in range(passes):
            if self.budget.late():
                break
            improved = False
            troubled = {x for pair in self.instance.violations(col) for x in pair}
            for i in range(self.instance.n_applicants):
                c0 = int(col[i])
                if (
                    c0 < 0
                    or self.instance.is_big[i]
                    or not (self.instance.partners[i] or i in troubled)
                ):
                    continue
                cands: set[int] = set()
                for p in self.instance.partners[i]:
                    if col[p] >= 0:
                        _, idx = self.instance.booth_kdtree.query(
                            self.instance.col_xy[col[p]], k=min(self.instance.n_booths, 10)
                        )
                        cands.update(np.atleast_1d(idx).tolist())
                if i in troubled:
                    cands.update(cheapest(i)[:40])
                best_delta, best_move = -1e-9, None
                before_i = self._local_cost([i], {}, col)
                for c in sorted(cands):
                    if c == c0 or not np.isfinite(
                        self.instance.single_cost[self.instance.single_row[i], c]
                    ):
                        continue
                    k = int(owner[c])
                    if k < 0:
                        moves = [(-1, -1)]
                    elif self.instance.is_big[k]:
                        continue
                    else:
                        moves = []
                        if np.isfinite(self.instance.single_cost[self.instance.single_row[k], c0]):
                            moves.append((k, c0))
                        free = next(
                            (f for f in cheapest(k) if f != c and owner[f] < 0 and f != c0), None
                        )
                        if free is not None:
                            moves.append((k, free))
                    for k, dest in moves:
                        if k < 0:
                            delta = self._local_cost([i], {i: c}, col) - before_i
                        else:
                            delta = self._local_cost([i, k], {i: c, k: dest}, col)
                            delta -= self._local_cost([i, k], {}, col)
                        if delta < best_delta:
                            best_delta, best_move = delta, (c, k, dest)
                if best_move is not None:
                    c, k, dest = best_move
                    col[i] = c
                    owner[c0] = -1
                    owner[c] = i
                    if k >= 0:
                        col[k] = dest
                        owner[dest] = k
                    improved = True
            if not improved:
                break
        return col


def greedy(instance: Instance) -> np.ndarray:
    """First come, first served: each admitted applicant takes its cheapest free column."""
    col = np.full(instance.n_applicants, -1, dtype=np.int64)
    taken = np.zeros(instance.n_booths, dtype=bool)
    wp = instance.weights.partner_per_10m / 10.0
    for i in range(instance.n_applicants):
        if not instance.admitted[i]:
            continue
        big = bool(instance.is_big[i])
        cols = instance.group_columns if big else instance.single_columns
        row = (
            instance.group_cost[instance.group_row[i]]
            if big
            else instance.single_cost[instance.single_row[i]]
        ).copy()
        if cols.size == 0:
            continue
        busy = np.any(
            np.where(
                instance.column_booths[cols] >= 0,
                taken[np.maximum(instance.column_booths[cols], 0)],
                False,
            ),
            axis=1,
        )
        row[busy] = np.inf
        xy = instance.col_xy[cols]
        for p in instance.partners[i]:
            if col[p] >= 0:
                row += wp * np.hypot(*(xy - instance.col_xy[col[p]]).T)
        for q in instance.comps[i]:
            if col[q] >= 0:
                nxt = np.array(instance.columns_next_to(int(col[q]), big), dtype=np.int64)
                if nxt.size:
                    row[nxt - (instance.n_booths if big else 0)] += HARD_PENALTY
        k = int(np.argmin(row))
        if np.isfinite(row[k]):
            col[i] = cols[k]
            taken[list(instance.members[cols[k]])] = True
    return col
