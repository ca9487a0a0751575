"""The statistics benchmark in quick mode: a tiny year, generated, rolled up and queried."""

from benchmarks.stats_queries import GROUPINGS, run


def test_the_quick_benchmark_generates_rolls_up_and_times_every_query() -> None:
    result = run(quick=True, repeats=1)
    assert result.tickets > 50
    assert result.events > 5 * result.tickets
    assert result.issued_total == result.tickets
    assert set(result.query_ms) == {
        *(f"year by {group_by}" for group_by in GROUPINGS),
        "one day by window",
        "live",
        "year xlsx export",
    }
    assert all(ms > 0 for ms in result.query_ms.values())
