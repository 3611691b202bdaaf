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
        instance = self.instance
        total = 0.0
        for i in np.flatnonzero(instance.admitted).tolist():
            c = int(col[i])
            if c < 0:
                total += float(instance.unplaced_cost[i])
                continue
            total += instance.linear_cost(i, c)
            if instance.needs_group[i]:
                extra, row, k = extra_group, instance.group_row[i], c - instance.n_booths
            else:
                extra, row, k = extra_single, instance.single_row[i], c
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
        instance = self.instance
        price = self.prices.booth.copy()
        best_col = self._solve_linear(extra_single, extra_group, forbid)
        best_value = self._linear_value(best_col, extra_single, extra_group)
        best_price, best_bound = self.prices.booth.copy(), -np.inf
        bound_price = price.copy()
        theta, stall = 1.0, 0
        big = instance.single_applicants.size * instance.n_booths > COUPLING_BIG
        for _ in range(COUPLING_ROUNDS_BIG if big else COUPLING_ROUNDS):
            if self.budget.late():
                break
            bound, usage = lagrangian_parts(self.instance, price, extra_single, extra_group)
            if bound > best_bound + 1e-9:
                best_bound, stall, bound_price = bound, 0, price.copy()
            else:
                stall += 1
                if stall >= 2:
                    theta, stall = theta / 2, 0
            if best_value - best_bound <= 1e-4 * max(abs(best_bound), 1.0):
                break
            subgradient = usage - 1.0
            subgradient[(price <= 0) & (subgradient < 0)] = 0.0
            norm = float(subgradient @ subgradient)
            if norm == 0:
                break
            price = np.maximum(0.0, price + theta * (best_value - bound) / norm * subgradient)
            self.prices.booth = price.copy()
            self._price_groups()
            col = self._solve_linear(extra_single, extra_group, forbid)
            value = self._linear_value(col, extra_single, extra_group)
            if value < best_value - 1e-9:
                best_col, best_value, best_price = col, value, self.prices.booth.copy()
        self.prices.booth = best_price
        self._price_groups()
        self.cache.coupled = CoupledBound(instance.admitted_key(), best_bound, bound_price)
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
        instance = self.instance
        best: tuple[int, np.ndarray] | None = None
        start_price = best_price = self.prices.booth.copy()
        first_drops = None
        for _ in range(8):
            col, used = self._solve_groups(extra_group, forbid)
            if instance.single_applicants.size:
                cost = (
                    instance.single_cost.copy()
                    if extra_single is None
                    else instance.single_cost + extra_single
                )
                for (i, c), penalty in forbid.items():
                    if not instance.needs_group[i]:
                        cost[instance.single_row[i], c] += penalty
                if used:
                    cost[:, sorted(used)] = np.inf
                chosen = lsa(cost, instance.unplaced_cost[instance.single_applicants])
                col[instance.single_applicants] = chosen
            dropped = np.flatnonzero(instance.admitted & (col < 0))
            if first_drops is None:
                first_drops = dropped.size
            if best is None or dropped.size < best[0]:
                best = (dropped.size, col)
                best_price = self.prices.booth.copy()
            singles_dropped = dropped[~instance.needs_group[dropped]]
            if singles_dropped.size == 0 or not used:
                break
            # Booths the dropped applicants could use become dearer inside groups: a price
            # per booth, growing ×4 a round (from 2.5 × the zone weight) up to HARD_PENALTY.
            scarce = instance.area >= instance.threshold[singles_dropped].min()
            before = self.prices.booth.copy()
            self.prices.booth[scarce] = np.minimum(
                np.maximum(self.prices.booth[scarce] * 4, 2.5 * instance.weights.zone),
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
        instance = self.instance
        col = np.full(instance.n_applicants, -1, dtype=np.int64)
        used: set[int] = set()
        if instance.group_applicants.size == 0:
            return col, used
        cost = instance.group_cost + self.prices.group[None, :]
        if extra_group is not None:
            cost += extra_group
        for (i, column), penalty in forbid.items():
            if instance.needs_group[i]:
                cost[instance.group_row[i], column - instance.n_booths] += penalty
        for _ in range(len(instance.group_applicants) + 1):
            chosen = lsa(cost, instance.unplaced_cost[instance.group_applicants])
            used = set()
            clashing = []
            for row, group in enumerate(chosen.tolist()):
                if group < 0:
                    continue
                booths = instance.members[instance.n_booths + group]
                if used.intersection(booths):
                    clashing.append(row)
                else:
                    used.update(booths)
            if not clashing:
                break
            # A later applicant whose group overlaps an earlier one's may not use any group
            # touching the booths kept so far; re-solve.
            taken = sorted(
                {
                    column - instance.n_booths
                    for b in used
                    for column in instance.booth_cols[b]
                    if column >= instance.n_booths
                }
            )
            for row in clashing:
                cost[row, taken] = np.inf
        for row, group in enumerate(chosen.tolist()):
            col[instance.group_applicants[row]] = instance.n_booths + group if group >= 0 else -1
        return col, used

    def _solve_with_rules(
        self, extra_single: np.ndarray | None, extra_group: np.ndarray | None, forbid: dict
    ) -> np.ndarray:
        """Linear solve, then re-solve while new competitor adjacencies turn up.

        Small problems go to the exact MILP first (competitors as constraints); the
        heuristic re-solving is for large ones, or when capacity makes the rule infeasible.
        """
        instance = self.instance
        if instance.milp_first:
            rows = np.flatnonzero(instance.admitted).tolist()
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
            for i, j in instance.violations(col):
                # The later application moves: earlier applications keep their choice.
                for c in instance.columns_next_to(int(col[i]), bool(instance.needs_group[j])):
                    if (j, c) not in forbid:
                        forbid[(j, c)] = HARD_PENALTY
                        new = True
            if not new:
                break
            col = self._solve_linear(extra_single, extra_group, forbid)
        return col

    def _surrogate(self, col: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Linear upper bound of the partner cost around each cluster's current centre."""
        instance = self.instance
        if not instance.partner_pairs:
            return None, None
        clusters = UnionFind(instance.n_applicants)
        for i, j in instance.partner_pairs:
            clusters.union(i, j)
        sums: dict[int, list] = {}
        for i in range(instance.n_applicants):
            if col[i] >= 0 and instance.partners[i]:
                # Members needing step-free access anchor the cluster: the others come to them.
                weight = 1.0 + 1e3 * instance.step_free[i]
                total = sums.setdefault(clusters.find(i), [np.zeros(2), 0])
                total[0] = total[0] + weight * instance.col_xy[col[i]]
                total[1] += weight
        centre = np.full((instance.n_applicants, 2), np.nan)
        for i in range(instance.n_applicants):
            total = sums.get(clusters.find(i))
            if total is not None and instance.partners[i]:
                centre[i] = total[0] / total[1]
        per_metre = instance.weights.partner_per_10m / 10.0
        out = []
        for rows, cols in (
            (instance.single_applicants, instance.single_columns),
            (instance.group_applicants, instance.group_columns),
        ):
            if rows.size == 0:
                out.append(None)
                continue
            centres = centre[rows]
            has = ~np.isnan(centres[:, 0])
            extra = np.zeros((rows.size, cols.size))
            if has.any():
                column_xy = instance.col_xy[cols]
                distance = np.hypot(
                    column_xy[None, :, 0] - centres[has, 0, None],
                    column_xy[None, :, 1] - centres[has, 1, None],
                )
                extra[has] = per_metre * instance.partner_count[rows[has]][:, None] * distance
            out.append(extra)
        return out[0], out[1]

    def run(self) -> np.ndarray:
        instance = self.instance
        forbid: dict[tuple[int, int], float] = {}
        if instance.group_applicants.size:  # groups pay for the booths they take from others
            self.prices.booth = coupling_prices(self.instance)
            self._price_groups()
        floor_single = (
            instance.partner_floor(instance.single_applicants, instance.single_columns)
            if instance.partner_pairs
            else None
        )
        floor_group = (
            instance.partner_floor(instance.group_applicants, instance.group_columns)
            if instance.partner_pairs
            else None
        )
        if (
            instance.group_applicants.size and not instance.exact_affordable
        ):  # else the exact MILP decides
            self._coordinate(floor_single, floor_group, {})
        col = self._solve_with_rules(floor_single, floor_group, forbid)
        best, best_value = col, instance.objective(col)
        for round_ in range(8 if instance.partner_pairs else 0):
            if round_ and self.budget.late():  # one round always: partners drawn together
                break
            extra_single, extra_group = self._surrogate(best)
            col = self._solve_with_rules(extra_single, extra_group, forbid)
            value = instance.objective(col)
            if value < best_value - 1e-9:
                best, best_value = col, value
            else:
                break
        if not self.budget.late():
            best = self._polish(best)
        if instance.violations(best):
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

    def _local_cost(self, movers: Sequence[int], pos: Mapping[int, int], col: np.ndarray) -> float:
        """Linear costs of ``movers`` and every pair term touching them, at ``pos`` (the
        others where ``col`` puts them); each pair counted once."""
        instance = self.instance

        def at(applicant: int) -> int:
            return pos.get(applicant, int(col[applicant]))

        total = 0.0
        per_metre = instance.weights.partner_per_10m / 10.0
        seen: set[tuple[int, int]] = set()
        for mover in movers:
            column = at(mover)
            total += instance.linear_cost(mover, column)
            for partner in instance.partners[mover]:
                key = (min(mover, partner), max(mover, partner))
                partner_column = at(partner)
                if key in seen or partner_column < 0:
                    continue
                seen.add(key)
                (ax, ay), (bx, by) = instance.xy_list[column], instance.xy_list[partner_column]
                total += per_metre * math.hypot(ax - bx, ay - by)
            for rival in instance.competitors[mover]:
                key = (-min(mover, rival) - 1, max(mover, rival))
                rival_column = at(rival)
                if key in seen or rival_column < 0:
                    continue
                seen.add(key)
                near = instance.col_near[column]
                if any(b in near for b in instance.members[rival_column]):
                    total += HARD_PENALTY
        return total

    def _polish(self, col: np.ndarray) -> np.ndarray:
        """Local search and cluster moves, in turn, while the true objective improves."""
        instance = self.instance
        col = self._local_search(col)
        if not instance.partner_pairs:
            return col
        value = instance.objective(col)
        for _ in range(POLISH_ROUNDS):
            if self.budget.late():
                break
            moved = self._cluster_moves(col)
            moved = self._local_search(moved)
            new = instance.objective(moved)
            if new >= value - 1e-9:
                break
            col, value = moved, new
        return col

    def _clusters(self) -> list[list[int]]:
        """Partner clusters (connected components) of admitted single-booth applicants."""
        instance = self.instance
        clusters = UnionFind(instance.n_applicants)
        for i, j in instance.partner_pairs:
            if (
                not (instance.needs_group[i] or instance.needs_group[j])
                and instance.admitted[i]
                and instance.admitted[j]
            ):
                clusters.union(i, j)
        groups: dict[int, list[int]] = {}
        for i in range(instance.n_applicants):
            if instance.admitted[i] and not instance.needs_group[i] and instance.partners[i]:
                groups.setdefault(clusters.find(i), []).append(i)
        return [members for _, members in sorted(groups.items()) if len(members) > 1]

    def _cluster_moves(self, col: np.ndarray) -> np.ndarray:
        """Move whole partner clusters at once to their best free booths (best response).

        For each cluster, everyone else stays put: each member may take its own booth or a
        free one among the nearest to the members and its cheapest (competitor rule as a
        filter), and a min-sum dynamic programme over a spanning tree of the cluster finds
        the placement of least linear + partner cost (partners outside the tree's edges and
        outside the cluster are counted exactly afterwards). The move is kept when the true
        local cost falls.
        """
        instance = self.instance
        col = col.copy()
        owner = instance.owners(col)
        per_metre = instance.weights.partner_per_10m / 10.0
        for members in self._clusters():
            if any(col[member] < 0 for member in members):
                continue
            free = np.flatnonzero(owner < 0)
            own = np.array([col[member] for member in members], dtype=np.int64)
            pool = np.union1d(free, own)
            if pool.size == 0:
                continue
            tree = cKDTree(instance.booth_xy[pool])
            centre = instance.booth_xy[own].mean(axis=0)
            _, idx = tree.query(centre, k=min(pool.size, 4 * CLUSTER_NEAR))
            near_all = pool[np.atleast_1d(idx)]
            inside = set(members)
            choices: dict[int, np.ndarray] = {}
            unary: dict[int, np.ndarray] = {}
            for member in members:
                row = instance.single_cost[instance.single_row[member]]
                _, idx = tree.query(instance.booth_xy[col[member]], k=min(pool.size, CLUSTER_NEAR))
                near = pool[np.atleast_1d(idx)]
                finite = pool[np.isfinite(row[pool])]
                cheap = finite[np.lexsort((finite, row[finite]))][:CLUSTER_CHEAP]
                booths = np.unique(np.concatenate([near, near_all, cheap, [col[member]]]))
                booths = booths[np.isfinite(row[booths])]
                # Competitors outside the cluster stay put: their neighbourhood is barred.
                barred: set[int] = set()
                for other in instance.competitors[member]:
                    if other not in inside and col[other] >= 0:
                        for b in instance.members[col[other]]:
                            barred.update(instance.near[b])
                if barred:
                    booths = booths[[b not in barred for b in booths.tolist()]]
                cost = row[booths].copy()
                for other in instance.partners[
                    member
                ]:  # partners outside the cluster (merged groups)
                    if other not in inside and col[other] >= 0:
                        cost += per_metre * np.hypot(
                            *(instance.booth_xy[booths] - instance.col_xy[col[other]]).T
                        )
                choices[member], unary[member] = booths, cost
            if any(choices[member].size == 0 for member in members):
                continue
            # Spanning tree (BFS from the first member), then leaves-to-root min-sum.
            root = members[0]
            order, parent = [root], {root: -1}
            for member in order:
                for partner in instance.partners[member]:
                    if partner in inside and partner not in parent:
                        parent[partner] = member
                        order.append(partner)
            total = {member: unary[member].copy() for member in members}
            message: dict[int, np.ndarray] = {}
            for member in reversed(order[1:]):
                up = parent[member]
                above, below = instance.booth_xy[choices[up]], instance.booth_xy[choices[member]]
                pair = per_metre * np.hypot(
                    above[:, None, 0] - below[None, :, 0], above[:, None, 1] - below[None, :, 1]
                )
                pair[choices[up][:, None] == choices[member][None, :]] = np.inf
                message[member] = pair + total[member][None, :]
                total[up] = total[up] + message[member].min(axis=1)
            best = int(np.argmin(total[root]))
            if not np.isfinite(total[root][best]):
                continue
            # Top-down: each member takes its best booth given its parent's, among those
            # no other member has taken (the programme itself lets siblings share one).
            pick = {root: best}
            taken = {int(choices[root][best])}
            for member in order[1:]:
                row = message[member][pick[parent[member]]].copy()
                row[np.isin(choices[member], list(taken))] = np.inf
                pick[member] = int(np.argmin(row))
                if not np.isfinite(row[pick[member]]):
                    break
                taken.add(int(choices[member][pick[member]]))
            if len(taken) < len(members):
                continue
            pos = {member: int(choices[member][pick[member]]) for member in members}
            if all(pos[member] == col[member] for member in members):
                continue
            # Exact comparison: every partner and competitor term touching the cluster.
            touched = sorted(
                inside | {other for member in members for other in instance.competitors[member]}
            )
            before = self._local_cost(touched, {}, col)
            after = self._local_cost(touched, pos, col)
            if after < before - 1e-9:
                for member in members:
                    owner[col[member]] = -1
                for member in members:
                    col[member] = pos[member]
                    owner[pos[member]] = member
        return col

    def _local_search(self, col: np.ndarray, passes: int = 8) -> np.ndarray:
        """Moves of single-booth holders near their partners or out of a violation.

        For applicant ``i`` and a candidate booth ``c`` (near a partner, or among its
        cheapest when next to a competitor): take ``c`` if free; else its ``holder``
        either swaps into ``i``'s booth or moves on to its own cheapest free booth
        (an ejection chain of two). Each pass takes, per applicant, the best move that
        lowers the true objective; passes repeat until nothing improves.
        """
        instance = self.instance
        col = col.copy()
        if instance.n_booths == 0 or (not instance.partner_pairs and not instance.comp_pairs):
            return col
        owner = instance.owners(col)
        ranked: dict[int, list[int]] = {}

        def cheapest(applicant: int) -> list[int]:
            if applicant not in ranked:
                row = instance.single_cost[instance.single_row[applicant]]
                top = np.argpartition(row, min(instance.n_booths, 60) - 1)[
                    : min(instance.n_booths, 60)
                ]
                top = top[np.isfinite(row[top])]
                ranked[applicant] = top[np.lexsort((top, row[top]))].tolist()
            return ranked[applicant]

        for _ in range(passes):
            if self.budget.late():
                break
            improved = False
            troubled = {applicant for pair in instance.violations(col) for applicant in pair}
            for i in range(instance.n_applicants):
                here = int(col[i])
                if (
                    here < 0
                    or instance.needs_group[i]
                    or not (instance.partners[i] or i in troubled)
                ):
                    continue
                candidates: set[int] = set()
                for partner in instance.partners[i]:
                    if col[partner] >= 0:
                        _, idx = instance.booth_kdtree.query(
                            instance.col_xy[col[partner]], k=min(instance.n_booths, 10)
                        )
                        candidates.update(np.atleast_1d(idx).tolist())
                if i in troubled:
                    candidates.update(cheapest(i)[:40])
                best_delta, best_move = -1e-9, None
                before_i = self._local_cost([i], {}, col)
                for c in sorted(candidates):
                    if c == here or not np.isfinite(
                        instance.single_cost[instance.single_row[i], c]
                    ):
                        continue
                    holder = int(owner[c])
                    if holder < 0:
                        moves = [(-1, -1)]
                    elif instance.needs_group[holder]:
                        continue
                    else:
                        moves = []
                        if np.isfinite(instance.single_cost[instance.single_row[holder], here]):
                            moves.append((holder, here))
                        free = next(
                            (
                                booth
                                for booth in cheapest(holder)
                                if booth != c and owner[booth] < 0 and booth != here
                            ),
                            None,
                        )
                        if free is not None:
                            moves.append((holder, free))
                    for holder, dest in moves:
                        if holder < 0:
                            delta = self._local_cost([i], {i: c}, col) - before_i
                        else:
                            delta = self._local_cost([i, holder], {i: c, holder: dest}, col)
                            delta -= self._local_cost([i, holder], {}, col)
                        if delta < best_delta:
                            best_delta, best_move = delta, (c, holder, dest)
                if best_move is not None:
                    c, holder, dest = best_move
                    col[i] = c
                    owner[here] = -1
                    owner[c] = i
                    if holder >= 0:
                        col[holder] = dest
                        owner[dest] = holder
                    improved = True
            if not improved:
                break
        return col


def greedy(instance: Instance) -> np.ndarray:
    """First come, first served: each admitted applicant takes its cheapest free column."""
    col = np.full(instance.n_applicants, -1, dtype=np.int64)
    taken = np.zeros(instance.n_booths, dtype=bool)
    per_metre = instance.weights.partner_per_10m / 10.0
    for i in range(instance.n_applicants):
        if not instance.admitted[i]:
            continue
        big = bool(instance.needs_group[i])
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
        column_xy = instance.col_xy[cols]
        for partner in instance.partners[i]:
            if col[partner] >= 0:
                row += per_metre * np.hypot(*(column_xy - instance.col_xy[col[partner]]).T)
        for rival in instance.competitors[i]:
            if col[rival] >= 0:
                next_to = np.array(instance.columns_next_to(int(col[rival]), big), dtype=np.int64)
                if next_to.size:
                    row[next_to - (instance.n_booths if big else 0)] += HARD_PENALTY
        best = int(np.argmin(row))
        if np.isfinite(row[best]):
            col[i] = cols[best]
            taken[list(instance.members[cols[best]])] = True
    return col
