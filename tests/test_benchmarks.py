"""The benchmark harness in quick mode, so that it cannot rot; and the suite's plumbing.

Quick mode measures nothing worth quoting: it proves every benchmark still runs end to end
against real servers, with its correctness checks passing. Targets live in `make bench`.
"""

import json
import threading
from pathlib import Path

import pytest
from sqlmodel import col, select

from benchmarks import catalog, issue, issue_pg, pages, sqlite_raw, status_pages, ws_delivery
from benchmarks.checks import Check
from benchmarks.city import write_city
from benchmarks.city_issue import merged_percentile, merged_report
from benchmarks.pg_raw import RawRate
from benchmarks.pgcluster import PostgresCluster
from benchmarks.runner import run_suite
from benchmarks.stats import Latency
from benchmarks.suite import REGISTRY, Benchmark, Context, Figure, Row, run_one
from queue_server.city import load_city_config
from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.domain.enums import EventType, TicketStatus
from queue_server.models import Event, Ticket

OWN_BENCHMARKS = ("issuance", "ws_delivery", "call_next", "status_pages")
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
    assert any("every status page of the category" in name for name in names)
    assert any("server peak memory" in name for name in names)
    sixteen = next(row for row in results.rows if "issue ticket, 16 kiosks" in row.name)
    assert "raw SQLite" in sixteen.name and "× raw)" in sixteen.name
    assert sixteen.target == "≥ 0.44× raw SQLite, p99 ≤ 25 ms, CPU ≤ 0.5 ms/ticket"
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
    assert issuance["16"][0]["raw"]["connections"] == 16
    assert issuance["16"][0]["raw"]["transactions"] > 0
    assert document["benchmarks"]["status_pages"]["data"]["peak_rss_mb"] > 0
    assert {row["name"] for row in document["table"]} == set(names)
    assert not (tmp_path / "latest.md").exists()  # quick numbers are never the ones to quote


