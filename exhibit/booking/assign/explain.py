"""The report: each applicant's cost by term and the reasons for its place, who is left out,
and the quality figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from exhibit.booking.assign.constants import HARD_PENALTY, TERMS
from exhibit.booking.assign.reasons import KIND_NAMES, area_taken, partner_reason, phrase
from exhibit.booking.assign.results import Assignment, AssignmentResult, Quality, Unplaced
from exhibit.booking.assign.solution import Solution
from exhibit.floorplan.plan import BOOTH_KINDS

if TYPE_CHECKING:
    from exhibit.booking.assign.problem import Instance


def report(instance: Instance, solution: Solution, bound: float) -> AssignmentResult:
    """The result of ``solution`` (a solution of ``instance``) with the lower bound
    ``bound``: each placed applicant's booths, cost by term and reasons; who is left out
    and why; the quality figures."""
    col = solution.columns
    objective = solution.objective
    owner = instance.owners(col)
    per_metre = instance.weights.partner_per_10m / 10.0
    assignments: list[Assignment] = []
    unplaced: list[Unplaced] = []
    adjacent = instance.violations(col)
    rivals_of: dict[int, list[int]] = {}
    for i, j in adjacent:
        rivals_of.setdefault(i, []).append(j)
        rivals_of.setdefault(j, []).append(i)
    area_diffs: list[float] = []
    in_zone = zone_known = 0
    partner_distances: list[float] = []
    fixed_adjacent = 0
    placed_rows = np.flatnonzero(col >= 0)
    all_terms = instance.terms(placed_rows, col[placed_rows])  # one vectorised call
    term_row = {int(i): k for k, i in enumerate(placed_rows)}
    for i, app in enumerate(instance.apps):
        c = int(col[i])
        if c < 0:
            why = instance.left_out.get(i) or area_taken(
                float(instance.requested[i] * (1 - instance.tolerance))
            )
            unplaced.append(Unplaced(app.exhibitor, why))
            continue
        terms = {name: float(values[term_row[i]]) for name, values in all_terms.items()}
        pair_cost = 0.0
        for partner in instance.partners[i]:
            if col[partner] >= 0:
                distance = float(np.hypot(*(instance.col_xy[c] - instance.col_xy[col[partner]])))
                pair_cost += 0.5 * per_metre * distance
                if i < partner:
                    partner_distances.append(distance)
        for _name, point in instance.fixed_partners[i]:
            partner_distances.append(float(np.hypot(*(instance.col_xy[c] - point))))
        terms["partners"] += pair_cost
        fixed_adjacent += bool(terms["competitors"])  # so far only the fixed competitors
        terms["competitors"] += 0.5 * HARD_PENALTY * len(rivals_of.get(i, []))
        cost = {name: terms[name] for name in TERMS}
        area_diffs.append(abs(instance.col_area[c] - instance.requested[i]) / instance.requested[i])
        track = instance.app_track[i]
        if track >= 0:
            zone_known += 1
            in_zone += bool(instance.col_in_zone[c, track])
        numbers = [instance.booths[b].number for b in instance.members[c]]
        assignments.append(
            Assignment(
                exhibitor=app.exhibitor,
                booths=numbers,
                cost=cost,
                reasons=_explain(instance, i, c, col, owner, rivals_of.get(i, [])),
                total=float(sum(cost.values())),
            )
        )
    placed = len(assignments)
    quality = Quality(
        placed_share=placed / instance.n_applicants if instance.n_applicants else 1.0,
        in_zone_share=in_zone / zone_known if zone_known else None,
        in_zone_possible=_in_zone_possible(instance, col) / zone_known if zone_known else None,
        mean_area_diff=float(np.mean(area_diffs)) if area_diffs else None,
        worst_area_diff=float(np.max(area_diffs)) if area_diffs else None,
        competitor_adjacencies=len(adjacent) + fixed_adjacent,
        mean_partner_distance=float(np.mean(partner_distances)) if partner_distances else None,
        optimality_gap=max(0.0, (objective - bound) / max(abs(bound), 1.0)),
        lower_bound=bound,
        objective=objective,
    )
    return AssignmentResult(assignments, unplaced, quality, list(instance.warnings))


def _in_zone_possible(instance: Instance, col: np.ndarray) -> int:
    """How many of the placed applicants whose track has a zone the zones could hold at
    most: a maximum matching of single-booth applicants to allowed single booths in
    their zone, plus every group applicant with an allowed group in its zone (groups
    counted apart from the rest, so this is an upper bound, exact without groups)."""
    from scipy.optimize import linear_sum_assignment

    placed = [i for i in np.flatnonzero(col >= 0).tolist() if instance.app_track[i] >= 0]
    singles = [i for i in placed if not instance.needs_group[i]]
    total = 0
    if singles:
        rows = instance.single_cost[[instance.single_row[i] for i in singles]]
        tracks = instance.app_track[singles]
        fits = np.isfinite(rows) & instance.col_in_zone[: instance.n_booths, tracks].T
        matched_rows, matched_cols = linear_sum_assignment(fits, maximize=True)
        total += int(fits[matched_rows, matched_cols].sum())
    for i in placed:
        if instance.needs_group[i]:
            fits = np.isfinite(instance.group_cost[instance.group_row[i]])
            total += bool(
                (fits & instance.col_in_zone[instance.n_booths :, instance.app_track[i]]).any()
            )
    return total


def _explain(
    instance: Instance, i: int, c: int, col: np.ndarray, owner: np.ndarray, rivals: list[int]
) -> list[str]:
    app = instance.apps[i]
    out: list[str] = []
    track = instance.app_track[i]
    if track < 0:
        out.append(phrase("зона направления «%(track)s» в зале не размечена", track=app.track))
    elif instance.col_in_zone[c, track]:
        out.append(phrase("в зоне направления «%(track)s»", track=app.track))
    else:
        out.append(
            phrase(
                "вне зоны направления «%(track)s» (%(metres)s м от неё): в зоне не нашлось "
                "подходящего свободного стенда",
                track=app.track,
                metres=float(instance.col_zone_dist[c, track]),
            )
        )
    booths = instance.members[c]
    if len(booths) > 1:
        out.append(
            phrase(
                "объединены соседние стенды %(booths)s: ни один свободный стенд не вмещает "
                "%(area)s м²",
                booths=" + ".join(instance.booths[b].number for b in booths),
                area=float(instance.requested[i]),
            )
        )
    out.append(
        phrase(
            "площадь %(area)s м² при запросе %(requested)s м²",
            area=float(instance.col_area[c]),
            requested=float(instance.requested[i]),
        )
    )
    if app.wish_kind:
        got = BOOTH_KINDS[instance.col_rank[c]]
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
    for partner in instance.partners[i]:
        name = instance.apps[partner].exhibitor
        if col[partner] < 0:
            out.append(phrase("партнёр %(name)s не размещён", name=name))
            continue
        distance = float(np.hypot(*(instance.col_xy[c] - instance.col_xy[col[partner]])))
        out.append(partner_reason(name, distance))
    for name, point in instance.fixed_partners[i]:
        out.append(partner_reason(name, float(np.hypot(*(instance.col_xy[c] - point)))))
    near_fixed = [name for name, hits in instance.fixed_comp_names[i] if hits.intersection(booths)]
    if rivals or near_fixed:
        names = ", ".join([instance.apps[j].exhibitor for j in rivals] + near_fixed)
        out.append(
            phrase(
                "рядом с конкурентом %(names)s: другого свободного места не хватило",
                names=names,
            )
        )
    elif instance.competitors[i] or instance.fixed_comp_names[i]:
        out.append(phrase("не соседствует с конкурентами"))
    if app.step_free:
        out.append(
            phrase(
                "до входа %(metres)s м (нужен доступ без ступеней)",
                metres=float(instance.col_entrance[c]),
            )
        )
    if instance.current_size[i]:
        kept = [instance.booths[b].number for b in booths if instance.current[i, b]]
        before = [instance.booths[b].number for b in np.flatnonzero(instance.current[i]).tolist()]
        if len(kept) == len(before) == len(booths):
            out.append(phrase("остаётся на прежнем стенде"))
        elif kept:
            out.append(phrase("частично на прежнем месте (%(booths)s)", booths=", ".join(kept)))
        else:
            out.append(phrase("перенесён с прежнего стенда %(booths)s", booths=", ".join(before)))
    return out
