"""一键求助 on the consoles (pure): which events concern help requests, and the banner's words."""

from collections.abc import Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from queue_server.protocol import EventMessage, EventType, HelpRequestPublic

HELP_EVENTS: Final = frozenset(
    {
        EventType.ALERT_HELP_REQUESTED,
        EventType.ALERT_HELP_UNANSWERED,
        EventType.HELP_ACKNOWLEDGED,
    }
)
"""Events after which the open help requests are read again."""
ACK_KEY: Final = "f12"


def is_help_event(event: EventMessage) -> bool:
    return event.type in HELP_EVENTS


def where(call: HelpRequestPublic) -> str:
    """社保自助终端（ss-shebao）, 取号机 kiosk-2, or 自助服务区 when no device was named."""
    if call.device_label:
        return f"{call.device_label}（{call.device}）"
    return f"取号机 {call.device}" if call.device else "自助服务区"


def oldest(calls: Sequence[HelpRequestPublic]) -> HelpRequestPublic | None:
    """The request one key press answers: the one waiting longest."""
    return min(calls, key=lambda call: (call.requested_at, call.id), default=None)


def banner_text(
    calls: Sequence[HelpRequestPublic], *, timezone: str, key: str, now: datetime
) -> str:
    """One line per open request, the longest waiting first, and the key that answers it."""
    zone = ZoneInfo(timezone)
    ordered = sorted(calls, key=lambda call: (call.requested_at, call.id))
    lines = [f"一键求助（{len(ordered)}）：按 {key} 响应最早的一条"]
    for call in ordered:
        minutes = max(0, int((now - call.requested_at).total_seconds() // 60))
        late = " · 已超时" if call.escalated else ""
        note = f" · {call.note}" if call.note else ""
        at = call.requested_at.astimezone(zone)
        lines.append(f"  {at:%H:%M} {where(call)} · 已等{minutes}分钟{late}{note}")
    return "\n".join(lines)
