"""The virtual-time simulator: seeded, deterministic, and right on a day worked by hand."""

import dataclasses
import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from queue_server.config import HallConfig, load_hall_config, parse_hall_config
from queue_server.domain.enums import PriorityReason
from queue_server.simulation.plan import Absence, Applicant, DayPlan, plan_day
from queue_server.simulation.profile import MATTERS_PROFILE, load_profile, parse_profile
from queue_server.simulation.virtual import (
    POLICY_CHOICES,
    Oracle,
    run_day,
    simulate,
    summarise_estimates,
)

SIMULATE = [sys.executable, "-m", "queue_server.cli", "simulate"]
POLICIES = ["--policy", "configured", "--policy", "fifo"]

TINY_HALL = """
[hall]
name = "小厅"
requeue_after = 1

[[categories]]
code = "a"
prefix = "A"
name = "综合"
service_minutes = 10
priority_ratio = 1

[[windows]]
number = 1
name = "综合"
zone = "大厅"
categories = ["a"]
"""


@pytest.fixture
def tiny() -> HallConfig:
    return parse_hall_config(TINY_HALL, source="test")


def _at(hall: HallConfig, seconds: float) -> datetime:
    return datetime(2026, 3, 2, 9, tzinfo=hall.tz) + timedelta(seconds=seconds)


def _person(hall: HallConfig, index: int, at: float, service: float, **kw: Any) -> Applicant:
    person = Applicant(
        index=index,
        arrives=_at(hall, at),
        category="a",
        priority=None,
        walk_seconds=0.0,
        service_seconds=service,
    )
    return dataclasses.replace(person, **kw)


def test_a_day_worked_by_hand(tiny: HallConfig) -> None:
    """One window. A1 is served at once (10 min). A3 (priority) jumps A2 at 09:10; A2 is
    called at 09:15, does not show, is marked 过号 after 2 minutes and comes back at 09:19,
    behind nobody; A4 is called at 09:17; A2 is called again when A4 is done at 09:22."""
    plan = DayPlan(
        day=date(2026, 3, 2),
        opens=_at(tiny, 0),
        closes=_at(tiny, 3600),
        applicants=[
            _person(tiny, 0, 0, 600),
            _person(tiny, 1, 60, 200, no_show=True, returns_after_seconds=120.0),
            _person(tiny, 2, 120, 300, priority=PriorityReason.ELDERLY),
            _person(tiny, 3, 130, 300),
        ],
    )
    result = run_day(plan, tiny, no_show_patience_seconds=120.0)
    waits = [visit.wait_seconds for visit in result.visits]
    assert waits == [0.0, 840.0, 480.0, 890.0]
    assert result.final_statuses == {"done": 4}


def test_a_break_holds_the_queue_and_fifo_lines_move_to_open_windows(tiny: HallConfig) -> None:
    plan = DayPlan(
        day=date(2026, 3, 2),
        opens=_at(tiny, 0),
        closes=_at(tiny, 3600),
        applicants=[_person(tiny, 0, 60, 300)],
        absences=[Absence(1, _at(tiny, 0), _at(tiny, 600), closed=False)],
    )
    assert [v.wait_seconds for v in run_day(plan, tiny).visits] == [540.0]
    assert [v.wait_seconds for v in run_day(plan, tiny, policy="fifo").visits] == [540.0]


def test_transfers_end_in_the_new_queue() -> None:
    hall = load_hall_config()
    person = Applicant(
        index=0,
        arrives=datetime(2026, 3, 2, 9, 5, tzinfo=hall.tz),
        category="general",
        priority=None,
        walk_seconds=30.0,
        service_seconds=400.0,
        transfer_to="unresolved",
        transfer_service_seconds=500.0,
    )
    plan = DayPlan(
        day=date(2026, 3, 2),
        opens=datetime(2026, 3, 2, 9, tzinfo=hall.tz),
        closes=datetime(2026, 3, 2, 17, tzinfo=hall.tz),
        applicants=[person],
    )
    result = run_day(plan, hall)
    assert result.final_statuses == {"transferred": 1, "done": 1}
    assert [v.wait_seconds for v in result.visits] == [0.0]


