"""A stronger lower bound: the LP relaxation of the whole assignment, by column generation.

The model (docs/assignment.md, "Lower bound and gap"): ``x[i, c]`` ∈ [0, 1] for each
admitted applicant ``i`` and each column ``c`` it may take, ``u[i]`` for "unplaced";

- each applicant once: ``Σ_c x[i, c] + u[i] = 1``;
- **each booth once, across single booths and merged groups** (groups among themselves
  too): ``Σ_i Σ_{c ∋ b} x[i, c] ≤ 1`` — what the cheap bounds relax;
- the **competitor rule, penalised**: per pair ``p = (i, j)``, ``z_p`` ∈ [0, 1] at
  ``HARD_PENALTY`` and, on both sides, ``x[i, c] + Σ_{d next to c} x[j, d] − z_p ≤ 1`` —
  added as cutting planes (every row of a pair once one of them is broken);
- costs: the linear cost plus the strong per-applicant partner floor
  (``instance.partner_floor(rows, cols, strong=True)``); ``u[i]`` costs ``unplaced_cost[i]``
  less half a partner weight × the hall's diameter per admitted partner of ``i``.

Why the last is needed, and valid: a partner floor charges ``i``'s half of every pair as if
the partner were placed. When a partner ``j`` is left out the true objective charges the
pair nothing, while ``i``'s floor still holds a share of it — at most ``½ w · diam`` (each
distance in a floor is one between two column centroids, at most the diameter of the
columns' bounding box). Summed over the placed partners of the applicants left out, that is
at most ``Σ_{j left out} ½ w · diam · (admitted partners of j)``: charging it back on
``u[j]`` keeps every integer solution's LP cost at or below its true objective.

Column generation: HiGHS (``scipy.optimize.linprog``, ``method="highs"``) solves a
restricted LP — each applicant's cheapest columns at the construction's booth prices, and
the columns of a greedy feasible assignment, so that the first LP can place everyone. The
reduced costs of **all** allowed (applicant, column) pairs are computed in NumPy from the
duals, and up to ``ENTER`` negative ones per applicant join each round.

The value reported is **never the LP's own**: it is the Lagrangian bound of the LP's duals
— booth rows relaxed with ``λ = max(0, −dual)``, competitor rows with ``μ = max(0, −dual)``
(over every variable of the row, not only those in the restricted LP), each applicant its
cheapest column over everything it may take, or unplaced:
``Σ_i min(min_c (cost + λ + μ)[i, c], u_i) − Σλ − Σμ + Σ_p min(0, H − Σ_{rows of p} μ)``.
That is valid for any ``λ, μ ≥ 0`` — whether HiGHS converged, hit its time limit or the
column generation was cut short. The best of the rounds is kept, less 1e-9 relative.

:class:`Relaxation` is resumable (``run(by)`` goes on where it stopped); the solve keeps one
per admitted set in its :class:`~exhibit.booking.assign.state.SolveCache`. It only reads the
instance.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix

from exhibit.booking.assign.constants import HARD_PENALTY
from exhibit.booking.assign.floors import unplaced_charge

if TYPE_CHECKING:
    from exhibit.booking.assign.problem import Instance

#: Columns per applicant in the first restricted LP (its cheapest at the booth prices).
START = 20
#: Negative reduced-cost columns that join per applicant and round, at most.
ENTER = 40
#: A reduced cost below this joins; a competitor row above 1 + this is broken.
TOLERANCE = 1e-7
#: Rounds at most (a safety net: column generation ends by itself).
MAX_ROUNDS = 500


class Relaxation:
    """The LP relaxation of one instance (its admitted set), resumable.

    ``run(by)`` goes on with the column generation until it converges or the clock
    (``time.perf_counter()``) passes ``by``, and returns the best bound so far (None when
    no round has finished). ``complete``: nothing more to gain (converged, or cut rounds
    stopped raising the bound). ``prices``: booth prices for the first restricted LP's
    columns (the construction's; zero when not given).
    """

    def __init__(self, instance: Instance, prices: np.ndarray | None = None) -> None:
        self.instance = instance
        self.prices = prices
        self.best: float | None = None  # of the rounds that finished
        self.interrupted: float | None = None  # of the rounds HiGHS's time limit cut short
        self.converged = False
        self.complete = False
        self.rounds = 0
        self.seconds = 0.0
        self._ready = False
        self._last_cut_only = False

    # ----------------------------------------------------------------- the set-up

    def _prepare(self) -> None:
        instance = self.instance
        n_booths = instance.n_booths
        keep_s = instance.admitted[instance.single_applicants]
        keep_g = instance.admitted[instance.group_applicants]
        rows_s = instance.single_applicants[keep_s]
        rows_g = instance.group_applicants[keep_g]
        cost_s = instance.single_cost[keep_s]
        cost_g = instance.group_cost[keep_g]
        if rows_s.size:
            cost_s = cost_s + instance.partner_floor(rows_s, instance.single_columns, strong=True)
        if rows_g.size:
            cost_g = cost_g + instance.partner_floor(rows_g, instance.group_columns, strong=True)
        self.cost_s, self.cost_g = cost_s, cost_g
        self.n_s, self.n_g = rows_s.size, rows_g.size
        #: Local applicant index ``a``: singles first, then groups; ``app[a]`` the applicant.
        self.app = np.concatenate([rows_s, rows_g]).astype(np.int64)
        self.local = {int(i): a for a, i in enumerate(self.app.tolist())}
        # Unplaced, less half a partner weight × the diameter per admitted partner.
        self.unplaced = unplaced_charge(instance)[self.app]
        # Column × booth incidence, and column × "booths next to it" (competitor rule).
        members = instance.column_booths
        c_idx, slot = np.nonzero(members >= 0)
        self.incidence = csr_matrix(
            (np.ones(c_idx.size), (c_idx, members[c_idx, slot])),
            shape=(instance.n_columns, n_booths),
        )
        pairs = [
            (i, j) for i, j in instance.comp_pairs if instance.admitted[i] and instance.admitted[j]
        ]
        self.pairs = pairs
        if pairs:
            near_r = [c for c, near in enumerate(instance.col_near) for _ in near]
            near_c = [b for near in instance.col_near for b in sorted(near)]
            self.next_to = csr_matrix(
                (np.ones(len(near_r)), (near_r, near_c)), shape=(instance.n_columns, n_booths)
            )
        self.cut: list[int] = []  # pairs whose rows are in the LP
        self.cut_set: set[int] = set()
        # The first restricted LP: cheapest columns at the booth prices, and a greedy
        # feasible assignment's.
        price = np.zeros(n_booths) if self.prices is None else np.asarray(self.prices, float)
        group_price = np.zeros(instance.group_columns.size)
        if instance.group_columns.size:
            g_members = members[instance.group_columns]
            group_price = np.where(g_members >= 0, price[np.maximum(g_members, 0)], 0.0).sum(1)
        priced_s = cost_s + price[None, :]
        priced_g = cost_g + group_price[None, :]
        keys = [self._cheapest(priced_s, 0, 0), self._cheapest(priced_g, self.n_s, n_booths)]
        keys.append(self._greedy(priced_s, priced_g))
        self.keys = np.unique(np.concatenate(keys))
        self._ready = True

    def _cheapest(self, priced: np.ndarray, first: int, offset: int) -> np.ndarray:
        """Keys of each row's ``START`` cheapest allowed columns."""
        if priced.size == 0:
            return np.zeros(0, dtype=np.int64)
        width = min(START, priced.shape[1])
        part = np.argpartition(priced, width - 1, axis=1)[:, :width]
        rows = np.repeat(np.arange(priced.shape[0]), width)
        cols = part.ravel()
        ok = np.isfinite(priced[rows, cols])
        return self._key(rows[ok] + first, cols[ok] + offset)

    def _greedy(self, priced_s: np.ndarray, priced_g: np.ndarray) -> np.ndarray:
        """Keys of a feasible assignment: groups then single booths, each applicant in
        turn its cheapest column of free booths."""
        instance = self.instance
        free = np.ones(instance.n_booths, dtype=bool)
        keys = []
        g_members = instance.column_booths[instance.group_columns]
        for a in range(self.n_g):
            ok = np.where(g_members >= 0, free[np.maximum(g_members, 0)], True).all(axis=1)
            row = np.where(ok, priced_g[a], np.inf)
            g = int(np.argmin(row)) if row.size else 0
            if row.size and np.isfinite(row[g]):
                free[g_members[g][g_members[g] >= 0]] = False
                keys.append(self._key(self.n_s + a, instance.n_booths + g))
        for a in range(self.n_s):
            row = np.where(free, priced_s[a], np.inf)
            b = int(np.argmin(row)) if row.size else 0
            if row.size and np.isfinite(row[b]):
                free[b] = False
                keys.append(self._key(a, b))
        return np.array(keys, dtype=np.int64)

    def _key(self, a: np.ndarray | int, c: np.ndarray | int) -> np.ndarray:
        return np.asarray(a, dtype=np.int64) * self.instance.n_columns + np.asarray(c, np.int64)

    # ----------------------------------------------------------------- the rounds

    def run(self, by: float = math.inf) -> float | None:
        """Go on until converged or ``by``; the best bound so far (None: no round yet)."""
        start = time.perf_counter()
        try:
            if not self._ready:
                if time.perf_counter() >= by:
                    return self.value()
                self._prepare()
            while not self.complete and time.perf_counter() < by:
                if self.app.size == 0:
                    self.best = 0.0
                    self.converged = self.complete = True
                    break
                if not self._round(by):
                    break
        finally:
            self.seconds += time.perf_counter() - start
        return self.value()

    def value(self) -> float | None:
        """The best bound so far, less 1e-9 relative (None: no round has given duals)."""
        values = [v for v in (self.best, self.interrupted) if v is not None]
        if not values:
            return None
        best = max(values)
        return best - 1e-9 * max(abs(best), 1.0)

    def _round(self, by: float) -> bool:
        """One restricted LP, its Lagrangian bound, pricing and cuts; False when HiGHS
        gave no duals (time limit)."""
        instance = self.instance
        n_columns = instance.n_columns
        keys = self.keys
        var_a, var_c = keys // n_columns, keys % n_columns
        n_x, n_a = keys.size, self.app.size
        cost = np.empty(n_x)
        single = var_a < self.n_s
        cost[single] = self.cost_s[var_a[single], var_c[single]]
        cost[~single] = self.cost_g[var_a[~single] - self.n_s, var_c[~single] - instance.n_booths]
        # Booth rows.
        inc = self.incidence[var_c].tocoo()  # var × booth
        used = np.unique(inc.col)
        booth_row = np.full(instance.n_booths, -1, dtype=np.int64)
        booth_row[used] = np.arange(used.size)
        # Competitor rows of the cut pairs.
        comp_rows, comp_vars, row_pair, row_owner = self._competitor_rows(keys, var_a, var_c)
        n_comp = len(row_pair)
        n_z = len(self.cut)
        z_of = {p: k for k, p in enumerate(self.cut)}
        n_vars = n_x + n_a + n_z
        ub_r = np.concatenate(
            [booth_row[inc.col], used.size + comp_rows, used.size + np.arange(n_comp)]
        )
        ub_c = np.concatenate(
            [inc.row, comp_vars, n_x + n_a + np.array([z_of[p] for p in row_pair], dtype=np.int64)]
        )
        ub_v = np.concatenate([np.ones(inc.row.size + comp_vars.size), -np.ones(n_comp)])
        a_ub = coo_matrix((ub_v, (ub_r, ub_c)), shape=(used.size + n_comp, n_vars)).tocsr()
        eq_r = np.concatenate([var_a, np.arange(n_a)])
        eq_c = np.arange(n_x + n_a)
        a_eq = coo_matrix((np.ones(eq_r.size), (eq_r, eq_c)), shape=(n_a, n_vars)).tocsr()
        objective = np.concatenate([cost, self.unplaced, np.full(n_z, HARD_PENALTY)])
        bounds = np.zeros((n_vars, 2))
        bounds[:, 1] = np.inf
        bounds[n_x + n_a :, 1] = 1.0
        options: dict[str, float] = {}
        left = by - time.perf_counter()
        if math.isfinite(left):
            options["time_limit"] = max(left, 0.01)
        result = linprog(
            objective,
            A_ub=a_ub,
            b_ub=np.ones(a_ub.shape[0]),
            A_eq=a_eq,
            b_eq=np.ones(n_a),
            bounds=bounds,
            method="highs",
            options=options,
        )
        marg_ub = getattr(getattr(result, "ineqlin", None), "marginals", None)
        marg_eq = getattr(getattr(result, "eqlin", None), "marginals", None)
        if marg_ub is None or marg_eq is None or result.x is None:
            return False
        marg_ub, marg_eq = np.asarray(marg_ub, float), np.asarray(marg_eq, float)
        if not (np.isfinite(marg_ub).all() and np.isfinite(marg_eq).all()):
            return False
        price = np.zeros(instance.n_booths)
        price[used] = np.maximum(0.0, -marg_ub[: used.size])
        mu = np.maximum(0.0, -marg_ub[used.size :])
        pi = marg_eq
        value, entering = self._price(price, mu, row_pair, row_owner, keys, pi)
        if result.status != 0:
            # Cut short (time limit): its duals bound all the same, but the restricted LP
            # stays as it was, so that a resumed run takes the same rounds as one run.
            self.interrupted = value if self.interrupted is None else max(self.interrupted, value)
            return False
        raised = self.best is None or value > self.best + 1e-9 * max(abs(self.best), 1.0)
        if self.best is None or value > self.best:
            self.best = value
        self.rounds += 1
        broken = self._broken(result.x[:n_x], keys, var_c) if self.pairs else []
        if entering.size == 0 and not broken:
            self.converged = self.complete = True
            return True
        if entering.size == 0 and self._last_cut_only and not raised:
            self.complete = True  # cut rounds stopped raising the bound
            return True
        self._last_cut_only = entering.size == 0
        if entering.size:
            self.keys = np.union1d(self.keys, entering)
        for p in broken:
            if p not in self.cut_set:
                self.cut_set.add(p)
                self.cut.append(p)
        if self.rounds >= MAX_ROUNDS:
            self.complete = True
        return True

    def _competitor_rows(
        self, keys: np.ndarray, var_a: np.ndarray, var_c: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, list[int], list[tuple[int, int]]]:
        """The LP rows of the cut pairs: per side and owner column in the LP, the owner's
        variable and the other's variables next to it. Returns (row of each entry,
        variable of each entry, pair of each row, (owner, column) of each row)."""
        n_columns = self.instance.n_columns
        entry_rows: list[np.ndarray] = []
        entry_vars: list[np.ndarray] = []
        row_pair: list[int] = []
        row_owner: list[tuple[int, int]] = []
        n_rows = 0
        for p in self.cut:
            i, j = self.pairs[p]
            for owner, other in ((self.local[i], self.local[j]), (self.local[j], self.local[i])):
                lo, hi = np.searchsorted(keys, [owner * n_columns, (owner + 1) * n_columns])
                olo, ohi = np.searchsorted(keys, [other * n_columns, (other + 1) * n_columns])
                if lo == hi:
                    continue
                own_c = var_c[lo:hi]
                adj = (self.next_to[own_c] @ self.incidence[var_c[olo:ohi]].T).tocoo()
                k = hi - lo
                entry_rows.append(n_rows + np.arange(k))
                entry_vars.append(np.arange(lo, hi))
                entry_rows.append(n_rows + adj.row)
                entry_vars.append(olo + adj.col)
                row_pair.extend([p] * k)
                row_owner.extend((owner, int(c)) for c in own_c.tolist())
                n_rows += k
        if not entry_rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), row_pair, row_owner
        return (
            np.concatenate(entry_rows).astype(np.int64),
            np.concatenate(entry_vars).astype(np.int64),
            row_pair,
            row_owner,
        )

    def _price(
        self,
        price: np.ndarray,
        mu: np.ndarray,
        row_pair: list[int],
        row_owner: list[tuple[int, int]],
        keys: np.ndarray,
        pi: np.ndarray,
    ) -> tuple[float, np.ndarray]:
        """The Lagrangian bound of ``price`` (λ) and ``mu`` (μ), and the keys of the
        columns with a negative reduced cost (at most ``ENTER`` per applicant)."""
        instance = self.instance
        n_booths = instance.n_booths
        g_members = instance.column_booths[instance.group_columns]
        group_price = np.where(g_members >= 0, price[np.maximum(g_members, 0)], 0.0).sum(axis=1)
        red_s = self.cost_s + price[None, :]
        red_g = self.cost_g + group_price[None, :]
        parts = [-price, -mu]
        if mu.size and (mu > 0).any():
            # Each row's μ on its owner's column and on every column of the other
            # applicant next to it (the full row, not only the LP's variables).
            slot = {p: k for k, p in enumerate(self.cut)}
            per_pair = np.zeros(len(self.cut))
            np.add.at(per_pair, np.array([slot[p] for p in row_pair]), mu)
            parts.append(np.minimum(0.0, HARD_PENALTY - per_pair))
            for r in np.flatnonzero(mu > 0).tolist():
                owner, c = row_owner[r]
                i, j = self.pairs[row_pair[r]]
                other = self.local[j] if self.app[owner] == i else self.local[i]
                self._add(red_s, red_g, owner, np.array([c]), mu[r])
                near = self.next_to[c]
                if other < self.n_s:
                    self._add(red_s, red_g, other, near.indices, mu[r])
                else:
                    hit = (self.incidence[instance.group_columns] @ near.T).tocoo().row
                    self._add(red_s, red_g, other, n_booths + hit, mu[r])
        best_s = red_s.min(axis=1) if red_s.shape[1] else np.full(self.n_s, np.inf)
        best_g = red_g.min(axis=1) if red_g.shape[1] else np.full(self.n_g, np.inf)
        parts.append(np.minimum(np.concatenate([best_s, best_g]), self.unplaced))
        # Summed exactly (fsum), less a margin for the rounding of each part: with booth
        # prices of the unplaced cost's size the parts are ~1e6 each and mostly cancel.
        terms = np.concatenate(parts)
        total = math.fsum(terms.tolist()) - 1e-12 * math.fsum(np.abs(terms).tolist())
        entering = [
            self._entering(red_s - pi[: self.n_s, None], 0, 0, keys),
            self._entering(red_g - pi[self.n_s :, None], self.n_s, n_booths, keys),
        ]
        return total, np.concatenate(entering)

    def _add(
        self, red_s: np.ndarray, red_g: np.ndarray, a: int, cols: np.ndarray, amount: float
    ) -> None:
        if a < self.n_s:
            red_s[a, cols] += amount
        else:
            red_g[a - self.n_s, cols - self.instance.n_booths] += amount

    def _entering(
        self, reduced: np.ndarray, first: int, offset: int, keys: np.ndarray
    ) -> np.ndarray:
        """Keys of up to ``ENTER`` most negative reduced costs per row, not in the LP."""
        if reduced.size == 0:
            return np.zeros(0, dtype=np.int64)
        rows, cols = np.nonzero(reduced < -TOLERANCE)
        if rows.size == 0:
            return np.zeros(0, dtype=np.int64)
        found = self._key(rows + first, cols + offset)
        if keys.size:
            at = np.minimum(np.searchsorted(keys, found), keys.size - 1)
            new = keys[at] != found
        else:
            new = np.ones(found.size, dtype=bool)
        rows, found, values = rows[new], found[new], reduced[rows[new], cols[new]]
        # Up to ENTER per row, the most negative first.
        order = np.lexsort((values, rows))
        rows, found = rows[order], found[order]
        start = np.searchsorted(rows, rows, side="left")
        rank = np.arange(rows.size) - start
        return found[rank < ENTER]

    def _broken(self, x: np.ndarray, keys: np.ndarray, var_c: np.ndarray) -> list[int]:
        """Pairs (not yet cut) with a competitor row above 1 at the LP's solution ``x``
        (only a row whose owner's variable is positive can be)."""
        n_columns = self.instance.n_columns
        out = []
        for p, (i, j) in enumerate(self.pairs):
            if p in self.cut_set:
                continue
            for owner, other in ((self.local[i], self.local[j]), (self.local[j], self.local[i])):
                lo, hi = np.searchsorted(keys, [owner * n_columns, (owner + 1) * n_columns])
                olo, ohi = np.searchsorted(keys, [other * n_columns, (other + 1) * n_columns])
                own = lo + np.flatnonzero(x[lo:hi] > 1e-9)
                theirs = olo + np.flatnonzero(x[olo:ohi] > 1e-9)
                if own.size == 0 or theirs.size == 0:
                    continue
                adj = (self.next_to[var_c[own]] @ self.incidence[var_c[theirs]].T).toarray() > 0
                if (x[own] + adj @ x[theirs] > 1 + TOLERANCE).any():
                    out.append(p)
                    break
        return out


def relaxation_bound(
    instance: Instance, by: float = math.inf, prices: np.ndarray | None = None
) -> float | None:
    """The LP relaxation's bound, computed until ``by`` (None: not even one round)."""
    return Relaxation(instance, prices).run(by)
