"""Benchmark 5: service quality on simulated days (virtual time, no server).

Every dispatch policy plays the same seeded days of the default hall and profile: mean and
p90 wait and the share called within the category's target, against plain FIFO lines per
window and the hall without `also_serves` (today's configuration before 跨窗通办), with the
wait targets: the configured hall's mean wait at most 0.8 × FIFO's, every category's p90 within
its target, no category's mean wait more than 10 % worse than without `also_serves`; and
the ETA each applicant was given at the kiosk against the wait that followed,
for the hall's estimator and the naive one (people ahead × mean service ÷ open windows).

    .venv/bin/python -m benchmarks.service_quality [--quick] [--days N] [--seed S]
"""

import sys
from dataclasses import dataclass

from benchmarks.service_quality_eta import EtaResult, run_eta
from queue_server.config import load_hall_config
from queue_server.simulation.profile import load_profile
from queue_server.simulation.report import format_report
from queue_server.simulation.virtual import (
    CONFIGURED,
    FIFO,
    NO_OVERFLOW,
    TIDAL,
    EstimateSummary,
    PolicySummary,
    SimulationReport,
    simulate,
)

FULL_DAYS = 100
QUICK_DAYS = 2
ERROR_RATIO_TARGET = 0.6
"""The estimator's mean absolute error may be at most this share of the naive one's."""
WITHIN_RANGE_TARGET = 0.8
"""At least this share of actual waits must fall inside the P10–P90 range."""
FIFO_RATIO_TARGET = 0.8
"""The configured hall's mean wait may be at most this share of FIFO lines per window's."""
CATEGORY_WORSE_LIMIT = 1.1
"""No category's mean wait may exceed this multiple of the hall without `also_serves`."""


@dataclass(frozen=True, slots=True)
class WaitRow:
    """One wait line of the table: what, the figure, the target and whether it is met
    (None for a line shown without a target)."""

    label: str
    figure: str
    target: str
    met: bool | None


@dataclass(frozen=True, slots=True)
class ServiceQualityResult:
    days: int
    seed: int
    seconds: float
    policies: list[PolicySummary]
    estimates: EstimateSummary
    report: SimulationReport
    fixed_service_estimates: EstimateSummary
    """The ETA on the same days with every service taking exactly its median: what is left
    of the error once the spread of service times is gone."""
    eta: EtaResult
    """Ours against the oracle and naive, today's profile and the per-matter one."""

    @property
    def error_ratio(self) -> float:
        return self.estimates.error_ratio

    @property
    def error_target_met(self) -> bool:
        return self.error_ratio <= ERROR_RATIO_TARGET

    @property
    def range_target_met(self) -> bool:
        return self.estimates.within_range >= WITHIN_RANGE_TARGET

    def policy(self, name: str) -> PolicySummary | None:
        return next((p for p in self.policies if p.policy == name), None)

    def wait_rows(self) -> list[WaitRow]:
        """Every policy's waits, then the wait targets, for the configured hall."""
        rows = [
            WaitRow(
                f"wait, {p.policy}",
                f"mean {p.mean_wait_minutes:.1f} min, p90 {p.p90_wait_minutes:.1f} min, "
                f"{p.within_target:.1%} within target",
                "",
                None,
            )
            for p in self.policies
        ]
        configured, fifo = self.policy(CONFIGURED), self.policy(FIFO)
        if configured is None:
            return rows
        if fifo is not None:
            for name in (CONFIGURED, TIDAL):
                summary = self.policy(name)
                if summary is None:
                    continue
                ratio = summary.mean_wait_minutes / max(fifo.mean_wait_minutes, 1e-9)
                rows.append(
                    WaitRow(
                        f"wait, {name} mean vs FIFO per window",
                        f"{summary.mean_wait_minutes:.1f} vs {fifo.mean_wait_minutes:.1f} min "
                        f"= {ratio:.2f}×",
                        f"≤ {FIFO_RATIO_TARGET}× FIFO",
                        ratio <= FIFO_RATIO_TARGET,
                    )
                )
        for category in configured.categories:
            rows.append(
                WaitRow(
                    f"wait p90, {category.category}",
                    f"{category.p90_wait_minutes:.1f} min (mean {category.mean_wait_minutes:.1f},"
                    f" {category.tickets} tickets)",
                    f"≤ {category.target_minutes:.0f} min",
                    category.p90_wait_minutes <= category.target_minutes,
                )
            )
        before = self.policy(NO_OVERFLOW)
        if before is not None:
            means = {c.category: c.mean_wait_minutes for c in before.categories}
            for category in configured.categories:
                was = means.get(category.category)
                if not was:
                    continue
                ratio = category.mean_wait_minutes / was
                rows.append(
                    WaitRow(
                        f"wait mean vs no also_serves, {category.category}",
                        f"{category.mean_wait_minutes:.1f} vs {was:.1f} min = {ratio:.2f}×",
                        f"≤ {CATEGORY_WORSE_LIMIT}×",
                        ratio <= CATEGORY_WORSE_LIMIT,
                    )
                )
        return rows

    def rows(self) -> list[tuple[str, str]]:
        """(label, figure) lines for a results table."""
        lines = [(row.label, row.figure) for row in self.wait_rows()]
        lines.append(
            (
                "ETA mean absolute error",
                f"{self.estimates.mean_absolute_error_seconds / 60:.2f} min vs naive "
                f"{self.estimates.naive_mean_absolute_error_seconds / 60:.2f} min "
                f"= {self.error_ratio:.2f}× (target ≤ {ERROR_RATIO_TARGET})",
            )
        )
        lines.append(
            (
                "ETA actual wait inside P10–P90",
                f"{self.estimates.within_range:.1%} (target ≥ {WITHIN_RANGE_TARGET:.0%})",
            )
        )
        fixed = self.fixed_service_estimates
        lines.append(
            (
                "ETA, fixed service times",
                f"error {fixed.error_ratio:.2f}× naive, {fixed.within_range:.1%} inside",
            )
        )
        lines += [(row.label, row.figure) for row in self.eta.rows()]
        return lines


def run(*, quick: bool = False, days: int | None = None, seed: int = 1) -> ServiceQualityResult:
    """Simulate `days` days (100; 2 when `quick`) under every policy, scoring the ETA."""
    count = days if days is not None else (QUICK_DAYS if quick else FULL_DAYS)
    hall, profile = load_hall_config(), load_profile()
    report = simulate(hall=hall, profile=profile, days=count, seed=seed)
    fixed = profile.model_copy(
        update={
            "categories": {
                code: load.model_copy(update={"sigma": 0.0})
                for code, load in profile.categories.items()
            }
        }
    )
    steady = simulate(
        hall=hall, profile=fixed, days=count, seed=seed, policies=[CONFIGURED], oracle=False
    )
    eta = run_eta(hall=hall, today=report.estimates, days=count, seed=seed, seconds=report.seconds)
    return ServiceQualityResult(
        days=count,
        seed=seed,
        seconds=eta.seconds + steady.seconds,
        policies=report.policies,
        estimates=report.estimates,
        report=report,
        fixed_service_estimates=steady.estimates,
        eta=eta,
    )


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    days = int(argv[argv.index("--days") + 1]) if "--days" in argv else None
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 1
    result = run(quick=quick, days=days, seed=seed)
    print(format_report(result.report))
    for label, figure in result.rows():
        print(f"{label:32} {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
