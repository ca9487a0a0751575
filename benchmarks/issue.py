"""Tickets issued per second over HTTP, driven by wrk, then checked against the database; each
run next to the same transaction's rate on the database alone, on the same disk (`raw`)."""

import contextlib
import json
import shutil
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks import sqlite_raw
from benchmarks.checks import Check
from benchmarks.hall import query_database
from benchmarks.pg_raw import RawRate
from benchmarks.server import RunningServer, SeededDatabase, ServeProcess, running_server
from benchmarks.stats import Latency
from benchmarks.suite import Context, Figure, Row
from queue_server.config import HallConfig
from queue_server.domain.numbering import format_number

LUA_SCRIPT = Path(__file__).with_name("issue_tickets.lua")
REPORT_PREFIX = "YIMEN_REPORT "
WRK_REQUEST_TIMEOUT = "10s"
WRK_GRACE_SECONDS = 30.0
SETTLE_POLL_SECONDS = 0.1
SETTLE_LIMIT_SECONDS = 10.0
SETTLE_QUIET_POLLS = 3


class WrkMissing(RuntimeError):
    """wrk is not installed."""


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise WrkMissing(
            "wrk is not installed; `make bench` installs it (scripts/system-packages.sh wrk), "
            "or run: sudo apt-get install -y wrk"
        )
    return path


def wrk_version(wrk: str) -> str:
    # wrk prints its version in the usage text and exits 1 when given no URL.
    result = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
    first_line = (result.stdout or result.stderr).splitlines()[:1]
    return first_line[0].split(" Copyright")[0] if first_line else "unknown"


@dataclass(frozen=True, slots=True)
class IssueResult:
    threads: int
    connections: int
    seconds: float
    requests: int
    requests_per_second: float
    latency: Latency
    non_2xx: int
    socket_errors: int
    created: int
    stored: int
    unanswered: int
    checks: list[Check]
    server_cpu_ms_per_ticket: float
    """CPU time the server process used (all its threads) per ticket stored: unlike the rate,
    it hardly moves when other work shares the machine."""
    raw: RawRate
    """The same transaction on the database alone, just before, with as many connections."""

    @property
    def share_of_raw(self) -> float:
        """The issuing rate as a share of what the database alone commits (`0.12× raw`)."""
        return self.requests_per_second / self.raw.per_second if self.raw.per_second else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "threads": self.threads,
            "connections": self.connections,
            "seconds": round(self.seconds, 3),
            "requests": self.requests,
            "requests_per_second": round(self.requests_per_second, 1),
            "latency_ms": self.latency.as_dict(),
            "non_2xx": self.non_2xx,
            "socket_errors": self.socket_errors,
            "created_201": self.created,
            "tickets_stored": self.stored,
            "unanswered_at_stop": self.unanswered,
            "server_cpu_ms_per_ticket": round(self.server_cpu_ms_per_ticket, 3),
            "raw": self.raw.as_dict(),
            "share_of_raw": round(self.share_of_raw, 4),
            "checks": [check.as_dict() for check in self.checks],
        }


TicketRows = Sequence[Sequence[Any]]
"""(service_day, category, sequence, number, hop) of every ticket of the hall."""


@dataclass(frozen=True, slots=True)
class IssuingTarget:
    """A server of one hall to issue at, how to read the tickets its database stored, and how
    to run the issuing transaction on that database alone (connections, seconds)."""

    server: ServeProcess
    kiosk_token: str
    stored: Callable[[], TicketRows]
    raw: Callable[[int, float], RawRate]


def sqlite_target(server: RunningServer, seed: SeededDatabase, hall: HallConfig) -> IssuingTarget:
    """A server on a SQLite file; the raw rate on a copy of the seed beside that file."""
    prefixes = {category.code: category.prefix for category in hall.categories}
    return IssuingTarget(
        server=server,
        kiosk_token=server.accounts.kiosk_token,
        stored=lambda: query_database(server.database_file, STORED_TICKETS),
        raw=lambda connections, seconds: sqlite_raw.measure(
            seed.database_file,
            server.database_file.parent,
            prefixes,
            connections=connections,
            seconds=seconds,
        ),
    )


