"""Construction: a first solution from exact linear assignments.

Steps (docs/assignment.md, "Algorithm"): booth prices between merged groups and single
booths (shadow prices, subgradient rounds), groups then single booths by
``linear_sum_assignment``, competitor repair (or the exact MILP on small problems),
partner majorisation round a common centre, local search and cluster moves. Optional steps
stop at the construction's share of the time limit (``_late``)."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix
from scipy.spatial import cKDTree

from exhibit.booking.assign.constants import (
    CLUSTER_CHEAP,
    CLUSTER_NEAR,
    COUPLING_BIG,
    COUPLING_ROUNDS,
    COUPLING_ROUNDS_BIG,
    HARD_PENALTY,
    MILP_MAX_VARS,
    MILP_NODE_LIMIT,
    POLISH_ROUNDS,
)
from exhibit.booking.assign.tools import UnionFind, lsa


class Construction:
    """Methods of :class:`exhibit.booking.assign.problem.Problem` (a mixin: ``self`` is the
    problem, its model built by ``problem.py``)."""

    def _late(self) -> bool:
        """Past the construction's share of the time limit: optional steps are skipped."""
        return time.perf_counter() > self.construct_by

    def _linear_value(
        self, col: np.ndarray, extra_s: np.ndarray | None, extra_g: np.ndarray | None
    ) -> float:
        """Cost of a solution under the linear costs plus ``extra_*`` (what step 2 bounds)."""
        total = 0.0
        for i in np.flatnonzero(self.admitted).tolist():
            c = int(col[i])
            if c < 0:
                total += float(self.unplaced_cost[i])
                continue
            total += self.lin(i, c)
            if self.is_big[i]:
                extra, row, k = extra_g, self.group_row[i], c - self.n_booths
            else:
                extra, row, k = extra_s, self.single_row[i], c
            if extra is not None:
                total += float(extra[row, k])
        return total

    def _coordinate(
        self, extra_s: np.ndarray | None, extra_g: np.ndarray | None, forbid: dict
    ) -> np.ndarray:
        """Booth prices shared by groups and single booths, by subgradient optimisation.

        Groups and single-booth applicants compete for the same booths; the shadow prices
        of step 2 are marginal (what losing *one* booth costs), so several groups can still
        take booths the others need. Each round solves both relaxed problems with prices
        ``p`` (a valid bound, kept in ``self.coupled_bound``), builds a solution (groups at
        those prices, single booths on what is left) and moves ``p`` along the subgradient
        ``usage − 1`` with Polyak's step ``θ (best solution − bound) / ‖g‖²``. The prices of
        the best solution stay in ``self.booth_price`` for the later solves. A fixed number
        of rounds keeps it deterministic.
        """
        price = self.booth_price.copy()
        best_col = self._solve_linear(extra_s, extra_g, forbid)
        best_ub = self._linear_value(best_col, extra_s, extra_g)
        best_price, best_lb = self.booth_price.copy(), -np.inf
        lb_price = price.copy()
        theta, stall = 1.0, 0
        big = self.single_applicants.size * self.n_booths > COUPLING_BIG
        for _ in range(COUPLING_ROUNDS_BIG if big else COUPLING_ROUNDS):
            if self._late():
                break
            lb, usage = self._lagrangian_parts(price, extra_s, extra_g)
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
            self.booth_price = price.copy()
            self._price_groups()
            col = self._solve_linear(extra_s, extra_g, forbid)
            value = self._linear_value(col, extra_s, extra_g)
            if value < best_ub - 1e-9:
                best_col, best_ub, best_price = col, value, self.booth_price.copy()
        self.booth_price = best_price
        self._price_groups()
        self.coupled_bound = (tuple(np.flatnonzero(self.admitted).tolist()), best_lb)
        self.coupled_price = lb_price
        return best_col

    def _solve_linear(
        self,
        extra_s: np.ndarray | None,
        extra_g: np.ndarray | None,
        forbid: dict[tuple[int, int], float],
    ) -> np.ndarray:
        """Groups first, then single booths on what the groups left.

        Groups are solved before single booths because they are the harder fit; when that
        leaves a single-booth applicant with nothing, the booths it could have used are
        priced up for groups (``self.booth_price``, kept for later solves while it helps) and
        both re-solved; the round leaving the fewest applicants out wins.
        """
        best: tuple[int, np.ndarray] | None = None
        start_price = best_price = self.booth_price.copy()
        first_drops = None
        for _ in range(8):
            col, used = self._solve_groups(extra_g, forbid)
            if self.single_applicants.size:
                cost = self.single_cost.copy() if extra_s is None else self.single_cost + extra_s
                for (i, c), pen in forbid.items():
                    if not self.is_big[i]:
                        cost[self.single_row[i], c] += pen
                if used:
                    cost[:, sorted(used)] = np.inf
                chosen = lsa(cost, self.unplaced_cost[self.single_applicants])
                col[self.single_applicants] = chosen
            dropped = np.flatnonzero(self.admitted & (col < 0))
            if first_drops is None:
                first_drops = dropped.size
            if best is None or dropped.size < best[0]:
                best = (dropped.size, col)
                best_price = self.booth_price.copy()
            singles_dropped = dropped[~self.is_big[dropped]]
            if singles_dropped.size == 0 or not used:
                break
            # Booths the dropped applicants could use become dearer inside groups: a price
            # per booth, growing ×4 a round (from 2.5 × the zone weight) up to HARD_PENALTY.
            scarce = self.area >= self.threshold[singles_dropped].min()
            before = self.booth_price.copy()
            self.booth_price[scarce] = np.minimum(
                np.maximum(self.booth_price[scarce] * 4, 2.5 * self.weights.zone), HARD_PENALTY
            )
            if np.array_equal(before, self.booth_price):
                break
            self._price_groups()
        # Keep prices only as far as they helped (fewer applicants left out).
        self.booth_price = best_price if best[0] < first_drops else start_price
        self._price_groups()
        return best[1]

    def _price_groups(self) -> None:
        pad = self.column_booths[self.group_columns]
        self.scarcity = np.where(pad >= 0, self.booth_price[np.maximum(pad, 0)], 0.0).sum(axis=1)

    def _solve_groups(
        self, extra_g: np.ndarray | None, forbid: dict[tuple[int, int], float]
    ) -> tuple[np.ndarray, set[int]]:
        """Merged groups for the applicants who need them; clashes go to the later one."""
        col = np.full(self.n_applicants, -1, dtype=np.int64)
        used: set[int] = set()
        if self.group_applicants.size == 0:
            return col, used
        cost = self.group_cost + self.scarcity[None, :]
        if extra_g is not None:
            cost += extra_g
        for (i, c), pen in forbid.items():
            if self.is_big[i]:
                cost[self.group_row[i], c - self.n_booths] += pen
        for _ in range(len(self.group_applicants) + 1):
            chosen = lsa(cost, self.unplaced_cost[self.group_applicants])
            used = set()
            clashing = []
            for k, c in enumerate(chosen.tolist()):
                if c < 0:
                    continue
                mem = self.members[self.n_booths + c]
                if used.intersection(mem):
                    clashing.append(k)
                else:
                    used.update(mem)
            if not clashing:
                break
            # A later applicant whose group overlaps an earlier one's may not use any group
            # touching the booths kept so far; re-solve.
            taken = sorted(
                {x - self.n_booths for b in used for x in self.booth_cols[b] if x >= self.n_booths}
            )
            for k in clashing:
                cost[k, taken] = np.inf
        for k, c in enumerate(chosen.tolist()):
            col[self.group_applicants[k]] = self.n_booths + c if c >= 0 else -1
        return col, used

    def _solve_with_rules(
        self, extra_s: np.ndarray | None, extra_g: np.ndarray | None, forbid: dict
    ) -> np.ndarray:
        """Linear solve, then re-solve while new competitor adjacencies turn up.

        Small problems go to the exact MILP first (competitors as constraints); the
        heuristic re-solving is for large ones, or when capacity makes the rule infeasible.
        """
        if self.small:
            rows = np.flatnonzero(self.admitted).tolist()
            col, _ = self._milp(rows, extra_s, extra_g, competitors=True)
            if col is not None and (col[rows] >= 0).all():
                return col
            # Placing people beats the rule: if the rule would leave someone out, fall back
            # to the heuristic, which keeps them and reports the adjacency.
            loose, _ = self._milp(rows, extra_s, extra_g, competitors=False)
            if (
                col is not None
                and loose is not None
                and (loose[rows] < 0).sum() >= (col[rows] < 0).sum()
            ):
                return col
        col = self._solve_linear(extra_s, extra_g, forbid)
        for _ in range(30):
            new = False
            for i, j in self._violations(col):
                # The later application moves: earlier applications keep their choice.
                for c in self._cols_next_to(int(col[i]), bool(self.is_big[j])):
                    if (j, c) not in forbid:
                        forbid[(j, c)] = HARD_PENALTY
                        new = True
            if not new:
                break
            col = self._solve_linear(extra_s, extra_g, forbid)
        return col

    def _surrogate(self, col: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Linear upper bound of the partner cost around each cluster's current centre."""
        if not self.partner_pairs:
            return None, None
        uf = UnionFind(self.n_applicants)
        for i, j in self.partner_pairs:
            uf.union(i, j)
        sums: dict[int, list] = {}
        for i in range(self.n_applicants):
            if col[i] >= 0 and self.partners[i]:
                # Members needing step-free access anchor the cluster: the others come to them.
                wt = 1.0 + 1e3 * self.step[i]
                s = sums.setdefault(uf.find(i), [np.zeros(2), 0])
                s[0] = s[0] + wt * self.col_xy[col[i]]
                s[1] += wt
        centre = np.full((self.n_applicants, 2), np.nan)
        for i in range(self.n_applicants):
            s = sums.get(uf.find(i))
            if s is not None and self.partners[i]:
                centre[i] = s[0] / s[1]
        wp = self.weights.partner_per_10m / 10.0
        out = []
        for rows, cols in (
            (self.single_applicants, self.single_columns),
            (self.group_applicants, self.group_columns),
        ):
            if rows.size == 0:
                out.append(None)
                continue
            z = centre[rows]
            has = ~np.isnan(z[:, 0])
            extra = np.zeros((rows.size, cols.size))
            if has.any():
                xy = self.col_xy[cols]
                d = np.hypot(xy[None, :, 0] - z[has, 0, None], xy[None, :, 1] - z[has, 1, None])
                extra[has] = wp * self.mobile_deg[rows[has]][:, None] * d
            out.append(extra)
        return out[0], out[1]

    def construct(self) -> np.ndarray:
        forbid: dict[tuple[int, int], float] = {}
        if self.group_applicants.size:  # groups pay for the booths they take from others
            self.booth_price = self._coupling_prices()
            self._price_groups()
        floor_s = (
            self._partner_floor(self.single_applicants, self.single_columns)
            if self.partner_pairs
            else None
        )
        floor_g = (
            self._partner_floor(self.group_applicants, self.group_columns)
            if self.partner_pairs
            else None
        )
        if self.group_applicants.size and not self.exact_affordable:  # else the exact MILP decides
            self._coordinate(floor_s, floor_g, {})
        col = self._solve_with_rules(floor_s, floor_g, forbid)
        best, best_obj = col, self.objective(col)
        for round_ in range(8 if self.partner_pairs else 0):
            if round_ and self._late():  # one round always: partners drawn together
                break
            extra_s, extra_g = self._surrogate(best)
            col = self._solve_with_rules(extra_s, extra_g, forbid)
            obj = self.objective(col)
            if obj < best_obj - 1e-9:
                best, best_obj = col, obj
            else:
                break
        if not self._late():
            best = self._polish(best)
        if self._violations(best):
            rows = np.flatnonzero(best >= 0).tolist()
            repaired, _ = self._milp(rows, *self._surrogate(best), competitors=True)
            if repaired is not None and (repaired[rows] >= 0).all():
                best = self._polish(repaired)
        # Where the exact MILP is affordable its solution (partner floors in place of the
        # pairwise term) is polished too, and the better one kept; its bound is reused.
        exact, _ = self._exact()
        if exact is not None:
            exact = self._polish(exact)
            if self._rank(exact) < self._rank(best):
                best = exact
        return best

    def _rank(self, col: np.ndarray) -> tuple[int, float]:
        """Fewer admitted applicants left out first, then the objective."""
        return int((self.admitted & (col < 0)).sum()), self.objective(col)

    def _exact(self) -> tuple[np.ndarray | None, float | None]:
        """MILP of the linear problem with partner floors (cached per admitted set).

        The solution honours the competitor rule unless that would leave someone out; the
        bound is a valid lower bound of the true objective in either case.
        """
        rows = np.flatnonzero(self.admitted).tolist()
        key = tuple(rows)
        if getattr(self, "_exact_cache", (None,))[0] == key:
            return self._exact_cache[1], self._exact_cache[2]
        col = bound = None
        allowed = sum(
            np.isfinite(self.single_cost[self.single_row[i]]).sum()
            if not self.is_big[i]
            else np.isfinite(self.group_cost[self.group_row[i]]).sum()
            for i in rows
        )
        if rows and allowed <= MILP_MAX_VARS:
            fs = self._partner_floor(self.single_applicants, self.single_columns)
            fg = self._partner_floor(self.group_applicants, self.group_columns)
            col, bound = self._milp(rows, fs, fg, competitors=bool(self.comp_pairs))
            if col is None or (col[rows] < 0).any():
                # The rule cannot hold for everyone: bound the problem without it.
                col, bound = self._milp(rows, fs, fg, competitors=False)
        self._exact_cache = (key, col, bound)
        return col, bound

    def _local_cost(self, xs: Sequence[int], pos: Mapping[int, int], col: np.ndarray) -> float:
        def at(a: int) -> int:
            return pos.get(a, int(col[a]))

        total = 0.0
        wp = self.weights.partner_per_10m / 10.0
        seen: set[tuple[int, int]] = set()
        for x in xs:
            cx = at(x)
            total += self.lin(x, cx)
            for p in self.partners[x]:
                key = (min(x, p), max(x, p))
                cp = at(p)
                if key in seen or cp < 0:
                    continue
                seen.add(key)
                (ax, ay), (bx, by) = self.xy_list[cx], self.xy_list[cp]
                total += wp * math.hypot(ax - bx, ay - by)
            for q in self.comps[x]:
                key = (-min(x, q) - 1, max(x, q))
                cq = at(q)
                if key in seen or cq < 0:
                    continue
                seen.add(key)
                near = self.col_near[cx]
                if any(b in near for b in self.members[cq]):
                    total += HARD_PENALTY
        return total

    def _polish(self, col: np.ndarray) -> np.ndarray:
        """Local search and cluster moves, in turn, while the true objective improves."""
        col = self._local_search(col)
        if not self.partner_pairs:
            return col
        obj = self.objective(col)
        for _ in range(POLISH_ROUNDS):
            if self._late():
                break
            moved = self._cluster_moves(col)
            moved = self._local_search(moved)
            new = self.objective(moved)
            if new >= obj - 1e-9:
                break
            col, obj = moved, new
        return col

    def _clusters(self) -> list[list[int]]:
        """Partner clusters (connected components) of admitted single-booth applicants."""
        uf = UnionFind(self.n_applicants)
        for i, j in self.partner_pairs:
            if not (self.is_big[i] or self.is_big[j]) and self.admitted[i] and self.admitted[j]:
                uf.union(i, j)
        groups: dict[int, list[int]] = {}
        for i in range(self.n_applicants):
            if self.admitted[i] and not self.is_big[i] and self.partners[i]:
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
        owner = self._owners(col)
        wp = self.weights.partner_per_10m / 10.0
        for members in self._clusters():
            if any(col[x] < 0 for x in members):
                continue
            free = np.flatnonzero(owner < 0)
            own = np.array([col[x] for x in members], dtype=np.int64)
            pool = np.union1d(free, own)
            if pool.size == 0:
                continue
            tree = cKDTree(self.booth_xy[pool])
            centre = self.booth_xy[own].mean(axis=0)
            _, idx = tree.query(centre, k=min(pool.size, 4 * CLUSTER_NEAR))
            near_all = pool[np.atleast_1d(idx)]
            inside = set(members)
            cand: dict[int, np.ndarray] = {}
            unary: dict[int, np.ndarray] = {}
            for x in members:
                row = self.single_cost[self.single_row[x]]
                _, idx = tree.query(self.booth_xy[col[x]], k=min(pool.size, CLUSTER_NEAR))
                near = pool[np.atleast_1d(idx)]
                finite = pool[np.isfinite(row[pool])]
                cheap = finite[np.lexsort((finite, row[finite]))][:CLUSTER_CHEAP]
                c = np.unique(np.concatenate([near, near_all, cheap, [col[x]]]))
                c = c[np.isfinite(row[c])]
                # Competitors outside the cluster stay put: their neighbourhood is barred.
                bar: set[int] = set()
                for q in self.comps[x]:
                    if q not in inside and col[q] >= 0:
                        for b in self.members[col[q]]:
                            bar.update(self.near[b])
                if bar:
                    c = c[[b not in bar for b in c.tolist()]]
                u = row[c].copy()
                for q in self.partners[x]:  # partners outside the cluster (merged groups)
                    if q not in inside and col[q] >= 0:
                        u += wp * np.hypot(*(self.booth_xy[c] - self.col_xy[col[q]]).T)
                cand[x], unary[x] = c, u
            if any(cand[x].size == 0 for x in members):
                continue
            # Spanning tree (BFS from the first member), then leaves-to-root min-sum.
            root = members[0]
            order, parent = [root], {root: -1}
            for x in order:
                for y in self.partners[x]:
                    if y in inside and y not in parent:
                        parent[y] = x
                        order.append(y)
            total = {x: unary[x].copy() for x in members}
            message: dict[int, np.ndarray] = {}
            for x in reversed(order[1:]):
                par = parent[x]
                a, b = self.booth_xy[cand[par]], self.booth_xy[cand[x]]
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
            touched = sorted(inside | {q for x in members for q in self.comps[x]})
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
        if self.n_booths == 0 or (not self.partner_pairs and not self.comp_pairs):
            return col
        owner = self._owners(col)
        ranked: dict[int, list[int]] = {}

        def cheapest(x: int) -> list[int]:
            if x not in ranked:
                row = self.single_cost[self.single_row[x]]
                top = np.argpartition(row, min(self.n_booths, 60) - 1)[: min(self.n_booths, 60)]
                top = top[np.isfinite(row[top])]
                ranked[x] = top[np.lexsort((top, row[top]))].tolist()
            return ranked[x]

        for _ in range(passes):
            if self._late():
                break
            improved = False
            troubled = {x for pair in self._violations(col) for x in pair}
            for i in range(self.n_applicants):
                c0 = int(col[i])
                if c0 < 0 or self.is_big[i] or not (self.partners[i] or i in troubled):
                    continue
                cands: set[int] = set()
                for p in self.partners[i]:
                    if col[p] >= 0:
                        _, idx = self.booth_kdtree.query(
                            self.col_xy[col[p]], k=min(self.n_booths, 10)
                        )
                        cands.update(np.atleast_1d(idx).tolist())
                if i in troubled:
                    cands.update(cheapest(i)[:40])
                best_delta, best_move = -1e-9, None
                before_i = self._local_cost([i], {}, col)
                for c in sorted(cands):
                    if c == c0 or not np.isfinite(self.single_cost[self.single_row[i], c]):
                        continue
                    k = int(owner[c])
                    if k < 0:
                        moves = [(-1, -1)]
                    elif self.is_big[k]:
                        continue
                    else:
                        moves = []
                        if np.isfinite(self.single_cost[self.single_row[k], c0]):
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

    def _milp(
        self,
        rows: Sequence[int],
        extra_s: np.ndarray | None,
        extra_g: np.ndarray | None,
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
            if self.is_big[i]:
                cs = np.flatnonzero(np.isfinite(self.group_cost[self.group_row[i]])) + self.n_booths
            else:
                cs = np.flatnonzero(np.isfinite(self.single_cost[self.single_row[i]]))
            var_r.extend([i] * len(cs))
            var_c.extend(cs.tolist())
        nv = len(var_r)
        if nv == 0 or nv > MILP_MAX_VARS:
            return None, None
        vr, vc = np.array(var_r), np.array(var_c)
        cost = np.empty(nv)
        big = self.is_big[vr]
        s_rows = np.array([self.single_row.get(i, 0) for i in var_r])
        g_rows = np.array([self.group_row.get(i, 0) for i in var_r])
        cost[~big] = self.single_cost[s_rows[~big], vc[~big]]
        cost[big] = self.group_cost[g_rows[big], vc[big] - self.n_booths]
        if extra_s is not None:
            cost[~big] += extra_s[s_rows[~big], vc[~big]]
        if extra_g is not None:
            cost[big] += extra_g[g_rows[big], vc[big] - self.n_booths]
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
            for b in self.members[c]:
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
            for i, j in self.comp_pairs:
                if i not in inside or j not in inside:
                    continue
                for v in by_row[i]:
                    others = [
                        var_at[(j, d)]
                        for d in self._cols_next_to(var_c[v], bool(self.is_big[j]))
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
        cost = np.concatenate([cost, self.unplaced_cost[np.asarray(rows, dtype=np.int64)]])
        a = coo_matrix((np.ones(len(ri)), (ri, ci)), shape=(k, nv + len(rows))).tocsr()
        res = milp(
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
        out = np.full(self.n_applicants, -1, dtype=np.int64)
        for v in np.flatnonzero(res.x[:nv] > 0.5).tolist():
            out[var_r[v]] = var_c[v]
        return out, (float(bound) if bound is not None else None)

    def greedy(self) -> np.ndarray:
        """First come, first served: each admitted applicant takes its cheapest free column."""
        col = np.full(self.n_applicants, -1, dtype=np.int64)
        taken = np.zeros(self.n_booths, dtype=bool)
        wp = self.weights.partner_per_10m / 10.0
        for i in range(self.n_applicants):
            if not self.admitted[i]:
                continue
            big = bool(self.is_big[i])
            cols = self.group_columns if big else self.single_columns
            row = (
                self.group_cost[self.group_row[i]] if big else self.single_cost[self.single_row[i]]
            ).copy()
            if cols.size == 0:
                continue
            busy = np.any(
                np.where(
                    self.column_booths[cols] >= 0,
                    taken[np.maximum(self.column_booths[cols], 0)],
                    False,
                ),
                axis=1,
            )
            row[busy] = np.inf
            xy = self.col_xy[cols]
            for p in self.partners[i]:
                if col[p] >= 0:
                    row += wp * np.hypot(*(xy - self.col_xy[col[p]]).T)
            for q in self.comps[i]:
                if col[q] >= 0:
                    nxt = np.array(self._cols_next_to(int(col[q]), big), dtype=np.int64)
                    if nxt.size:
                        row[nxt - (self.n_booths if big else 0)] += HARD_PENALTY
            k = int(np.argmin(row))
            if np.isfinite(row[k]):
                col[i] = cols[k]
                taken[list(self.members[cols[k]])] = True
        return col
