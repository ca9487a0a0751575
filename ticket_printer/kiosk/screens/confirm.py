"""Confirm: the category, the wait, the matter's material checklist, optional priority."""

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Static

from queue_server.protocol import CategoryPublic, MatterPublic, PriorityReason
from ticket_printer.kiosk.messages import StartOver, TicketRequested
from ticket_printer.kiosk.texts import (
    CERTIFICATE_NOTE,
    KIOSK_PRIORITIES,
    priority_label,
    wait_text,
)
from ticket_printer.kiosk.widgets.checklist import Checklist
from ticket_printer.kiosk.widgets.help_button import HelpButton


class ConfirmScreen(Screen[None]):
    busy: reactive[bool] = reactive(False)
    """True while the ticket is being issued and printed: no second tap."""
    error: reactive[str] = reactive("")
    elsewhere: reactive[str] = reactive("")
    """就近办: another hall that would serve much sooner, in plain words ("" when none)."""

    def __init__(self, category: CategoryPublic, matter: MatterPublic | None) -> None:
        super().__init__()
        self.category = category
        self.matter = matter
        self.priority: PriorityReason | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-page"):
            yield Static(f"取号：{self.category.name}", classes="title")
            yield Static(
                wait_text(self.category.waiting, self.category.eta_minutes), classes="subtitle"
            )
            yield Static("", id="elsewhere", classes="notice")
            if self.matter is not None:
                yield Checklist(self.matter, id="checklist")
            else:
                yield Vertical(id="no-checklist")
            with Horizontal(id="priority-hint"):
                yield Static("如需优先办理，请选择（可不选）：", classes="hint")
                yield Static(CERTIFICATE_NOTE, id="certificate-note", classes="note")
            with Horizontal(id="priorities"):
                for priority in KIOSK_PRIORITIES:
                    yield Button(
                        priority_label(priority), id=f"priority-{priority}", classes="priority"
                    )
            yield Static("", id="error", classes="error")
            with Horizontal(classes="actions"):
                yield Button("返回", id="back", classes="secondary")
                yield Button("确认取号", id="confirm", classes="primary")
        yield HelpButton()

    def on_mount(self) -> None:
        self.query_one("#certificate-note").display = False
        self.query_one("#error").display = False
        self.query_one("#elsewhere").display = bool(self.elsewhere)
        self.query_one("#confirm", Button).focus()

    def watch_busy(self, busy: bool) -> None:
        if not self.is_mounted:
            return
        confirm = self.query_one("#confirm", Button)
        confirm.label = "正在取号…" if busy else "确认取号"
        if busy:
            confirm.add_class("-busy")
        else:
            confirm.remove_class("-busy")

    def watch_error(self, error: str) -> None:
        if self.is_mounted:
            shown = self.query_one("#error", Static)
            shown.update(error)
            shown.display = bool(error)

    def watch_elsewhere(self, elsewhere: str) -> None:
        if self.is_mounted:
            shown = self.query_one("#elsewhere", Static)
            shown.update(elsewhere)
            shown.display = bool(elsewhere)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        if button_id == "back":
            self.post_message(StartOver())
        elif button_id == "confirm" and not self.busy:
            self.error = ""
            self.post_message(TicketRequested(self.priority))
        elif button_id.startswith("priority-"):
            chosen = PriorityReason(button_id.removeprefix("priority-"))
            self.priority = None if self.priority is chosen else chosen
            for button in self.query(".priority").results(Button):
                button.set_class(button.id == f"priority-{self.priority}", "-selected")
            self.query_one("#certificate-note").display = self.priority is not None