STORED_TICKETS = "SELECT service_day, category, sequence, number, hop FROM ticket"


def wrk_command(
    wrk: str,
    base_url: str,
    kiosk_token: str,
    *,
    categories: Sequence[str],
    threads: int,
    connections: int,
    seconds: int,
) -> list[str]:
    """wrk issuing tickets at `base_url` as the kiosk `kiosk_token`, rotating categories."""
    return [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--timeout={WRK_REQUEST_TIMEOUT}",
        "--latency",
        f"--script={LUA_SCRIPT}",
        f"{base_url}/api/tickets",
        "--",
        kiosk_token,
        *categories,
    ]


def wrk_report(stdout: str, stderr: str, returncode: int | None) -> dict[str, Any]:
    """The `YIMEN_REPORT` line `issue_tickets.lua` printed."""
    for line in stdout.splitlines():
        if line.startswith(REPORT_PREFIX):
            report: dict[str, Any] = json.loads(line.removeprefix(REPORT_PREFIX))
            return report
    raise RuntimeError(
        f"wrk exited with code {returncode} without a report:\n{stdout[-2000:]}\n{stderr[-2000:]}"
    )


def _run_wrk(
    wrk: str,
    server: ServeProcess,
    kiosk_token: str,
    *,
    categories: list[str],
    threads: int,
    connections: int,
    seconds: int,
) -> dict[str, Any]:
    command = wrk_command(
        wrk,
        server.base_url,
        kiosk_token,
        categories=categories,
        threads=threads,
        connections=connections,
        seconds=seconds,
    )
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + WRK_GRACE_SECONDS
    )
    return wrk_report(result.stdout, result.stderr, result.returncode)


def _wait_until_quiet(server: ServeProcess) -> None:
    """Requests wrk cut off may still be committing: wait until the event log stops growing."""
    deadline = time.monotonic() + SETTLE_LIMIT_SECONDS
    last_seq = -1
    quiet = 0
    while quiet < SETTLE_QUIET_POLLS and time.monotonic() < deadline:
        seq = httpx.get(f"{server.base_url}/api/health", timeout=5, trust_env=False).json()["seq"]
        quiet = quiet + 1 if seq == last_seq else 0
        last_seq = seq
        time.sleep(SETTLE_POLL_SECONDS)


def verify_numbers(
    hall: HallConfig, report: dict[str, Any], rows: Sequence[Sequence[Any]], *, before: int
) -> tuple[list[Check], int]:
    """Check wrk's `report` against the hall's stored tickets `rows` (service_day, category,
    sequence, number, hop), of which `before` were there when wrk started; returns (checks,
    tickets this run stored)."""
    statuses = {int(status): count for status, count in report["statuses"].items()}
    created = statuses.get(201, 0)
    numbers: list[str] = report["numbers"]
    unanswered = report["sent"] - report["requests"]
    stored_numbers = {(category, number) for _, category, _, number, _ in rows}
    stored_by_number = {number for _, number in stored_numbers}
    checks = [
        Check(
            "every answer was 201 Created",
            set(statuses) <= {201} and sum(report["errors"].values()) == 0,
            f"answers by status {dict(sorted(statuses.items()))}, socket errors {report['errors']}",
        ),
        Check(
            "each 201 carried a ticket number of its own",
            len(numbers) == created and len(set(numbers)) == len(numbers),
            f"{created} answers, {len(set(numbers))} distinct numbers",
        ),
        Check(
            "every number answered is stored",
            set(numbers) <= stored_by_number,
            f"{len(set(numbers) - stored_by_number)} answered numbers missing from the database",
        ),
        Check(
            "tickets stored = 201s + requests cut off by wrk's stop",
            0 <= len(rows) - before - created <= unanswered,
            f"{len(rows) - before} stored, {created} answered 201, "
            f"{unanswered} unanswered when wrk stopped",
        ),
    ]
    sequences: dict[tuple[str, str], list[tuple[int, str, int]]] = defaultdict(list)
    for day, category, sequence, number, hop in rows:
        sequences[(day, category)].append((sequence, number, hop))
    prefixes = {category.code: category.prefix for category in hall.categories}
    broken = []
    for (day, category), entries in sorted(sequences.items()):
        entries.sort()
        expected = [
            (sequence, format_number(prefix=prefixes[category], sequence=sequence), 0)
            for sequence in range(1, len(entries) + 1)
        ]
        if entries != expected:
            broken.append(f"{day} {category}")
    counts = ", ".join(
        f"{category} 1..{len(entries)}" for (_, category), entries in sorted(sequences.items())
    )
    checks.append(
        Check(
            "numbers per category run 1..n without gaps or repeats",
            not broken and len(stored_numbers) == len(rows),
            f"broken: {', '.join(broken)}" if broken else counts,
        )
    )
    return checks, len(rows) - before


