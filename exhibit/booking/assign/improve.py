"""Improvement: simulated annealing over the true objective, from the constructed solution.

The construction (:mod:`.construct`) solves linear problems well; what it cannot see is the
pairwise partner distance and the trade between merged groups and single booths. This
search works on the real objective with incremental (delta) costs over five moves:

- **relocate**: an applicant takes a free booth (among its cheapest, or near a partner);
- **swap**: two single-booth applicants exchange booths;
- **ejection chain**: an applicant takes a held booth and the holder moves on to a free
  one (its cheapest, near its partners, or the booth just left);
- **group eviction**: an applicant needing merged booths takes another group; single-booth
  holders inside it move to their best free booth (among their cheapest, near them, and
  the booths the group leaves);
- **insertion**: an admitted applicant without a place takes one of its cheapest columns;
  holders in the way move to a free booth or lose their place, and booths so freed go to
  others without a place, directly or by an ejection (the unplaced penalty makes this pay
  only when more, or earlier, applications end up placed).

Every move is scored exactly: the linear costs of the applicants it moves, every partner
pair and competitor pair touching them. A worse move is accepted with probability
``exp(−Δ / T)``; ``T`` falls geometrically within each *phase*, and each phase starts
again from the best solution found, hotter (×2) after each phase that found nothing.
Besides, a **cluster move** takes a whole partner cluster: one member to one of its
cheapest booths (or near where it is), the others breadth first to the booth near their
placed partner of least linear + partner cost; holders in the way and competitors next to
the new booths move on to free booths.

Randomness comes from one ``random.Random`` seeded with a constant, and the clock is read
only to stop: the same input gives the same result unless the time limit cuts the search
short (``Search.stopped_by_time``). The search ends when ``STALL_PHASES`` phases in a row
found nothing better, or at the time limit.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from exhibit.booking.assign.solution import Solution
from exhibit.booking.assign.state import Search

if TYPE_CHECKING:
    from exhibit.booking.assign.problem import Instance

#: Candidate booths (or groups) per applicant: its cheapest by linear cost, ties in an
#: order drawn once (a fixed seed), so that equal booths are all reachable.
CHEAPEST = 80
#: An evicted holder takes one of the first few free booths of its cheapest.
FREE_CHOICES = 3
#: Booths near a booth: candidates when moving next to a partner or staying close.
NEAREST = 10
#: Temperatures of a phase, in points (a missed kind wish is 1.5).
START_TEMPERATURE = 0.15
END_TEMPERATURE = 0.003
#: Moves per phase per applicant, and the fewest / most moves a phase has.
MOVES_PER_APPLICANT = 60
MIN_PHASE = 2_000
MAX_PHASE = 80_000
#: Share of the moves of a partnered applicant that move its whole partner cluster.
CLUSTER_SHARE = 0.3
#: The search ends after this many phases in a row that found nothing better.
STALL_PHASES = 4
#: The clock is read every this many moves.
CLOCK_EVERY = 256
SEED = 20_25


class _WorkingSolution:
    """A solution under change: each applicant's column and each booth's holder."""

    def __init__(self, instance: Instance, col: np.ndarray) -> None:
        self.instance = instance
        self.col = [int(c) for c in col.tolist()]
        self.owner = [-1] * instance.n_booths
        for i, c in enumerate(self.col):
            if c >= 0:
                for booth in instance.members[c]:
                    self.owner[booth] = i
        self.per_metre = instance.weights.partner_per_10m / 10.0
        self.xy = instance.xy_list
        self.members = instance.members
        self.near = instance.col_near
        self.partners = instance.partners
        self.competitors = instance.competitors
        self.needs_group = instance.needs_group.tolist()
        self.single_row = dict(instance.single_row)
        self.group_row = dict(instance.group_row)
        self.unplaced = instance.unplaced_cost.tolist()
        #: Admitted applicants without a place now.
        self.waiting = {i for i in np.flatnonzero(instance.admitted).tolist() if self.col[i] < 0}

    def linear(self, i: int, c: int) -> float:
        """The linear cost of applicant ``i`` in column ``c``; ``c = -1``: its unplaced cost."""
        if c < 0:
            return self.unplaced[i]
        if self.needs_group[i]:
            return self.instance.group_cost.item(self.group_row[i], c - self.instance.n_booths)
        return self.instance.single_cost.item(self.single_row[i], c)

    def local_cost(self, movers: list[int], pos: dict[int, int]) -> float:
        """Linear costs of ``movers`` and every pair term touching them, at ``pos`` (the
        others where they are); each pair counted once."""
        col = self.col
        moving = set(movers)
        total = 0.0
        seen: set[tuple[int, int]] = set()
        for mover in movers:
            column = pos.get(mover, col[mover])
            total += self.linear(mover, column)
            if column < 0:
                continue  # no pair terms without a place
            ax, ay = self.xy[column]
            for other in self.partners[mover]:
                other_column = pos.get(other, col[other])
                if other_column < 0 or (other in moving and (other, mover) in seen):
                    continue
                seen.add((mover, other))
                bx, by = self.xy[other_column]
                total += self.per_metre * math.hypot(ax - bx, ay - by)
            for other in self.competitors[mover]:
                other_column = pos.get(other, col[other])
                if other_column < 0 or (other in moving and (-other - 1, mover) in seen):
                    continue
                seen.add((-mover - 1, other))
                near = self.near[column]
                if any(b in near for b in self.members[other_column]):
                    total += 1e4
        return total

    def apply(self, pos: dict[int, int]) -> None:
        for mover in pos:
            c = self.col[mover]
            if c >= 0:
                for b in self.members[c]:
                    if self.owner[b] == mover:
                        self.owner[b] = -1
        for mover, c in pos.items():
            self.col[mover] = c
            if c < 0:
                self.waiting.add(mover)
            else:
                self.waiting.discard(mover)
                for b in self.members[c]:
                    self.owner[b] = mover


def improve(
    instance: Instance,
    solution: Solution,
    *,
    time_limit: float,
    max_phases: int | None = None,
    progress: Callable[[float], None] | None = None,
    bound: float = -math.inf,
) -> tuple[Solution, Search]:
    """The best solution found from ``solution`` within ``time_limit`` seconds (or
    ``max_phases`` phases, whichever comes first), and what the search did. It stops at
    once when the best reaches ``bound`` (a lower bound: nothing better exists)."""
    col, objective = solution.columns, solution.objective
    clock = time.perf_counter()
    stats = Search(start=objective, best=objective)
    # Admitted applicants without a place move too: an insertion may place them.
    movers = [i for i in range(instance.n_applicants) if instance.admitted[i]]
    if not movers or instance.n_booths == 0 or time_limit <= 0:
        return solution, stats
    rng = random.Random(SEED)
    state = _WorkingSolution(instance, col)
    cheapest = _cheapest(instance, movers, np.random.default_rng(SEED))
    near_booths = _nearest_booths(instance)
    singles = [i for i in movers if not instance.needs_group[i]]
    groups = [i for i in movers if instance.needs_group[i]]
    left_out = [i for i in movers if col[i] < 0]
    # Groups are few and their moves matter most; so are those left without a place.
    pick = singles + groups * 3 + left_out * 3
    clusters = _clusters(state, [i for i in singles if col[i] >= 0])
    phase_moves = min(MAX_PHASE, max(MIN_PHASE, MOVES_PER_APPLICANT * len(movers)))
    setup = time.perf_counter() - clock  # before the first move
    cooling = (END_TEMPERATURE / START_TEMPERATURE) ** (1.0 / phase_moves)
    current = best = objective
    best_col = list(state.col)
    stall = 0
    # (-inf: no bound; -inf + 1e-9·inf would be NaN, and no phase would ever run)
    proven = bound + 1e-9 * max(abs(bound), 1.0) if math.isfinite(bound) else bound
    while (
        (max_phases is None or stats.phases < max_phases) and stall < STALL_PHASES and best > proven
    ):
        phase_best = best
        temperature = START_TEMPERATURE * 2**stall  # hotter after phases that found nothing
        length, rate = phase_moves, cooling
        move = 0
        while move < length:
            if move % CLOCK_EVERY == 0:
                used = time.perf_counter() - clock
                if used > time_limit:
                    stats.stopped_by_time = True
                    break
                if (
                    stats.moves >= CLOCK_EVERY
                    and length == phase_moves
                    and math.isfinite(time_limit)  # no limit (Budget.unlimited): all fits
                ):
                    # Too little time left for the whole phase: cool over what fits, so
                    # that the search ends cold (descending) rather than cut off hot.
                    fits = int((time_limit - used) * stats.moves / max(used - setup, 1e-9))
                    if move + fits < length and fits > CLOCK_EVERY:
                        length = move + fits
                        rate = (END_TEMPERATURE / temperature) ** (1.0 / fits)
            move += 1
            temperature *= rate
            i = pick[rng.randrange(len(pick))]
            if state.col[i] < 0:
                pos = _insert_move(state, i, cheapest, rng)
            elif state.needs_group[i]:
                pos = _group_move(state, i, cheapest, near_booths, rng)
            elif i in clusters and rng.random() < CLUSTER_SHARE:
                pos = _cluster_move(state, clusters[i], cheapest, near_booths, rng)
            else:
                pos = _single_move(state, i, cheapest, near_booths, rng)
            stats.moves += 1
            if not pos:
                continue
            movers_now = list(pos)
            delta = state.local_cost(movers_now, pos) - state.local_cost(movers_now, {})
            if delta < -1e-12 or rng.random() < math.exp(-max(delta, 0.0) / temperature):
                state.apply(pos)
                current += delta
                stats.accepted += 1
                if current < best - 1e-9:
                    best, best_col = current, list(state.col)
                    if best <= proven:
                        break
        stats.phases += 1
        stall = stall + 1 if best >= phase_best - 1e-9 else 0
        if progress is not None:
            progress(best)
        if stats.stopped_by_time:
            break
        state = _WorkingSolution(
            instance, np.asarray(best_col)
        )  # the next phase starts from the best
        current = best
    stats.best = best
    stats.seconds = time.perf_counter() - clock
    return Solution.of(instance, np.asarray(best_col, dtype=np.int64)), stats


def _cheapest(
    instance: Instance, movers: list[int], rng: np.random.Generator
) -> dict[int, list[int]]:
    """Each applicant's cheapest allowed columns by linear cost (ties in a random order)."""
    out: dict[int, list[int]] = {}
    # Tie-breakers drawn in the applicants' order (one row each, its family's width).
    width = {False: instance.single_cost.shape[1], True: instance.group_cost.shape[1]}
    ties = {i: rng.random(width[bool(instance.needs_group[i])]) for i in movers}
    for big, matrix, index, offset in (
        (False, instance.single_cost, instance.single_row, 0),
        (True, instance.group_cost, instance.group_row, instance.n_booths),
    ):
        who = [i for i in movers if bool(instance.needs_group[i]) == big]
        if not who or matrix.shape[1] == 0:
            continue
        rows = matrix[[index[i] for i in who]]
        tie = np.array([ties[i] for i in who])
        # Costs rounded to 1e-9, ties broken by the random draw below that resolution:
        # the CHEAPEST least by a partition, then only those sorted.
        key = np.round(rows, 9) + tie * 1e-10
        width = min(CHEAPEST, key.shape[1])
        part = np.argpartition(key, width - 1, axis=1)[:, :width]
        order = np.take_along_axis(
            part, np.argsort(np.take_along_axis(key, part, axis=1), axis=1), axis=1
        )
        finite = np.isfinite(np.take_along_axis(rows, order, axis=1))
        for i, keep, ranked in zip(who, finite, order + offset, strict=True):
            out[i] = ranked[keep].tolist()
    return out


