"""The hall's notice, scrolling from right to left when it is longer than the screen."""

from textual.widgets import Static

GAP = "　　　　"


class Notice(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self._offset = 0

    def on_mount(self) -> None:
        self.set_interval(0.3, self.step)

    def show_notice(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self._offset = 0
            self.step()

    def step(self) -> None:
        if not self.text:
            self.update("")
            return
        loop = self.text + GAP
        self._offset = (self._offset + 1) % len(loop)
        self.update((loop[self._offset :] + loop[: self._offset]) * 2)
