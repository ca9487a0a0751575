"""Statistics on a hand-built day whose answers are known exactly."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain.stats.cases import (
    CaseFigures,
    case_figures,
    cases_of_day,
    group_cases,
)
from queue_server.domain.stats.facts import LogEvent, Outcome, pauses_from, stints_from
from queue_server.domain.stats.percentiles import Durations
from queue_server.domain.stats.tally import (
    DayRules,
    HourLoad,
    figures,
    hourly_load,
    merge,
    tally_day,
    total,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 2)
RULES = DayRules(
    tz=SHANGHAI,
    target_wait_seconds={"consult": 600, "general": 1200, "enterprise": 1200},
)


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, second, tzinfo=SHANGHAI)


def ev(type: str, when: datetime, ticket: int | None = None, **fields: Any) -> LogEvent:
    return LogEvent(type=type, at=when, ticket_id=ticket, **fields)


def clerk(n: int) -> dict[str, str]:
    return {"display_name": f"窗口员{n}", "staff_no": f"03{n:02d}"}


HISTORY = [
    ev("ticket.issued", at(9, 0), 1, category="consult"),
    ev("ticket.issued", at(9, 1), 2, category="consult"),
    ev("ticket.issued", at(9, 2), 3, category="general"),
    ev("ticket.issued", at(9, 3), 5, category="general"),
    ev("ticket.issued", at(9, 4), 6, category="general"),
    ev("ticket.called", at(9, 5), 1, category="consult", window_no=1, clerk="0301"),
    ev("ticket.started", at(9, 5, 30), 1, category="consult", window_no=1, clerk="0301"),
    ev("ticket.called", at(9, 6), 2, category="consult", window_no=6, clerk="0306"),
    ev("ticket.no_show", at(9, 8), 2, category="consult", window_no=6, clerk="0306"),
    ev("ticket.finished", at(9, 10, 30), 1, category="consult", window_no=1, clerk="0301"),
    ev("ticket.called", at(9, 12), 3, category="general", window_no=2, clerk="0302"),
    ev("ticket.started", at(9, 13), 3, category="general", window_no=2, clerk="0302"),
    ev("ticket.called", at(9, 15), 5, category="general", window_no=3, clerk="0303"),
    ev("ticket.no_show", at(9, 17), 5, category="general", window_no=3, clerk="0303"),
    ev("ticket.requeued", at(9, 20), 2, category="consult", window_no=1, clerk="0301"),
    ev(
        "ticket.transferred",
        at(9, 20),
        3,
        category="general",
        window_no=2,
        clerk="0302",
        reason="企业事项",
        new_ticket_id=4,
        new_category="enterprise",
    ),
    ev("ticket.called", at(9, 25), 4, category="enterprise", window_no=7, clerk="0307"),
    ev("ticket.started", at(9, 25), 4, category="enterprise", window_no=7, clerk="0307"),
    ev("ticket.called", at(9, 30), 2, category="consult", window_no=1, clerk="0301"),
    ev("ticket.cancelled", at(9, 30), 6, category="general"),
    ev("ticket.recalled", at(9, 31), 2, category="consult", window_no=1, clerk="0301"),
    ev("ticket.started", at(9, 32), 2, category="consult", window_no=1, clerk="0301"),
    ev("ticket.finished", at(9, 40), 2, category="consult", window_no=1, clerk="0301"),
    ev("ticket.finished", at(9, 45), 4, category="enterprise", window_no=7, clerk="0307"),
    ev("window.paused", at(10, 0), window_no=2, clerk="0302", reason="会议"),
    ev("window.resumed", at(10, 15), window_no=2, clerk="0302", reason="会议"),
    ev("ticket.issued", at(10, 50), 7, category="general"),
    ev("window.paused", at(11, 0), window_no=3, clerk="0303", reason="休息"),
    ev("window.signed_out", at(11, 10), window_no=3, clerk="0303"),
    ev("window.paused", at(16, 0), window_no=1, clerk="0301", reason="休息"),
    ev(
        "evaluation.submitted",
        at(9, 11),
        data={"ticket_id": 1, "category": "consult", "window_no": 1, "clerk": clerk(1)}
        | {"level": 5, "defaulted": False, "reasons": []},
    ),
    ev(
        "evaluation.submitted",
        at(9, 41),
        data={"ticket_id": 2, "category": "consult", "window_no": 1, "clerk": clerk(1)}
        | {"level": 2, "defaulted": False, "reasons": ["等候时间长"]},
    ),
    ev(
        "evaluation.submitted",
        at(9, 46),
        data={"ticket_id": 4, "category": "enterprise", "window_no": 7, "clerk": clerk(7)}
        | {"level": 4, "defaulted": False, "reasons": []},
    ),
    ev(
        "evaluation.submitted",
        at(16, 30),
        data={"ticket_id": 99, "category": "general", "window_no": 2, "clerk": "0302"}
        | {"level": 3, "defaulted": True, "reasons": []},
    ),
]
UNTIL = at(17, 0)


def closed_day() -> Any:
    return tally_day(HISTORY, day=DAY, rules=RULES, day_over=True, until=UNTIL)


def test_percentiles_follow_the_documented_definitions() -> None:
    assert Durations.of([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]).p90 == 9  # nearest rank: 9 of 10
    assert Durations.of(list(range(1, 21))).p90 == 18
    assert Durations.of([5]) == Durations(1, 5.0, 5.0, 5.0, 5.0)
    assert Durations.of([300, 1740, 600, 300, 720]) == Durations(5, 732.0, 600.0, 1740.0, 1740.0)
    assert Durations.of([300, 1740]).median == 1020.0
    assert Durations.of([]) == Durations(0, None, None, None, None)


def test_the_last_call_counts_after_a_no_show_and_requeue() -> None:
    stints = stints_from(HISTORY)
    requeued = stints[2]
    assert requeued.wait_seconds == 29 * 60
    assert (requeued.window_no, requeued.clerk) == (1, "0301")
    assert (requeued.requeues, requeued.recalls, requeued.calls) == (1, 1, 2)
    assert requeued.service_seconds == 8 * 60
    assert requeued.at_window_seconds == 10 * 60


def test_a_transfer_ends_one_stint_and_queues_the_next_from_the_transfer() -> None:
    stints = stints_from(HISTORY)
    first, second = stints[3], stints[4]
    assert first.outcome(day_over=True) is Outcome.TRANSFERRED
    assert (first.wait_seconds, first.service_seconds) == (600, None)
    assert (second.category, second.issued, second.queued_at) == ("enterprise", False, at(9, 20))
    assert (second.wait_seconds, second.service_seconds) == (300, 1200)


def test_a_ticket_still_waiting_is_abandoned_once_the_day_is_over() -> None:
    stint = stints_from(HISTORY)[7]
    assert stint.outcome(day_over=True) is Outcome.ABANDONED
    assert stint.outcome(day_over=False) is Outcome.OPEN


def test_pauses_end_at_resume_or_sign_out_and_open_ones_at_the_cut() -> None:
    pauses = pauses_from(HISTORY, until=UNTIL)
    assert [(p.window_no, p.reason, p.seconds) for p in pauses] == [
        (2, "会议", 900),
        (3, "休息", 600),
        (1, "休息", 3600),
    ]


def test_the_day_in_total() -> None:
    numbers = figures(total(closed_day()["day"]))
    assert (numbers.issued, numbers.transferred_in, numbers.called) == (6, 1, 5)
    assert (numbers.served, numbers.no_show, numbers.transferred) == (3, 1, 1)
    assert (numbers.cancelled, numbers.abandoned, numbers.open) == (1, 1, 0)
    assert (numbers.requeued, numbers.recalled) == (1, 1)
    assert (numbers.wait_mean, numbers.wait_median, numbers.wait_p90, numbers.wait_max) == (
        732.0,
        600.0,
        1740.0,
        1740.0,
    )
    assert (numbers.service_mean, numbers.service_median, numbers.service_p90) == (
        660.0,
        480.0,
        1200.0,
    )
    assert (numbers.at_window_mean, numbers.at_window_median) == (710.0, 600.0)
    assert (numbers.within_target, numbers.within_target_share) == (4, 0.8)
    assert numbers.no_show_rate == 0.2
    assert (numbers.pauses, numbers.pause_seconds) == (3, 5100.0)
    assert (numbers.evaluations, numbers.defaulted) == (4, 1)
    assert (numbers.very_satisfied, numbers.satisfied, numbers.basically_satisfied) == (1, 1, 0)
    assert (numbers.dissatisfied, numbers.very_dissatisfied) == (1, 0)
    assert numbers.satisfaction_score == round(11 / 3, 4)
    assert numbers.satisfaction_rate == 0.75


def test_today_counts_the_waiting_ticket_as_open() -> None:
    today = tally_day(HISTORY, day=DAY, rules=RULES, day_over=False, until=UNTIL)
    numbers = figures(total(today["day"]))
    assert (numbers.abandoned, numbers.open) == (0, 1)


def test_grouped_by_category() -> None:
    groups = {key: figures(tally) for key, tally in closed_day()["category"].items()}
    assert set(groups) == {"consult", "general", "enterprise"}
    consult = groups["consult"]
    assert (consult.issued, consult.served, consult.wait_median, consult.wait_p90) == (
        2,
        2,
        1020.0,
        1740.0,
    )
    assert consult.within_target_share == 0.5
    assert consult.satisfaction_score == 3.5
    general = groups["general"]
    assert (general.issued, general.served, general.no_show, general.transferred) == (4, 0, 1, 1)
    assert (general.cancelled, general.abandoned, general.wait_mean) == (1, 1, 660.0)
    enterprise = groups["enterprise"]
    assert (enterprise.issued, enterprise.transferred_in, enterprise.served) == (0, 1, 1)


def test_grouped_by_window_and_clerk_follow_the_counting_call() -> None:
    windows = {key: figures(tally) for key, tally in closed_day()["window"].items()}
    assert set(windows) == {"", "1", "2", "3", "7"}
    assert (windows["1"].served, windows["1"].pauses, windows["1"].pause_seconds) == (2, 1, 3600)
    assert (windows["2"].transferred, windows["2"].pause_seconds) == (1, 900)
    assert (windows["3"].no_show, windows["3"].pause_seconds) == (1, 600)
    assert (windows[""].cancelled, windows[""].abandoned, windows[""].called) == (1, 1, 0)
    clerks = {key: figures(tally) for key, tally in closed_day()["clerk"].items()}
    assert (clerks["0301"].served, clerks["0301"].evaluations) == (2, 2)
    assert (clerks["0302"].evaluations, clerks["0302"].defaulted) == (1, 1)
    assert "0306" not in clerks


def test_arrivals_against_people_waiting_per_hour() -> None:
    loads = hourly_load(closed_day()["hour"], days=1)
    assert loads[0] == HourLoad(hour=9, arrivals=5, waiting_mean=1.45)
    assert loads[1] == HourLoad(hour=10, arrivals=1, waiting_mean=0.167)
    assert [load.waiting_mean for load in loads[2:]] == [1.0] * 6
    assert [load.hour for load in loads] == list(range(9, 17))


def test_pause_time_by_reason() -> None:
    reasons = closed_day()["pause_reason"]
    assert {key: (t.counts["pauses"], t.pause_seconds) for key, t in reasons.items()} == {
        "会议": (1, 900.0),
        "休息": (2, 4200.0),
    }


def test_days_merge_into_exact_period_figures() -> None:
    one = closed_day()
    period = merge([one, closed_day()])
    numbers = figures(total(period["day"]))
    assert (numbers.issued, numbers.served, numbers.wait_median, numbers.wait_p90) == (
        12,
        6,
        600.0,
        1740.0,
    )
    assert hourly_load(period["hour"], days=2)[0].waiting_mean == 1.45


def test_cases_by_kind_class_and_timeliness() -> None:
    def opened(case_id: int, kind: str, case_class: str, due: str) -> LogEvent:
        data = {"case_id": case_id, "kind": kind, "case_class": case_class, "due": due}
        return ev(
            "case.opened", at(10, 0), data=data | {"ticket_id": None, "category": "unresolved"}
        )

    def closed(case_id: int, in_time: bool) -> LogEvent:
        data = {"case_id": case_id, "closed_at": "2026-03-02T08:00:00Z", "in_time": in_time}
        return ev("case.closed", at(16, 0), data=data)

    first_day = cases_of_day(
        [
            opened(1, "unresolved", "simple", "2026-03-02"),
            opened(2, "unresolved", "ordinary", "2026-03-03"),
            ev("ticket.issued", at(10, 5), 1, category="unresolved"),
            opened(3, "followup", "", "2026-03-20"),
            opened(4, "unresolved", "simple", "2026-03-02"),
            closed(1, True),
        ]
    )
    second_day = cases_of_day([closed(4, False)])
    assert first_day[1] == {"1": True}
    groups = group_cases(first_day[0])
    rows = case_figures(groups, first_day[1] | second_day[1], today=date(2026, 3, 5))
    assert rows == [
        CaseFigures("followup", "", 1, 0, 0, 0, 1, 0),
        CaseFigures("unresolved", "ordinary", 1, 0, 0, 0, 1, 1),
        CaseFigures("unresolved", "simple", 2, 2, 1, 1, 0, 0),
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=86_400, allow_nan=False), max_size=400))
def test_durations_agree_with_numpy_median_and_nearest_rank_p90(values: list[float]) -> None:
    durations = Durations.of(values)

    if not values:
        assert durations == Durations(0, None, None, None, None)
        return
    data = np.asarray(values, dtype=np.float64)
    assert durations.median == round(float(np.median(data)), 3)
    assert durations.p90 == round(float(np.percentile(data, 90, method="inverted_cdf")), 3)
    assert durations.max == round(max(values), 3)
    assert durations.count == len(values)