def _nearest_booths(instance: Instance) -> list[list[int]]:
    """The booths nearest to each booth (itself excluded)."""
    width = min(NEAREST + 1, instance.n_booths)
    _, idx = instance.booth_kdtree.query(instance.booth_xy, k=width)
    idx = np.asarray(idx).reshape(instance.n_booths, width)
    return [row[row != b].tolist() for b, row in enumerate(idx)]


def _allowed(state: _WorkingSolution, i: int, c: int) -> bool:
    return math.isfinite(state.linear(i, c))


def _single_move(
    state: _WorkingSolution,
    i: int,
    cheapest: dict[int, list[int]],
    near_booths: list[list[int]],
    rng: random.Random,
) -> dict[int, int] | None:
    """Relocate, swap or ejection chain for a single-booth applicant."""
    here = state.col[i]
    roll = rng.random()
    partners = state.partners[i]
    if roll < 0.4 or (not partners and roll < 0.7):
        options = cheapest[i]
    elif partners and roll < 0.85:
        partner = partners[rng.randrange(len(partners))]
        if state.col[partner] < 0:
            return None
        options = near_booths[state.members[state.col[partner]][0]]
    else:
        options = near_booths[here]
    if not options:
        return None
    c = options[rng.randrange(len(options))]
    if c == here or not _allowed(state, i, c):
        return None
    holder = state.owner[c]
    if holder < 0:
        return {i: c}
    if state.needs_group[holder]:
        return None
    if rng.random() < 0.5:
        if _allowed(state, holder, here):
            return {i: c, holder: here}
        return None
    # Ejection: the holder moves on to a free booth (or the one i leaves).
    pool = cheapest[holder] if rng.random() < 0.7 else near_booths[c]
    found = [booth for booth in _first_free(state, pool, {c}) if booth != c] + [here]
    booth = found[rng.randrange(len(found))]
    if not _allowed(state, holder, booth):
        return None
    return {i: c, holder: booth}


