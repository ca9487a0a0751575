"""Put the result of the ticket at the window into a compartment of the hall's smart locker
(智能文件柜), for the applicant to collect day and night with the pickup code."""

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from queue_server.protocol import LockerPublic


@dataclass(frozen=True, slots=True)
class LockerChoice:
    locker: str
    compartment: int


def free_compartments(locker: LockerPublic) -> list[int]:
    taken = set(locker.occupied)
    return [number for number in range(1, locker.compartments + 1) if number not in taken]


def locker_option_text(locker: LockerPublic) -> str:
    free = free_compartments(locker)
    return f"{locker.label}（空格 {len(free)}/{locker.compartments}）"


def compartment_problem(text: str, locker: LockerPublic) -> str | None:
    """Why the typed compartment cannot take the result, or None when it can."""
    if not text.isdigit():
        return "请输入格口号（数字）"
    number = int(text)
    if not 1 <= number <= locker.compartments:
        return f"{locker.label}只有 1–{locker.compartments} 号格口"
    if number in locker.occupied:
        return f"{number} 号格口已有物品，请换一个格口"
    return None


class LockerDepositDialog(ModalScreen[LockerChoice | None]):
    """Choose the locker (when the hall has several) and type a free compartment."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]

    def __init__(self, number: str, lockers: list[LockerPublic]) -> None:
        super().__init__()
        self.number = number
        self.lockers = {locker.name: locker for locker in lockers}
        self.chosen: LockerPublic | None = lockers[0] if len(lockers) == 1 else None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="locker-dialog"):
            yield Static(f"{self.number} 号的办理结果存入智能文件柜", classes="dialog-title")
            options = [Option(locker_option_text(x), id=x.name) for x in self.lockers.values()]
            yield OptionList(*options, id="lockers")
            free = free_compartments(self.chosen) if self.chosen else []
            hint = f"空格：{'、'.join(map(str, free[:12]))}" if free else ""
            yield Static(hint, id="free-compartments", classes="dialog-hint")
            yield Input(id="compartment", placeholder="格口号，Enter 存入", max_length=3)
            yield Static("取件码将显示在申请人的查询页 · Esc 取消", classes="dialog-hint")
            yield Static("", id="locker-error", classes="form-error")

    def on_mount(self) -> None:
        self.query_one("#lockers" if self.chosen is None else "#compartment").focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.chosen = self.lockers.get(event.option.id or "")
        if self.chosen is not None:
            free = free_compartments(self.chosen)
            self.query_one("#free-compartments", Static).update(
                f"空格：{'、'.join(map(str, free[:12]))}" if free else "已满"
            )
        self.query_one("#compartment", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#locker-error", Static)
        if self.chosen is None:
            error.update("请先选择智能文件柜")
            self.query_one("#lockers", OptionList).focus()
            return
        text = event.value.strip()
        problem = compartment_problem(text, self.chosen)
        if problem is not None:
            error.update(problem)
            return
        self.dismiss(LockerChoice(self.chosen.name, int(text)))

    def action_cancel(self) -> None:
        self.dismiss(None)
