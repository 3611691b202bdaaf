"""What the solver gives: each applicant's booth(s) with the cost by term and the reasons,
who is left out and why, and the figures to judge the assignment by."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Assignment:
    """One applicant's booth(s), the cost by term, and why in plain Russian."""

    exhibitor: str
    booths: list[str]
    cost: dict[str, float]
    reasons: list[str]
    total: float


@dataclass(frozen=True)
class Unplaced:
    """An applicant left without a booth, and why."""

    exhibitor: str
    reason: str


@dataclass(frozen=True)
class Quality:
    """Figures to judge an assignment by.

    Area differences are relative (``|area − request| / request``); the partner distance is
    in metres between centroids, over partner pairs that are both placed. ``in_zone_share``
    counts placed applicants whose track has a zone in the hall; None when there are none.
    """

    placed_share: float
    in_zone_share: float | None
    in_zone_possible: float | None  # the most the zones' capacity allows (an upper bound)
    mean_area_diff: float | None
    worst_area_diff: float | None
    competitor_adjacencies: int
    mean_partner_distance: float | None
    optimality_gap: float
    lower_bound: float
    objective: float


@dataclass(frozen=True)
class AssignmentResult:
    """The preview: assignments in application order, who is left out, quality, warnings."""

    assignments: list[Assignment]
    unplaced: list[Unplaced]
    quality: Quality
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``assign --json``: assignments, unplaced, quality."""
        q = self.quality
        return {
            "assignments": [
                {
                    "exhibitor": a.exhibitor,
                    "booths": list(a.booths),
                    "cost": {k: round(v, 4) for k, v in a.cost.items()},
                }
                for a in self.assignments
            ],
            "unplaced": [{"exhibitor": u.exhibitor, "reason": u.reason} for u in self.unplaced],
            "quality": {
                "placed_share": _round(q.placed_share),
                "in_zone_share": _round(q.in_zone_share),
                "in_zone_possible": _round(q.in_zone_possible),
                "mean_area_diff": _round(q.mean_area_diff),
                "worst_area_diff": _round(q.worst_area_diff),
                "competitor_adjacencies": q.competitor_adjacencies,
                "mean_partner_distance": _round(q.mean_partner_distance),
                "optimality_gap": _round(q.optimality_gap),
                "lower_bound": _round(q.lower_bound),
                "objective": _round(q.objective),
            },
        }


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)
