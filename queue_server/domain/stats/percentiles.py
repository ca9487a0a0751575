"""Summaries of durations in seconds, with the definitions docs/statistics.md gives.

Samples are kept as float64 arrays so a year of them (hundreds of thousands) merges and
summarises in milliseconds: percentiles use a partial sort (`numpy.partition`), never a full one.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def nearest_rank(ordered: Sequence[float], percent: float) -> float:
    """The smallest value with at least `percent` % of the values at or below it."""
    if not ordered:
        raise ValueError("no values")
    return ordered[_rank(len(ordered), percent)]


def _rank(count: int, percent: float) -> int:
    """Zero-based index of the nearest-rank percentile among `count` sorted values."""
    return max(1, math.ceil(percent / 100 * count)) - 1


class Samples:
    """A growing bag of durations: single values appended, whole arrays merged in."""

    __slots__ = ("_chunks", "_loose")

    def __init__(self, chunks: Iterable[FloatArray] = ()) -> None:
        self._chunks: list[FloatArray] = list(chunks)
        self._loose: list[float] = []

    def append(self, value: float) -> None:
        self._loose.append(value)

    def add_array(self, values: FloatArray) -> None:
        self._chunks.append(values)

    def extend(self, other: "Samples") -> None:
        self._chunks.extend(other._chunks)
        self._loose.extend(other._loose)

    def array(self) -> FloatArray:
        parts = [*self._chunks, np.asarray(self._loose, dtype=np.float64)]
        return np.concatenate(parts, dtype=np.float64) if len(parts) > 1 else parts[0]

    def __len__(self) -> int:
        return sum(len(chunk) for chunk in self._chunks) + len(self._loose)

    def to_bytes(self) -> bytes:
        return self.array().astype("<f8").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Samples":
        return cls([np.frombuffer(data, dtype="<f8")] if data else [])


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
    def of(cls, values: Sequence[float] | FloatArray) -> "Durations":
        data = np.asarray(values, dtype=np.float64)
        count = len(data)
        if not count:
            return cls(count=0, mean=None, median=None, p90=None, max=None)
        low, high, p90 = (count - 1) // 2, count // 2, _rank(count, 90)
        parted = np.partition(data, sorted({low, high, p90, count - 1}))
        return cls(
            count=count,
            mean=_round(float(data.sum()) / count),
            median=_round((float(parted[low]) + float(parted[high])) / 2),
            p90=_round(float(parted[p90])),
            max=_round(float(parted[count - 1])),
        )


def _round(value: float) -> float:
    return round(value, 3)
