"""The optional second screen: which 一件事 the applicant came for (searchable), or skip."""

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from queue_server.protocol import MatterPublic
from ticket_printer.kiosk.messages import MatterChosen, StartOver
from ticket_printer.kiosk.texts import matches
from ticket_printer.kiosk.widgets.help_button import HelpButton


class MatterScreen(Screen[None]):
    def __init__(self, category_name: str, matters: list[MatterPublic]) -> None:
        super().__init__()
        self.category_name = category_name
        self.matters = matters

    def compose(self) -> ComposeResult:
        with Vertical(id="matter-page"):
            yield Static(f"{self.category_name}：您要办哪件事？", classes="title")
            yield Static("选好后会告诉您要带的全部材料；不清楚可直接取号", classes="subtitle")
            yield Input(placeholder="输入文字查找，如：退休", id="matter-search")
            with VerticalScroll(id="matters", can_focus=False):
                for matter in self.matters:
                    yield Button(matter.name, id=f"matter-{matter.id}", classes="matter")
            with Horizontal(classes="actions"):
                yield Button("返回", id="back", classes="secondary")
                yield Button("不选事项，直接取号", id="skip", classes="primary")
        yield HelpButton()

    def on_input_changed(self, event: Input.Changed) -> None:
        for matter in self.matters:
            button = self.query_one(f"#matter-{matter.id}", Button)
            button.display = matches(matter, event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        if button_id == "back":
            self.post_message(StartOver())
        elif button_id == "skip":
            self.post_message(MatterChosen(None))
        elif button_id.startswith("matter-"):
            chosen = button_id.removeprefix("matter-")
            matter = next(m for m in self.matters if m.id == chosen)
            self.post_message(MatterChosen(matter))
