"""实名取号: the applicant's ID number before a real-name category issues — typed on the
keyboard, or typed by a keyboard-wedge ID card reader (a burst of characters and Enter).

The number is checked here (length, birth date, check digit) so a slip of the finger is said
at once; it is shown only as dots, handed up once in a message and cleared from the screen."""

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from queue_server.domain.errors import InvalidInput
from queue_server.domain.identity import normalise_id_number
from ticket_printer.kiosk.messages import IdNumberEntered, StartOver
from ticket_printer.kiosk.widgets.help_button import HelpButton

PROMPT = "请将身份证放在读卡区，或输入18位身份证号后按“确定”"


def allowance_text(limit: int | None) -> str:
    """Why the number is asked for, in the applicant's words."""
    reason = "本业务为实名取号，以防号源被倒卖"
    if limit is None:
        return reason
    return f"{reason}：每人每天最多取{limit}个号。身份证号只用于核对，不打印、不显示"


class IdNumberScreen(Screen[None]):
    busy: reactive[bool] = reactive(False)
    """True while the ticket is being issued and printed: no second tap."""
    error: reactive[str] = reactive("")

    def __init__(self, category_name: str, *, limit: int | None) -> None:
        super().__init__()
        self.category_name = category_name
        self.limit = limit

    def compose(self) -> ComposeResult:
        with Vertical(id="id-page"):
            yield Static(f"{self.category_name}：实名取号", classes="title")
            yield Static(PROMPT, classes="subtitle")
            yield Static(allowance_text(self.limit), classes="hint", id="id-why")
            yield Input(
                placeholder="身份证号",
                password=True,
                max_length=18,
                id="id-number",
            )
            yield Static("", id="error", classes="error")
            with Horizontal(classes="actions"):
                yield Button("返回", id="back", classes="secondary")
                yield Button("确定", id="confirm", classes="primary")
        yield HelpButton()

    def on_mount(self) -> None:
        self.query_one("#error").display = False
        self.query_one("#id-number", Input).focus()

    def watch_busy(self, busy: bool) -> None:
        if not self.is_mounted:
            return
        confirm = self.query_one("#confirm", Button)
        confirm.label = "正在取号…" if busy else "确定"
        confirm.set_class(busy, "-busy")

    def watch_error(self, error: str) -> None:
        if self.is_mounted:
            shown = self.query_one("#error", Static)
            shown.update(error)
            shown.display = bool(error)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter, from the keyboard or at the end of a card reader's burst."""
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "back":
            self.post_message(StartOver())
        elif event.button.id == "confirm":
            self._submit()

    def _submit(self) -> None:
        if self.busy:
            return
        field = self.query_one("#id-number", Input)
        typed, field.value = field.value, ""
        field.focus()
        try:
            number = normalise_id_number(typed)
        except InvalidInput as error:
            self.error = error.message
            return
        self.error = ""
        self.busy = True
        self.post_message(IdNumberEntered(number))