def _group_move(
    state: _WorkingSolution,
    applicant: int,
    cheapest: dict[int, list[int]],
    near_booths: list[list[int]],
    rng: random.Random,
) -> dict[int, int] | None:
    """A merged-group applicant takes another group, evicting single-booth holders."""
    options = cheapest[applicant]
    if not options:
        return None
    c = options[rng.randrange(len(options))]
    here = state.col[applicant]
    if c == here:
        return None
    new_booths = state.members[c]
    evicted = []
    for b in new_booths:
        holder = state.owner[b]
        if holder < 0 or holder == applicant:
            continue
        if state.needs_group[holder]:
            return None
        evicted.append(holder)
    pos = {applicant: c}
    taken = set(new_booths)
    left = [b for b in state.members[here] if b not in taken]
    for holder in evicted:
        options = _first_free(state, cheapest[holder], taken)
        options += _first_free(state, near_booths[state.col[holder]], taken)
        options += [booth for booth in left if booth not in taken]
        best = _best_place(state, holder, options, pos)
        if best < 0:
            return None
        pos[holder] = best
        taken.add(best)
    return pos


def _clusters(state: _WorkingSolution, singles: list[int]) -> dict[int, list[int]]:
    """Partner clusters of placed single-booth applicants (connected components)."""
    inside = set(singles)
    out: dict[int, list[int]] = {}
    for i in singles:
        if i in out or not state.partners[i]:
            continue
        members, todo = [i], [i]
        seen = {i}
        while todo:
            member = todo.pop()
            for partner in state.partners[member]:
                if partner in inside and partner not in seen:
                    seen.add(partner)
                    members.append(partner)
                    todo.append(partner)
        if len(members) > 1:
            for member in members:
                out[member] = members
    return out


