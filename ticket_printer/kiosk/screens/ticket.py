"""The last screen: the number, big; "take your ticket", or on a printer fault the number to
note down and a reprint button; a countdown back to the start, read from the kiosk's clock."""

from datetime import datetime, timedelta
from math import ceil

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Digits, Static

from queue_server.domain.clock import Clock
from queue_server.protocol import TicketPublic
from ticket_printer.kiosk.messages import ReprintRequested, StartOver
from ticket_printer.kiosk.texts import wait_text
from ticket_printer.kiosk.widgets.help_button import HelpButton

PRINTED_SECONDS = 15
FAULT_SECONDS = 90


class TicketScreen(Screen[None]):
    fault: reactive[str] = reactive("")
    """Empty once printed; else what went wrong, for the applicant."""
    remaining: reactive[int] = reactive(PRINTED_SECONDS)

    def __init__(self, ticket: TicketPublic, fault: str, *, clock: Clock) -> None:
        super().__init__()
        self.ticket = ticket
        self.clock = clock
        self.set_reactive(TicketScreen.fault, fault)
        self._deadline = self._deadline_after(FAULT_SECONDS if fault else PRINTED_SECONDS)
        self.set_reactive(TicketScreen.remaining, self._seconds_left())
        self._timer: Timer | None = None

    def _deadline_after(self, seconds: int) -> datetime:
        return self.clock.now() + timedelta(seconds=seconds)

    def _seconds_left(self) -> int:
        return max(0, ceil((self._deadline - self.clock.now()).total_seconds()))

    def compose(self) -> ComposeResult:
        with Vertical(id="ticket-page"):
            yield Static(self._headline(), id="ticket-headline", classes="title")
            yield Digits(self.ticket.number, id="number")
            yield Static(self.ticket.number, id="number-text", classes="number-text")
            yield Static(self._category_text(), id="ticket-category", classes="subtitle")
            yield Static(wait_text(self.ticket.ahead, self.ticket.eta_minutes), classes="subtitle")
            yield Static(self._fault_text(), id="fault", classes="error")
            with Horizontal(classes="actions"):
                reprint = Button("重新打印", id="reprint", classes="primary")
                reprint.display = bool(self.fault)
                yield reprint
                yield Button("完成", id="done", classes="secondary")
            yield Static(self._countdown_text(), id="countdown", classes="hint")
        yield HelpButton()

    def _category_text(self) -> str:
        slot = self.ticket.appointment_slot
        return f"{self.ticket.category_name}　预约 {slot}" if slot else self.ticket.category_name

    def on_mount(self) -> None:
        self._timer = self.set_interval(1, self._tick)
        self.query_one("#reprint" if self.fault else "#done", Button).focus()

    def _tick(self) -> None:
        self.remaining = self._seconds_left()
        if self.remaining <= 0:
            if self._timer is not None:
                self._timer.stop()
            self.post_message(StartOver())

    def watch_remaining(self) -> None:
        if self.is_mounted:
            self.query_one("#countdown", Static).update(self._countdown_text())

    def watch_fault(self) -> None:
        if self.is_mounted:
            self._show()

    def printed(self) -> None:
        """The reprint worked."""
        self.fault = ""
        self._deadline = self._deadline_after(PRINTED_SECONDS)
        self.remaining = self._seconds_left()

    def _headline(self) -> str:
        return "取号成功，但号票未能打印" if self.fault else "请取走您的号票"

    def _fault_text(self) -> str:
        if not self.fault:
            return ""
        return (
            f"{self.fault}。请记下您的号码 {self.ticket.number}，或点“重新打印”。"
            "也可请工作人员帮助。"
        )

    def _countdown_text(self) -> str:
        return f"{self.remaining} 秒后返回首页"

    def _show(self) -> None:
        self.query_one("#ticket-headline", Static).update(self._headline())
        self.query_one("#fault", Static).update(self._fault_text())
        reprint = self.query_one("#reprint", Button)
        reprint.display = bool(self.fault)
        if not reprint.display and reprint.has_focus:
            self.query_one("#done", Button).focus()
        self.query_one("#countdown", Static).update(self._countdown_text())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "reprint":
            self.post_message(ReprintRequested())
        elif event.button.id == "done":
            self.post_message(StartOver())
