"""Best-known solutions of the ordinary bench halls, by a method independent of the solver.

The solver (``exhibit.booking.assign``) is judged against these references, so they are
not made by the solver: a **large-neighbourhood search** (LNS) starts from the stored
reference (or, when there is none, from one solver run) and, again and again, frees a
*window* of 30–80 applicants and re-solves the window **exactly** with HiGHS
(``scipy.optimize.milp``); everyone outside the window keeps their booths. A new
solution is kept only when the true objective (``Problem.objective``, the function the
solver reports as ``quality.objective``) falls.

Windows (chosen in turn, sizes random in 30–80):

- *hall*: the applicants nearest to a random point of the hall;
- *partners*: a few partner clusters and the applicants around them;
- *zone*: applicants of one track outside its zone, and applicants inside that zone;
- *groups*: applicants in merged booths and the single-booth applicants around them
  (the group-versus-single balance the issue names);
- *random*: anyone.

The window's model: ``x[i, c]`` = 1 when window applicant ``i`` takes column ``c`` (a
booth or a merged group) built only of booths that are free or held by the window; an
"unplaced" slack per applicant (its ``unplaced_cost``); each booth at most once. The
linear cost of ``x[i, c]`` is the solver's linear cost plus, exactly, the partner
distances to partners *outside* the window (fixed points) and the competitor penalty
against competitors outside it. A partner pair *inside* the window gets a transport
plan ``y[c, d]`` between the two applicants' candidates, costing ``D(c, d)`` (the centroid
distance) per unit::

    Σ_d y[c, d] ≤ x[i, c],   Σ_c y[c, d] ≤ x[j, d],   Σ_cd y[c, d] ≥ 1 − u_i − u_j

(``u`` the unplaced slacks). With 0/1 ``x`` the plan is the one pair of columns taken,
so the distance is exact (no approximation), and the relaxation is the Wasserstein
distance between the two fractional placements — much stronger than a big-M or
triangle-inequality linearisation (tried first: HiGHS did not close a 60-applicant window
in 20 s; with the plan it closes it in 2–5 s). Candidates are capped per applicant (its
cheapest and its nearest columns in the pool), which keeps the plans small; the window's
optimum is then exact over those candidates.
Competitor pairs inside the window are constraints ``x[i, c] + Σ_{d next to c} x[j, d] ≤
1`` (the penalty of the true objective is 10⁴, larger than anything it could save).

The same model with the whole hall as the window and every allowed column is the exact
MILP (``prove``): at 150 / 150 HiGHS can close it within minutes; the reference is stored
as "proven optimal" only when HiGHS reports the optimum, otherwise with the bound it
reached.

Costs are stored as the solver reports them: ``Problem.objective`` without the unplaced
penalty of admitted applicants left without a place (the solver drops them from the
admitted before its report). "Better" is lexicographic: more applicants placed, then a
lower cost — what the unplaced penalty (10⁶ each) makes the objective itself say.

Run: ``nice .venv/bin/python bench/assign.py --reference-build SECONDS`` (``--seeds``,
``--sizes``; ``--prove SECONDS`` for the exact MILP at 150 / 150).
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
from planted import make_hall
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from exhibit.booking.assign import assign
from exhibit.booking.assign.constants import HARD_PENALTY
from exhibit.booking.assign.problem import Problem
from exhibit.booking.assign.solve import DEFAULT_WEIGHTS

REFERENCE = Path(__file__).resolve().parent / "reference"
#: Per applicant in a window: its cheapest candidate columns, and the nearest to where it is.
CHEAPEST = 30
NEAREST = 15
#: Free booths within this distance (m) of a window's columns join its pool.
POOL_RADIUS = 12.0
#: The exact MILP's transport plans join columns at most this far apart (m); farther pairs
#: are charged this distance (a relaxation; exact when the optimum keeps partners closer).
PROVE_RADIUS = 12.0
KINDS = ("hall", "partners", "zone", "groups", "random")


def reference_path(n: int, m: int, seed: int) -> Path:
    return REFERENCE / f"assign-{n}-{m}-seed{seed}.json"


def instance(n: int, m: int, seed: int) -> tuple[list, list, list]:
    """The ordinary bench hall and demand of bench/assign.py (applications, booths, zones)."""
    from assign import make_demand  # bench/assign.py; imported late (it imports this module)

    booths, zones = make_hall(m, seed)
    return make_demand(n, booths, zones, seed), booths, zones


def problem_of(apps: list, booths: list, zones: list) -> Problem:
    """The solver's model of the instance, exactly as ``assign()`` builds it by default."""
    return Problem(list(apps), booths, zones, DEFAULT_WEIGHTS, 0.1, None, 2.0, {})


