"""Partner floors: the least partner distance any solution pays, per applicant and column.

A partner pair's distance is charged half to each side; an applicant in column ``c``
pays at least half the distance from ``c`` to the nearest column each partner could take
(the nearest-neighbour floor), and at least half the sum of the ``|P_i|`` least distances
to distinct such columns (the Gilmore–Lawler floor). The construction and the bounds add
them to the linear costs (docs/assignment.md, "Lower bound and gap").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

if TYPE_CHECKING:
    from exhibit.booking.assign.problem import Instance

#: A class of partners: (needs merged booths, least column area it may take).
PartnerClass = tuple[bool, float]


class PartnerFloors:
    """The partner floors of one instance (its admitted set).

    The nearest-neighbour floor is computed with the instance; the Gilmore–Lawler table,
    dearer, when first asked for (``strong``) and then kept here — a pure function of the
    instance, so keeping it changes no result. The floors hold no reference to their
    instance (no cycle to keep the cost matrices alive): the methods are given it.
    """

    def __init__(self, instance: Instance) -> None:
        classes: dict[PartnerClass, int] = {}
        pairs = []
        # Thresholds that admit the same columns are one class: each threshold is raised
        # to the least column area at or above it (an exact merge; noisy requests would
        # otherwise make a class per applicant).
        class_threshold = instance.threshold.copy()
        for big, family in ((False, instance.single_columns), (True, instance.group_columns)):
            areas = np.append(np.sort(instance.col_area[family]), np.inf)  # inf: none fits
            who = instance.needs_group == big
            at = np.searchsorted(areas, instance.threshold[who], side="left")
            class_threshold[who] = areas[at]
        for i in range(instance.n_applicants):
            for partner in instance.partners[i]:
                if instance.admitted[partner]:
                    key = (bool(instance.needs_group[partner]), float(class_threshold[partner]))
                    if key not in classes:
                        classes[key] = len(classes)
                    pairs.append((i, classes[key]))
        degree = np.zeros((instance.n_applicants, len(classes)))
        for i, k in pairs:
            degree[i, k] += 1
        nearest = np.zeros((len(classes), instance.n_columns))
        for (big, threshold), k in classes.items():
            family = instance.group_columns if big else instance.single_columns
            nearest[k] = _nearest_disjoint(instance, family[instance.col_area[family] >= threshold])
        #: Each applicant's threshold raised to the least column area at or above it.
        self.class_threshold = class_threshold
        #: ``degree[i, k]``: how many of ``i``'s admitted partners are of class ``k``.
        self.degree = degree
        #: ``nearest[k, c]``: least distance from column ``c`` to a column of class ``k``
        #: sharing no booth with it.
        self.nearest = nearest
        self.classes = classes
        for array in (class_threshold, degree, nearest):
            array.setflags(write=False)
        self._gilmore_lawler: tuple[np.ndarray, np.ndarray] | None = None

    def floor(
        self, instance: Instance, rows: np.ndarray, cols: np.ndarray, strong: bool = False
    ) -> np.ndarray:
        """Each partner pair's least possible distance, split between the two sides, for
        applicants ``rows`` in columns ``cols`` (a rows × cols matrix).

        With ``strong``: per applicant and column the larger of that and half its
        Gilmore–Lawler floor; both bound the same half-sum. ``instance`` is the one these
        floors were computed for."""
        half = instance.weights.partner_per_10m / 10.0 * 0.5
        floor = half * (self.degree[rows] @ self.nearest[:, cols])
        if strong and instance.partner_pairs:
            table, row_of = self.gilmore_lawler(instance)
            floor = np.maximum(floor, half * table[:, cols][row_of[rows]])
        return floor

    def gilmore_lawler(self, instance: Instance) -> tuple[np.ndarray, np.ndarray]:
        """Gilmore–Lawler floor of each applicant's own partner distances, per column.

        ``i``'s admitted partners take ``|P_i|`` distinct columns that share no booth with
        ``i``'s column ``c`` (nor with each other), each one a column its partner may take;
        so ``Σ_{j ∈ P_i} d(c, c_j)`` is at least the sum of the ``|P_i|`` smallest
        distances from ``c`` to other columns, disjoint from ``c``, in the union of the
        partners' classes. Returns ``(table, row_of)``: ``table[r, c]`` holds that sum,
        ``row_of[i]`` says which row ``r`` is ``i``'s (row 0: no partners, zeros).
        Computed at the first call and kept.
        """
        if self._gilmore_lawler is not None:
            return self._gilmore_lawler
        classes = self.classes
        # (i's family, its partners' classes) -> most partners of anyone with them; only
        # the columns of i's own family are ever charged, so only those are computed.
        need: dict[tuple[bool, tuple[int, ...]], int] = {}
        sets: list[tuple[tuple[bool, tuple[int, ...]], int] | None] = []
        for i in range(instance.n_applicants):
            mine = sorted(
                {
                    classes[(bool(instance.needs_group[j]), float(self.class_threshold[j]))]
                    for j in instance.partners[i]
                    if instance.admitted[j]
                }
            )
            degree = sum(bool(instance.admitted[j]) for j in instance.partners[i])
            if not degree or not instance.admitted[i]:
                sets.append(None)
                continue
            kind = (bool(instance.needs_group[i]), tuple(mine))
            need[kind] = max(need.get(kind, 0), degree)
            sets.append((kind, degree))
        rows: list[np.ndarray] = [np.zeros(instance.n_columns)]
        index: dict[tuple[tuple[bool, tuple[int, ...]], int], int] = {}
        for kind in sorted(need):
            sources = instance.group_columns if kind[0] else instance.single_columns
            targets = np.unique(
                np.concatenate(
                    [
                        (family := instance.group_columns if big else instance.single_columns)[
                            instance.col_area[family] >= threshold
                        ]
                        for (big, threshold), k in classes.items()
                        if k in kind[1]
                    ]
                )
            )
            sums = np.cumsum(_nearest_disjoint_k(instance, sources, targets, need[kind]), axis=1)
            for degree in range(1, need[kind] + 1):
                index[(kind, degree)] = len(rows)
                rows.append(np.zeros(instance.n_columns))
                rows[-1][sources] = sums[:, degree - 1]
        table = np.array(rows)
        row_of = np.array([0 if entry is None else index[entry] for entry in sets], dtype=np.int64)
        table.setflags(write=False)
        row_of.setflags(write=False)
        self._gilmore_lawler = (table, row_of)
        return self._gilmore_lawler


def unplaced_charge(instance: Instance) -> np.ndarray:
    """Per applicant, what a bound that charges partner floors may charge for leaving it
    out: ``unplaced_cost`` less half a partner weight × the columns' diameter per admitted
    partner.

    A floor charges ``i``'s half of each pair as if the partner were placed; when the
    partner ``j`` is left out, the true objective charges that pair nothing, and ``i``'s
    floor still holds at most ``½ w · diam`` of it (every distance in a floor is one
    between two column centroids). So the floors overcharge a solution by at most
    ``Σ_{j left out} ½ w · diam · (admitted partners of j)``, which this takes back: with
    it, a relaxation's cost of any solution stays at or below its true objective (without
    it, the bounds were above the exact optimum on crowded halls whose optimum leaves a
    partner out)."""
    xy = instance.col_xy
    diam = float(np.hypot(*(xy.max(axis=0) - xy.min(axis=0)))) if xy.size else 0.0
    half = 0.5 * instance.weights.partner_per_10m / 10.0
    degree = instance.floors.degree.sum(axis=1)
    return instance.unplaced_cost - half * diam * degree


def _nearest_disjoint(instance: Instance, targets: np.ndarray) -> np.ndarray:
    """Distance from each column's centroid to the nearest of the ``targets`` columns that
    shares no booth with it (0 when there is none: a safe floor)."""
    out = np.zeros(instance.n_columns)
    if targets.size == 0 or instance.n_columns < 2:
        return out
    tree = cKDTree(instance.col_xy[targets])
    todo = np.arange(instance.n_columns)
    want = 4
    while todo.size:
        width = min(want, targets.size)
        dists, idx = tree.query(instance.col_xy[todo], k=width)
        dists, cand = dists.reshape(todo.size, width), targets[idx.reshape(todo.size, width)]
        mine = instance.column_booths[todo][:, None, :, None]
        theirs = instance.column_booths[cand][:, :, None, :]
        shared = ((mine == theirs) & (mine >= 0)).any(axis=(2, 3))
        disjoint = ~shared & (cand != todo[:, None])
        found = disjoint.any(axis=1)
        out[todo[found]] = dists[found, disjoint[found].argmax(axis=1)]
        if width == targets.size:
            break
        todo = todo[~found]
        want *= 4
    return out


def _nearest_disjoint_k(
    instance: Instance, sources: np.ndarray, targets: np.ndarray, k: int
) -> np.ndarray:
    """The ``k`` least distances (ascending) from each of the ``sources`` columns'
    centroids to distinct ``targets`` columns that share no booth with it; 0 where fewer
    exist (a safe floor)."""
    out = np.zeros((sources.size, k))
    if targets.size == 0 or sources.size == 0 or k == 0:
        return out
    tree = cKDTree(instance.col_xy[targets])
    todo = np.arange(sources.size)
    width = k + 4  # margin for the column itself and groups sharing its booths
    while todo.size:
        width = min(width, targets.size)
        src = sources[todo]
        dists, idx = tree.query(instance.col_xy[src], k=width)
        dists, cand = dists.reshape(todo.size, width), targets[idx.reshape(todo.size, width)]
        mine = instance.column_booths[src][:, None, :, None]
        theirs = instance.column_booths[cand][:, :, None, :]
        shared = ((mine == theirs) & (mine >= 0)).any(axis=(2, 3))
        disjoint = ~shared & (cand != src[:, None])
        found = (disjoint.sum(axis=1) >= k) | (width == targets.size)
        best = np.sort(np.where(disjoint, dists, np.inf), axis=1)[:, :k]
        if best.shape[1] < k:
            best = np.pad(best, ((0, 0), (0, k - best.shape[1])), constant_values=np.inf)
        out[todo[found]] = np.where(np.isfinite(best[found]), best[found], 0.0)
        todo = todo[~found]
        width *= 4
    return out
