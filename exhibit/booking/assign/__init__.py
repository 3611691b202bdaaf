"""Automatic booth assignment (pure): which free booth each "any booth" applicant gets, and
why. The method and its figures: docs/assignment.md.

Modules, in the order a solve runs them: ``inputs`` (the input types and their check),
``solve`` (the entry point :func:`assign`: build, construct, bound, improve, report),
``problem`` (the immutable :class:`~.problem.Instance` derived from the input: columns,
cost matrices, relations, the objective; ``Problem`` is its old name), ``floors`` (the
partner floors), ``state`` (what a solve changes: time budget, booth prices, caches),
``solution`` (a :class:`~.solution.Solution`: a column per applicant and its objective),
``construct`` (the first solution; ``polish``: its local search and cluster moves),
``exact`` (the exact MILP), ``bound`` (the lower bound), ``improve`` (simulated
annealing), ``explain`` (costs, reasons and quality figures), ``results`` (the result
types) and ``reasons`` (the texts, as message ids with parameters); ``constants`` and
``tools`` serve them all.
"""

from exhibit.booking.assign.constants import HARD_PENALTY, TERMS
from exhibit.booking.assign.inputs import (
    Application,
    AssignmentInputError,
    FreeBooth,
    TrackZone,
    Weights,
)
from exhibit.booking.assign.reasons import Named, Reason
from exhibit.booking.assign.results import Assignment, AssignmentResult, Quality, Unplaced
from exhibit.booking.assign.solve import assign
from exhibit.floorplan.plan import BOOTH_KINDS

__all__ = [
    "BOOTH_KINDS",
    "HARD_PENALTY",
    "TERMS",
    "Application",
    "Assignment",
    "AssignmentInputError",
    "AssignmentResult",
    "FreeBooth",
    "Named",
    "Quality",
    "Reason",
    "TrackZone",
    "Unplaced",
    "Weights",
    "assign",
]