# --------------------------------------------------------------------------- solutions


def columns_of(p: Problem, booths: dict[str, list[str]]) -> np.ndarray:
    """Each applicant's column from ``{exhibitor: [booth numbers]}`` (-1: not placed)."""
    column = {tuple(mem): c for c, mem in enumerate(p.members)}
    col = np.full(p.n_applicants, -1, dtype=np.int64)
    for name, numbers in booths.items():
        key = tuple(sorted(p.booth_index[b] for b in numbers))
        if key not in column:
            raise ValueError(f"{name}: booths {numbers} are no column of the model")
        col[p.index[name]] = column[key]
    return col


def booths_of(p: Problem, col: np.ndarray) -> dict[str, list[str]]:
    return {
        p.apps[i].exhibitor: [p.booths[b].number for b in p.members[int(col[i])]]
        for i in range(p.n_applicants)
        if col[i] >= 0
    }


def check(p: Problem, col: np.ndarray) -> None:
    """A feasible solution: only admitted applicants placed, allowed columns, no booth twice."""
    used: set[int] = set()
    for i in np.flatnonzero(col >= 0).tolist():
        c = int(col[i])
        if not p.admitted[i] or not math.isfinite(p.linear_cost(i, c)):
            raise ValueError(f"{p.apps[i].exhibitor}: column {c} not allowed")
        for b in p.members[c]:
            if b in used:
                raise ValueError(f"booth {p.booths[b].number} taken twice")
            used.add(b)


def reported_cost(p: Problem, col: np.ndarray) -> float:
    """The objective as the solver reports it (``quality.objective``): admitted applicants
    left without a place are dropped, not charged."""
    unplaced = p.admitted & (col < 0)
    return float(p.objective(col) - p.unplaced_cost[unplaced].sum())


def rank(p: Problem, col: np.ndarray) -> tuple[int, float]:
    """Smaller is better: (applicants not placed, reported cost)."""
    return int((col < 0).sum()), reported_cost(p, col)


def parts(p: Problem, col: np.ndarray) -> dict[str, float]:
    """The reported cost by term (they sum to it), and what they count: applicants out of
    their zone, partner pairs and their mean distance, merged-booth groups placed."""
    placed = np.flatnonzero(p.admitted & (col >= 0))
    terms = p.terms(placed, col[placed])
    out = {k: float(v.sum()) for k, v in terms.items() if k != "partners"}
    wp = p.weights.partner_per_10m / 10.0
    dist = [
        float(np.hypot(*(p.col_xy[col[i]] - p.col_xy[col[j]])))
        for i, j in p.partner_pairs
        if col[i] >= 0 and col[j] >= 0
    ]
    out["partners"] = float(terms["partners"].sum()) + wp * sum(dist)
    out["competitors"] += HARD_PENALTY * len(p.violations(col))
    track = p.app_track[placed]
    known = track >= 0
    out["out of zone"] = int((~p.col_in_zone[col[placed][known], track[known]]).sum())
    out["mean partner distance"] = float(np.mean(dist)) if dist else 0.0
    out["in groups"] = int((col[placed] >= p.n_booths).sum())
    return out


TERMS = ("zone", "area", "kind", "partners", "competitors", "access", "stability")


