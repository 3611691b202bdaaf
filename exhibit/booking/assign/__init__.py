"""Automatic booth assignment (pure): which free booth each "any booth" applicant gets, and
why. The method and its figures: docs/assignment.md."""

from exhibit.booking.assign.problem import (
    BOOTH_KINDS,
    HARD_PENALTY,
    TERMS,
    Application,
    Assignment,
    AssignmentInputError,
    AssignmentResult,
    FreeBooth,
    Quality,
    TrackZone,
    Unplaced,
    Weights,
    assign,
)

__all__ = [
    "BOOTH_KINDS",
    "HARD_PENALTY",
    "TERMS",
    "Application",
    "Assignment",
    "AssignmentInputError",
    "AssignmentResult",
    "FreeBooth",
    "Quality",
    "TrackZone",
    "Unplaced",
    "Weights",
    "assign",
]
