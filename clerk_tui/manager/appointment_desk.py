"""The network side of the 预约 page: an App base whose worker reads a day's slots and
bookings, again on every `appointment.*` event while the page is open."""

from datetime import date

from textual import work
from textual.app import App

from clerk_tui.manager.appointment_page import AppointmentsPage
from clerk_tui.manager.messages import AppointmentDayWanted
from queue_server.client import QueueClient, QueueError
from queue_server.protocol import EventMessage


class AppointmentDesk(App[None]):
    """A subclass sets `client` and says how to tell the manager (`appointments_say`)."""

    client: QueueClient

    def appointments_page(self) -> AppointmentsPage | None:
        pages = list(self.screen.query(AppointmentsPage))
        return pages[0] if pages else None

    def appointments_say(self, text: str, *, error: bool = False) -> None:
        self.notify(text, severity="error" if error else "information")

    def follow_appointments(self, event: EventMessage) -> None:
        page = self.appointments_page()
        if str(event.type).startswith("appointment.") and page is not None:
            self.load_appointments(page.day)

    def on_appointment_day_wanted(self, message: AppointmentDayWanted) -> None:
        self.load_appointments(message.day)

    @work(exclusive=True, group="appointments", exit_on_error=False)
    async def load_appointments(self, day: date | None = None) -> None:
        """Read `day` (the page's own day when None) and show it."""
        page = self.appointments_page()
        if page is None:
            return
        wanted = day or page.day
        hall = self.client.hall_code
        try:
            slots = await self.client.day_appointments(day=wanted)
        except QueueError as error:
            self.appointments_say(f"预约读取失败：{error.detail}", error=True)
            return
        page = self.appointments_page()
        if page is not None and self.client.hall_code == hall:
            page.show(wanted, slots)
