"""The touch kiosk: category → (matter) → confirm → take the ticket, in at most three taps.

The ticket is committed on the server first, then printed; a printer fault leaves the number
on screen with a reprint button. The kiosk reports its printer's state with a heartbeat.
Network and printing run in workers on the app, so nothing blocks the screen and no error
ever reaches the applicant as a traceback.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from queue_server.client import QueueClient, QueueError
from queue_server.domain.after_hours import closed_title, next_opening_text
from queue_server.domain.clock import Clock, SystemClock
from queue_server.domain.nearby import Wait, quicker_elsewhere
from queue_server.protocol import (
    CategoryPublic,
    DeviceKind,
    DeviceState,
    HallSnapshot,
    MatterPublic,
    PriorityReason,
    TicketPublic,
)
from ticket_printer.kiosk.messages import (
    CategoryChosen,
    CheckInChosen,
    CheckInRequested,
    HelpRequested,
    IdNumberEntered,
    MatterChosen,
    ReprintRequested,
    ReturnCodeEntered,
    ReturnRequested,
    StartOver,
    TicketRequested,
    WalkInRequested,
)
from ticket_printer.kiosk.screens.category import CategoryScreen
from ticket_printer.kiosk.screens.check_in import CheckInScreen, is_id_number
from ticket_printer.kiosk.screens.confirm import ConfirmScreen
from ticket_printer.kiosk.screens.id_number import IdNumberScreen
from ticket_printer.kiosk.screens.matter import MatterScreen
from ticket_printer.kiosk.screens.return_code import ReturnCodeScreen
from ticket_printer.kiosk.screens.ticket import TicketScreen
from ticket_printer.kiosk.texts import elsewhere_text, hall_notice
from ticket_printer.kiosk.widgets.help_button import HELP_FAILED, HELP_LABEL, HELP_SENT
from ticket_printer.layout import CITY_PAGE, TicketLayout, build_layout
from ticket_printer.printing import Printer, PrinterFault

log = logging.getLogger(__name__)

REFRESH_SECONDS = 10.0
HEARTBEAT_SECONDS = 30.0
RESTART_PAUSE_SECONDS = 2.0
BUSY_TEXT = "系统繁忙，请稍后再试或咨询工作人员"
HELP_NOTICE_SECONDS = 20.0
HELP_REPEAT_SECONDS = 60.0
"""Taps within this long of a request that went through only repeat the confirmation: staff
are already on their way, and a worried applicant tapping again must not flood the consoles."""


class KioskApp(App[None]):
    CSS_PATH = Path(__file__).with_name("kiosk.tcss")
    TITLE = "一门 自助取号"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "start_over", "返回首页", show=False),
        Binding("f4", "return_code", "补件回执", show=False),
    ]

    def __init__(
        self,
        client: QueueClient,
        printer: Printer,
        *,
        device_name: str,
        refresh_seconds: float = REFRESH_SECONDS,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.printer = printer
        self.device_name = device_name
        self.refresh_seconds = refresh_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.clock: Clock = clock or SystemClock()
        self.hall: HallSnapshot | None = None
        self.matters: list[MatterPublic] = []
        self.category_screen = CategoryScreen()
        self._category: CategoryPublic | None = None
        self._matter: MatterPublic | None = None
        self._priority: PriorityReason | None = None
        self._last: tuple[TicketPublic, TicketLayout] | None = None
        self.printer_state = DeviceState.OK
        self._help_sent_at: datetime | None = None

    async def on_unmount(self) -> None:
        """The kiosk owns its client: a restarted kiosk must not leave connections behind."""
        await self.client.aclose()

    def on_mount(self) -> None:
        """The hall is read again every `refresh_seconds`: that is also how the kiosk leaves
        its after-hours page by itself when the hall opens, and follows the zone's devices."""
        self.category_screen.city_url = self.client.base_url + CITY_PAGE
        self.push_screen(self.category_screen)
        self.refresh_hall()
        self.report_printer()
        self.set_interval(self.refresh_seconds, self.refresh_hall)
        self.set_interval(self.heartbeat_seconds, self.report_printer)

    # Workers -------------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="hall")
    async def refresh_hall(self) -> None:
        try:
            if not self.matters:
                self.matters = await self.client.matters()
            self.hall = await self.client.hall()
        except QueueError as error:
            log.warning("cannot read the hall: %s", error.detail)
            self.category_screen.notice = "网络连接中断，暂时无法取号，请稍候或咨询工作人员"
            return
        screen = self.category_screen
        screen.hall_name = self.hall.name
        screen.categories = list(self.hall.categories)
        screen.zone = self.hall.self_service
        if self.hall.open_now:
            screen.closed_title = ""
            screen.next_opening = ""
            screen.notice = hall_notice(screen.categories)
        else:
            screen.closed_title = closed_title(day_off=self.hall.day_off)
            screen.next_opening = next_opening_text(self.hall.opens_at, self.clock.now())
            screen.notice = ""

    @work(exclusive=True, exit_on_error=False, group="elsewhere")
    async def look_elsewhere(
        self, screen: ConfirmScreen, category: CategoryPublic, matter: MatterPublic | None
    ) -> None:
        """就近办: tell the applicant on the confirm screen when the wait here is above its
        target and another hall of the city would serve at least 15 minutes sooner."""
        eta = category.eta_minutes
        if eta is None or eta <= category.target_wait_minutes or self.hall is None:
            return
        try:
            if matter is not None:
                choices = await self.client.public_halls(matter=matter.id)
            else:
                choices = await self.client.public_halls(category=category.code)
        except QueueError as error:
            log.info("cannot look for a quicker hall: %s", error.detail)
            return
        here = next((c.code for c in choices if c.name == self.hall.name), "")
        waits = [
            Wait(c.code, c.eta_minutes, open=c.category_open, handling=c.handling) for c in choices
        ]
        best = quicker_elsewhere(
            here=here,
            eta_minutes=eta,
            target_wait_minutes=category.target_wait_minutes,
            waits=waits,
        )
        if best is not None:
            choice = next(c for c in choices if c.code == best.hall)
            screen.elsewhere = elsewhere_text(choice, eta_here=eta)

    @work(exclusive=True, exit_on_error=False, group="heartbeat")
    async def report_printer(self) -> None:
        state, detail = await asyncio.to_thread(self.printer.check)
        await self._heartbeat(state, detail)

    async def _heartbeat(self, state: DeviceState, detail: str | None) -> None:
        self.printer_state = state
        try:
            await self.client.heartbeat(
                self.device_name, kind=DeviceKind.KIOSK, state=state, detail=detail
            )
        except QueueError as error:
            log.warning("heartbeat failed: %s", error.detail)

    @work(exclusive=True, exit_on_error=False, group="help")
    async def request_help(self) -> None:
        """一键求助 for this kiosk: staff consoles highlight it until someone answers."""
        now = self.clock.now()
        sent = self._help_sent_at
        if sent is not None and now - sent < timedelta(seconds=HELP_REPEAT_SECONDS):
            self.notify(HELP_SENT, title=HELP_LABEL, timeout=HELP_NOTICE_SECONDS)
            return
        try:
            await self.client.request_help(device=self.device_name)
        except QueueError as error:
            log.warning("the help request failed: %s", error.detail)
            self.notify(HELP_FAILED, title=HELP_LABEL, severity="error", timeout=8)
            return
        self._help_sent_at = now
        self.notify(HELP_SENT, title=HELP_LABEL, timeout=HELP_NOTICE_SECONDS)

    @work(exclusive=True, exit_on_error=False, group="issue")
    async def issue_and_print(
        self,
        category: CategoryPublic,
        matter: MatterPublic | None,
        priority: PriorityReason | None,
        id_number: str | None = None,
    ) -> None:
        """`id_number`: a real-name category's, sent once with the request, kept nowhere."""
        screen = self.screen
        try:
            ticket = await self.client.issue_ticket(
                category.code,
                priority=priority,
                matter=matter.id if matter else None,
                id_number=id_number,
            )
        except QueueError as error:
            if isinstance(screen, ConfirmScreen | IdNumberScreen | CheckInScreen):
                screen.busy = False
                screen.error = f"未能取号：{error.detail}"
            self.refresh_hall()
            return
        await self._print_and_show(ticket, matter)

    @work(exclusive=True, exit_on_error=False, group="issue")
    async def check_in_and_print(self, text: str) -> None:
        """预约签到 by a booking code or an ID number (told apart by their shape); too late,
        the screen offers a walk-in ticket of the booking's category."""
        screen = self.screen
        try:
            if is_id_number(text):
                ticket = await self.client.check_in(id_number=text)
            else:
                ticket = await self.client.check_in(code=text)
        except QueueError as error:
            if isinstance(screen, CheckInScreen):
                screen.busy = False
                screen.error = f"未能签到：{error.detail}"
                category = self._open(error.category or "")
                if error.code == "check_in_too_late" and category is not None:
                    screen.walk_in_name = category.name
                    screen.walk_in = category.code
            return
        matter = next((m for m in self.matters if m.name == ticket.matter), None)
        await self._print_and_show(ticket, matter)

    async def _print_and_show(self, ticket: TicketPublic, matter: MatterPublic | None) -> None:
        if self.hall is None:
            raise RuntimeError("issued a ticket before the hall was known")
        layout = build_layout(
            ticket,
            hall_name=self.hall.name,
            timezone=self.hall.timezone,
            server_url=self.client.base_url,
            matter=matter,
        )
        self._last = (ticket, layout)
        fault = await self._print_layout(layout)
        self.push_screen(TicketScreen(ticket, fault, clock=self.clock))
        self.refresh_hall()

    @work(exclusive=True, exit_on_error=False, group="issue")
    async def return_and_print(self, code: str) -> None:
        """补件回执: the ticket continuing the journey (or its 出件 ticket), then print it."""
        screen = self.screen
        try:
            ticket = await self.client.return_with_code(code)
        except QueueError as error:
            if isinstance(screen, ReturnCodeScreen):
                screen.busy = False
                screen.error = error.detail
            return
        if self.hall is None:
            raise RuntimeError("issued a ticket before the hall was known")
        matter = next((m for m in self.matters if m.name == ticket.matter), None)
        layout = build_layout(
            ticket,
            hall_name=self.hall.name,
            timezone=self.hall.timezone,
            server_url=self.client.base_url,
            matter=matter,
        )
        self._last = (ticket, layout)
        fault = await self._print_layout(layout)
        self.push_screen(TicketScreen(ticket, fault, clock=self.clock))
        self.refresh_hall()

    @work(exclusive=True, exit_on_error=False, group="issue")
    async def reprint(self) -> None:
        if self._last is None:
            return
        fault = await self._print_layout(self._last[1])
        screen = self.screen
        if isinstance(screen, TicketScreen):
            if fault:
                screen.fault = fault
            else:
                screen.printed()

    async def _print_layout(self, layout: TicketLayout) -> str:
        """Print; the fault's message for the applicant, or "" when it printed."""
        try:
            await asyncio.to_thread(self.printer.print_ticket, layout)
        except PrinterFault as fault:
            log.warning("printing %s failed: %s", layout.number, fault)
            await self._heartbeat(fault.state, fault.message)
            return fault.message
        if self.printer_state is not DeviceState.OK:
            await self._heartbeat(DeviceState.OK, None)
        return ""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            log.error("kiosk worker %s failed", event.worker.name, exc_info=event.worker.error)
            self.notify(BUSY_TEXT, severity="error", timeout=8)
            screen = self.screen
            if isinstance(
                screen, ConfirmScreen | IdNumberScreen | ReturnCodeScreen | CheckInScreen
            ):
                screen.busy = False
                screen.error = BUSY_TEXT

    # Navigation ----------------------------------------------------------------------------

    def _open(self, code: str) -> CategoryPublic | None:
        if self.hall is None:
            return None
        return next((c for c in self.hall.categories if c.code == code and c.open), None)

    def on_category_chosen(self, message: CategoryChosen) -> None:
        category = self._open(message.code)
        if category is None:
            self.notify("该业务暂停取号", severity="warning")
            return
        self._category = category
        offered = [m for m in self.matters if m.category == category.code]
        if offered:
            self.push_screen(MatterScreen(category.name, offered))
        else:
            self._matter = None
            self._confirm(category, None)

    def on_matter_chosen(self, message: MatterChosen) -> None:
        if self._category is None:
            return
        self._matter = message.matter
        self._confirm(self._category, message.matter)

    def _confirm(self, category: CategoryPublic, matter: MatterPublic | None) -> None:
        screen = ConfirmScreen(category, matter)
        self.push_screen(screen)
        self.look_elsewhere(screen, category, matter)

    def on_ticket_requested(self, message: TicketRequested) -> None:
        screen = self.screen
        if self._category is None or not isinstance(screen, ConfirmScreen) or screen.busy:
            return
        if self._category.real_name:
            # 实名取号: the ID number first, then the ticket.
            self._priority = message.priority
            limit = self._category.max_tickets_per_person_per_day
            self.push_screen(IdNumberScreen(self._category.name, limit=limit))
            return
        screen.busy = True
        self.issue_and_print(self._category, self._matter, message.priority)

    def on_return_requested(self, _: ReturnRequested) -> None:
        self.action_return_code()

    def action_return_code(self) -> None:
        """补件回执 from the home screen (its button, or F4)."""
        if len(self.screen_stack) == 2 and self.hall is not None:
            self.push_screen(ReturnCodeScreen())

    def on_return_code_entered(self, message: ReturnCodeEntered) -> None:
        screen = self.screen
        if not isinstance(screen, ReturnCodeScreen) or screen.busy:
            return
        screen.busy = True
        self.return_and_print(message.code)

    def on_id_number_entered(self, message: IdNumberEntered) -> None:
        if self._category is None or not isinstance(self.screen, IdNumberScreen):
            return
        self.issue_and_print(self._category, self._matter, self._priority, message.id_number)

    def on_check_in_chosen(self, _: CheckInChosen) -> None:
        if not isinstance(self.screen, CheckInScreen):
            self.push_screen(CheckInScreen())

    def on_check_in_requested(self, message: CheckInRequested) -> None:
        screen = self.screen
        if not isinstance(screen, CheckInScreen) or screen.busy:
            return
        screen.busy = True
        self.check_in_and_print(message.text)

    def on_walk_in_requested(self, message: WalkInRequested) -> None:
        screen = self.screen
        category = self._open(message.category)
        if not isinstance(screen, CheckInScreen) or screen.busy or category is None:
            return
        self._category = category
        self._matter = None
        if category.real_name:
            # 实名取号 for the walk-in ticket too: the ID number first.
            self._priority = None
            limit = category.max_tickets_per_person_per_day
            self.push_screen(IdNumberScreen(category.name, limit=limit))
            return
        screen.busy = True
        self.issue_and_print(category, None, None)

    def on_help_requested(self, _: HelpRequested) -> None:
        self.request_help()

    def on_reprint_requested(self, _: ReprintRequested) -> None:
        self.reprint()

    def on_start_over(self, _: StartOver) -> None:
        self.action_start_over()

    def action_start_over(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self._category = None
        self._matter = None
        self._priority = None
        self.refresh_hall()


def run_kiosk(
    make_app: Callable[[], KioskApp],
    *,
    crash_log: Path | None = None,
    headless: bool = False,
    restart_pause_seconds: float = RESTART_PAUSE_SECONDS,
) -> None:
    """Run the kiosk for good: an unexpected crash is logged (never shown) and the kiosk
    starts again at its first screen. The crash log is opened once, for every run, and
    closed when the kiosk ends."""
    import time

    from rich.console import Console

    with contextlib.ExitStack() as stack:
        errors = (
            stack.enter_context(crash_log.open("a", encoding="utf-8"))
            if crash_log is not None
            else None
        )
        while True:
            app = make_app()
            if errors is not None:
                app.error_console = Console(file=errors)
            app.run(headless=headless)
            if app.return_code in (0, None):
                return
            log.error("the kiosk crashed (return code %s); starting again", app.return_code)
            time.sleep(restart_pause_seconds)
