"""The entry point: check the input, build the instance, construct, bound, improve, report
— all within the time limit."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Literal

import numpy as np
from shapely.geometry.base import BaseGeometry

from exhibit.booking.assign.bound import bound_complete, lower_bound, raise_bound
from exhibit.booking.assign.constants import (
    BOUND_SHARE,
    EXACT_SHARE,
    REFINE_SHARE,
    RESULT_RESERVE,
    WINDOW_SHARE,
)
from exhibit.booking.assign.construct import (
    construct,
    first_come_first_served,
    restricted_exact,
    whole_affordable,
    zone_windows,
)
from exhibit.booking.assign.explain import report
from exhibit.booking.assign.inputs import (
    Application,
    FreeBooth,
    TrackZone,
    Weights,
    validate,
)
from exhibit.booking.assign.problem import Instance
from exhibit.booking.assign.reasons import area_taken
from exhibit.booking.assign.results import AssignmentResult
from exhibit.booking.assign.solution import Solution
from exhibit.booking.assign.state import Budget, SolveCache

#: The documented weights (``Weights``'s defaults).
DEFAULT_WEIGHTS = Weights()


def assign(
    applications: Sequence[Application],
    booths: Sequence[FreeBooth],
    zones: Sequence[TrackZone],
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    area_tolerance: float = 0.1,
    adjacency: Mapping[str, Collection[str]] | None = None,
    competitor_gap: float = 2.0,
    known_tracks: Collection[str] | None = None,
    placed: Mapping[str, BaseGeometry] | None = None,
    method: Literal["optimal", "greedy"] = "optimal",
    time_limit: float = 5.0,
    phases: int | None = None,
    progress: Callable[[float, float, float], None] | None = None,
) -> AssignmentResult:
    """Assign free booths to applications, minimising the documented cost.

    ``applications`` are in priority order (earlier applications are placed first when
    booths run short). ``adjacency`` maps a booth number to the booths that count as its
    neighbours for the competitor rule (default: outlines closer than ``competitor_gap``
    metres). ``known_tracks``, when given, makes an unknown track an input error.
    ``placed`` maps exhibitors that already hold booths (confirmed, held) to their booths'
    geometry: partners and competitors may name them. ``method="greedy"`` is the
    first-come-first-served baseline (each applicant in turn takes its cheapest free
    column), reported with the same figures. ``progress(objective, bound, done)``, when
    given, is told the best objective so far, the lower bound and the share of the time
    limit used, after the construction and after each phase of the search.

    Raises :class:`AssignmentInputError` on bad input (nothing is assigned).
    """
    if not 0 <= area_tolerance < 1:
        raise ValueError("area_tolerance must be in [0, 1)")
    if competitor_gap < 0:
        raise ValueError("competitor_gap must be ≥ 0")
    if not time_limit > 0:
        raise ValueError("time_limit must be > 0 seconds")
    deadline = time.perf_counter() + time_limit
    placed = dict(placed or {})
    validate(applications, booths, zones, known_tracks, placed)
    start = time.perf_counter()
    instance = Instance(
        list(applications),
        booths,
        zones,
        weights,
        area_tolerance,
        adjacency,
        competitor_gap,
        placed,
    )
    return solve(instance, method, Budget(start, deadline), phases, progress)


def solve(
    instance: Instance,
    method: str,
    budget: Budget | float | None = None,
    phases: int | None = None,
    progress: Callable[[float, float, float], None] | None = None,
) -> AssignmentResult:
    """Construct (the greedy baseline, or the solver's construction), bound, improve for
    the time left before ``budget.deadline``, report. ``instance`` is not changed: who is
    left out after all makes a new instance (:meth:`Instance.with_admitted`). ``budget`` may
    also be a bare deadline (``time.perf_counter()`` seconds), as it once was."""
    if budget is None:
        budget = Budget.unlimited()
    elif not isinstance(budget, Budget):
        budget = Budget(time.perf_counter(), float(budget))
    budget = budget.for_construction()
    cache = SolveCache()
    # Too big for the restricted MILP whole (and a time limit to end it): its track
    # windows, then the search, take the construction's solution from step 5.
    windows = phases is None and math.isfinite(budget.deadline) and not whole_affordable(instance)
    if method == "greedy":
        solution = first_come_first_served(instance)
    else:
        solution = construct(instance, budget, cache, polish=not windows)
    bound = None
    early: tuple[tuple[int, ...], float] | None = None  # (admitted set, its bound)
    stopped_early = False  # the search stopped before its time was up
    if method == "optimal":
        from exhibit.booking.assign.improve import improve

        # The bound does not depend on the solution, only on who is placed: it is found
        # before the improvement, which then has the rest of the time limit. When the
        # construction leaves someone out, it is the bound of those it places, kept for
        # the report should the solution leave out the same.
        placed = _placed_only(instance, solution)
        early = (placed.admitted_key(), lower_bound(placed, cache, _bound_by(budget)))
        if placed is instance:
            bound = early[1]
        told = None
        if progress is not None:
            told = _teller(progress, budget, bound)
            told(solution.objective)
        floor = -math.inf if bound is None else bound
        if windows:
            until = time.perf_counter() + WINDOW_SHARE * (budget.deadline - time.perf_counter())
            solution = Solution.of(instance, _window_pass(instance, solution.columns, until))
        solution, search = improve(
            instance, solution, time_limit=_spare(budget), max_phases=phases,
            progress=told, bound=floor,
        )  # fmt: skip
        stopped_early = not search.stopped_by_time
        if phases is None:
            solution = _refine(instance, solution, budget, floor, told)
    # Admitted applicants that found no place after all (groups took the booths they
    # needed) join the unplaced: a new instance without them. Objective and bound then both
    # concern exactly the applicants placed, so neither carries the unplaced penalty.
    dropped = solution.left_out(instance).size > 0
    if dropped:
        instance = _placed_only(instance, solution)
        solution = Solution.of(instance, solution.columns)
    if bound is None or dropped:
        bound = lower_bound(instance, cache, _bound_by(budget))
        if early is not None and early[0] == instance.admitted_key():
            bound = max(bound, early[1])
    # The search stopped early, short of the bound, and time is left: the LP relaxation,
    # if cut short, goes on until the report's reserve.
    if stopped_early and solution.objective > bound and not bound_complete(instance, cache):
        by = budget.deadline
        if math.isfinite(by):
            by -= RESULT_RESERVE * (budget.deadline - budget.start)
        bound = raise_bound(instance, cache, bound, by)
    return report(instance, solution, bound)


def _placed_only(instance: Instance, solution: Solution) -> Instance:
    """``instance`` without the admitted applicants ``solution`` leaves out (itself when it
    leaves out none)."""
    dropped = solution.left_out(instance).tolist()
    if not dropped:
        return instance
    admitted = instance.admitted.copy()
    admitted[dropped] = False
    reasons = {
        i: area_taken(float(instance.requested[i] * (1 - instance.tolerance))) for i in dropped
    }
    return instance.with_admitted(admitted, reasons)


def _spare(budget: Budget) -> float:
    """The time left for the search: until the result's reserve before the deadline."""
    spare = budget.deadline - time.perf_counter()
    if math.isfinite(spare):
        spare -= RESULT_RESERVE * (budget.deadline - budget.start)
    return max(spare, 0.0)


def _refine(
    instance: Instance,
    solution: Solution,
    budget: Budget,
    bound: float,
    progress: Callable[[float], None] | None,
) -> Solution:
    """While time is left after the search stopped (it found nothing better for a while):
    the exact MILP restricted around the best solution (:func:`restricted_exact`) — the
    whole problem, or on larger ones one track's window after another
    (:func:`zone_windows`, each kept when it lowers the objective) — then the search again
    from there; kept when better. Ends when a round finds nothing better, or less than
    ``REFINE_SHARE`` of the time limit is left. Without a time limit it does not run
    (nothing would end it but that)."""
    from exhibit.booking.assign.improve import improve

    span = budget.deadline - budget.start
    if not math.isfinite(span):
        return solution

    def time_left() -> float | None:
        spare = _spare(budget)
        return spare if spare >= REFINE_SHARE * span else None

    def proven(candidate: Solution) -> bool:
        return candidate.objective <= bound + 1e-9 * max(abs(bound), 1.0)

    while not proven(solution) and (spare := time_left()) is not None:
        columns = restricted_exact(instance, solution.columns, EXACT_SHARE * spare)
        if columns is None:  # too big whole: window by window
            until = budget.deadline - REFINE_SHARE * span
            columns = _window_pass(instance, solution.columns, until)
        if np.array_equal(columns, solution.columns):
            break
        start = Solution.of(instance, columns)
        if time_left() is None:  # no time for the search: the MILP's solution if better
            if start.objective < solution.objective - 1e-9:
                solution = start
            break
        candidate, _search = improve(
            instance, start, time_limit=_spare(budget), progress=progress, bound=bound
        )
        if candidate.objective >= solution.objective - 1e-9:
            if start.objective < solution.objective - 1e-9:
                solution = start
            break
        solution = candidate
    return solution


def _window_pass(instance: Instance, columns: np.ndarray, until: float) -> np.ndarray:
    """:func:`restricted_exact` on each of :func:`zone_windows` in turn, each result kept
    when it lowers the objective, while the time lasts (``until``, perf_counter seconds;
    each window may use EXACT_SHARE of what is then left)."""
    value = instance.objective(columns)
    for rows in zone_windows(instance, columns):
        spare = until - time.perf_counter()
        if spare <= 0:
            break
        window = restricted_exact(instance, columns, EXACT_SHARE * spare, rows)
        if window is not None:
            window_value = instance.objective(window)
            if window_value < value - 1e-9:
                columns, value = window, window_value
    return columns


def _bound_by(budget: Budget) -> float:
    """When the bound's optional relaxations must end: its share of the time left."""
    now = time.perf_counter()
    return now + BOUND_SHARE * max(budget.deadline - now, 0.0)


def _teller(
    progress: Callable[[float, float, float], None],
    budget: Budget,
    bound: float | None,
) -> Callable[[float], None]:
    """``progress`` as the search calls it: with the best objective only."""
    floor = -math.inf if bound is None else bound

    def told(best: float) -> None:
        progress(best, floor, budget.share_used())

    return told
