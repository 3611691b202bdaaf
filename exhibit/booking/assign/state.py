"""What changes during one solve, kept apart from the (immutable) instance.

- :class:`Budget`: the time limit — when the solve started, when it must end, and when the
  construction's optional steps stop;
- :class:`BoothPrices`: the construction's booth prices (what a merged group pays for the
  booths it takes from single-booth applicants);
- :class:`SolveCache`: results the construction computes and the bound reuses — the exact
  MILP per admitted set and the subgradient rounds' bound and prices — and the bound's LP
  relaxation per admitted set (resumable: the solve goes on with it after the search);
- :class:`Search`: what the improvement did (moves, phases, objective before and after).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from exhibit.booking.assign.constants import CONSTRUCT_SHARE

if TYPE_CHECKING:
    from exhibit.booking.assign.relaxation import Relaxation

#: An admitted set: the indices of the admitted applicants (the key of cached results).
AdmittedKey = tuple[int, ...]


@dataclass(frozen=True)
class Budget:
    """The time limit of one solve, in ``time.perf_counter()`` seconds."""

    start: float
    deadline: float = math.inf
    construct_by: float = math.inf

    @classmethod
    def unlimited(cls) -> Budget:
        return cls(start=time.perf_counter())

    def for_construction(self) -> Budget:
        """The same budget with ``construct_by`` set: the construction's share of what is
        left now."""
        now = time.perf_counter()
        return Budget(self.start, self.deadline, now + CONSTRUCT_SHARE * (self.deadline - now))

    def late(self) -> bool:
        """Past the construction's share of the time limit: optional steps are skipped."""
        return time.perf_counter() > self.construct_by

    def share_of_rest(self, share: float) -> float | None:
        """``share`` of the time left until the deadline (seconds); None when unlimited."""
        if not math.isfinite(self.deadline):
            return None
        return share * max(self.deadline - time.perf_counter(), 0.0)

    def share_used(self) -> float:
        """The share of the whole time limit used so far (0–1)."""
        span = max(self.deadline - self.start, 1e-9)
        return min(1.0, (time.perf_counter() - self.start) / span)


@dataclass
class BoothPrices:
    """The construction's booth prices: ``booth[b]`` for booth ``b``, and ``group[g]`` the
    sum of them over the members of group column ``g`` (what a group pays on top of its
    linear cost)."""

    booth: np.ndarray
    group: np.ndarray

    @classmethod
    def zero(cls, n_booths: int, n_groups: int) -> BoothPrices:
        return cls(np.zeros(n_booths), np.zeros(n_groups))


@dataclass(frozen=True)
class CoupledBound:
    """The subgradient rounds' best Lagrangian bound and its booth prices, for the admitted
    set they were computed for."""

    admitted: AdmittedKey
    bound: float
    prices: np.ndarray


@dataclass
class SolveCache:
    """Results computed once per admitted set and used by both construction and bound."""

    #: The exact MILP with partner floors: admitted set → (solution or None, proven bound).
    exact: dict[AdmittedKey, tuple[np.ndarray | None, float | None]] = field(default_factory=dict)
    #: The construction's subgradient rounds (None when they did not run).
    coupled: CoupledBound | None = None
    #: The bound's LP relaxation per admitted set, where it was started (it holds its
    #: restricted LP between runs; the instance itself stays as it was).
    relaxations: dict[AdmittedKey, Relaxation] = field(default_factory=dict)


@dataclass
class Search:
    """What the search did: moves tried and accepted, phases, objective before and after."""

    moves: int = 0
    accepted: int = 0
    phases: int = 0
    start: float = 0.0
    best: float = 0.0
    seconds: float = 0.0
    stopped_by_time: bool = False
