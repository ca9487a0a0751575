"""The ticket at this window: its number large, and as plain text, with what the clerk needs."""

from datetime import UTC, datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from clerk_tui import formatting
from clerk_tui.widgets.big_number import BigNumber
from queue_server.protocol import CallReason, TicketPublic


class CurrentTicket(Vertical):
    """Set `ticket` and `now`; with no ticket it shows `idle_hint`, what the clerk can do next
    (call a number, or resume a paused window). A ticket called to help another category
    (call reason `overflow`) says 跨窗协办 with that category's name."""

    ticket: reactive[TicketPublic | None] = reactive(None, always_update=True)
    now: reactive[datetime] = reactive(datetime(2000, 1, 1, tzinfo=UTC))
    idle_hint: reactive[str] = reactive("")

    def compose(self) -> ComposeResult:
        yield BigNumber(id="big-number")
        yield Static("", id="plain-number")
        yield Static("", id="ticket-details")

    def watch_ticket(self) -> None:
        self._render_ticket()

    def watch_now(self) -> None:
        self._render_ticket()

    def watch_idle_hint(self) -> None:
        self._render_ticket()

    def _render_ticket(self) -> None:
        if not self.is_mounted:
            return
        ticket = self.ticket
        self.set_class(ticket is not None, "-has-ticket")
        self.set_class(False, "-overflow")
        if ticket is None:
            self.query_one(BigNumber).number = ""
            self.query_one("#plain-number", Static).update(f"当前号码：无（{self.idle_hint}）")
            self.query_one("#ticket-details", Static).update("")
            return
        self.query_one(BigNumber).number = ticket.number
        status = formatting.status_label(ticket.status)
        self.query_one("#plain-number", Static).update(f"当前号码：{ticket.number}  {status}")
        overflow = ticket.call_reason is CallReason.OVERFLOW
        self.set_class(overflow, "-overflow")
        kind = f"类别：{ticket.category_name}"
        if overflow:
            kind = f"跨窗协办：{ticket.category_name}"
        if ticket.priority:
            kind += f"  优先：{formatting.priority_label(ticket.priority)}"
        waited_until = ticket.called_at or self.now
        times = (
            f"等候 {formatting.since(ticket.issued_at, waited_until)}"
            f"  在窗口 {formatting.since(ticket.called_at, self.now)}"
        )
        if ticket.recall_count:
            times += f"  重呼{ticket.recall_count}次"
        lines = [kind, f"事项：{ticket.matter or '—'}", times]
        self.query_one("#ticket-details", Static).update("\n".join(lines))