def _cluster_move(
    state: _WorkingSolution,
    members: list[int],
    cheapest: dict[int, list[int]],
    near_booths: list[list[int]],
    rng: random.Random,
) -> dict[int, int] | None:
    """A whole partner cluster moves: one member to one of its cheapest booths or near
    where it is, the others one by one (breadth first over partner links) to the free booth
    near their placed partner of least linear + partner cost; a single-booth holder in the
    way moves on to a free booth of its own cheapest."""
    if any(state.col[member] < 0 for member in members):
        return None  # a member lost its place (an insertion took it): no cluster move
    anchor = members[rng.randrange(len(members))]
    here = state.col[anchor]
    options = cheapest[anchor] if rng.random() < 0.5 else near_booths[here]
    target = options[rng.randrange(len(options))]
    inside = set(members)
    vacated = {state.col[member] for member in members}
    pos: dict[int, int] = {}
    taken: set[int] = set()

    def claim(member: int, booth: int) -> bool:
        holder = state.owner[booth]
        if booth in taken or (holder >= 0 and holder not in inside and state.needs_group[holder]):
            return False
        if holder >= 0 and holder not in inside:
            options = [
                free for free in _first_free(state, cheapest[holder], taken) if free != booth
            ]
            options += [free for free in vacated if free not in taken and free != booth]
            place = _best_place(state, holder, options, pos)
            if place < 0:
                return False
            pos[holder] = place
            taken.add(place)
        pos[member] = booth
        taken.add(booth)
        # A competitor of the member next to the booth (and not moving already) moves away too.
        for rival in state.competitors[member]:
            rival_column = pos.get(rival, state.col[rival])
            if (
                rival in pos
                or rival_column < 0
                or state.needs_group[rival]
                or rival_column not in state.near[booth]
            ):
                continue
            options = [
                free
                for free in _first_free(state, cheapest[rival], taken)
                if free not in state.near[booth]
            ]
            place = _best_place(state, rival, options, pos)
            if place < 0:
                return False
            pos[rival] = place
            taken.add(place)
        return True

    if not _allowed(state, anchor, target) or not claim(anchor, target):
        return None
    order = [anchor]
    for member in order:
        for partner in state.partners[member]:
            if partner in inside and partner not in pos:
                best, best_cost = -1, math.inf
                px, py = state.xy[pos[member]]
                for booth in (*near_booths[pos[member]], state.col[partner]):
                    if booth in taken:
                        continue
                    holder = state.owner[booth]
                    if holder >= 0 and holder not in inside and state.needs_group[holder]:
                        continue
                    fx, fy = state.xy[booth]
                    cost = state.linear(partner, booth) + state.per_metre * math.hypot(
                        fx - px, fy - py
                    )
                    if holder >= 0 and holder not in inside:
                        cost += 0.05  # a holder moves too: a small premium
                    if cost < best_cost:
                        best, best_cost = booth, cost
                if best < 0 or not math.isfinite(best_cost) or not claim(partner, best):
                    return None
                order.append(partner)
    return pos


