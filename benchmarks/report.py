"""The results: one aligned table on the terminal, JSON and Markdown under benchmarks/results/."""

import json
import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from benchmarks.checks import Check
from benchmarks.suite import COLUMNS, Outcome, Row

RESULTS_DIR = Path(__file__).with_name("results")
SERVER_PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "websockets",
    "httpx",
)
LOAD_KEY = "load average before the run (1 min, 5 min)"


@dataclass(frozen=True, slots=True)
class Results:
    started_at: datetime
    seconds: float
    quick: bool
    machine: dict[str, str]
    outcomes: list[Outcome]

    @property
    def rows(self) -> list[Row]:
        return [row for outcome in self.outcomes for row in outcome.rows]

    @property
    def checks(self) -> list[Check]:
        return [check for outcome in self.outcomes for check in outcome.checks]

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


def text_table(rows: list[Row]) -> str:
    table = [row.cells() for row in rows]
    widths = [max(len(cells[i]) for cells in [list(COLUMNS), *table]) for i in range(len(COLUMNS))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        numbers = (cell.rjust(width) for cell, width in zip(cells[1:5], widths[1:5], strict=True))
        words = (cell.ljust(width) for cell, width in zip(cells[5:], widths[5:], strict=True))
        return "  ".join([first, *numbers, *words]).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(list(COLUMNS)), rule, *(line(cells) for cells in table)])


def check_lines(checks: list[Check]) -> list[str]:
    return [f"{'PASS' if c.passed else 'FAIL'}  {c.name}: {c.detail}" for c in checks]


def _markdown_name(name: str) -> str:
    """Markdown drops the indent that marks a sub-row in the text table."""
    return f"↳ {name.strip()}" if name.startswith(" ") else name


def markdown(results: Results) -> str:
    lines = [
        f"# Benchmark results, {results.started_at:%Y-%m-%d %H:%M:%S} UTC",
        "",
        "Made by `make bench` (`python -m benchmarks`); see benchmarks/README.md for what each "
        "number means. Each figure is the median over the runs, with the lowest and highest "
        "run in brackets; latencies in milliseconds.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "| " + " | ".join(["---", "---:", "---:", "---:", "---:", "---", "---"]) + " |",
        *(
            "| " + " | ".join([_markdown_name(cells[0]), *cells[1:]]) + " |"
            for cells in (row.cells() for row in results.rows)
        ),
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
        "quick": results.quick,
        "machine": results.machine,
        "passed": results.passed,
        "table": [row.as_dict() for row in results.rows],
        "benchmarks": {outcome.key: outcome.as_dict() for outcome in results.outcomes},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def save(results: Results, directory: Path = RESULTS_DIR) -> list[Path]:
    """`<UTC time>.json` always; `latest.md` only for a full run (a quick run proves the
    harness, its numbers are not the ones to quote)."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = f"{results.started_at:%Y%m%dT%H%M%SZ}"
    json_file = directory / f"{stamp}{'-quick' if results.quick else ''}.json"
    json_file.write_text(as_json(results), encoding="utf-8")
    written = [json_file]
    if not results.quick:
        markdown_file = directory / "latest.md"
        markdown_file.write_text(markdown(results), encoding="utf-8")
        written.append(markdown_file)
    return written


def show(results: Results) -> None:
    print(text_table(results.rows))
    print()
    for line in check_lines(results.checks):
        print(line)
    machine = results.machine
    print(
        f"\n{machine['nproc']} CPUs ({machine['cpu']}), Python {machine['python']}, "
        f"SQLite {machine['sqlite']}, {machine['wrk']}; whole run {results.seconds:.0f} s"
    )
    print(f"{LOAD_KEY}: {machine[LOAD_KEY]}")