def excess(p: Problem, col: np.ndarray, best: np.ndarray) -> str:
    """Where ``col`` costs more than ``best``: the terms that differ, largest first."""
    mine, ref = parts(p, col), parts(p, best)
    diffs = sorted(((mine[k] - ref[k], k) for k in TERMS), reverse=True)
    text = ", ".join(f"{k} {d:+.1f}" for d, k in diffs if abs(d) >= 0.05)
    zone = mine["out of zone"] - ref["out of zone"]
    text += f"; out of zone {zone:+d}" if zone else ""
    far = mine["mean partner distance"] - ref["mean partner distance"]
    text += f"; partners {far:+.1f} m farther on average" if abs(far) >= 0.05 else ""
    return text or "–"


# --------------------------------------------------------------------------- the window model


def _row_costs(p: Problem, i: int, col: np.ndarray, inside: set[int]) -> np.ndarray:
    """Applicant ``i``'s cost in every column with everyone outside the window fixed:
    its linear cost, distances to partners outside, the penalty next to competitors
    outside (inf where the column is not allowed)."""
    row = np.full(p.n_columns, np.inf)
    if p.needs_group[i]:
        row[p.n_booths :] = p.group_cost[p.group_row[i]]
    else:
        row[: p.n_booths] = p.single_cost[p.single_row[i]]
    wp = p.weights.partner_per_10m / 10.0
    for j in p.partners[i]:
        if j not in inside and col[j] >= 0:
            row += wp * np.hypot(*(p.col_xy - p.col_xy[col[j]]).T)
    for j in p.competitors[i]:
        if j not in inside and col[j] >= 0:
            near = np.zeros(p.n_booths + 1, dtype=bool)
            for b in p.members[int(col[j])]:
                near[list(p.near[b])] = True
            near[-1] = False
            row = row + HARD_PENALTY * near[p.column_booths].any(axis=1)
    return row


