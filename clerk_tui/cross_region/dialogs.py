"""The small dialogs of 市域通办: the materials to correct (补正), and opening a case from the
ticket at the window."""

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, SelectionList, Static

from clerk_tui.cross_region import views
from clerk_tui.cross_region.messages import CaseOpening, CaseOpeningSubmitted, StepInput
from queue_server.domain.cross_region import DELIVERY_LABELS, CrossRegionMode, Delivery
from queue_server.protocol import MatterPublic


class MaterialsDialog(ModalScreen[StepInput | None]):
    """补正告知: tick the matter's materials (Space) and/or type others, all at once (一次告知).
    Answers the materials and the note, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]
    AUTO_FOCUS = "#materials"

    def __init__(self, title: str, materials: Sequence[str]) -> None:
        super().__init__()
        self.title_text = title
        self.materials = list(materials)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static("须补正的材料，一次告知（Space 勾选，Tab 下一项）", classes="dialog-hint")
            yield SelectionList[str](*[(m, m) for m in self.materials], id="materials")
            yield Label("其他材料（用；分隔）")
            yield Input(id="materials-typed", placeholder="例：身份证复印件；委托书")
            yield Label("说明（可不填）")
            yield Input(id="materials-note")
            yield Static("Enter 确认 · Esc 取消", classes="dialog-hint")
            yield Static("", id="form-error", classes="form-error")

    def on_mount(self) -> None:
        if not self.materials:
            self.query_one("#materials", SelectionList).display = False
            self.query_one("#materials-typed", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        ticked = [str(value) for value in self.query_one("#materials", SelectionList).selected]
        typed = views.split_materials(self.query_one("#materials-typed", Input).value)
        chosen = list(dict.fromkeys([*ticked, *typed]))
        if not chosen:
            self.query_one("#form-error", Static).update("请勾选或填写须补正的材料")
            return
        note = self.query_one("#materials-note", Input).value.strip() or None
        self.dismiss(StepInput(materials=tuple(chosen), note=note))

    def action_cancel(self) -> None:
        self.dismiss(None)


class OpenCaseDialog(ModalScreen[None]):
    """Open a 市域通办 case from the ticket at the window: matter, owning hall, mode and how
    the result reaches the applicant. Posts CaseOpeningSubmitted; the app dismisses the dialog
    once the server has opened the case, or shows its refusal here (`failed`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消"),
        Binding("f10", "submit", "开件", priority=True),
    ]
    AUTO_FOCUS = "#xr-matter"

    def __init__(
        self,
        *,
        ticket_id: int,
        number: str,
        matters: Sequence[MatterPublic],
        halls: Mapping[str, str],
        receiving: str | None,
        matter: str | None = None,
    ) -> None:
        """`matters`: those allowed across the city; `halls`: code -> name of every hall of the
        city; `receiving`: this hall's code; `matter`: the ticket's matter (id or name), chosen
        first."""
        super().__init__()
        self.ticket_id = ticket_id
        self.number = number
        self.matters = {m.id: m for m in matters}
        self.halls = dict(halls)
        self.receiving = receiving
        self.first_matter = next((m.id for m in matters if matter in (m.id, m.name)), None)
        """The ticket's matter (tickets carry its name) when it may go across the city."""

    def compose(self) -> ComposeResult:
        matter_options = [(views.clip(m.name, 26), m.id) for m in self.matters.values()]
        pickup = [(name, code) for code, name in self.halls.items()]
        with Vertical(classes="dialog xr-open"):
            yield Static(f"市域通办 · {self.number}号开件", classes="dialog-title")
            yield from _row("事项", _fixed(matter_options, "xr-matter"))
            yield from _row("属地大厅", Select([], id="xr-owner", compact=True, prompt="请选择"))
            yield from _row("办理方式", Select([], id="xr-mode", compact=True, prompt="请选择"))
            delivery = [(DELIVERY_LABELS[d], str(d)) for d in Delivery]
            yield from _row("送达方式", _fixed(delivery, "xr-delivery"))
            yield from _row("领取大厅", _fixed(pickup, "xr-pickup"))
            yield from _row(
                "邮寄地址",
                Input(
                    id="xr-address", compact=True, disabled=True, placeholder="选择邮寄送达后填写"
                ),
            )
            yield Static("Tab 下一项 · Enter 展开选项 · F10 开件 · Esc 取消", classes="dialog-hint")
            yield Static("", id="form-error", classes="form-error")

    def on_mount(self) -> None:
        if self.first_matter is not None:
            self.query_one("#xr-matter", Select).value = self.first_matter
        if self.receiving in self.halls:
            self.query_one("#xr-pickup", Select).value = self.receiving
        self._matter_chosen()

    def _select(self, selector: str) -> "Select[str]":
        return self.query_one(selector, Select)

    def _matter_chosen(self) -> None:
        matter = self.matters.get(str(self._select("#xr-matter").value))
        if matter is None:
            return
        owners = views.owner_choices(matter, self.halls, self.receiving)
        _offer(self._select("#xr-owner"), [(name, code) for code, name in owners])
        modes = views.mode_choices(matter)
        _offer(self._select("#xr-mode"), [(label, key) for key, label in modes])

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "xr-matter":
            self._matter_chosen()
        elif event.select.id == "xr-delivery":
            mail = event.value == Delivery.MAIL
            self.query_one("#xr-address", Input).disabled = not mail
            self._select("#xr-pickup").disabled = mail

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        values = {
            key: self._select(f"#xr-{key}").value
            for key in ("matter", "owner", "mode", "delivery", "pickup")
        }
        missing = [
            label
            for key, label in (("matter", "事项"), ("owner", "属地大厅"), ("mode", "办理方式"))
            if not isinstance(values[key], str)
        ]
        if missing:
            self.failed("请选择" + "、".join(missing))
            return
        delivery = Delivery(str(values["delivery"]))
        address = self.query_one("#xr-address", Input).value.strip()
        if delivery is Delivery.MAIL and not address:
            self.failed("选择邮寄送达时须填写邮寄地址")
            self.query_one("#xr-address", Input).focus()
            return
        pickup = values["pickup"]
        opening = CaseOpening(
            ticket_id=self.ticket_id,
            matter=str(values["matter"]),
            owner_hall=str(values["owner"]),
            mode=CrossRegionMode(str(values["mode"])),
            delivery=delivery,
            pickup_hall=str(pickup) if delivery is Delivery.PICKUP and pickup else None,
            mail_address=address if delivery is Delivery.MAIL else None,
        )
        self.failed("正在开件…", error=False)
        self.post_message(CaseOpeningSubmitted(opening))

    def failed(self, text: str, *, error: bool = True) -> None:
        message = self.query_one("#form-error", Static)
        message.update(text)
        message.set_class(not error, "-progress")

    def action_cancel(self) -> None:
        self.dismiss(None)


def _offer(select: "Select[str]", options: list[tuple[str, str]]) -> None:
    """Replace a select's options and choose the first (blank when there is none)."""
    select.set_options(options)
    if options:
        select.value = options[0][1]


def _fixed(options: list[tuple[str, str]], select_id: str) -> "Select[str]":
    """A one-line select that always holds one of its options."""
    return Select(options, id=select_id, allow_blank=False, compact=True)


def _row(label: str, widget: Select[str] | Input) -> ComposeResult:
    with Horizontal(classes="xr-field"):
        yield Label(label)
        yield widget