def test_the_same_seed_gives_the_same_days_and_another_seed_other_days() -> None:
    hall, profile = load_hall_config(), load_profile()
    windows = [w.number for w in hall.windows]
    first = plan_day(profile=profile, tz=hall.tz, windows=windows, day=date(2026, 3, 2), seed=7)
    again = plan_day(profile=profile, tz=hall.tz, windows=windows, day=date(2026, 3, 2), seed=7)
    other = plan_day(profile=profile, tz=hall.tz, windows=windows, day=date(2026, 3, 2), seed=8)
    assert first == again
    assert first != other
    runs = [
        dataclasses.replace(
            simulate(hall=hall, profile=profile, days=2, seed=7, policies=POLICY_CHOICES),
            seconds=0.0,
        )
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_a_default_day_looks_like_a_busy_hall() -> None:
    hall, profile = load_hall_config(), load_profile()
    report = simulate(hall=hall, profile=profile, days=2, seed=1)
    configured = report.policies[0]
    assert configured.policy == "configured"
    assert 700 < configured.tickets < 1300
    assert 0 < configured.mean_wait_minutes < configured.p90_wait_minutes
    assert 0.3 < configured.within_target < 1.0
    assert report.estimates.samples > 0.9 * configured.tickets
    assert report.estimates.mean_absolute_error_seconds > 0


def test_peaks_and_lunch_follow_the_profile() -> None:
    hall, profile = load_hall_config(), load_profile()
    plans = [
        plan_day(
            profile=profile,
            tz=hall.tz,
            windows=[w.number for w in hall.windows],
            day=date(2026, 3, 2) + timedelta(days=n),
            seed=1,
        )
        for n in range(5)
    ]
    hours = [a.arrives.hour for plan in plans for a in plan.applicants]
    assert hours.count(10) > 2.5 * hours.count(12)
    assert hours.count(15) > 2.5 * hours.count(12)
    assert min(hours) >= 9 and max(hours) < 17
    shares = {code: 0 for code in profile.categories}
    for plan in plans:
        for applicant in plan.applicants:
            shares[applicant.category] += 1
    assert max(shares, key=lambda code: shares[code]) == "general"


def test_a_profile_naming_an_unknown_category_is_refused(tmp_path: Path) -> None:
    from queue_server.config import ConfigError

    profile = parse_profile(
        '[arrivals]\nper_hour = { "9" = 10 }\n[categories.nope]\nshare = 1\nmedian_minutes = 3\n',
        source="test",
    )
    with pytest.raises(ConfigError, match="nope"):
        simulate(hall=load_hall_config(), profile=profile, days=1, seed=1)


def test_the_command_line_compares_policies_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    run = subprocess.run(
        [*SIMULATE, "--virtual", "--days", "1", *POLICIES, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "FIFO line per window" in run.stdout and "ETA at the kiosk" in run.stdout
    report = json.loads(out.read_text("utf-8"))
    assert [p["policy"] for p in report["policies"]] == ["configured", "fifo"]
    assert report["estimates"]["samples"] > 0 and "error_ratio" in report["estimates"]
    assert "ETA against the oracle" in run.stdout
    estimates = report["estimates"]
    assert estimates["oracle_samples"] > 0
    assert estimates["oracle_mean_absolute_error_seconds"] > 0
    assert "mean_absolute_error_seconds" in estimates and "oracle_ratio" in estimates
    refused = subprocess.run(
        [*SIMULATE, "--virtual", "--policy", "random"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "unknown policy random" in refused.stderr


ORACLE_PROFILE = """
[arrivals]
per_hour = { "9" = 0 }

[applicants]
transfer_to = "a"
priority_share = 0
no_show_share = 0
walk_seconds = [0, 0]

[breaks]
chance = 0

[categories.a]
share = 1
median_minutes = 10
sigma = 0

[categories.a.matters.long]
share = 0.5
median_minutes = 20
sigma = 0
"""


def test_the_oracle_replays_each_moment_with_fresh_service_times(tiny: HallConfig) -> None:
    """The profile's times carry no spread (10 minutes; 20 for the matter `long`), so every
    replay is the same. A1 arrives at 09:01 while A0 (planned 5 min) is served: afresh A0
    takes 10 minutes from 09:00, so the oracle says 9 min (A1 in fact waited 4). A2 arrives at
    09:02 behind A0 (10 min afresh) and A1, who chose `long` (20 min afresh): the oracle says
    30 − 2 = 28 min (A2 in fact waited 8: A0 and A1 took 5 minutes each as planned)."""
    profile = parse_profile(ORACLE_PROFILE, source="test")
    plan = DayPlan(
        day=date(2026, 3, 2),
        opens=_at(tiny, 0),
        closes=_at(tiny, 3600),
        applicants=[
            _person(tiny, 0, 0, 300),
            _person(tiny, 1, 60, 300, matter="long"),
            _person(tiny, 2, 120, 300),
        ],
    )
    result = run_day(plan, tiny, estimate=True, oracle=Oracle(profile, replays=3, every=1))
    assert [v.wait_seconds for v in result.visits] == [0.0, 240.0, 480.0]
    assert [v.oracle_seconds for v in result.visits] == [0.0, 540.0, 1680.0]
    summary = summarise_estimates([result])
    assert summary.oracle_samples == 3
    assert summary.oracle_mean_absolute_error_seconds == pytest.approx((0 + 300 + 1200) / 3)
    every_other = run_day(plan, tiny, estimate=True, oracle=Oracle(profile, replays=3, every=2))
    assert [v.oracle_seconds for v in every_other.visits] == [0.0, None, 1680.0]


def test_the_oracle_draws_later_arrivals_afresh_not_from_the_plan(tiny: HallConfig) -> None:
    """The oracle knows the state, not the future: later arrivals come from the profile, not
    the plan. A0 is served from 09:00 (10 min afresh), A1 arrives at 09:01; in fact P, a
    priority applicant, arrives at 09:03 and jumps A1 (A0 takes 5 min as planned, P 10 min:
    A1 waits 14). With a profile where nobody else comes, every replay says 9 min (a
    replay of the plan would have said 19). With one where priority applicants arrive ten a
    minute, one comes before 09:10 in every replay and jumps A1 (the window takes one
    priority ticket per normal one: priority_ratio 1): A0 until 09:10, a newcomer until
    09:20, then A1: 19 min."""
    plan = DayPlan(
        day=date(2026, 3, 2),
        opens=_at(tiny, 0),
        closes=_at(tiny, 3600),
        applicants=[
            _person(tiny, 0, 0, 300),
            _person(tiny, 1, 60, 300),
            _person(tiny, 2, 180, 600, priority=PriorityReason.ELDERLY),
        ],
    )
    quiet = parse_profile(ORACLE_PROFILE, source="test")
    oracle = Oracle(quiet, replays=5, every=1)
    result = run_day(plan, tiny, estimate=True, oracle=oracle)
    assert [v.wait_seconds for v in result.visits] == [0.0, 840.0, 120.0]
    assert result.visits[1].oracle_seconds == 540.0
    busy = parse_profile(
        ORACLE_PROFILE.replace('"9" = 0', '"9" = 600').replace(
            "priority_share = 0", "priority_share = 1"
        ),
        source="test",
    )
    crowded = run_day(plan, tiny, estimate=True, oracle=Oracle(busy, replays=5, every=1))
    assert crowded.visits[1].oracle_seconds == 1140.0
    again = run_day(plan, tiny, estimate=True, oracle=Oracle(busy, replays=5, every=1, seed=0))
    assert [v.oracle_seconds for v in again.visits] == [v.oracle_seconds for v in crowded.visits]


def test_a_profile_without_matters_plans_the_days_it_always_did() -> None:
    """Matters are drawn only for categories that have them: the default profile's days are
    the same as before the matters profile existed, and the matters profile gives matters."""
    hall = load_hall_config()
    windows = [w.number for w in hall.windows]
    day = plan_day(
        profile=load_profile(), tz=hall.tz, windows=windows, day=date(2026, 3, 2), seed=1
    )
    assert all(a.matter is None for a in day.applicants)
    matters = plan_day(
        profile=load_profile(builtin=MATTERS_PROFILE),
        tz=hall.tz,
        windows=windows,
        day=date(2026, 3, 2),
        seed=1,
    )
    chosen = {a.matter for a in matters.applicants if a.category == "general"}
    assert {"newborn", "social_security_card", None} <= chosen
