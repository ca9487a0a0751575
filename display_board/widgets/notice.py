"""The hall's notice, scrolling from right to left when it is longer than the screen.

The scroll position follows the board's clock, so a board on a stopped clock stands still."""

from datetime import datetime

from rich.cells import cell_len
from textual.widgets import Static

from queue_server.domain.clock import Clock

GAP = "　　　　"
STEP_SECONDS = 0.3


class Notice(Static):
    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.text = ""
        self._since: datetime = clock.now()

    def on_mount(self) -> None:
        self.set_interval(STEP_SECONDS, self.step)

    def show_notice(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self._since = self.clock.now()
            self.step()

    def step(self) -> None:
        if cell_len(self.text) <= self.content_size.width:
            self.update(self.text)
            return
        loop = self.text + GAP
        elapsed = (self.clock.now() - self._since).total_seconds()
        offset = int(elapsed / STEP_SECONDS) % len(loop)
        self.update((loop[offset:] + loop[:offset]) * 2)
