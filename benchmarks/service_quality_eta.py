"""The ETA rows of benchmark 5 (service quality): ours against the oracle and the naive
estimate, on today's profile and on the one with per-matter service times.

The oracle replays every `ORACLE_EVERY`-th applicant's moment `ORACLE_REPLAYS` times from
the same state, with service times, later arrivals, conduct and breaks to come drawn afresh
from the profile, and takes the median wait (queue_server/simulation/virtual.py `_fork`);
ours is scored against it on those same moments.
"""

from dataclasses import dataclass

from queue_server.config import HallConfig
from queue_server.simulation.profile import MATTERS_PROFILE, Profile, load_profile
from queue_server.simulation.virtual import CONFIGURED, EstimateSummary, simulate

ORACLE_RATIO_TARGET = 1.15
"""Our mean absolute error may be at most this multiple of the oracle's, on each profile."""
MATTERS_NAIVE_RATIO_TARGET = 0.7
"""Where the profile has per-matter times, ours may be at most this share of the naive one's."""
WITHIN_RANGE_TARGET = 0.8


@dataclass(frozen=True, slots=True)
class EtaRow:
    label: str
    figure: str
    target: str
    met: bool


@dataclass(frozen=True, slots=True)
class EtaResult:
    today: EstimateSummary
    """Today's (the default) profile, the hall as configured."""
    matters: EstimateSummary
    """The per-matter profile (queue_server/simulation/matters_profile.toml)."""
    seconds: float

    def rows(self) -> list[EtaRow]:
        rows = []
        for name, summary in (("today's profile", self.today), ("per-matter", self.matters)):
            rows.append(
                EtaRow(
                    f"ETA vs oracle, {name}",
                    f"ours {summary.sampled_mean_absolute_error_seconds / 60:.2f} min, oracle "
                    f"{summary.oracle_mean_absolute_error_seconds / 60:.2f} min = "
                    f"{summary.oracle_ratio:.2f}× ({summary.oracle_samples} moments, "
                    "future redrawn)",
                    f"≤ {ORACLE_RATIO_TARGET}× oracle",
                    summary.oracle_ratio <= ORACLE_RATIO_TARGET,
                )
            )
        matters = self.matters
        rows.append(
            EtaRow(
                "ETA vs naive, per-matter",
                f"ours {matters.mean_absolute_error_seconds / 60:.2f} min, naive "
                f"{matters.naive_mean_absolute_error_seconds / 60:.2f} min = "
                f"{matters.error_ratio:.2f}×",
                f"≤ {MATTERS_NAIVE_RATIO_TARGET}× naive",
                matters.error_ratio <= MATTERS_NAIVE_RATIO_TARGET,
            )
        )
        rows.append(
            EtaRow(
                "ETA inside P10–P90, per-matter",
                f"{matters.within_range:.1%}",
                f"≥ {WITHIN_RANGE_TARGET:.0%}",
                matters.within_range >= WITHIN_RANGE_TARGET,
            )
        )
        return rows


def run_eta(
    *, hall: HallConfig, today: EstimateSummary, days: int, seed: int, seconds: float
) -> EtaResult:
    """`today` comes from the main run (its configured policy, with the oracle); this plays
    the per-matter profile under the configured policies on the same seeded days."""
    profile: Profile = load_profile(builtin=MATTERS_PROFILE)
    report = simulate(hall=hall, profile=profile, days=days, seed=seed, policies=[CONFIGURED])
    return EtaResult(today=today, matters=report.estimates, seconds=seconds + report.seconds)
