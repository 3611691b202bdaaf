"""Construction: a first solution from exact linear assignments.

Steps (docs/assignment.md, "Algorithm"): booth prices between merged groups and single
booths (shadow prices, subgradient rounds), groups then single booths by
``linear_sum_assignment``, competitor repair (or the exact MILP on small problems),
partner majorisation round a common centre, local search and cluster moves
(:mod:`~exhibit.booking.assign.polish`). Optional steps
stop at the construction's share of the time limit (``Budget.late``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from exhibit.booking.assign.bound import coupling_prices, group_prices, lagrangian_parts
from exhibit.booking.assign.constants import (
    COUPLING_BIG,
    COUPLING_ROUNDS,
    COUPLING_ROUNDS_BIG,
    EXACT_COLUMNS,
    EXACT_GROUP_COLUMNS,
    EXACT_SHARE,
    EXACT_VARS,
    HARD_PENALTY,
)
from exhibit.booking.assign.exact import exact_solution, solve_milp
from exhibit.booking.assign.polish import Polish
from exhibit.booking.assign.solution import Solution
from exhibit.booking.assign.state import BoothPrices, Budget, CoupledBound, SolveCache
from exhibit.booking.assign.tools import UnionFind, lsa

if TYPE_CHECKING:
    from exhibit.booking.assign.problem import Instance


def construct(
    instance: Instance, budget: Budget, cache: SolveCache, polish: bool = True
) -> Solution:
    """The solver's first solution of ``instance`` (optional steps until
    ``budget.construct_by``; the exact MILP and the subgradient rounds' bound kept in
    ``cache`` for the bound). ``polish=False`` skips the local search of step 6 (when the
    track windows and the search follow, they do its work better in the same time)."""
    columns = Construction(instance, budget, cache, polish).run()
    return Solution.of(instance, columns)


def first_come_first_served(instance: Instance) -> Solution:
    """The greedy baseline as a solution (:func:`greedy`)."""
    return Solution.of(instance, greedy(instance))


class Construction:
    """One construction of one instance: the booth prices it settles on
    (``self.prices``), the time it may use (``self.budget``) and what it leaves for the
    bound (``self.cache``)."""

    def __init__(
        self, instance: Instance, budget: Budget, cache: SolveCache, polish: bool = True
    ) -> None:
        self.instance = instance
        self.budget = budget
        self.cache = cache
        self.polishing = polish
        self.prices = BoothPrices.zero(instance.n_booths, instance.group_columns.size)
        self.polish = Polish(instance, budget)

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
                extra, row, column = extra_group, instance.group_row[i], c - instance.n_booths
            else:
                extra, row, column = extra_single, instance.single_row[i], c
            if extra is not None:
                total += float(extra[row, column])
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
        if instance.group_applicants.size and not instance.milp_first:  # else the MILP decides
            self._coordinate(floor_single, floor_group, {})
        col = self._solve_with_rules(floor_single, floor_group, forbid)
        best, best_value = col, instance.objective(col)
        for round_ in range(8 if instance.partner_pairs else 0):
            if round_ and self.budget.late():  # one round always: partners drawn together
                break
            extra_single, extra_group = partner_surrogate(instance, best)
            col = self._solve_with_rules(extra_single, extra_group, forbid)
            value = instance.objective(col)
            if value < best_value - 1e-9:
                best, best_value = col, value
            else:
                break
        if self.polishing and not self.budget.late():
            best = self.polish.run(best)
        if instance.violations(best):
            rows = np.flatnonzero(best >= 0).tolist()
            repaired, _ = solve_milp(
                self.instance,
                rows,
                *partner_surrogate(instance, best),
                competitors=True,
                time_limit=self.budget.share_of_rest(EXACT_SHARE),
            )
            if repaired is not None and (repaired[rows] >= 0).all():
                best = self.polish.run(repaired)
        # Where the exact MILP is affordable its solution (partner floors in place of the
        # pairwise term) is polished too, and the better one kept; its bound is reused.
        if instance.milp_first:
            exact, _ = exact_solution(
                self.instance, self.cache, self.budget.share_of_rest(EXACT_SHARE)
            )
        else:
            exact = restricted_exact(instance, best, self.budget.share_of_rest(EXACT_SHARE))
        if exact is not None:
            exact = self.polish.run(exact)
            if self._rank(exact) < self._rank(best):
                best = exact
        return best

    def _rank(self, col: np.ndarray) -> tuple[int, float]:
        """Fewer admitted applicants left out first, then the objective."""
        return int((self.instance.admitted & (col < 0)).sum()), self.instance.objective(col)


def partner_surrogate(
    instance: Instance, col: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Linear upper bound of the partner cost around each cluster's current centre in
    ``col``: per applicant and column, its partners' weight × the distance to that centre
    (None, None without partner pairs)."""
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


