"""Plain-text tables of a virtual-time run, for the terminal."""

from queue_server.simulation.virtual import EstimateSummary, SimulationReport

POLICY_LABELS = {
    "configured": "configured (hall TOML)",
    "longest_wait": "longest_wait everywhere",
    "category_order": "category_order everywhere",
    "no_overflow": "no also_serves (before 跨窗)",
    "overflow": "also_serves overflow (跨窗)",
    "tidal": "overflow + 潮汐 suggestions",
    "fifo": "FIFO line per window",
}


def format_report(report: SimulationReport) -> str:
    runs = report.days * len(report.policies)
    per_minute = runs / max(report.seconds, 1e-9) * 60
    lines = [
        f"{report.days} simulated days, seed {report.seed}: {runs} day-runs in "
        f"{report.seconds:.1f} s ({per_minute:,.0f} a minute)",
        "",
        f"{'policy':28} {'tickets':>8} {'mean wait':>10} {'p90 wait':>9} {'max wait':>9} "
        f"{'in target':>10}",
    ]
    for summary in report.policies:
        lines.append(
            f"{POLICY_LABELS.get(summary.policy, summary.policy):28} {summary.tickets:>8} "
            f"{summary.mean_wait_minutes:>8.1f} m {summary.p90_wait_minutes:>7.1f} m "
            f"{summary.max_wait_minutes:>7.1f} m {summary.within_target:>10.1%}"
        )
    estimates = report.estimates
    if estimates.samples:
        lines += [
            "",
            f"ETA at the kiosk ({estimates.samples} tickets): mean absolute error "
            f"{estimates.mean_absolute_error_seconds / 60:.1f} min, naive estimate "
            f"{estimates.naive_mean_absolute_error_seconds / 60:.1f} min "
            f"(ratio {estimates.error_ratio:.2f}); actual wait inside the P10–P90 range "
            f"{estimates.within_range:.1%}",
        ]
    if estimates.oracle_samples:
        lines.append(format_oracle(estimates))
    return "\n".join(lines)


def format_oracle(estimates: EstimateSummary) -> str:
    """Ours against naive and the oracle, on the moments the oracle replayed."""
    return (
        f"ETA against the oracle ({estimates.oracle_samples} moments replayed): ours "
        f"{estimates.sampled_mean_absolute_error_seconds / 60:.1f} min, oracle "
        f"{estimates.oracle_mean_absolute_error_seconds / 60:.1f} min "
        f"(ours {estimates.oracle_ratio:.2f}× the oracle; naive over every ticket "
        f"{estimates.naive_mean_absolute_error_seconds / 60:.1f} min)"
    )
