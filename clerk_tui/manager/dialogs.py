"""Small keyboard dialogs of the manager console: pick one of a list, fill a short form."""

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one option (↑↓, Enter); answers its id, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]
    AUTO_FOCUS = "#choices"

    def __init__(
        self, title: str, choices: list[tuple[str, str]], *, current: str | None = None
    ) -> None:
        """`current`: the id of the option highlighted when the dialog opens."""
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(label, id=key) for key, label in self.choices], id="choices")
            yield Static("↑↓ 选择 · Enter 确认 · Esc 取消", classes="dialog-hint")

    def on_mount(self) -> None:
        keys = [key for key, _ in self.choices]
        if self.current in keys:
            self.query_one(OptionList).highlighted = keys.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    required: bool = True
    value: str = ""
    placeholder: str = ""


class FormDialog(ModalScreen[dict[str, str] | None]):
    """A few text fields; Enter moves to the next field and submits on the last one.
    Answers the stripped values by key, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]

    def __init__(self, title: str, fields: list[Field], *, note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            if self.note:
                yield Static(self.note, classes="dialog-hint")
            for field in self.fields:
                mark = "（必填）" if field.required else "（可不填）"
                yield Label(field.label + mark)
                yield Input(
                    value=field.value, placeholder=field.placeholder, id=f"field-{field.key}"
                )
            yield Static("Enter 下一项/确认 · Esc 取消", classes="dialog-hint")
            yield Static("", id="form-error", classes="form-error")

    def on_mount(self) -> None:
        self.query_one(f"#field-{self.fields[0].key}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        position = inputs.index(event.input)
        if position + 1 < len(inputs):
            inputs[position + 1].focus()
            return
        values = {
            f.key: self.query_one(f"#field-{f.key}", Input).value.strip() for f in self.fields
        }
        for field in self.fields:
            if field.required and not values[field.key]:
                self.query_one("#form-error", Static).update(f"请填写{field.label}")
                self.query_one(f"#field-{field.key}", Input).focus()
                return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
