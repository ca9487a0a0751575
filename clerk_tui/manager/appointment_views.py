"""What the 预约 page shows, as pure functions of the server's answer: a day's slots with
their places booked, check-ins, no-shows and cancellations, and the bookings themselves."""

from collections.abc import Sequence
from datetime import date

from queue_server.protocol import AppointmentSlotBookings, AppointmentStatus

SLOT_COLUMNS = ("业务", "时段", "容量", "已约", "已签到", "爽约", "已取消")
BOOKING_COLUMNS = ("时段", "业务", "预约码", "身份证号", "事项", "状态", "票号")
WEEKDAYS = "一二三四五六日"
HINT = "[ 前一天 · ] 后一天 · T 今天 · F5 刷新 · 身份证号只显示首尾各一位"
STATUS_MARKS = {
    AppointmentStatus.BOOKED: "○",
    AppointmentStatus.CHECKED_IN: "●",
    AppointmentStatus.NO_SHOW: "✖",
    AppointmentStatus.CANCELLED: "—",
}


def day_label(day: date, today: date) -> str:
    """`12月8日 周二`, with 今天/明天/昨天 when it is one of those."""
    near = {-1: "（昨天）", 0: "（今天）", 1: "（明天）"}.get((day - today).days, "")
    return f"{day.month}月{day.day}日 周{WEEKDAYS[day.weekday()]}{near}"


def summary(day: date, today: date, slots: Sequence[AppointmentSlotBookings]) -> str:
    label = day_label(day, today)
    if not slots:
        return f"{label} · 休息日或不办理预约，没有预约时段"
    capacity = sum(slot.capacity for slot in slots)
    booked = sum(slot.booked for slot in slots)
    checked_in = sum(slot.checked_in for slot in slots)
    no_shows = sum(slot.no_shows for slot in slots)
    cancelled = sum(slot.cancelled for slot in slots)
    return (
        f"{label} · 已约 {booked}/{capacity} · 已签到 {checked_in} · 爽约 {no_shows}"
        f" · 已取消 {cancelled}"
    )


def slot_rows(slots: Sequence[AppointmentSlotBookings]) -> list[tuple[str, ...]]:
    return [
        (
            slot.category_name,
            f"{slot.slot}-{slot.end}",
            str(slot.capacity),
            f"{slot.booked} 满" if slot.booked >= slot.capacity else str(slot.booked),
            str(slot.checked_in or "—"),
            str(slot.no_shows or "—"),
            str(slot.cancelled or "—"),
        )
        for slot in slots
    ]


def booking_rows(slots: Sequence[AppointmentSlotBookings]) -> list[tuple[str, ...]]:
    """Every booking of the day, by slot, then category, then booking order."""
    ordered = sorted(slots, key=lambda slot: slot.slot)
    return [
        (
            slot.slot,
            slot.category_name,
            booking.code,
            booking.id_masked or "（已清除）",
            booking.matter or "—",
            f"{STATUS_MARKS[booking.status]} {booking.status_label}",
            booking.ticket_number or "—",
        )
        for slot in ordered
        for booking in slot.bookings
    ]
