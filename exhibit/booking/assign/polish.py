"""Polish: local search and partner-cluster moves on a constructed solution, while the
true objective improves (step 7 of the construction, docs/assignment.md "Algorithm").
Stops at the construction's share of the time limit (``Budget.late``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from exhibit.booking.assign.constants import (
    CLUSTER_CHEAP,
    CLUSTER_NEAR,
    HARD_PENALTY,
    POLISH_ROUNDS,
)
from exhibit.booking.assign.state import Budget
from exhibit.booking.assign.tools import UnionFind

if TYPE_CHECKING:
    from exhibit.booking.assign.problem import Instance


class Polish:
    """Local search and cluster moves for one instance, within ``budget``."""

    def __init__(self, instance: Instance, budget: Budget) -> None:
        self.instance = instance
        self.budget = budget

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

    def run(self, col: np.ndarray) -> np.ndarray:
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
            # Exact comparison: every partner and competitor term touching the cluster. Only
            # placed rivals: one without a column has no cost here (and may not be admitted).
            touched = sorted(
                inside
                | {
                    other
                    for member in members
                    for other in instance.competitors[member]
                    if col[other] >= 0
                }
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
