"""补件回执: the applicant types the return code given with 补件 (or a scanner types it) and
gets a return ticket served with priority, or, once the result is ready, an 出件 ticket."""

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from ticket_printer.kiosk.messages import ReturnCodeEntered, StartOver
from ticket_printer.kiosk.widgets.help_button import HelpButton

RETURN_TITLE = "补件回执：请输入回执码"
RETURN_HINT = "回执码在补件时的查询页上（8位字母和数字），也可扫描；输入后按确认"


class ReturnCodeScreen(Screen[None]):
    busy: reactive[bool] = reactive(False)
    error: reactive[str] = reactive("")

    def compose(self) -> ComposeResult:
        with Vertical(id="return-page"):
            yield Static(RETURN_TITLE, classes="title")
            yield Static(RETURN_HINT, classes="subtitle")
            yield Input(id="return-code", placeholder="回执码", max_length=16)
            yield Static("", id="error", classes="error")
            with Horizontal(classes="actions"):
                yield Button("返回", id="back", classes="secondary")
                yield Button("确认取号", id="confirm", classes="primary")
        yield HelpButton()

    def on_mount(self) -> None:
        self.query_one("#error").display = False
        self.query_one("#return-code", Input).focus()

    def watch_busy(self, busy: bool) -> None:
        if self.is_mounted:
            confirm = self.query_one("#confirm", Button)
            confirm.label = "正在取号…" if busy else "确认取号"
            confirm.set_class(busy, "-busy")

    def watch_error(self, error: str) -> None:
        if self.is_mounted:
            shown = self.query_one("#error", Static)
            shown.update(error)
            shown.display = bool(error)

    def _submit(self) -> None:
        code = self.query_one("#return-code", Input).value.strip()
        if self.busy:
            return
        if not code:
            self.error = "请输入回执码"
            return
        self.error = ""
        self.post_message(ReturnCodeEntered(code))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """A scanner types the code and Enter in one burst."""
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "back":
            self.post_message(StartOver())
        elif event.button.id == "confirm":
            self._submit()