def solve_window(
    p: Problem,
    col: np.ndarray,
    window: list[int],
    pool: np.ndarray | None,
    time_limit: float,
    cap: bool = True,
    radius: float = math.inf,
    cutoff: bool = True,
) -> tuple[np.ndarray | None, float | None, int, bool]:
    """Re-solve ``window`` exactly, everyone else fixed. ``pool``: booths the window may use
    (None: every booth free or held by the window). ``radius``: transport plans only
    between columns this close, a "far" slack charged the radius for the rest (a
    relaxation: exact when no pair ends up farther apart). With ``cutoff``, HiGHS prunes
    what costs more than the window's present assignment (which the model always holds).
    Returns the new solution (None if HiGHS found none), HiGHS's dual bound on the
    objective (the window's part of ``Problem.objective``), its status, and whether the
    solution's cost in the model is its true cost (no "far" slack used)."""
    inside = set(window)
    owner = p.owners(col)
    free = (owner < 0) | np.isin(owner, window)
    if pool is not None:
        free &= pool
    ok_booth = np.append(free, True)  # -1 padding counts as free
    usable = ok_booth[p.column_booths].all(axis=1)
    cands: dict[int, np.ndarray] = {}
    costs: dict[int, np.ndarray] = {}
    for i in window:
        row = _row_costs(p, i, col, inside)
        allowed = np.flatnonzero(usable & np.isfinite(row))
        if cap and allowed.size > CHEAPEST + NEAREST:
            cheap = allowed[np.argpartition(row[allowed], CHEAPEST)[:CHEAPEST]]
            here = p.col_xy[col[i]] if col[i] >= 0 else p.col_xy[cheap[0]]
            dist = np.hypot(*(p.col_xy[allowed] - here).T)
            near = allowed[np.argpartition(dist, NEAREST)[:NEAREST]]
            keep = np.union1d(cheap, near)
            if col[i] >= 0:
                keep = np.union1d(keep, [col[i]])
            allowed = keep
        cands[i] = allowed
        costs[i] = row[allowed]
    # Variables: x (per applicant its candidates), u (unplaced), d (inside partner pairs).
    start: dict[int, int] = {}
    nv = 0
    for i in window:
        start[i] = nv
        nv += cands[i].size
    u0 = nv
    nv += len(window)
    pairs = [(i, j) for i, j in p.partner_pairs if i in inside and j in inside]
    wp = p.weights.partner_per_10m / 10.0
    cost = np.zeros(nv)
    for k, i in enumerate(window):
        cost[start[i] : start[i] + cands[i].size] = costs[i]
        cost[u0 + k] = p.unplaced_cost[i] if p.admitted[i] else 0.0
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []
    nrow = 0

    def add(r: np.ndarray, c: np.ndarray, v: np.ndarray) -> None:
        rows.append(r)
        cols.append(c)
        vals.append(v)

    for k, i in enumerate(window):  # one column or unplaced
        idx = np.arange(start[i], start[i] + cands[i].size)
        add(np.full(idx.size + 1, nrow), np.append(idx, u0 + k), np.ones(idx.size + 1))
        lo.append(1.0)
        hi.append(1.0)
        nrow += 1
    # Each booth at most once.
    var_cols = np.concatenate([cands[i] for i in window]) if window else np.zeros(0, int)
    mem = p.column_booths[var_cols]
    v_idx = np.repeat(np.arange(var_cols.size), 3)
    b_idx = mem.reshape(-1)
    keep = b_idx >= 0
    v_idx, b_idx = v_idx[keep], b_idx[keep]
    booths_used, b_row = np.unique(b_idx, return_inverse=True)
    add(nrow + b_row, v_idx, np.ones(v_idx.size))
    lo.extend([0.0] * booths_used.size)
    hi.extend([1.0] * booths_used.size)
    nrow += booths_used.size
    # Partner pairs inside: their distance Σ D(c, d) y_cd over a transport plan y between
    # the two applicants' candidates (Σ_d y_cd ≤ x_ic, Σ_c y_cd ≤ x_jd, Σ y ≥ 1 − u_i −
    # u_j): exact for 0/1 x (y is then the one pair taken) and, relaxed, the Wasserstein
    # distance of the two fractional placements — a strong relaxation.
    pos = {i: k for k, i in enumerate(window)}
    y_first = nv
    far0 = nv  # one "far" slack per pair when the plans are cut at ``radius``
    plans = []
    for i, j in pairs:
        dist = cdist(p.col_xy[cands[i]], p.col_xy[cands[j]])
        ci, cj = np.nonzero(dist <= radius)
        plans.append((ci, cj, dist[ci, cj]))
        nv += ci.size
    if math.isfinite(radius):
        far0 = nv
        nv += len(pairs)
    cost = np.concatenate([cost, np.zeros(nv - cost.size)])
    first = y_first
    for k, (i, j) in enumerate(pairs):
        ci, cj, dist = plans[k]
        y = first + np.arange(ci.size)
        first += ci.size
        cost[y] = wp * dist
        ni, nj = cands[i].size, cands[j].size
        add(nrow + ci, y, np.ones(ci.size))  # Σ_d y_cd − x_ic ≤ 0
        add(nrow + np.arange(ni), start[i] + np.arange(ni), -np.ones(ni))
        nrow += ni
        add(nrow + cj, y, np.ones(cj.size))  # Σ_c y_cd − x_jd ≤ 0
        add(nrow + np.arange(nj), start[j] + np.arange(nj), -np.ones(nj))
        nrow += nj
        lo.extend([-np.inf] * (ni + nj))
        hi.extend([0.0] * (ni + nj))
        ones = [u0 + pos[i], u0 + pos[j]]
        if math.isfinite(radius):
            ones.append(far0 + k)
            cost[far0 + k] = wp * radius
        add(np.full(y.size + len(ones), nrow), np.append(y, ones), np.ones(y.size + len(ones)))
        lo.append(1.0)
        hi.append(np.inf)
        nrow += 1
    # Competitor pairs inside: x_ic + Σ_{d next to c} x_jd ≤ 1.
    for a, b in p.comp_pairs:
        if a not in inside or b not in inside:
            continue
        i, j = (a, b) if cands[a].size <= cands[b].size else (b, a)
        cj_booths = p.column_booths[cands[j]]
        for t, c in enumerate(cands[i].tolist()):
            near = np.zeros(p.n_booths + 1, dtype=bool)
            near[list(p.col_near[c])] = True
            near[-1] = False
            hit = np.flatnonzero(near[cj_booths].any(axis=1))
            if hit.size:
                add(
                    np.full(hit.size + 1, nrow),
                    np.append(start[i] + t, start[j] + hit),
                    np.ones(hit.size + 1),
                )
                lo.append(0.0)
                hi.append(1.0)
                nrow += 1
    a_mat = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(nrow, nv)
    ).tocsr()
    integrality = np.ones(nv)
    integrality[y_first:] = 0  # y is integral when x is
    upper = np.ones(nv)
    # A window needs no proof to the last digit (1e-5 of its ~20–40 is below any move's
    # worth); the whole-instance proof does.
    options = {"time_limit": max(time_limit, 1.0), "mip_rel_gap": 1e-5 if cap else 1e-9}
    if cutoff:  # passed through to HiGHS (scipy warns that it does not know the option)
        options["objective_bound"] = _present_cost(p, col, window, cands, costs, pairs) + 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = milp(
            cost,
            constraints=LinearConstraint(a_mat, np.array(lo), np.array(hi)),
            integrality=integrality,
            bounds=Bounds(np.zeros(nv), upper),
            options=options,
        )
    bound = getattr(res, "mip_dual_bound", None)
    if res.x is None:
        return None, bound, res.status, False
    exact = not math.isfinite(radius) or bool((res.x[far0 : far0 + len(pairs)] < 1e-6).all())
    out = col.copy()
    for i in window:
        x = res.x[start[i] : start[i] + cands[i].size]
        chosen = np.flatnonzero(x > 0.5)
        out[i] = int(cands[i][chosen[0]]) if chosen.size else -1
    return out, bound, res.status, exact


