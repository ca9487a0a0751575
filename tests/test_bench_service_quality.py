"""Benchmark 5 (service quality) runs in quick mode so it cannot rot."""

from benchmarks import service_quality


def test_service_quality_quick_run() -> None:
    result = service_quality.run(quick=True)
    assert result.days == service_quality.QUICK_DAYS
    assert [p.policy for p in result.policies] == [
        "configured",
        "category_order",
        "longest_wait",
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
