"""办不成事 and follow-up cases, by kind and class, from `case.opened` / `case.closed` events."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from queue_server.domain.stats.facts import LogEvent


class OpenedCase(NamedTuple):
    """A tuple, as a year holds tens of thousands of them."""

    case_id: str
    kind: str
    case_class: str
    due: str | None
    """ISO date; ISO dates compare correctly as text."""


@dataclass(frozen=True, slots=True)
class CaseFigures:
    kind: str
    case_class: str
    opened: int
    closed: int
    closed_in_time: int
    closed_late: int
    open: int
    overdue: int
    """Still open after its due date."""


def cases_of_day(events: Iterable[LogEvent]) -> tuple[list[OpenedCase], dict[str, bool]]:
    """The cases a day's events open, and its closings (case id → closed in time)."""
    opened: list[OpenedCase] = []
    closed: dict[str, bool] = {}
    for event in events:
        if event.type == "case.opened":
            opened.append(
                OpenedCase(
                    case_id=str(event.data.get("case_id")),
                    kind=str(event.data.get("kind") or ""),
                    case_class=str(event.data.get("case_class") or ""),
                    due=_due(event.data.get("due")),
                )
            )
        elif event.type == "case.closed":
            closed[str(event.data.get("case_id"))] = bool(event.data.get("in_time"))
    return opened, closed


def case_figures(
    opened: Iterable[OpenedCase], closed: Mapping[str, bool], *, today: date
) -> list[CaseFigures]:
    """Cases opened in the period, as they stand today: `closed` holds the closings known so
    far (case id → in time), whenever they happened."""
    table: dict[tuple[str, str], list[int]] = {}
    today_text = today.isoformat()
    for case in opened:
        row = table.setdefault((case.kind, case.case_class), [0, 0, 0, 0, 0, 0])
        row[0] += 1
        in_time = closed.get(case.case_id)
        if in_time is None:
            row[4] += 1
            if case.due is not None and case.due < today_text:
                row[5] += 1
        else:
            row[1] += 1
            row[2 if in_time else 3] += 1
    return [
        CaseFigures(kind, case_class, *row) for (kind, case_class), row in sorted(table.items())
    ]


def _due(value: object) -> str | None:
    try:
        return date.fromisoformat(str(value)).isoformat() if value else None
    except ValueError:
        return None
