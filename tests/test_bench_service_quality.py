"""Benchmark 5 (service quality) runs in quick mode so it cannot rot."""

from benchmarks import service_quality
from queue_server.config import load_hall_config


def hall_codes() -> list[str]:
    return [c.code for c in load_hall_config().categories]


def test_service_quality_quick_run() -> None:
    result = service_quality.run(quick=True)
    assert result.days == service_quality.QUICK_DAYS
    assert [p.policy for p in result.policies] == [
        "configured",
        "category_order",
        "longest_wait",
        "no_overflow",
        "overflow",
        "tidal",
        "fifo",
    ]
    tickets = {p.tickets for p in result.policies}
    assert len(tickets) == 1 and tickets.pop() > 500
    assert result.estimates.samples > 500
    assert 0 < result.error_ratio < 1.5
    assert 0 < result.estimates.within_range <= 1
    fixed = result.fixed_service_estimates
    assert fixed.samples > 500
    assert fixed.mean_absolute_error_seconds < result.estimates.mean_absolute_error_seconds
    labels = [label for label, _ in result.rows()]
    assert "ETA mean absolute error" in labels
    assert {"ETA vs oracle, today's profile", "ETA vs oracle, per-matter"} <= set(labels)
    for summary in (result.eta.today, result.eta.matters):
        assert summary.oracle_samples > 50
        assert summary.oracle_mean_absolute_error_seconds > 0
        assert summary.oracle_ratio < 3
    waits = {row.label: row for row in result.wait_rows()}
    fifo = waits["wait, configured mean vs FIFO per window"]
    assert fifo.target == "≤ 0.8× FIFO" and fifo.met is not None
    assert "wait, tidal mean vs FIFO per window" in waits
    codes = [c.category for c in result.report.policies[0].categories]
    assert sorted(codes) == sorted(hall_codes())
    for code in codes:
        assert waits[f"wait p90, {code}"].met is not None
        assert waits[f"wait mean vs no also_serves, {code}"].target == "≤ 1.1×"
