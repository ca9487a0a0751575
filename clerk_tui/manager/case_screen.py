"""One case, worked by keys: 分类, 转办, log, 办结 with the reply, 反馈, 回访."""

from typing import ClassVar, Final

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from clerk_tui.manager import views
from clerk_tui.manager.dialogs import ChoiceDialog, Field, FormDialog
from clerk_tui.manager.messages import CaseStep
from queue_server.protocol import CaseDetail, CaseKind

STEP_LABELS: Final[dict[str, str]] = {
    "classify": "分类",
    "assign": "转办",
    "log": "记录",
    "close": "办结",
    "feedback": "反馈",
    "follow_up": "回访",
}
LOG_KINDS: Final = [("note", "办理记录"), ("callback", "回访电话"), ("fix", "整改措施")]
RESOLUTIONS: Final = [
    ("done", "办成（已办理或问题已解决）"),
    ("not_possible", "不能办（须写明原因和依据）"),
]


class CaseScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "step('classify')", "分类"),
        Binding("a", "step('assign')", "转办"),
        Binding("l", "step('log')", "记录"),
        Binding("x", "step('close')", "办结"),
        Binding("f", "step('feedback')", "反馈"),
        Binding("v", "step('follow_up')", "回访"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, case_id: int, timezone: str, *, hall: str | None = None) -> None:
        """`hall`: the hall's name, shown above the case for a city-wide manager."""
        super().__init__()
        self.case_id = case_id
        self.timezone = timezone
        self.hall = hall
        self.case: CaseDetail | None = None

    def compose(self) -> ComposeResult:
        if self.hall is not None:
            yield Static(f"大厅：{self.hall}", id="case-hall")
        with VerticalScroll(id="case-box"):
            yield Static(f"正在读取工单 {self.case_id}…", id="case-card")
        yield Static("", id="case-message", classes="message")
        yield Footer(compact=True)

    def show_case(self, case: CaseDetail, *, done: str = "") -> None:
        """Show the case as read, after `done` (what the last step did), with what may follow."""
        self.case = case
        self.query_one("#case-card", Static).update(
            "\n".join(views.case_detail_lines(case, self.timezone))
        )
        possible = "、".join(STEP_LABELS[a] for a in case.actions if a in STEP_LABELS)
        self.say(done + (f"可办理：{possible}" if possible else "本工单已办结回访，无需再办理"))

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#case-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def action_back(self) -> None:
        self.dismiss(None)

    def action_step(self, step: str) -> None:
        case = self.case
        if case is None:
            return
        if step not in case.actions:
            self.say(f"当前状态（{case.status_label}）不能{STEP_LABELS[step]}", error=True)
            return
        match step:
            case "classify":
                choices = list(views.CASE_CLASS_LABELS.items())
                self.app.push_screen(
                    ChoiceDialog("选择分类（决定办理时限）", choices),
                    lambda key: self._send(step, {"case_class": key}) if key else None,
                )
            case "assign":
                self._form(
                    step,
                    "转办",
                    [
                        Field("owner", "承办人用户名", required=False),
                        Field("department", "转办部门", required=False),
                        Field("note", "说明", required=False),
                    ],
                )
            case "log":
                self.app.push_screen(
                    ChoiceDialog("记录类型", LOG_KINDS),
                    lambda kind: (
                        self._form(step, "添加记录", [Field("note", "内容")], kind=kind)
                        if kind
                        else None
                    ),
                )
            case "close":
                self.app.push_screen(ChoiceDialog("办结结果", RESOLUTIONS), self._close_form)
            case "feedback":
                self._form(step, "反馈：答复已告知申请人", [Field("note", "告知方式与申请人意见")])
            case "follow_up":
                fields = [Field("note", "回访情况")]
                if case.kind == CaseKind.FOLLOWUP:
                    fields.append(Field("level", "申请人重新评价（1–5，5为非常满意）"))
                self._form(step, "回访", fields)

    def _close_form(self, resolution: str | None) -> None:
        if not resolution:
            return
        fields = [Field("reply", "给申请人的答复")]
        if resolution == "not_possible":
            fields.append(Field("reason", "不能办理的原因和依据"))
        self._form("close", "办结", fields, resolution=resolution)

    def _form(self, step: str, title: str, fields: list[Field], **fixed: str) -> None:
        def submitted(values: dict[str, str] | None) -> None:
            if values is not None:
                self._send(step, {**fixed, **values})

        self.app.push_screen(FormDialog(f"工单 {self.case_id} · {title}", fields), submitted)

    def _send(self, step: str, values: dict[str, str]) -> None:
        self.say(f"正在{STEP_LABELS[step]}…")
        self.post_message(CaseStep(self.case_id, step, values))
