"""The benchmark suite: a registry of benchmarks, each run in full or quick mode.

A benchmark is anything that, given a `Context` (quick or full, where the seeded database
lives, the load generator), returns a result that `rows` turns into lines of the one table,
`checks` into correctness checks, and `as_json` into its part of the saved JSON. To add one:

    from benchmarks.suite import Benchmark, Row, register
    register(Benchmark(
        key="statistics",
        title="statistics over a year",
        run=lambda context: statistics_bench.run(quick=context.quick),
        rows=lambda result: [Row.latency("query: by hour", result.by_hour_ms, target="≤ 300 ms")],
    ))

Every figure is a median over repeated runs with its spread (`Figure`).
"""

import dataclasses
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from benchmarks.checks import Check

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Figure:
    """The median of one number measured in several runs, with the lowest and highest."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> "Figure":
        if not values:
            raise ValueError("a figure needs at least one run")
        return cls(
            median=float(statistics.median(values)),
            low=float(min(values)),
            high=float(max(values)),
            runs=len(values),
        )

    def text(self, digits: int = 1) -> str:
        """`12.3 (11.0–14.1)`; the spread is left out for a single run."""
        median = f"{self.median:,.{digits}f}"
        if self.runs < 2:
            return median
        return f"{median} ({self.low:,.{digits}f}–{self.high:,.{digits}f})"

    def as_dict(self) -> dict[str, float | int]:
        return {
            "median": round(self.median, 3),
            "low": round(self.low, 3),
            "high": round(self.high, 3),
            "runs": self.runs,
        }


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table. `met` is None where no target applies."""

    name: str
    runs: int
    rate: Figure | None = None
    p50: Figure | None = None
    p99: Figure | None = None
    target: str = ""
    met: bool | None = None
    unit: str = "ms"
    """The unit of p50/p99 (milliseconds unless a benchmark says otherwise)."""
    tail: int = 99
    """Which percentile the `p99` figure is, for targets set on another one (p95)."""
    figure: str = ""
    """A figure that is not a latency (minutes, shares), shown in the p50 column's place."""

    def cells(self) -> list[str]:
        def show(figure: Figure | None, digits: int = 1) -> str:
            return figure.text(digits) if figure is not None else "-"

        verdict = {True: "yes", False: "NO", None: ""}[self.met]
        if self.figure:
            return [self.name, str(self.runs), "-", self.figure, "", self.target, verdict]
        return [
            self.name,
            str(self.runs),
            show(self.rate, 0),
            show(self.p50),
            show(self.p99)
            if self.tail == 99 or self.p99 is None
            else f"p{self.tail} {show(self.p99)}",
            self.target,
            verdict,
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "runs": self.runs,
            "rate_per_second": self.rate.as_dict() if self.rate else None,
            f"p50_{self.unit}": self.p50.as_dict() if self.p50 else None,
            f"p{self.tail}_{self.unit}": self.p99.as_dict() if self.p99 else None,
            "figure": self.figure or None,
            "target": self.target or None,
            "met": self.met,
        }


COLUMNS = ("benchmark", "runs", "rate/s", "p50 ms", "p99 ms", "target", "met")


@dataclass(frozen=True, slots=True)
class Context:
    """What every benchmark gets."""

    quick: bool
    """Tiny sizes, one run: proves the harness works, measures nothing worth keeping."""
    workdir: Path
    """A temporary directory the benchmark may use; removed after the suite."""
    wrk: str | None
    """The path of wrk, when installed."""
    progress: Callable[[str], None]
    options: dict[str, Any] = field(default_factory=dict)
    """Command-line overrides (repeats, durations, counts) for the built-in benchmarks."""


def _default_json(result: object) -> object:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        as_dict = getattr(result, "as_dict", None)
        return as_dict() if callable(as_dict) else dataclasses.asdict(result)
    return repr(result)


def _default_checks(result: object) -> list[Check]:
    found = getattr(result, "checks", [])
    return [check for check in found if isinstance(check, Check)]


@dataclass(frozen=True)
class Benchmark(Generic[R]):
    key: str
    """Its key in the JSON, and the name `--only` takes."""
    title: str
    run: Callable[[Context], R]
    rows: Callable[[R], list[Row]]
    checks: Callable[[R], list[Check]] = _default_checks
    as_json: Callable[[R], object] = _default_json
    needs_wrk: bool = False


REGISTRY: dict[str, Benchmark[Any]] = {}


def register(benchmark: Benchmark[Any]) -> Benchmark[Any]:
    if benchmark.key in REGISTRY:
        raise ValueError(f"a benchmark {benchmark.key!r} is already registered")
    REGISTRY[benchmark.key] = benchmark
    return benchmark


@dataclass(frozen=True, slots=True)
class Outcome:
    """One benchmark's part of the report."""

    key: str
    title: str
    rows: list[Row]
    checks: list[Check]
    data: object
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "rows": [row.as_dict() for row in self.rows],
            "checks": [check.as_dict() for check in self.checks],
            "data": self.data,
            "error": self.error,
        }


def run_one(benchmark: Benchmark[Any], context: Context) -> Outcome:
    """Run one benchmark; a failure is reported as a failed check, not raised, so the rest of
    the suite still runs."""
    try:
        result = benchmark.run(context)
    except Exception as error:
        message = f"{type(error).__name__}: {error}"
        return Outcome(
            key=benchmark.key,
            title=benchmark.title,
            rows=[],
            checks=[Check(f"{benchmark.title} ran to the end", False, message[:2000])],
            data=None,
            error=message,
        )
    return Outcome(
        key=benchmark.key,
        title=benchmark.title,
        rows=benchmark.rows(result),
        checks=benchmark.checks(result),
        data=benchmark.as_json(result),
    )