def _insert_move(
    state: _WorkingSolution,
    applicant: int,
    cheapest: dict[int, list[int]],
    rng: random.Random,
) -> dict[int, int] | None:
    """An applicant without a place takes one of its cheapest columns. Single-booth holders
    in the way move to a free booth of their own cheapest if they can; otherwise — and a
    merged-group holder always — they lose their place, and the booths they leave go to
    others without a place (:func:`_fill`). The unplaced penalty makes the move pay only
    when more applicants, or earlier ones, end up placed."""
    options = cheapest[applicant]
    if not options:
        return None
    c = options[rng.randrange(len(options))]
    pos = {applicant: c}
    taken = set(state.members[c])
    freed: list[int] = []
    for booth in state.members[c]:
        holder = state.owner[booth]
        if holder < 0 or holder in pos:
            continue
        place = -1
        if not state.needs_group[holder]:
            place = _best_place(state, holder, _first_free(state, cheapest[holder], taken), pos)
        pos[holder] = place
        if place >= 0:
            taken.add(place)
        else:
            freed += [b for b in state.members[state.col[holder]] if b not in taken]
    _fill(state, pos, taken, freed, cheapest)
    return pos


def _fill(
    state: _WorkingSolution,
    pos: dict[int, int],
    taken: set[int],
    freed: list[int],
    cheapest: dict[int, list[int]],
) -> None:
    """Single-booth applicants without a place (earliest application first) take the
    ``freed`` booths: directly, or by an ejection — the one waiting takes a booth of its
    cheapest whose holder moves into a freed booth (the pair of least linear cost)."""
    waiting = sorted(
        (i for i in state.waiting if i not in pos and not state.needs_group[i]),
        key=state.unplaced.__getitem__,
        reverse=True,
    )
    for other in waiting:
        free = [b for b in freed if b not in taken]
        if not free:
            return
        place = _best_place(state, other, free, pos)
        if place >= 0:
            pos[other] = place
            taken.add(place)
            continue
        chosen, holder_to, best_cost = -1, -1, math.inf
        for booth in cheapest[other]:
            holder = state.owner[booth]
            if booth in taken or holder < 0 or holder in pos or state.needs_group[holder]:
                continue
            here = state.linear(holder, booth)
            for target in free:
                cost = state.linear(other, booth) + state.linear(holder, target) - here
                if cost < best_cost:
                    chosen, holder_to, best_cost = booth, target, cost
        if chosen >= 0:
            pos[state.owner[chosen]] = holder_to
            pos[other] = chosen
            taken.update((chosen, holder_to))


def _first_free(state: _WorkingSolution, options: list[int], taken: set[int]) -> list[int]:
    """The first ``FREE_CHOICES`` booths of ``options`` that are free and not ``taken``."""
    found = []
    for booth in options:
        if state.owner[booth] < 0 and booth not in taken:
            found.append(booth)
            if len(found) == FREE_CHOICES:
                break
    return found


def _best_place(
    state: _WorkingSolution, applicant: int, options: list[int], pos: dict[int, int]
) -> int:
    """Of ``options``, the booth of least linear + partner cost for ``applicant`` (partners where
    ``pos`` puts them, else where they are); -1 if none is allowed."""
    best, best_cost = -1, math.inf
    for booth in options:
        cost = state.linear(applicant, booth)
        if not math.isfinite(cost):
            continue
        fx, fy = state.xy[booth]
        for partner in state.partners[applicant]:
            partner_column = pos.get(partner, state.col[partner])
            if partner_column >= 0:
                qx, qy = state.xy[partner_column]
                cost += state.per_metre * math.hypot(fx - qx, fy - qy)
        if cost < best_cost:
            best, best_cost = booth, cost
    return best
