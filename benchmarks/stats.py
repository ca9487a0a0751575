"""Latency samples summarised as nearest-rank percentiles, in milliseconds."""

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass


def percentile(sorted_samples: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile of samples already sorted ascending (the method wrk uses)."""
    if not sorted_samples:
        raise ValueError("no samples")
    rank = max(1, math.ceil(percent / 100 * len(sorted_samples)))
    return sorted_samples[rank - 1]


@dataclass(frozen=True, slots=True)
class Latency:
    """Percentiles of one set of latencies, in milliseconds."""

    samples: int
    p50: float
    p90: float
    p99: float
    max: float

    @classmethod
    def of_seconds(cls, seconds: Sequence[float]) -> "Latency":
        ordered = sorted(value * 1000 for value in seconds)
        return cls(
            samples=len(ordered),
            p50=percentile(ordered, 50),
            p90=percentile(ordered, 90),
            p99=percentile(ordered, 99),
            max=ordered[-1],
        )

    def as_dict(self) -> dict[str, float]:
        return {key: round(value, 3) for key, value in asdict(self).items()}
