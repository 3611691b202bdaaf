"""Errors of the pure floor-plan engine."""

from __future__ import annotations


class PlanFormatError(ValueError):
    """A plan file cannot be read: bad syntax, wrong types, a missing hall, too big, …

    The message is one human sentence (Russian first, as the UI) naming the feature and
    the field where that is known; ``feature`` and ``field`` carry the same for programs.
    """

    def __init__(self, message: str, *, feature: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.feature = feature
        self.field = field

    def __str__(self) -> str:
        return self.message