def restricted_exact(
    instance: Instance,
    best: np.ndarray,
    time_limit: float | None,
    rows: list[int] | None = None,
) -> np.ndarray | None:
    """The exact MILP over each applicant's ``EXACT_COLUMNS`` cheapest columns and the one
    it holds in ``best``, partner distances measured to its cluster's centre in ``best``
    (:func:`partner_surrogate`), competitors at their penalty: who takes which booths and
    who is left out — the trade between merged groups and single booths — decided exactly
    where the linear solves and their booth prices only approximate it (groups get
    ``EXACT_GROUP_COLUMNS``). ``rows``: a window of the admitted applicants (default all);
    the others keep their booths in ``best``. None when the model could exceed
    ``EXACT_VARS`` variables, or HiGHS found nothing by ``time_limit``."""
    admitted = np.flatnonzero(instance.admitted).tolist()
    rows = admitted if rows is None else rows
    if not rows or not _affordable(instance, rows):
        return None
    blocked = None
    if len(rows) < len(admitted):
        blocked = np.zeros(instance.n_booths, dtype=bool)
        inside = set(rows)
        for i in admitted:
            if i not in inside and best[i] >= 0:
                blocked[list(instance.members[best[i]])] = True
    col, _ = solve_milp(
        instance,
        rows,
        *partner_surrogate(instance, best),
        competitors=bool(instance.comp_pairs),
        penalise=True,
        time_limit=time_limit,
        cheapest=(EXACT_COLUMNS, EXACT_GROUP_COLUMNS),
        keep=best,
        blocked=blocked,
        max_vars=None,
    )
    if col is not None and blocked is not None:
        outside = [i for i in admitted if i not in set(rows)]
        col[outside] = best[outside]
    return col


def whole_affordable(instance: Instance) -> bool:
    """Whether :func:`restricted_exact` takes the whole problem (else its windows)."""
    return _affordable(instance, np.flatnonzero(instance.admitted).tolist())


def _affordable(instance: Instance, rows: list[int]) -> bool:
    groups = int(instance.needs_group[rows].sum()) if rows else 0
    return (len(rows) - groups) * EXACT_COLUMNS + groups * EXACT_GROUP_COLUMNS <= EXACT_VARS


def zone_windows(instance: Instance, best: np.ndarray) -> list[list[int]]:
    """Windows for :func:`restricted_exact` on problems too big for it whole: per track,
    its applicants and those holding booths in its zone in ``best`` — where an applicant
    out of its zone and the others in that zone can trade places. Tracks whose applicants
    pay the most for their zone come first."""
    admitted = np.flatnonzero(instance.admitted)
    placed = admitted[best[admitted] >= 0]
    booth_zone = instance.booth_in_zone
    windows = []
    for track in range(len(instance.tracks)):
        holders = [
            int(i) for i in placed if booth_zone[list(instance.members[best[i]]), track].any()
        ]
        own = admitted[instance.app_track[admitted] == track]
        rows = sorted(set(holders) | set(own.tolist()))
        placed_own = own[best[own] >= 0]
        paid = (
            float(instance.terms(placed_own, best[placed_own])["zone"].sum())
            if placed_own.size
            else 0.0
        )
        if rows:
            windows.append((-paid, track, rows))
    return [rows for _, _, rows in sorted(windows)]


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
