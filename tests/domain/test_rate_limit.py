"""The token bucket: a burst, then a steady rate; alerts once per spell of refusals."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from queue_server.domain.rate_limit import Bucket, Rate, take

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KIOSK = Rate(burst=5, seconds_per_request=2.0)
EVERY = timedelta(minutes=10)


def run(times: Sequence[float], rate: Rate = KIOSK) -> list[tuple[bool, float, bool]]:
    bucket: Bucket | None = None
    out = []
    for second in times:
        bucket, decision = take(
            bucket, rate=rate, now=START + timedelta(seconds=second), alert_every=EVERY
        )
        out.append((decision.allowed, round(decision.retry_after, 3), decision.alert))
    return out


def test_a_burst_then_one_every_two_seconds() -> None:
    assert run([0, 0, 0, 0, 0, 0, 0.5, 2, 2.1, 4]) == [
        *[(True, 0.0, False)] * 5,
        (False, 2.0, True),
        (False, 1.5, False),
        (True, 0.0, False),
        (False, 1.9, False),
        (True, 0.0, False),
    ]


def test_a_quiet_spell_refills_only_up_to_the_burst() -> None:
    allowed = [ok for ok, _, _ in run([0] * 5 + [3600] * 7)]
    assert allowed == [True] * 5 + [True] * 5 + [False] * 2


def test_refusals_alert_again_only_after_the_interval() -> None:
    slow = Rate(burst=1, seconds_per_request=10_000)
    alerts = [alert for _, _, alert in run([0, 0, 60, 599, 600, 601], slow)]
    assert alerts == [False, True, False, False, True, False]


def test_zero_seconds_means_no_limit() -> None:
    assert all(ok for ok, _, _ in run([0] * 100, Rate(burst=1, seconds_per_request=0)))
