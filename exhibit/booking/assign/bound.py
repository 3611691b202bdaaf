"""The lower bound: relaxations of the same problem, the best one reported.

Partner pairs are charged per-applicant floors (nearest neighbour, Gilmore–Lawler),
competitors are ignored and "each booth once" between groups and single booths is relaxed
with booth prices (Lagrangian); small problems add HiGHS's proven bound of the exact MILP
(docs/assignment.md, "Lower bound and gap")."""

from __future__ import annotations

import math
import time

import numpy as np

from exhibit.booking.assign.tools import lsa


class Bounds:
    """Methods of :class:`exhibit.booking.assign.problem.Problem` (a mixin: ``self`` is the
    problem, its model built by ``problem.py``)."""

    def lower_bound(self, by: float = math.inf) -> float:
        """The best of the valid bounds (see the module docstring). The cheapest relaxation
        (nearest-neighbour partner floors, no booth prices) always runs, and the subgradient
        rounds' bound from the construction costs nothing; the stronger ones run while each,
        taking as long as the first, ends by ``by``."""
        strong = bool(self.partner_pairs)
        zero = np.zeros(self.n_booths)
        start = time.perf_counter()
        bound = self._lagrangian(zero, False)
        took = time.perf_counter() - start

        def affordable() -> bool:
            return time.perf_counter() + took <= by

        coupled = getattr(self, "coupled_bound", None)
        if coupled is not None and coupled[0] != tuple(np.flatnonzero(self.admitted).tolist()):
            coupled = None  # computed for another admitted set
        if coupled is not None:
            bound = max(bound, coupled[1])
        if strong and affordable():  # with the Gilmore–Lawler floors
            bound = max(bound, self._lagrangian(zero, strong))
        if self.group_applicants.size and affordable():
            bound = max(bound, self._lagrangian(self._coupling_prices(), strong))
            if coupled is not None and strong and affordable():  # the rounds' best prices
                bound = max(bound, self._lagrangian(self.coupled_price, strong))
        if self.partner_pairs or self.comp_pairs or self.group_applicants.size:
            _, exact = self._exact()
            if exact is not None:
                bound = max(bound, exact)
        return bound

    def _shadow_prices(self, cost: np.ndarray, unplaced: np.ndarray) -> np.ndarray:
        """What losing each booth would cost the single-booth applicants (≥ 0, per booth).

        From the optimal assignment of ``cost`` (rows × booths): a free booth costs nothing;
        a taken booth costs the cheapest chain of moves that frees it — its holder moves to
        another booth, whose holder moves on … until a free booth is reached (or someone
        drops out). Those are the dual prices of the booth constraints (shortest paths in
        the residual graph), found by vectorised Bellman–Ford; chains are short when booths
        are spare, so it converges in a few rounds.
        """
        price = np.zeros(self.n_booths)
        if cost.size == 0:
            return price
        chosen = lsa(cost, unplaced)
        rows = np.flatnonzero(chosen >= 0)
        held = chosen[rows]
        step = cost[rows] - cost[rows, held][:, None]
        leave = unplaced[rows] - cost[rows, held]
        price[held] = np.inf
        for _ in range(self.n_booths + 1):
            new = np.minimum((step + price[None, :]).min(axis=1), leave)
            if np.allclose(new, price[held], rtol=0, atol=1e-9):
                break
            price[held] = new
        return np.maximum(price, 0.0)

    def _lagrangian(self, price: np.ndarray, strong: bool = False) -> float:
        """Lagrangian bound: "each booth once" between groups and single booths relaxed
        with a price per booth: ``LSA(S + p) + LSA(G + Σ p) − Σ p`` (valid for any p ≥ 0);
        ``strong``: partner floors with the Gilmore–Lawler term (``_partner_floor``)."""
        total = 0.0 - float(price.sum())  # 0.0 - 0.0 is 0.0, not -0.0
        for rows, cols, base in (
            (self.single_applicants, self.single_columns, self.single_cost),
            (self.group_applicants, self.group_columns, self.group_cost),
        ):
            keep = self.admitted[rows]
            rows, base = rows[keep], base[keep]
            if rows.size == 0:
                continue
            pad = self.column_booths[cols]
            extra = np.where(pad >= 0, price[np.maximum(pad, 0)], 0.0).sum(axis=1)
            cost = base + self._partner_floor(rows, cols, strong) + extra[None, :]
            col = lsa(cost, self.unplaced_cost[rows])
            placed = col >= 0
            total += float(cost[np.flatnonzero(placed), col[placed]].sum())
            total += float(self.unplaced_cost[rows[~placed]].sum())
        return total

    def _lagrangian_parts(
        self, price: np.ndarray, extra_s: np.ndarray | None, extra_g: np.ndarray | None
    ) -> tuple[float, np.ndarray]:
        """``LSA(S' + p) + LSA(G' + Σp) − Σp`` and how often each booth is used by the two
        relaxed solutions (``S'``, ``G'``: the cost matrices plus ``extra_*``)."""
        total = 0.0 - float(price.sum())
        usage = np.zeros(self.n_booths)
        for rows, cols, base, extra in (
            (self.single_applicants, self.single_columns, self.single_cost, extra_s),
            (self.group_applicants, self.group_columns, self.group_cost, extra_g),
        ):
            if rows.size == 0:
                continue
            pad = self.column_booths[cols]
            cost = base + np.where(pad >= 0, price[np.maximum(pad, 0)], 0.0).sum(axis=1)
            if extra is not None:
                cost = cost + extra
            col = lsa(cost, self.unplaced_cost[rows])
            placed = np.flatnonzero(col >= 0)
            total += float(cost[placed, col[placed]].sum())
            total += float(self.unplaced_cost[rows[col < 0]].sum())
            members = pad[col[placed]]
            np.add.at(usage, members[members >= 0], 1.0)
        return total, usage

    def _coupling_prices(self) -> np.ndarray:
        """Shadow prices of the booths for the admitted single-booth applicants."""
        rows = self.single_applicants[self.admitted[self.single_applicants]]
        if rows.size == 0 or self.group_applicants.size == 0:
            return np.zeros(self.n_booths)
        cost = self.single_cost[[self.single_row[i] for i in rows.tolist()]] + self._partner_floor(
            rows, self.single_columns
        )
        return self._shadow_prices(cost, self.unplaced_cost[rows])
