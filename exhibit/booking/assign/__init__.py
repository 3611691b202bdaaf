"""Automatic booth assignment (pure): which free booth each "any booth" applicant gets, and
why. The method and its figures: docs/assignment.md.

Modules, in the order a solve runs them: ``inputs`` (the input types and their check),
``solve`` (the entry point :func:`assign` and the time budget), ``problem`` (the model
derived from the input: columns, cost matrices, relations, the objective), ``construct``
(the first solution), ``bound`` (the lower bound), ``improve`` (simulated annealing),
``explain`` (costs, reasons and quality figures), ``results`` (the result types) and
``reasons`` (the texts, as message ids with parameters); ``constants`` and ``tools`` serve
them all.
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
