"""The report: each applicant's cost by term and the reasons for its place, who is left out,
and the quality figures."""

from __future__ import annotations

import numpy as np

from exhibit.booking.assign.constants import HARD_PENALTY, TERMS
from exhibit.booking.assign.reasons import KIND_NAMES, area_taken, partner_reason, phrase
from exhibit.booking.assign.results import Assignment, AssignmentResult, Quality, Unplaced
from exhibit.floorplan.plan import BOOTH_KINDS


class Report:
    """Methods of :class:`exhibit.booking.assign.problem.Problem` (a mixin: ``self`` is the
    problem, its model built by ``problem.py``)."""

    def report(self, col: np.ndarray, bound: float) -> AssignmentResult:
        objective = self.objective(col)
        owner = self._owners(col)
        wp = self.weights.partner_per_10m / 10.0
        assignments: list[Assignment] = []
        unplaced: list[Unplaced] = []
        viol = self._violations(col)
        viol_of: dict[int, list[int]] = {}
        for i, j in viol:
            viol_of.setdefault(i, []).append(j)
            viol_of.setdefault(j, []).append(i)
        area_diffs: list[float] = []
        in_zone = zone_known = 0
        partner_d: list[float] = []
        fixed_viol = 0
        placed_rows = np.flatnonzero(col >= 0)
        all_terms = self._terms(placed_rows, col[placed_rows])  # one vectorised call
        term_row = {int(i): k for k, i in enumerate(placed_rows)}
        for i, app in enumerate(self.apps):
            c = int(col[i])
            if c < 0:
                why = self.left_out.get(i) or area_taken(
                    float(self.requested[i] * (1 - self.tolerance))
                )
                unplaced.append(Unplaced(app.exhibitor, why))
                continue
            terms = {k: float(v[term_row[i]]) for k, v in all_terms.items()}
            pair_cost = 0.0
            for p in self.partners[i]:
                if col[p] >= 0:
                    d = float(np.hypot(*(self.col_xy[c] - self.col_xy[col[p]])))
                    pair_cost += 0.5 * wp * d
                    if i < p:
                        partner_d.append(d)
            for _name, point in self.fixed_partners[i]:
                partner_d.append(float(np.hypot(*(self.col_xy[c] - point))))
            terms["partners"] += pair_cost
            fixed_viol += bool(terms["competitors"])  # so far only the fixed competitors
            terms["competitors"] += 0.5 * HARD_PENALTY * len(viol_of.get(i, []))
            cost = {k: terms[k] for k in TERMS}
            area_diffs.append(abs(self.col_area[c] - self.requested[i]) / self.requested[i])
            t = self.app_track[i]
            if t >= 0:
                zone_known += 1
                in_zone += bool(self.col_in_zone[c, t])
            numbers = [self.booths[b].number for b in self.members[c]]
            assignments.append(
                Assignment(
                    exhibitor=app.exhibitor,
                    booths=numbers,
                    cost=cost,
                    reasons=self._explain(i, c, col, owner, viol_of.get(i, [])),
                    total=float(sum(cost.values())),
                )
            )
        placed = len(assignments)
        quality = Quality(
            placed_share=placed / self.n_applicants if self.n_applicants else 1.0,
            in_zone_share=in_zone / zone_known if zone_known else None,
            in_zone_possible=self._in_zone_possible(col) / zone_known if zone_known else None,
            mean_area_diff=float(np.mean(area_diffs)) if area_diffs else None,
            worst_area_diff=float(np.max(area_diffs)) if area_diffs else None,
            competitor_adjacencies=len(viol) + fixed_viol,
            mean_partner_distance=float(np.mean(partner_d)) if partner_d else None,
            optimality_gap=max(0.0, (objective - bound) / max(abs(bound), 1.0)),
            lower_bound=bound,
            objective=objective,
        )
        return AssignmentResult(assignments, unplaced, quality, list(self.warnings))

    def _in_zone_possible(self, col: np.ndarray) -> int:
        """How many of the placed applicants whose track has a zone the zones could hold at
        most: a maximum matching of single-booth applicants to allowed single booths in
        their zone, plus every group applicant with an allowed group in its zone (groups
        counted apart from the rest, so this is an upper bound, exact without groups)."""
        from scipy.optimize import linear_sum_assignment

        placed = [i for i in np.flatnonzero(col >= 0).tolist() if self.app_track[i] >= 0]
        singles = [i for i in placed if not self.is_big[i]]
        total = 0
        if singles:
            rows = self.single_cost[[self.single_row[i] for i in singles]]
            tracks = self.app_track[singles]
            fits = np.isfinite(rows) & self.col_in_zone[: self.n_booths, tracks].T
            r, c = linear_sum_assignment(fits, maximize=True)
            total += int(fits[r, c].sum())
        for i in placed:
            if self.is_big[i]:
                fits = np.isfinite(self.group_cost[self.group_row[i]])
                total += bool((fits & self.col_in_zone[self.n_booths :, self.app_track[i]]).any())
        return total

    def _explain(
        self, i: int, c: int, col: np.ndarray, owner: np.ndarray, rivals: list[int]
    ) -> list[str]:
        app = self.apps[i]
        out: list[str] = []
        t = self.app_track[i]
        if t < 0:
            out.append(phrase("зона направления «%(track)s» в зале не размечена", track=app.track))
        elif self.col_in_zone[c, t]:
            out.append(phrase("в зоне направления «%(track)s»", track=app.track))
        else:
            out.append(
                phrase(
                    "вне зоны направления «%(track)s» (%(metres)s м от неё): в зоне не нашлось "
                    "подходящего свободного стенда",
                    track=app.track,
                    metres=float(self.col_zone_dist[c, t]),
                )
            )
        mem = self.members[c]
        if len(mem) > 1:
            out.append(
                phrase(
                    "объединены соседние стенды %(booths)s: ни один свободный стенд не вмещает "
                    "%(area)s м²",
                    booths=" + ".join(self.booths[b].number for b in mem),
                    area=float(self.requested[i]),
                )
            )
        out.append(
            phrase(
                "площадь %(area)s м² при запросе %(requested)s м²",
                area=float(self.col_area[c]),
                requested=float(self.requested[i]),
            )
        )
        if app.wish_kind:
            got = BOOTH_KINDS[self.col_rank[c]]
            if got == app.wish_kind:
                out.append(phrase("%(kind)s, как просили", kind=KIND_NAMES[got]))
            else:
                out.append(
                    phrase(
                        "просили %(wished)s, достался %(kind)s",
                        wished=KIND_NAMES[app.wish_kind],
                        kind=KIND_NAMES[got],
                    )
                )
        for p in self.partners[i]:
            name = self.apps[p].exhibitor
            if col[p] < 0:
                out.append(phrase("партнёр %(name)s не размещён", name=name))
                continue
            d = float(np.hypot(*(self.col_xy[c] - self.col_xy[col[p]])))
            out.append(partner_reason(name, d))
        for name, point in self.fixed_partners[i]:
            out.append(partner_reason(name, float(np.hypot(*(self.col_xy[c] - point)))))
        near_fixed = [name for name, hits in self.fixed_comp_names[i] if hits.intersection(mem)]
        if rivals or near_fixed:
            names = ", ".join([self.apps[j].exhibitor for j in rivals] + near_fixed)
            out.append(
                phrase(
                    "рядом с конкурентом %(names)s: другого свободного места не хватило",
                    names=names,
                )
            )
        elif self.comps[i] or self.fixed_comp_names[i]:
            out.append(phrase("не соседствует с конкурентами"))
        if app.step_free:
            out.append(
                phrase(
                    "до входа %(metres)s м (нужен доступ без ступеней)",
                    metres=float(self.col_entrance[c]),
                )
            )
        if self.current_size[i]:
            kept = [self.booths[b].number for b in mem if self.current[i, b]]
            before = [self.booths[b].number for b in np.flatnonzero(self.current[i]).tolist()]
            if len(kept) == len(before) == len(mem):
                out.append(phrase("остаётся на прежнем стенде"))
            elif kept:
                out.append(phrase("частично на прежнем месте (%(booths)s)", booths=", ".join(kept)))
            else:
                out.append(
                    phrase("перенесён с прежнего стенда %(booths)s", booths=", ".join(before))
                )
        return out
