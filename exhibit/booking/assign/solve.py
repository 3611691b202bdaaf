"""The entry point: check the input, build the problem, construct, bound, improve, report
— all within the time limit."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Literal

import numpy as np
from shapely.geometry.base import BaseGeometry

from exhibit.booking.assign.constants import BOUND_SHARE, CONSTRUCT_SHARE, RESULT_RESERVE
from exhibit.booking.assign.inputs import (
    Application,
    FreeBooth,
    TrackZone,
    Weights,
    validate,
)
from exhibit.booking.assign.problem import Problem
from exhibit.booking.assign.reasons import area_taken
from exhibit.booking.assign.results import AssignmentResult

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
    problem = Problem(
        list(applications),
        booths,
        zones,
        weights,
        area_tolerance,
        adjacency,
        competitor_gap,
        placed,
    )
    return solve(problem, method, deadline, phases, progress)


def solve(
    problem: Problem,
    method: str,
    deadline: float = math.inf,
    phases: int | None = None,
    progress: Callable[[float, float, float], None] | None = None,
) -> AssignmentResult:
    """Construct (the greedy baseline, or the solver's construction), bound, improve for
    the time left before ``deadline`` (``time.perf_counter()`` seconds), report."""
    now = time.perf_counter()
    problem.deadline = deadline
    problem.construct_by = now + CONSTRUCT_SHARE * (deadline - now)
    col = problem.greedy() if method == "greedy" else problem.construct()
    bound = None
    if method == "optimal":
        from exhibit.booking.assign.improve import improve

        # The bound does not depend on the solution (only on who is placed): it is
        # found before the improvement, which then has the rest of the time limit.
        if not (problem.admitted & (col < 0)).any():
            now = time.perf_counter()
            bound = problem.lower_bound(now + BOUND_SHARE * max(deadline - now, 0.0))
        told = None
        if progress is not None:
            told = _teller(progress, problem, bound, deadline)
            told(problem.objective(col))
        spare = deadline - time.perf_counter()
        if math.isfinite(spare):
            spare -= RESULT_RESERVE * (deadline - problem.start)
        col, problem.search = improve(
            problem, col, problem.objective(col), time_limit=max(spare, 0.0), max_phases=phases,
            progress=told, bound=-math.inf if bound is None else bound,
        )  # fmt: skip
    # Admitted applicants that found no place after all (groups took the booths they
    # needed) join the unplaced; objective and bound then both concern exactly the
    # applicants placed, so neither carries the unplaced penalty.
    dropped = np.flatnonzero(problem.admitted & (col < 0)).tolist()
    for i in dropped:
        problem.admitted[i] = False
        problem.left_out[i] = area_taken(float(problem.requested[i] * (1 - problem.tolerance)))
    if dropped:
        problem.prepare_partner_floor()
    if bound is None or dropped:
        now = time.perf_counter()
        bound = problem.lower_bound(now + BOUND_SHARE * max(deadline - now, 0.0))
    return problem.report(col, bound)


def _teller(
    progress: Callable[[float, float, float], None],
    problem: Problem,
    bound: float | None,
    deadline: float,
) -> Callable[[float], None]:
    """``progress`` as the search calls it: with the best objective only."""
    span = max(deadline - problem.start, 1e-9)
    floor = -math.inf if bound is None else bound

    def told(best: float) -> None:
        progress(best, floor, min(1.0, (time.perf_counter() - problem.start) / span))

    return told
