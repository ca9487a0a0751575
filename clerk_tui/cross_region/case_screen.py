"""One 市域通办 case: its facts, steps with due dates and log; a key for each step the hall
may take now (the case's `actions`), with a small dialog for what the step needs."""

from collections.abc import Mapping, Sequence
from typing import ClassVar, Final

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from clerk_tui.cross_region import views
from clerk_tui.cross_region.dialogs import MaterialsDialog
from clerk_tui.cross_region.messages import CrossRegionStepWanted, StepInput
from clerk_tui.manager.dialogs import ChoiceDialog, Field, FormDialog
from queue_server.domain.cross_region import (
    STEP_LABELS,
    CrossRegionStep,
    Decision,
    Delivery,
    ForwardChannel,
)
from queue_server.protocol import CrossRegionCaseDetail

STEP_KEYS: Final[dict[CrossRegionStep, str]] = {
    CrossRegionStep.FORWARD: "t",
    CrossRegionStep.ACCEPT: "a",
    CrossRegionStep.RETURN: "r",
    CrossRegionStep.RESUBMIT: "s",
    CrossRegionStep.DECIDE: "d",
    CrossRegionStep.DELIVER: "o",
}
"""t 转递, a 受理, r 补正告知, s 补正转递, d 办结, o 送达 (出件)."""


class CrossRegionCaseScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"step('{step}')", STEP_LABELS[step]) for step, key in STEP_KEYS.items()),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, case_id: int, timezone: str, *, hall: str | None = None) -> None:
        """`hall`: the hall's name, shown above the case for a city-wide manager."""
        super().__init__()
        self.case_id = case_id
        self.timezone = timezone
        self.hall = hall
        self.case: CrossRegionCaseDetail | None = None
        self.materials: list[str] = []
        """The materials of the case's matter in the catalog, offered for 补正."""

    def compose(self) -> ComposeResult:
        if self.hall is not None:
            yield Static(f"大厅：{self.hall}", id="case-hall")
        with VerticalScroll(id="case-box"):
            yield Static(f"正在读取市域通办件 {self.case_id}…", id="cross-region-card")
        yield Static("", id="case-message", classes="message")
        yield Footer(compact=True)

    def show_case(
        self,
        case: CrossRegionCaseDetail,
        halls: Mapping[str, str],
        *,
        materials: Sequence[str] | None = None,
        done: str = "",
    ) -> None:
        """Show the case as read, after `done` (what the last step did), with what may follow.

        Read again for the live feed (no `done`) with nothing changed, the message line keeps
        what the last step said."""
        unchanged = self.case is not None and self.case.updated_at == case.updated_at
        self.case = case
        if materials is not None:
            self.materials = list(materials)
        self.query_one("#cross-region-card", Static).update(
            "\n".join(views.case_lines(case, halls, self.timezone))
        )
        possible = "、".join(
            f"{STEP_KEYS[step]} {STEP_LABELS[step]}" for step in case.actions if step in STEP_KEYS
        )
        if done or not unchanged:
            self.say(done + (f"本厅可办理：{possible}" if possible else "本厅当前无需办理"))
        self.refresh_bindings()

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#case-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the steps this hall may take now are offered (and shown in the footer)."""
        if action == "step":
            return self.case is not None and parameters[0] in self.case.actions
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_step(self, name: str) -> None:
        case = self.case
        step = CrossRegionStep(name)
        if case is None or step not in case.actions:
            return
        title = f"{case.code} · {STEP_LABELS[step]}"
        match step:
            case CrossRegionStep.ACCEPT | CrossRegionStep.RESUBMIT:
                self._send(step, StepInput())
            case CrossRegionStep.FORWARD:
                current = ForwardChannel.MAIL if case.originals_by_mail else None
                self.app.push_screen(
                    ChoiceDialog(title, views.FORWARD_CHANNELS, current=current),
                    lambda channel: self._with_tracking(step, title, channel),
                )
            case CrossRegionStep.RETURN:
                self.app.push_screen(
                    MaterialsDialog(title, self.materials),
                    lambda values: self._send(step, values) if values else None,
                )
            case CrossRegionStep.DECIDE:
                self.app.push_screen(ChoiceDialog(title, views.DECISIONS), self._decide)
            case CrossRegionStep.DELIVER:
                self.app.push_screen(
                    ChoiceDialog(title, views.DELIVERY_CHOICES, current=case.delivery),
                    lambda channel: self._with_tracking(step, title, channel),
                )

    def _with_tracking(self, step: CrossRegionStep, title: str, channel: str | None) -> None:
        """Send a forward or deliver step; by mail it needs the tracking number first."""
        if channel is None:
            return
        if channel != Delivery.MAIL:
            self._send(step, StepInput(channel=channel))
            return

        def typed(values: dict[str, str] | None) -> None:
            if values is not None:
                self._send(step, StepInput(channel=channel, tracking_no=values["tracking_no"]))

        self.app.push_screen(FormDialog(title, [Field("tracking_no", "运单号")]), typed)

    def _decide(self, result: str | None) -> None:
        if result is None or self.case is None:
            return
        rejected = result == Decision.REJECTED
        label = "不予办理的原因和依据" if rejected else "说明"

        def typed(values: dict[str, str] | None) -> None:
            if values is not None:
                reason = values["reason"] or None
                self._send(CrossRegionStep.DECIDE, StepInput(result=result, reason=reason))

        self.app.push_screen(
            FormDialog(
                f"{self.case.code} · {views.DECISION_LABELS[Decision(result)]}",
                [Field("reason", label, required=rejected)],
            ),
            typed,
        )

    def _send(self, step: CrossRegionStep, values: StepInput) -> None:
        self.say(f"正在{STEP_LABELS[step]}…")
        self.post_message(CrossRegionStepWanted(self.case_id, step, values))
