"""市域通办 figures per hall over a period: what each hall did for the other halls of the city,
how many of its steps were on time, and how long applicants waited for their result.

Pure: the service reads the cases and their steps as plain records and passes each hall's time
zone and working-day calendar; docs/statistics.md defines every figure.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Final

from queue_server.domain.cross_region import CaseHalls, CrossRegionStatus, CrossRegionStep
from queue_server.domain.workdays import working_days_between

TIMED_STEPS: Final[tuple[CrossRegionStep, ...]] = (
    CrossRegionStep.FORWARD,
    CrossRegionStep.ACCEPT,
    CrossRegionStep.RETURN,
    CrossRegionStep.DECIDE,
    CrossRegionStep.DELIVER,
)
"""The steps that have a due time (收件 is done at opening; 补正转递 waits for the applicant)."""

TOTAL_KEY: Final = "total"


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: int
    halls: CaseHalls
    opened_at: datetime
    status: CrossRegionStatus
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class StepRecord:
    case_id: int
    step: CrossRegionStep
    hall: str
    """The hall that takes the step."""
    due_at: datetime | None
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class HallCalendar:
    """A hall's local dates and working days."""

    code: str
    tz: tzinfo
    is_workday: Callable[[date], bool]


@dataclass(frozen=True, slots=True)
class Timeliness:
    """Steps of one kind that count in a period: done in it, or still open and overdue."""

    counted: int = 0
    on_time: int = 0

    @property
    def late(self) -> int:
        return self.counted - self.on_time

    @property
    def share(self) -> float | None:
        return round(self.on_time / self.counted, 4) if self.counted else None

    def __add__(self, other: "Timeliness") -> "Timeliness":
        return Timeliness(self.counted + other.counted, self.on_time + other.on_time)


@dataclass(slots=True)
class CrossRegionFigures:
    """One hall's figures (or the city's, under the key `total`), counted up in place by
    `cross_region_figures`."""

    key: str
    received_for_others: int = 0
    decided_for_others: int = 0
    by_state: dict[CrossRegionStatus, int] = field(
        default_factory=lambda: dict.fromkeys(CrossRegionStatus, 0)
    )
    steps: dict[CrossRegionStep, Timeliness] = field(
        default_factory=lambda: dict.fromkeys(TIMED_STEPS, Timeliness())
    )
    delivery_working_days: list[int] = field(default_factory=list)
    """Working days from received to delivered of each case delivered in the period."""

    @property
    def on_time(self) -> Timeliness:
        """Every timed step together."""
        return sum(self.steps.values(), Timeliness())

    @property
    def delivered(self) -> int:
        return len(self.delivery_working_days)

    @property
    def working_days_mean(self) -> float | None:
        days = self.delivery_working_days
        return round(sum(days) / len(days), 2) if days else None


@dataclass(frozen=True, slots=True)
class _Period:
    start: date
    end: date
    now: datetime
    calendars: dict[str, HallCalendar]

    def holds(self, moment: datetime, hall: str) -> bool:
        """Whether `moment` falls on a day of the period, in `hall`'s local dates."""
        return self.start <= self.local_day(moment, hall) <= self.end

    def local_day(self, moment: datetime, hall: str) -> date:
        return moment.astimezone(self.calendars[hall].tz).date()


def _timeliness(step: StepRecord, period: _Period) -> Timeliness:
    """Whether the step counts in the period, and whether it was on time: done in the period
    (on time when done by its due time), or still open, due in the period and overdue now."""
    due = step.due_at
    if due is None or step.step not in TIMED_STEPS:
        return Timeliness()
    if step.done_at is not None:
        if period.holds(step.done_at, step.hall):
            return Timeliness(1, int(step.done_at <= due))
        return Timeliness()
    if due < period.now and period.holds(due, step.hall):
        return Timeliness(1, 0)
    return Timeliness()


def _working_days(case: CaseRecord, period: _Period) -> int | None:
    """Received to delivered, on the receiving hall's calendar; None unless delivered in the
    period."""
    hall = case.halls.receiving
    if case.delivered_at is None or not period.holds(case.delivered_at, hall):
        return None
    return working_days_between(
        period.local_day(case.opened_at, hall),
        period.local_day(case.delivered_at, hall),
        is_workday=period.calendars[hall].is_workday,
    )


def cross_region_figures(
    *,
    cases: Iterable[CaseRecord],
    steps: Iterable[StepRecord],
    halls: Sequence[HallCalendar],
    start: date,
    end: date,
    now: datetime,
) -> tuple[list[CrossRegionFigures], CrossRegionFigures]:
    """Each hall's figures, in the order of `halls` (quiet halls with zeros), and the city's
    total, for the days `start`…`end` (each hall's local dates). Cases and steps of halls not
    in `halls` are left out."""
    period = _Period(start, end, now, {hall.code: hall for hall in halls})
    rows = {hall.code: CrossRegionFigures(hall.code) for hall in halls}
    city = CrossRegionFigures(TOTAL_KEY)
    known = [case for case in cases if set(case.halls.involved) <= rows.keys()]
    by_id = {case.id: case for case in known}
    for case in known:
        receiving = case.halls.receiving
        if period.holds(case.opened_at, receiving):
            rows[receiving].received_for_others += 1
            city.received_for_others += 1
            city.by_state[case.status] += 1
            for hall in case.halls.involved:
                rows[hall].by_state[case.status] += 1
        days = _working_days(case, period)
        if days is not None:
            rows[receiving].delivery_working_days.append(days)
            city.delivery_working_days.append(days)
    for step in steps:
        of_case = by_id.get(step.case_id)
        if of_case is None or step.hall not in rows:
            continue
        row = rows[step.hall]
        if (
            step.step is CrossRegionStep.DECIDE
            and step.done_at is not None
            and step.hall != of_case.halls.receiving
            and period.holds(step.done_at, step.hall)
        ):
            row.decided_for_others += 1
            city.decided_for_others += 1
        counted = _timeliness(step, period)
        if counted.counted:
            row.steps[step.step] += counted
            city.steps[step.step] += counted
    return [rows[hall.code] for hall in halls], city
