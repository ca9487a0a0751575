"""办不成事 and follow-up cases, by kind and class, from `case.opened` / `case.closed` events."""

from collections.abc import Iterable, Mapping, Sequence
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


CaseGroups = dict[tuple[str, str], tuple[list[str], list[str | None]]]
"""(kind, class) → the ids of the cases opened and their due dates, in step."""


def group_cases(opened: Iterable[OpenedCase], into: CaseGroups | None = None) -> CaseGroups:
    groups: CaseGroups = {} if into is None else into
    for case in opened:
        ids, dues = groups.setdefault((case.kind, case.case_class), ([], []))
        ids.append(case.case_id)
        dues.append(case.due)
    return groups


def case_figures(
    groups: Mapping[tuple[str, str], tuple[Sequence[str], Sequence[str | None]]],
    closed: Mapping[str, bool],
    *,
    today: date,
) -> list[CaseFigures]:
    """Cases opened in the period, as they stand today: `closed` holds the closings known so
    far (case id → in time), whenever they happened."""
    in_time = {case_id for case_id, timely in closed.items() if timely}
    late = closed.keys() - in_time
    today_text = today.isoformat()
    rows = []
    for (kind, case_class), (ids, dues) in sorted(groups.items()):
        opened = set(ids)
        closed_in_time, closed_late = len(opened & in_time), len(opened & late)
        overdue = sum(
            1
            for case_id, due in zip(ids, dues, strict=True)
            if due is not None and due < today_text and case_id not in closed
        )
        rows.append(
            CaseFigures(
                kind=kind,
                case_class=case_class,
                opened=len(ids),
                closed=closed_in_time + closed_late,
                closed_in_time=closed_in_time,
                closed_late=closed_late,
                open=len(ids) - closed_in_time - closed_late,
                overdue=overdue,
            )
        )
    return rows


def _due(value: object) -> str | None:
    try:
        return date.fromisoformat(str(value)).isoformat() if value else None
    except ValueError:
        return None