def run(
    target: IssuingTarget,
    hall: HallConfig,
    *,
    wrk: str,
    threads: int,
    connections: int,
    seconds: int,
    raw_seconds: float,
) -> IssueResult:
    """The raw transaction with `connections` connections for `raw_seconds`, then wrk with
    as many kiosks for `seconds`; the numbers answered checked against the database."""
    server = target.server
    categories = [category.code for category in hall.categories]
    raw = target.raw(connections, raw_seconds)
    before = len(target.stored())
    cpu_before = server.cpu_seconds()
    report = _run_wrk(
        wrk,
        server,
        target.kiosk_token,
        categories=categories,
        threads=threads,
        connections=connections,
        seconds=seconds,
    )
    _wait_until_quiet(server)
    cpu_used = server.cpu_seconds() - cpu_before
    server.check_alive()
    checks, stored = verify_numbers(hall, report, target.stored(), before=before)
    latency = report["latency_us"]
    elapsed = report["duration_us"] / 1_000_000
    return IssueResult(
        threads=threads,
        connections=connections,
        seconds=elapsed,
        requests=report["requests"],
        requests_per_second=report["requests"] / elapsed,
        latency=Latency(
            samples=report["requests"],
            p50=latency["p50"] / 1000,
            p90=latency["p90"] / 1000,
            p99=latency["p99"] / 1000,
            max=latency["max"] / 1000,
        ),
        non_2xx=report["errors"]["status"],
        socket_errors=sum(count for kind, count in report["errors"].items() if kind != "status"),
        created=report["statuses"].get("201", 0),
        stored=stored,
        unanswered=report["sent"] - report["requests"],
        checks=checks,
        server_cpu_ms_per_ticket=cpu_used * 1000 / max(stored, 1),
        raw=raw,
    )


FULL_KIOSKS = (1, 16, 64)
QUICK_KIOSKS = (1, 16)
TARGET_KIOSKS = 16
TARGET_SHARE_OF_RAW = 0.44
TARGET_P99_MS = 25.0
TARGET_CPU_MS_PER_TICKET = 0.5
WRK_MAX_THREADS = 2
FULL_RAW_SECONDS = 3.0
QUICK_RAW_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class IssuanceResult:
    """Every wrk run, by number of concurrent kiosks (wrk connections)."""

    runs: dict[int, list[IssueResult]]
    database: str = "SQLite"
    """What the server wrote to, as the rows name it; the raw rate is this database's."""
    setup: str = ""
    """How the server ran, when not the default (one process on a SQLite file)."""

    @property
    def checks(self) -> list[Check]:
        found: list[Check] = []
        prefix = "" if self.database == "SQLite" else f"{self.database}, "
        for kiosks, results in self.runs.items():
            for index, result in enumerate(results, start=1):
                found.extend(
                    Check(
                        f"{prefix}{kiosks} kiosk(s), run {index}: {check.name}",
                        check.passed,
                        check.detail,
                    )
                    for check in result.checks
                )
        return found

    def as_dict(self) -> dict[str, object]:
        return {
            str(kiosks): [result.as_dict() for result in results]
            for kiosks, results in self.runs.items()
        }


