"""The benchmark harness in quick mode, so that it cannot rot; and the suite's plumbing.

Quick mode measures nothing worth quoting: it proves every benchmark still runs end to end
against real servers, with its correctness checks passing. Targets live in `make bench`.
"""

import json
from pathlib import Path

import pytest

from benchmarks import catalog
from benchmarks.checks import Check
from benchmarks.city import write_city
from benchmarks.city_issue import merged_percentile, merged_report
from benchmarks.runner import run_suite
from benchmarks.suite import REGISTRY, Benchmark, Context, Figure, Row, run_one
from queue_server.city import load_city_config

OWN_BENCHMARKS = ("issuance", "ws_delivery", "call_next")
"""The benchmarks the quick suite below runs. Not `city`: its quick mode takes 15–20 s on a
busy 2-core machine (initdb, and two `queue-server serve` processes booting at once, are most
of it), more than the ~10 s this file may add to `make test`; the several-processes behaviour
it measures is tested in tests/test_multiprocess.py, and its own pieces below."""


@pytest.mark.timeout(300)  # ~30 s on an idle 2-core machine; the bound is for a busy one
def test_quick_suite_runs_every_benchmark_and_saves_json(tmp_path: Path) -> None:
    # The board and announcer modules run in quick mode in tests/display_board/.
    results = run_suite(quick=True, only=OWN_BENCHMARKS, results_dir=tmp_path)

    assert results.passed, [check for check in results.checks if not check.passed]
    names = [row.name for row in results.rows]
    assert any("issue ticket, 1 kiosk" in name for name in names)
    assert any("issue ticket, 16 kiosks" in name for name in names)
    assert any("10 boards" in name for name in names)
    assert any("windows at once" in name for name in names)
    for row in results.rows:
        assert row.runs == 1
    saved = list(tmp_path.glob("*-quick.json"))
    assert len(saved) == 1
    document = json.loads(saved[0].read_text(encoding="utf-8"))
    assert document["quick"] is True
    assert document["passed"] is True
    assert document["started_at"]
    for key in ("nproc", "cpu", "python", "sqlite", "wrk", "fastapi", "sqlalchemy", "commit"):
        assert document["machine"][key]
    issuance = document["benchmarks"]["issuance"]["data"]
    assert issuance["16"][0]["created_201"] > 0
    assert {row["name"] for row in document["table"]} == set(names)
    assert not (tmp_path / "latest.md").exists()  # quick numbers are never the ones to quote


def test_every_benchmark_of_the_issue_is_in_the_table() -> None:
    catalog.register_builtin()
    assert set(REGISTRY) >= {
        *OWN_BENCHMARKS,
        "city",
        "board_render",
        "announce_ready",
        "service_quality",
        "statistics",
    }


def test_a_benchmark_plugs_in_with_a_run_and_rows(tmp_path: Path) -> None:
    seen: list[bool] = []

    def run(context: Context) -> list[float]:
        seen.append(context.quick)
        return [3.0, 1.0, 2.0]

    benchmark = Benchmark(
        key="demo",
        title="a demo",
        run=run,
        rows=lambda result: [
            Row("demo query", runs=len(result), p50=Figure.of(result), target="≤ 2 ms", met=True)
        ],
    )
    context = Context(quick=True, workdir=tmp_path, wrk=None, progress=lambda _: None)
    outcome = run_one(benchmark, context)
    assert seen == [True]
    cells = ["demo query", "3", "-", "2.0 (1.0–3.0)", "-", "≤ 2 ms", "yes"]
    assert outcome.rows[0].cells() == cells
    assert outcome.data == "[3.0, 1.0, 2.0]"


def test_a_benchmark_that_fails_becomes_a_failed_check(tmp_path: Path) -> None:
    def run(context: Context) -> None:
        raise RuntimeError("server died")

    benchmark: Benchmark[None] = Benchmark(key="broken", title="broken", run=run, rows=lambda _: [])
    context = Context(quick=True, workdir=tmp_path, wrk=None, progress=lambda _: None)
    outcome = run_one(benchmark, context)
    assert outcome.checks == [Check("broken ran to the end", False, "RuntimeError: server died")]


def test_a_figure_is_the_median_with_its_spread() -> None:
    figure = Figure.of([10.0, 30.0, 20.0])
    assert (figure.median, figure.low, figure.high, figure.runs) == (20.0, 10.0, 30.0, 3)
    assert figure.text(0) == "20 (10–30)"
    assert Figure.of([2.5]).text() == "2.5"


def test_the_city_benchmark_runs_the_example_city_with_a_fourth_hall(tmp_path: Path) -> None:
    city = load_city_config(write_city(tmp_path))

    assert city.codes == ("main", "kangbashi", "ejinhoro", "wushen")
    assert city.entry("wushen").district == "乌审旗"
    assert city.hall("wushen").categories == city.hall("kangbashi").categories


def _wrk_report(requests: int, latency_ms: float) -> dict[str, object]:
    """What issue_tickets.lua reports of a run whose every request took `latency_ms`, reduced
    to what merging looks at: 1,000 percentile steps, in microseconds."""
    return {"requests": requests, "quantiles_us": [round(latency_ms * 1000)] * 1000}


def test_several_wrk_runs_merge_into_one_latency_distribution() -> None:
    # 900 requests all at 10 ms, 100 requests all at 50 ms: the p50 is 10 ms, the p99 50 ms
    # (a mean of the two runs' p99s would say 30 ms).
    fast = _wrk_report(900, 10.0)
    slow = _wrk_report(100, 50.0)

    assert merged_percentile([fast, slow], 50) == 10.0
    assert merged_percentile([fast, slow], 90) == 10.0
    assert merged_percentile([fast, slow], 99) == 50.0
    with pytest.raises(ValueError, match="no wrk run"):
        merged_percentile([_wrk_report(0, 1.0)], 99)


def test_one_halls_wrk_runs_merge_into_one_report_to_check() -> None:
    first = {
        "statuses": {"201": 3},
        "errors": {"connect": 0, "status": 0},
        "numbers": ["A001", "A002", "B001"],
        "sent": 4,
        "requests": 3,
    }
    second = {
        "statuses": {"201": 2, "429": 1},
        "errors": {"connect": 0, "status": 1},
        "numbers": ["A003", "B002"],
        "sent": 3,
        "requests": 3,
    }

    merged = merged_report([first, second])

    assert merged["statuses"] == {"201": 5, "429": 1}
    assert merged["errors"] == {"connect": 0, "status": 1}
    assert merged["numbers"] == ["A001", "A002", "B001", "A003", "B002"]
    assert (merged["sent"], merged["requests"]) == (7, 6)