def test_every_benchmark_of_the_issue_is_in_the_table() -> None:
    catalog.register_builtin()
    assert set(REGISTRY) >= {
        *OWN_BENCHMARKS,
        "issuance_postgresql",
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


def test_the_raw_sqlite_transaction_writes_tickets_the_server_reads(tmp_path: Path) -> None:
    # The raw rate is only the disk's limit for issuing if each transaction writes what the
    # server writes: rows of the real schema, in values the server's models read back.
    hall = load_hall_config()
    database = Database(f"sqlite:///{tmp_path / 'seed.db'}")
    database.migrate()
    database.dispose()
    (tmp_path / "copy").mkdir()
    path = sqlite_raw.copy_database(tmp_path / "seed.db", tmp_path / "copy")
    prefixes = {category.code: category.prefix for category in hall.categories}
    shape = sqlite_raw.prepare(path, prefixes)

    def kiosk(category: str) -> None:
        connection = sqlite_raw.connect(path)
        turns = 5 if category == "general" else 2
        for _ in range(turns):
            sqlite_raw.issue_one(connection, shape, category)
        connection.close()

    threads = [threading.Thread(target=kiosk, args=(code,)) for code in ("general", "consult")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    copy = Database(f"sqlite:///{path}")
    try:
        with copy.read_session() as session:
            tickets = session.exec(select(Ticket).order_by(col(Ticket.id))).all()
            events = session.exec(select(Event).order_by(col(Event.seq))).all()
    finally:
        copy.dispose()
    numbers = sorted((ticket.category, ticket.sequence, ticket.number) for ticket in tickets)
    assert numbers == [
        ("consult", 1, "A001"),
        ("consult", 2, "A002"),
        *(("general", sequence, f"B{sequence:03d}") for sequence in range(1, 6)),
    ]
    assert {ticket.status for ticket in tickets} == {TicketStatus.WAITING}
    assert [event.ticket_id for event in events] == [ticket.id for ticket in tickets]
    assert {event.type for event in events} == {EventType.TICKET_ISSUED}


def _issue_result(*, rate: float, raw: float, p99: float, cpu: float) -> issue.IssueResult:
    return issue.IssueResult(
        threads=2,
        connections=16,
        seconds=5.0,
        requests=int(rate * 5),
        requests_per_second=rate,
        latency=Latency(samples=int(rate * 5), p50=p99 / 2, p90=p99, p99=p99, max=p99),
        non_2xx=0,
        socket_errors=0,
        created=int(rate * 5),
        stored=int(rate * 5),
        unanswered=0,
        checks=[],
        server_cpu_ms_per_ticket=cpu,
        raw=RawRate(connections=16, seconds=3.0, transactions=int(raw * 3)),
    )


@pytest.mark.parametrize(
    ("rate", "p99", "cpu", "met"),
    [
        (2500.0, 20.0, 0.4, True),
        (2000.0, 20.0, 0.4, False),  # 0.40× raw
        (2500.0, 30.0, 0.4, False),
        (2500.0, 20.0, 0.6, False),
    ],
)
def test_the_16_kiosk_row_is_held_to_the_raw_share_the_p99_and_the_cpu(
    rate: float, p99: float, cpu: float, met: bool
) -> None:
    result = issue.IssuanceResult(
        runs={16: [_issue_result(rate=rate, raw=5000.0, p99=p99, cpu=cpu)]},
        database="PostgreSQL",
        setup="1 hall, 1 process",
    )

    (row,) = issue.rows(result)

    assert row.met is met
    assert row.target == "≥ 0.44× raw PostgreSQL, p99 ≤ 25 ms, CPU ≤ 0.5 ms/ticket"
    assert row.name.startswith("issue ticket, on PostgreSQL, 1 hall, 1 process, 16 kiosks")
    assert f"raw PostgreSQL 5,000/s: {rate / 5000:.2f}× raw" in row.name


@pytest.mark.timeout(120)
def test_issuing_on_postgresql_is_checked_number_by_number(
    postgres_cluster: PostgresCluster, tmp_path: Path
) -> None:
    context = Context(
        quick=True, workdir=tmp_path, wrk=issue.require_wrk(), progress=lambda _: None
    )

    result = issue_pg.measure_on(context, postgres_cluster, load_hall_config())

    (run,) = result.runs[16]
    assert run.created > 0 and run.raw.transactions > 0 and run.raw.connections == 16
    assert [check.name for check in result.checks if not check.passed] == []
    assert len(result.checks) == 5
    assert "raw PostgreSQL" in issue.rows(result)[0].name


def test_a_board_count_that_broke_off_keeps_its_row() -> None:
    delivered = ws_delivery.DeliveryRun(
        boards=10,
        calls=3,
        delivery=Latency.of_seconds([0.004]),
        last_board=Latency.of_seconds([0.004]),
        call_request=Latency.of_seconds([0.003]),
        checks=[],
    )
    result = ws_delivery.DeliveryResult(runs={10: [delivered]}, failures=[], broken=(100, 1000))

    table = {row.name: row for row in ws_delivery.rows(result)}

    for boards in (10, 100, 1000):
        assert f"call → ticket.called on a board, {boards} boards" in table
    broken = table["call → ticket.called on a board, 1000 boards"]
    assert (broken.met, broken.target, broken.runs) == (False, "p99 ≤ 60 ms", 0)


def test_a_status_page_is_updated_by_a_change_of_its_status_or_place() -> None:
    def message(status: str, ahead: int | None, updated: str) -> str:
        ticket = {"status": status, "ahead": ahead, "updated_at": updated}
        return json.dumps({"type": "ticket_status", "ticket": ticket}, separators=(",", ":"))

    assert pages.view_of(message("waiting", 4, "10:00")) == ("waiting", 4)
    assert pages.view_of('{"type":"error","detail":"x"}') is None
    page = pages.Page(category="general", initial=("waiting", 4))
    page.changes += [(1.0, ("waiting", 3)), (2.5, ("called", None))]

    assert page.view_before(0.5) == ("waiting", 4)
    assert page.view_before(2.0) == ("waiting", 3)
    assert page.first_change_after(0.5) == 1.0
    assert page.first_change_after(1.5) == 2.5
    assert page.first_change_after(3.0) is None


def test_status_pages_that_never_heard_a_call_keep_their_row_and_the_memory() -> None:
    result = status_pages.PagesResult(
        pages=2000,
        runs=[],
        peak_rss_mb=251.0,
        failure="RuntimeError: no status page heard any of 3 calls within 60 s",
    )

    first, memory = status_pages.rows(result)

    assert first.name == "call → every status page of the category, 2000 pages open"
    assert (first.met, first.target) == (False, "p99 ≤ 200 ms")
    assert (memory.figure, memory.met) == ("251 MB", True)
    assert [check.passed for check in result.checks] == [False]
