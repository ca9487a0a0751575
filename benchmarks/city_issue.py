"""A city issuing at once: 4 halls × 4 kiosks over HTTP (wrk), on server processes sharing
one durable PostgreSQL; then every hall's numbers checked against the database.

Each hall's kiosks use that hall's kiosk token and are spread round robin over the processes;
one wrk (one thread) per hall and process, all started together. Their latency distributions
are merged from the 0.1-percentile steps each wrk reports (`issue_tickets.lua`).
"""

import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from benchmarks import issue
from benchmarks.checks import Check
from benchmarks.city import RunningCity, query
from benchmarks.server import ServeProcess

KIOSKS_PER_HALL = 4
SETTLE_POLL_SECONDS = 0.1
SETTLE_LIMIT_SECONDS = 10.0
SETTLE_QUIET_POLLS = 3


@dataclass(frozen=True, slots=True)
class CityIssueRun:
    seconds: float
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    stored: int
    created_by_hall: dict[str, int]
    server_cpu_ms_per_ticket: float
    """CPU of every server process (not PostgreSQL's) per ticket stored."""
    checks: list[Check] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "seconds": round(self.seconds, 3),
            "requests": self.requests,
            "requests_per_second": round(self.requests_per_second, 1),
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "tickets_stored": self.stored,
            "created_201_by_hall": self.created_by_hall,
            "server_cpu_ms_per_ticket": round(self.server_cpu_ms_per_ticket, 3),
            "checks": [check.as_dict() for check in self.checks],
        }


def merged_percentile(reports: list[dict[str, Any]], percentile: float) -> float:
    """The `percentile` (nearest rank) of every request of several wrk runs, in ms: each run's
    1,000 quantile steps stand for its requests in equal shares."""
    weighted: list[tuple[float, float]] = []
    for report in reports:
        steps: list[int] = report["quantiles_us"]
        if report["requests"] and steps:
            share = report["requests"] / len(steps)
            weighted.extend((value / 1000, share) for value in steps)
    if not weighted:
        raise ValueError("no wrk run answered any request")
    weighted.sort()
    wanted = percentile / 100 * sum(share for _, share in weighted)
    running = 0.0
    for value, share in weighted:
        running += share
        if running >= wanted - 1e-9:
            return value
    return weighted[-1][0]


def merged_report(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One hall's wrk reports (one per process) as one, for `issue.verify_numbers`."""
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for report in reports:
        statuses.update(report["statuses"])
        errors.update(report["errors"])
    return {
        "statuses": dict(statuses),
        "errors": dict(errors),
        "numbers": [number for report in reports for number in report["numbers"]],
        "sent": sum(report["sent"] for report in reports),
        "requests": sum(report["requests"] for report in reports),
    }


def _tickets_by_hall(city: RunningCity) -> dict[str, int]:
    rows = query(city.seeded, city.database, "SELECT hall, COUNT(*) FROM ticket GROUP BY hall")
    return {str(hall): int(str(count)) for hall, count in rows}


def _wait_until_quiet(city: RunningCity) -> None:
    """Requests wrk cut off may still be committing: wait until the ticket count settles."""
    deadline = time.monotonic() + SETTLE_LIMIT_SECONDS
    last: dict[str, int] | None = None
    quiet = 0
    while quiet < SETTLE_QUIET_POLLS and time.monotonic() < deadline:
        counts = _tickets_by_hall(city)
        quiet = quiet + 1 if counts == last else 0
        last = counts
        time.sleep(SETTLE_POLL_SECONDS)


def _kiosks_per_process(city: RunningCity) -> list[tuple[ServeProcess, int]]:
    spread = Counter(city.spread(kiosk).base_url for kiosk in range(KIOSKS_PER_HALL))
    return [
        (server, spread[server.base_url]) for server in city.servers if server.base_url in spread
    ]


def run(city: RunningCity, *, wrk: str, seconds: int) -> CityIssueRun:
    config = city.seeded.config
    before = _tickets_by_hall(city)
    cpu_before = city.cpu_seconds()
    running: list[tuple[str, subprocess.Popen[str]]] = []
    try:
        for code in city.codes:
            categories = [category.code for category in config.hall(code).categories]
            token = city.seeded.accounts.hall(code).kiosk_token
            for server, kiosks in _kiosks_per_process(city):
                command = issue.wrk_command(
                    wrk,
                    server.base_url,
                    token,
                    categories=categories,
                    threads=1,
                    connections=kiosks,
                    seconds=seconds,
                )
                process = subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
                running.append((code, process))
        reports: dict[str, list[dict[str, Any]]] = {code: [] for code in city.codes}
        for code, process in running:
            stdout, stderr = process.communicate(timeout=seconds + issue.WRK_GRACE_SECONDS)
            reports[code].append(issue.wrk_report(stdout, stderr, process.returncode))
    finally:
        for _, process in running:
            if process.poll() is None:
                process.kill()
                process.wait()
    _wait_until_quiet(city)
    cpu_used = city.cpu_seconds() - cpu_before
    city.check_alive()
    checks: list[Check] = []
    stored = 0
    created: dict[str, int] = {}
    for code in city.codes:
        rows = query(
            city.seeded,
            city.database,
            "SELECT service_day, category, sequence, number, hop FROM ticket WHERE hall = %s",
            (code,),
        )
        merged = merged_report(reports[code])
        hall_checks, hall_stored = issue.verify_numbers(
            config.hall(code), merged, rows, before=before.get(code, 0)
        )
        checks.extend(Check(f"{code}: {c.name}", c.passed, c.detail) for c in hall_checks)
        stored += hall_stored
        created[code] = int(merged["statuses"].get("201", 0))
    every = [report for hall_reports in reports.values() for report in hall_reports]
    elapsed = max(report["duration_us"] for report in every) / 1_000_000
    requests = sum(report["requests"] for report in every)
    return CityIssueRun(
        seconds=elapsed,
        requests=requests,
        requests_per_second=requests / elapsed,
        p50_ms=merged_percentile(every, 50),
        p99_ms=merged_percentile(every, 99),
        stored=stored,
        created_by_hall=created,
        server_cpu_ms_per_ticket=cpu_used * 1000 / max(stored, 1),
        checks=checks,
    )
