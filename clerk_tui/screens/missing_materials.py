"""补件: the clerk picks what is missing or wrong from the matter's materials, or types it;
the applicant is told all of it at once (一次告知) on their status page."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, SelectionList, Static


def chosen_missing(picked: list[str], typed: list[str]) -> list[str]:
    """The picked materials in the matter's order, then the typed ones, each once."""
    return list(dict.fromkeys([*picked, *(item.strip() for item in typed if item.strip())]))


class MissingMaterialsDialog(ModalScreen[list[str] | None]):
    """Space ticks a material, Enter in the field adds a typed one (an empty field confirms),
    Ctrl+S confirms, Esc cancels. Confirming with nothing chosen is refused when the matter
    lists materials (the server refuses it too)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消"),
        Binding("ctrl+s", "confirm", "确认补件", priority=True),
    ]

    def __init__(self, number: str, materials: list[str]) -> None:
        super().__init__()
        self.number = number
        self.materials = materials
        self.typed: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="missing-dialog"):
            yield Static(f"{self.number} 号补件：缺少或有误的材料", classes="dialog-title")
            if self.materials:
                yield SelectionList[str](*[(item, item) for item in self.materials], id="materials")
            yield Static("", id="typed-materials")
            yield Input(
                id="other-material", placeholder="其他材料或问题，Enter 添加", max_length=80
            )
            yield Static(
                "空格 勾选 · Enter 添加（空白时确认）· Ctrl+S 确认 · Esc 取消",
                classes="dialog-hint",
            )
            yield Static("", id="missing-error", classes="form-error")

    def on_mount(self) -> None:
        self.query_one("#materials" if self.materials else "#other-material").focus()

    def _picked(self) -> list[str]:
        if not self.materials:
            return []
        selected = set(self.query_one("#materials", SelectionList).selected)
        return [item for item in self.materials if item in selected]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.action_confirm()
            return
        if text not in self.typed:
            self.typed.append(text)
        event.input.value = ""
        listed = "、".join(self.typed)
        self.query_one("#typed-materials", Static).update(f"已添加：{listed}")

    def action_confirm(self) -> None:
        missing = chosen_missing(self._picked(), self.typed)
        if not missing and self.materials:
            self.query_one("#missing-error", Static).update("请至少勾选或填写一项缺少的材料")
            return
        self.dismiss(missing)

    def action_cancel(self) -> None:
        self.dismiss(None)
