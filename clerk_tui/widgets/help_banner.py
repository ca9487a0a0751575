"""The open 一键求助 requests, highlighted above the console's pages (no sound); hidden
when there are none."""

from datetime import UTC, datetime

from textual.reactive import reactive
from textual.widgets import Static

from clerk_tui.help_calls import banner_text
from queue_server.protocol import HelpRequestPublic


class HelpBanner(Static):
    calls: reactive[tuple[HelpRequestPublic, ...]] = reactive(())
    timezone: reactive[str] = reactive("Asia/Shanghai")
    key: reactive[str] = reactive("F12")
    now: reactive[datetime] = reactive(datetime(2000, 1, 1, tzinfo=UTC))

    def __init__(self) -> None:
        super().__init__("", id="help-banner", classes="help-banner")

    def on_mount(self) -> None:
        self._show()

    def watch_calls(self) -> None:
        self._show()

    def watch_now(self) -> None:
        self._show()

    def _show(self) -> None:
        if not self.is_mounted:
            return
        self.display = bool(self.calls)
        self.set_class(any(call.escalated for call in self.calls), "-escalated")
        if self.calls:
            self.update(banner_text(self.calls, timezone=self.timezone, key=self.key, now=self.now))
