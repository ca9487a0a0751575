"""The 预约 page of the manager console (F11): a day's slots with their bookings and
check-ins; keys move to the day before or after, or back to today."""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from clerk_tui.manager import appointment_views as views
from clerk_tui.manager.messages import AppointmentDayWanted
from clerk_tui.manager.pages import fill, table
from queue_server.protocol import AppointmentSlotBookings


class AppointmentsPage(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "move(-1)", "前一天"),
        Binding("right_square_bracket", "move(1)", "后一天"),
        Binding("t", "today", "今天"),
    ]

    def __init__(self, today: date, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.today = today
        self.day = today
        """The day shown (or being read)."""

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="appointments-summary", classes="page-title")
        yield Static(views.HINT, classes="page-hint")
        yield table("appointment-slots", views.SLOT_COLUMNS)
        yield Static("当天的预约（按时段）", classes="section-title")
        yield table("appointment-bookings", views.BOOKING_COLUMNS)

    def show(self, day: date, slots: Sequence[AppointmentSlotBookings]) -> None:
        self.day = day
        self.query_one("#appointments-summary", Static).update(
            views.summary(day, self.today, slots)
        )
        fill(self.query_one("#appointment-slots", DataTable), views.slot_rows(slots))
        fill(self.query_one("#appointment-bookings", DataTable), views.booking_rows(slots))

    def action_move(self, days: int) -> None:
        self.post_message(AppointmentDayWanted(self.day + timedelta(days=days)))

    def action_today(self) -> None:
        self.post_message(AppointmentDayWanted(self.today))
