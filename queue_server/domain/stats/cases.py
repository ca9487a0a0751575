"""办不成事 and follow-up cases, by kind and class, from `case.opened` / `case.closed` events."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from queue_server.domain.stats.facts import LogEvent


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


def case_figures(
    opened: Iterable[LogEvent], closed: Iterable[LogEvent], *, today: date
) -> list[CaseFigures]:
    """Cases opened in the period (the `opened` events), as they stand today: `closed` are the
    closing events known so far, whenever they happened."""
    closings = {str(event.data.get("case_id")): bool(event.data.get("in_time")) for event in closed}
    table: dict[tuple[str, str], list[int]] = {}
    for event in opened:
        key = (str(event.data.get("kind") or ""), str(event.data.get("case_class") or ""))
        row = table.setdefault(key, [0, 0, 0, 0, 0, 0])
        row[0] += 1
        in_time = closings.get(str(event.data.get("case_id")))
        if in_time is None:
            row[4] += 1
            due = _due(event)
            if due is not None and due < today:
                row[5] += 1
        else:
            row[1] += 1
            row[2 if in_time else 3] += 1
    return [
        CaseFigures(kind, case_class, *row) for (kind, case_class), row in sorted(table.items())
    ]


def _due(event: LogEvent) -> date | None:
    value = event.data.get("due")
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