def _present_cost(
    p: Problem,
    col: np.ndarray,
    window: list[int],
    cands: dict[int, np.ndarray],
    costs: dict[int, np.ndarray],
    pairs: list[tuple[int, int]],
) -> float:
    """The window model's cost of the present assignment (its part of the objective)."""
    total = 0.0
    for i in window:
        if col[i] < 0:
            total += p.unplaced_cost[i]
        else:
            total += float(costs[i][np.searchsorted(cands[i], col[i])])
    wp = p.weights.partner_per_10m / 10.0
    for i, j in pairs:
        if col[i] >= 0 and col[j] >= 0:
            total += wp * float(np.hypot(*(p.col_xy[col[i]] - p.col_xy[col[j]])))
    return total


# --------------------------------------------------------------------------- windows


class Windows:
    """Chooses the windows of the search (see the module docstring)."""

    def __init__(self, p: Problem, rng: np.random.Generator) -> None:
        self.p = p
        self.rng = rng
        self.movable = np.flatnonzero(p.admitted)
        seen: set[int] = set()
        self.clusters: list[list[int]] = []
        for i in range(p.n_applicants):  # connected components of the partner graph
            if i in seen or not p.partners[i] or not p.admitted[i]:
                continue
            stack, comp = [i], []
            seen.add(i)
            while stack:
                x = stack.pop()
                comp.append(x)
                for y in p.partners[x]:
                    if y not in seen and p.admitted[y]:
                        seen.add(y)
                        stack.append(y)
            self.clusters.append(comp)

    def _around(
        self, col: np.ndarray, centres: np.ndarray, size: int, have: list[int]
    ) -> list[int]:
        """``have`` plus the placed applicants nearest to ``centres``, up to ``size``."""
        placed = self.movable[col[self.movable] >= 0]
        tree = cKDTree(self.p.col_xy[col[placed]])
        out = list(dict.fromkeys(have))
        k = min(size, placed.size)
        _, idx = tree.query(centres, k=k)
        idx = np.atleast_2d(idx)
        for t in range(k):  # interleave the centres' neighbours, nearest first
            for row in idx:
                x = int(placed[row[t]])
                if x not in out:
                    out.append(x)
                if len(out) >= size:
                    return out
        return out

    def choose(self, kind: str, col: np.ndarray, size: int) -> list[int]:
        p, rng = self.p, self.rng
        unplaced = [int(i) for i in self.movable if col[i] < 0]
        if kind == "hall":
            centre = p.booth_xy[rng.integers(p.n_booths)][None, :]
            return self._around(col, centre, size, unplaced[:5])
        if kind == "partners" and self.clusters:
            chosen: list[int] = []
            for k in rng.permutation(len(self.clusters)).tolist():
                chosen.extend(self.clusters[k])
                if len(chosen) >= size // 3:
                    break
            centres = p.col_xy[[col[i] for i in chosen if col[i] >= 0]]
            if centres.size == 0:
                return chosen[:size]
            return self._around(col, centres, size, chosen)
        if kind == "zone":
            track = int(rng.integers(len(p.tracks)))
            mine = [i for i in self.movable.tolist() if p.app_track[i] == track]
            out_zone = [i for i in mine if col[i] < 0 or not p.col_in_zone[col[i], track]]
            # ... and those of other tracks who sit in this zone: one of them moving to its
            # own zone lets one of ours in (the chains a relocation alone cannot make).
            squatters = [
                i
                for i in self.movable.tolist()
                if col[i] >= 0 and p.col_in_zone[col[i], track] and p.app_track[i] != track
            ]
            rng.shuffle(out_zone)
            rng.shuffle(squatters)
            have = out_zone[: size // 3] + squatters[: size // 3]
            inside = np.flatnonzero(p.booth_in_zone[:, track])
            centres = p.booth_xy[rng.choice(inside, size=min(3, inside.size), replace=False)]
            return self._around(col, centres, size, have)
        if kind == "groups" and p.needs_group.any():
            big = [i for i in self.movable.tolist() if p.needs_group[i]]
            chosen = [int(x) for x in rng.choice(big, size=min(len(big), 3), replace=False)]
            centres = p.col_xy[[col[i] for i in chosen if col[i] >= 0]]
            if centres.size == 0:
                return chosen
            return self._around(col, centres, size, chosen)
        return [
            int(x)
            for x in rng.choice(self.movable, size=min(size, self.movable.size), replace=False)
        ]

    def pool(self, col: np.ndarray, window: list[int]) -> np.ndarray:
        """Booths the window may use: its own, and free booths near it or cheap for it."""
        p = self.p
        owner = p.owners(col)
        pool = np.zeros(p.n_booths, dtype=bool)
        mine = [int(col[i]) for i in window if col[i] >= 0]
        for c in mine:
            pool[list(p.members[c])] = True
        if mine:
            tree = cKDTree(p.col_xy[mine])
            dist, _ = tree.query(p.booth_xy, k=1)
            pool |= (dist <= POOL_RADIUS) & (owner < 0)
        return pool | (owner < 0) & self._cheap_free(col, window, owner)

    def _cheap_free(self, col: np.ndarray, window: list[int], owner: np.ndarray) -> np.ndarray:
        """Free booths among the 10 cheapest linear choices of some window applicant."""
        p = self.p
        out = np.zeros(p.n_booths, dtype=bool)
        free = np.append(owner < 0, True)[p.column_booths].all(axis=1)
        for i in window:
            row = (
                np.concatenate([np.full(p.n_booths, np.inf), p.group_cost[p.group_row[i]]])
                if p.needs_group[i]
                else np.concatenate(
                    [p.single_cost[p.single_row[i]], np.full(p.n_columns - p.n_booths, np.inf)]
                )
            )
            row = np.where(free, row, np.inf)
            best = np.argpartition(row, 10)[:10]
            for c in best[np.isfinite(row[best])].tolist():
                out[list(p.members[c])] = True
        return out


# --------------------------------------------------------------------------- the search


def lns(
    p: Problem,
    col: np.ndarray,
    seconds: float,
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> tuple[np.ndarray, dict]:
    """Large-neighbourhood search from ``col`` for ``seconds``; the best solution found and
    counts of windows tried and improving, by kind."""
    rng = np.random.default_rng(seed)
    windows = Windows(p, rng)
    best = col.copy()
    best_obj = p.objective(best)
    stats = {k: [0, 0, 0.0] for k in KINDS}  # tried, improved, saved
    end = time.perf_counter() + seconds
    step = 0
    while time.perf_counter() < end:
        # Each kind in turn at first, then by its success so far (improving windows per
        # window tried, smoothed), so the search spends its time where it finds.
        if step < 2 * len(KINDS):
            kind = KINDS[step % len(KINDS)]
        else:
            odds = np.array([(stats[k][1] + 1) / (stats[k][0] + 2) for k in KINDS])
            kind = KINDS[int(rng.choice(len(KINDS), p=odds / odds.sum()))]
        step += 1
        size = int(rng.integers(30, 81))
        window = windows.choose(kind, best, size)
        if not window:
            continue
        pool = windows.pool(best, window)
        left = end - time.perf_counter()
        new, _, _, _ = solve_window(p, best, window, pool, min(20.0, max(left, 1.0)))
        stats[kind][0] += 1
        if new is None:
            continue
        obj = p.objective(new)
        if obj < best_obj - 1e-7:
            check(p, new)
            stats[kind][1] += 1
            stats[kind][2] += best_obj - obj
            log(f"  {kind:8} window {len(window):2}: {best_obj:.3f} -> {obj:.3f}")
            best, best_obj = new, obj
    return best, stats


def prove(
    p: Problem, col: np.ndarray, seconds: float, radius: float = PROVE_RADIUS
) -> tuple[np.ndarray, float, bool]:
    """The exact MILP of the whole instance under a time limit: every admitted applicant,
    every allowed column, partner plans cut at ``radius`` (a relaxation, so HiGHS's bound
    is a bound of the true problem), pruned above the best solution known. When HiGHS
    closes the relaxation but its solution keeps partners farther apart than the radius
    (so its true cost is above the bound), again with twice the radius while time is
    left. Returns the best of ``col`` and HiGHS's solutions, the bound on its reported cost
    (the dual bound less the unplaced penalty of that solution: a bound for every solution
    that leaves out no more) and whether optimality is proven: HiGHS closed the gap and
    the solution's true objective meets its bound."""
    window = [int(i) for i in np.flatnonzero(p.admitted)]
    end = time.perf_counter() + seconds
    best, bound, proven = col, -math.inf, False
    while not proven and time.perf_counter() < end - 1:
        left = end - time.perf_counter()
        new, dual, status, _ = solve_window(p, best, window, None, left, False, radius)
        if new is not None and p.objective(new) < p.objective(best):
            best = new
        if status == 2:  # nothing below the cutoff: the best known is optimal
            dual = p.objective(best)
        if dual is not None and math.isfinite(dual):
            bound = max(bound, float(dual))
        # HiGHS's own gap (1e-9 of an objective that holds 10⁶ per applicant left out) is
        # the only slack: a relaxation's solution keeping partners beyond the radius costs
        # more than its bound and proves nothing.
        proven = status in (0, 2) and p.objective(best) <= bound + 1e-9 * abs(bound) + 1e-6
        print(f"    radius {radius:g} m: status {status}, bound {bound:.3f}, "
              f"best {p.objective(best):.3f}", flush=True)  # fmt: skip
        if status not in (0, 2):
            break  # out of time
        radius *= 2
    penalty = float(p.unplaced_cost[p.admitted & (best < 0)].sum())
    return best, bound - penalty, proven


# --------------------------------------------------------------------------- the references


def load(n: int, m: int, seed: int) -> dict | None:
    path = reference_path(n, m, seed)
    return json.loads(path.read_text()) if path.exists() else None


def store(p: Problem, n: int, m: int, seed: int, col: np.ndarray, found_by: str, **extra) -> None:
    check(p, col)
    REFERENCE.mkdir(exist_ok=True)
    data = {
        "cost": reported_cost(p, col),
        "placed": int((col >= 0).sum()),
        "found_by": found_by,
        **extra,
        "booths": booths_of(p, col),
    }
    reference_path(n, m, seed).write_text(json.dumps(data, ensure_ascii=False, indent=0))


def improve_reference(
    n: int,
    m: int,
    seed: int,
    seconds: float,
    prove_seconds: float = 0.0,
    from_solver: bool = False,
) -> tuple[float, float]:
    """Improve the stored reference of one hall: the exact MILP for ``prove_seconds``
    (when given), then LNS for ``seconds``; store only an improvement (or a new bound).
    ``from_solver``: first a 30 s solver run, which replaces the start when it is better
    (the solver has found better than the stored reference). Returns the old and the new
    reported cost."""
    apps, booths, zones = instance(n, m, seed)
    p = problem_of(apps, booths, zones)
    old = load(n, m, seed)
    if old is None:  # a first reference: one solver run (the search improves on it)
        result = assign(apps, booths, zones, time_limit=30)
        col = columns_of(p, {a.exhibitor: a.booths for a in result.assignments})
        store(p, n, m, seed, col, "assign(time_limit=30)", origin="assign(time_limit=30)")
        old = load(n, m, seed)
        assert old is not None
    col = columns_of(p, old["booths"])
    got = reported_cost(p, col)
    if abs(got - old["cost"]) > 1e-6 * max(1.0, abs(got)):
        raise ValueError(f"{n}/{m} seed {seed}: stored cost {old['cost']} ≠ {got} of its booths")
    print(f"{n}/{m} seed {seed}: stored {got:.3f} ({old['found_by']})", flush=True)
    best = col
    runs: list[str] = list(old.get("runs", []))
    if from_solver:
        result = assign(apps, booths, zones, time_limit=30)
        solver = columns_of(p, {a.exhibitor: a.booths for a in result.assignments})
        print(f"  assign(time_limit=30): {rank(p, solver)}", flush=True)
        if rank(p, solver) < rank(p, best):
            best = solver
            runs.append(f"assign(time_limit=30) {date.today()}")
    extra = {k: old[k] for k in ("bound", "proven_optimal") if k in old}
    if prove_seconds:  # proven again or not at all
        runs = [r for r in runs if not r.startswith("proven optimal")]
        extra.pop("proven_optimal", None)
    if prove_seconds:
        t0 = time.perf_counter()
        new, bound, proven = prove(p, best, prove_seconds)
        took = time.perf_counter() - t0
        print(f"  exact MILP {took:.0f} s: {rank(p, new)}, "
              f"bound {bound:.3f}, proven {proven}", flush=True)  # fmt: skip
        if rank(p, new) < rank(p, best):  # prove() returns the better of its own and ours
            best = new
            runs.append(f"exact MILP {took:.0f} s")
        if math.isfinite(bound) and rank(p, new) == rank(p, best):
            extra = {"bound": max(bound, extra.get("bound", -math.inf))}
            if proven:
                extra["proven_optimal"] = True
                runs.append(f"proven optimal by the exact MILP ({took:.0f} s)")
    if seconds:
        before = rank(p, best)
        t0 = time.perf_counter()
        best, stats = lns(p, best, seconds, seed=int(time.time()))
        took = time.perf_counter() - t0
        tried = {k: (a, b, round(float(s), 2)) for k, (a, b, s) in stats.items()}
        print(f"  LNS {took:.0f} s: {rank(p, best)[1]:.3f}; windows (tried, improved, saved)"
              f" {tried}", flush=True)  # fmt: skip
        if rank(p, best) < before:
            runs.append(f"LNS {took:.0f} s")
            extra.pop("proven_optimal", None)  # a proof concerns the MILP's own solution
    if rank(p, best) < rank(p, col) or extra != {
        k: old[k] for k in ("bound", "proven_optimal") if k in old
    }:
        origin = old.get("origin", old["found_by"])
        found_by = f"{' + '.join(runs)} (bench/reference.py, {date.today()}) from {origin}"
        store(p, n, m, seed, best, found_by, origin=origin, runs=runs, **extra)
        print(f"  stored {reported_cost(p, best):.3f}: {found_by}", flush=True)
    return got, reported_cost(p, best)
