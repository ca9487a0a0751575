"""Texts for the clerk: durations, times, priority and outcome labels."""

from datetime import datetime
from zoneinfo import ZoneInfo

from queue_server.domain.enums import OUTCOME_LABELS, PRIORITY_LABELS, STATUS_LABELS
from queue_server.protocol import FinishOutcome, PriorityReason, TicketPublic, TicketStatus


def duration(seconds: float | None) -> str:
    """`3分07秒`, `1小时02分`, or `—` when unknown."""
    if seconds is None:
        return "—"
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}小时{minutes:02d}分"
    return f"{minutes}分{secs:02d}秒"


def since(moment: datetime | None, now: datetime) -> str:
    return duration((now - moment).total_seconds() if moment else None)


def clock(now: datetime, timezone: str) -> str:
    return now.astimezone(ZoneInfo(timezone)).strftime("%H:%M:%S")


def priority_label(priority: PriorityReason | None) -> str:
    return PRIORITY_LABELS[priority] if priority else ""


def status_label(status: TicketStatus) -> str:
    return STATUS_LABELS[status]


def outcome_label(outcome: str | None) -> str:
    if outcome is None:
        return ""
    try:
        return OUTCOME_LABELS[FinishOutcome(outcome)]
    except ValueError:
        return outcome


def service_time(ticket: TicketPublic) -> str:
    if ticket.started_at is None or ticket.finished_at is None:
        return "—"
    return duration((ticket.finished_at - ticket.started_at).total_seconds())


def history_result(ticket: TicketPublic) -> str:
    """What happened to a ticket that left the window: status, and the outcome if any."""
    label = status_label(ticket.status)
    outcome = outcome_label(ticket.outcome)
    return f"{label}·{outcome}" if outcome else label