def measure_all(
    context: Context,
    hall: HallConfig,
    start: Callable[[], contextlib.AbstractContextManager[IssuingTarget]],
    *,
    quick_kiosks: Sequence[int] = QUICK_KIOSKS,
    what: str = "issuing",
) -> dict[int, list[IssueResult]]:
    """wrk at every kiosk count (`--kiosks`, or 1, 16 and 64), `--repeats` runs each, every
    run on a fresh server that `start` starts; a quick run shares one."""
    if context.wrk is None:
        raise WrkMissing("wrk is not installed")
    options = context.options
    kiosk_counts = options.get("kiosks") or (quick_kiosks if context.quick else FULL_KIOSKS)
    repeats = 1 if context.quick else int(options.get("repeats", 3))
    seconds = 1 if context.quick else int(options.get("issue_seconds", 5))
    raw_seconds = QUICK_RAW_SECONDS if context.quick else FULL_RAW_SECONDS
    runs: dict[int, list[IssueResult]] = {}
    with contextlib.ExitStack() as stack:
        # A quick run shares one server (its checks then span every run); a full run starts
        # each run on a fresh server, so that each begins with an empty queue.
        shared = stack.enter_context(start()) if context.quick else None
        for kiosks in kiosk_counts:
            for index in range(repeats):
                context.progress(
                    f"{what}: {kiosks} kiosk(s), raw {raw_seconds:g} s + wrk {seconds} s, "
                    f"run {index + 1}/{repeats}"
                )
                with contextlib.ExitStack() as per_run:
                    target = shared or per_run.enter_context(start())
                    runs.setdefault(kiosks, []).append(
                        run(
                            target,
                            hall,
                            wrk=context.wrk,
                            threads=min(kiosks, WRK_MAX_THREADS),
                            connections=kiosks,
                            seconds=seconds,
                            raw_seconds=raw_seconds,
                        )
                    )
    return runs


def benchmark(
    context: Context,
    seed: Callable[[], SeededDatabase],
    hall: HallConfig,
) -> IssuanceResult:
    """`POST /api/tickets` from wrk at 1, 16 and 64 kiosks, each run on a fresh server on a
    SQLite file."""

    @contextlib.contextmanager
    def start() -> Iterator[IssuingTarget]:
        seeded = seed()
        with running_server(seeded) as server:
            yield sqlite_target(server, seeded, hall)

    return IssuanceResult(runs=measure_all(context, hall, start))


def target_text(database: str) -> str:
    return (
        f"≥ {TARGET_SHARE_OF_RAW}× raw {database}, p99 ≤ {TARGET_P99_MS:.0f} ms, "
        f"CPU ≤ {TARGET_CPU_MS_PER_TICKET} ms/ticket"
    )


def rows(result: IssuanceResult) -> list[Row]:
    """A row per kiosk count, with the raw rate and the share of it next to the rate; the
    16-kiosk row is held to the issue's three targets."""
    table = []
    database = result.database
    for kiosks, results in result.runs.items():
        rate = Figure.of([r.requests_per_second for r in results])
        p50 = Figure.of([r.latency.p50 for r in results])
        p99 = Figure.of([r.latency.p99 for r in results])
        cpu = Figure.of([r.server_cpu_ms_per_ticket for r in results])
        raw = Figure.of([r.raw.per_second for r in results])
        share = Figure.of([r.share_of_raw for r in results])
        target, met = "", None
        if kiosks == TARGET_KIOSKS:
            target = target_text(database)
            met = (
                share.median >= TARGET_SHARE_OF_RAW
                and p99.median <= TARGET_P99_MS
                and cpu.median <= TARGET_CPU_MS_PER_TICKET
            )
        where = f"on {database}, {result.setup}, " if result.setup else ""
        table.append(
            Row(
                name=(
                    f"issue ticket, {where}{kiosks} kiosk{'s' if kiosks > 1 else ''} "
                    f"(wrk, durable; server CPU {cpu.median:.2f} ms/ticket; "
                    f"raw {database} {raw.median:,.0f}/s: {share.median:.2f}× raw)"
                ),
                runs=len(results),
                rate=rate,
                p50=p50,
                p99=p99,
                target=target,
                met=met,
            )
        )
    return table
