"""The results: an aligned table on the terminal, JSON and Markdown under benchmarks/results/."""

import json
import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from benchmarks.call_next import CallNextResult
from benchmarks.checks import Check
from benchmarks.issue import IssueResult
from benchmarks.stats import Latency
from benchmarks.ws_delivery import DeliveryResult

RESULTS_DIR = Path(__file__).with_name("results")
COLUMNS = ("benchmark", "samples", "rate/s", "p50 ms", "p90 ms", "p99 ms", "max ms")
SERVER_PACKAGES = ("fastapi", "uvicorn", "sqlalchemy", "sqlmodel", "websockets", "httpx")


@dataclass(frozen=True, slots=True)
class Results:
    started_at: datetime
    seconds: float
    machine: dict[str, str]
    issue: IssueResult | None
    deliveries: list[DeliveryResult]
    call_next: CallNextResult | None

    @property
    def checks(self) -> list[Check]:
        found = list(self.issue.checks) if self.issue else []
        for delivery in self.deliveries:
            found.extend(delivery.checks)
        if self.call_next:
            found.extend(self.call_next.checks)
        return found

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).parent,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() or "unknown"


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


LOAD_KEY = "load average before the run (1 min, 5 min)"


def machine_info(wrk_version: str, load_before: tuple[float, float, float]) -> dict[str, str]:
    """`load_before` is os.getloadavg() from before the run: other work skews every number."""
    info = {
        "nproc": str(len(os.sched_getaffinity(0))),
        LOAD_KEY: f"{load_before[0]:.2f}, {load_before[1]:.2f}",
        "cpu": _cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version,
        "commit": _git_commit(),
    }
    info.update({name: _package_version(name) for name in SERVER_PACKAGES})
    return info


def _latency_cells(latency: Latency) -> list[str]:
    return [f"{value:.1f}" for value in (latency.p50, latency.p90, latency.p99, latency.max)]


def rows(results: Results) -> list[list[str]]:
    table: list[list[str]] = []
    issue = results.issue
    if issue is not None:
        table.append(
            [
                f"issue ticket (wrk {issue.threads} threads, {issue.connections} connections, "
                f"{issue.seconds:.0f} s)",
                str(issue.requests),
                f"{issue.requests_per_second:.1f}",
                *_latency_cells(issue.latency),
            ]
        )
    for delivery in results.deliveries:
        boards = f"{delivery.subscribers} board{'s' if delivery.subscribers > 1 else ''}"
        measured = [(f"call → ticket.called, {boards}", delivery.delivery)]
        if delivery.subscribers > 1:
            measured.append((f"call → ticket.called, last of {boards}", delivery.last_board))
        measured.append((f"  of which after the HTTP answer, {boards}", delivery.after_answer))
        table.extend(
            [name, str(latency.samples), "-", *_latency_cells(latency)]
            for name, latency in measured
        )
    if results.deliveries:
        alone = results.deliveries[0]
        table.append(
            [
                "call-next round trip, one window alone",
                str(alone.call_request.samples),
                "-",
                *_latency_cells(alone.call_request),
            ]
        )
    call_next = results.call_next
    if call_next is not None:
        table.append(
            [
                f"call-next, {call_next.windows} windows at once ({call_next.seconds:.0f} s, "
                f"{call_next.waiting_at_start} waiting)",
                str(call_next.calls),
                f"{call_next.calls_per_second:.1f}",
                *_latency_cells(call_next.latency),
            ]
        )
    return table


def text_table(table: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [list(COLUMNS), *table]) for i in range(len(COLUMNS))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(list(COLUMNS)), rule, *(line(row) for row in table)])


def check_lines(checks: list[Check]) -> list[str]:
    return [f"{'PASS' if c.passed else 'FAIL'}  {c.name}: {c.detail}" for c in checks]


def _markdown_name(name: str) -> str:
    """Markdown drops the indent that marks a sub-row in the text table."""
    return f"↳ {name.strip()}" if name.startswith(" ") else name


def markdown(results: Results) -> str:
    table = rows(results)
    lines = [
        f"# Benchmark results, {results.started_at:%Y-%m-%d %H:%M:%S} UTC",
        "",
        "Made by `make bench` (`python -m benchmarks`); see benchmarks/README.md for what each "
        "number means. Latencies in milliseconds.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "| " + " | ".join(["---"] + ["---:"] * (len(COLUMNS) - 1)) + " |",
        *("| " + " | ".join([_markdown_name(row[0]), *row[1:]]) + " |" for row in table),
        "",
        "## Checks",
        "",
        *(f"- {line}" for line in check_lines(results.checks)),
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in results.machine.items()),
        "",
        f"Whole run: {results.seconds:.0f} s.",
        "",
    ]
    return "\n".join(lines)


def as_json(results: Results) -> str:
    document = {
        "started_at": results.started_at.isoformat(),
        "seconds": round(results.seconds, 1),
        "machine": results.machine,
        "passed": results.passed,
        "issue": results.issue.as_dict() if results.issue else None,
        "ws_delivery": [delivery.as_dict() for delivery in results.deliveries],
        "call_next": results.call_next.as_dict() if results.call_next else None,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def save(results: Results, directory: Path = RESULTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = f"{results.started_at:%Y%m%dT%H%M%SZ}"
    json_file = directory / f"{stamp}.json"
    json_file.write_text(as_json(results), encoding="utf-8")
    markdown_file = directory / "latest.md"
    markdown_file.write_text(markdown(results), encoding="utf-8")
    return [json_file, markdown_file]


def show(results: Results) -> None:
    print(text_table(rows(results)))
    print()
    for line in check_lines(results.checks):
        print(line)
    machine = results.machine
    print(
        f"\n{machine['nproc']} CPUs ({machine['cpu']}), Python {machine['python']}, "
        f"SQLite {machine['sqlite']}, {machine['wrk']}; whole run {results.seconds:.0f} s"
    )
    print(f"{LOAD_KEY}: {machine[LOAD_KEY]}")
