"""How fast statistics answer over a year of one busy hall.

    from benchmarks import stats_queries
    result = stats_queries.run(quick=False)   # ~300,000 tickets / ~2 million events

Generates the year with `benchmarks.year_generator` (rolled up by day, as the server's watch
leaves it), then times `GET /api/stats`'s work (`period_report`) over the whole year for every
`group_by`, the live view and an XLSX export, in-process on a read session. Each query runs
`repeats` times; the slowest run counts. Target: every year query within 300 ms.
"""

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from benchmarks.year_generator import FIRST_DAY, YearSize, generate
from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.protocol import StatsGroupBy
from queue_server.reports.exports import to_xlsx
from queue_server.services.stats_report import live_stats, period_report

TARGET_MS: Final = 300.0
GROUPINGS: Final[tuple[StatsGroupBy, ...]] = ("category", "window", "clerk", "hour", "day")


@dataclass(frozen=True, slots=True)
class StatsQueryResult:
    days: int
    tickets: int
    events: int
    generate_seconds: float
    query_ms: dict[str, float] = field(default_factory=dict)
    """Slowest of the repeats, per query."""
    median_ms: dict[str, float] = field(default_factory=dict)
    cpu_ms: dict[str, float] = field(default_factory=dict)
    """Median CPU time of this process per query: less disturbed by a busy machine."""
    issued_total: int = 0

    @property
    def worst_ms(self) -> float:
        return max(self.query_ms.values())

    @property
    def within_target(self) -> bool:
        return self.worst_ms <= TARGET_MS


def existing_size(path: Path, *, days: int) -> YearSize:
    db = Database(f"sqlite:///{path}")
    try:
        with db.read_session() as session:
            connection = session.connection()
            tickets = connection.exec_driver_sql(
                "SELECT count(*) FROM event WHERE type = 'ticket.issued'"
            ).scalar()
            events = connection.exec_driver_sql("SELECT count(*) FROM event").scalar()
    finally:
        db.dispose()
    return YearSize(days=days, tickets=int(tickets or 0), events=int(events or 0), open_days=0)


def _time(action: Callable[[], object], repeats: int) -> tuple[float, float, float]:
    """Slowest and median wall time, and median CPU time, in milliseconds."""
    runs, cpu = [], []
    for _ in range(repeats):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        action()
        runs.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
    return max(runs), statistics.median(runs), statistics.median(cpu)


def run(*, quick: bool, repeats: int = 3, year: Path | None = None) -> StatsQueryResult:
    """`year`: a file left by `benchmarks.year_generator` (365 days) to reuse instead of
    generating one (which takes minutes)."""
    days, per_day = (3, 40) if quick else (365, 960)
    with tempfile.TemporaryDirectory(prefix="yimen-stats-year-") as scratch:
        begin = time.monotonic()
        if year is None:
            path = Path(scratch) / "year.db"
            size = generate(path, days=days, per_day=per_day)
        else:
            path, days = year, 365
            size = existing_size(path, days=days)
        generate_seconds = time.monotonic() - begin
        hall = load_hall_config()
        db = Database(f"sqlite:///{path}")
        start, end = FIRST_DAY, FIRST_DAY + timedelta(days=days - 1)
        now = datetime.now(UTC)
        slowest: dict[str, float] = {}
        typical: dict[str, float] = {}
        cpu: dict[str, float] = {}
        issued = 0
        try:
            with db.read_session() as session:
                for group_by in GROUPINGS:
                    name = f"year by {group_by}"
                    slowest[name], typical[name], cpu[name] = _time(
                        lambda g=group_by: period_report(  # type: ignore[misc]
                            session, hall=hall, start=start, end=end, group_by=g, now=now
                        ),
                        repeats,
                    )
                report = period_report(
                    session, hall=hall, start=start, end=end, group_by="category", now=now
                )
                issued = report.total.issued
                (
                    slowest["one day by window"],
                    typical["one day by window"],
                    cpu["one day by window"],
                ) = _time(
                    lambda: period_report(
                        session, hall=hall, start=end, end=end, group_by="window", now=now
                    ),
                    repeats,
                )
                slowest["live"], typical["live"], cpu["live"] = _time(
                    lambda: live_stats(session, hall=hall, now=now), repeats
                )
                (
                    slowest["year xlsx export"],
                    typical["year xlsx export"],
                    cpu["year xlsx export"],
                ) = _time(lambda: to_xlsx(report), repeats)
        finally:
            db.dispose()
    return StatsQueryResult(
        days=size.days,
        tickets=size.tickets,
        events=size.events,
        generate_seconds=round(generate_seconds, 1),
        query_ms={name: round(ms, 1) for name, ms in slowest.items()},
        median_ms={name: round(ms, 1) for name, ms in typical.items()},
        cpu_ms={name: round(ms, 1) for name, ms in cpu.items()},
        issued_total=issued,
    )


if __name__ == "__main__":
    import sys

    given = [Path(arg) for arg in sys.argv[1:] if not arg.startswith("--")]
    result = run(quick="--quick" in sys.argv, year=given[0] if given else None)
    print(f"{result.tickets} tickets, {result.events} events, {result.days} days")
    print(f"generated and rolled up in {result.generate_seconds} s")
    for name, ms in result.query_ms.items():
        print(
            f"  {name:<22} slowest {ms:8.1f} ms   median {result.median_ms[name]:8.1f} ms"
            f"   cpu {result.cpu_ms[name]:8.1f} ms"
        )
    verdict = "met" if result.within_target else "MISSED"
    print(f"worst {result.worst_ms} ms; target {TARGET_MS} ms: {verdict}")
