"""Summaries of a list of durations in seconds, with the definitions docs/statistics.md gives."""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def nearest_rank(ordered: Sequence[float], percent: float) -> float:
    """The smallest value with at least `percent` % of the values at or below it."""
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Durations:
    """mean, median (middle value, or the mean of the two middle ones), p90 (nearest rank)
    and max; all None when there are no values."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None
    max: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> "Durations":
        if not values:
            return cls(count=0, mean=None, median=None, p90=None, max=None)
        ordered = sorted(values)
        return cls(
            count=len(ordered),
            mean=_round(math.fsum(ordered) / len(ordered)),
            median=_round(statistics.median(ordered)),
            p90=_round(nearest_rank(ordered, 90)),
            max=_round(ordered[-1]),
        )


def _round(value: float) -> float:
    return round(value, 3)
