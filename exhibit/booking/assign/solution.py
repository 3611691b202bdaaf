"""A solution of an instance: the column each applicant holds and its objective."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from exhibit.booking.assign.problem import Instance


@dataclass(frozen=True)
class Solution:
    """``columns[i]``: the column (a single booth or a merged group) applicant ``i`` holds,
    −1 when it holds none; ``objective``: the instance's true objective of it. Immutable:
    the columns are read-only (the solver works on copies)."""

    columns: np.ndarray
    objective: float

    @classmethod
    def of(cls, instance: Instance, columns: np.ndarray) -> Solution:
        """``columns`` (copied) as a solution of ``instance``, its objective computed."""
        columns = np.array(columns, dtype=np.int64)
        columns.setflags(write=False)
        return cls(columns, instance.objective(columns))

    def placed(self) -> np.ndarray:
        """Who holds a column (a boolean per applicant)."""
        return self.columns >= 0

    def left_out(self, instance: Instance) -> np.ndarray:
        """The admitted applicants who hold no column (their indices)."""
        return np.flatnonzero(instance.admitted & (self.columns < 0))
